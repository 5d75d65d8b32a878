"""Xception (Chollet, 2017): depthwise separable convolutions with residual connections.

Example:
    >>> from jnn.applications import Xception
    >>> Xception(weights=None, include_top=False, pooling="avg",
    ...          input_shape=(71, 71, 3)).output_shape
    (None, 2048)
"""

from __future__ import annotations

from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

_FILES = _builder.WeightFiles(
    ("xception/xception_weights_tf_dim_ordering_tf_kernels.h5",
     "0a58e3b7378bc2990ea3b43d5981f1f6"),
    ("xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "b0042744bf5b25fce3cb969f33bebb97"),
)


def _sep_bn(x: Any, filters: int, name: str, act_before: bool = True,
            act_after: bool = False) -> Any:
    """[ReLU] -> 3x3 SeparableConv2D -> BN [-> ReLU], named ``name``, ``name_bn``, ``_act``."""
    if act_before:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    x = layers.BatchNormalization(axis=-1, name=f"{name}_bn")(x)
    if act_after:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    return x


def entry_block(x: Any, filters: tuple[int, int], block: int, first: bool = False) -> Any:
    """Two separable convs and a strided max pool, plus a strided 1x1 projection shortcut."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=-1)(residual)
    x = _sep_bn(x, filters[0], f"block{block}_sepconv1", act_before=not first)
    x = _sep_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(  # noqa: N802 - Keras's name
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "xception",
) -> Any:
    """Xception, as ``keras.applications.Xception`` (default input 299x299, at least 71x71;
    other arguments as :func:`jnn.applications.VGG16`).

    Example:
        >>> Xception(weights=None, classes=10, input_shape=(71, 71, 3),
        ...          include_top=False).output_shape
        (None, 3, 3, 2048)
    """
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=299, min_size=71,
                                    include_top=include_top, weights=weights)
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=-1, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=-1, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = entry_block(x, (128, 128), 2, first=True)
    x = entry_block(x, (256, 256), 3)
    x = entry_block(x, (728, 728), 4)
    for block in range(5, 13):                     # the middle flow
        residual = x
        for i in (1, 2, 3):
            x = _sep_bn(x, 728, f"block{block}_sepconv{i}")
        x = layers.add([x, residual])
    x = entry_block(x, (728, 1024), 13)
    x = _sep_bn(x, 1536, "block14_sepconv1", act_before=False, act_after=True)
    x = _sep_bn(x, 2048, "block14_sepconv2", act_before=False, act_after=True)
    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(_builder.dense_top("avg_pool")),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=_FILES,
    )


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [-1, 1] (``mode="tf"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
