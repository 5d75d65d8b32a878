"""The UCI 8x8 handwritten digits (1,797 images, 10 classes), shipped with jnn."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _bundled

__all__ = ["class_names", "load_data"]

class_names: tuple[str, ...] = tuple(str(digit) for digit in range(10))


def load_data(
    test_split: float = 0.2, seed: int = 113, flatten: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the 8x8 digits data set, split into training and test samples.

    Each image counts the "on" pixels of 4x4 blocks of a 32x32 bitmap, so pixel values
    are integers 0..16 (stored as float32; divide by 16 to scale to [0, 1]). The samples
    are shuffled with ``seed`` and ``test_split`` of each class is kept for testing (a
    stratified split; ``int(1797 * (1 - test_split))`` samples for training, as Keras
    counts). Works offline: the data ships inside the package.

    Args:
        test_split: Fraction of the data to reserve as test set, in ``[0, 1)``.
        seed: Random seed for shuffling the data before computing the test split.
        flatten: ``True`` gives images as rows of 64 values, ``False`` as 8x8 arrays.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` float32 of shape
        ``(num_samples, 64)`` (or ``(num_samples, 8, 8)``), ``y`` int64 digit labels 0..9
        of shape ``(num_samples,)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(flatten=False)
        >>> x_train.shape, x_test.shape
        ((1437, 8, 8), (360, 8, 8))
    """
    _bundled.check_arguments("digits", test_split, seed)
    if not isinstance(flatten, (bool, np.bool_)):
        raise ValueError(
            f"digits.load_data: argument `flatten` must be a bool, received {flatten!r}."
        )
    arrays = _bundled.load_arrays("digits")
    x = arrays["x"].astype("float32")
    if not flatten:
        x = x.reshape(-1, 8, 8)
    y = arrays["y"].astype("int64")
    return _bundled.shuffle_split(x, y, test_split, seed, stratify=True)
