"""Bundled data sets: shapes, dtypes, splits, and equality with scikit-learn's copies."""

import numpy as np
import pytest

from jnn.datasets import _bundled, diabetes, digits, iris

LOADERS = {"iris": iris, "digits": digits, "diabetes": diabetes}
# name -> (n_samples, feature shape, x dtype, y dtype, n_train at test_split=0.2)
EXPECTED = {
    "iris": (150, (4,), np.float32, np.int64, 120),
    "digits": (1797, (64,), np.float32, np.int64, 1437),
    "diabetes": (442, (10,), np.float32, np.float32, 353),
}


def _all(name, **kwargs):
    (x_train, y_train), (x_test, y_test) = LOADERS[name].load_data(**kwargs)
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_shapes_and_dtypes(name):
    n, feature_shape, x_dtype, y_dtype, n_train = EXPECTED[name]
    (x_train, y_train), (x_test, y_test) = LOADERS[name].load_data()
    assert x_train.shape == (n_train, *feature_shape)
    assert x_test.shape == (n - n_train, *feature_shape)
    assert y_train.shape == (n_train,) and y_test.shape == (n - n_train,)
    assert x_train.dtype == x_test.dtype == x_dtype
    assert y_train.dtype == y_test.dtype == y_dtype
    for array in (x_train, y_train, x_test, y_test):
        assert array.flags.writeable  # a copy, not the cached read-only data


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_split_is_deterministic_partition(name):
    first = LOADERS[name].load_data(seed=5)
    again = LOADERS[name].load_data(seed=5)
    other = LOADERS[name].load_data(seed=6)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(first[0][0], other[0][0])
    # Train and test together are a permutation of the whole data set.
    x_a, y_a = _all(name, seed=5)
    x_b, y_b = _all(name, seed=6)
    order_a = np.lexsort(np.column_stack([x_a.reshape(len(x_a), -1), y_a]).T)
    order_b = np.lexsort(np.column_stack([x_b.reshape(len(x_b), -1), y_b]).T)
    np.testing.assert_array_equal(x_a[order_a], x_b[order_b])
    np.testing.assert_array_equal(y_a[order_a], y_b[order_b])


def test_diabetes_split_follows_keras_boston_rule():
    x, y = _bundled.load_arrays("diabetes")["x"], _bundled.load_arrays("diabetes")["y"]
    (x_train, y_train), (x_test, y_test) = diabetes.load_data(test_split=0.25, seed=3)
    order = np.random.RandomState(3).permutation(442)
    cut = int(442 * 0.75)
    np.testing.assert_array_equal(y_train, y[order[:cut]].astype(np.float32))
    np.testing.assert_array_equal(x_test, x[order[cut:]].astype(np.float32))


@pytest.mark.parametrize(
    ("name", "test_split", "test_counts"),
    [
        ("iris", 0.2, [10, 10, 10]),
        ("iris", 0.5, [25, 25, 25]),
        ("digits", 0.2, [36, 36, 35, 37, 36, 37, 36, 36, 35, 36]),
    ],
)
def test_classification_splits_are_stratified(name, test_split, test_counts):
    (_, y_train), (_, y_test) = LOADERS[name].load_data(test_split=test_split)
    assert np.bincount(y_test).tolist() == test_counts
    totals = np.bincount(np.concatenate([y_train, y_test]))
    assert (np.bincount(y_train) + np.bincount(y_test) == totals).all()
    # Each class is split in the overall proportion, up to one sample of rounding.
    share = np.bincount(y_test) / totals
    assert np.all(np.abs(share - len(y_test) / (len(y_train) + len(y_test))) < 1 / totals)
    # Stratified does not mean sorted: the training labels come shuffled.
    assert not np.all(np.diff(y_train) >= 0)


def test_stratified_split_totals_match_keras_rule():
    labels = np.array([0] * 7 + [1] * 5 + [2] * 1)
    (_, y_train), (_, y_test) = _bundled.shuffle_split(np.arange(13), labels, 0.3, 0, stratify=True)
    assert len(y_train) == int(13 * 0.7) == 9
    # Quotas 7*9/13=4.85, 5*9/13=3.46, 1*9/13=0.69: floors 4, 3, 0, then largest remainders.
    assert np.bincount(y_train, minlength=3).tolist() == [5, 3, 1]


def test_zero_test_split_keeps_everything_for_training():
    (x_train, _), (x_test, y_test) = iris.load_data(test_split=0.0)
    assert x_train.shape == (150, 4)
    assert x_test.shape == (0, 4) and y_test.shape == (0,)


def test_digits_images_and_value_range():
    (x_flat, y_flat), _ = digits.load_data(flatten=True)
    (x_img, y_img), _ = digits.load_data(flatten=False)
    assert x_img.shape == (1437, 8, 8)
    np.testing.assert_array_equal(x_img.reshape(-1, 64), x_flat)
    np.testing.assert_array_equal(y_img, y_flat)
    assert x_flat.min() == 0 and x_flat.max() == 16
    np.testing.assert_array_equal(x_flat, np.round(x_flat))


def test_names():
    assert iris.class_names == ("setosa", "versicolor", "virginica")
    assert len(iris.feature_names) == 4
    assert digits.class_names == tuple("0123456789")
    assert diabetes.feature_names[:4] == ("age", "sex", "bmi", "bp")
    assert len(diabetes.feature_names) == 10


def test_diabetes_scaled_columns_are_centred_unit_sum_of_squares():
    x, _ = _all("diabetes", scaled=True)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-7)
    np.testing.assert_allclose((x.astype(np.float64) ** 2).sum(axis=0), 1, rtol=1e-5)


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, "0.2", None, True])
@pytest.mark.parametrize("name", sorted(LOADERS))
def test_invalid_test_split(name, bad):
    with pytest.raises(ValueError, match=rf"{name}\.load_data: argument `test_split`"):
        LOADERS[name].load_data(test_split=bad)


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "1", True])
def test_invalid_seed(bad):
    with pytest.raises(ValueError, match=r"iris\.load_data: argument `seed` must be an int"):
        iris.load_data(seed=bad)


def test_invalid_flags():
    with pytest.raises(ValueError, match=r"argument `flatten` must be a bool"):
        digits.load_data(flatten="no")
    with pytest.raises(ValueError, match=r"argument `scaled` must be a bool"):
        diabetes.load_data(scaled=1)


def test_loaded_from_package_resources():
    from importlib import resources

    data = resources.files("jnn.datasets").joinpath("data")
    names = {entry.name for entry in data.iterdir()}
    assert {"iris.npz", "digits.npz", "diabetes.npz", "README.md"} <= names
    assert _bundled.load_arrays("iris")["x"].flags.writeable is False


def test_no_sklearn_import_at_runtime():
    import subprocess
    import sys

    code = (
        "import sys, jnn.datasets as d; d.iris.load_data(); d.digits.load_data(); "
        "d.diabetes.load_data(); print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# The bundled arrays are scikit-learn's, value for value.
@pytest.fixture(scope="module")
def sk_datasets():
    return pytest.importorskip("sklearn.datasets")


def test_iris_matches_sklearn(sk_datasets):
    sk = sk_datasets.load_iris()
    arrays = _bundled.load_arrays("iris")
    np.testing.assert_array_equal(arrays["x"], sk.data)
    np.testing.assert_array_equal(arrays["y"], sk.target)
    x, y = _all("iris", test_split=0.0, seed=0)
    order = np.random.RandomState(0).permutation(150)
    np.testing.assert_array_equal(x, sk.data[order].astype(np.float32))
    np.testing.assert_array_equal(y, sk.target[order])
    assert iris.class_names == tuple(sk.target_names)
    assert iris.feature_names == tuple(sk.feature_names)


def test_digits_matches_sklearn(sk_datasets):
    sk = sk_datasets.load_digits()
    arrays = _bundled.load_arrays("digits")
    np.testing.assert_array_equal(arrays["x"], sk.data)
    np.testing.assert_array_equal(arrays["y"], sk.target)
    (x_img, _), _ = digits.load_data(test_split=0.0, flatten=False)
    order = np.random.RandomState(113).permutation(1797)
    np.testing.assert_array_equal(x_img, sk.images[order].astype(np.float32))


def test_diabetes_matches_sklearn(sk_datasets):
    raw_x, target = sk_datasets.load_diabetes(return_X_y=True, scaled=False)
    scaled_x = sk_datasets.load_diabetes().data
    arrays = _bundled.load_arrays("diabetes")
    np.testing.assert_array_equal(arrays["x"], raw_x)
    np.testing.assert_array_equal(arrays["y"], target)
    order = np.random.RandomState(113).permutation(442)
    x, y = _all("diabetes", test_split=0.0)
    np.testing.assert_array_equal(y, target[order].astype(np.float32))
    x_scaled, _ = _all("diabetes", test_split=0.0, scaled=True)
    np.testing.assert_allclose(x_scaled, scaled_x[order], rtol=1e-6, atol=1e-7)
    assert diabetes.feature_names == tuple(sk_datasets.load_diabetes(scaled=False).feature_names)
