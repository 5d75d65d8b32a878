"""Shared loader for the small data sets shipped inside the package (no download)."""

from __future__ import annotations

import functools
import numbers
from importlib import resources

import numpy as np

_DATA_PACKAGE = "jnn.datasets"


@functools.cache
def load_arrays(name: str) -> dict[str, np.ndarray]:
    """Reads ``data/<name>.npz`` from the installed package; arrays are read-only.

    Example:
        >>> load_arrays("iris")["x"].shape
        (150, 4)
    """
    ref = resources.files(_DATA_PACKAGE).joinpath("data", f"{name}.npz")
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for array in arrays.values():
        array.setflags(write=False)
    return arrays


def check_arguments(dataset: str, test_split: float, seed: int) -> None:
    """Raises a clear ``ValueError`` for a bad ``test_split`` or ``seed``."""
    if (
        isinstance(test_split, bool)
        or not isinstance(test_split, numbers.Real)
        or not 0 <= test_split < 1
    ):
        raise ValueError(
            f"{dataset}.load_data: argument `test_split` must be a float in [0, 1) "
            f"(the fraction of samples kept for testing), received {test_split!r}."
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(
            f"{dataset}.load_data: argument `seed` must be an int in [0, 2**32), received {seed!r}."
        )


def shuffle_split(
    x: np.ndarray, y: np.ndarray, test_split: float, seed: int, stratify: bool = False
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffles ``(x, y)`` with ``seed`` and keeps ``int(n * (1 - test_split))`` for training.

    Without ``stratify`` this is the rule of ``keras.datasets.boston_housing.load_data``:
    a ``RandomState(seed)`` permutation whose first samples go to training. With
    ``stratify`` (integer labels ``y``), each class gives training samples in proportion
    to its size (largest remainders settle the rounding), the first ones of the same
    permutation; both parts keep the shuffled order.

    Example:
        >>> (xa, ya), (xb, yb) = shuffle_split(np.arange(10), np.arange(10) % 2, 0.2, 113, True)
        >>> len(xa), np.bincount(yb).tolist()
        (8, [1, 1])
    """
    order = np.random.RandomState(seed).permutation(len(x))
    n_train = int(len(x) * (1 - test_split))
    if stratify:
        is_train = _stratified_mask(y[order], n_train)
        train, test = order[is_train], order[~is_train]
    else:
        train, test = order[:n_train], order[n_train:]
    return (x[train], y[train]), (x[test], y[test])


def _stratified_mask(labels: np.ndarray, n_train: int) -> np.ndarray:
    counts = np.bincount(labels)
    exact = counts * (n_train / len(labels))
    quota = np.floor(exact).astype(np.int64)
    by_remainder = np.argsort(quota - exact, kind="stable")
    quota[by_remainder[: n_train - quota.sum()]] += 1
    # Rank of each sample among the earlier samples of its class.
    rank = np.empty(len(labels), dtype=np.int64)
    for label in np.flatnonzero(counts):
        members = labels == label
        rank[members] = np.arange(counts[label])
    return rank < quota[labels]
