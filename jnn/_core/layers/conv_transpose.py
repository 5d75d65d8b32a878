"""Transposed convolution layers: Conv1DTranspose, Conv2DTranspose, Conv3DTranspose.

The gradient of a convolution with respect to its input, as a layer (``lax.conv_transpose``
with Keras's kernel layout ``(*kernel_size, filters, in_channels)``). Keras's output length
per spatial axis, with ``k = dilation_rate * (kernel_size - 1) + 1``:

* ``"valid"``: ``(size - 1) * stride + k + output_padding`` where ``output_padding`` defaults
  to ``max(k, stride) - k``;
* ``"same"``: ``size * stride``, or ``(size - 1) * stride + k % 2 + output_padding`` when
  ``output_padding`` is given.

Example:
    >>> Conv2DTranspose(8, 3, strides=2, padding="same").compute_output_shape((None, 7, 7, 4))
    (None, 14, 14, 8)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import activations, constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.conv import BaseConv, arg_error, as_compute_input, convolve, training_flag


def transpose_padding(
    kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> tuple[int, int]:
    """``(left, right)`` padding of the stride-dilated input that gives Keras's output length.

    Example:
        >>> transpose_padding(3, 2, 1, "same", None)
        (2, 1)
    """
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return k - 1, k - 1 + extra
    if output_padding is None:
        total = stride + k - 2
    else:
        total = k + k % 2 - 2 + output_padding
    left = min((total + 1) // 2, k - 1)
    return left, total - left


def transpose_output_length(
    size: int | None,
    kernel: int,
    stride: int,
    dilation: int,
    padding: str,
    output_padding: int | None,
) -> int | None:
    """Keras's output length of one spatial axis of a transposed convolution."""
    if size is None:
        return None
    left, right = transpose_padding(kernel, stride, dilation, padding, output_padding)
    k = (kernel - 1) * dilation + 1
    return (size - 1) * stride + 1 + left + right - (k - 1)


class ConvTranspose(BaseConv):
    """N-D transposed convolution; see Conv1DTranspose / Conv2DTranspose / Conv3DTranspose."""

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.filters = _validate.positive_int(owner, "filters", filters)
        self._set_common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint,
        )  # fmt: skip
        self.output_padding = self._check_output_padding(owner, output_padding)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def _check_output_padding(self, owner: str, value: Any) -> tuple[int, ...] | None:
        if value is None:
            return None
        expected = f"None, a non-negative int or a tuple of {self.rank} non-negative ints"
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value_tuple: Any = (int(value),) * self.rank
        elif isinstance(value, (tuple, list)) and len(value) == self.rank:
            value_tuple = value
        else:
            raise arg_error(owner, "output_padding", expected, value)
        try:
            out = _validate.int_tuple(owner, "output_padding", value_tuple)
        except ValueError:
            raise arg_error(owner, "output_padding", expected, value) from None
        if any(p < 0 for p in out):
            raise arg_error(owner, "output_padding", expected, value)
        for i, (p, s) in enumerate(zip(out, self.strides)):
            if p >= s:
                raise ValueError(
                    f"{owner}: argument `output_padding` must be strictly less than `strides` "
                    f"in every dimension; at index {i} output_padding is {p} and strides is "
                    f"{s} (received output_padding={value!r}, strides={self.strides})."
                )
        return out

    def _paddings(self) -> list[tuple[int, int]]:
        ops = self.output_padding or (None,) * self.rank
        return [
            transpose_padding(k, s, d, self.padding, p)
            for k, s, d, p in zip(self.kernel_size, self.strides, self.dilation_rate, ops)
        ]

    def _out_spatial(self, spatial: tuple) -> tuple:
        ops = self.output_padding or (None,) * self.rank
        return tuple(
            transpose_output_length(n, k, s, d, self.padding, p)
            for n, k, s, d, p in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, ops
            )
        )

    def _out_channels(self, in_channels: Any) -> int:
        return self.filters

    def init(self, key: jax.Array, input_spec: Any) -> dict[str, Any]:
        channels = self._input_channels(tuple(input_spec.shape))
        self._check_sizes(input_spec)
        k_key, b_key = jax.random.split(key)
        dtype = self.variable_dtype
        kernel_shape = (*self.kernel_size, self.filters, channels)
        params = {"kernel": self.kernel_initializer(k_key, kernel_shape, dtype)}
        if self.use_bias:
            params["bias"] = self.bias_initializer(b_key, (self.filters,), dtype)
        return {"params": params, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None):
        del rng
        params = variables["params"]
        kernel = params["kernel"]
        x = as_compute_input(self, inputs)
        self._check_channels(x, kernel.shape[-1])
        self._check_sizes(x)
        # Kernel dims (*spatial, filters, in): the transpose of a forward conv from `filters`
        # to `in`, i.e. a stride-1 convolution of the zero-dilated input (lhs_dilation) with
        # the spatially flipped kernel, in/out swapped (what lax.conv_transpose computes).
        flipped = jnp.flip(kernel.astype(x.dtype), axis=tuple(range(self.rank)))
        y = convolve(x, jnp.swapaxes(flipped, -1, -2), strides=(1,) * self.rank,
                     padding=self._paddings(), dilation=self.dilation_rate,
                     data_format=self.data_format, lhs_dilation=self.strides,
                     training=training_flag(training))
        return self._finish(y, params), {}

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {"kernel": self.kernel_regularizer, "bias": self.bias_regularizer}
        return {k: r for k, r in regs.items() if r is not None}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {"kernel": self.kernel_constraint, "bias": self.bias_constraint}
        return {k: c for k, c in cons.items() if c is not None}

    def get_config(self) -> dict[str, Any]:
        common = self._common_config()
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": common["kernel_size"],
            "strides": common["strides"],
            "padding": common["padding"],
            "output_padding": self.output_padding,
            "data_format": common["data_format"],
            "dilation_rate": common["dilation_rate"],
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": _validate.serialize_or_none(
                regularizers, self.kernel_regularizer
            ),
            "kernel_constraint": _validate.serialize_or_none(constraints, self.kernel_constraint),
            **self._bias_config(),
        }


class Conv1DTranspose(ConvTranspose):
    """1D transposed convolution ("deconvolution") over ``(batch, steps, channels)``.

    Args:
        filters: number of output channels.
        kernel_size / strides / dilation_rate: int or tuple of 1 int.
        padding: ``"valid"`` or ``"same"``.
        output_padding: None, or the extra length added on the right of each spatial axis
            (each value strictly less than the stride).
        data_format / activation / use_bias / initializers / regularizers / constraints: as
            ``Conv1D``.

    Weights: ``kernel`` ``(kernel_size, filters, in_channels)``, ``bias`` ``(filters,)``.

    Example:
        >>> Conv1DTranspose(2, 3, strides=2).compute_output_shape((None, 5, 4))
        (None, 11, 2)
    """

    rank = 1
    input_ndim = 3


class Conv2DTranspose(ConvTranspose):
    """2D transposed convolution; arguments as ``Conv1DTranspose`` with 2-tuples.

    Example:
        >>> Conv2DTranspose(3, 2, strides=2).compute_output_shape((None, 4, 4, 8))
        (None, 8, 8, 3)
    """

    rank = 2
    input_ndim = 4


class Conv3DTranspose(ConvTranspose):
    """3D transposed convolution; arguments as ``Conv1DTranspose`` with 3-tuples.

    Example:
        >>> Conv3DTranspose(1, 3, padding="same").compute_output_shape((None, 2, 3, 4, 5))
        (None, 2, 3, 4, 1)
    """

    rank = 3
    input_ndim = 5


# Keras 2 spellings.
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
