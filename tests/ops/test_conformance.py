"""``jnn.ops`` against ``keras.ops`` (Keras 3, JAX backend): every name, and the case table."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.cases import CASES, DIFFERS, NOT_COMPARED, Case
from tests.ops.conformance import compare_outputs, keras_names, run_case, run_cases

pytestmark = pytest.mark.conformance
keras = pytest.importorskip("keras")

import jnn  # noqa: E402

FAMILIES = ("numpy", "nn", "math", "linalg", "image", "core")


def _family_of(case: Case) -> str:
    if case.module:
        return case.module
    for family in FAMILIES:
        if case.name in getattr(jnn.ops, family).__all__:
            return family
    return "?"


def test_every_keras_ops_name_is_in_jnn_ops():
    names = keras_names()
    assert len(names) > 300
    missing = [f"{m + '.' if m else ''}{n}" for n, m in names.items()
               if not hasattr(getattr(jnn.ops, m) if m else jnn.ops, n)]  # fmt: skip
    assert not missing, f"keras.ops names missing from jnn.ops: {missing}"


@pytest.mark.parametrize("family", ["numpy", "nn", "linalg", "image"])
def test_public_submodules_mirror_keras(family):
    theirs = {n for n in dir(getattr(keras.ops, family)) if not n.startswith("_")}
    ours = set(getattr(jnn.ops, family).__all__)
    assert theirs <= ours, f"jnn.ops.{family} lacks {sorted(theirs - ours)}"


@pytest.mark.parametrize("family", ["math", "core"])
def test_private_keras_families_are_jnn_submodules(family):
    """keras.src.ops.math / core names live at keras.ops's top level and in jnn.ops.<family>."""
    theirs = {n for n in dir(keras.ops) if not n.startswith("_")
              and getattr(getattr(keras.ops, n), "__module__", "") == f"keras.src.ops.{family}"}
    assert theirs, family
    ours = set(getattr(jnn.ops, family).__all__)
    assert theirs <= ours, f"jnn.ops.{family} lacks {sorted(theirs - ours)}"


def test_top_level_is_keras_top_level():
    theirs = {n for n in dir(keras.ops) if not n.startswith("_")}
    ours = {n for n in dir(jnn.ops) if not n.startswith("_")}
    assert theirs - {"image", "linalg", "nn", "numpy"} <= ours
    # keras.ops.image's names are not top-level names in Keras; nor in jnn.
    assert "resize" not in ours and "rgb_to_grayscale" not in ours


@pytest.mark.parametrize("family", FAMILIES + ("?",))
def test_case_table_agrees_with_keras(family):
    """One jit per family holds all its cases in both libraries (see run_cases)."""
    cases = [c for c in CASES if _family_of(c) == family]
    if family == "?":
        assert not cases, [c.id for c in cases]
        return
    assert cases, family
    failures = [f"{c.id}{_show(c)}: {r}" for c, r in zip(cases, run_cases(cases))
                if r is not None and c.name not in DIFFERS]  # fmt: skip
    assert not failures, f"{len(failures)} cases differ from Keras:\n" + "\n".join(failures)


def test_every_name_is_compared_or_explained():
    names = keras_names()
    with_cases = {c.name for c in CASES}
    unexplained = [n for n in names if n not in with_cases and n not in NOT_COMPARED
                   and n not in DIFFERS]  # fmt: skip
    assert not unexplained, f"no conformance case and no reason for: {unexplained}"
    compared = [n for n in names if n in with_cases and n not in DIFFERS]
    assert len(compared) >= 0.95 * len(names), (len(compared), len(names))


def _show(case: Case) -> str:
    def one(a):
        if isinstance(a, np.ndarray):
            return f"{a.dtype}{list(a.shape)}"
        return repr(a)[:40]

    args = ", ".join(one(a) for a in case.args)
    kwargs = ", ".join(f"{k}={one(v)}" for k, v in case.kwargs.items())
    return f"({args}{', ' if args and kwargs else ''}{kwargs})"


def test_comparison_can_fail():
    a = np.ones(3, "float32")
    assert compare_outputs(a, a.copy(), 1e-5, 1e-6) is None
    assert "dtype" in compare_outputs(a, a.astype("float16"), 1e-5, 1e-6)
    assert "shape" in compare_outputs(a, np.ones(4, "float32"), 1e-5, 1e-6)
    assert "values" in compare_outputs(a, a + 1e-3, 1e-5, 1e-6)
    assert "structure" in compare_outputs([a, a], [a], 1e-5, 1e-6)
    # A case whose jnn result differs from Keras's is caught (jnn.ops.add vs Keras subtract).
    assert run_case(Case("add", (a, a))) is None
    assert run_case(Case("bitwise_and", (a, a))) is None  # both refuse floats


def test_comparison_handles_bfloat16_nans():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    a = np.array([np.nan, 1.0], "float32").astype(ml_dtypes.bfloat16)
    assert compare_outputs(a, a.copy(), 1e-5, 1e-6) is None
    assert "values" in compare_outputs(a, a * 2, 1e-5, 1e-6)


def test_families_do_not_overlap():
    seen: dict[str, str] = {}
    for family in FAMILIES:
        for name in getattr(jnn.ops, family).__all__:
            assert name not in seen, f"{name} is in jnn.ops.{seen[name]} and jnn.ops.{family}"
            seen[name] = family
