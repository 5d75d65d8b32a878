"""Runs the ``jnn.ops`` case table against Keras 3: shared by the tests and the report.

``keras_names()`` lists every public ``keras.ops`` name (with the submodule for names that
live only in one: ``image``); ``run_case(case)`` calls the op in both libraries on the same
inputs and returns ``None`` when they agree (structure, shapes, dtypes, values) or a short
reason when they do not; ``status_by_name()`` folds all cases into one status per name.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")

# keras.ops submodules mirrored by jnn.ops; math and core are private in Keras
# (keras.src.ops.math / core) but their names are all at the top level.
SUBMODULES = ("numpy", "nn", "linalg", "image")


def keras_names() -> dict[str, str | None]:
    """``{name: submodule or None}``: every public ``keras.ops`` name (top level, then image)."""
    import keras

    out: dict[str, str | None] = {}
    for name in dir(keras.ops):
        if not name.startswith("_") and name not in SUBMODULES:
            out[name] = None
    for name in dir(keras.ops.image):
        if not name.startswith("_") and name not in out:
            out[name] = "image"
    return out


def _resolve(lib: Any, case: Any) -> Any:
    module = getattr(lib.ops, case.module) if case.module else lib.ops
    return getattr(module, case.name)


def _leaves(tree: Any) -> list[Any]:
    import jax

    return jax.tree_util.tree_leaves(tree)


def _describe(x: Any) -> str:
    x = np.asarray(x)
    return f"{x.dtype}{list(x.shape)}"


def compare_outputs(ours: Any, theirs: Any, rtol: float, atol: float,
                    check_values: bool = True) -> str | None:  # fmt: skip
    """None when equal, else what differs first."""
    import jax

    if jax.tree_util.tree_structure(ours) != jax.tree_util.tree_structure(theirs):
        a, b = _leaves(ours), _leaves(theirs)
        if len(a) != len(b):
            return f"structure: {len(a)} outputs vs Keras's {len(b)}"
    for i, (x, y) in enumerate(zip(_leaves(ours), _leaves(theirs))):
        x, y = np.asarray(x), np.asarray(y)
        where = f"output {i}: " if len(_leaves(ours)) > 1 else ""
        if x.dtype != y.dtype:
            return f"{where}dtype {x.dtype} vs Keras's {y.dtype}"
        if x.shape != y.shape:
            return f"{where}shape {x.shape} vs Keras's {y.shape}"
        if not check_values:
            continue
        if x.dtype.kind in "fc" or "float" in x.dtype.name:  # bfloat16's kind is "V"
            wide = np.complex128 if x.dtype.kind == "c" else np.float64
            ok = np.allclose(x.astype(wide), y.astype(wide), rtol=rtol, atol=atol,
                             equal_nan=True)  # fmt: skip
        else:
            ok = np.array_equal(x, y)
        if not ok:
            return f"{where}values differ (max |diff| {_max_diff(x, y)})"
    return None


def _max_diff(x: np.ndarray, y: np.ndarray) -> str:
    try:
        d = np.abs(x.astype(np.float64) - y.astype(np.float64))
        return f"{np.nanmax(d):.3g}" if d.size else "0"
    except (TypeError, ValueError):
        return "?"


def _call(lib: Any, case: Any) -> Any:
    return _resolve(lib, case)(*case.args, **case.kwargs)


def run_case(case: Any) -> str | None:
    """``None`` if jnn and Keras agree on ``case``, else the reason (errors included)."""
    import jax
    import keras

    import jnn

    with jax.numpy_rank_promotion("allow"):
        try:
            expected = _resolve(keras, case)(*case.args, **case.kwargs)
        except Exception as exc:  # noqa: BLE001 - Keras refusing is an outcome to compare
            expected = exc
        try:
            got = _resolve(jnn, case)(*case.args, **case.kwargs)
        except Exception as exc:  # noqa: BLE001
            got = exc
    if isinstance(expected, Exception) or isinstance(got, Exception):
        if isinstance(expected, Exception) and isinstance(got, Exception):
            return None  # both refuse the input
        if isinstance(got, Exception):
            return f"jnn raised {type(got).__name__}: {str(got)[:160]}"
        return f"Keras raised {type(expected).__name__} but jnn returned {_describe(got)}"
    return compare_outputs(got, expected, case.rtol, case.atol, case.check_values)


def run_cases(cases: list[Any]) -> list[str | None]:
    """:func:`run_case` for many cases at once, cheaply.

    Every case runs inside one ``jax.jit`` that holds both libraries' calls (inputs are
    constants; XLA merges the many identical computations): one compilation instead of one
    per primitive and shape, as eager ops would compile (a minute for the table). Cases that
    do not trace in either library (value-dependent shapes, Python results, refused inputs)
    then run eagerly, one by one, through :func:`run_case`.
    """
    import jax
    import keras

    import jnn

    untraced: set[int] = set()

    def call_all(lib: Any) -> list[Any]:
        out = []
        for i, case in enumerate(cases):
            try:
                value = _call(lib, case)
                if not all(isinstance(v, jax.Array) for v in _leaves(value)):
                    raise TypeError("not arrays")
            except Exception:  # noqa: BLE001 - runs eagerly below
                untraced.add(i)
                value = None
            out.append(value)
        return out

    results: list[str | None] = [None] * len(cases)
    with jax.numpy_rank_promotion("allow"):
        ours, theirs = jax.jit(lambda: (call_all(jnn), call_all(keras)))()
    for i, case in enumerate(cases):
        if i in untraced:
            results[i] = run_case(case)
        else:
            results[i] = compare_outputs(ours[i], theirs[i], case.rtol, case.atol,
                                         case.check_values)  # fmt: skip
    return results


def status_by_name() -> dict[str, tuple[str, str]]:
    """``{name: (status, detail)}`` for every keras.ops name.

    status is ``missing`` (not in jnn), ``equal`` (all its cases agree), ``differs`` (a case
    disagrees, or a documented difference), or ``not compared`` (no case; the reason).
    """
    import jnn
    from tests.ops.cases import CASES, DIFFERS, NOT_COMPARED

    results: dict[str, list[str | None]] = {}
    for case, result in zip(CASES, run_cases(CASES)):
        results.setdefault(case.name, []).append(result)
    out: dict[str, tuple[str, str]] = {}
    for name, module in keras_names().items():
        where = getattr(jnn.ops, module) if module else jnn.ops
        if not hasattr(where, name):
            out[name] = ("missing", "not in jnn.ops")
        elif name in DIFFERS:
            out[name] = ("differs", DIFFERS[name])
        elif name in results:
            failures = [r for r in results[name] if r is not None]
            n = len(results[name])
            if failures:
                out[name] = ("differs", f"{len(failures)}/{n} cases: {failures[0]}")
            else:
                out[name] = ("equal", f"{n} case{'s' if n > 1 else ''}")
        else:
            out[name] = ("not compared", NOT_COMPARED.get(name, "no case yet"))
    return out
