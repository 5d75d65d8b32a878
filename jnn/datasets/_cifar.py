"""CIFAR batch files: pickled dicts of uint8 images, read with a numpy-only unpickler."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _remote


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """Images ``(n, 3, 32, 32)`` uint8 and labels of one CIFAR batch file."""
    with open(fpath, "rb") as f:
        d = _remote.RestrictedUnpickler(f, encoding="bytes").load()
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = np.asarray(d["data"], np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def finish(x_train, y_train, x_test, y_test):
    y_train = np.reshape(np.asarray(y_train, np.uint8), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test, np.uint8), (len(y_test), 1))
    if _remote.channels_last():
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
