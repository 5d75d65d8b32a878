"""Keras 3's ``keras.ops.nn`` on JAX: activations, convolutions, pooling, normalization,
attention, one-hot encodings, crossentropies and CTC.

Built on ``jax.nn`` / ``jax.lax`` / ``optax`` and on jnn's own building blocks (activations
from :mod:`jnn._core.activations`, the convolution lowering of :mod:`jnn._core.layers.conv`,
the crossentropy terms of :mod:`jnn._core.losses`), with Keras's argument names, defaults
(``gelu(approximate=True)``, ``leaky_relu(negative_slope=0.2)``, ``data_format=None`` meaning
``"channels_last"``) and result dtypes (``one_hot`` gives ``floatx()``).

Public names (the facade ``jnn.ops`` / ``jnn.ops.nn`` re-exports every name in ``__all__``).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn._core.ops import nn
    >>> nn.one_hot(jnp.array([0, 2]), 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import math as _math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from jnn._core import activations as _act
from jnn._core import losses as _losses
from jnn._core.layers.conv import convolve, depthwise_convolve
from jnn._core.layers.conv_transpose import transpose_padding
from jnn._core.layers.pooling import _same_counts
from jnn._core.ops import _dtypes

__all__ = [
    "adaptive_average_pool", "adaptive_max_pool", "average_pool", "batch_normalization",
    "binary_crossentropy", "categorical_crossentropy", "celu", "conv", "conv_transpose",
    "ctc_decode", "ctc_loss", "depth_to_space", "depthwise_conv", "dot_product_attention",
    "elu", "fold", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "layer_normalization", "leaky_relu", "log_sigmoid", "log_softmax", "max_pool",
    "moments", "multi_hot", "normalize", "one_hot", "polar", "psnr", "relu", "relu6",
    "rms_normalization", "selu", "separable_conv", "sigmoid", "silu", "soft_shrink", "softmax",
    "softplus", "softsign", "space_to_depth", "sparse_categorical_crossentropy", "sparse_plus",
    "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh_shrink", "threshold",
    "unfold",
]  # fmt: skip

EPSILON = 1e-7  # Keras's backend.epsilon()


def _t(x: Any, dtype: Any = None) -> jax.Array:
    return _dtypes.convert_to_tensor(x, dtype=dtype)


# --- activations ---------------------------------------------------------------------------------


def relu(x: Any) -> jax.Array:
    """Rectified linear unit ``max(x, 0)``.

    Example:
        >>> relu(jnp.array([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _act.relu(_t(x))


def relu6(x: Any) -> jax.Array:
    """``min(max(x, 0), 6)``.

    Example:
        >>> relu6(jnp.array([7.0])).tolist()
        [6.0]
    """
    return _act.relu6(_t(x))


def sigmoid(x: Any) -> jax.Array:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Example:
        >>> sigmoid(jnp.array([0.0])).tolist()
        [0.5]
    """
    return _act.sigmoid(_t(x))


def sparse_sigmoid(x: Any) -> jax.Array:
    """Piecewise-linear sigmoid: 0 below -1, 1 above 1, ``(x + 1) / 2`` between.

    Example:
        >>> sparse_sigmoid(jnp.array([0.0])).tolist()
        [0.5]
    """
    return jax.nn.sparse_sigmoid(_t(x))


def tanh(x: Any) -> jax.Array:
    """Hyperbolic tangent.

    Example:
        >>> tanh(jnp.array([0.0])).tolist()
        [0.0]
    """
    return _act.tanh(_t(x))


def tanh_shrink(x: Any) -> jax.Array:
    """``x - tanh(x)``.

    Example:
        >>> tanh_shrink(jnp.array([0.0])).tolist()
        [0.0]
    """
    x = _t(x)
    return x - jnp.tanh(x)


def softplus(x: Any) -> jax.Array:
    """``log(1 + exp(x))``.

    Example:
        >>> round(float(softplus(jnp.array(0.0))), 4)
        0.6931
    """
    return _act.softplus(_t(x))


def softsign(x: Any) -> jax.Array:
    """``x / (1 + |x|)``.

    Example:
        >>> softsign(jnp.array([1.0])).tolist()
        [0.5]
    """
    return _act.softsign(_t(x))


def soft_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0.

    Example:
        >>> soft_shrink(jnp.array([-1.0, 0.2, 1.0])).tolist()
        [-0.5, 0.0, 0.5]
    """
    x = _t(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


def hard_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """``x`` where ``|x| > threshold``, else 0.

    Example:
        >>> hard_shrink(jnp.array([-1.0, 0.2])).tolist()
        [-1.0, 0.0]
    """
    x = _t(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


def threshold(x: Any, threshold: float, default_value: float) -> jax.Array:
    """``x`` where ``x > threshold``, else ``default_value``.

    Example:
        >>> threshold(jnp.array([0.0, 2.0]), 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    x = _t(x)
    return jnp.where(x > threshold, x, default_value)


def sparse_plus(x: Any) -> jax.Array:
    """0 below -1, ``x`` above 1, ``(x + 1)^2 / 4`` between.

    Example:
        >>> sparse_plus(jnp.array([0.0])).tolist()
        [0.25]
    """
    return jax.nn.sparse_plus(_t(x))


def silu(x: Any) -> jax.Array:
    """SiLU / swish ``x * sigmoid(x)``.

    Example:
        >>> silu(jnp.array([0.0])).tolist()
        [0.0]
    """
    return _act.silu(_t(x))


swish = silu


def squareplus(x: Any, b: float = 4) -> jax.Array:
    """``(x + sqrt(x^2 + b)) / 2``.

    Example:
        >>> squareplus(jnp.array([0.0])).tolist()
        [1.0]
    """
    return jax.nn.squareplus(_t(x), b=b)


def log_sigmoid(x: Any) -> jax.Array:
    """``log(sigmoid(x))``, computed stably.

    Example:
        >>> round(float(log_sigmoid(jnp.array(0.0))), 4)
        -0.6931
    """
    return _act.log_sigmoid(_t(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> jax.Array:
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

    Example:
        >>> leaky_relu(jnp.array([-1.0])).tolist()
        [-0.2...]
    """
    return _act.leaky_relu(_t(x), negative_slope=negative_slope)


def hard_sigmoid(x: Any) -> jax.Array:
    """``relu6(x + 3) / 6``.

    Example:
        >>> hard_sigmoid(jnp.array([0.0])).tolist()
        [0.5]
    """
    return _act.hard_sigmoid(_t(x))


def hard_silu(x: Any) -> jax.Array:
    """``x * hard_sigmoid(x)``.

    Example:
        >>> hard_silu(jnp.array([3.0])).tolist()
        [3.0]
    """
    return _act.hard_silu(_t(x))


hard_swish = hard_silu


def hard_tanh(x: Any) -> jax.Array:
    """``clip(x, -1, 1)``.

    Example:
        >>> hard_tanh(jnp.array([-2.0])).tolist()
        [-1.0]
    """
    return _act.hard_tanh(_t(x))


def elu(x: Any, alpha: float = 1.0) -> jax.Array:
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> elu(jnp.array([1.0])).tolist()
        [1.0]
    """
    return _act.elu(_t(x), alpha=alpha)


def selu(x: Any) -> jax.Array:
    """Scaled ELU (self-normalising constants).

    Example:
        >>> selu(jnp.array([0.0])).tolist()
        [0.0]
    """
    return _act.selu(_t(x))


def gelu(x: Any, approximate: bool = True) -> jax.Array:
    """Gaussian error linear unit; the tanh approximation by default, as ``keras.ops.gelu``.

    Example:
        >>> gelu(jnp.array([0.0])).tolist()
        [0.0]
    """
    return _act.gelu(_t(x), approximate=approximate)


def celu(x: Any, alpha: float = 1.0) -> jax.Array:
    """``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``.

    Example:
        >>> celu(jnp.array([1.0])).tolist()
        [1.0]
    """
    return _act.celu(_t(x), alpha=alpha)


def glu(x: Any, axis: int = -1) -> jax.Array:
    """Gated linear unit: halves ``a, b`` of ``x`` on ``axis``, ``a * sigmoid(b)``.

    Example:
        >>> glu(jnp.array([1.0, 0.0])).tolist()
        [0.5]
    """
    return _act.glu(_t(x), axis=axis)


def _over_axes(fn: Any, x: jax.Array, axis: Any) -> jax.Array:
    """``fn(., axis=-1)`` applied jointly over several axes (moved last and flattened)."""
    axes = tuple(a % x.ndim for a in axis)
    keep = [a for a in range(x.ndim) if a not in axes]
    moved = jnp.transpose(x, (*keep, *axes))
    out = fn(moved.reshape(*moved.shape[: len(keep)], -1), axis=-1).reshape(moved.shape)
    return jnp.transpose(out, np.argsort((*keep, *axes)))


def softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """Softmax along ``axis`` (an int, or a tuple of axes normalised jointly).

    Example:
        >>> softmax(jnp.array([0.0, 0.0])).tolist()
        [0.5, 0.5]
    """
    x = _t(x)
    if isinstance(axis, (tuple, list)):
        return _over_axes(_act.softmax, x, axis)
    return _act.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """Log of the softmax along ``axis`` (an int or a tuple of axes).

    Example:
        >>> round(float(log_softmax(jnp.array([0.0, 0.0]))[0]), 4)
        -0.6931
    """
    x = _t(x)
    if isinstance(axis, (tuple, list)):
        return _over_axes(_act.log_softmax, x, axis)
    return _act.log_softmax(x, axis=axis)


def sparsemax(x: Any, axis: int = -1) -> jax.Array:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Example:
        >>> sparsemax(jnp.array([2.0, 0.0])).tolist()
        [1.0, 0.0]
    """
    return _act.sparsemax(_t(x), axis=axis)


# --- convolution and pooling ---------------------------------------------------------------------


def _data_format(data_format: str | None, fn: str) -> str:
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{fn}: argument `data_format` must be 'channels_last' or 'channels_first', "
            f"received {data_format!r}."
        )
    return data_format


def _padding(padding: Any, fn: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{fn}: argument `padding` must be 'valid' or 'same', received {padding!r}.")
    return padding.lower()


def _tuple(value: Any, rank: int, fn: str, arg: str) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * rank
    value = tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(
            f"{fn}: argument `{arg}` must be an int or a tuple of {rank} ints, received {value}."
        )
    return value


def _channels(x: jax.Array, data_format: str) -> int:
    return x.shape[-1] if data_format == "channels_last" else x.shape[1]


def _check_rank(x: jax.Array, fn: str) -> int:
    if x.ndim < 3:
        raise ValueError(
            f"{fn}: `inputs` must have a batch axis, at least one spatial axis and a channel "
            f"axis (rank >= 3), received shape {x.shape}."
        )
    return x.ndim - 2


def conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: Any = 1) -> jax.Array:  # fmt: skip
    """N-D convolution of ``inputs`` by ``kernel`` ``(*kernel_size, in // groups, out)``;
    grouped when the input has a multiple of the kernel's input channels.

    Example:
        >>> conv(jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 4))).shape
        (1, 3, 3, 4)
    """
    fn = "conv"
    data_format = _data_format(data_format, fn)
    kernel = _t(kernel)
    x = _t(inputs, kernel.dtype)
    rank = _check_rank(x, fn)
    channels, k_in = _channels(x, data_format), kernel.shape[-2]
    if channels % k_in:
        raise ValueError(
            f"conv: the input channels ({channels}) must be a multiple of the kernel's input "
            f"channels ({k_in}); received inputs {x.shape} and kernel {kernel.shape}."
        )
    y = convolve(x, kernel, strides=_tuple(strides, rank, fn, "strides"),
                 padding=_padding(padding, fn).upper(),
                 dilation=_tuple(dilation_rate, rank, fn, "dilation_rate"),
                 data_format=data_format, groups=channels // k_in)  # fmt: skip
    if y.size == 0 and x.size != 0:
        raise ValueError(
            f"conv: the output is empty: inputs {x.shape} are too small for kernel "
            f"{kernel.shape} with strides={strides}, padding={padding!r}, "
            f"dilation_rate={dilation_rate}."
        )
    return y


def depthwise_conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: Any = 1) -> jax.Array:  # fmt: skip
    """Depthwise convolution with ``kernel`` ``(*kernel_size, channels, multiplier)``.

    Example:
        >>> depthwise_conv(jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 2))).shape
        (1, 3, 3, 4)
    """
    fn = "depthwise_conv"
    data_format = _data_format(data_format, fn)
    x, kernel = _t(inputs), _t(kernel)
    rank = _check_rank(x, fn)
    if _channels(x, data_format) != kernel.shape[-2]:
        raise ValueError(
            f"depthwise_conv: the input channels ({_channels(x, data_format)}) must equal the "
            f"kernel's (kernel.shape[-2] = {kernel.shape[-2]}); received inputs {x.shape}, "
            f"kernel {kernel.shape}."
        )
    dtype = _dtypes.result_type(x.dtype, kernel.dtype)
    return depthwise_convolve(
        x.astype(dtype), kernel.astype(dtype), strides=_tuple(strides, rank, fn, "strides"),
        padding=_padding(padding, fn).upper(),
        dilation=_tuple(dilation_rate, rank, fn, "dilation_rate"), data_format=data_format)


def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: Any = 1,
                   padding: str = "valid", data_format: str | None = None,
                   dilation_rate: Any = 1) -> jax.Array:  # fmt: skip
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    Example:
        >>> separable_conv(jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 1)),
        ...                jnp.ones((1, 1, 2, 4))).shape
        (1, 3, 3, 4)
    """
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def conv_transpose(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   output_padding: Any = None, data_format: str | None = None,
                   dilation_rate: Any = 1) -> jax.Array:  # fmt: skip
    """Transposed convolution with ``kernel`` ``(*kernel_size, out, in)`` and Keras's output
    length (``output_padding`` adds to the right).

    Example:
        >>> conv_transpose(jnp.ones((1, 4, 4, 3)), jnp.ones((3, 3, 2, 3)), 2, "same").shape
        (1, 8, 8, 2)
    """
    fn = "conv_transpose"
    data_format = _data_format(data_format, fn)
    x, kernel = _t(inputs), _t(kernel)
    rank = _check_rank(x, fn)
    if _channels(x, data_format) != kernel.shape[-1]:
        raise ValueError(
            f"conv_transpose: the input channels ({_channels(x, data_format)}) must equal the "
            f"kernel's last axis ({kernel.shape[-1]}); received inputs {x.shape}, kernel "
            f"{kernel.shape}."
        )
    padding = _padding(padding, fn)
    strides = _tuple(strides, rank, fn, "strides")
    dilation = _tuple(dilation_rate, rank, fn, "dilation_rate")
    out_pad = (None,) * rank if output_padding is None else _tuple(
        output_padding, rank, fn, "output_padding")
    pads = [transpose_padding(k, s, d, padding, p)
            for k, s, d, p in zip(kernel.shape[:rank], strides, dilation, out_pad)]
    dtype = _dtypes.result_type(x.dtype, kernel.dtype)
    flipped = jnp.flip(kernel.astype(dtype), axis=tuple(range(rank)))
    return convolve(x.astype(dtype), jnp.swapaxes(flipped, -1, -2), strides=(1,) * rank,
                    padding=pads, dilation=dilation, data_format=data_format,
                    lhs_dilation=strides)  # fmt: skip


def _window(sizes: tuple, data_format: str) -> tuple:
    return (1, *sizes, 1) if data_format == "channels_last" else (1, 1, *sizes)


def _pool_args(inputs: Any, pool_size: Any, strides: Any, padding: str, data_format: Any,
               fn: str) -> tuple:  # fmt: skip
    x = _t(inputs)
    data_format = _data_format(data_format, fn)
    rank = _check_rank(x, fn)
    pool = _tuple(pool_size, rank, fn, "pool_size")
    strides = pool if strides is None else _tuple(strides, rank, fn, "strides")
    return x, pool, strides, _padding(padding, fn), data_format


def max_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Max pooling over the spatial axes (``strides`` default to ``pool_size``).

    Example:
        >>> max_pool(jnp.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
        [1.0, 3.0]
    """
    x, pool, strides, padding, df = _pool_args(inputs, pool_size, strides, padding, data_format,
                                               "max_pool")
    lowest = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
    # A concrete (NumPy) init value keeps lax's differentiable max/add window rules under jit.
    return lax.reduce_window(x, np.array(lowest, x.dtype), lax.max, _window(pool, df),
                             _window(strides, df), padding.upper())


def average_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Average pooling; with ``"same"`` padding each window averages its real elements only.

    Example:
        >>> average_pool(jnp.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
        [0.5, 2.5]
    """
    x, pool, strides, padding, df = _pool_args(inputs, pool_size, strides, padding, data_format,
                                               "average_pool")
    sums = lax.reduce_window(x, np.array(0, x.dtype), lax.add, _window(pool, df),
                             _window(strides, df), padding.upper())
    if padding == "valid":
        return sums / _math.prod(pool)
    spatial = x.shape[1:-1] if df == "channels_last" else x.shape[2:]
    counts = _same_counts(spatial, pool, strides)
    return sums / jnp.asarray(counts.reshape(_window(counts.shape, df)), sums.dtype)


def _adaptive_matrix(n: int, out: int) -> np.ndarray:
    """``(out, n)`` membership of input positions in each adaptive window (PyTorch's rule:
    window ``i`` spans ``[floor(i n / out), ceil((i + 1) n / out))``)."""
    i = np.arange(out)
    starts, ends = (i * n) // out, -((-(i + 1) * n) // out)
    pos = np.arange(n)
    return (pos[None, :] >= starts[:, None]) & (pos[None, :] < ends[:, None])


def _adaptive_pool(inputs: Any, output_size: Any, data_format: Any, mode: str) -> jax.Array:
    fn = f"adaptive_{mode}_pool"
    x = _t(inputs)
    df = _data_format(data_format, fn)
    rank = x.ndim - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"{fn}: `inputs` must be 3D, 4D or 5D, received shape {x.shape}.")
    sizes = _tuple(output_size, rank, fn, "output_size")
    first = 1 if df == "channels_last" else 2
    for i, out in enumerate(sizes):
        axis = first + i
        member = _adaptive_matrix(x.shape[axis], out)
        moved = jnp.moveaxis(x, axis, -1)
        if mode == "average":
            weights = member / member.sum(axis=1, keepdims=True)
            pooled = moved @ jnp.asarray(weights.T, x.dtype)
        else:
            lowest = jnp.array(-jnp.inf, x.dtype)
            pooled = jnp.max(jnp.where(member, moved[..., None, :], lowest), axis=-1)
        x = jnp.moveaxis(pooled, -1, axis)
    return x


def adaptive_average_pool(inputs: Any, output_size: Any, data_format: str | None = None
                          ) -> jax.Array:  # fmt: skip
    """Average pooling to a fixed ``output_size`` (windows as PyTorch's adaptive pooling).

    Example:
        >>> adaptive_average_pool(jnp.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
        [0.5, 2.5]
    """
    return _adaptive_pool(inputs, output_size, data_format, "average")


def adaptive_max_pool(inputs: Any, output_size: Any, data_format: str | None = None
                      ) -> jax.Array:  # fmt: skip
    """Max pooling to a fixed ``output_size``.

    Example:
        >>> adaptive_max_pool(jnp.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
        [1.0, 3.0]
    """
    return _adaptive_pool(inputs, output_size, data_format, "max")


def _pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)


def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
           ) -> jax.Array:  # fmt: skip
    """Sliding blocks of a ``(N, C, H, W)`` image as ``(N, C * kh * kw, L)`` (PyTorch's unfold).

    Example:
        >>> unfold(jnp.ones((1, 2, 4, 4)), 2).shape
        (1, 8, 9)
    """
    x = _t(x)
    if x.ndim != 4:
        raise ValueError(f"unfold: input must be 4D (N, C, H, W), received shape {x.shape}.")
    ph, pw = _pair(padding)
    x = jnp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    patches = lax.conv_general_dilated_patches(
        x, _pair(kernel_size), _pair(stride), "VALID", rhs_dilation=_pair(dilation),
        dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return patches.reshape(*patches.shape[:2], -1)


def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> jax.Array:  # fmt: skip
    """Sums ``(N, C * kh * kw, L)`` blocks back into a ``(N, C, H, W)`` image (PyTorch's fold,
    the adjoint of :func:`unfold`).

    Example:
        >>> fold(unfold(jnp.ones((1, 1, 3, 3)), 2), 3, 2)[0, 0].tolist()
        [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    x = _t(x)
    if x.ndim != 3:
        raise ValueError(f"fold: input must be 3D (N, C*kh*kw, L), received shape {x.shape}.")
    kh, kw = _pair(kernel_size)
    channels = x.shape[1] // (kh * kw)
    template = jnp.zeros((x.shape[0], channels, *_pair(output_size)), x.dtype)
    _, adjoint = jax.vjp(lambda img: unfold(img, kernel_size, dilation, padding, stride), template)
    return adjoint(x)[0]


def _block(x: Any, block_size: int, data_format: str | None, fn: str) -> tuple:
    x = _t(x)
    if x.ndim != 4:
        raise ValueError(f"{fn}: input must be 4D, received shape {x.shape}.")
    if int(block_size) < 2:
        raise ValueError(f"{fn}: `block_size` must be at least 2, received {block_size}.")
    return x, int(block_size), _data_format(data_format, fn)


def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> jax.Array:
    """Moves channel blocks into ``block_size x block_size`` spatial tiles (pixel shuffle).

    Example:
        >>> depth_to_space(jnp.ones((1, 2, 2, 4)), 2).shape
        (1, 4, 4, 1)
    """
    x, b, df = _block(x, block_size, data_format, "depth_to_space")
    if df == "channels_last":
        n, h, w, c = x.shape
        y = x.reshape(n, h, w, b, b, c // b**2).transpose(0, 1, 3, 2, 4, 5)
        return y.reshape(n, h * b, w * b, c // b**2)
    n, c, h, w = x.shape
    y = x.reshape(n, c // b**2, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return y.reshape(n, c // b**2, h * b, w * b)


def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> jax.Array:
    """Moves ``block_size x block_size`` spatial tiles into channels (inverse of
    :func:`depth_to_space`).

    Example:
        >>> space_to_depth(jnp.ones((1, 4, 4, 1)), 2).shape
        (1, 2, 2, 4)
    """
    x, b, df = _block(x, block_size, data_format, "space_to_depth")
    if df == "channels_last":
        n, h, w, c = x.shape
        y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
        return y.reshape(n, h // b, w // b, c * b * b)
    n, c, h, w = x.shape
    y = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 1, 3, 5, 2, 4)
    return y.reshape(n, c * b * b, h // b, w // b)


# --- encodings -----------------------------------------------------------------------------------


def _no_sparse(sparse: bool, fn: str) -> None:
    if sparse:
        raise ValueError(
            f"{fn}: sparse=True is not supported (jnn ops return dense JAX arrays); "
            "use sparse=False."
        )


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False
            ) -> jax.Array:  # fmt: skip
    """One-hot encoding of integer ``x`` on a new ``axis`` (``floatx()`` by default; negative
    or out-of-range indices give all zeros).

    Example:
        >>> one_hot(jnp.array([1]), 3).tolist()
        [[0.0, 1.0, 0.0]]
    """
    _no_sparse(sparse, "one_hot")
    dtype = _dtypes.standardize_dtype(dtype)
    return jax.nn.one_hot(_t(x), num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> jax.Array:  # fmt: skip
    """Multi-hot encoding: 1 for every class present in each row of ``inputs`` (a rank-1
    input is one row). ``num_tokens`` is accepted as an alias of ``num_classes``.

    Example:
        >>> multi_hot(jnp.array([[0, 2], [1, 1]]), 3).tolist()
        [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: argument `num_classes` must be specified.")
    if kwargs:
        raise TypeError(f"multi_hot: unexpected keyword arguments {sorted(kwargs)}.")
    _no_sparse(sparse, "multi_hot")
    x = _t(inputs)
    encoded = one_hot(x.astype(jnp.int32), num_classes, axis=axis, dtype=dtype)
    return jnp.max(encoded, axis=1 if x.ndim > 1 else 0)


# --- normalization -------------------------------------------------------------------------------


def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False
            ) -> tuple[jax.Array, jax.Array]:  # fmt: skip
    """Mean and variance of ``x`` over ``axes`` (half precision computed in float32).

    Example:
        >>> [v.tolist() for v in moments(jnp.array([1.0, 3.0]), axes=[0])]
        [2.0, 1.0]
    """
    if synchronized:
        raise NotImplementedError(
            "moments: synchronized=True is not supported on the JAX backend (as in Keras); "
            "compute the statistics under jax.lax.pmean yourself."
        )
    x = _t(x)
    original = x.dtype
    half = original in (jnp.float16, jnp.bfloat16)
    if half:
        x = x.astype(jnp.float32)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    mean = jnp.mean(x, axis=axes, keepdims=keepdims)
    variance = jnp.var(x, axis=axes, keepdims=keepdims)
    if half:
        info = jnp.finfo(jnp.float16)
        mean = jnp.clip(mean, info.min, info.max).astype(original)
        variance = jnp.clip(variance, info.min, info.max).astype(original)
    return mean, variance


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> jax.Array:  # fmt: skip
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with the 1-D statistics laid
    along ``axis``.

    Example:
        >>> batch_normalization(jnp.array([[1.0, 3.0]]), jnp.array([1.0, 1.0]),
        ...                     jnp.array([1.0, 1.0]), axis=-1, epsilon=0.0).tolist()
        [[0.0, 2.0]]
    """
    x, mean, variance = _t(x), _t(mean), _t(variance)
    shape = [1] * x.ndim
    shape[axis] = mean.shape[0]
    inv = lax.rsqrt(variance.reshape(shape) + epsilon)
    if scale is not None:
        inv = inv * _t(scale).reshape(shape)
    res = -mean.reshape(shape) * inv
    if offset is not None:
        res = res + _t(offset).reshape(shape)
    return x * inv + res


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> jax.Array:
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``).

    Example:
        >>> normalize(jnp.array([3.0, 4.0])).tolist()
        [0.6000000238418579, 0.800000011920929]
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: argument `order` must be an int >= 1, received {order!r}.")
    x = _t(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = EPSILON if epsilon is None else epsilon
    if order == 2:
        inv = lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inv, 1.0 / epsilon)
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, epsilon)


def _compute(x: Any) -> tuple[jax.Array, str]:
    x = _t(x)
    original = _dtypes.standardize_dtype(x.dtype)
    return x.astype(_dtypes.result_type(original, "float32")), original


def rms_normalization(x: Any, scale: Any = None, axis: Any = -1, epsilon: float | None = None
                      ) -> jax.Array:  # fmt: skip
    """``x / sqrt(mean(x^2, axis) + epsilon) * scale`` (computed in at least float32).

    Example:
        >>> rms_normalization(jnp.array([1.0, 1.0])).tolist()
        [0.99999994..., 0.99999994...]
    """
    epsilon = EPSILON if epsilon is None else epsilon
    x, original = _compute(x)
    if x.ndim == 0:
        x = x[None]
    axis = tuple(sorted(axis)) if isinstance(axis, (list, tuple)) else axis
    out = x * lax.rsqrt(jnp.mean(jnp.square(x), axis=axis, keepdims=True) + epsilon)
    if scale is not None:
        scale = _t(scale, x.dtype)
        out = out * scale.reshape((1,) * (out.ndim - scale.ndim) + scale.shape)
    return out.astype(original)


def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1,
                        epsilon: float | None = None, **kwargs: Any) -> jax.Array:  # fmt: skip
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over ``axis`` (computed in at least
    float32). Keras's deprecated ``rms_scaling=True`` is accepted.

    Example:
        >>> layer_normalization(jnp.array([1.0, 3.0])).round(3).tolist()
        [-1.0, 1.0]
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected keyword arguments {sorted(kwargs)}.")
    epsilon = EPSILON if epsilon is None else epsilon
    x, original = _compute(x)
    axes = sorted([axis] if isinstance(axis, int) else list(axis))
    axes = [a % x.ndim for a in axes]
    shape = [x.shape[d] if d in axes else 1 for d in range(x.ndim)]

    def bcast(v: Any) -> Any:
        if v is None:
            return None
        v = _t(v, x.dtype)
        return v.reshape(shape) if v.ndim != x.ndim else v

    gamma, beta = bcast(gamma), bcast(beta)
    if rms_scaling:
        out = x * lax.rsqrt(jnp.var(x, axis=tuple(axes), keepdims=True) + epsilon)
        if gamma is not None:
            out = out * gamma
        return out.astype(original)
    mean, variance = moments(x, axes, keepdims=True)
    inv = lax.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma
    res = -mean * inv
    if beta is not None:
        res = res + beta
    return (x * inv + res).astype(original)


# --- attention -----------------------------------------------------------------------------------


def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None, mask: Any = None,
                          scale: float | None = None, is_causal: bool = False,
                          flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> jax.Array:  # fmt: skip
    """Scaled dot-product attention over ``(batch, time, heads, depth)`` tensors, through
    ``jax.nn.dot_product_attention``. ``flash_attention=True`` asks for the cuDNN kernel (GPU
    only), ``False`` for XLA's, ``None`` lets JAX choose.

    Example:
        >>> q = jnp.ones((1, 4, 2, 8))
        >>> dot_product_attention(q, q, q, is_causal=True).shape
        (1, 4, 2, 8)
    """
    if attn_logits_soft_cap is not None and jax.devices()[0].platform != "tpu":
        raise ValueError(
            "dot_product_attention: attn_logits_soft_cap is only supported on TPU (as in "
            "Keras); set attn_logits_soft_cap=None."
        )
    query, key, value = _t(query), _t(key), _t(value)
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(
            "dot_product_attention: query, key and value must be 4D (batch, time, heads, "
            f"depth); received {query.shape}, {key.shape}, {value.shape}."
        )
    dtype = _dtypes.result_type(query.dtype, key.dtype, value.dtype)
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    if bias is not None:
        bias = _t(bias, dtype)
    if mask is not None:
        mask = _t(mask).astype(bool)
    impl = None if flash_attention is None else ("cudnn" if flash_attention else "xla")
    try:
        return jax.nn.dot_product_attention(query, key, value, bias, mask, scale=scale,
                                            is_causal=is_causal, implementation=impl)
    except Exception as err:  # noqa: BLE001 - rewrapped with the reason
        if impl != "cudnn":
            raise
        raise RuntimeError(
            "dot_product_attention: flash_attention=True needs cuDNN flash attention (a "
            f"supported NVIDIA GPU, float16/bfloat16 inputs); it failed with: {err}"
        ) from err


# --- losses and metrics --------------------------------------------------------------------------


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> jax.Array:
    """Elementwise binary crossentropy (probabilities clipped to ``[1e-7, 1 - 1e-7]``).

    Example:
        >>> round(float(binary_crossentropy(jnp.array([1.0]), jnp.array([0.5]))[0]), 4)
        0.6931
    """
    return _losses._binary_ce_elementwise(_t(target), _t(output), from_logits)


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1
                             ) -> jax.Array:  # fmt: skip
    """Crossentropy between one-hot (or soft) ``target`` and ``output`` along ``axis``.

    Example:
        >>> categorical_crossentropy(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]])).round(4)
        Array([0.6931], dtype=float32)
    """
    target, output = _t(target), _t(output)
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: `target` and `output` must have the same shape; "
            f"received target.shape={target.shape}, output.shape={output.shape}."
        )
    if target.ndim < 1:
        raise ValueError("categorical_crossentropy: `target` and `output` must be at least 1D.")
    return -jnp.sum(target * _losses._log_probs(output, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> jax.Array:  # fmt: skip
    """Crossentropy between integer class ``target`` and ``output`` along ``axis``.

    Example:
        >>> sparse_categorical_crossentropy(jnp.array([1]), jnp.array([[0.5, 0.5]])).round(4)
        Array([0.6931], dtype=float32)
    """
    target, output = _t(target, "int32"), _t(output)
    if output.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: `output` must be at least 1D.")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, -1)
    if target.shape != output.shape[:-1]:
        raise ValueError(
            "sparse_categorical_crossentropy: `target` must have the shape of `output` without "
            f"its last axis; received target.shape={target.shape}, output.shape={output.shape}."
        )
    # float32 one-hot targets, as Keras: a float16 output gives a float32 loss.
    labels = jax.nn.one_hot(target, output.shape[axis], axis=axis)
    return -jnp.sum(labels * _losses._log_probs(output, from_logits, axis), axis=axis)


def psnr(x1: Any, x2: Any, max_val: Any) -> jax.Array:
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)``.

    Example:
        >>> float(psnr(jnp.zeros(4), jnp.full(4, 0.1), 1.0))
        20.0...
    """
    x1, x2 = _t(x1), _t(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"psnr: input shapes {x1.shape} and {x2.shape} must match.")
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20 * jnp.log10(_t(max_val, x2.dtype)) - 10 * jnp.log10(mse)


def polar(abs_: Any, angle: Any) -> jax.Array:
    """The complex number ``abs_ * (cos(angle) + i sin(angle))``.

    Example:
        >>> polar(jnp.array([2.0]), jnp.array([0.0])).tolist()
        [(2+0j)]
    """
    abs_, angle = _t(abs_), _t(angle)
    return lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


# --- CTC -----------------------------------------------------------------------------------------


def _paddings(lengths: jax.Array, size: int, dtype: Any) -> jax.Array:
    return (jnp.arange(size)[None, :] >= lengths[:, None]).astype(dtype)


def ctc_loss(target: Any, output: Any, target_length: Any, output_length: Any,
             mask_index: int = 0) -> jax.Array:  # fmt: skip
    """Per-sequence CTC loss of ``output`` logits ``(batch, time, classes)`` against integer
    ``target`` ``(batch, max_label_length)`` (``optax.ctc_loss``; ``mask_index`` is the blank).

    Example:
        >>> ctc_loss(jnp.array([[1]]), jnp.zeros((1, 2, 3)), jnp.array([1]), jnp.array([2])).shape
        (1,)
    """
    target = _t(target, "int32")
    output = _t(output)
    output = output.astype(_dtypes.result_type(output.dtype, "float32"))
    target_length, output_length = _t(target_length, "int32"), _t(output_length, "int32")
    return optax.ctc_loss(
        output, _paddings(output_length, output.shape[1], output.dtype), target,
        _paddings(target_length, target.shape[1], output.dtype), blank_id=mask_index)


def _ctc_greedy(inputs: jax.Array, lengths: jax.Array, merge_repeated: bool, mask_index: int
                ) -> tuple[jax.Array, jax.Array]:  # fmt: skip
    batch, steps, _ = inputs.shape
    best = jnp.argmax(inputs, axis=-1)
    scores = jnp.max(inputs, axis=-1)
    past_end = jnp.arange(steps)[None, :] >= lengths[:, None]
    best = jnp.where(past_end, mask_index, best)
    scores = jnp.where(past_end, 0.0, scores)
    if merge_repeated:
        repeat = jnp.pad(best[:, 1:] == best[:, :-1], ((0, 0), (1, 0)))
        best = jnp.where(repeat, mask_index, best)
    blank = best == mask_index
    best = jnp.where(blank, -1, best)
    # Stable sort moving the blanks (-1) to the end, kept labels in order.
    order = jnp.argsort(jnp.where(blank, steps, jnp.arange(steps)[None, :]), axis=-1)
    best = jnp.take_along_axis(best, order, axis=-1)
    return best[None], -jnp.sum(scores, axis=1)[:, None]


def _segment_logsumexp(values: jax.Array, ids: jax.Array, size: int) -> jax.Array:
    top = jnp.max(values)
    top = jnp.where(jnp.isfinite(top), top, 0.0)
    sums = jax.ops.segment_sum(jnp.exp(values - top), ids, size)
    return jnp.log(sums) + top


def _ctc_beam_search(logits: jax.Array, lengths: jax.Array, beam_width: int, top_paths: int,
                     blank: int) -> tuple[jax.Array, jax.Array]:  # fmt: skip
    """CTC prefix beam search: each beam is a label prefix with the log-probabilities of its
    alignments ending in a blank (``pb``) and in a label (``pnb``); equal prefixes merge."""
    batch, steps, classes = logits.shape
    logp = jax.nn.log_softmax(logits)
    width = max(beam_width, top_paths)
    n_cand = width * classes
    neg = jnp.array(-jnp.inf, logp.dtype)
    labels = jnp.arange(classes)

    def step(state: tuple, inp: tuple) -> tuple:
        paths, size, pb, pnb = state  # (W, T), (W,), (W,), (W,)
        lp, active = inp
        last = jnp.where(size > 0, paths[jnp.arange(width), jnp.maximum(size - 1, 0)], -1)
        total = jnp.logaddexp(pb, pnb)
        # Candidate (i, c): c == blank keeps prefix i, any other label appends c.
        keep = labels[None, :] == blank
        repeat = labels[None, :] == last[:, None]
        cand_pb = jnp.where(keep, total[:, None] + lp[blank], neg)
        ext = jnp.where(repeat, pb[:, None], total[:, None]) + lp[None, :]
        stay = jnp.where(last >= 0, pnb + lp[jnp.maximum(last, 0)], neg)
        cand_pnb = jnp.where(keep, stay[:, None], ext)
        grown = paths[:, None, :].repeat(classes, axis=1)
        pos = jnp.minimum(size, steps - 1)[:, None]
        written = grown.at[jnp.arange(width)[:, None], jnp.arange(classes)[None, :], pos].set(
            jnp.where(keep, -1, labels[None, :]))
        cand_paths = jnp.where(keep[..., None], grown, written).reshape(n_cand, steps)
        cand_size = jnp.where(keep, size[:, None], size[:, None] + 1).reshape(n_cand)
        unique, inverse = jnp.unique(cand_paths, axis=0, return_inverse=True, size=n_cand,
                                     fill_value=-2)  # fmt: skip
        inverse = inverse.reshape(n_cand)
        m_pb = _segment_logsumexp(cand_pb.reshape(n_cand), inverse, n_cand)
        m_pnb = _segment_logsumexp(cand_pnb.reshape(n_cand), inverse, n_cand)
        m_size = jax.ops.segment_max(cand_size, inverse, n_cand)
        best = lax.top_k(jnp.logaddexp(m_pb, m_pnb), width)[1]
        new = (unique[best], m_size[best], m_pb[best], m_pnb[best])
        return jax.tree_util.tree_map(lambda a, b: jnp.where(active, a, b), new, state), None

    def one(lp: jax.Array, length: jax.Array) -> tuple[jax.Array, jax.Array]:
        init = (jnp.full((width, steps), -1, jnp.int32), jnp.zeros(width, jnp.int32),
                jnp.full(width, neg).at[0].set(0.0), jnp.full(width, neg))  # fmt: skip
        (paths, _, pb, pnb), _ = lax.scan(step, init, (lp, jnp.arange(steps) < length))
        scores, order = lax.top_k(jnp.logaddexp(pb, pnb), top_paths)
        return paths[order], scores

    paths, scores = jax.vmap(one)(logp, lengths)
    return jnp.swapaxes(paths, 0, 1), scores


def ctc_decode(inputs: Any, sequence_lengths: Any, strategy: str = "greedy",
               beam_width: int = 100, top_paths: int = 1, merge_repeated: bool = True,
               mask_index: int | None = 0) -> tuple[jax.Array, jax.Array]:  # fmt: skip
    """Decodes ``(batch, time, classes)`` scores: ``(decoded, scores)`` with ``decoded`` of
    shape ``(top_paths, batch, time)`` padded with -1 and ``scores`` ``(batch, top_paths)``.

    ``"greedy"`` takes the best class per step (``scores`` = minus the sum of the best
    scores); ``"beam_search"`` runs a CTC prefix beam search of ``beam_width`` over the
    log-softmax of ``inputs`` (``scores`` = the log-probabilities of the decoded labellings).
    ``mask_index`` is the blank class (``None``: the last class).

    Example:
        >>> probs = jnp.log(jnp.array([[[0.1, 0.9], [0.9, 0.1], [0.1, 0.9]]]))
        >>> ctc_decode(probs, jnp.array([3]))[0].tolist()
        [[[1, 1, -1]]]
    """
    inputs = _t(inputs)
    inputs = inputs.astype(_dtypes.result_type(inputs.dtype, "float32"))
    lengths = _t(sequence_lengths, "int32")
    if mask_index is None:
        mask_index = inputs.shape[-1] - 1
    if strategy == "greedy":
        return _ctc_greedy(inputs, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _ctc_beam_search(inputs, lengths, beam_width, top_paths, mask_index)
    raise ValueError(
        f"ctc_decode: argument `strategy` must be 'greedy' or 'beam_search', received {strategy!r}."
    )
