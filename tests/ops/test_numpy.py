"""``jnn.ops`` numpy family and dtype rules: transformations, broadcasting, errors, Keras's lattice."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn import ops
from jnn._core.ops import _dtypes


def test_ops_compose_with_jit_grad_and_vmap():
    def loss(w, x):
        h = ops.tanh(ops.matmul(x, w))
        return ops.mean(ops.square(ops.sum(h, axis=-1) - 1.0))

    w = jnp.full((3, 2), 0.1)
    x = jnp.arange(12.0).reshape(4, 3) / 10
    g = jax.jit(jax.grad(loss))(w, x)
    g_ref = jax.grad(lambda w, x: jnp.mean((jnp.tanh(x @ w).sum(-1) - 1.0) ** 2))(w, x)
    np.testing.assert_allclose(g, g_ref, rtol=1e-6)
    per_row = jax.vmap(lambda r: ops.dot(r, ops.ones((3,))))(x)
    np.testing.assert_allclose(per_row, x.sum(1), rtol=1e-6)
    out = jax.jit(lambda a: ops.concatenate([ops.expand_dims(a, 0), ops.zeros((1, 3))]))(x[0])
    assert out.shape == (2, 3) and out.dtype == jnp.float32


def test_broadcasting_of_different_ranks_works_where_rank_promotion_raises():
    """conftest turns implicit rank promotion into an error; ops broadcast as NumPy does."""
    with pytest.raises(ValueError):
        jnp.add(jnp.ones((2, 3)), jnp.ones(3))
    assert ops.add(jnp.ones((2, 3)), jnp.ones(3)).shape == (2, 3)
    assert ops.where(jnp.ones((2, 3), bool), jnp.ones(3), 0.0).shape == (2, 3)


def test_float_defaults_and_weak_scalars():
    assert ops.ones(3).dtype == jnp.float32
    assert ops.arange(3).dtype == jnp.int32
    assert ops.arange(0, 1, 0.5).dtype == jnp.float32
    assert ops.mean(ops.arange(4)).dtype == jnp.float32
    assert ops.add(np.ones(2, "int8"), 1).dtype == jnp.int8
    assert ops.add(np.ones(2, "int8"), 1.5).dtype == jnp.float32
    assert ops.multiply(np.ones(2, "float16"), 2.0).dtype == jnp.float16
    assert ops.convert_to_tensor(np.ones(2)).dtype == jnp.float32  # float64 without x64


def test_result_type_is_keras_lattice():
    keras = pytest.importorskip("keras")
    from keras.src.backend.common import dtypes as kd

    names = list(_dtypes.BOOL_TYPES + _dtypes.INT_TYPES + _dtypes.FLOAT_TYPES
                 + _dtypes.COMPLEX_TYPES) + [int, float]  # fmt: skip
    for a, b in itertools.product(names, names):
        assert _dtypes.result_type(a, b) == kd.result_type(a, b), (a, b)
    assert _dtypes.result_type() == keras.backend.floatx()
    assert _dtypes.result_type("int8", "uint8", float) == kd.result_type("int8", "uint8", float)


def test_dtype_names_and_errors():
    assert _dtypes.standardize_dtype(jnp.bfloat16) == "bfloat16"
    assert _dtypes.standardize_dtype(np.dtype("int16")) == "int16"
    assert _dtypes.standardize_dtype(int) == "int32"
    assert _dtypes.standardize_dtype(None) == "float32"
    with pytest.raises(ValueError, match="Invalid dtype"):
        _dtypes.standardize_dtype("floaty")
    with pytest.raises(ValueError, match="float8"):
        _dtypes.result_type("float8_e4m3fn", "float32")
    with pytest.raises(ValueError, match="sparse"):
        _dtypes.convert_to_tensor([1.0], sparse=True)


def test_floatx_drives_float_defaults():
    try:
        _dtypes.set_floatx("float16")
        assert ops.ones(2).dtype == jnp.float16
        assert ops.mean(ops.arange(3)).dtype == jnp.float32  # Keras computes int means in f32
        assert _dtypes.result_type("int32", float) == "float16"
    finally:
        _dtypes.set_floatx("float32")
    with pytest.raises(ValueError, match="floatx"):
        _dtypes.set_floatx("int32")


def test_vectorize_matches_keras():
    keras = pytest.importorskip("keras")
    x = np.arange(6.0, dtype="float32").reshape(2, 3)

    def f(row):
        return row.sum() * 2

    ours = ops.vectorize(f, signature="(n)->()")(x)
    theirs = keras.ops.vectorize(f, signature="(n)->()")(x)
    np.testing.assert_allclose(ours, theirs)


def test_bad_arguments_name_the_op():
    with pytest.raises(ValueError, match="where"):
        ops.where(np.ones(2, bool), 1.0)
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(np.ones(2), 1, mode="reflect", constant_values=1.0)
    with pytest.raises(ValueError, match="rot90"):
        ops.rot90(np.ones(3))
    with pytest.raises(ValueError, match="searchsorted"):
        ops.searchsorted(np.ones((2, 2)), 1.0)
    with pytest.raises(TypeError, match="ldexp"):
        ops.ldexp(np.ones(2), np.ones(2))


def test_divide_no_nan_has_finite_gradients():
    g = jax.grad(lambda y: ops.sum(ops.divide_no_nan(1.0, y)))(jnp.array([0.0, 2.0]))
    assert np.all(np.isfinite(g)) and g[0] == 0.0
