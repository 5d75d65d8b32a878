"""``image_dataset_from_directory``: a folder of class sub-folders -> batches of images."""

from __future__ import annotations

from typing import Any

import numpy as np

from jnn.utils import _directory

__all__ = ["image_dataset_from_directory"]

_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_COLOR = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}
_INTERPOLATION = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")


def _pil():
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - pillow is in the dev extra
        raise ImportError(
            "image_dataset_from_directory needs Pillow: pip install 'jnn[image]' (or pillow)."
        ) from exc
    return Image


def _loader(
    color_mode: str,
    image_size: tuple[int, int],
    interpolation: str,
    crop: bool,
    pad: bool,
    channels_first: bool,
):
    Image = _pil()
    resample = {
        "bilinear": Image.BILINEAR,
        "nearest": Image.NEAREST,
        "bicubic": Image.BICUBIC,
        "area": Image.BOX,
        "lanczos3": Image.LANCZOS,
        "lanczos5": Image.LANCZOS,
    }
    mode, _ = _COLOR[color_mode]
    height, width = image_size

    def load(path: str) -> np.ndarray:
        with Image.open(path) as img:
            img = img.convert(mode)
            if crop or pad:
                img = _fit_aspect(img, width / height, crop, Image)
            img = img.resize((width, height), resample[interpolation])
            arr = np.asarray(img, np.float32)
        arr = arr.reshape(height, width, -1)
        return arr.transpose(2, 0, 1) if channels_first else arr

    return load


def _fit_aspect(img: Any, ratio: float, crop: bool, Image: Any) -> Any:  # noqa: N803
    w, h = img.size
    if crop:  # the largest centred window with the target aspect ratio
        cw, ch = (round(h * ratio), h) if w / h > ratio else (w, round(w / ratio))
        left, top = (w - cw) // 2, (h - ch) // 2
        return img.crop((left, top, left + cw, top + ch))
    pw, ph = (w, round(w / ratio)) if w / h > ratio else (round(h * ratio), h)
    canvas = Image.new(img.mode, (pw, ph))
    canvas.paste(img, ((pw - w) // 2, (ph - h) // 2))
    return canvas


def image_dataset_from_directory(
    directory: str,
    labels: Any = "inferred",
    label_mode: Any = "int",
    class_names: Any = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    verbose: bool = True,
) -> Any:
    """Images in ``directory/<class_name>/*.{png,jpg,...}`` as a Sequence of batches.

    Keras's rules: classes are the sub-directories in alphanumeric order (label ``i`` is
    ``class_names[i]``); ``validation_split`` + ``subset`` take the last fraction of the
    (seeded) shuffled files for validation. Unlike Keras, the result is a
    :class:`jnn.utils.Sequence` (pass it straight to ``fit``), not a ``tf.data.Dataset``.
    Needs Pillow (``pip install 'jnn[image]'``).

    Args:
        directory: Root folder.
        labels: 'inferred' (from the sub-folders), None, or one int label per file.
        label_mode: 'int' (int32), 'categorical' (one-hot float32), 'binary' (float32
            ``(n, 1)``, two classes) or None (images only).
        class_names: Order (and choice) of the class sub-folders.
        color_mode: 'grayscale', 'rgb' or 'rgba' (1, 3 or 4 channels).
        batch_size: Images per batch (None: one image per item).
        image_size: ``(height, width)`` every image is resized to.
        shuffle: Shuffle the files (and again at every epoch end).
        seed: Seed of the shuffle and the split.
        validation_split: Fraction of files kept for validation.
        subset: 'training', 'validation' or 'both' (returns the pair).
        interpolation: Resize method: 'bilinear', 'nearest', 'bicubic', 'area', 'lanczos3',
            'lanczos5'.
        follow_links: Follow symbolic links to sub-directories.
        crop_to_aspect_ratio: Centre-crop to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Pad (black) to the target aspect ratio before resizing.
        data_format: 'channels_last' (default) or 'channels_first'.
        verbose: Print how many files and classes were found.

    Returns:
        A Sequence yielding ``(images, labels)`` (float32 images, values 0-255) with
        ``class_names`` and ``file_paths`` attributes; a pair of them for ``subset='both'``.

    Example:
        >>> train = image_dataset_from_directory("photos/", image_size=(64, 64))  # doctest: +SKIP
        >>> model.fit(train, epochs=3)  # doctest: +SKIP
    """
    fn = "image_dataset_from_directory"
    if color_mode not in _COLOR:
        raise ValueError(
            f"{fn}: argument `color_mode` must be 'grayscale', 'rgb' or 'rgba', received "
            f"{color_mode!r}."
        )
    if interpolation not in _INTERPOLATION:
        raise ValueError(
            f"{fn}: argument `interpolation` must be one of {_INTERPOLATION}, received "
            f"{interpolation!r}."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{fn}: only one of `crop_to_aspect_ratio` / `pad_to_aspect_ratio`.")
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError(
            f"{fn}: argument `data_format` must be 'channels_last' or 'channels_first', "
            f"received {data_format!r}."
        )
    size = tuple(int(s) for s in image_size)
    load = _loader(
        color_mode,
        size,
        interpolation,
        crop_to_aspect_ratio,
        pad_to_aspect_ratio,
        data_format == "channels_first",
    )
    return _directory.build(
        fn,
        directory,
        labels,
        label_mode,
        class_names,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        _FORMATS,
        load,
        verbose,
        "image",
    )
