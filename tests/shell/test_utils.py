"""jnn.utils: to_categorical, normalize, set_random_seed."""

import random

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import jnn
from jnn.utils import normalize, set_random_seed, to_categorical

# ----------------------------------------------------------------------------- to_categorical


def test_to_categorical_golden():
    out = to_categorical([0, 2, 1, 2])
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((6,), (6, 4)), ((6, 1), (6, 4)), ((2, 3), (2, 3, 4)), ((2, 3, 1), (2, 3, 4)), ((1,), (1, 4))],
)
def test_to_categorical_shapes(shape, expected):
    labels = np.arange(int(np.prod(shape))).reshape(shape) % 4
    assert to_categorical(labels, 4).shape == expected


def test_to_categorical_scalar_and_float_labels():
    np.testing.assert_array_equal(to_categorical(3, 5), [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(to_categorical(np.array([1.7, 0.2]), 3), [[0, 1, 0], [1, 0, 0]])


def test_to_categorical_empty_with_num_classes():
    assert to_categorical(np.zeros((0,), dtype=int), 3).shape == (0, 3)


def test_to_categorical_jax_input_stays_jax_and_jits():
    labels = jnp.array([[1], [2], [0]])
    out = to_categorical(labels)
    assert isinstance(out, jax.Array) and out.dtype == jnp.float32
    np.testing.assert_array_equal(out, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    jitted = jax.jit(lambda y: to_categorical(y, 4))(labels)
    assert jitted.shape == (3, 4)
    with pytest.raises(ValueError, match="pass `num_classes`"):
        jax.jit(to_categorical)(labels)


@pytest.mark.parametrize("bad", [0, -2, 2.5, True, "3"])
def test_to_categorical_bad_num_classes(bad):
    with pytest.raises(ValueError, match=r"to_categorical: argument `num_classes`"):
        to_categorical([0, 1], bad)


@pytest.mark.parametrize(("labels", "num_classes"), [([0, 3], 3), ([-1, 0], 3), ([-1, 0], None)])
def test_to_categorical_out_of_range(labels, num_classes):
    with pytest.raises(ValueError, match=r"labels must be in \[0, num_classes="):
        to_categorical(labels, num_classes)


def test_to_categorical_empty_needs_num_classes():
    with pytest.raises(ValueError, match="cannot infer `num_classes`"):
        to_categorical([])


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3), elements=st.integers(0, 6)))
def test_to_categorical_argmax_round_trip(labels):
    out = to_categorical(labels, 7)
    squeezed = labels.reshape(out.shape[:-1])
    np.testing.assert_array_equal(out.argmax(-1), squeezed)
    np.testing.assert_array_equal(out.sum(-1), 1)


# ----------------------------------------------------------------------------- normalize


def test_normalize_golden_numpy():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]])
    out = normalize(x)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]])
    np.testing.assert_allclose(normalize(x, order=1), [[3 / 7, 4 / 7], [0, 0], [-1, 0]])
    np.testing.assert_allclose(normalize(x, axis=0), x / np.array([[np.sqrt(10), 4.0]]))


def test_normalize_keeps_shape_and_float32():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    out = normalize(x, axis=1)
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1, rtol=1e-6)
    assert normalize(np.array([3.0, 4.0])).shape == (2,)


def test_normalize_jax_and_list_inputs():
    out = normalize([[3.0, 4.0], [0.0, 0.0]])
    assert isinstance(out, jax.Array) and out.dtype == jnp.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    out1 = normalize(jnp.array([[3, 4]]), order=1)
    np.testing.assert_allclose(out1, [[3 / 7, 4 / 7]], rtol=1e-6)
    jitted = jax.jit(normalize)(jnp.array([[3.0, 4.0]]))
    np.testing.assert_allclose(jitted, [[0.6, 0.8]], rtol=1e-6)


@pytest.mark.parametrize("bad", [0, 1.5, True])
def test_normalize_bad_order_for_arrays(bad):
    with pytest.raises(ValueError, match="Argument `order` must be an int >= 1"):
        normalize(jnp.ones((2, 2)), order=bad)


# ----------------------------------------------------------------------------- Keras conformance


@pytest.mark.conformance
@pytest.mark.parametrize("shape", [(5,), (5, 1), (2, 3), (2, 3, 1)])
@pytest.mark.parametrize("num_classes", [None, 6])
def test_to_categorical_matches_keras(keras_module, shape, num_classes):
    labels = (np.arange(int(np.prod(shape))) * 7 % 5).reshape(shape)
    expected = keras_module.utils.to_categorical(labels, num_classes)
    ours = to_categorical(labels, num_classes)
    assert ours.shape == expected.shape
    np.testing.assert_array_equal(ours, expected)  # Keras gives float64 here, we float32
    expected_jax = keras_module.utils.to_categorical(jnp.asarray(labels), 6)
    np.testing.assert_array_equal(to_categorical(jnp.asarray(labels), 6), expected_jax)


@pytest.mark.conformance
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_normalize_matches_keras_numpy(keras_module, dtype, order):
    x = np.array([[3, -4, 0], [0, 0, 0], [1, 2, 2], [5, 1, -7]], dtype=dtype)
    expected = keras_module.utils.normalize(x, order=order)
    ours = normalize(x, order=order)
    assert ours.dtype == expected.dtype
    np.testing.assert_array_equal(ours, expected)
    x3 = np.arange(24, dtype=dtype).reshape(2, 3, 4) - 5
    np.testing.assert_array_equal(
        normalize(x3, axis=1, order=order), keras_module.utils.normalize(x3, axis=1, order=order)
    )


@pytest.mark.conformance
@pytest.mark.parametrize("order", [1, 2])
def test_normalize_matches_keras_tensor_path(keras_module, order):
    x = [[3.0, -4.0, 0.0], [0.0, 0.0, 0.0], [1e-9, 0.0, 0.0]]
    expected = keras_module.utils.normalize(x, order=order)
    np.testing.assert_allclose(normalize(x, order=order), expected, rtol=1e-6)
    expected = keras_module.utils.normalize(jnp.asarray(x), axis=0, order=order)
    np.testing.assert_allclose(normalize(jnp.asarray(x), axis=0, order=order), expected, rtol=1e-6)


# ----------------------------------------------------------------------------- set_random_seed


def test_set_random_seed_seeds_python_numpy_and_jnn():
    from jnn._shell.runtime import rng

    set_random_seed(1234)
    first = (random.random(), np.random.rand(), jax.random.key_data(rng.next_key()))
    set_random_seed(1234)
    again = (random.random(), np.random.rand(), jax.random.key_data(rng.next_key()))
    assert first[0] == again[0] and first[1] == again[1]
    np.testing.assert_array_equal(first[2], again[2])
    assert rng.get_seed() == 1234
    set_random_seed(1235)
    assert random.random() != first[0]


@pytest.mark.parametrize("bad", [1.5, "1", None, True, -1, 2**32])
def test_set_random_seed_rejects_bad_seed_and_changes_nothing(bad):
    from jnn._shell.runtime import rng

    set_random_seed(7)
    with pytest.raises(ValueError, match="`seed`"):
        set_random_seed(bad)
    assert rng.get_seed() == 7


def test_public_namespace():
    assert jnn.utils.to_categorical is to_categorical
    assert set(jnn.utils.__all__) >= {"to_categorical", "normalize", "set_random_seed"}
