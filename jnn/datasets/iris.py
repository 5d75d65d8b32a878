"""Fisher's iris data set (150 flowers, 4 measurements, 3 species), shipped with jnn."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _bundled

__all__ = ["class_names", "feature_names", "load_data"]

class_names: tuple[str, ...] = ("setosa", "versicolor", "virginica")
feature_names: tuple[str, ...] = (
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
)


def load_data(
    test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the iris data set, split into training and test samples.

    The 150 samples (50 per species) are shuffled with ``seed``; ``test_split`` of each
    species is kept for testing (a stratified split: 10 per species by default), and
    ``int(150 * (1 - test_split))`` samples for training, as Keras counts. The values are
    Fisher's (1936), as in R and scikit-learn. Works offline: the data ships inside the
    package.

    Args:
        test_split: Fraction of the data to reserve as test set, in ``[0, 1)``.
        seed: Random seed for shuffling the data before computing the test split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` float32 of shape
        ``(num_samples, 4)`` (centimetres, in the order of ``feature_names``), ``y`` int64
        of shape ``(num_samples,)`` with values 0, 1, 2 (indices into ``class_names``).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> x_train.shape, x_test.shape
        ((120, 4), (30, 4))
    """
    _bundled.check_arguments("iris", test_split, seed)
    arrays = _bundled.load_arrays("iris")
    x = arrays["x"].astype("float32")
    y = arrays["y"].astype("int64")
    return _bundled.shuffle_split(x, y, test_split, seed, stratify=True)
