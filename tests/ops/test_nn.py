"""jnn._core.ops.nn beyond the conformance table: jit / grad / vmap, gradients against Keras
for the ops with hand-written parts (CTC, pooling, conv_transpose), and error messages."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.ops import nn

_rng = np.random.default_rng(0)
_img = jnp.asarray(_rng.normal(size=(2, 6, 6, 3)), jnp.float32)


def test_conv_family_jit_grad_and_vmap():
    kernel = jnp.asarray(_rng.normal(size=(3, 3, 3, 4)), jnp.float32)

    @jax.jit
    def loss(x, k):
        y = nn.conv(x, k, padding="same")
        y = nn.conv_transpose(y, jnp.ones((2, 2, 2, 4)), strides=2)
        y = nn.max_pool(y, 2, strides=2) + nn.average_pool(y, 3, strides=2, padding="same")
        return jnp.sum(nn.relu(y) ** 2)

    gx, gk = jax.grad(loss, argnums=(0, 1))(_img, kernel)
    assert gx.shape == _img.shape and gk.shape == kernel.shape
    assert np.isfinite(gx).all() and np.isfinite(gk).all() and float(jnp.abs(gk).sum()) > 0
    per_image = jax.vmap(lambda im: nn.depthwise_conv(im[None], jnp.ones((3, 3, 3, 1)))[0])(_img)
    np.testing.assert_allclose(per_image, nn.depthwise_conv(_img, jnp.ones((3, 3, 3, 1))),
                               rtol=1e-5, atol=1e-5)


def test_fold_is_the_adjoint_of_unfold():
    x = jnp.asarray(_rng.normal(size=(1, 2, 5, 5)), jnp.float32)
    cols = jnp.asarray(_rng.normal(size=(1, 2 * 2 * 2, 9)), jnp.float32)
    lhs = jnp.vdot(nn.unfold(x, 2, stride=1, padding=0, dilation=2), cols)
    rhs = jnp.vdot(x, nn.fold(cols, 5, 2, stride=1, padding=0, dilation=2))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-5)


def test_softmax_over_axes_vmaps_and_sums_to_one():
    x = jnp.asarray(_rng.normal(size=(3, 2, 4)), jnp.float32)
    out = jax.vmap(lambda v: nn.softmax(v, axis=(0, 1)))(x)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), np.ones(3), rtol=1e-6)
    np.testing.assert_allclose(nn.sparsemax(x).sum(-1), np.ones((3, 2)), rtol=1e-6)


def test_dot_product_attention_causal_under_jit():
    q = jnp.asarray(_rng.normal(size=(1, 4, 2, 8)), jnp.float32)
    out = jax.jit(lambda a: nn.dot_product_attention(a, a, a, is_causal=True,
                                                     flash_attention=False))(q)
    # The first position attends only to itself: its output is its own value.
    np.testing.assert_allclose(out[:, 0], q[:, 0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="4D"):
        nn.dot_product_attention(q[0], q[0], q[0])


@pytest.mark.conformance
def test_gradients_match_keras():
    keras = pytest.importorskip("keras")
    logits = jnp.asarray(_rng.normal(size=(2, 6, 5)), jnp.float32)
    target, tl, ol = jnp.array([[1, 2, 2], [3, 1, 0]]), jnp.array([3, 2]), jnp.array([6, 5])
    kernel = jnp.asarray(_rng.normal(size=(3, 3, 2, 3)), jnp.float32)

    def losses(ops):
        def f(lg, x, k):
            return (jnp.sum(ops.ctc_loss(target, lg, tl, ol))
                    + jnp.sum(ops.conv_transpose(x, k, strides=2, padding="same") ** 2)
                    + jnp.sum(ops.average_pool(x, 2, strides=1, padding="same") ** 2))
        return jax.jit(jax.grad(f, argnums=(0, 1, 2)))(logits, _img, kernel)

    for ours, theirs in zip(losses(nn), losses(keras.ops)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call, message", [
    (lambda: nn.conv(_img, jnp.ones((3, 3, 2, 4))), "multiple of the kernel"),
    (lambda: nn.conv(_img, jnp.ones((3, 3, 3, 4)), padding="causal"), "padding"),
    (lambda: nn.conv(_img, jnp.ones((3, 3, 3, 4)), strides=(1, 1, 1)), "strides"),
    (lambda: nn.conv(_img[:, :2, :2], jnp.ones((3, 3, 3, 4))), "empty"),
    (lambda: nn.max_pool(_img, 2, data_format="NHWC"), "data_format"),
    (lambda: nn.multi_hot(jnp.array([[1]])), "num_classes"),
    (lambda: nn.one_hot(jnp.array([1]), 3, sparse=True), "sparse"),
    (lambda: nn.normalize(_img, order=0), "order"),
    (lambda: nn.ctc_decode(jnp.ones((1, 2, 3)), jnp.array([2]), strategy="best"), "strategy"),
    (lambda: nn.depth_to_space(_img, 1), "block_size"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_gelu_defaults_to_the_tanh_approximation_as_keras_ops():
    x = jnp.linspace(-3.0, 3.0, 7)
    np.testing.assert_allclose(nn.gelu(x), jax.nn.gelu(x, approximate=True), rtol=1e-6)
    assert not np.allclose(nn.gelu(x), nn.gelu(x, approximate=False), rtol=1e-6)
