"""CIFAR-100 (60,000 32x32 colour images, 100 fine / 20 coarse classes), downloaded once."""

from __future__ import annotations

import os

from jnn.datasets import _cifar, _remote

__all__ = ["load_data"]


def load_data(label_mode: str = "fine", *, base_url: str | None = None):
    """Loads CIFAR-100: 50,000 training and 10,000 test images.

    Args:
        label_mode: 'fine' (100 classes) or 'coarse' (20 super-classes).
        base_url: Mirror to download from (jnn extension; see ``jnn.datasets.mnist``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 ``(n, 32, 32, 3)``, ``y`` uint8
        ``(n, 1)``.

    Example:
        >>> (x_train, y_train), _ = load_data("coarse")  # doctest: +SKIP
        >>> int(y_train.max())  # doctest: +SKIP
        19
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.'
        )
    path = _remote.fetch(
        "cifar-100-python-target",
        "cifar-100-python.tar.gz",
        base_url=base_url,
        default_base=_remote.TORONTO,
        extract=True,
    )
    path = os.path.join(path, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = _cifar.load_batch(os.path.join(path, "train"), label_key=key)
    x_test, y_test = _cifar.load_batch(os.path.join(path, "test"), label_key=key)
    return _cifar.finish(x_train, y_train, x_test, y_test)
