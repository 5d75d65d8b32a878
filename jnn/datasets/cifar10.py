"""CIFAR-10 (60,000 32x32 colour images in 10 classes), downloaded once and cached."""

from __future__ import annotations

import os

import numpy as np

from jnn.datasets import _cifar, _remote

__all__ = ["class_names", "load_data"]

class_names: tuple[str, ...] = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


def load_data(*, base_url: str | None = None):
    """Loads CIFAR-10: 50,000 training and 10,000 test images.

    Args:
        base_url: Mirror to download from (jnn extension; see ``jnn.datasets.mnist``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 ``(n, 32, 32, 3)`` (channels
        last; ``(n, 3, 32, 32)`` with channels-first image format), ``y`` uint8 ``(n, 1)``.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    path = _remote.fetch(
        "cifar-10-batches-py-target",
        "cifar-10-python.tar.gz",
        base_url=base_url,
        default_base=_remote.TORONTO,
        extract=True,
    )
    path = os.path.join(path, "cifar-10-batches-py")
    parts = [_cifar.load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([np.asarray(p[1]) for p in parts])
    x_test, y_test = _cifar.load_batch(os.path.join(path, "test_batch"))
    return _cifar.finish(x_train, y_train, x_test, y_test)
