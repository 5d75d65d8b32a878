"""MNIST handwritten digits (70,000 28x28 grayscale images), downloaded once and cached."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _remote

__all__ = ["load_data"]


def load_data(path: str = "mnist.npz", *, base_url: str | None = None):
    """Loads MNIST: 60,000 training and 10,000 test images of the digits 0-9.

    Args:
        path: File name of the cached copy (under ``$JNN_HOME/datasets``).
        base_url: Mirror to download from (default: ``$JNN_DATASETS_BASE_URL``, else Keras's
            storage bucket). jnn extension.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 of shape ``(n, 28, 28)``
        (values 0-255), ``y`` uint8 of shape ``(n,)`` (values 0-9).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_test.shape  # doctest: +SKIP
        ((60000, 28, 28), (10000,))
    """
    file = _remote.fetch(path, "mnist.npz", base_url=base_url)
    with np.load(file, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
