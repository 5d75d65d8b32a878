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
        "import jnn._shell.training.engine\n"
        "from ... import _shell\n"
        "from .base import Layer\n"
        "def f():\n"
        "    from jnn import models\n"
        "    import importlib; importlib.import_module('jnn._shell.layers.hooks')\n"
    )
    mods = [m for _, m in _imports_in(src, "jnn._core.layers.probe", is_package=False)]
    flagged = {m for m in mods if _leaves_the_core(m)}
    assert "jnn._shell.training.engine" in flagged
    assert "jnn._shell" in flagged  # `from ... import _shell` inside jnn._core.layers
    assert "jnn.models" in flagged
    assert "jnn._shell.layers.hooks" in flagged
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


# --- the shell's rooms: import contracts and cycles ------------------------------------------------
# grimp (under import-linter) reads every import statement of a module, those inside functions
# too, so a lazy import is the same dependency as a module-level one.
_LINT = r"""
import sys
from importlinter.cli import lint_imports
sys.exit(lint_imports(no_cache=True, no_logo=True))
"""


def _lint_imports(cwd: pathlib.Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the contracts of ``cwd/pyproject.toml`` over ``cwd/jnn``."""
    return subprocess.run(
        [sys.executable, "-c", _LINT],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin", "JAX_PLATFORMS": "cpu"},
    )


def test_import_contracts_hold():
    """pyproject.toml's [tool.importlinter] contracts: facades > shell > core; the shell's rooms
    models > saving | training > callbacks > layers > protocol | runtime; ..."""
    pytest.importorskip("importlinter")
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_import_contracts_see_a_lazy_import(tmp_path):
    """The contracts can fail, on an import hidden inside a function: a copy of the package
    where a callback lazily imports the models room breaks two of them."""
    pytest.importorskip("importlinter")
    import shutil

    shutil.copytree(ROOT / "jnn", tmp_path / "jnn", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    base = tmp_path / "jnn" / "_shell" / "callbacks" / "base.py"
    base.write_text(
        base.read_text() + "\n\ndef _probe():\n    from jnn._shell.models import model  # noqa\n"
    )
    proc = _lint_imports(tmp_path)
    assert proc.returncode != 0
    assert "jnn._shell.callbacks.base -> jnn._shell.models.model" in proc.stdout
    assert "2 broken" in proc.stdout


def _import_cycles(package: str) -> list[list[str]]:
    """Strongly connected components (more than one module) of ``package``'s import graph."""
    import grimp

    graph = grimp.build_graph(package, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(root: str) -> None:  # Tarjan's algorithm, iterative (deep graphs)
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_in_jnn():
    """Not one cycle among jnn's modules, counting every import (inside functions too)."""
    pytest.importorskip("grimp")
    cycles = _import_cycles("jnn")
    assert cycles == [], "import cycles (each line one cycle):\n" + "\n".join(map(str, cycles))


def test_cycle_finder_sees_a_lazy_cycle(tmp_path, monkeypatch):
    pytest.importorskip("grimp")
    pkg = tmp_path / "cyclepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyclepkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from cyclepkg import c\n")
    (pkg / "c.py").write_text("def g():\n    import cyclepkg.a\n")
    (pkg / "d.py").write_text("from cyclepkg import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _import_cycles("cyclepkg") == [["cyclepkg.a", "cyclepkg.b", "cyclepkg.c"]]


def test_shell_and_core_never_import_the_top_package():
    """``import jnn`` (the facade of facades) from inside the shell or core is a hidden cycle."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("jnn", cache_dir=None)
    importers = sorted(
        m for m in graph.find_modules_that_directly_import("jnn")
        if m.startswith(("jnn._shell", "jnn._core"))
    )
    assert importers == []
