"""Depthwise and separable convolutions: DepthwiseConv1D/2D, SeparableConv1D/2D.

A depthwise convolution filters every input channel on its own with ``depth_multiplier``
kernels (one grouped ``lax.conv_general_dilated`` with a group per channel); output channel
``c * depth_multiplier + m`` is input channel ``c`` through kernel ``m``. A separable
convolution follows it with a 1x1 ("pointwise") convolution mixing the channels.

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = SeparableConv2D(8, 3, depth_multiplier=2)
    >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 6, 6, 3)))
    >>> {k: w.shape for k, w in v["params"].items()}
    {'depthwise_kernel': (3, 3, 3, 2), 'pointwise_kernel': (1, 1, 6, 8), 'bias': (8,)}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from jnn._core import activations, constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.conv import (
    BaseConv,
    as_compute_input,
    convolve,
    depthwise_convolve,
    training_flag,
)


def depthwise_conv(layer: BaseConv, x: jax.Array, kernel: jax.Array) -> jax.Array:
    """Depthwise convolution of ``x`` with ``kernel`` ``(*kernel_size, in, multiplier)``."""
    return depthwise_convolve(x, kernel.astype(x.dtype), strides=layer.strides,
                              padding=layer.padding.upper(), dilation=layer.dilation_rate,
                              data_format=layer.data_format)


def _serialize(module: Any, obj: Any) -> Any:
    return _validate.serialize_or_none(module, obj)


class DepthwiseConv(BaseConv):
    """N-D depthwise convolution; see DepthwiseConv1D / DepthwiseConv2D."""

    allows_strided_dilation = True

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.depth_multiplier = _validate.positive_int(owner, "depth_multiplier", depth_multiplier)
        self._set_common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint,
        )  # fmt: skip
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _out_channels(self, in_channels: Any) -> Any:
        return None if in_channels is None else in_channels * self.depth_multiplier

    def init(self, key: jax.Array, input_spec: Any) -> dict[str, Any]:
        channels = self._input_channels(tuple(input_spec.shape))
        self._check_sizes(input_spec)
        k_key, b_key = jax.random.split(key)
        dtype = self.variable_dtype
        shape = (*self.kernel_size, channels, self.depth_multiplier)
        params = {"kernel": self.depthwise_initializer(k_key, shape, dtype)}
        if self.use_bias:
            size = channels * self.depth_multiplier
            params["bias"] = self.bias_initializer(b_key, (size,), dtype)
        return {"params": params, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None):
        del training, rng
        params = variables["params"]
        kernel = params["kernel"]
        x = as_compute_input(self, inputs)
        self._check_channels(x, kernel.shape[-2])
        self._check_sizes(x)
        return self._finish(depthwise_conv(self, x, kernel), params), {}

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {"kernel": self.depthwise_regularizer, "bias": self.bias_regularizer}
        return {k: r for k, r in regs.items() if r is not None}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {"kernel": self.depthwise_constraint, "bias": self.bias_constraint}
        return {k: c for k, c in cons.items() if c is not None}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            **self._common_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": _serialize(regularizers, self.depthwise_regularizer),
            "depthwise_constraint": _serialize(constraints, self.depthwise_constraint),
            **self._bias_config(),
        }


class DepthwiseConv1D(DepthwiseConv):
    """1D depthwise convolution over ``(batch, steps, channels)``.

    Args:
        kernel_size / strides / dilation_rate: int or tuple of 1 int.
        padding: ``"valid"`` or ``"same"``.
        depth_multiplier: number of kernels per input channel (output channels are
            ``in_channels * depth_multiplier``).
        data_format / activation / use_bias: as ``Conv1D``.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: for the kernel.
        bias_initializer / bias_regularizer / bias_constraint / activity_regularizer: as
            ``Conv1D``.

    Weights (Keras 3 names): ``kernel`` ``(kernel_size, in_channels, depth_multiplier)``,
    ``bias`` ``(in_channels * depth_multiplier,)``.

    Example:
        >>> DepthwiseConv1D(3, depth_multiplier=2).compute_output_shape((None, 8, 4))
        (None, 6, 8)
    """

    rank = 1
    input_ndim = 3


class DepthwiseConv2D(DepthwiseConv):
    """2D depthwise convolution; arguments as ``DepthwiseConv1D`` with 2-tuples.

    Example:
        >>> DepthwiseConv2D(3, padding="same").compute_output_shape((None, 8, 8, 4))
        (None, 8, 8, 4)
    """

    rank = 2
    input_ndim = 4


class SeparableConv(BaseConv):
    """N-D separable convolution; see SeparableConv1D / SeparableConv2D."""

    allows_strided_dilation = True

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.depth_multiplier = _validate.positive_int(owner, "depth_multiplier", depth_multiplier)
        self.filters = _validate.positive_int(owner, "filters", filters)
        self._set_common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            bias_initializer, bias_regularizer, activity_regularizer, bias_constraint,
        )  # fmt: skip
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def _out_channels(self, in_channels: Any) -> int:
        return self.filters

    def init(self, key: jax.Array, input_spec: Any) -> dict[str, Any]:
        channels = self._input_channels(tuple(input_spec.shape))
        self._check_sizes(input_spec)
        d_key, p_key, b_key = jax.random.split(key, 3)
        dtype = self.variable_dtype
        mid = channels * self.depth_multiplier
        params = {
            "depthwise_kernel": self.depthwise_initializer(
                d_key, (*self.kernel_size, channels, self.depth_multiplier), dtype
            ),
            "pointwise_kernel": self.pointwise_initializer(
                p_key, (1,) * self.rank + (mid, self.filters), dtype
            ),
        }
        if self.use_bias:
            params["bias"] = self.bias_initializer(b_key, (self.filters,), dtype)
        return {"params": params, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None):
        del rng
        params = variables["params"]
        x = as_compute_input(self, inputs)
        self._check_channels(x, params["depthwise_kernel"].shape[-2])
        self._check_sizes(x)
        y = depthwise_conv(self, x, params["depthwise_kernel"])
        y = convolve(y, params["pointwise_kernel"].astype(y.dtype), strides=(1,) * self.rank,
                     padding="VALID", dilation=(1,) * self.rank, data_format=self.data_format,
                     training=training_flag(training))
        return self._finish(y, params), {}

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {
            "depthwise_kernel": self.depthwise_regularizer,
            "pointwise_kernel": self.pointwise_regularizer,
            "bias": self.bias_regularizer,
        }
        return {k: r for k, r in regs.items() if r is not None}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {
            "depthwise_kernel": self.depthwise_constraint,
            "pointwise_kernel": self.pointwise_constraint,
            "bias": self.bias_constraint,
        }
        return {k: c for k, c in cons.items() if c is not None}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            **self._common_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": _serialize(regularizers, self.depthwise_regularizer),
            "pointwise_regularizer": _serialize(regularizers, self.pointwise_regularizer),
            "depthwise_constraint": _serialize(constraints, self.depthwise_constraint),
            "pointwise_constraint": _serialize(constraints, self.pointwise_constraint),
            **self._bias_config(),
        }


class SeparableConv1D(SeparableConv):
    """1D separable convolution: a depthwise convolution, then a pointwise (1x1) one.

    Args:
        filters: number of output channels.
        kernel_size / strides / dilation_rate: int or tuple of 1 int.
        padding: ``"valid"`` or ``"same"``.
        depth_multiplier: depthwise kernels per input channel.
        depthwise_* / pointwise_*: initializer, regularizer and constraint of each kernel.
        data_format / activation / use_bias / bias_* / activity_regularizer: as ``Conv1D``.

    Weights: ``depthwise_kernel`` ``(kernel_size, in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, in * depth_multiplier, filters)``, ``bias`` ``(filters,)``.

    Example:
        >>> SeparableConv1D(4, 3, padding="same").compute_output_shape((None, 9, 2))
        (None, 9, 4)
    """

    rank = 1
    input_ndim = 3


class SeparableConv2D(SeparableConv):
    """2D separable convolution; arguments as ``SeparableConv1D`` with 2-tuples.

    Example:
        >>> SeparableConv2D(4, 3, strides=2).compute_output_shape((None, 9, 9, 2))
        (None, 4, 4, 4)
    """

    rank = 2
    input_ndim = 4


# Keras 2 spellings.
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
