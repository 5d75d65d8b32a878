"""Property tests (hypothesis) for the first layers: shapes are fixed per test so each JAX
program compiles once."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn._core.layers.reshaping import resolve_target_shape
from jnn.layers import Dense, Dropout, LeakyReLU, PReLU, Reshape

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
