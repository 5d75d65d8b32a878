"""InceptionV3 (Szegedy et al., 2016), with Keras's layer names and weight files.

Example:
    >>> from jnn.applications import InceptionV3
    >>> InceptionV3(weights=None, include_top=False, pooling="avg",
    ...             input_shape=(75, 75, 3)).output_shape
    (None, 2048)
"""

from __future__ import annotations

from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions

__all__ = ["InceptionV3", "conv2d_bn", "decode_predictions", "preprocess_input"]

_FILES = _builder.WeightFiles(
    ("inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
     "9a0d58056eeedaa3f26cb7ebd46da564"),
    ("inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "bcbd6486424b2319ff4ef7d526e38f63"),
)


def conv2d_bn(x: Any, filters: int, num_row: int, num_col: int, padding: str = "same",
              strides: tuple[int, int] = (1, 1), name: str | None = None) -> Any:
    """Conv2D (no bias) -> BatchNormalization (no scale) -> ReLU."""
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, scale=False,
                                  name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _avg_branch(x: Any, filters: int) -> Any:
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _block_35(x: Any, pool_filters: int, name: str) -> Any:
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    return layers.concatenate([b1, b5, b3, _avg_branch(x, pool_filters)], axis=3, name=name)


def _block_17(x: Any, mid: int, name: str) -> Any:
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, mid, 1, 1), mid, 1, 7), 192, 7, 1)
    b77 = conv2d_bn(x, mid, 1, 1)
    for filters, rows, cols in ((mid, 7, 1), (mid, 1, 7), (mid, 7, 1), (192, 1, 7)):
        b77 = conv2d_bn(b77, filters, rows, cols)
    return layers.concatenate([b1, b7, b77, _avg_branch(x, 192)], axis=3, name=name)


def _block_8(x: Any, i: int) -> Any:
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=3,
                            name=f"mixed9_{i}")
    bd = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
    bd = layers.concatenate([conv2d_bn(bd, 384, 1, 3), conv2d_bn(bd, 384, 3, 1)], axis=3)
    return layers.concatenate([b1, b3, bd, _avg_branch(x, 192)], axis=3, name=f"mixed{9 + i}")


def InceptionV3(  # noqa: N802 - Keras's name
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "inception_v3",
) -> Any:
    """InceptionV3, as ``keras.applications.InceptionV3`` (default input 299x299, at least
    75x75; other arguments as :func:`jnn.applications.VGG16`).

    Example:
        >>> InceptionV3(weights=None, classes=10, input_shape=(75, 75, 3)).output_shape
        (None, 10)
    """
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=299, min_size=75,
                                    include_top=include_top, weights=weights)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _block_35(x, 32, "mixed0")
    x = _block_35(x, 64, "mixed1")
    x = _block_35(x, 64, "mixed2")
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    bd = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides=(2, 2),
                   padding="valid")
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, bd, pool], axis=3, name="mixed3")
    x = _block_17(x, 128, "mixed4")
    x = _block_17(x, 160, "mixed5")
    x = _block_17(x, 160, "mixed6")
    x = _block_17(x, 192, "mixed7")
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, pool], axis=3, name="mixed8")
    x = _block_8(x, 0)
    x = _block_8(x, 1)
    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(_builder.dense_top("avg_pool")),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=_FILES,
    )


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [-1, 1] (``mode="tf"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
