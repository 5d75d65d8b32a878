"""jnn._core.ops.math beyond the conformance table: jit / grad / vmap, the stft/istft round
trip, and error messages."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.ops import math

_rng = np.random.default_rng(0)


def test_stft_istft_round_trip_under_jit():
    signal = jnp.asarray(_rng.normal(size=(2, 64)), jnp.float32)

    @jax.jit
    def round_trip(x):
        spectrum = math.stft(x, 16, 4, 16)
        return math.istft(spectrum, 16, 4, 16, length=64)

    np.testing.assert_allclose(round_trip(signal), signal, rtol=1e-4, atol=1e-4)
    real, imag = math.rfft(signal)
    np.testing.assert_allclose(math.irfft((real, imag), 64), signal, rtol=1e-4, atol=1e-5)


def test_segment_and_ranking_ops_under_vmap_and_grad():
    data = jnp.asarray(_rng.normal(size=(3, 5)), jnp.float32)
    ids = jnp.array([0, 1, 1, 2, 2])
    sums = jax.vmap(lambda row: math.segment_sum(row, ids, num_segments=3))(data)
    np.testing.assert_allclose(sums.sum(axis=1), data.sum(axis=1), rtol=1e-5)
    grad = jax.grad(lambda d: math.segment_max(d, ids, num_segments=3).sum())(data[0])
    assert float(grad.sum()) == 3.0  # one winner per segment
    values, indices = jax.jit(lambda x: math.top_k(x, 2))(data)
    np.testing.assert_array_equal(jnp.take_along_axis(data, indices, axis=-1), values)
    assert math.in_top_k(indices[:, 0], data, 1).all()
    g = jax.grad(lambda x: math.logsumexp(x))(data)
    np.testing.assert_allclose(g.sum(), 1.0, rtol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: math.segment_sum(jnp.ones(3), jnp.array([0, 1, 1])), "num_segments"),
    (lambda: math.segment_sum(jnp.ones(3), jnp.array([[0, 1, 1]]), 2), "1-D"),
    (lambda: math.segment_sum(jnp.ones(3), jnp.array([0, 1]), 2), "leading dimension"),
    (lambda: math.fft(jnp.ones(3)), "pair"),
    (lambda: math.fft((jnp.ones(3), jnp.ones(2))), "same shape"),
    (lambda: math.stft(jnp.ones(16), 8, 0, 8), "sequence_stride"),
    (lambda: math.stft(jnp.ones(16), 8, 4, 4), "fft_length"),
    (lambda: math.stft(jnp.ones(16), 8, 4, 8, window="blackman"), "hann"),
    (lambda: math.stft(jnp.ones(16), 8, 4, 8, window=jnp.ones(4)), "window"),
    (lambda: math.cdist(jnp.ones((2, 3)), jnp.ones((2, 4))), "last dimensions"),
    (lambda: math.view_as_complex(jnp.ones((2, 3))), "size 2"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
