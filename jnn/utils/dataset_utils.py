"""``split_dataset``: split arrays (or tuples / dicts of arrays) in two, as Keras does."""

from __future__ import annotations

import numbers
from typing import Any

import jax
import numpy as np

__all__ = ["split_dataset"]


def _size(value: Any, name: str, n: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"split_dataset: `{name}` must be an int (a count) or a float in (0, 1) (a "
            f"fraction), received {type(value).__name__} {value!r}."
        )
    if isinstance(value, numbers.Integral):
        if not 0 <= value <= n:
            raise ValueError(
                f"split_dataset: `{name}` must be in [0, {n}] (the dataset has {n} samples), "
                f"received {value}."
            )
        return float(value)
    if not 0 < value < 1:
        raise ValueError(
            f"split_dataset: a float `{name}` must be a fraction in (0, 1), received {value}."
        )
    return float(round(value * n))


def split_dataset(
    dataset: Any,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> tuple[Any, Any]:
    """Splits a dataset of arrays into a left and a right part (``train_test_split``-style).

    ``dataset`` is an array, or a tuple / list / dict of arrays sharing their first
    dimension (e.g. ``(x, y)``); both parts keep that structure. Sizes are counts (int) or
    fractions (float, rounded as Keras does); one of them may be omitted (the rest of the
    data); with neither, the split is half / half.

    Args:
        dataset: Array or structure of arrays.
        left_size: Size of the left part.
        right_size: Size of the right part.
        shuffle: Shuffle the samples before splitting.
        seed: Seed of the shuffle.

    Returns:
        ``(left, right)``.

    Example:
        >>> import numpy as np
        >>> x, y = np.arange(10), np.arange(10) * 2
        >>> (xl, yl), (xr, yr) = split_dataset((x, y), left_size=0.8)
        >>> xl.shape, yr.tolist()
        ((8,), [16, 18])
    """
    arrays = jax.tree.map(np.asarray, dataset)
    sizes = {a.shape[0] if a.ndim else None for a in jax.tree.leaves(arrays)}
    if len(sizes) != 1 or None in sizes:
        raise ValueError(
            "split_dataset: all arrays of `dataset` must have the same number of samples "
            f"(first dimension); received sizes {sorted(map(str, sizes))}."
        )
    n = sizes.pop()
    if n == 0:
        raise ValueError("split_dataset: `dataset` is empty (0 samples).")
    left, right = _size(left_size, "left_size", n), _size(right_size, "right_size", n)
    if left is None and right is None:
        left = float(round(0.5 * n))
    if left is None:
        left = n - right
    elif right is None:
        right = n - left
    if left + right > n:
        raise ValueError(
            "split_dataset: `left_size` + `right_size` must not exceed the number of samples "
            f"({n}); received {int(left)} + {int(right)}."
        )
    if left == 0 or right == 0:
        side = "left" if left == 0 else "right"
        raise ValueError(
            f"split_dataset: the {side} part would be empty with left_size={left_size}, "
            f"right_size={right_size} and {n} samples."
        )
    order = np.arange(n)
    if shuffle:
        order = np.random.RandomState(seed).permutation(n)
    lo, hi = order[: int(left)], order[int(left) : int(left) + int(right)]
    return jax.tree.map(lambda a: a[lo], arrays), jax.tree.map(lambda a: a[hi], arrays)
