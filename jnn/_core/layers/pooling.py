"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalMax/GlobalAveragePooling1D/2D/3D.

Windowed pooling is one ``lax.reduce_window``. With ``padding="same"`` the padded positions
never count: max pooling pads with ``-inf`` and average pooling divides each window's sum by
the number of real (unpadded) elements in it, as Keras does.

Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.arange(5.0).reshape(1, 5, 1)
    >>> AveragePooling1D(2, padding="same").apply({"params": {}, "state": {}}, x)[0][0, :, 0]
    Array([0.5, 2.5, 4. ], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Shape
from jnn._core.layers.conv import (
    as_compute_input,
    bool_arg,
    channels_of,
    check_positive_output,
    normalize_padding,
    normalize_tuple,
    output_length,
    spatial_dims,
    with_spatial,
)


def _window(sizes: tuple[int, ...], data_format: str) -> tuple[int, ...]:
    """Per-axis window (or strides) for a full input: 1 on batch and channels."""
    return with_spatial(1, sizes, 1, data_format)


def _same_counts(spatial: tuple, pool: tuple, strides: tuple) -> np.ndarray:
    """Number of real elements in each ``"same"``-padded window (outer product over axes)."""
    counts = np.ones((), np.float32)
    for n, k, s in zip(spatial, pool, strides):
        ((lo, _),) = lax.padtype_to_pads((n,), (k,), (s,), "SAME")
        starts = np.arange(-(-n // s)) * s - lo
        per_axis = np.minimum(starts + k, n) - np.maximum(starts, 0)
        counts = np.multiply.outer(counts, per_axis.astype(np.float32))
    return counts


class Pooling(Layer):
    """N-D max or average pooling; see the 1D/2D/3D classes."""

    rank: int = 0
    mode: str = "max"

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = normalize_tuple(owner, "pool_size", pool_size, self.rank)
        strides = self.pool_size if strides is None else strides
        self.strides = normalize_tuple(owner, "strides", strides, self.rank)
        self.padding = normalize_padding(owner, padding)
        self.data_format = _validate.data_format(owner, data_format)

    def _out_spatial(self, spatial: tuple) -> tuple:
        return tuple(
            output_length(n, k, s, self.padding)
            for n, k, s in zip(spatial, self.pool_size, self.strides)
        )

    def _check_sizes(self, x: Any) -> tuple:
        shape = tuple(x.shape) if hasattr(x, "shape") else tuple(x)
        self.check_input_shape(shape)
        out = self._out_spatial(spatial_dims(shape, self.data_format))
        window = f"pool_size={self.pool_size} with strides={self.strides} and padding='valid'"
        check_positive_output(self, x, out, window)
        return out

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = tuple(input_shape)
        out = self._check_sizes(shape)
        return with_spatial(shape[0], out, channels_of(shape, self.data_format), self.data_format)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = as_compute_input(self, inputs)
        self._check_sizes(x)
        window = _window(self.pool_size, self.data_format)
        strides = _window(self.strides, self.data_format)
        pad = self.padding.upper()
        if self.mode == "max":
            lowest = np.array(-np.inf, x.dtype)
            return lax.reduce_window(x, lowest, lax.max, window, strides, pad), {}
        sums = lax.reduce_window(x, np.array(0, x.dtype), lax.add, window, strides, pad)
        if self.padding == "valid":
            return sums / np.prod(self.pool_size), {}
        spatial = spatial_dims(x.shape, self.data_format)
        counts = _same_counts(spatial, self.pool_size, self.strides)
        counts = np.reshape(counts, with_spatial(1, counts.shape, 1, self.data_format))
        return sums / counts.astype(x.dtype), {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class MaxPooling1D(Pooling):
    """Max over windows of the steps axis of ``(batch, steps, channels)``.

    Args:
        pool_size: int or tuple of 1 int, the window size (default 2).
        strides: int or tuple of 1 int; ``None`` (default) means ``pool_size``.
        padding: ``"valid"`` (no padding) or ``"same"`` (output ``ceil(size / stride)``;
            padded elements are ignored).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> MaxPooling1D(2).compute_output_shape((None, 7, 3))
        (None, 3, 3)
    """

    rank, mode, input_ndim = 1, "max", 3


class MaxPooling2D(Pooling):
    """Max over 2D windows of ``(batch, rows, cols, channels)``.

    Arguments as ``MaxPooling1D``, with ints or 2-tuples.

    Example:
        >>> MaxPooling2D((2, 2), padding="same").compute_output_shape((None, 5, 5, 3))
        (None, 3, 3, 3)
    """

    rank, mode, input_ndim = 2, "max", 4


class MaxPooling3D(Pooling):
    """Max over 3D windows of ``(batch, d1, d2, d3, channels)``.

    Arguments as ``MaxPooling1D``, with ints or 3-tuples.

    Example:
        >>> MaxPooling3D(2).compute_output_shape((None, 4, 4, 4, 1))
        (None, 2, 2, 2, 1)
    """

    rank, mode, input_ndim = 3, "max", 5


class AveragePooling1D(Pooling):
    """Mean over windows of the steps axis of ``(batch, steps, channels)``.

    Args:
        pool_size: int or tuple of 1 int, the window size (default 2).
        strides: int or tuple of 1 int; ``None`` (default) means ``pool_size``.
        padding: ``"valid"`` (no padding) or ``"same"`` (output ``ceil(size / stride)``;
            padded elements are ignored).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> AveragePooling1D(3, strides=1).compute_output_shape((None, 7, 3))
        (None, 5, 3)
    """

    rank, mode, input_ndim = 1, "average", 3


class AveragePooling2D(Pooling):
    """Mean over 2D windows of ``(batch, rows, cols, channels)``.

    Arguments as ``AveragePooling1D``, with ints or 2-tuples.

    Example:
        >>> AveragePooling2D(2).compute_output_shape((None, 4, 6, 3))
        (None, 2, 3, 3)
    """

    rank, mode, input_ndim = 2, "average", 4


class AveragePooling3D(Pooling):
    """Mean over 3D windows of ``(batch, d1, d2, d3, channels)``.

    Arguments as ``AveragePooling1D``, with ints or 3-tuples.

    Example:
        >>> AveragePooling3D(2, padding="same").compute_output_shape((None, 3, 3, 3, 2))
        (None, 2, 2, 2, 2)
    """

    rank, mode, input_ndim = 3, "average", 5


class GlobalPooling(Layer):
    """Max or mean over all spatial axes; see the 1D/2D/3D classes."""

    rank: int = 0
    mode: str = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.data_format = _validate.data_format(owner, data_format)
        self.keepdims = bool_arg(owner, "keepdims", keepdims)

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = tuple(input_shape)
        self.check_input_shape(shape)
        channels = channels_of(shape, self.data_format)
        if not self.keepdims:
            return (shape[0], channels)
        return with_spatial(shape[0], (1,) * self.rank, channels, self.data_format)

    def _reduce(self, x: jax.Array, mask: Any = None) -> jax.Array:
        del mask
        axes = self._axes()
        if self.mode == "max":
            return jnp.max(x, axis=axes, keepdims=self.keepdims)
        return jnp.mean(x, axis=axes, keepdims=self.keepdims)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = as_compute_input(self, inputs)
        self.check_input_shape(x.shape)
        return self._reduce(x), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(GlobalPooling):
    """Max over the steps axis: ``(batch, steps, channels) -> (batch, channels)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the reduced axes with length 1.

    Example:
        >>> GlobalMaxPooling1D(keepdims=True).compute_output_shape((None, 7, 3))
        (None, 1, 3)
    """

    rank, mode, input_ndim = 1, "max", 3


class GlobalMaxPooling2D(GlobalPooling):
    """Max over rows and columns: ``(batch, rows, cols, channels) -> (batch, channels)``.

    Arguments as ``GlobalMaxPooling1D``.

    Example:
        >>> GlobalMaxPooling2D().compute_output_shape((None, 5, 5, 3))
        (None, 3)
    """

    rank, mode, input_ndim = 2, "max", 4


class GlobalMaxPooling3D(GlobalPooling):
    """Max over the three spatial axes of ``(batch, d1, d2, d3, channels)``.

    Arguments as ``GlobalMaxPooling1D``.

    Example:
        >>> GlobalMaxPooling3D(data_format="channels_first").compute_output_shape(
        ...     (None, 2, 4, 4, 4))
        (None, 2)
    """

    rank, mode, input_ndim = 3, "max", 5


class GlobalAveragePooling1D(GlobalPooling):
    """Mean over the steps axis; with a ``mask`` (``(batch, steps)``), over unmasked steps.

    Arguments as ``GlobalMaxPooling1D``. The output carries no mask.

    Example:
        >>> import jax.numpy as jnp
        >>> x = jnp.array([[[1.0], [3.0], [100.0]]])
        >>> mask = jnp.array([[True, True, False]])
        >>> GlobalAveragePooling1D().apply({"params": {}, "state": {}}, x, mask=mask)[0]
        Array([[2.]], dtype=float32)
    """

    rank, mode, input_ndim = 1, "average", 3
    supports_masking = True

    def _reduce(self, x: jax.Array, mask: Any) -> jax.Array:
        if mask is None:
            return super()._reduce(x, mask)
        steps_axis = self._axes()[0]
        keep = jnp.expand_dims(jnp.asarray(mask).astype(bool), 3 - steps_axis)
        weights = keep.astype(x.dtype)
        total = jnp.sum(jnp.where(keep, x, 0), axis=steps_axis, keepdims=self.keepdims)
        return total / jnp.sum(weights, axis=steps_axis, keepdims=self.keepdims)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng
        x = as_compute_input(self, inputs)
        self.check_input_shape(x.shape)
        return self._reduce(x, mask), {}

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None


class GlobalAveragePooling2D(GlobalPooling):
    """Mean over rows and columns: ``(batch, rows, cols, channels) -> (batch, channels)``.

    Arguments as ``GlobalMaxPooling1D``.

    Example:
        >>> GlobalAveragePooling2D(keepdims=True).compute_output_shape((None, 5, 5, 3))
        (None, 1, 1, 3)
    """

    rank, mode, input_ndim = 2, "average", 4


class GlobalAveragePooling3D(GlobalPooling):
    """Mean over the three spatial axes of ``(batch, d1, d2, d3, channels)``.

    Arguments as ``GlobalMaxPooling1D``.

    Example:
        >>> GlobalAveragePooling3D().compute_output_shape((None, 2, 2, 2, 4))
        (None, 4)
    """

    rank, mode, input_ndim = 3, "average", 5


# Keras 2 spellings.
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
)
