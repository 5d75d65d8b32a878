"""Boston housing prices (506 samples, 13 features), downloaded once and cached."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _remote

__all__ = ["load_data"]


def load_data(
    path: str = "boston_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
    *,
    base_url: str | None = None,
):
    """Loads the Boston housing regression set (targets in thousands of dollars).

    Args:
        path: File name of the cached copy.
        test_split: Fraction of the samples kept for testing, in ``[0, 1)``.
        seed: Seed of the shuffle before the split (``np.random.RandomState``, as Keras).
        base_url: Mirror to download from (jnn extension).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` ``(n, 13)``, ``y`` ``(n,)`` (floats as
        stored in Keras's file).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (404, 13)
    """
    _remote.check_test_split(test_split)
    file = _remote.fetch(path, "boston_housing.npz", base_url=base_url)
    with np.load(file, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return _remote.seeded_split(x, y, test_split, seed)
