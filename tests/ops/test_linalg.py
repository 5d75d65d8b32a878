"""jnn._core.ops.linalg beyond the conformance table: jvp, gradients under jit, errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.ops import linalg

_spd = jnp.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])


def test_jvp_is_jax_jvp():
    def fn(a, b):
        return jnp.sin(a) * b

    primals, tangents = (1.0, 2.0), (0.5, -1.0)
    out = linalg.jvp(fn, primals, tangents)
    expected = jax.jvp(fn, primals, tangents)
    np.testing.assert_allclose(out, expected)
    _, tangent_out, aux = linalg.jvp(lambda a: (a * a, a + 1), (3.0,), (1.0,), has_aux=True)
    assert (float(tangent_out), float(aux)) == (6.0, 4.0)


def test_gradients_under_jit():
    @jax.jit
    def loss(a):
        chol = linalg.cholesky(a)
        x = linalg.solve_triangular(chol, jnp.ones(3), lower=True)
        return jnp.sum(x**2) + jnp.log(linalg.det(a)) + linalg.norm(linalg.inv(a))

    grad = jax.grad(loss)(_spd)
    assert grad.shape == (3, 3) and np.isfinite(grad).all()
    batched = jax.vmap(linalg.solve, in_axes=(None, 0))(_spd, jnp.eye(3))
    np.testing.assert_allclose(batched @ _spd.T, np.eye(3), atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: linalg.cholesky(-_spd), "positive"),
    (lambda: linalg.inv(jnp.ones(3)), "rank >= 2"),
    (lambda: linalg.det(jnp.ones((2, 3))), "square"),
    (lambda: linalg.solve(_spd, jnp.ones(2)), "incompatible"),
    (lambda: linalg.solve(_spd, jnp.ones((2, 1))), "incompatible"),
    (lambda: linalg.qr(_spd, mode="full"), "mode"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
