"""The diabetes regression data (442 patients, 10 baseline variables), shipped with jnn."""

from __future__ import annotations

import numpy as np

from jnn.datasets import _bundled

__all__ = ["feature_names", "load_data"]

feature_names: tuple[str, ...] = (
    "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
)  # fmt: skip


def load_data(
    test_split: float = 0.2, seed: int = 113, scaled: bool = False
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the diabetes data set (Efron et al., 2004), split into train and test.

    Ten baseline variables (age, sex, body mass index, mean blood pressure and six blood
    serum measurements, see ``feature_names``) and, as target, a quantitative measure of
    disease progression one year later (values 25 to 346). The samples are shuffled with
    ``seed`` and the last ``test_split`` fraction is kept for testing. Works offline.

    Args:
        test_split: Fraction of the data to reserve as test set, in ``[0, 1)``.
        seed: Random seed for shuffling the data before computing the test split.
        scaled: ``False`` (default) gives the raw measurements, like Keras's
            ``boston_housing``; ``True`` gives scikit-learn's default version: each
            feature centred and divided by its standard deviation times ``sqrt(442)``
            (statistics of all 442 samples, computed before the split).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` float32 of shape
        ``(num_samples, 10)``, ``y`` float32 of shape ``(num_samples,)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> x_train.shape, y_test.shape
        ((353, 10), (89,))
    """
    _bundled.check_arguments("diabetes", test_split, seed)
    if not isinstance(scaled, (bool, np.bool_)):
        raise ValueError(
            f"diabetes.load_data: argument `scaled` must be a bool, received {scaled!r}."
        )
    arrays = _bundled.load_arrays("diabetes")
    x = arrays["x"]
    if scaled:
        x = (x - x.mean(axis=0)) / (x.std(axis=0) * np.sqrt(len(x)))
    x = x.astype("float32")
    y = arrays["y"].astype("float32")
    return _bundled.shuffle_split(x, y, test_split, seed)
