"""jnn._core.ops.core beyond the conformance table: transformations (jit / grad / vmap),
custom_gradient against Keras, and error messages."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.ops import core


def test_control_flow_under_jit_and_grad():
    def loss(w):
        carry, ys = core.scan(lambda c, x: (c * w + x, c), 1.0, jnp.arange(3.0))
        total = core.fori_loop(0, 3, lambda i, v: v + w * i, carry)
        total = core.switch(1, [lambda v: v, lambda v: v * 4.0], total)
        return core.cond(total > 0, lambda: total + jnp.sum(ys), lambda: -total)

    value, grad = jax.jit(jax.value_and_grad(loss))(2.0)
    # carry: 1 -> 2 -> 5 -> 12; ys = [1, 2, 5]; fori adds 2*(0+1+2) = 6 -> 18; x4 -> 72 (+8)
    assert float(value) == 80.0
    eps = 1e-2
    assert abs(float(grad) - (loss(2.0 + eps) - loss(2.0 - eps)) / (2 * eps)) < 1e-1
    # while_loop (forward only, as lax.while_loop) under jit, with a traced bound
    doubled = jax.jit(lambda v: core.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * v),
                                                (0, 1.0)))(2.0)
    assert float(doubled[1]) == 8.0


def test_vmap_of_slicing_and_scatter():
    x = jnp.arange(12.0).reshape(3, 4)
    starts = jnp.array([0, 1, 2])
    rows = jax.vmap(lambda r, s: core.slice(r, (s,), (2,)))(x, starts)
    np.testing.assert_array_equal(rows, [[0, 1], [5, 6], [10, 11]])
    upd = jax.vmap(lambda r, s: core.slice_update(r, (s,), jnp.zeros(2)))(x, starts)
    assert float(upd.sum()) == float(x.sum()) - float(rows.sum())
    added = jax.jit(lambda v: core.scatter_update(v, [[0, 0], [0, 0]], jnp.ones(2),
                                                  reduction="add"))(x)
    assert float(added[0, 0]) == 2.0


def test_rearrange_and_unstack_roundtrip():
    x = jnp.arange(2 * 4 * 6 * 3.0).reshape(2, 4, 6, 3)
    split = core.rearrange(x, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1=2, w1=3)
    back = core.rearrange(split, "(b h1 w1) h w c -> b (h1 h) (w1 w) c", b=2, h1=2, w1=3)
    np.testing.assert_array_equal(back, x)
    assert len(core.unstack(x, axis=3)) == 3


@pytest.mark.parametrize("call, message", [
    (lambda: core.scatter_update(jnp.zeros(3), [[0]], jnp.ones(1), reduction="sum"),
     "reduction"),
    (lambda: core.unstack(jnp.zeros((2, 3)), num=3), "num"),
    (lambda: core.scan(lambda c, x: (c, x), 0.0, jnp.ones(2), unroll=0), "unroll"),
    (lambda: core.rearrange(jnp.zeros((2, 3)), "a b c -> a b c"), "has 3 axes"),
    (lambda: core.rearrange(jnp.zeros((2, 6)), "a (b c) -> a b c"), "infer"),
    (lambda: core.rearrange(jnp.zeros((2, 3)), "a b -> a c"), "same axes"),
    (lambda: jax.jit(core.convert_to_numpy)(jnp.ones(2)), "traced"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_saturate_cast_clips_instead_of_wrapping():
    out = core.saturate_cast(jnp.array([-5.0, 1e10, jnp.inf]), "int32")
    assert out.dtype == jnp.int32
    assert out.tolist() == [-5, 2**31 - 1, 2**31 - 1]
    assert core.saturate_cast(jnp.array([-1.0, 300.0]), "uint8").tolist() == [0, 255]


@pytest.mark.conformance
def test_custom_gradient_matches_keras():
    keras = pytest.importorskip("keras")

    def make(ops):
        @ops.custom_gradient
        def log1pexp(x):
            e = jnp.exp(x)

            def grad(*args, upstream=None):
                if upstream is None:
                    (upstream,) = args
                return upstream * (1.0 - 1.0 / (1.0 + e))

            return jnp.log1p(e), grad

        return log1pexp

    ours, theirs = make(core), make(keras.ops)
    x = jnp.array([-3.0, 0.0, 50.0])
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-6)
    g_ours = jax.jit(jax.grad(lambda v: jnp.sum(ours(v))))(x)
    g_theirs = jax.grad(lambda v: jnp.sum(theirs(v)))(x)
    np.testing.assert_allclose(g_ours, g_theirs, rtol=1e-6)
    assert np.isfinite(g_ours).all()  # the custom rule avoids exp(50) / exp(50) overflow
