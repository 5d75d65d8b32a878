"""Every built-in layer through jnn.testing.check_layer, hypothesis choosing configurations and
shapes (``jnn.testing.strategies.BUILTIN_CASES``), plus layer-specific properties."""

import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jnn.layers
from jnn._core.layers.reshaping import resolve_target_shape
from jnn.layers import Dense, Dropout, LeakyReLU, PReLU, Reshape
from jnn.testing import PROPERTIES, check_layer
from jnn.testing.strategies import BUILTIN_CASES, layer_cases
from tests.harness import examples

EMPTY = {"params": {}, "state": {}}
FAST = settings(max_examples=25, deadline=None)


@FAST
@given(
    dims=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
    unknown=st.booleans(),
)
def test_reshape_resolves_any_regrouping(dims, seed, unknown):
    target = list(np.random.default_rng(seed).permutation(dims))
    resolved = tuple(int(d) for d in target)
    if unknown:
        target[seed % len(target)] = -1
    assert resolve_target_shape("r", tuple(dims), tuple(int(d) for d in target)) == resolved


@FAST
@given(dims=st.lists(st.integers(1, 5), min_size=1, max_size=3), extra=st.integers(2, 5))
def test_reshape_rejects_any_size_change(dims, extra):
    target = (math.prod(dims) * extra,)
    with pytest.raises(ValueError, match="total size"):
        resolve_target_shape("r", tuple(dims), target)
    assert Reshape((-1,)).compute_output_shape((None, *dims)) == (None, math.prod(dims))


@FAST
@given(a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_dense_without_bias_is_linear(a, b):
    layer = Dense(3, use_bias=False)
    x = jax.random.normal(jax.random.key(0, impl="rbg"), (2, 4))
    y = jax.random.normal(jax.random.key(1, impl="rbg"), (2, 4))
    variables = layer.init(jax.random.key(2, impl="rbg"), x)

    def f(v):
        return layer.apply(variables, v)[0]

    np.testing.assert_allclose(f(a * x + b * y), a * f(x) + b * f(y), rtol=1e-4, atol=1e-4)


@FAST
@given(rate=st.floats(0.05, 0.9), seed=st.integers(0, 2**31 - 1))
def test_dropout_keeps_scaled_values_and_the_mean(rate, seed):
    x = jnp.ones((100, 100))
    key = jax.random.key(seed, impl="rbg")
    y = np.asarray(Dropout(rate).apply(EMPTY, x, training=True, rng=key)[0])
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1.0 / (1.0 - rate), rtol=1e-5)
    assert abs(np.mean(y == 0) - rate) < 0.05  # 10000 draws: std <= 0.005
    np.testing.assert_allclose(Dropout(rate).apply(EMPTY, x)[0], x)


@FAST
@given(slope=st.floats(0.0, 2.0))
def test_prelu_with_constant_alpha_is_leaky_relu(slope):
    x = jnp.linspace(-3.0, 3.0, 12).reshape(2, 6)
    alpha = jnp.full((6,), slope, jnp.float32)
    y = PReLU().apply({"params": {"alpha": alpha}, "state": {}}, x)[0]
    z = LeakyReLU(negative_slope=slope).apply(EMPTY, x)[0]
    np.testing.assert_allclose(y, z, rtol=1e-6, atol=1e-6)


# --- every built-in layer passes check_layer ----------------------------------------------------
# Public layer classes that check_layer does not take as they are, and why.
NOT_CHECKED = {
    "Layer": "the base class",
    "InputLayer": "a placeholder for the functional graph, not a computation",
    "Lambda": "wraps any Python function: its contract is the function's (tests/core/test_layers_core.py)",
    "StringLookup": "string inputs are not arrays (tests/core/test_layers_preprocessing.py)",
    "TextVectorization": "string inputs are not arrays (tests/core/test_layers_preprocessing.py)",
    "SimpleRNNCell": "a cell takes (inputs, states): checked inside RNN(cell)",
    "LSTMCell": "a cell takes (inputs, states): checked inside RNN(cell)",
    "GRUCell": "a cell takes (inputs, states): checked inside RNN(cell)",
}


def _public_layer_classes():
    found = {}
    for name in jnn.layers.__all__:
        obj = getattr(jnn.layers, name)
        if isinstance(obj, type) and issubclass(obj, jnn.layers.Layer):
            found.setdefault(obj, name)  # aliases (Convolution2D) share their class's entry
    return found


def test_every_public_layer_class_has_cases_or_a_reason():
    cases = {getattr(jnn.layers, name) for name in BUILTIN_CASES}
    missing = [name for cls, name in _public_layer_classes().items()
               if cls not in cases and cls.__name__ not in NOT_CHECKED and name not in NOT_CHECKED]
    assert not missing, f"add strategies for {missing} to jnn.testing.strategies.BUILTIN_CASES"


# In CI the sweep leaves out the two properties that compile the biggest programs (vmap of the
# layer, gradients on five inputs): run_layer_test checks them on every built-in layer's
# hand-picked configurations (tests/core/test_layers_*.py). The thorough profile runs them all.
SWEEP_PROPERTIES = None if examples(1) > 1 else tuple(
    p for p in PROPERTIES if p not in ("batch_independence", "gradients"))


@pytest.mark.parametrize("name", sorted(BUILTIN_CASES))
def test_builtin_layer_passes_check_layer(name):
    @settings(max_examples=examples(1), deadline=None, database=None)
    @given(case=layer_cases(name))
    def run(case):
        result = check_layer(case.build(), case.input_shape, input_dtype=case.input_dtype,
                             properties=SWEEP_PROPERTIES, **case.check)
        chex.assert_tree_all_finite(result.outputs)

    run()
