"""Host arrays: what users pass as data, converted and checked (numpy, jax, lists, pandas).

The leaf helpers every data path shares: :func:`to_numpy` (one array, with errors that name the
argument), :func:`map_arrays` (over lists, tuples and dicts), :func:`check_finite`. Both
:mod:`jnn._shell.training.data` (in-memory arrays) and :mod:`jnn._shell.training.feeding`
(batches from iterators) call them; this module imports neither.

Example:
    >>> from jnn._shell.training import arrays
    >>> arrays.to_numpy([[1, 2], [3, 4]], "Input data `x`").shape
    (2, 2)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from jnn._shell.runtime import config


def _is_pandas(x: Any) -> bool:
    return type(x).__module__.startswith("pandas") and hasattr(x, "to_numpy")


def to_numpy(x: Any, what: str) -> np.ndarray:
    """One array-like to numpy, with clear errors for data that is not numeric."""
    if _is_pandas(x):
        x = x.to_numpy()
    elif isinstance(x, jax.Array):
        # Already on a device and immutable: fit / evaluate / predict use it in place, so
        # repeated calls on the same jax arrays move no data.
        if x.ndim == 0:
            raise ValueError(f"{what} must have a batch dimension; received a scalar.")
        if x.dtype == jax.numpy.bool_:
            return x.astype(jax.numpy.float32)
        return x
    try:
        arr = np.asarray(x)
    except ValueError:
        if not isinstance(x, (list, tuple)):
            raise
        raise ValueError(_ragged_message(x, what)) from None
    if arr.dtype == object or arr.dtype.kind in "USO":
        raise ValueError(
            f"{what} must be numeric, but it has dtype {arr.dtype} (first values: "
            f"{arr.ravel()[:3].tolist()}). Convert strings/objects to numbers first (e.g. with "
            "a lookup table or pandas .astype)."
        )
    if arr.dtype.kind == "b" or arr.dtype == np.float64:
        _warn_converting_a_file(arr, what)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype == np.int64 and arr.size and np.abs(arr).max() < 2**31:
        arr = arr.astype(np.int32)
    elif arr.dtype == np.bool_:
        arr = arr.astype(np.float32)
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch dimension; received a scalar.")
    return arr


def _warn_converting_a_file(arr: np.ndarray, what: str) -> None:
    """Warns before a memory-mapped array larger than the device budget is converted (copied
    whole into memory): stored as float32 it would stream from its file instead."""
    base = arr
    while base is not None and not isinstance(base, np.memmap):
        base = getattr(base, "base", None)
    if base is None or arr.size * 4 <= config.device_memory_budget():
        return
    warnings.warn(
        f"{what} is a memory-mapped {arr.dtype} array of {arr.nbytes / 2**30:.2f} GiB: jnn "
        f"trains on float32, so it is converted in memory ({arr.size * 4 / 2**30:.2f} GiB). "
        "Store it as float32 (e.g. np.save(path, x.astype('float32'))) and it streams from "
        "its file chunk by chunk instead.",
        UserWarning,
        stacklevel=5,
    )


def _length(e: Any) -> int | None:
    if isinstance(e, (str, bytes)) or not hasattr(e, "__len__"):
        return None
    try:
        return len(e)
    except TypeError:  # a 0-d numpy array
        return None


def _ragged_message(x: list | tuple, what: str) -> str:
    """Names the first nesting level whose rows differ in length (numpy's error does not)."""
    level, depth = list(x), 0
    while level:
        lengths = [_length(e) for e in level]
        if len(set(lengths)) > 1 or None in lengths:
            break
        level, depth = [v for e in level for v in e], depth + 1
    shown = ", ".join("scalar" if n is None else str(n) for n in lengths[:10])
    more = ", ..." if len(lengths) > 10 else ""
    where = "rows" if depth == 0 else f"rows at nesting depth {depth + 1}"
    return (
        f"{what} is a ragged list: {where} have lengths [{shown}{more}]; pad them "
        "(jnn.utils.pad_sequences) or pass a numpy array."
    )


def map_arrays(x: Any, fn: Any) -> Any:
    """Applies ``fn`` to every leaf array of a structure of lists / tuples / dicts."""
    if x is None:
        return None
    if isinstance(x, Mapping) and not _is_pandas(x):
        return {k: map_arrays(v, fn) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and any(
        hasattr(e, "shape") or _is_pandas(e) or isinstance(e, (list, tuple, Mapping))
        for e in x
    ) and not _is_list_of_rows(x):
        return type(x)(map_arrays(v, fn) for v in x) if isinstance(x, tuple) else [
            map_arrays(v, fn) for v in x
        ]
    return fn(x)


def _is_list_of_rows(x: Any) -> bool:
    # [[5.3, 3.4, 1.9, 0.6], [...]] is ONE array (003 predicts on a list of lists).
    return all(
        isinstance(e, (list, tuple)) and all(isinstance(v, (int, float, np.number)) for v in e)
        for e in x
    )


def leaves(x: Any) -> list[np.ndarray]:
    return jax.tree.leaves(x)


def check_finite(x: Any, what: str) -> None:
    for i, arr in enumerate(leaves(x)):
        # A sum is finite when every element is (up to overflow, which the exact check below
        # then rules out): one pass without a boolean temporary the size of the data.
        if arr.dtype.kind != "f" or np.isfinite(np.sum(arr, dtype=np.float64)):
            continue
        if not np.all(np.isfinite(arr)):
            bad = np.argwhere(~np.isfinite(arr))[0]
            where = f" (input {i})" if len(leaves(x)) > 1 else ""
            raise ValueError(
                f"{what}{where} contains NaN or infinite values, first at index "
                f"{tuple(int(b) for b in bad)}: {arr[tuple(bad)]}. Clean or impute the data "
                "before training; a NaN input makes every loss NaN."
            )
