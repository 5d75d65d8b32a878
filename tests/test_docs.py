"""Every ```python block in docs/*.md runs: blocks of one file share a fresh namespace and run
in order; a block opened with ```python no-run is shown but not run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
_BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.S | re.M)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, source) of every runnable ```python block, in order."""
    blocks = []
    for match in _BLOCK.finditer(text):
        if "no-run" in match.group(1):
            continue
        blocks.append((text.count("\n", 0, match.start()) + 2, match.group(2)))
    return blocks


def test_extractor_skips_no_run_and_keeps_order():
    text = "a\n```python\nx = 1\n```\n```python no-run\nboom()\n```\n```python\ny = x\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (9, "y = x\n")]


def _pages():
    params = []
    for path in sorted(DOCS.rglob("*.md")):
        params.append(pytest.param(path, id=str(path.relative_to(DOCS))))
    return params


@pytest.mark.user_code  # docs show user code, written the way users write it
@pytest.mark.parametrize("path", _pages())
def test_doc_code_runs(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # files the examples save land in a scratch directory
    namespace: dict = {"__name__": f"docs_{path.stem}"}
    for line, source in python_blocks(path.read_text()):
        code = compile(source, f"{os.fspath(path)}:{line}", "exec")
        exec(code, namespace)  # noqa: S102 - running the documentation is the point
    capsys.readouterr()
