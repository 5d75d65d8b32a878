"""Writes tests/conformance/REPORT.md: every API jnn shares with Keras 3 and its status.

For each public module pair (``jnn.layers`` / ``keras.layers``, ...) the report lists the
names both export, the names only Keras exports (and whether jnn resolves them as string
identifiers), the test files that check each name against Keras, and the documented
differences. With ``--run`` it also runs the conformance tests (``pytest -m conformance``)
and marks each name pass / FAIL from the results of the files that check it.

The ``ops`` section always runs the ``jnn.ops`` case table (``tests/ops/cases_*.py``): one
status per ``keras.ops`` name (equal / differs: reason / not compared: reason).

Usage (repository root): ``KERAS_BACKEND=jax python -m tests.conformance.report [--run]``;
``--ops-only`` regenerates only the ops section (and its summary row) of the existing report.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
REPORT = Path(__file__).with_name("REPORT.md")
MODULES = ["layers", "losses", "metrics", "activations", "optimizers", "initializers",
           "regularizers", "constraints", "callbacks"]  # fmt: skip

# Documented, justified differences (name -> why). Keep in sync with the tests that pin them.
DIFFERENCES = {
    "sparsemax": "Keras 3.15's JAX sparsemax rows do not sum to 1 (cumsum bug); jnn follows "
    "Martins & Astudillo 2016 and is checked against a NumPy reference "
    "(tests/core/test_activations.py).",
    "History": "Keras 3.15 lists History keys alphabetically; jnn keeps Keras 2's order "
    "(loss, metrics, val_*). Values equal (tests/conformance/test_optimizer_fit.py).",
    "SGD": "`lr=` is accepted with a deprecation warning (Keras 3 raises); trajectories equal.",
    "ModelCheckpoint": "also accepts `.h5` full-model paths (legacy Keras 2 HDF5), which "
    "Keras 3 refuses.",
    "Dropout": "masks come from JAX keys, so they differ bit for bit from Keras's; the rate "
    "and the inverted scaling are Keras's.",
}

# APIs with no Keras comparison on purpose (name -> why and where else they are tested).
NOT_COMPARABLE = {
    "StringLookup": "Keras 3.15 needs TensorFlow for it; checked against Keras's documented "
    "outputs in tests/core/test_layers_preprocessing.py.",
    "TextVectorization": "Keras 3.15 needs TensorFlow for it; checked against Keras's "
    "documented outputs in tests/core/test_layers_preprocessing.py.",
    "Metric": "abstract base class (subclassing API tested in tests/core/test_metrics.py).",
    "Optimizer": "abstract base class (every concrete optimizer is compared).",
    "FlaxLayer": "wraps a Flax module; Keras's FlaxLayer wraps Flax as well, so a comparison "
    "would test Flax against itself (tested in jnn's Flax interop tests).",
    "BackupAndRestore": "resuming after an interrupt gives the uninterrupted run's weights "
    "(tests/callbacks/test_fit_callbacks.py); Keras's backup files are TensorFlow-free but "
    "not interchangeable.",
}


def _keras_oracle_files() -> dict[str, str]:
    """Test files that compare with real Keras, with their source."""
    out = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        text = path.read_text()
        if re.search(r"importorskip\(\"keras\"\)|keras_module|mark\.conformance", text):
            out[str(path.relative_to(ROOT))] = text
    return out


def _public(module) -> set[str]:
    return {n for n in dir(module) if not n.startswith("_")}


def _resolves(jmod, name: str) -> bool:
    get = getattr(jmod, "get", None)
    if get is None:
        return False
    try:
        return get(name) is not None
    except Exception:  # noqa: BLE001 - any failure means "not resolvable"
        return False


def run_conformance(files: list[str]) -> dict[str, tuple[int, int]]:
    """{file: (passed, failed)} from ``pytest -m conformance`` over ``files``."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = os.path.join(tmp, "junit.xml")
        cmd = [sys.executable, "-m", "pytest", "-q", "-m", "conformance", "-p", "no:cacheprovider",
               f"--junitxml={xml}", *files]  # fmt: skip
        subprocess.run(cmd, cwd=ROOT, check=False, capture_output=True)
        results: dict[str, list[int]] = {}
        for case in ET.parse(xml).getroot().iter("testcase"):
            path = case.get("classname", "").rsplit(".", 1)[0].replace(".", "/") + ".py"
            failed = any(c.tag in ("failure", "error") for c in case)
            skipped = any(c.tag == "skipped" for c in case)
            if not skipped:
                results.setdefault(path, [0, 0])[1 if failed else 0] += 1
    return {k: (v[0], v[1]) for k, v in results.items()}


def _status(name: str, files: list[str], results: dict | None) -> str:
    if not files:
        status = (
            "not comparable (see notes)" if name in NOT_COMPARABLE else "no Keras comparison found"
        )
    elif results is None:
        status = "compared (not run)"
    else:
        failed = [f for f in files if results.get(f, (0, 0))[1]]
        status = "FAIL: " + ", ".join(failed) if failed else "pass"
    return status + (" (documented difference)" if name in DIFFERENCES else "")


def build_report(run: bool) -> str:
    import keras

    import jnn

    oracle = _keras_oracle_files()
    results = run_conformance(sorted(oracle)) if run else None
    lines = [
        "# Conformance with Keras 3",
        "",
        f"Generated by `python -m tests.conformance.report{' --run' if run else ''}` against "
        f"Keras {keras.__version__} (JAX backend).",
        "",
        "Status: `pass` = every conformance test file that names the API passed; "
        "`compared (not run)` = such files exist but the report was generated without `--run`; "
        "`documented difference` = see the notes at the end; `no Keras comparison found` = no "
        "conformance test names it (it may still be tested without Keras).",
        "",
    ]
    if results is not None:
        passed = sum(p for p, _ in results.values())
        failed = sum(f for _, f in results.values())
        lines += [f"Conformance tests run: {passed} passed, {failed} failed.", ""]
    totals = {}
    for mod in MODULES:
        jmod, kmod = getattr(jnn, mod), getattr(keras, mod)
        shared = sorted(_public(jmod) & _public(kmod))
        keras_only = sorted(_public(kmod) - _public(jmod))
        lines += [
            f"## {mod}",
            "",
            "| API | status | checked against Keras in |",
            "| --- | --- | --- |",
        ]
        counts: dict[str, int] = {}
        files_of = {}
        for name in shared:
            pattern = re.compile(rf"\b{re.escape(name)}\b")
            files_of[name] = [f for f, text in oracle.items() if pattern.search(text)]
        canonical = {}  # aliases (AvgPool2D is AveragePooling2D) share their target's tests
        for name in sorted(shared, key=lambda n: -len(files_of[n])):
            canonical.setdefault(id(getattr(jmod, name)), name)
        for name in shared:
            files = files_of[name]
            target = canonical[id(getattr(jmod, name))]
            if not files and target != name:
                files = files_of[target]
            status = _status(name, files, results)
            if target != name:
                status += f" (alias of `{target}`)"
            key = status.split(":")[0].split(" (")[0]
            counts[key] = counts.get(key, 0) + 1
            shown = ", ".join(f"`{Path(f).name}`" for f in files[:4]) + (
                " ..." if len(files) > 4 else ""
            )
            lines.append(f"| `{name}` | {status} | {shown} |")
        by_string = [n for n in keras_only if _resolves(jmod, n)]
        missing = [n for n in keras_only if n not in by_string]
        lines.append("")
        if by_string:
            lines += ["Keras names jnn resolves only as string identifiers: "
                      + ", ".join(f"`{n}`" for n in by_string) + ".", ""]  # fmt: skip
        if missing:
            lines += ["Not in jnn yet: " + ", ".join(f"`{n}`" for n in missing) + ".", ""]
        totals[mod] = (len(shared), counts)
    ops_lines, ops_total = ops_section()
    lines += ops_lines
    lines += ["## Summary", "", "| module | shared APIs | statuses |", "| --- | --- | --- |"]
    for mod, (n, counts) in totals.items():
        lines.append(
            f"| {mod} | {n} | " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + " |"
        )
    lines.append(ops_total)
    lines += ["", "## Documented differences", ""]
    lines += [f"- `{name}`: {why}" for name, why in DIFFERENCES.items()]
    lines += ["", "## Not compared with Keras, on purpose", ""]
    lines += [f"- `{name}`: {why}" for name, why in NOT_COMPARABLE.items()]
    return "\n".join(lines) + "\n"


def ops_section() -> tuple[list[str], str]:
    """The ``ops`` table: every ``keras.ops`` name, run through ``tests/ops/cases*.py``.

    Returns the section's lines and its row of the summary table.
    """
    from tests.ops.cases import CASES
    from tests.ops.conformance import status_by_name

    status = status_by_name()
    counts: dict[str, int] = {}
    for st, _ in status.values():
        counts[st] = counts.get(st, 0) + 1
    n = len(status)
    present = n - counts.get("missing", 0)
    equal = counts.get("equal", 0)
    lines = [
        "## ops",
        "",
        f"Every public `keras.ops` name ({n}: the top level and `keras.ops.image`), run through "
        f"the {len(CASES)} cases of `tests/ops/cases_*.py` (outputs and dtypes compared with "
        "Keras 3 on the same NumPy inputs; all cases of a family in one `jax.jit`, the rest "
        "eagerly). Status: `equal` = every case of the name agrees with Keras; `differs` = "
        "a case disagrees or the difference is documented (the reason follows); "
        "`not compared` = no case, the reason follows; `missing` = not in `jnn.ops`.",
        "",
        f"Totals: present {present}/{n} ({100 * present / n:.1f}%), compared equal "
        f"{equal}/{n} ({100 * equal / n:.1f}%), differs {counts.get('differs', 0)}, "
        f"not compared {counts.get('not compared', 0)}.",
        "",
        "| name | status | detail |",
        "| --- | --- | --- |",
    ]
    from tests.ops.conformance import keras_names

    modules = keras_names()
    for name in sorted(status, key=lambda k: (modules[k] or "", k)):
        st, detail = status[name]
        shown = f"image.{name}" if modules[name] == "image" else name
        lines.append(f"| `{shown}` | {st} | {detail.replace('|', '/')} |")
    lines.append("")
    total = (f"| ops | {n} | present: {present}, equal: {equal}, differs: "
             f"{counts.get('differs', 0)}, not compared: {counts.get('not compared', 0)} |")  # fmt: skip
    return lines, total


def update_ops_only(text: str) -> str:
    """``text`` (an existing REPORT.md) with its ops section and summary row regenerated."""
    ops_lines, ops_total = ops_section()
    lines = text.rstrip("\n").split("\n")
    if "## ops" in lines:  # drop the old section (up to the next heading)
        start = lines.index("## ops")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
        del lines[start:end]
    lines = [line for line in lines if not line.startswith("| ops |")]
    at = lines.index("## Summary")
    lines[at:at] = ops_lines
    row = at + len(ops_lines) + 4  # heading, blank, header, rule
    while row < len(lines) and lines[row].startswith("| "):
        row += 1
    lines.insert(row, ops_total)
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    if "--ops-only" in argv:  # the ops table only; the other sections as last generated
        REPORT.write_text(update_ops_only(REPORT.read_text()))
    else:
        REPORT.write_text(build_report(run="--run" in argv))
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    main(sys.argv[1:])
