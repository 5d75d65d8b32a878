"""The two rings: the pure core (jnn/_core) never imports the Keras-shaped shell (jnn/_shell)."""

import ast
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORE = ROOT / "jnn" / "_core"
CORE_FILES = sorted(CORE.rglob("*.py"))
SHELL_MODULE = re.compile(r"^jnn\._shell(\.\w+)*$")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: pathlib.Path) -> list[tuple[int, str]]:
    return _imports_in(path.read_text(), _module_name(path), path.name == "__init__.py")


def _imports_in(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module a source imports (relative imports resolved), anywhere in the file."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SHELL_MODULE.match(node.value):  # importlib.import_module("jnn._shell...")
                found.append((node.lineno, node.value))
    return found


def _leaves_the_core(module: str) -> bool:
    """Importing any jnn module outside jnn._core runs jnn/__init__ and so the shell."""
    return (module == "jnn" or module.startswith("jnn.")) and not (
        module == "jnn._core" or module.startswith("jnn._core.")
    )


def test_core_files_exist():
    assert len(CORE_FILES) > 10
    assert CORE / "steps.py" in CORE_FILES


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_never_imports_the_shell(path):
    bad = [f"line {line}: {mod}" for line, mod in _imports(path) if _leaves_the_core(mod)]
    assert not bad, f"{path.relative_to(ROOT)} imports outside jnn._core: {bad}"


def test_import_checker_catches_shell_imports():
    """The checker itself can fail: absolute, relative, nested and importlib imports."""
    src = (
        "import jnn._shell.engine\n"
        "from ... import _shell\n"
        "from .base import Layer\n"
        "def f():\n"
        "    from jnn import models\n"
        "    import importlib; importlib.import_module('jnn._shell.hooks')\n"
    )
    mods = [m for _, m in _imports_in(src, "jnn._core.layers.probe", is_package=False)]
    flagged = {m for m in mods if _leaves_the_core(m)}
    assert "jnn._shell.engine" in flagged
    assert "jnn._shell" in flagged  # `from ... import _shell` inside jnn._core.layers
    assert "jnn.models" in flagged
    assert "jnn._shell.hooks" in flagged
    assert "jnn._core.layers.base" in mods
    assert not _leaves_the_core("jnn._core.layers.base")


_CHECK_CORE_ALONE = r"""
import importlib, importlib.util, json, pkgutil, sys, types
spec = importlib.util.find_spec("jnn")
pkg = types.ModuleType("jnn")  # the package without running jnn/__init__.py
pkg.__path__ = list(spec.submodule_search_locations)
sys.modules["jnn"] = pkg
core = importlib.import_module("jnn._core")
names = ["jnn._core"] + [m.name for m in pkgutil.walk_packages(core.__path__, "jnn._core.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names,
                  "shell": sorted(m for m in sys.modules if m.startswith("jnn._shell"))}))
"""

_CHECK_PLAIN_IMPORT = r"""
import json, sys
import jnn._core.steps, jnn._core.layers.core, jnn._core.losses
print(json.dumps(sorted(m for m in sys.modules if m.startswith("jnn._shell"))))
"""


def _run(code: str):
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_core_module_imports_without_the_shell():
    out = _run(_CHECK_CORE_ALONE)
    assert "jnn._core.steps" in out["imported"]
    assert "jnn._core.layers.base" in out["imported"]
    assert out["shell"] == []


def test_importing_core_in_a_fresh_process_does_not_import_the_shell():
    assert _run(_CHECK_PLAIN_IMPORT) == []
