"""Keras 3's math ops (``keras.ops.logsumexp``, ``top_k``, ``segment_sum``, ``fft``, ``stft``,
``erf``, ...) on ``jax.numpy`` / ``jax.lax`` / ``jax.scipy``.

Keras keeps these at the top level of ``keras.ops`` (there is no public ``keras.ops.math``);
jnn's facade re-exports every name of ``__all__`` at ``jnn.ops``. Complex results follow
Keras's convention: ``fft``-like ops take and return a ``(real, imag)`` pair of float tensors.

Example:
    >>> import jax.numpy as jnp
    >>> from jnn._core.ops import math
    >>> math.segment_sum(jnp.array([1.0, 2.0, 3.0]), jnp.array([0, 0, 1]), 2).tolist()
    [3.0, 3.0]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jnn._core.ops import _dtypes

__all__ = [
    "cdist", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "ifft2", "in_top_k",
    "irfft", "istft", "logdet", "logsumexp", "rfft", "rsqrt", "segment_max", "segment_min",
    "segment_prod", "segment_sum", "stft", "top_k", "view_as_complex", "view_as_real",
]  # fmt: skip


def _t(x: Any, dtype: Any = None) -> jax.Array:
    return _dtypes.convert_to_tensor(x, dtype=dtype)


# --- segment reductions --------------------------------------------------------------------------


def _segment(reduce: Any, fn: str, data: Any, segment_ids: Any, num_segments: int | None,
             sorted: bool) -> jax.Array:  # fmt: skip
    data, segment_ids = _t(data), _t(segment_ids)
    if segment_ids.ndim != 1:
        raise ValueError(
            f"{fn}: `segment_ids` must be a 1-D vector, received shape {segment_ids.shape}; "
            "flatten `data` and `segment_ids` first or vectorize with vmap."
        )
    if segment_ids.shape[0] != data.shape[0]:
        raise ValueError(
            f"{fn}: `segment_ids` and `data` must have the same leading dimension, received "
            f"{segment_ids.shape} and {data.shape}."
        )
    if num_segments is None:
        raise ValueError(
            f"{fn}: argument `num_segments` must be set on the JAX backend (a static size), "
            "received num_segments=None."
        )
    return reduce(data, segment_ids, num_segments, indices_are_sorted=sorted)


def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> jax.Array:  # fmt: skip
    """Sum of ``data`` rows per segment id (``jax.ops.segment_sum``).

    Example:
        >>> segment_sum(jnp.array([1, 2, 3]), jnp.array([0, 0, 1]), 2).tolist()
        [3, 3]
    """
    return _segment(jax.ops.segment_sum, "segment_sum", data, segment_ids, num_segments, sorted)


def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> jax.Array:  # fmt: skip
    """Maximum of ``data`` rows per segment id (empty segments give the dtype's lowest value).

    Example:
        >>> segment_max(jnp.array([1, 5, 3]), jnp.array([0, 0, 1]), 2).tolist()
        [5, 3]
    """
    return _segment(jax.ops.segment_max, "segment_max", data, segment_ids, num_segments, sorted)


def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> jax.Array:  # fmt: skip
    """Minimum of ``data`` rows per segment id.

    Example:
        >>> segment_min(jnp.array([1, 5, 3]), jnp.array([0, 0, 1]), 2).tolist()
        [1, 3]
    """
    return _segment(jax.ops.segment_min, "segment_min", data, segment_ids, num_segments, sorted)


def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None,
                 sorted: bool = False) -> jax.Array:  # fmt: skip
    """Product of ``data`` rows per segment id.

    Example:
        >>> segment_prod(jnp.array([2, 5, 3]), jnp.array([0, 0, 1]), 2).tolist()
        [10, 3]
    """
    return _segment(jax.ops.segment_prod, "segment_prod", data, segment_ids, num_segments,
                    sorted)  # fmt: skip


# --- ranking -------------------------------------------------------------------------------------


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[jax.Array, jax.Array]:
    """The ``k`` largest values along the last axis and their indices (always sorted, as
    Keras on JAX).

    Example:
        >>> [v.tolist() for v in top_k(jnp.array([1.0, 3.0, 2.0]), 2)]
        [[3.0, 2.0], [1, 2]]
    """
    return lax.top_k(_t(x), k)


def in_top_k(targets: Any, predictions: Any, k: int) -> jax.Array:
    """Whether each target class is among the ``k`` largest ``predictions`` of its row (ties
    count in favour of the target; a NaN prediction for the target never does).

    Example:
        >>> in_top_k(jnp.array([2]), jnp.array([[0.1, 0.5, 0.4]]), 1).tolist()
        [False]
    """
    targets, predictions = _t(targets), _t(predictions)
    at_label = jnp.take_along_axis(predictions, targets[..., None], axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(predictions > at_label, axis=-1)
    return rank <= k


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """``log(sum(exp(x)))`` over ``axis``, computed stably.

    Example:
        >>> round(float(logsumexp(jnp.zeros(2))), 4)
        0.6931
    """
    return jax.scipy.special.logsumexp(_t(x), axis=axis, keepdims=keepdims)


def cdist(x: Any, y: Any) -> jax.Array:
    """Euclidean distances between the rows of ``x`` ``(..., P, M)`` and ``y`` ``(..., R, M)``.

    Example:
        >>> cdist(jnp.array([[0.0, 0.0]]), jnp.array([[3.0, 4.0]])).tolist()
        [[5.0]]
    """
    x, y = _t(x), _t(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"cdist: inputs must have rank >= 2, received {x.shape} and {y.shape}.")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"cdist: the last dimensions of the inputs must match, received {x.shape} and "
            f"{y.shape}."
        )
    diff = x[..., :, None, :] - y[..., None, :, :]
    return jnp.sqrt(jnp.sum(diff * diff, axis=-1))


# --- elementwise special functions ---------------------------------------------------------------


def rsqrt(x: Any) -> jax.Array:
    """``1 / sqrt(x)``.

    Example:
        >>> rsqrt(jnp.array([4.0])).tolist()
        [0.5]
    """
    return lax.rsqrt(_t(x))


def erf(x: Any) -> jax.Array:
    """The error function.

    Example:
        >>> erf(jnp.array([0.0])).tolist()
        [0.0]
    """
    return lax.erf(_t(x))


def erfc(x: Any) -> jax.Array:
    """The complementary error function ``1 - erf(x)``.

    Example:
        >>> erfc(jnp.array([0.0])).tolist()
        [1.0]
    """
    return jax.scipy.special.erfc(_t(x))


def erfinv(x: Any) -> jax.Array:
    """The inverse error function.

    Example:
        >>> erfinv(jnp.array([0.0])).tolist()
        [0.0]
    """
    return jax.scipy.special.erfinv(_t(x))


def logdet(x: Any) -> jax.Array:
    """``log(det(x))`` of (batches of) Hermitian positive-definite matrices.

    Example:
        >>> round(float(logdet(2.0 * jnp.eye(2))), 4)
        1.3863
    """
    return jnp.linalg.slogdet(_t(x))[1]


# --- sequences and Fourier transforms ------------------------------------------------------------


def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> jax.Array:
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis:
    ``(..., num_frames, sequence_length)``.

    Example:
        >>> extract_sequences(jnp.arange(6.0), 3, 2).tolist()
        [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
    """
    x = _t(x)
    *batch, length = x.shape
    flat = x.reshape(int(np.prod(batch)), length, 1)
    frames = lax.conv_general_dilated_patches(
        flat, (sequence_length,), (sequence_stride,), "VALID",
        dimension_numbers=("NTC", "OIT", "NTC"))
    return frames.reshape(*batch, *frames.shape[-2:])


def _complex(x: Any, fn: str) -> jax.Array:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{fn}: `x` must be a (real, imag) pair of tensors, received {x!r}.")
    real, imag = _t(x[0]), _t(x[1])
    if real.shape != imag.shape:
        raise ValueError(
            f"{fn}: the real and imaginary parts must have the same shape, received "
            f"{real.shape} and {imag.shape}."
        )
    if not (jnp.issubdtype(real.dtype, jnp.floating) and jnp.issubdtype(imag.dtype, jnp.floating)):
        raise ValueError(
            f"{fn}: the real and imaginary parts must be float tensors, received "
            f"{real.dtype} and {imag.dtype}."
        )
    return lax.complex(real, imag)


def _pair(z: jax.Array) -> tuple[jax.Array, jax.Array]:
    return jnp.real(z), jnp.imag(z)


def fft(x: tuple[Any, Any]) -> tuple[jax.Array, jax.Array]:
    """FFT along the last axis of the complex tensor given as ``(real, imag)``.

    Example:
        >>> [v.tolist() for v in fft((jnp.ones(2), jnp.zeros(2)))]
        [[2.0, 0.0], [0.0, 0.0]]
    """
    return _pair(jnp.fft.fft(_complex(x, "fft")))


def fft2(x: tuple[Any, Any]) -> tuple[jax.Array, jax.Array]:
    """2-D FFT over the last two axes of ``(real, imag)``.

    Example:
        >>> fft2((jnp.ones((2, 2)), jnp.zeros((2, 2))))[0].tolist()
        [[4.0, 0.0], [0.0, 0.0]]
    """
    return _pair(jnp.fft.fft2(_complex(x, "fft2")))


def ifft2(x: tuple[Any, Any]) -> tuple[jax.Array, jax.Array]:
    """Inverse 2-D FFT over the last two axes of ``(real, imag)``.

    Example:
        >>> ifft2((jnp.full((2, 2), 4.0), jnp.zeros((2, 2))))[0].tolist()
        [[4.0, 0.0], [0.0, 0.0]]
    """
    return _pair(jnp.fft.ifft2(_complex(x, "ifft2")))


def rfft(x: Any, fft_length: int | None = None) -> tuple[jax.Array, jax.Array]:
    """FFT of a real signal along the last axis: ``(real, imag)`` of ``fft_length // 2 + 1``
    frequencies.

    Example:
        >>> rfft(jnp.ones(4))[0].tolist()
        [4.0, 0.0, 0.0]
    """
    return _pair(jnp.fft.rfft(_t(x), n=fft_length, axis=-1))


def irfft(x: tuple[Any, Any], fft_length: int | None = None) -> jax.Array:
    """Inverse of :func:`rfft`: a real signal of ``fft_length`` samples.

    Example:
        >>> irfft((jnp.array([4.0, 0.0, 0.0]), jnp.zeros(3))).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    return jnp.fft.irfft(_complex(x, "irfft"), n=fft_length, axis=-1)


def _window(window: Any, sequence_length: int, fft_length: int, dtype: Any, fn: str
            ) -> jax.Array:  # fmt: skip
    """The analysis window, zero-padded (centred) to ``fft_length`` (``None``: all ones over the
    whole ``fft_length``, as Keras)."""
    if window is None:
        return jnp.ones(fft_length, dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f"{fn}: a string `window` must be 'hann' or 'hamming', received {window!r}."
            )
        # Periodic ("fft bins") windows, as scipy.signal.get_window returns them.
        make = np.hanning if window == "hann" else np.hamming
        win = jnp.asarray(make(sequence_length + 1)[:-1], dtype)
    else:
        win = _t(window, dtype)
    if win.ndim != 1 or win.shape[0] != sequence_length:
        raise ValueError(
            f"{fn}: `window` must have shape ({sequence_length},) (sequence_length), received "
            f"{win.shape}."
        )
    left = (fft_length - sequence_length) // 2
    return jnp.pad(win, (left, fft_length - sequence_length - left))


def _check_stride(sequence_stride: Any, fn: str) -> None:
    if not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ValueError(
            f"{fn}: `sequence_stride` must be a positive integer, received {sequence_stride!r}."
        )


def stft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int,
         window: Any = "hann", center: bool = True) -> tuple[jax.Array, jax.Array]:  # fmt: skip
    """Short-time Fourier transform along the last axis: ``(real, imag)`` of shape
    ``(..., num_frames, fft_length // 2 + 1)``. ``center`` reflect-pads the signal by
    ``fft_length // 2`` on both sides.

    Example:
        >>> stft(jnp.ones(16), 8, 4, 8)[0].shape
        (5, 5)
    """
    _check_stride(sequence_stride, "stft")
    x = _t(x)
    if _dtypes.standardize_dtype(x.dtype) not in ("float32", "float64"):
        raise TypeError(f"stft: the input must be float32 or float64, received {x.dtype}.")
    if fft_length < sequence_length:
        raise ValueError(
            f"stft: `fft_length` ({fft_length}) must be >= `sequence_length` "
            f"({sequence_length})."
        )
    win = _window(window, sequence_length, fft_length, x.dtype, "stft")
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = jnp.pad(x, pad, mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    frames = frames * win.reshape((1,) * (frames.ndim - 1) + win.shape)
    return _pair(jnp.fft.rfft(frames, n=fft_length, axis=-1))


def istft(x: tuple[Any, Any], sequence_length: int, sequence_stride: int, fft_length: int,
          length: int | None = None, window: Any = "hann", center: bool = True
          ) -> jax.Array:  # fmt: skip
    """Inverse of :func:`stft` (weighted overlap-add, as ``jax.scipy.signal.istft``).

    Example:
        >>> istft(stft(jnp.ones(16), 8, 4, 8), 8, 4, 8).shape
        (16,)
    """
    _check_stride(sequence_stride, "istft")
    z = _complex(x, "istft")
    if z.ndim < 2:
        raise ValueError(f"istft: the input must have at least 2 dimensions, received {z.shape}.")
    dtype = jnp.real(z).dtype
    win = _window(window, sequence_length, fft_length, dtype, "istft")
    signal = jax.scipy.signal.istft(
        z, fs=1.0, window=win, nperseg=fft_length, noverlap=fft_length - sequence_stride,
        nfft=fft_length, boundary=False, time_axis=-2, freq_axis=-1)[-1]
    signal = signal / win.sum() if window is not None else signal / sequence_stride
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = -(fft_length // 2)
    else:
        end = fft_length + sequence_stride * (z.shape[-2] - 1)
    return signal[..., start:end]


def view_as_complex(x: Any) -> jax.Array:
    """A ``(..., 2)`` real tensor as complex64 ``real + 1j * imag``.

    Example:
        >>> view_as_complex(jnp.array([1.0, 2.0]))
        Array(1.+2.j, dtype=complex64)
    """
    x = _t(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(
            "view_as_complex: the last dimension must have size 2 (real, imaginary), "
            f"received shape {x.shape}."
        )
    return lax.complex(x[..., 0].astype(jnp.float32), x[..., 1].astype(jnp.float32))


def view_as_real(x: Any) -> jax.Array:
    """A complex tensor as a real ``(..., 2)`` tensor of (real, imaginary) parts.

    Example:
        >>> view_as_real(jnp.array(1 + 2j)).tolist()
        [1.0, 2.0]
    """
    x = _t(x)
    return jnp.stack((jnp.real(x), jnp.imag(x)), axis=-1)
