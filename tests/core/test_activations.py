"""Tests for jnn.activations: hand values, gradients, identifiers, Keras 3 conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.test_util import check_grads

from jnn import activations

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 6)).astype(np.float32) * 3.0
# Inputs kept away from the kinks at 0, +-3, 6 and the relu thresholds used below.
X_SMOOTH = np.array([[-4.1, -2.2, -0.7, 0.4], [1.3, 2.6, 4.5, 7.2]], np.float32)

ELEMENTWISE = [
    "linear",
    "relu",
    "leaky_relu",
    "relu6",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "swish",
    "mish",
    "exponential",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "log_sigmoid",
    "hard_tanh",
]
AXIS_FNS = ["softmax", "log_softmax", "glu", "sparsemax"]


# --- hand-computed golden values ---------------------------------------------------------------
def test_golden_values():
    x = jnp.array([-3.0, -1.0, 0.0, 1.0, 3.0, 8.0])
    np.testing.assert_allclose(activations.relu(x), [0, 0, 0, 1, 3, 8])
    np.testing.assert_allclose(activations.relu6(x), [0, 0, 0, 1, 3, 6])
    np.testing.assert_allclose(activations.leaky_relu(x), [-0.6, -0.2, 0, 1, 3, 8], rtol=1e-6)
    np.testing.assert_allclose(activations.hard_sigmoid(x), [0, 1 / 3, 0.5, 2 / 3, 1, 1], 1e-6)
    np.testing.assert_allclose(
        activations.hard_silu(x), [0, -1 / 3, 0, 2 / 3, 3, 8], rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(activations.softsign(x), x / (1 + jnp.abs(x)), rtol=1e-6)
    np.testing.assert_allclose(
        activations.elu(x, alpha=2.0),
        [2 * (np.exp(-3) - 1), 2 * (np.exp(-1) - 1), 0, 1, 3, 8],
        rtol=1e-6,
    )
    np.testing.assert_allclose(activations.exponential(jnp.array([0.0, 1.0])), [1, np.e], 1e-6)
    np.testing.assert_allclose(activations.softmax(jnp.array([0.0, np.log(3.0)])), [0.25, 0.75])
    np.testing.assert_allclose(activations.sparsemax(jnp.array([1.0, 0.8, -5.0])), [0.6, 0.4, 0])
    np.testing.assert_allclose(activations.glu(jnp.array([2.0, 4.0, 0.0, 0.0])), [1.0, 2.0])


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, [0, 0, 0, 1, 3, 8]),
        ({"max_value": 2.0}, [0, 0, 0, 1, 2, 2]),
        ({"threshold": 1.5}, [0, 0, 0, 0, 3, 8]),
        ({"negative_slope": 0.5}, [-1.5, -0.5, 0, 1, 3, 8]),
        ({"negative_slope": 0.5, "max_value": 6.0}, [-1.5, -0.5, 0, 1, 3, 6]),
        ({"negative_slope": 0.5, "threshold": 2.0}, [-2.5, -1.5, -1, -0.5, 3, 8]),
    ],
)
def test_relu_variants_by_hand(kwargs, expected):
    x = jnp.array([-3.0, -1.0, 0.0, 1.0, 3.0, 8.0])
    np.testing.assert_allclose(activations.relu(x, **kwargs), expected, rtol=1e-6)


def test_swish_and_silu_are_one_function():
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu


def test_gelu_exact_by_default():
    x = jnp.array([1.0])
    exact = 0.5 * (1 + jax.scipy.special.erf(1 / np.sqrt(2)))
    np.testing.assert_allclose(activations.gelu(x), [exact], rtol=1e-6)
    assert not np.allclose(activations.gelu(x, approximate=True), [exact], rtol=1e-6)


# --- gradients and jit -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ELEMENTWISE + AXIS_FNS)
def test_gradients(name):
    fn = activations.get(name)
    # exp's large values make float32 finite differences too coarse: smaller inputs there.
    x = X_SMOOTH / 4 if name == "exponential" else X_SMOOTH
    check_grads(jax.jit(fn), (jnp.asarray(x),), order=1, modes=["rev"], atol=1e-2, rtol=1e-2)


def test_relu_variant_gradients():
    fn = lambda x: activations.relu(x, negative_slope=0.1, max_value=5.0, threshold=0.2)  # noqa: E731
    check_grads(fn, (jnp.asarray(X_SMOOTH),), order=1, modes=["rev"], atol=1e-2, rtol=1e-2)


@jax.jit
def _all_jitted(x):
    return {name: activations.get(name)(x) for name in ELEMENTWISE + AXIS_FNS}


def test_jit_matches_eager():
    jitted = _all_jitted(X)
    for name in ELEMENTWISE + AXIS_FNS:
        eager = activations.get(name)(X)
        np.testing.assert_allclose(jitted[name], eager, rtol=1e-6, atol=1e-6, err_msg=name)


def test_dtype_is_kept():
    for dtype in (jnp.bfloat16, jnp.float16):
        outputs = jax.eval_shape(_all_jitted, jax.ShapeDtypeStruct(X.shape, dtype))
        for name, y in outputs.items():
            assert y.dtype == dtype, name
            expected = (X.shape[0], X.shape[1] // 2) if name == "glu" else X.shape
            assert y.shape == expected, name


@jax.jit
def _simplex_maps(x):
    return activations.softmax(x), activations.sparsemax(x)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-20, 20, width=32), min_size=6, max_size=6))
def test_simplex_outputs(values):
    for y in _simplex_maps(jnp.asarray(values, jnp.float32)):
        assert bool(jnp.all(y >= 0))
        np.testing.assert_allclose(float(jnp.sum(y)), 1.0, rtol=1e-5)


def test_glu_odd_axis_is_a_clear_error():
    with pytest.raises(ValueError, match="glu: the size of axis -1 must be even"):
        activations.glu(jnp.ones((2, 3)))


def _sparsemax_reference(row):
    z = np.sort(row)[::-1]
    k = np.arange(1, len(z) + 1)
    support = 1 + k * z > np.cumsum(z)
    k_max = k[support][-1]
    tau = (np.cumsum(z)[k_max - 1] - 1) / k_max
    return np.maximum(row - tau, 0)


def test_sparsemax_matches_reference():
    expected = np.stack([_sparsemax_reference(row) for row in X])
    np.testing.assert_allclose(activations.sparsemax(X), expected, rtol=1e-6, atol=1e-6)


def test_axis_argument():
    x = jnp.asarray(X)
    np.testing.assert_allclose(activations.softmax(x, axis=0), activations.softmax(x.T).T, 1e-6)
    np.testing.assert_allclose(
        activations.sparsemax(x, axis=0), activations.sparsemax(x.T).T, rtol=1e-6, atol=1e-6
    )


# --- identifiers -------------------------------------------------------------------------------
def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    user = lambda x: x * 2  # noqa: E731
    assert activations.get(user) is user
    assert activations.get({"class_name": "function", "config": "gelu"}) is activations.gelu
    keras_form = {
        "module": "builtins",
        "class_name": "function",
        "config": "softmax",
        "registered_name": "function",
    }
    assert activations.get(keras_form) is activations.softmax


def test_get_unknown_lists_choices():
    with pytest.raises(ValueError, match=r"identifier: 'relux'\. Valid identifiers: \[.*'relu'"):
        activations.get("relux")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(3)


def test_serialize_round_trip():
    for name in ELEMENTWISE + AXIS_FNS:
        fn = activations.get(name)
        assert activations.deserialize(activations.serialize(fn)) is fn
    assert activations.serialize(activations.swish) == "silu"

    def my_act(x):
        return x

    assert activations.serialize(my_act) == "my_act"
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act


# --- Keras 3 conformance -----------------------------------------------------------------------
# Keras 3.15's JAX sparsemax sums the cumulative sums over the support where the threshold needs
# the cumulative sum at the support's end, so its rows do not sum to 1: we follow the definition
# (Martins & Astudillo 2016), checked against a NumPy reference below.
@pytest.mark.conformance
@pytest.mark.parametrize("name", ELEMENTWISE + AXIS_FNS[:3])
def test_matches_keras(name):
    keras = pytest.importorskip("keras")
    ours = activations.get(name)(X)
    theirs = np.asarray(keras.activations.get(name)(X))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "kwargs",
    [
        {"negative_slope": 0.3},
        {"max_value": 6.0},
        {"max_value": 2.5},
        {"threshold": 0.5},
        {"negative_slope": 0.2, "max_value": 3.0, "threshold": -0.5},
    ],
)
def test_relu_variants_match_keras(kwargs):
    keras = pytest.importorskip("keras")
    theirs = np.asarray(keras.activations.relu(X, **kwargs))
    np.testing.assert_allclose(activations.relu(X, **kwargs), theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.conformance
def test_keras_names_all_resolve():
    keras = pytest.importorskip("keras")
    from keras.src.activations import ALL_OBJECTS_DICT

    skipped = {"hard_shrink", "soft_shrink", "sparse_plus", "sparse_sigmoid", "squareplus",
               "tanh_shrink", "threshold"}  # fmt: skip
    for name in set(ALL_OBJECTS_DICT) - skipped:
        assert callable(activations.get(name)), name
    assert keras.activations.serialize(keras.activations.silu) == activations.serialize(
        activations.swish
    )
