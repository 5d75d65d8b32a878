"""Fashion-MNIST (70,000 28x28 grayscale images of 10 kinds of clothing), downloaded once."""

from __future__ import annotations

import gzip
import os

import numpy as np

from jnn.datasets import _remote

__all__ = ["class_names", "load_data"]

class_names: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def _read(path: str, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data(*, base_url: str | None = None):
    """Loads Fashion-MNIST: 60,000 training and 10,000 test images, labels 0-9.

    The four IDX files are cached under ``$JNN_HOME/datasets/fashion-mnist``. Keras
    publishes no hashes for them, so none are checked (as in Keras).

    Args:
        base_url: Mirror to download from (jnn extension; see ``jnn.datasets.mnist``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 ``(n, 28, 28)``, ``y`` uint8
        ``(n,)``; ``class_names[y]`` names the label.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> class_names[y_train[0]]  # doctest: +SKIP
        'Ankle boot'
    """
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [_remote.fetch(name, name, base_url=base_url, cache_subdir=subdir) for name in _FILES]
    y_train, y_test = _read(paths[0], 8), _read(paths[2], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
