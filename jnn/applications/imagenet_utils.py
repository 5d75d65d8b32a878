"""ImageNet helpers shared by the applications: ``preprocess_input``, ``decode_predictions``.

``preprocess_input`` follows Keras's three modes: ``"caffe"`` (RGB -> BGR, minus the ImageNet
channel means, no scaling), ``"tf"`` (scaled to [-1, 1]) and ``"torch"`` (scaled to [0, 1],
then normalised by the ImageNet channel means and standard deviations). ``decode_predictions``
reads the ImageNet class index (a download, cached like every ``get_file`` download).

Example:
    >>> import numpy as np
    >>> from jnn.applications import imagenet_utils
    >>> x = np.full((1, 2, 2, 3), 255.0, "float32")
    >>> float(imagenet_utils.preprocess_input(x, mode="tf")[0, 0, 0, 0])
    1.0
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np

from jnn.utils.file_utils import get_file

__all__ = ["decode_predictions", "preprocess_input", "weights_url"]

KERAS_APPLICATIONS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
CLASS_INDEX_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_class_index: dict[str, list[str]] | None = None


def weights_url(relative: str, base: str | None = None) -> str:
    """The URL of a Keras application weights file, honouring ``$JNN_APPLICATIONS_BASE_URL``
    (a mirror holding the files at the same relative paths).

    Args:
        relative: The path below Keras's ``keras-applications/`` bucket, e.g.
            ``"resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5"``.
        base: The bucket when it is not Keras's usual one.

    Example:
        >>> weights_url("vgg16/x.h5").endswith("keras-applications/vgg16/x.h5")
        True
    """
    base = os.environ.get("JNN_APPLICATIONS_BASE_URL") or base or KERAS_APPLICATIONS_URL
    return base.rstrip("/") + "/" + relative


def _data_format(data_format: str | None) -> str:
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "preprocess_input: argument `data_format` must be 'channels_last' or "
            f"'channels_first', received {data_format!r}."
        )
    return data_format


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Preprocesses a batch of RGB images with values in [0, 255] for an ImageNet model.

    Args:
        x: A 3D or 4D array (numpy or JAX) with 3 colour channels. A floating numpy array is
            changed in place, as in Keras; pass ``numpy.copy(x)`` to keep it.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        mode: ``"caffe"``, ``"tf"`` or ``"torch"`` (see the module docstring).

    Returns:
        The preprocessed array (float32 for integer input).

    Raises:
        ValueError: An unknown ``mode`` or ``data_format``.

    Example:
        >>> import numpy as np
        >>> preprocess_input(np.zeros((2, 2, 3), "uint8"), mode="torch").dtype
        dtype('float32')
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(
            f"preprocess_input: argument `mode` must be 'caffe', 'tf' or 'torch', received "
            f"{mode!r}."
        )
    data_format = _data_format(data_format)
    channel_axis = -1 if data_format == "channels_last" else (0 if np.ndim(x) == 3 else 1)
    if isinstance(x, np.ndarray):
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype("float32")
        xp = np
    else:
        x = jnp.asarray(x)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype("float32")
        xp = jnp
    if mode == "tf":
        if xp is np:
            x /= 127.5
            x -= 1.0
            return x
        return x / 127.5 - 1.0
    shape = [1] * np.ndim(x)
    shape[channel_axis] = 3
    if mode == "torch":
        mean = np.asarray(_TORCH_MEAN, "float32").reshape(shape)
        std = np.asarray(_TORCH_STD, "float32").reshape(shape)
        if xp is np:
            x /= 255.0
            x -= mean
            x /= std
            return x
        return (x / 255.0 - mean) / std
    x = xp.flip(x, axis=channel_axis)  # RGB -> BGR
    mean = np.asarray(_CAFFE_MEAN, "float32").reshape(shape)
    if xp is np:
        x -= mean.astype(x.dtype)
        return x
    return x - mean


def _load_class_index() -> dict[str, list[str]]:
    global _class_index
    if _class_index is None:
        path = get_file(
            "imagenet_class_index.json",
            os.environ.get("JNN_IMAGENET_CLASS_INDEX_URL") or CLASS_INDEX_URL,
            cache_subdir="models",
            file_hash=None if os.environ.get("JNN_IMAGENET_CLASS_INDEX_URL") else CLASS_INDEX_HASH,
        )
        with open(path, encoding="utf8") as f:
            index = json.load(f)
        if not isinstance(index, dict) or len(index) != 1000:
            raise ValueError(
                f"decode_predictions: '{path}' is not the ImageNet class index (expected a JSON "
                "object of 1000 classes)."
            )
        _class_index = index
    return _class_index


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """Decodes ImageNet predictions into ``(class_id, class_name, score)`` tuples.

    The class index is downloaded once (``imagenet_class_index.json``, cached under
    ``$JNN_HOME/models``; set ``JNN_IMAGENET_CLASS_INDEX_URL`` to use a mirror).

    Args:
        preds: A batch of predictions, shape ``(samples, 1000)``.
        top: How many of the best classes to return per sample.

    Returns:
        One list per sample of ``top`` tuples, best first.

    Raises:
        ValueError: ``preds`` is not of shape ``(samples, 1000)``.

    Example:
        >>> import numpy as np
        >>> decode_predictions(np.eye(1000)[:1], top=1)[0][0][0]  # doctest: +SKIP
        'n01440764'
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "decode_predictions expects a batch of ImageNet predictions, an array of shape "
            f"(samples, 1000); received an array of shape {preds.shape}."
        )
    index = _load_class_index()
    results = []
    for row in preds:
        best = np.argsort(row)[-top:][::-1]
        results.append([(*index[str(i)], float(row[i])) for i in best])
    return results


def obtain_input_shape(
    input_shape: Any,
    default_size: int,
    min_size: int,
    require_flatten: bool,
    weights: Any,
    data_format: str = "channels_last",
) -> tuple[Any, ...]:
    """Validates ``input_shape`` for an application (Keras's rules) and fills the default."""
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(
                f"This model usually expects 1 or 3 input channels; input_shape={input_shape} "
                f"has {channels}.",
                stacklevel=3,
            )
        default = (channels, default_size, default_size)
    else:
        default = (3, default_size, default_size)
    if not channels_first:
        default = default[1:] + default[:1]
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default:
            raise ValueError(
                "When setting `include_top=True` and loading `imagenet` weights, `input_shape` "
                f"should be {default}. Received: input_shape={tuple(input_shape)}"
            )
        return default
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(
                f"`input_shape` must be a tuple of three integers; received {input_shape}."
            )
        channels = input_shape[0] if channels_first else input_shape[-1]
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError(
                f"The input must have 3 channels with imagenet weights; received "
                f"input_shape={input_shape}"
            )
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(
                f"Input size must be at least {min_size}x{min_size}; received "
                f"input_shape={input_shape}"
            )
    elif require_flatten:
        input_shape = default
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(
            "If `include_top` is True, you should specify a static `input_shape`. Received: "
            f"input_shape={input_shape}"
        )
    return input_shape


PREPROCESS_MODES = {"caffe", "tf", "torch"}
