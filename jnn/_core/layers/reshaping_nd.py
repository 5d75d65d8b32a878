"""Spatial reshaping layers: Cropping1D/2D/3D, ZeroPadding1D/2D/3D, UpSampling1D/2D/3D.

Every layer works on ``(batch, *spatial, channels)`` inputs (``channels_last``, Keras's
default) or ``(batch, channels, *spatial)`` with ``data_format="channels_first"``.

Example:
    >>> import jax.numpy as jnp
    >>> y, _ = ZeroPadding1D(1).apply({"params": {}, "state": {}}, jnp.ones((1, 2, 1)))
    >>> y[0, :, 0]
    Array([0., 1., 1., 0.], dtype=float32)
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.layers import _validate
from jnn._core.layers.base import Layer

Pairs = tuple[tuple[int, int], ...]


def _nonneg_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def _pair(owner: str, arg: str, value: Any) -> tuple[int, int]:
    if _nonneg_int(value):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_nonneg_int, value)):
        return (int(value[0]), int(value[1]))
    raise ValueError(
        f"{owner}: argument `{arg}` must be a non-negative int or a tuple of 2 non-negative "
        f"ints, received {value!r}."
    )


def spatial_pairs(owner: str, arg: str, value: Any, rank: int) -> Pairs:
    """``int`` -> the same pair on every spatial axis; a sequence of ``rank`` entries, each an
    int (symmetric) or a pair ``(before, after)``."""
    if rank == 1:
        return (_pair(owner, arg, value),)
    if _nonneg_int(value):
        return ((int(value), int(value)),) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank:
        return tuple(_pair(owner, arg, v) for v in value)
    raise ValueError(
        f"{owner}: argument `{arg}` must be an int, a tuple of {rank} ints or a tuple of "
        f"{rank} tuples of 2 ints, received {value!r}."
    )


def _spatial_axes(ndim: int, data_format: str) -> list[int]:
    return list(range(2, ndim)) if data_format == "channels_first" else list(range(1, ndim - 1))


def _config_pairs(pairs: Pairs, rank: int) -> Any:
    return pairs[0] if rank == 1 else pairs


class _Spatial(Layer):
    """Shared argument handling: ``rank`` spatial axes and a data format."""

    rank = 1
    supports_masking = False

    def _set_format(self, data_format: Any) -> None:
        self.data_format = _validate.data_format(type(self).__name__, data_format)
        self.input_ndim = self.rank + 2

    def _axes(self) -> list[int]:
        return _spatial_axes(self.rank + 2, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(input_shape)
        self.check_input_shape(tuple(shape))
        for i, axis in enumerate(self._axes()):
            if shape[axis] is not None:
                shape[axis] = self._out_size(i, shape[axis], tuple(input_shape))
        return tuple(shape)

    def _out_size(self, i: int, size: int, shape: tuple) -> int:
        raise NotImplementedError


# --- Cropping ------------------------------------------------------------------------------------
class _Cropping(_Spatial):
    def __init__(self, cropping: Any, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_format(data_format)
        self.cropping = spatial_pairs(type(self).__name__, "cropping", cropping, self.rank)

    def _out_size(self, i: int, size: int, shape: tuple) -> int:
        out = size - sum(self.cropping[i])
        if out <= 0:
            raise ValueError(
                f'Layer "{self.name}": argument `cropping` {self.cropping} must be smaller than '
                f"the input's spatial size; received input shape {shape}."
            )
        return out

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        index = [slice(None)] * x.ndim
        for i, axis in enumerate(self._axes()):
            self._out_size(i, x.shape[axis], tuple(x.shape))
            start, stop = self.cropping[i]
            index[axis] = slice(start, x.shape[axis] - stop)
        return x[tuple(index)], {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "cropping": _config_pairs(self.cropping, self.rank),
            "data_format": self.data_format,
        }


class Cropping1D(_Cropping):
    """Crops ``cropping = (start, end)`` steps from a ``(batch, steps, channels)`` input.

    Example:
        >>> Cropping1D((1, 2)).compute_output_shape((None, 10, 3))
        (None, 7, 3)
    """

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(cropping, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


class Cropping2D(_Cropping):
    """Crops ``((top, bottom), (left, right))`` pixels (or one int / one int per axis).

    Example:
        >>> Cropping2D(((1, 1), (2, 0))).compute_output_shape((None, 5, 5, 3))
        (None, 3, 3, 3)
    """

    rank = 2

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops ``((d0, d1), (h0, h1), (w0, w1))`` from 5D inputs (or ints, symmetric).

    Example:
        >>> Cropping3D(1).compute_output_shape((None, 4, 4, 4, 2))
        (None, 2, 2, 2, 2)
    """

    rank = 3

    def __init__(
        self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(cropping, data_format, **kwargs)


# --- ZeroPadding ---------------------------------------------------------------------------------
class _ZeroPadding(_Spatial):
    def __init__(self, padding: Any, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_format(data_format)
        self.padding = spatial_pairs(type(self).__name__, "padding", padding, self.rank)

    def _out_size(self, i: int, size: int, shape: tuple) -> int:
        return size + sum(self.padding[i])

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        widths = [(0, 0)] * x.ndim
        for i, axis in enumerate(self._axes()):
            widths[axis] = self.padding[i]
        return jnp.pad(x, widths), {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "padding": _config_pairs(self.padding, self.rank),
            "data_format": self.data_format,
        }


class ZeroPadding1D(_ZeroPadding):
    """Adds ``padding = (start, end)`` zero steps (an int pads both ends equally).

    Example:
        >>> ZeroPadding1D((1, 2)).compute_output_shape((None, 10, 3))
        (None, 13, 3)
    """

    rank = 1

    def __init__(self, padding: Any = 1, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros: ``((top, bottom), (left, right))`` or ints.

    Example:
        >>> ZeroPadding2D(1).compute_output_shape((None, 5, 5, 3))
        (None, 7, 7, 3)
    """

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around 3D volumes: ``((d0, d1), (h0, h1), (w0, w1))`` or ints.

    Example:
        >>> ZeroPadding3D((1, 0, 2)).compute_output_shape((None, 2, 2, 2, 1))
        (None, 4, 2, 6, 1)
    """

    rank = 3

    def __init__(
        self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(padding, data_format, **kwargs)


# --- UpSampling ----------------------------------------------------------------------------------
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


def _sizes(owner: str, value: Any, rank: int) -> tuple[int, ...]:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0:
        return (int(value),) * rank
    if (
        isinstance(value, (tuple, list))
        and len(value) == rank
        and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in value
        )
    ):
        return tuple(int(v) for v in value)
    raise ValueError(
        f"{owner}: argument `size` must be a positive int or a tuple of {rank} positive ints, "
        f"received {value!r}."
    )


class _UpSampling(_Spatial):
    def __init__(self, size: Any, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_format(data_format)
        self._factors = _sizes(type(self).__name__, size, self.rank)
        self.size: Any = self._factors
        self.interpolation = "nearest"

    def _out_size(self, i: int, size: int, shape: tuple) -> int:
        return size * self._factors[i]

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        axes = self._axes()
        if self.interpolation == "nearest":
            for i, axis in enumerate(axes):
                x = jnp.repeat(x, self._factors[i], axis=axis)
            return x, {}
        shape = list(x.shape)
        for i, axis in enumerate(axes):
            shape[axis] *= self._factors[i]
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.compute_dtype)
        y = jax.image.resize(x, tuple(shape), method=self.interpolation, antialias=False)
        return y, {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times along the time axis of ``(batch, steps, features)``.

    Example:
        >>> UpSampling1D(3).compute_output_shape((None, 4, 2))
        (None, 12, 2)
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(size, **kwargs)
        self.size = self._factors[0]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


class UpSampling2D(_UpSampling):
    """Repeats rows and columns ``size = (rows, cols)`` times (``"nearest"``), or resizes
    with ``interpolation`` ``"bilinear"``, ``"bicubic"``, ``"lanczos3"`` or ``"lanczos5"``
    (``jax.image.resize`` without antialiasing, as Keras on JAX).

    Example:
        >>> UpSampling2D((2, 3)).compute_output_shape((None, 2, 2, 1))
        (None, 4, 6, 1)
    """

    rank = 2

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: Any = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(size, data_format, **kwargs)
        method = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if method not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: argument `interpolation` must be one of {list(_INTERPOLATIONS)}, "
                f"received {interpolation!r}."
            )
        self.interpolation = method

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Repeats the three spatial axes ``size = (d, h, w)`` times (nearest neighbour).

    Example:
        >>> UpSampling3D(2).compute_output_shape((None, 1, 2, 3, 4))
        (None, 2, 4, 6, 4)
    """

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(size, data_format, **kwargs)
