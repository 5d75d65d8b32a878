"""The CPU backend's im2col lowering of convolutions equals ``lax.conv_general_dilated``."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from jnn._core.layers import conv

pytestmark = pytest.mark.skipif(jax.default_backend() != "cpu", reason="CPU lowering")

CASES = [  # rank, strides, padding, dilation, data_format, lhs_dilation
    (1, (1,), "VALID", (1,), "channels_last", None),
    (1, (2,), "SAME", (1,), "channels_last", None),
    (1, (1,), [(4, 0)], (2,), "channels_last", None),  # causal
    (2, (1, 1), "VALID", (1, 1), "channels_last", None),
    (2, (2, 1), "SAME", (1, 1), "channels_last", None),
    (2, (1, 1), "SAME", (2, 2), "channels_first", None),
    (2, (3, 2), "VALID", (1, 2), "channels_first", None),
    (2, (1, 1), [(1, 2), (0, 1)], (1, 1), "channels_last", (2, 2)),  # transposed geometry
    (3, (1, 2, 1), "SAME", (1, 1, 1), "channels_last", None),
]


def _reference(x, k, strides, padding, dilation, data_format, lhs_dilation):
    return lax.conv_general_dilated(
        x, k, strides, padding, lhs_dilation=lhs_dilation, rhs_dilation=dilation,
        dimension_numbers=conv.dimension_numbers(k.ndim - 2, data_format))


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_convolve_equals_lax(case):
    rank, strides, padding, dilation, data_format, lhs_dilation = case
    rng = np.random.default_rng(rank)
    spatial = (9, 8, 7)[:rank]
    shape = (2, *spatial, 3) if data_format == "channels_last" else (2, 3, *spatial)
    x = jnp.asarray(rng.normal(size=shape), jnp.float32)
    k = jnp.asarray(rng.normal(size=(3,) * rank + (3, 4)), jnp.float32)

    def ours(x, k):
        return conv.convolve(x, k, strides=strides, padding=padding, dilation=dilation,
                             data_format=data_format, lhs_dilation=lhs_dilation)

    def theirs(x, k):
        return _reference(x, k, strides, padding, dilation, data_format, lhs_dilation)

    @jax.jit  # one compilation per case (op-by-op eager grads compile every primitive)
    def values_and_grads(x, k):
        out = []
        for f in (ours, theirs):
            y, vjp = jax.vjp(f, x, k)
            out.append((y, *vjp(jnp.cos(y))))  # the gradient of sum(sin(f(x, k)))
        return out

    (got, *g_got), (want, *g_want) = values_and_grads(x, k)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for a, b in zip(g_got, g_want):  # and its gradients (what training differentiates)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_equals_grouped_lax(data_format):
    rng = np.random.default_rng(1)
    shape = (2, 9, 8, 3) if data_format == "channels_last" else (2, 3, 9, 8)
    x = jnp.asarray(rng.normal(size=shape), jnp.float32)
    k = jnp.asarray(rng.normal(size=(3, 3, 3, 2)), jnp.float32)  # multiplier 2
    got = conv.depthwise_convolve(x, k, strides=(2, 1), padding="SAME", dilation=(1, 1),
                                  data_format=data_format)
    want = lax.conv_general_dilated(
        x, k.reshape(3, 3, 1, 6), (2, 1), "SAME",
        dimension_numbers=conv.dimension_numbers(2, data_format), feature_group_count=3)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_oversized_windows_fall_back_to_lax(monkeypatch):
    monkeypatch.setattr(conv, "PATCHES_MAX_BYTES", 0)
    seen = []
    real = lax.conv_general_dilated
    monkeypatch.setattr(conv.lax, "conv_general_dilated",
                        lambda *a, **k: seen.append(1) or real(*a, **k))
    x, k = jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 4))
    y = conv.convolve(x, k, strides=(1, 1), padding="VALID", dilation=(1, 1),
                      data_format="channels_last")
    assert seen and float(y[0, 0, 0, 0]) == 18.0


def test_inference_convolution_differentiates_like_training():
    """``training=False`` runs XLA's convolution forward; its gradient (fine-tuning through an
    inference-mode base) is the im2col product's, equal to the training path's."""
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.normal(size=(2, 7, 6, 3)), jnp.float32)
    k = jnp.asarray(rng.normal(size=(3, 3, 3, 4)), jnp.float32)

    def loss(training):
        return lambda x, k: jnp.sum(jnp.sin(conv.convolve(
            x, k, strides=(2, 1), padding="SAME", dilation=(1, 1),
            data_format="channels_last", training=training)))

    def value_and_grads(training):
        return jax.value_and_grad(loss(training), (0, 1))(x, k)

    inference, training = (jax.jit(value_and_grads, static_argnums=0)(t) for t in (False, True))
    for a, b in zip(jax.tree.leaves(inference), jax.tree.leaves(training)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_inference_convolution_supports_forward_mode():
    """``jax.jvp`` / ``jax.jacfwd`` (NTK, Hessian-vector products) through the inference path."""
    rng = np.random.default_rng(3)
    x = jnp.asarray(rng.normal(size=(1, 5, 5, 2)), jnp.float32)
    k = jnp.asarray(rng.normal(size=(3, 3, 2, 2)), jnp.float32)

    def f(training):
        return lambda x, k: conv.convolve(x, k, strides=(1, 1), padding="VALID",
                                          dilation=(1, 1), data_format="channels_last",
                                          training=training)

    tx, tk = jnp.ones_like(x), jnp.full_like(k, 0.5)

    def derivatives(training):
        primal, tangent = jax.jvp(f(training), (x, k), (tx, tk))
        return primal, tangent, jax.hessian(lambda k: jnp.sum(f(training)(x, k) ** 3))(k)

    for a, b in zip(jax.jit(derivatives, static_argnums=0)(False),
                    jax.jit(derivatives, static_argnums=0)(True)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
