"""Preprocessing layers: Normalization, Discretization, CategoryEncoding, image resizing and
cropping, and random image augmentation (RandomFlip, RandomRotation, RandomZoom,
RandomTranslation).

``adapt(data)`` runs on the host (numpy) and stores what it learns on the layer and, when the
layer already belongs to a built model, in the model's variables; a Normalization layer keeps
its statistics as state (``mean``, ``variance``, ``count``) so they are saved with the model.

Random layers draw from the ``rng`` passed to ``apply(..., training=True, rng=key)`` (a
``seed`` given at construction is folded into it) and are the identity at inference.

Example:
    >>> import numpy as np, jax
    >>> norm = Normalization()
    >>> norm.adapt(np.array([[0.0], [2.0]]))
    >>> v = norm.init(jax.random.key(0), np.zeros((1, 1), np.float32))
    >>> norm.apply(v, np.array([[4.0]], np.float32))[0]
    Array([[3.]], dtype=float32)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Variables

_EPSILON = 1e-7  # Keras's backend.epsilon()


def _fail(owner: str, arg: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"{owner}: argument `{arg}` must be {expected}, received {value!r}.")


def _choice(owner: str, arg: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _fail(owner, arg, f"one of {list(choices)}", value)
    return value


def _batches(data: Any) -> Iterable[np.ndarray]:
    """An array, or an iterable of batches (``(x, y)`` tuples keep ``x``), as numpy arrays."""
    if hasattr(data, "shape") and hasattr(data, "dtype"):
        yield np.asarray(data)
        return
    if isinstance(data, (list, tuple)) and data and isinstance(data[0], numbers.Number):
        yield np.asarray(data)
        return
    if not hasattr(data, "__iter__"):
        raise TypeError(
            f"adapt() expects a numpy array or an iterable of batches, received {type(data)}."
        )
    empty = True
    for batch in data:
        empty = False
        yield np.asarray(batch[0] if isinstance(batch, tuple) else batch)
    if empty:
        raise ValueError("adapt() received an empty iterable (no batches).")


def _set_bound_weights(layer: Layer, values: list[np.ndarray]) -> None:
    """Writes adapted values into the model the layer is bound to, if any."""
    if layer.built:
        layer.set_weights(values)


# --- Normalization -------------------------------------------------------------------------------
class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1: ``(x - mean) / sqrt(variance)``.

    The statistics are passed as ``mean`` / ``variance`` (constants, kept in the config) or
    learned by ``adapt(data)``, which computes them per index of the kept ``axis`` over all
    other axes. Adapted statistics are state (``mean``, ``variance``, ``count``, Keras's
    weights) and are saved with the model. ``count`` stays 0, as in Keras.

    Args:
        axis: axis or axes that keep separate statistics (default ``-1``: one per feature);
            ``None`` for a single mean and variance.
        mean / variance: the statistics, broadcast against the kept axes.
        invert: apply the inverse transformation ``x * sqrt(variance) + mean``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = Normalization(mean=2.0, variance=4.0)
        >>> layer.apply(layer.init(jax.random.key(0), jnp.zeros((1, 1))), jnp.array([[4.0]]))[0]
        Array([[1.]], dtype=float32)
    """

    supports_masking = True

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "Normalization"
        if axis is None:
            axis = ()
        elif isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
            axis = (int(axis),)
        else:
            axis = _validate.int_tuple(owner, "axis", axis)
        self.axis = tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(
                f"{owner}: when setting values directly, both `mean` and `variance` must be "
                f"set. Received: mean={mean!r} and variance={variance!r}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"{owner}: `mean` and `variance` must have the same shape, received "
                    f"{np.shape(mean)} and {np.shape(variance)}."
                )
            if np.ndim(mean) > len(self.axis):
                raise ValueError(
                    f"{owner}: the rank of `mean` must be at most the number of axes "
                    f"({len(self.axis)}), received mean of shape {np.shape(mean)}."
                )
        self.input_mean = mean
        self.input_variance = variance
        if not isinstance(invert, (bool, np.bool_)):
            raise _fail(owner, "invert", "a bool", invert)
        self.invert = bool(invert)
        self._adapted: tuple[np.ndarray, np.ndarray] | None = None
        self._adapt_shape: tuple | None = None

    # shapes
    def _keep_axes(self, ndim: int) -> tuple[int, ...]:
        for a in self.axis:
            if a < -ndim or a >= ndim:
                raise ValueError(
                    f'Layer "{self.name}": all `axis` values must be in [-ndim, ndim); received '
                    f"inputs with ndim={ndim}, while axis={self.axis}"
                )
        return tuple(sorted(a % ndim for a in self.axis))

    def _stat_shape(self, shape: tuple) -> tuple[int, ...]:
        keep = self._keep_axes(len(shape))
        for d in keep:
            if shape[d] is None:
                raise ValueError(
                    f'Layer "{self.name}": all `axis` values kept must have a known size; '
                    f"received axis={self.axis} and input shape {shape}."
                )
        return tuple(int(shape[d]) for d in keep)

    def _broadcast(self, v: jax.Array, ndim: int, shape: tuple) -> jax.Array:
        keep = self._keep_axes(ndim)
        target = [shape[d] if d in keep else 1 for d in range(ndim)]
        if v.ndim == 0:
            return jnp.broadcast_to(v, target)
        expanded = [1] * ndim
        for i in range(1, v.ndim + 1):
            expanded[keep[-i]] = v.shape[-i]
        return jnp.broadcast_to(jnp.reshape(v, expanded), target)

    # adapt
    def adapt(self, data: Any) -> None:
        """Computes the mean and variance of ``data`` (an array or an iterable of batches).

        Batches are combined with Keras's running update; the result becomes this layer's
        state (written into the model's variables if the layer is already built).
        """
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization '{self.name}' was given `mean` and `variance`; it cannot be "
                "adapted."
            )
        total_mean = total_var = None
        count = 0
        reduce = None
        for batch in _batches(data):
            if reduce is None:
                self._check_adapt_shape(batch.shape)
                keep = self._keep_axes(batch.ndim)
                reduce = tuple(d for d in range(batch.ndim) if d not in keep)
            b_mean, b_var = np.mean(batch, axis=reduce), np.var(batch, axis=reduce)
            b_count = math.prod(batch.shape[d] for d in reduce) if reduce else 1
            if total_mean is None:
                total_mean, total_var, count = b_mean, b_var, b_count
                continue
            count += b_count
            w = b_count / count
            new_mean = total_mean * (1 - w) + b_mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) + (
                b_var + (b_mean - new_mean) ** 2
            ) * w
            total_mean = new_mean
        mean = np.asarray(total_mean, np.float32)
        var = np.asarray(total_var, np.float32)
        self._adapted = (mean, var)
        _set_bound_weights(self, [mean, var, np.zeros((), np.int32)])

    def _check_adapt_shape(self, shape: tuple) -> None:
        stat = self._stat_shape(tuple(shape))
        if self._adapt_shape is not None and stat != self._adapt_shape:
            raise ValueError(
                f"Normalization '{self.name}' was built for statistics of shape "
                f"{self._adapt_shape}, but adapt() received data of shape {tuple(shape)}."
            )
        self._adapt_shape = stat

    # protocol
    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        del key
        if self.input_mean is not None:
            return {"params": {}, "state": {}}
        stat = self._stat_shape(tuple(input_spec.shape))
        dtype = self.variable_dtype
        if self._adapted is not None:
            if self._adapted[0].shape != stat:
                raise ValueError(
                    f"Normalization '{self.name}' was adapted to statistics of shape "
                    f"{self._adapted[0].shape}, but its input {tuple(input_spec.shape)} needs "
                    f"shape {stat} (axis={self.axis})."
                )
            mean, var = (jnp.asarray(a, dtype) for a in self._adapted)
        else:
            mean, var = jnp.zeros(stat, dtype), jnp.ones(stat, dtype)
        return {
            "params": {},
            "state": {"mean": mean, "variance": var, "count": jnp.zeros((), jnp.int32)},
        }

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        dtype = jnp.dtype(self.compute_dtype)
        x = jnp.asarray(inputs).astype(dtype)
        state = variables["state"]
        if self.input_mean is not None:
            mean = jnp.asarray(self.input_mean, dtype)
            var = jnp.asarray(self.input_variance, dtype)
        else:
            mean, var = state["mean"].astype(dtype), state["variance"].astype(dtype)
        mean = self._broadcast(mean, x.ndim, x.shape)
        var = self._broadcast(var, x.ndim, x.shape)
        std = jnp.maximum(jnp.sqrt(var), jnp.asarray(_EPSILON, dtype))
        y = mean + x * std if self.invert else (x - mean) / std
        return y, dict(state)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": None if self.input_mean is None else np.asarray(self.input_mean).tolist(),
            "variance": None
            if self.input_variance is None
            else np.asarray(self.input_variance).tolist(),
        }


# --- categorical encodings -----------------------------------------------------------------------
_OUTPUT_MODES = ("multi_hot", "one_hot", "count")


def encode_categorical(indices: jax.Array, output_mode: str, depth: int, dtype: Any) -> jax.Array:
    """Keras's ``encode_categorical_inputs``: ``one_hot`` drops a trailing axis of size 1;
    ``multi_hot`` / ``count`` reduce axis 1 (axis 0 for rank-1 inputs, one sample)."""
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = jnp.reshape(indices, indices.shape[:-1])
        return jax.nn.one_hot(indices, depth, dtype=dtype)
    axis = 1 if indices.ndim > 1 else 0
    hot = jax.nn.one_hot(indices, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return jnp.max(hot, axis=axis)
    return jnp.sum(hot, axis=axis)


def _encoded_shape(input_shape: tuple, output_mode: str, depth: int) -> tuple:
    shape = tuple(input_shape)
    if not shape:
        return (depth,)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return shape[:-1] + (depth,)
        return shape + (depth,)
    if len(shape) >= 2:
        return (shape[0],) + shape[2:] + (depth,)
    return (depth,)


class CategoryEncoding(Layer):
    """Encodes integer category ids ``0 .. num_tokens - 1`` as one-hot, multi-hot or count
    vectors of size ``num_tokens``.

    Inputs are ``(batch,)`` or ``(batch, ids)``; ``one_hot`` encodes each id (a trailing
    axis of size 1 is dropped), ``multi_hot`` / ``count`` combine the ids of each sample
    (a rank-1 input is one sample, as in Keras). Ids outside the range give all-zero rows.

    Args:
        num_tokens: number of categories.
        output_mode: ``"multi_hot"`` (default; ``"binary"`` is an alias), ``"one_hot"`` or
            ``"count"``. ``apply(..., count_weights=w)`` weighs the counts.
        sparse: only ``False``.

    Example:
        >>> import jax.numpy as jnp
        >>> CategoryEncoding(4).apply({"params": {}, "state": {}}, jnp.array([[0, 2, 2]]))[0]
        Array([[1., 0., 1., 0.]], dtype=float32)
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "CategoryEncoding"
        if output_mode == "binary":
            output_mode = "multi_hot"
        self.output_mode = _choice(owner, "output_mode", output_mode, _OUTPUT_MODES)
        if num_tokens is None:
            raise ValueError(
                f"{owner}: argument `num_tokens` must be set (the number of categories); use "
                "IntegerLookup when it is not known beforehand."
            )
        self.num_tokens = _validate.positive_int(owner, "num_tokens", num_tokens)
        if sparse:
            raise _fail(owner, "sparse", "False (sparse outputs are not supported)", sparse)
        self.sparse = False

    def apply(self, variables, inputs, *, training=False, rng=None, count_weights=None):
        del variables, training, rng
        ids = jnp.asarray(inputs).astype(jnp.int32)
        dtype = self.compute_dtype
        if count_weights is None:
            return encode_categorical(ids, self.output_mode, self.num_tokens, dtype), {}
        if self.output_mode != "count":
            raise ValueError(
                f"CategoryEncoding '{self.name}': `count_weights` is only used when "
                f"output_mode='count', received output_mode={self.output_mode!r}."
            )
        w = jnp.asarray(count_weights, dtype)
        hot = jax.nn.one_hot(ids if ids.ndim else ids[None], self.num_tokens, dtype=dtype)
        hot = hot * jnp.expand_dims(jnp.broadcast_to(w, hot.shape[:-1]), -1)
        return jnp.sum(hot, axis=1 if hot.ndim > 2 else 0), {}

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return _encoded_shape(tuple(input_shape), self.output_mode, self.num_tokens)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }


def _quantile_summary(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Sorted sample values with weights, about ``1 / epsilon`` of them (Keras's summary)."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1) :: int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    fraction = cum / cum[-1]
    bins = np.interp(percents, fraction, summary[0])
    cum = np.interp(percents, fraction, cum)
    weights = cum - np.concatenate(([0.0], cum[:-1]))
    return np.stack((bins, weights)).astype(np.float32)


class Discretization(Layer):
    """Buckets numbers into ranges: the output is the index ``i`` with
    ``bin_boundaries[i - 1] <= x < bin_boundaries[i]`` (``0`` below the first boundary).

    Args:
        bin_boundaries: sorted boundaries; or
        num_bins: number of bins whose boundaries ``adapt(data)`` computes from approximate
            quantiles of ``data`` (Keras's algorithm, accuracy ``epsilon``).
        epsilon: quantile accuracy of ``adapt``.
        output_mode: ``"int"`` (int32 bucket ids) or ``"one_hot"`` / ``"multi_hot"`` /
            ``"count"`` encodings of size ``len(bin_boundaries) + 1``.
        sparse: only ``False``.

    Example:
        >>> import jax.numpy as jnp
        >>> layer = Discretization(bin_boundaries=[0.0, 1.0])
        >>> layer.apply({"params": {}, "state": {}}, jnp.array([[-1.0, 0.5, 2.0]]))[0]
        Array([[0, 1, 2]], dtype=int32)
    """

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "Discretization"
        self.output_mode = _choice(owner, "output_mode", output_mode, ("int",) + _OUTPUT_MODES)
        if sparse:
            raise _fail(owner, "sparse", "False (sparse outputs are not supported)", sparse)
        self.sparse = False
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                f"{owner}: set either `num_bins` or `bin_boundaries`, not both. Received "
                f"num_bins={num_bins!r} and bin_boundaries={bin_boundaries!r}."
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{owner}: you need to set either `num_bins` or `bin_boundaries`.")
        if num_bins is not None:
            num_bins = _validate.positive_int(owner, "num_bins", num_bins)
        self.num_bins = num_bins
        if bin_boundaries is not None:
            bounds = np.asarray(bin_boundaries, np.float64)
            if bounds.ndim != 1 or np.any(np.diff(bounds) < 0):
                raise _fail(owner, "bin_boundaries", "a sorted list of numbers", bin_boundaries)
            bin_boundaries = bounds.tolist()
        self.bin_boundaries = bin_boundaries
        self.epsilon = _validate.real(owner, "epsilon", epsilon, low=0.0, high=1.0)

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Computes ``num_bins`` quantile boundaries from ``data`` (array or batches)."""
        if self.num_bins is None:
            raise ValueError(
                f"Discretization '{self.name}' was created with `bin_boundaries`; use "
                "`num_bins` to adapt it."
            )
        summary = np.zeros((2, 0), np.float32)
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            new = _quantile_summary(batch.astype(np.float32), self.epsilon)
            merged = np.concatenate((new, summary), axis=1)
            merged = np.take(merged, np.argsort(merged[0]), axis=1)
            summary = _compress(merged, self.epsilon)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def _depth(self) -> int:
        if self.bin_boundaries is None:
            return int(self.num_bins)
        return len(self.bin_boundaries) + 1

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        if self.bin_boundaries is None:
            raise ValueError(
                f"Discretization '{self.name}': pass `bin_boundaries` or call `adapt(data)` "
                "before using the layer."
            )
        x = jnp.asarray(inputs)
        bounds = jnp.asarray(self.bin_boundaries, jnp.promote_types(x.dtype, jnp.float32))
        ids = jnp.searchsorted(bounds, x, side="right").astype(jnp.int32)
        dtype = jnp.int32 if self.output_mode == "int" else self.compute_dtype
        return encode_categorical(ids, self.output_mode, self._depth(), dtype), {}

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return _encoded_shape(tuple(input_shape), self.output_mode, self._depth())

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        config = dict(config)
        bounds = config.get("bin_boundaries")
        if bounds is not None and config.get("num_bins") is not None:
            del config["bin_boundaries"]
            layer = cls(**config)
            layer.bin_boundaries = list(bounds)
            return layer
        return cls(**config)


# --- image geometry ------------------------------------------------------------------------------
class _ImageLayer(Layer):
    """Images ``(batch, h, w, c)`` or one image ``(h, w, c)`` (``channels_first`` swaps c)."""

    min_ndim = 3

    def _set_format(self, data_format: Any) -> None:
        self.data_format = _validate.data_format(type(self).__name__, data_format)

    def _hw_axes(self, ndim: int) -> tuple[int, int]:
        self._check_rank(ndim)
        return (
            (ndim - 2, ndim - 1) if self.data_format == "channels_first" else (ndim - 3, ndim - 2)
        )

    def _check_rank(self, ndim: int) -> None:
        if ndim not in (3, 4):
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected a '
                f"batch of images (ndim=4) or one image (ndim=3), found ndim={ndim}."
            )

    def _as_nhwc(self, x: jax.Array) -> tuple[jax.Array, bool]:
        single = x.ndim == 3
        if single:
            x = x[None]
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 2, 3, 1))
        return x, single

    def _from_nhwc(self, x: jax.Array, single: bool) -> jax.Array:
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 3, 1, 2))
        return x[0] if single else x

    def _to_compute(self, inputs: Any) -> jax.Array:
        return jnp.asarray(inputs).astype(self.compute_dtype)


_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


def crop_to_aspect(x: jax.Array, height: int, width: int) -> jax.Array:
    """Central crop of NHWC ``x`` with the aspect ratio of ``(height, width)`` (Keras's box)."""
    h, w = x.shape[1], x.shape[2]
    crop_h = max(min(h, int(float(w * height) / width)), 1)
    crop_w = max(min(w, int(float(h * width) / height)), 1)
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    return x[:, top : top + crop_h, left : left + crop_w, :]


def pad_to_aspect(x: jax.Array, height: int, width: int, fill_value: float) -> jax.Array:
    """Pads NHWC ``x`` symmetrically with ``fill_value`` to the aspect ratio of the target."""
    h, w = x.shape[1], x.shape[2]
    top = int(float(max(h, int(float(w * height) / width)) - h) / 2)
    left = int(float(max(w, int(float(h * width) / height)) - w) / 2)
    if top > 0:
        return jnp.pad(x, ((0, 0), (top, top), (0, 0), (0, 0)), constant_values=fill_value)
    if left > 0:
        return jnp.pad(x, ((0, 0), (0, 0), (left, left), (0, 0)), constant_values=fill_value)
    return x


def resize_nhwc(x: jax.Array, height: int, width: int, method: str, antialias: bool):
    """``jax.image.resize`` of the spatial axes (as Keras on JAX)."""
    shape = (x.shape[0], height, width, x.shape[3])
    return jax.image.resize(x, shape, method=method, antialias=antialias)


class Resizing(_ImageLayer):
    """Resizes images to ``(height, width)``.

    Float images come out in the compute dtype; integer images are resized in float32, then
    rounded and clipped back to their dtype (as Keras).

    Args:
        height / width: output size.
        interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``,
            ``"lanczos3"`` or ``"lanczos5"``.
        crop_to_aspect_ratio: crop the largest central window with the target aspect ratio
            first (no distortion).
        pad_to_aspect_ratio: pad with ``fill_value`` to the target aspect ratio first.
        fill_mode: only ``"constant"``; fill_value: padding value.
        antialias: antialiasing filter when downsampling.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> Resizing(8, 8).compute_output_shape((None, 32, 32, 3))
        (None, 8, 8, 3)
    """

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "Resizing"
        self.height = _validate.positive_int(owner, "height", height)
        self.width = _validate.positive_int(owner, "width", width)
        self.interpolation = _choice(owner, "interpolation", interpolation, _RESIZE_METHODS)
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise ValueError(
                f"{owner}: only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be "
                "True."
            )
        self.fill_mode = _choice(owner, "fill_mode", fill_mode, ("constant",))
        self.fill_value = _validate.real(owner, "fill_value", fill_value)
        self.antialias = bool(antialias)
        self._set_format(data_format)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = jnp.asarray(inputs)
        self._check_rank(x.ndim)
        in_dtype = x.dtype
        is_int = not jnp.issubdtype(in_dtype, jnp.floating)
        x = x.astype(jnp.float32 if is_int else self.compute_dtype)
        x, single = self._as_nhwc(x)
        if self.crop_to_aspect_ratio:
            x = crop_to_aspect(x, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            x = pad_to_aspect(x, self.height, self.width, self.fill_value)
        y = resize_nhwc(x, self.height, self.width, self.interpolation, self.antialias)
        if is_int:
            info = jnp.iinfo(in_dtype)
            y = jnp.clip(jnp.round(y), info.min, info.max).astype(in_dtype)
        return self._from_nhwc(y, single), {}

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(input_shape)
        h_axis, w_axis = self._hw_axes(len(shape))
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
            "data_format": self.data_format,
        }


class CenterCrop(_ImageLayer):
    """Crops the central ``(height, width)`` window; images smaller than the target are
    cropped to the target aspect ratio and resized (bilinear) instead, as Keras does.

    Example:
        >>> CenterCrop(2, 3).compute_output_shape((None, 5, 5, 1))
        (None, 2, 3, 1)
    """

    def __init__(self, height: int, width: int, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height = _validate.positive_int("CenterCrop", "height", height)
        self.width = _validate.positive_int("CenterCrop", "width", width)
        self._set_format(data_format)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = self._to_compute(inputs)
        self._check_rank(x.ndim)
        x, single = self._as_nhwc(x)
        h, w = x.shape[1], x.shape[2]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            y = x[:, top : top + self.height, left : left + self.width, :]
        else:
            y = crop_to_aspect(x, self.height, self.width)
            y = resize_nhwc(y, self.height, self.width, "bilinear", False)
        return self._from_nhwc(y, single), {}

    compute_output_shape = Resizing.compute_output_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "data_format": self.data_format,
        }


# --- random augmentation -------------------------------------------------------------------------
def _random_key(layer: Layer, rng: jax.Array | None, seed: int | None) -> jax.Array:
    if rng is None:
        raise ValueError(
            f'Layer "{layer.name}" ({type(layer).__name__}) needs a random key when '
            "training=True: pass `rng=jax.random.key(...)` to apply()."
        )
    return rng if seed is None else jax.random.fold_in(rng, seed)


_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_AFFINE_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}


def affine_transform(
    images: jax.Array,
    transforms: jax.Array,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
) -> jax.Array:
    """Keras's ``affine_transform`` on NHWC images: output pixel ``(x, y)`` of image ``b`` reads
    the input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2)`` from ``transforms[b] = [a0, a1, a2,
    b0, b1, b2, 0, 0]``, interpolated, outside points filled by ``fill_mode``."""
    _, h, w, _ = images.shape
    ys, xs = jnp.meshgrid(
        jnp.arange(h, dtype=transforms.dtype), jnp.arange(w, dtype=transforms.dtype), indexing="ij"
    )
    order = _AFFINE_INTERPOLATIONS[interpolation]

    def one(image, t):
        x_in = t[0] * xs + t[1] * ys + t[2]
        y_in = t[3] * xs + t[4] * ys + t[5]

        def channel(c):
            return jax.scipy.ndimage.map_coordinates(
                c, [y_in, x_in], order=order, mode=fill_mode, cval=fill_value
            )

        return jax.vmap(channel, in_axes=2, out_axes=2)(image)

    return jax.vmap(one)(images, transforms).astype(images.dtype)


def rotation_transforms(angles_deg: jax.Array, height: int, width: int) -> jax.Array:
    """Transforms rotating images by ``angles_deg`` around their centre (Keras's matrix)."""
    theta = angles_deg * (math.pi / 180.0)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = jnp.cos(theta), jnp.sin(theta)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = jnp.zeros_like(theta)
    return jnp.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def zoom_transforms(zoom_w: jax.Array, zoom_h: jax.Array, height: int, width: int) -> jax.Array:
    """Transforms scaling sampling coordinates by ``zoom`` (>1 shows more: zoom out)."""
    x_off = (width - 1.0) / 2.0 * (1.0 - zoom_w)
    y_off = (height - 1.0) / 2.0 * (1.0 - zoom_h)
    zeros = jnp.zeros_like(zoom_w)
    return jnp.stack([zoom_w, zeros, x_off, zeros, zoom_h, y_off, zeros, zeros], axis=1)


def translation_transforms(dx: jax.Array, dy: jax.Array) -> jax.Array:
    """Transforms shifting images right by ``dx`` and down by ``dy`` pixels."""
    ones, zeros = jnp.ones_like(dx), jnp.zeros_like(dx)
    return jnp.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)


def _range(owner: str, arg: str, value: Any, low: float, low_open: bool = False) -> tuple:
    """Keras's factor: ``f`` -> ``(-|f|, |f|)``; ``(a, b)`` -> sorted, each in bounds."""

    def check(v):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise _fail(owner, arg, "a number or a tuple of 2 numbers", value)
        if v > 1.0 or v < low or (low_open and v == low):
            bound = f"({low:g}, 1]" if low_open else f"[{low:g}, 1]"
            raise _fail(owner, arg, f"a number (or 2 numbers) in {bound}", value)
        return float(v)

    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise _fail(owner, arg, "a number or a tuple of 2 numbers", value)
        lo, hi = sorted(check(v) for v in value)
        return lo, hi
    f = abs(check(value))
    return -f, f


class _RandomAffine(_ImageLayer):
    """Shared arguments of RandomRotation / RandomZoom / RandomTranslation."""

    def _set_affine(self, fill_mode, interpolation, seed, fill_value, data_format):
        owner = type(self).__name__
        self.fill_mode = _choice(owner, "fill_mode", fill_mode, _FILL_MODES)
        self.interpolation = _choice(
            owner, "interpolation", interpolation, tuple(_AFFINE_INTERPOLATIONS)
        )
        self.seed = _validate.optional_seed(owner, seed)
        self.fill_value = _validate.real(owner, "fill_value", fill_value)
        self._set_format(data_format)

    def _transforms(self, key: jax.Array, batch: int, height: int, width: int) -> jax.Array:
        raise NotImplementedError

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables
        x = self._to_compute(inputs)
        self._check_rank(x.ndim)
        if not training:
            return x, {}
        key = _random_key(self, rng, self.seed)
        nhwc, single = self._as_nhwc(x)
        b, h, w, _ = nhwc.shape
        t = self._transforms(key, b, h, w)
        y = affine_transform(nhwc, t, self.interpolation, self.fill_mode, self.fill_value)
        return self._from_nhwc(y, single), {}

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def _affine_config(self) -> dict[str, Any]:
        return {
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
            "data_format": self.data_format,
        }


class RandomRotation(_RandomAffine):
    """Rotates each image by a random angle in ``factor * 360`` degrees in training.

    Args:
        factor: ``f`` (angles in ``[-f, f] * 360`` degrees) or ``(low, high)``, in [-1, 1].
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: optional int folded into the ``rng`` of ``apply``.
        fill_value: value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> RandomRotation(0.1).factor
        (-0.1, 0.1)
    """

    def __init__(
        self,
        factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.factor = _range("RandomRotation", "factor", factor, -1.0)
        self._set_affine(fill_mode, interpolation, seed, fill_value, data_format)

    def _transforms(self, key, batch, height, width):
        lo, hi = self.factor
        angles = jax.random.uniform(key, (batch,), minval=lo * 360.0, maxval=hi * 360.0)
        return rotation_transforms(angles, height, width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, **self._affine_config()}


class RandomZoom(_RandomAffine):
    """Zooms each image in or out by a random factor in training.

    ``height_factor`` ``f`` draws a zoom in ``[1 - |f|, 1 + |f|]`` (a negative value of a
    ``(low, high)`` pair zooms in, a positive one out); ``width_factor=None`` keeps the aspect
    ratio (same zoom on both axes). Other arguments as RandomRotation.

    Example:
        >>> RandomZoom(0.2).height_factor
        0.2
    """

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any = None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = _range("RandomZoom", "height_factor", height_factor, -1.0, True)
        self._width_range = (
            None
            if width_factor is None
            else _range("RandomZoom", "width_factor", width_factor, -1.0, True)
        )
        self._set_affine(fill_mode, interpolation, seed, fill_value, data_format)

    def _transforms(self, key, batch, height, width):
        (lo, hi) = self._height_range
        zoom_h = jax.random.uniform(key, (batch,), minval=1.0 + lo, maxval=1.0 + hi)
        zoom_w = zoom_h
        if self._width_range is not None:
            lo, hi = self._width_range
            zoom_w = jax.random.uniform(
                jax.random.fold_in(key, 1), (batch,), minval=1.0 + lo, maxval=1.0 + hi
            )
        return zoom_transforms(zoom_w, zoom_h, height, width)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            **self._affine_config(),
        }


class RandomTranslation(_RandomAffine):
    """Shifts each image by a random fraction of its height and width in training.

    ``height_factor`` ``f`` shifts by up to ``|f| * height`` pixels up or down (``(low,
    high)`` fractions for an asymmetric range, negative = up/left); likewise ``width_factor``.
    Other arguments as RandomRotation.

    Example:
        >>> RandomTranslation(0.1, 0.2).width_factor
        0.2
    """

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = _range("RandomTranslation", "height_factor", height_factor, -1.0)
        self._width_range = _range("RandomTranslation", "width_factor", width_factor, -1.0)
        self._set_affine(fill_mode, interpolation, seed, fill_value, data_format)

    def _transforms(self, key, batch, height, width):
        k_h, k_w = jax.random.split(key)
        dy = (
            jax.random.uniform(
                k_h, (batch,), minval=self._height_range[0], maxval=self._height_range[1]
            )
            * height
        )
        dx = (
            jax.random.uniform(
                k_w, (batch,), minval=self._width_range[0], maxval=self._width_range[1]
            )
            * width
        )
        return translation_transforms(dx, dy)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            **self._affine_config(),
        }


_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(_ImageLayer):
    """Flips each image with probability 1/2 in training (the identity at inference).

    Args:
        mode: ``"horizontal"`` (left-right), ``"vertical"`` (up-down) or
            ``"horizontal_and_vertical"`` (default; one draw per image flips both axes).
        seed: optional int folded into the ``rng`` of ``apply``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> RandomFlip("horizontal").mode
        'horizontal'
    """

    def __init__(
        self,
        mode: str = "horizontal_and_vertical",
        seed: int | None = None,
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mode = _choice("RandomFlip", "mode", mode, _FLIP_MODES)
        self.seed = _validate.optional_seed("RandomFlip", seed)
        self._set_format(data_format)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables
        x = self._to_compute(inputs)
        h_axis, w_axis = self._hw_axes(x.ndim)
        if not training:
            return x, {}
        key = _random_key(self, rng, self.seed)
        flip_shape = (1,) * x.ndim if x.ndim == 3 else (x.shape[0],) + (1,) * (x.ndim - 1)
        flips = jax.random.uniform(key, flip_shape) <= 0.5
        y = x
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            y = jnp.where(flips, jnp.flip(y, axis=w_axis), y)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            y = jnp.where(flips, jnp.flip(y, axis=h_axis), y)
        return y, {}

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "mode": self.mode,
            "seed": self.seed,
            "data_format": self.data_format,
        }


# --- IntegerLookup -------------------------------------------------------------------------------
_LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IntegerLookup(Layer):
    """Maps integer tokens to contiguous indices of a vocabulary (and back with ``invert``).

    Index layout (``output_mode="int"``): ``0`` is the ``mask_token`` when one is set, then
    ``num_oov_indices`` out-of-vocabulary indices (an OOV token ``t`` goes to
    ``t mod num_oov_indices``, Keras's ``"floormod"``), then the vocabulary in order. Other
    modes encode those indices (without the mask slot; mask tokens are dropped) as one-hot,
    multi-hot, count or tf-idf vectors of size ``vocabulary_size()``.

    The vocabulary is given as ``vocabulary`` or learned by ``adapt(data)`` on the host:
    tokens by decreasing frequency, ties by decreasing token (Keras's order), at most
    ``max_tokens`` entries including the special ones.

    Args:
        max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, vocabulary_dtype
            (``"int64"`` only, computed as int32 without ``jax_enable_x64``), idf_weights,
            invert, output_mode (``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"``,
            ``"tf_idf"``), pad_to_max_tokens: as in Keras.
        sparse: only False; oov_method: only ``"floormod"``.

    Example:
        >>> import jax.numpy as jnp
        >>> layer = IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer.apply({"params": {}, "state": {}}, jnp.array([[12, 1138, 42], [42, 1000, 36]]))[0]
        Array([[1, 3, 4],
               [4, 0, 2]], dtype=int32)
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary: Any = None,
        vocabulary_dtype: str = "int64",
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "IntegerLookup"
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens <= 1):
            raise _fail(owner, "max_tokens", "None or an int greater than 1", max_tokens)
        if (
            isinstance(num_oov_indices, bool)
            or not isinstance(num_oov_indices, int)
            or (num_oov_indices < 0)
        ):
            raise _fail(owner, "num_oov_indices", "an int >= 0", num_oov_indices)
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token = None if mask_token is None else int(mask_token)
        self.oov_token = int(oov_token)
        if vocabulary_dtype != "int64":
            raise _fail(owner, "vocabulary_dtype", "'int64'", vocabulary_dtype)
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = bool(invert)
        self.output_mode = _choice(owner, "output_mode", output_mode, _LOOKUP_MODES)
        if self.invert and self.output_mode != "int":
            raise ValueError(f"{owner}: `invert=True` needs output_mode='int'.")
        if sparse:
            raise _fail(owner, "sparse", "False (sparse outputs are not supported)", sparse)
        if oov_method != "floormod" or salt is not None:
            raise _fail(owner, "oov_method", "'floormod' (without salt)", oov_method)
        self.sparse, self.oov_method, self.salt = False, oov_method, None
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._vocab: list[int] | None = None
        self._idf: np.ndarray | None = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{owner}: `idf_weights` needs a `vocabulary`.")

    # vocabulary (host side)
    def _specials(self) -> list[int]:
        mask = (
            [self.mask_token] if self.mask_token is not None and self.output_mode == "int" else []
        )
        return mask + [self.oov_token] * self.num_oov_indices

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (special tokens at its start are recognised and dropped)."""
        vocab = [int(v) for v in np.asarray(vocabulary).reshape(-1)]
        specials = self._specials()
        idf = None if idf_weights is None else np.asarray(idf_weights, np.float32).reshape(-1)
        if specials and vocab[: len(specials)] == specials:
            vocab = vocab[len(specials) :]
            if idf is not None:  # weights given for the special tokens too: keep the OOV ones
                idf = idf[len(specials) - self.num_oov_indices :]
        elif idf is not None and len(idf) == len(vocab):
            # Keras: OOV tokens weigh the average idf.
            idf = np.concatenate([np.full(self.num_oov_indices, idf.mean(), np.float32), idf])
        if idf is not None and len(idf) != self.num_oov_indices + len(vocab):
            raise ValueError(
                f"IntegerLookup '{self.name}': `idf_weights` must have one weight per "
                f"vocabulary token, received {len(idf)} for {len(vocab)} tokens."
            )
        if len(set(vocab)) != len(vocab):
            raise ValueError(f"IntegerLookup '{self.name}': the vocabulary has repeated tokens.")
        if self.output_mode == "tf_idf" and idf is None:
            raise ValueError("IntegerLookup: output_mode='tf_idf' needs `idf_weights`.")
        self._vocab, self._idf = vocab, idf

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Builds the vocabulary from token frequencies in ``data`` (array or batches)."""
        counts: dict[int, int] = {}
        docs: dict[int, int] = {}
        n_docs = 0
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            batch = np.asarray(batch).astype(np.int64)
            tokens, c = np.unique(batch, return_counts=True)
            for t, k in zip(tokens.tolist(), c.tolist()):
                counts[t] = counts.get(t, 0) + k
            rows = batch.reshape(batch.shape[0], -1) if batch.ndim > 1 else batch[:, None]
            for row in rows:
                for t in set(row.tolist()):
                    docs[t] = docs.get(t, 0) + 1
            n_docs += rows.shape[0]
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        vocab = sorted(counts, key=lambda t: (-counts[t], -t))
        if self.max_tokens is not None:
            vocab = vocab[: max(self.max_tokens - len(self._specials()), 0)]
        idf = None
        if self.output_mode == "tf_idf":
            idf = np.log1p(n_docs / (1.0 + np.array([docs[t] for t in vocab], np.float64)))
            idf = np.concatenate([np.full(self.num_oov_indices, idf.mean()), idf])
        self._vocab, self._idf = vocab, None if idf is None else idf.astype(np.float32)

    def get_vocabulary(self) -> list[int]:
        """Special tokens then the vocabulary, in index order."""
        return self._specials() + list(self._vocab or [])

    def vocabulary_size(self) -> int:
        size = len(self.get_vocabulary())
        if self.pad_to_max_tokens and self.max_tokens and self.output_mode != "int":
            return max(size, self.max_tokens)
        return size

    # protocol
    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        if self._vocab is None:
            raise ValueError(
                f"IntegerLookup '{self.name}': pass `vocabulary` or call `adapt(data)` first."
            )
        x = jnp.asarray(inputs).astype(jnp.int32)
        if self.invert:
            table = jnp.asarray(self.get_vocabulary(), jnp.int32)
            ok = (x >= 0) & (x < table.shape[0])
            out = jnp.where(ok, table[jnp.clip(x, 0, table.shape[0] - 1)], self.oov_token)
            if self.mask_token is not None:
                out = jnp.where(x == 0, self.mask_token, out)
            return out, {}
        ids = self._lookup(x)
        if self.output_mode == "int":
            return ids, {}
        dtype = self.compute_dtype
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(ids, mode, self.vocabulary_size(), dtype)
        if self.output_mode == "tf_idf":
            idf = np.zeros(self.vocabulary_size(), np.float32)
            idf[: len(self._idf)] = self._idf
            out = out * jnp.reshape(jnp.asarray(idf, dtype), (1,) * (out.ndim - 1) + (-1,))
        return out, {}

    def _lookup(self, x: jax.Array) -> jax.Array:
        vocab = np.asarray(self._vocab, np.int64)
        order = np.argsort(vocab, kind="stable")
        sorted_vocab = jnp.asarray(vocab[order], jnp.int32)
        pos = jnp.clip(jnp.searchsorted(sorted_vocab, x), 0, max(len(vocab) - 1, 0))
        found = (sorted_vocab[pos] == x) if len(vocab) else jnp.zeros(x.shape, bool)
        has_mask = self.mask_token is not None and self.output_mode == "int"
        offset = int(has_mask) + self.num_oov_indices
        in_vocab = jnp.asarray(order, jnp.int32)[pos] + offset
        if self.num_oov_indices:
            oov = jnp.mod(x, self.num_oov_indices) + int(has_mask)
        else:
            oov = jnp.full(x.shape, -1, jnp.int32)  # Keras raises; no error inside jit
        ids = jnp.where(found, in_vocab, oov)
        if self.mask_token is not None:
            ids = jnp.where(x == self.mask_token, 0 if has_mask else -1, ids)
        return ids.astype(jnp.int32)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self.output_mode == "int":
            return tuple(input_shape)
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return _encoded_shape(tuple(input_shape), mode, self.vocabulary_size())

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "mask_token": self.mask_token,
            "oov_token": self.oov_token,
            "vocabulary": None if self._vocab is None else list(self._vocab),
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": None if self._idf is None else self._idf.tolist(),
            "invert": self.invert,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }
