"""Keras 3's ``keras.ops.image`` on ``jax.image`` / ``jax.scipy.ndimage`` / ``jax.lax``.

Images are ``(height, width, channels)`` or batches ``(batch, height, width, channels)``;
``data_format="channels_first"`` puts channels before the spatial axes (``None`` means
``"channels_last"``, Keras's default ``image_data_format``). The facade re-exports every name
of ``__all__`` at ``jnn.ops.image`` (Keras keeps them out of the top level).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn._core.ops import image
    >>> image.resize(jnp.ones((4, 4, 3)), (2, 2)).shape
    (2, 2, 3)
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from jnn._core.ops import _dtypes
from jnn._core.ops import core as _core
from jnn._core.ops import nn as _nn
from jnn._core.random import draw_key

__all__ = [
    "affine_transform", "crop_images", "elastic_transform", "extract_patches",
    "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
    "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv", "scale_and_translate",
    "sobel_edges", "ssim",
]  # fmt: skip

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
TRANSFORM_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}  # -> spline order
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic",
                               "tricubic", "lanczos3", "lanczos5")  # fmt: skip


def _t(x: Any, dtype: Any = None) -> jax.Array:
    return _dtypes.convert_to_tensor(x, dtype=dtype)


def _fmt(data_format: str | None, fn: str) -> str:
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"image.{fn}: argument `data_format` must be 'channels_last' or 'channels_first', "
            f"received {data_format!r}."
        )
    return data_format


def _images(images: Any, fn: str, name: str = "images") -> jax.Array:
    images = _t(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"image.{fn}: `{name}` must have rank 3 (one image) or rank 4 (a batch), received "
            f"shape {images.shape}."
        )
    return images


def _choice(value: Any, allowed: Any, fn: str, arg: str) -> Any:
    if value not in allowed:
        raise ValueError(
            f"image.{fn}: argument `{arg}` must be one of {tuple(allowed)}, received {value!r}."
        )
    return value


def _batched_last(images: jax.Array, data_format: str) -> tuple[jax.Array, bool]:
    """A 4-D channels-last batch, and whether the input was a single image."""
    single = images.ndim == 3
    if single:
        images = images[None]
    if data_format == "channels_first":
        images = jnp.moveaxis(images, 1, -1)
    return images, single


def _restore(images: jax.Array, data_format: str, single: bool) -> jax.Array:
    if data_format == "channels_first":
        images = jnp.moveaxis(images, -1, 1)
    return images[0] if single else images


# --- colour spaces -------------------------------------------------------------------------------


def rgb_to_grayscale(images: Any, data_format: str | None = None) -> jax.Array:
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B`` with one channel kept (one-channel input is
    returned as is).

    Example:
        >>> rgb_to_grayscale(jnp.ones((2, 2, 3))).shape
        (2, 2, 1)
    """
    images = _images(images, "rgb_to_grayscale")
    axis = -1 if _fmt(data_format, "rgb_to_grayscale") == "channels_last" else -3
    if images.shape[axis] not in (1, 3):
        raise ValueError(
            "image.rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels, received "
            f"shape {images.shape}."
        )
    if images.shape[axis] == 1:
        return images
    dtype = _dtypes.result_type(images.dtype, float)
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], dtype)
    gray = jnp.tensordot(images.astype(dtype), weights, axes=(axis, -1))
    return jnp.expand_dims(gray, axis).astype(images.dtype)


def _float_images(images: Any, fn: str) -> jax.Array:
    images = _images(images, fn)
    if not jnp.issubdtype(images.dtype, jnp.floating):
        raise ValueError(f"image.{fn}: expected float images, received dtype {images.dtype}.")
    return images


def rgb_to_hsv(images: Any, data_format: str | None = None) -> jax.Array:
    """RGB in ``[0, 1]`` to HSV (hue, saturation, value all in ``[0, 1]``).

    Example:
        >>> rgb_to_hsv(jnp.array([[[1.0, 0.0, 0.0]]])).tolist()
        [[[0.0, 1.0, 1.0]]]
    """
    images = _float_images(images, "rgb_to_hsv")
    axis = -1 if _fmt(data_format, "rgb_to_hsv") == "channels_last" else -3
    images = jnp.where(jnp.abs(images) < jnp.finfo(images.dtype).eps, 0.0, images)
    r, g, b = (jnp.take(images, i, axis=axis) for i in range(3))
    value = jnp.maximum(jnp.maximum(r, g), b)
    spread = value - jnp.minimum(jnp.minimum(r, g), b)
    saturation = jnp.where(value > 0, spread / jnp.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * jnp.where(spread > 0, spread, 1.0))
    hue = jnp.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = jnp.where(value == r, norm * (g - b), hue)
    hue = jnp.where(spread > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack((hue, saturation, value), axis=axis)


def hsv_to_rgb(images: Any, data_format: str | None = None) -> jax.Array:
    """HSV (all in ``[0, 1]``) to RGB.

    Example:
        >>> hsv_to_rgb(jnp.array([[[0.0, 1.0, 1.0]]])).tolist()
        [[[1.0, 0.0, 0.0]]]
    """
    images = _float_images(images, "hsv_to_rgb")
    axis = -1 if _fmt(data_format, "hsv_to_rgb") == "channels_last" else -3
    hue, saturation, value = (jnp.take(images, i, axis=axis) for i in range(3))
    dh = jnp.mod(hue, 1.0) * 6.0
    dr = jnp.clip(jnp.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = jnp.clip(2.0 - jnp.abs(dh - 2.0), 0.0, 1.0)
    db = jnp.clip(2.0 - jnp.abs(dh - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    planes = (value * (grey + saturation * d) for d in (dr, dg, db))
    return jnp.stack(tuple(planes), axis=axis)


# --- resizing, cropping, padding -----------------------------------------------------------------


def _hw_axes(images: jax.Array, data_format: str) -> tuple[int, int]:
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


def resize(images: Any, size: Any, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0,
           data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Resizes images to ``size = (height, width)`` with ``jax.image.resize``.

    ``crop_to_aspect_ratio`` first crops the centred largest box of the target aspect ratio;
    ``pad_to_aspect_ratio`` pads (with ``fill_value``) to it instead. Integer images are
    rounded and saturated back to their dtype.

    Example:
        >>> resize(jnp.ones((1, 4, 6, 3)), (2, 2), crop_to_aspect_ratio=True).shape
        (1, 2, 2, 3)
    """
    fn = "resize"
    df = _fmt(data_format, fn)
    _choice(interpolation, RESIZE_INTERPOLATIONS, fn, "interpolation")
    _choice(fill_mode, ("constant",), fn, "fill_mode")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "image.resize: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can "
            "be True."
        )
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise ValueError(
            f"image.resize: `size` must be (height, width) with positive entries, received "
            f"{size!r}."
        )
    images = _images(images, fn)
    original = images.dtype
    th, tw = int(size[0]), int(size[1])
    ha, wa = _hw_axes(images, df)
    height, width = images.shape[ha], images.shape[wa]
    if crop_to_aspect_ratio:
        ch = max(min(height, int(float(width * th) / tw)), 1)
        cw = max(min(width, int(float(height * tw) / th)), 1)
        top, left = int(float(height - ch) / 2), int(float(width - cw) / 2)
        images = lax.slice_in_dim(images, top, top + ch, axis=images.ndim + ha)
        images = lax.slice_in_dim(images, left, left + cw, axis=images.ndim + wa)
    elif pad_to_aspect_ratio:
        ph = max(height, int(float(width * th) / tw))
        pw = max(width, int(float(height * tw) / th))
        top, left = int(float(ph - height) / 2), int(float(pw - width) / 2)
        pads = [(0, 0)] * images.ndim
        if top > 0:
            pads[images.ndim + ha] = (top, top)
        elif left > 0:
            pads[images.ndim + wa] = (left, left)
        images = jnp.pad(images, pads, constant_values=jnp.asarray(fill_value, images.dtype))
    shape = list(images.shape)
    shape[ha], shape[wa] = th, tw
    out = jax.image.resize(images, tuple(shape), method=interpolation, antialias=antialias)
    if out.dtype == original:
        return out
    if jnp.issubdtype(original, jnp.integer):
        out = jnp.round(out)
    return _core.saturate_cast(out, original)


def _sides(first: Any, second: Any, target: Any, size: int, names: tuple, fn: str,
           crop: bool) -> tuple[int, int]:  # fmt: skip
    """``(start, extent)`` along one axis from two of (first, second, target)."""
    if [first, second, target].count(None) != 1:
        raise ValueError(
            f"image.{fn}: specify exactly two of {', '.join(names)}; received "
            f"{names[0]}={first}, {names[1]}={second}, {names[2]}={target}."
        )
    for name, v in zip(names, (first, second, target)):
        if v is not None and v < 0:
            raise ValueError(f"image.{fn}: `{name}` must be >= 0, received {v}.")
    if crop:
        if first is None:
            first = size - target - second
        if target is None:
            target = size - second - first
        if first < 0 or target < 0 or first + target > size:
            raise ValueError(
                f"image.{fn}: the crop does not fit the size {size}: {names[0]}={first}, "
                f"{names[2]}={target}."
            )
        return first, target
    if first is None:
        first = target - second - size
    if second is None:
        second = target - first - size
    if first < 0 or second < 0:
        raise ValueError(
            f"image.{fn}: the padding must be >= 0; the target is smaller than the size "
            f"{size}: {names[0]}={first}, {names[1]}={second}."
        )
    return first, second


def pad_images(images: Any, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None,
               target_height: int | None = None, target_width: int | None = None,
               data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Zero-pads images; give two of ``top_padding``/``bottom_padding``/``target_height`` and
    two of ``left_padding``/``right_padding``/``target_width``.

    Example:
        >>> pad_images(jnp.ones((2, 2, 1)), 1, 1, target_height=4, target_width=4).shape
        (4, 4, 1)
    """
    fn = "pad_images"
    df = _fmt(data_format, fn)
    images = _images(images, fn)
    ha, wa = _hw_axes(images, df)
    top, bottom = _sides(top_padding, bottom_padding, target_height, images.shape[ha],
                         ("top_padding", "bottom_padding", "target_height"), fn, False)
    left, right = _sides(left_padding, right_padding, target_width, images.shape[wa],
                         ("left_padding", "right_padding", "target_width"), fn, False)
    pads = [(0, 0)] * images.ndim
    pads[images.ndim + ha], pads[images.ndim + wa] = (top, bottom), (left, right)
    return jnp.pad(images, pads)


def crop_images(images: Any, top_cropping: int | None = None, left_cropping: int | None = None,
                bottom_cropping: int | None = None, right_cropping: int | None = None,
                target_height: int | None = None, target_width: int | None = None,
                data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Crops images; give two of ``top_cropping``/``bottom_cropping``/``target_height`` and two
    of ``left_cropping``/``right_cropping``/``target_width``.

    Example:
        >>> crop_images(jnp.ones((4, 4, 1)), 1, 1, target_height=2, target_width=2).shape
        (2, 2, 1)
    """
    fn = "crop_images"
    df = _fmt(data_format, fn)
    images = _images(images, fn)
    ha, wa = _hw_axes(images, df)
    top, height = _sides(top_cropping, bottom_cropping, target_height, images.shape[ha],
                         ("top_cropping", "bottom_cropping", "target_height"), fn, True)
    left, width = _sides(left_cropping, right_cropping, target_width, images.shape[wa],
                         ("left_cropping", "right_cropping", "target_width"), fn, True)
    images = lax.slice_in_dim(images, top, top + height, axis=images.ndim + ha)
    return lax.slice_in_dim(images, left, left + width, axis=images.ndim + wa)


# --- geometric transforms ------------------------------------------------------------------------


def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0) -> jax.Array:  # fmt: skip
    """Samples ``inputs`` at ``coordinates`` (one row of coordinates per input axis) with
    spline ``order`` 0 (nearest) or 1 (linear) (``jax.scipy.ndimage.map_coordinates``).

    Example:
        >>> map_coordinates(jnp.arange(4.0), jnp.array([[1.5]]), 1).tolist()
        [1.5]
    """
    fn = "map_coordinates"
    inputs, coordinates = _t(inputs), _t(coordinates)
    if coordinates.ndim < 2:
        raise ValueError(
            f"image.{fn}: `coordinates` must have rank >= 2, received shape {coordinates.shape}."
        )
    if coordinates.shape[0] != inputs.ndim:
        raise ValueError(
            f"image.{fn}: the first dimension of `coordinates` ({coordinates.shape[0]}) must "
            f"equal the rank of `inputs` ({inputs.ndim})."
        )
    _choice(fill_mode, FILL_MODES, fn, "fill_mode")
    _choice(order, (0, 1), fn, "order")
    return jax.scipy.ndimage.map_coordinates(inputs, coordinates, order, fill_mode, fill_value)


def _sample(images: jax.Array, rows: jax.Array, cols: jax.Array, order: int, mode: str,
            cval: Any) -> jax.Array:  # fmt: skip
    """Samples channels-last ``images (B, H, W, C)`` at per-image ``rows``/``cols`` ``(B, H, W)``."""
    sample = functools.partial(jax.scipy.ndimage.map_coordinates, order=order, mode=mode,
                               cval=cval)  # fmt: skip

    def one(image: jax.Array, r: jax.Array, c: jax.Array) -> jax.Array:
        return jax.vmap(lambda plane: sample(plane, (r, c)), in_axes=-1, out_axes=-1)(image)

    return jax.vmap(one)(images, rows, cols)


def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0,
                     data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Applies projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one per image, or
    one for all): output pixel ``(x, y)`` samples the input at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``.

    Example:
        >>> shift = jnp.array([1.0, 0, 1, 0, 1, 0, 0, 0])  # x + 1
        >>> affine_transform(jnp.arange(3.0).reshape(1, 3, 1), shift).ravel().tolist()
        [1.0, 2.0, 0.0]
    """
    fn = "affine_transform"
    df = _fmt(data_format, fn)
    order = TRANSFORM_INTERPOLATIONS[_choice(interpolation, TRANSFORM_INTERPOLATIONS, fn,
                                             "interpolation")]  # fmt: skip
    _choice(fill_mode, FILL_MODES, fn, "fill_mode")
    images = _images(images, fn)
    transform = _t(transform)
    if transform.ndim not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError(
            f"image.{fn}: `transform` must have shape (8,) or (batch, 8), received "
            f"{transform.shape}."
        )
    x, single = _batched_last(images, df)
    batch, height, width, _ = x.shape
    transform = jnp.broadcast_to(transform.reshape(-1, 8), (batch, 8))
    ys, xs = jnp.meshgrid(jnp.arange(height), jnp.arange(width), indexing="ij")
    ys, xs = ys[None].astype(transform.dtype), xs[None].astype(transform.dtype)
    t = [transform[:, i, None, None] for i in range(8)]
    k = t[6] * xs + t[7] * ys + 1.0
    cols = (t[0] * xs + t[1] * ys + t[2]) / k
    rows = (t[3] * xs + t[4] * ys + t[5]) / k
    out = _sample(x, rows, cols, order, fill_mode, fill_value)
    return _restore(out, df, single)


def _homography(start: jax.Array, end: jax.Array) -> jax.Array:
    """The 8 projective coefficients mapping ``end`` points onto ``start`` points."""
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = jnp.concatenate([x_rows, y_rows], axis=1)
    target = jnp.concatenate([sx, sy], axis=-1)[..., None]
    return jnp.linalg.solve(system, target)[..., 0]


def perspective_transform(images: Any, start_points: Any, end_points: Any,
                          interpolation: str = "bilinear", fill_value: float = 0,
                          data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Warps images so that the four ``start_points`` ``(x, y)`` land on ``end_points``
    (``(4, 2)`` or ``(batch, 4, 2)``); outside pixels get ``fill_value``.

    Example:
        >>> corners = jnp.array([[0.0, 0], [3, 0], [0, 3], [3, 3]])
        >>> perspective_transform(jnp.ones((4, 4, 1)), corners, corners).shape
        (4, 4, 1)
    """
    fn = "perspective_transform"
    df = _fmt(data_format, fn)
    order = TRANSFORM_INTERPOLATIONS[_choice(interpolation, TRANSFORM_INTERPOLATIONS, fn,
                                             "interpolation")]  # fmt: skip
    images = _images(images, fn)
    start, end = _t(start_points, "float32"), _t(end_points, "float32")
    for name, p in (("start_points", start), ("end_points", end)):
        if p.shape[-2:] != (4, 2) or p.ndim not in (2, 3):
            raise ValueError(
                f"image.{fn}: `{name}` must have shape (4, 2) or (batch, 4, 2), received "
                f"{p.shape}."
            )
    if start.shape != end.shape:
        raise ValueError(
            f"image.{fn}: `start_points` and `end_points` must have the same shape, received "
            f"{start.shape} and {end.shape}."
        )
    x, single = _batched_last(images, df)
    batch, height, width, _ = x.shape
    coeffs = _homography(start.reshape(-1, 4, 2), end.reshape(-1, 4, 2))
    coeffs = jnp.broadcast_to(coeffs, (batch, 8))
    xs, ys = jnp.meshgrid(jnp.arange(width), jnp.arange(height), indexing="xy")
    xs, ys = xs[None], ys[None]
    c = [coeffs[:, i, None, None] for i in range(8)]
    denom = c[6] * xs + c[7] * ys + 1.0
    cols = (c[0] * xs + c[1] * ys + c[2]) / denom
    rows = (c[3] * xs + c[4] * ys + c[5]) / denom
    out = _sample(x, rows, cols, order, "constant", fill_value)
    return _restore(out, df, single)


def _gaussian_1d(size: int, sigma: Any, dtype: Any) -> jax.Array:
    x = jnp.arange(size, dtype=dtype) - jnp.asarray((size - 1) / 2, dtype)
    kernel = jnp.exp(-0.5 * (x / sigma) ** 2)
    return kernel / jnp.sum(kernel)


def _per_channel_conv(images: jax.Array, kernel: jax.Array, padding: str) -> jax.Array:
    """2-D ``kernel (kh, kw)`` applied to every channel of a channels-last batch."""
    channels = images.shape[-1]
    taps = jnp.broadcast_to(kernel[:, :, None, None], (*kernel.shape, 1, channels))
    return lax.conv_general_dilated(
        images, taps.astype(images.dtype), (1, 1), padding,
        dimension_numbers=("NHWC", "HWIO", "NHWC"), feature_group_count=channels)


def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0),
                  data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Gaussian blur per channel (zero padding, output the input's size). As in Keras,
    ``kernel_size[0]`` / ``sigma[0]`` apply along the width, ``[1]`` along the height.

    Example:
        >>> gaussian_blur(jnp.ones((1, 5, 5, 1)))[0, 2, 2, 0].round(4).tolist()
        1.0
    """
    fn = "gaussian_blur"
    df = _fmt(data_format, fn)
    images = _images(images, fn)
    dtype = images.dtype
    sigma = _t(sigma, dtype)
    kernel = jnp.outer(_gaussian_1d(kernel_size[1], sigma[1], dtype),
                       _gaussian_1d(kernel_size[0], sigma[0], dtype))  # fmt: skip
    x, single = _batched_last(images, df)
    return _restore(_per_channel_conv(x, kernel, "SAME"), df, single)


def elastic_transform(images: Any, alpha: float = 20.0, sigma: float = 5.0,
                      interpolation: str = "bilinear", fill_mode: str = "reflect",
                      fill_value: float = 0.0, seed: Any = None,
                      data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Elastic distortion: every pixel moves by ``alpha`` times a Gaussian-smoothed (``sigma``)
    random displacement field (drawn from ``seed``, see :mod:`jnn.random`).

    Example:
        >>> elastic_transform(jnp.ones((8, 8, 1)), seed=0).shape
        (8, 8, 1)
    """
    fn = "elastic_transform"
    df = _fmt(data_format, fn)
    order = TRANSFORM_INTERPOLATIONS[_choice(interpolation, TRANSFORM_INTERPOLATIONS, fn,
                                             "interpolation")]  # fmt: skip
    _choice(fill_mode, FILL_MODES, fn, "fill_mode")
    images = _images(images, fn)
    x, single = _batched_last(images, df)
    batch, height, width, _ = x.shape
    dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.float32
    size = int(6 * float(sigma)) | 1
    field = jax.random.normal(draw_key(seed), (batch, height, width, 2), dtype) * sigma
    kernel = jnp.outer(_gaussian_1d(size, sigma, dtype), _gaussian_1d(size, sigma, dtype))
    smooth = _per_channel_conv(field, kernel, "SAME")  # [..., 0] = dx, [..., 1] = dy
    ys, xs = jnp.meshgrid(jnp.arange(height), jnp.arange(width), indexing="ij")
    ys, xs = ys[None], xs[None]
    rows = ys + alpha * smooth[..., 1]
    cols = xs + alpha * smooth[..., 0]
    out = _sample(x, rows, cols, order, fill_mode, fill_value)
    return _restore(out.astype(images.dtype), df, single)


def scale_and_translate(images: Any, output_shape: Any, scale: Any, translation: Any,
                        spatial_dims: Any, method: str, antialias: bool = True) -> jax.Array:
    """Scales and translates ``images`` along ``spatial_dims`` (``jax.image.scale_and_translate``).

    Example:
        >>> scale_and_translate(jnp.ones((4, 4)), (8, 8), jnp.array([2.0, 2.0]),
        ...                     jnp.zeros(2), (0, 1), "linear").shape
        (8, 8)
    """
    _choice(method, SCALE_AND_TRANSLATE_METHODS, "scale_and_translate", "method")
    return jax.image.scale_and_translate(_t(images), tuple(output_shape), tuple(spatial_dims),
                                         _t(scale), _t(translation), method, antialias)


# --- filters and patches -------------------------------------------------------------------------


def sobel_edges(images: Any, data_format: str | None = None) -> jax.Array:
    """Sobel gradients of a batch of images: ``(..., channels, 2)`` with ``[..., 0]`` the
    vertical (dy) and ``[..., 1]`` the horizontal (dx) response (zero padding).

    Example:
        >>> sobel_edges(jnp.ones((1, 4, 4, 1))).shape
        (1, 4, 4, 1, 2)
    """
    df = _fmt(data_format, "sobel_edges")
    images = _t(images)
    if images.ndim != 4:
        raise ValueError(
            f"image.sobel_edges: `images` must be a 4-D batch, received shape {images.shape}."
        )
    x, _ = _batched_last(images, df)
    sobel_x = jnp.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], x.dtype)
    edges = [_per_channel_conv(x, k, "SAME") for k in (sobel_x.T, sobel_x)]
    if df == "channels_first":
        edges = [jnp.moveaxis(e, -1, 1) for e in edges]
    return jnp.stack(edges, axis=-1)


def _patches(images: Any, size: tuple, strides: Any, dilation_rate: Any, padding: str,
             data_format: str | None, fn: str) -> jax.Array:  # fmt: skip
    df = _fmt(data_format, fn)
    images = _t(images)
    rank = len(size)
    single = images.ndim == rank + 1
    if single:
        images = images[None]
    if images.ndim != rank + 2:
        raise ValueError(
            f"image.{fn}: expected a rank {rank + 1} or {rank + 2} input, received shape "
            f"{images.shape}."
        )
    channels = images.shape[-1] if df == "channels_last" else images.shape[1]
    depth = math.prod(size) * channels
    kernel = jnp.eye(depth, dtype=images.dtype).reshape(*size, channels, depth)
    strides = size if not strides else strides
    out = _nn.conv(images, kernel, strides, padding, df, dilation_rate)
    return out[0] if single else out


def extract_patches(images: Any, size: Any, strides: Any = None, dilation_rate: Any = 1,
                    padding: str = "valid", data_format: str | None = None) -> jax.Array:
    """Patches of ``size`` (an int or ``(h, w)``; a 3-tuple extracts 3-D patches) flattened
    into the channel axis: ``(batch, out_h, out_w, h * w * channels)``. ``strides`` default
    to ``size``.

    Example:
        >>> extract_patches(jnp.ones((1, 4, 4, 3)), 2).shape
        (1, 2, 2, 12)
    """
    if isinstance(size, int):
        size = (size, size)
    elif not isinstance(size, (tuple, list)) or len(size) not in (2, 3):
        raise ValueError(
            f"image.extract_patches: `size` must be an int or a tuple of 2 or 3 ints, received "
            f"{size!r}."
        )
    if len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    return _patches(images, tuple(size), strides, dilation_rate, padding, data_format,
                    "extract_patches")  # fmt: skip


def extract_patches_3d(volumes: Any, size: Any, strides: Any = None, dilation_rate: Any = 1,
                       padding: str = "valid", data_format: str | None = None) -> jax.Array:
    """3-D patches of ``size`` (an int or ``(d, h, w)``) flattened into the channel axis.

    Example:
        >>> extract_patches_3d(jnp.ones((1, 4, 4, 4, 2)), 2).shape
        (1, 2, 2, 2, 16)
    """
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    if len(size) != 3:
        raise ValueError(
            f"image.extract_patches_3d: `size` must be an int or a tuple of 3 ints, received "
            f"{size!r}."
        )
    if isinstance(strides, int):
        strides = (strides,) * 3
    return _patches(volumes, size, strides, dilation_rate, padding, data_format,
                    "extract_patches_3d")  # fmt: skip


def ssim(image1: Any, image2: Any, max_val: float = 1.0, filter_size: int = 11,
         filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         data_format: str | None = None) -> jax.Array:  # fmt: skip
    """Structural similarity of two images (or batches), Gaussian window ``filter_size`` /
    ``filter_sigma``, ``valid`` filtering, averaged over space and channels.

    Example:
        >>> float(ssim(jnp.ones((16, 16, 1)), jnp.ones((16, 16, 1))))
        1.0
    """
    fn = "ssim"
    df = _fmt(data_format, fn)
    a, b = _images(image1, fn, "image1"), _images(image2, fn, "image2")
    original = a.dtype
    dtype = _dtypes.result_type(a.dtype, float)
    a, single = _batched_last(a.astype(dtype), df)
    b, _ = _batched_last(b.astype(dtype), df)
    g = _gaussian_1d(filter_size, jnp.asarray(filter_sigma, dtype), dtype)
    kernel = jnp.outer(g, g)

    def blur(v: jax.Array) -> jax.Array:
        return _per_channel_conv(v, kernel, "VALID")

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu1, mu2 = blur(a), blur(b)
    var1 = blur(a * a) - mu1 * mu1
    var2 = blur(b * b) - mu2 * mu2
    cov = blur(a * b) - mu1 * mu2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * cov + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (var1 + var2 + c2))
    out = jnp.mean(ssim_map, axis=(1, 2, 3))
    return (out[0] if single else out).astype(original)
