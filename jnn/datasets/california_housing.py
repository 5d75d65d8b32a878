"""California housing prices (20,640 districts, 8 features), downloaded once and cached."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _remote

__all__ = ["load_data"]


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
    *,
    base_url: str | None = None,
):
    """Loads the California housing regression set (median house values in dollars).

    Args:
        version: 'large' (all 20,640 samples) or 'small' (the first 600).
        path: File name of the cached copy.
        test_split: Fraction of the samples kept for testing, in ``[0, 1)``.
        seed: Seed of the shuffle before the split (``np.random.RandomState``, as Keras).
        base_url: Mirror to download from (jnn extension).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` ``(n, 8)``, ``y`` ``(n,)`` (floats as
        stored in Keras's file).

    Example:
        >>> (x_train, y_train), _ = load_data(version="small")  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (480, 8)
    """
    _remote.check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version}"
        )
    file = _remote.fetch(path, "california_housing.npz", base_url=base_url)
    with np.load(file, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return _remote.seeded_split(x, y, test_split, seed)
