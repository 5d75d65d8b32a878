"""Keras's image helpers: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``,
``smart_resize`` (also under ``jnn.preprocessing.image``). Files go through Pillow.

Example:
    >>> import numpy as np
    >>> from jnn.utils.image_utils import smart_resize
    >>> smart_resize(np.ones((40, 60, 3), np.float32), (20, 20)).shape
    (20, 20, 3)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_PIL_METHODS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow ships with the dev extras
        raise ImportError(
            "Loading and saving images needs Pillow: `pip install pillow`."
        ) from exc
    return Image


def _check_format(data_format: Any) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"`data_format` must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    return data_format


def load_img(path: Any, color_mode: str = "rgb", target_size: Any = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """Loads an image file as a PIL image (Keras's ``load_img``).

    Args:
        path: a path or a file-like object.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to, or None.
        interpolation: Pillow resampling name (``"nearest"``, ``"bilinear"``, ...).
        keep_aspect_ratio: center-crop to the target aspect ratio before resizing.
    """
    image_lib = _pil()
    if color_mode not in _MODES:
        raise ValueError(f"`color_mode` must be one of {sorted(_MODES)}, received {color_mode!r}.")
    if interpolation not in _PIL_METHODS:
        raise ValueError(
            f"`interpolation` must be one of {list(_PIL_METHODS)}, received {interpolation!r}."
        )
    if hasattr(path, "read"):
        img = image_lib.open(path)
    else:
        with open(str(path), "rb") as f:
            img = image_lib.open(f)
            img.load()
    if img.mode != _MODES[color_mode]:
        img = img.convert(_MODES[color_mode])
    if target_size is not None:
        height, width = int(target_size[0]), int(target_size[1])
        if (img.size[0], img.size[1]) != (width, height):
            resample = getattr(image_lib.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                w, h = img.size
                crop_w = min(w, round(h * width / height))
                crop_h = min(h, round(w * height / width))
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize((width, height), resample)
    return img


def img_to_array(img: Any, data_format: Any = None, dtype: Any = None) -> np.ndarray:
    """A PIL image as a ``(height, width, channels)`` float32 array (Keras's ``img_to_array``)."""
    data_format = _check_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[..., None]
    elif x.ndim != 3:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}.")
    return np.transpose(x, (2, 0, 1)) if data_format == "channels_first" else x


def array_to_img(x: Any, data_format: Any = None, scale: bool = True, dtype: Any = None) -> Any:
    """A ``(height, width, channels)`` array as a PIL image (values rescaled to 0..255)."""
    image_lib = _pil()
    data_format = _check_format(data_format)
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img expects an image array of rank 3, received shape {x.shape}."
        )
    if data_format == "channels_first":
        x = np.transpose(x, (1, 2, 0))
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    if channels not in modes:
        raise ValueError(f"array_to_img: unsupported number of channels {channels} "
                         "(expected 1, 3 or 4).")
    data = x.astype("uint8")
    return image_lib.fromarray(data[:, :, 0] if channels == 1 else data, modes[channels])


def save_img(path: Any, x: Any, data_format: Any = None, file_format: Any = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Saves an image array to a file (Keras's ``save_img``)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpeg" or str(path).lower().endswith(
            (".jpg", ".jpeg"))):
        img = img.convert("RGB")  # JPEG has no alpha channel
    img.save(path, format=file_format, **kwargs)


def smart_resize(x: Any, size: Any, interpolation: str = "bilinear",
                 data_format: str = "channels_last") -> Any:
    """Resizes to ``size`` after a center crop to its aspect ratio (Keras's ``smart_resize``).

    Numpy in, numpy out; JAX arrays stay JAX arrays. Batches ``(n, h, w, c)`` work too.
    """
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    numpy_in = isinstance(x, np.ndarray)
    img = jnp.asarray(x)
    if img.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or `(batch_size, "
            f"height, width, channels)`, but got input with incorrect rank, of shape {img.shape}."
        )
    last = data_format == "channels_last"
    height, width = (img.shape[-3], img.shape[-2]) if last else (img.shape[-2], img.shape[-1])
    th, tw = int(size[0]), int(size[1])
    crop_h = min(height, int(float(width * th) / tw))
    crop_w = min(width, int(float(height * tw) / th))
    h0, w0 = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
    if last:
        img = img[..., h0:h0 + crop_h, w0:w0 + crop_w, :]
        shape = img.shape[:-3] + (th, tw, img.shape[-1])
    else:
        img = img[..., h0:h0 + crop_h, w0:w0 + crop_w]
        shape = img.shape[:-2] + (th, tw)
    out = jax.image.resize(img.astype(jnp.float32), shape, method=interpolation,
                           antialias=False)
    return np.asarray(out) if numpy_in else out
