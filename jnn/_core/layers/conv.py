"""Convolution layers: Conv1D, Conv2D, Conv3D, and the helpers every conv family shares.

A convolution is one ``jax.lax.conv_general_dilated`` call with Keras's weight layout
(kernel ``(*kernel_size, in_channels // groups, filters)``) and Keras's padding rules:
``"valid"`` (no padding), ``"same"`` (XLA/TensorFlow ``SAME``: output ``ceil(size / stride)``,
the extra padding of an even kernel on the right) and, for ``Conv1D``, ``"causal"`` (left
padding of ``dilation_rate * (kernel_size - 1)``, so an output never sees later steps).

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = Conv2D(4, 3, padding="same")
    >>> variables = layer.init(jax.random.key(0), jnp.zeros((1, 8, 8, 3)))
    >>> variables["params"]["kernel"].shape
    (3, 3, 3, 4)
    >>> layer.apply(variables, jnp.ones((2, 8, 8, 3)))[0].shape
    (2, 8, 8, 4)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.custom_derivatives import SymbolicZero

from jnn._core import activations, constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Shape, Variables
from jnn._core.layers.core import display_shape, incompatible_axis_error

# --- argument helpers shared by conv and pooling layers ------------------------------------------


def arg_error(owner: str, arg: str, expected: str, value: Any) -> ValueError:
    """``Conv2D: argument `strides` must be <expected>, received <value>.``"""
    return ValueError(f"{owner}: argument `{arg}` must be {expected}, received {value!r}.")


def normalize_tuple(owner: str, arg: str, value: Any, rank: int) -> tuple[int, ...]:
    """An int or a sequence of ``rank`` positive ints, as a tuple of ``rank`` ints.

    Example:
        >>> normalize_tuple("Conv2D", "strides", 2, 2)
        (2, 2)
    """
    expected = f"a positive int or a tuple of {rank} positive ints"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values: tuple = (int(value),) * rank
    elif isinstance(value, (tuple, list)):
        values = tuple(value)
        if len(values) != rank or any(
            isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in values
        ):
            raise arg_error(owner, arg, expected, value)
        values = tuple(int(v) for v in values)
    else:
        raise arg_error(owner, arg, expected, value)
    if any(v <= 0 for v in values):
        raise arg_error(owner, arg, expected, value)
    return values


def normalize_padding(owner: str, value: Any, allowed: tuple[str, ...] = ("valid", "same")) -> str:
    """``value`` lower-cased, checked against ``allowed`` (Keras accepts ``"SAME"`` too)."""
    if not isinstance(value, str) or value.lower() not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(
            f"{owner}: argument `padding` must be one of {choices}, received {value!r}."
        )
    return value.lower()


def bool_arg(owner: str, arg: str, value: Any) -> bool:
    """``value`` as a bool (numpy bools accepted, ints rejected)."""
    if not isinstance(value, (bool, np.bool_)):
        raise arg_error(owner, arg, "a bool", value)
    return bool(value)


def output_length(size: int | None, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Length of one spatial output axis (Keras's rule); ``None`` for an unknown size.

    Example:
        >>> output_length(7, 3, 2, "valid"), output_length(7, 3, 2, "same")
        (3, 4)
    """
    if size is None:
        return None
    if padding == "valid":
        return (size - (kernel - 1) * dilation - 1) // stride + 1
    return -(-size // stride)  # "same" and "causal": ceil(size / stride)


def spatial_dims(shape: Shape, data_format: str) -> tuple:
    """The spatial part of a full (batch included) shape."""
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def channels_of(shape: Shape, data_format: str) -> Any:
    return shape[-1] if data_format == "channels_last" else shape[1]


def with_spatial(batch: Any, spatial: tuple, channels: Any, data_format: str) -> Shape:
    """A full shape from its parts, in ``data_format`` order."""
    if data_format == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def dimension_numbers(rank: int, data_format: str) -> lax.ConvDimensionNumbers:
    """lax dimension numbers for Keras inputs and kernels ``(*spatial, in, out)``."""
    if data_format == "channels_last":
        lhs = (0, rank + 1, *range(1, rank + 1))
    else:
        lhs = (0, 1, *range(2, rank + 2))
    rhs = (rank + 1, rank, *range(rank))
    return lax.ConvDimensionNumbers(lhs_spec=lhs, rhs_spec=rhs, out_spec=lhs)


# --- the convolution itself ----------------------------------------------------------------------

# XLA:CPU's convolutions are slow next to its matrix products, and several times slower again
# inside a loop (``lax.scan``: the fused engine's epochs). On the CPU backend a convolution is
# therefore lowered to strided windows of the input and one matrix product ("im2col"): measured
# 1.4x faster per training step, and as fast inside a scan as outside (8x). Windows larger than
# this many bytes fall back to ``lax.conv_general_dilated`` (a kh*kw-fold copy of the input).
PATCHES_MAX_BYTES = 1 << 30


def _cpu_lowering() -> bool:
    return jax.default_backend() == "cpu"


def _windows(x: jax.Array, window: tuple, strides: tuple, padding: Any, dilation: tuple,
             lhs_dilation: tuple | None = None) -> list[jax.Array]:
    """Channels-last ``x`` -> one strided view ``(batch, *out, channels)`` per kernel position.

    Same geometry as ``lax.conv_general_dilated`` (``padding`` a string or ``(lo, hi)`` pairs,
    ``lhs_dilation`` inserting zeros between input elements, as a transposed convolution does).
    """
    rank = len(window)
    lhs_dilation = lhs_dilation or (1,) * rank
    spatial = tuple((n - 1) * d + 1 for n, d in zip(x.shape[1:-1], lhs_dilation))
    if isinstance(padding, str):
        effective = tuple((k - 1) * d + 1 for k, d in zip(window, dilation))
        padding = lax.padtype_to_pads(spatial, effective, strides, padding)
    config = [(0, 0, 0)] + [(int(lo), int(hi), d - 1) for (lo, hi), d in zip(padding, lhs_dilation)]
    x = lax.pad(x, jnp.zeros((), x.dtype), config + [(0, 0, 0)])
    out = tuple((n - (k - 1) * d - 1) // s + 1
                for n, k, s, d in zip(x.shape[1:-1], window, strides, dilation))
    views = []
    for offsets in np.ndindex(*window):
        start = (0, *(o * d for o, d in zip(offsets, dilation)), 0)
        limit = (x.shape[0], *(st + (n - 1) * s + 1 for st, n, s in zip(start[1:], out, strides)),
                 x.shape[-1])
        views.append(lax.slice(x, start, limit, (1, *strides, 1)))
    return views


def training_flag(training: Any) -> bool:
    """A layer's ``training`` argument as a Python bool (traced values count as training)."""
    if training is None or isinstance(training, (bool, np.bool_, int)):
        return bool(training)
    return True


def _channels_last(x: jax.Array, data_format: str) -> jax.Array:
    return x if data_format == "channels_last" else jnp.moveaxis(x, 1, -1)


def _back_to(y: jax.Array, data_format: str) -> jax.Array:
    return y if data_format == "channels_last" else jnp.moveaxis(y, -1, 1)


def convolve(x: jax.Array, kernel: jax.Array, *, strides: tuple, padding: Any, dilation: tuple,
             data_format: str, groups: int = 1, lhs_dilation: tuple | None = None,
             training: bool = True) -> jax.Array:
    """Keras's convolution: ``x`` by ``kernel`` ``(*kernel_size, in // groups, filters)``.

    ``lax.conv_general_dilated`` on accelerators. On the CPU backend (same result up to float
    rounding; see ``PATCHES_MAX_BYTES``): for ``training``, an im2col matrix product; for
    inference, XLA's convolution (faster forward) whose derivatives, if taken anyway
    (fine-tuning through ``training=False``, ``jax.jvp``), are the im2col product's.

    Example:
        >>> y = convolve(jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 4)), strides=(1, 1),
        ...              padding="VALID", dilation=(1, 1), data_format="channels_last")
        >>> y.shape, float(y[0, 0, 0, 0])
        ((1, 3, 3, 4), 18.0)
    """
    rank = kernel.ndim - 2

    def xla(x, kernel):
        return lax.conv_general_dilated(
            x, kernel, window_strides=strides, padding=padding, lhs_dilation=lhs_dilation,
            rhs_dilation=dilation, dimension_numbers=dimension_numbers(rank, data_format),
            feature_group_count=groups)

    window, cin = kernel.shape[:rank], kernel.shape[rank]
    lhs = lhs_dilation or (1,) * rank
    rows = x.shape[0] * int(np.prod([n * d for n, d in zip(spatial_dims(x.shape, data_format),
                                                           lhs)]))  # bounds the output size
    if not (_cpu_lowering() and groups == 1
            and rows * int(np.prod(window)) * cin * x.dtype.itemsize <= PATCHES_MAX_BYTES):
        return xla(x, kernel)

    def im2col(x, kernel):
        views = _windows(_channels_last(x, data_format), window, strides, padding, dilation,
                         lhs_dilation)
        patches = views[0] if len(views) == 1 else jnp.concatenate(views, axis=-1)
        y = lax.dot_general(patches, kernel.reshape(len(views) * cin, kernel.shape[-1]),
                            (((patches.ndim - 1,), (0,)), ((), ())))
        return _back_to(y, data_format)

    if training:
        return im2col(x, kernel)

    # XLA's forward; derivatives (forward or reverse mode) through the im2col form, which is
    # bilinear in (x, kernel): its tangent is im2col(dx, k) + im2col(x, dk).
    @jax.custom_jvp
    def inference(x, kernel):
        return xla(x, kernel)

    def tangent(primals, tangents):
        (x, kernel), (dx, dk) = primals, tangents
        terms = []
        if not isinstance(dx, SymbolicZero):
            terms.append(im2col(dx, kernel))
        if not isinstance(dk, SymbolicZero):
            terms.append(im2col(x, dk))
        y = xla(x, kernel)
        if not terms:
            return y, jnp.zeros_like(y)
        return y, terms[0] if len(terms) == 1 else terms[0] + terms[1]

    inference.defjvp(tangent, symbolic_zeros=True)
    return inference(x, kernel)


def depthwise_convolve(x: jax.Array, kernel: jax.Array, *, strides: tuple, padding: Any,
                       dilation: tuple, data_format: str) -> jax.Array:
    """Depthwise convolution with ``kernel`` ``(*kernel_size, channels, multiplier)``; output
    channel ``c * multiplier + m`` (Keras's order). On the CPU backend: a sum of the strided
    windows times the kernel (elementwise, fused by XLA)."""
    rank = kernel.ndim - 2
    channels, multiplier = kernel.shape[-2:]
    if _cpu_lowering():
        views = _windows(_channels_last(x, data_format), kernel.shape[:rank], strides, padding,
                         dilation)
        taps = kernel.reshape(-1, *(1,) * (rank + 1), channels, multiplier)
        y = views[0][..., None] * taps[0]
        for view, tap in zip(views[1:], taps[1:]):
            y = y + view[..., None] * tap
        return _back_to(y.reshape(*y.shape[:-2], channels * multiplier), data_format)
    grouped = kernel.reshape(*kernel.shape[:rank], 1, channels * multiplier)
    return lax.conv_general_dilated(
        x, grouped, window_strides=strides, padding=padding, rhs_dilation=dilation,
        dimension_numbers=dimension_numbers(rank, data_format), feature_group_count=channels)


def check_positive_output(
    layer: Layer,
    x: Any,
    out_spatial: tuple,
    window: str,
) -> None:
    """Raises a clear error naming the layer and the sizes when an output axis is empty."""
    if all(d is None or d > 0 for d in out_spatial):
        return
    shape = display_shape(x) if hasattr(x, "shape") else tuple(x)
    raise ValueError(
        f'Layer "{layer.name}" ({type(layer).__name__}): the input is too small for {window}. '
        f"Spatial input size {spatial_dims(shape, layer.data_format)} would give output size "
        f"{tuple(out_spatial)}; every output dimension must be positive. "
        f"Received input with shape {shape}."
    )


def as_compute_input(layer: Layer, inputs: Any) -> jax.Array:
    """Inputs as an array in the layer's compute dtype (ints are converted as Keras does)."""
    x = jnp.asarray(inputs)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.dtype(layer.compute_dtype))
    return layer.cast_inputs(x)


def add_channel_bias(y: jax.Array, bias: jax.Array, data_format: str) -> jax.Array:
    """``y + bias`` along the channel axis (explicit reshape: no rank promotion)."""
    rank = y.ndim - 2
    if data_format == "channels_last":
        shape = (1,) * (rank + 1) + bias.shape
    else:
        shape = (1,) + bias.shape + (1,) * rank
    return y + jnp.reshape(bias.astype(y.dtype), shape)


def reject_lora(owner: str, lora_rank: Any, lora_alpha: Any) -> None:
    if lora_rank is not None or lora_alpha is not None:
        raise ValueError(
            f"{owner}: arguments `lora_rank` / `lora_alpha` are not supported by jnn yet, "
            f"received lora_rank={lora_rank!r}, lora_alpha={lora_alpha!r}."
        )


# --- the shared base of Conv, ConvTranspose, DepthwiseConv and SeparableConv -----------------------


class BaseConv(Layer):
    """Arguments and helpers common to every convolution family (not a public layer).

    Subclasses set ``rank`` and ``input_ndim`` and implement ``init`` / ``apply`` /
    ``_out_spatial`` / ``_out_channels``.
    """

    rank: int = 0
    paddings: tuple[str, ...] = ("valid", "same")
    # Keras forbids strides > 1 with dilation_rate > 1 for Conv and ConvTranspose only.
    allows_strided_dilation: bool = False

    def _set_common(
        self,
        kernel_size: Any,
        strides: Any,
        padding: Any,
        data_format: Any,
        dilation_rate: Any,
        activation: Any,
        use_bias: Any,
        bias_initializer: Any,
        bias_regularizer: Any,
        activity_regularizer: Any,
        bias_constraint: Any,
    ) -> None:
        owner = type(self).__name__
        self.kernel_size = normalize_tuple(owner, "kernel_size", kernel_size, self.rank)
        self.strides = normalize_tuple(owner, "strides", strides, self.rank)
        self.dilation_rate = normalize_tuple(owner, "dilation_rate", dilation_rate, self.rank)
        self.padding = normalize_padding(owner, padding, self.paddings)
        self.data_format = _validate.data_format(owner, data_format)
        strided_dilation = max(self.strides) > 1 and max(self.dilation_rate) > 1
        if strided_dilation and not self.allows_strided_dilation:
            raise ValueError(
                f"{owner}: `strides > 1` is not supported together with `dilation_rate > 1`, "
                f"received strides={self.strides} and dilation_rate={self.dilation_rate}."
            )
        self.activation = activations.get(activation)
        self.use_bias = bool_arg(owner, "use_bias", use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)

    # --- shapes -------------------------------------------------------------------------------
    def _out_spatial(self, spatial: tuple) -> tuple:
        return tuple(
            output_length(d, k, s, self.padding, r)
            for d, k, s, r in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )

    def _out_channels(self, in_channels: Any) -> Any:
        raise NotImplementedError

    def _input_channels(self, shape: Shape) -> int:
        """The (known) channel count of ``shape``, after checking its rank."""
        self.check_input_shape(shape)
        channels = channels_of(shape, self.data_format)
        if channels is None:
            raise ValueError(
                f'Layer "{self.name}": the channel dimension of the inputs must be known, '
                f"received input with shape {tuple(shape)}."
            )
        return int(channels)

    def _check_sizes(self, x: Any) -> tuple:
        shape = tuple(x.shape) if hasattr(x, "shape") else tuple(x)
        out = self._out_spatial(spatial_dims(shape, self.data_format))
        window = (
            f"kernel_size={self.kernel_size} with strides={self.strides}, "
            f"dilation_rate={self.dilation_rate} and padding={self.padding!r}"
        )
        check_positive_output(self, x, out, window)
        return out

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = tuple(input_shape)
        self.check_input_shape(shape)
        out = self._check_sizes(shape)
        channels = self._out_channels(channels_of(shape, self.data_format))
        return with_spatial(shape[0], out, channels, self.data_format)

    # --- apply helpers -------------------------------------------------------------------------
    def _check_channels(self, x: jax.Array, expected: int) -> None:
        self.check_input_shape(x.shape)
        if channels_of(x.shape, self.data_format) != expected:
            axis = -1 if self.data_format == "channels_last" else 1
            raise incompatible_axis_error(self, axis, expected, x)

    def _finish(self, y: jax.Array, params: dict[str, jax.Array]) -> jax.Array:
        if self.use_bias:
            y = add_channel_bias(y, params["bias"], self.data_format)
        return self.activation(y)

    def _common_config(self) -> dict[str, Any]:
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }

    def _bias_config(self) -> dict[str, Any]:
        return {
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": _validate.serialize_or_none(regularizers, self.bias_regularizer),
            "activity_regularizer": _validate.serialize_or_none(
                regularizers, self.activity_regularizer
            ),
            "bias_constraint": _validate.serialize_or_none(constraints, self.bias_constraint),
        }


class Conv(BaseConv):
    """N-D convolution ``activation(conv(inputs, kernel) + bias)``; see Conv1D/2D/3D."""

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        reject_lora(owner, lora_rank, lora_alpha)
        self.filters = _validate.positive_int(owner, "filters", filters)
        self.groups = _validate.positive_int(owner, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(
                f"{owner}: argument `filters` must be divisible by `groups`, received "
                f"filters={self.filters}, groups={self.groups}."
            )
        self._set_common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint,
        )  # fmt: skip
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def _out_channels(self, in_channels: Any) -> int:
        return self.filters

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        channels = self._input_channels(shape)
        if channels % self.groups:
            raise ValueError(
                f'Layer "{self.name}": the number of input channels must be divisible by '
                f"`groups`, received groups={self.groups} and an input with {channels} channels "
                f"(full shape {display_shape(input_spec)})."
            )
        self._check_sizes(input_spec)
        k_key, b_key = jax.random.split(key)
        dtype = self.variable_dtype
        kernel_shape = (*self.kernel_size, channels // self.groups, self.filters)
        params = {"kernel": self.kernel_initializer(k_key, kernel_shape, dtype)}
        if self.use_bias:
            params["bias"] = self.bias_initializer(b_key, (self.filters,), dtype)
        return {"params": params, "state": {}}

    def _padding_arg(self) -> Any:
        if self.padding == "causal":
            return [(self.dilation_rate[0] * (self.kernel_size[0] - 1), 0)]
        return self.padding.upper()

    def apply(self, variables, inputs, *, training=False, rng=None):
        del rng
        params = variables["params"]
        kernel = params["kernel"]
        x = as_compute_input(self, inputs)
        self._check_channels(x, kernel.shape[-2] * self.groups)
        self._check_sizes(x)
        y = convolve(x, kernel.astype(x.dtype), strides=self.strides,
                     padding=self._padding_arg(), dilation=self.dilation_rate,
                     data_format=self.data_format, groups=self.groups,
                     training=training_flag(training))
        return self._finish(y, params), {}

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {"kernel": self.kernel_regularizer, "bias": self.bias_regularizer}
        return {k: r for k, r in regs.items() if r is not None}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {"kernel": self.kernel_constraint, "bias": self.bias_constraint}
        return {k: c for k, c in cons.items() if c is not None}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            **self._common_config(),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": _validate.serialize_or_none(
                regularizers, self.kernel_regularizer
            ),
            "kernel_constraint": _validate.serialize_or_none(constraints, self.kernel_constraint),
            **self._bias_config(),
        }


class Conv1D(Conv):
    """1D convolution over ``(batch, steps, channels)`` (or channels first).

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int, the window length.
        strides: int or tuple of 1 int (> 1 excludes ``dilation_rate`` > 1).
        padding: ``"valid"``, ``"same"`` or ``"causal"`` (output ``t`` sees inputs ``<= t``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of 1 int.
        groups: splits the input channels into ``groups`` independent convolutions.
        activation / use_bias / *_initializer / *_regularizer / *_constraint: as ``Dense``.

    Weights: ``kernel`` ``(kernel_size, in_channels // groups, filters)``, ``bias``
    ``(filters,)``.

    Example:
        >>> Conv1D(8, 3, padding="causal").compute_output_shape((None, 10, 4))
        (None, 10, 8)
    """

    rank = 1
    input_ndim = 3
    paddings = ("valid", "same", "causal")


class Conv2D(Conv):
    """2D convolution over ``(batch, rows, cols, channels)`` (or channels first).

    Arguments as ``Conv1D`` with 2-tuples (``padding`` ``"valid"`` or ``"same"``). Weights:
    ``kernel`` ``(kh, kw, in_channels // groups, filters)``, ``bias`` ``(filters,)``.

    Example:
        >>> Conv2D(16, (3, 3), strides=2).compute_output_shape((None, 28, 28, 1))
        (None, 13, 13, 16)
    """

    rank = 2
    input_ndim = 4


class Conv3D(Conv):
    """3D convolution over ``(batch, d1, d2, d3, channels)`` (or channels first).

    Arguments as ``Conv2D`` with 3-tuples.

    Example:
        >>> Conv3D(2, 3, padding="same").compute_output_shape((None, 5, 6, 7, 1))
        (None, 5, 6, 7, 2)
    """

    rank = 3
    input_ndim = 5


# Keras 2 spellings.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
