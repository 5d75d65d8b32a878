"""EfficientNetV2 B0-B3, S, M and L (Tan & Le, 2021): fused and plain MBConv blocks.

Preprocessing is part of the model unless ``include_preprocessing=False`` (B0-B3: a
``Rescaling`` to [0, 1] and a ``Normalization`` with the ImageNet statistics; S/M/L: a
``Rescaling`` to [-1, 1]), so ``preprocess_input`` passes images through unchanged, as in
Keras.

Example:
    >>> from jnn.applications import EfficientNetV2B0
    >>> EfficientNetV2B0(weights=None, include_top=False, pooling="avg",
    ...                  input_shape=(32, 32, 3)).output_shape
    (None, 1280)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jnn import layers
from jnn.applications import _builder
from jnn.applications.efficientnet import CONV_KERNEL_INITIALIZER, DENSE_KERNEL_INITIALIZER
from jnn.applications.imagenet_utils import decode_predictions

_VARIANTS = ("B0", "B1", "B2", "B3", "S", "M", "L")
__all__ = [f"EfficientNetV2{v}" for v in _VARIANTS] + ["decode_predictions",
                                                       "preprocess_input"]

# (md5 with top, md5 without) per variant, as Keras's WEIGHTS_HASHES.
_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
# (width, depth, default input size) per variant.
_SCALING = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260),
            "b3": (1.2, 1.4, 300), "s": (1.0, 1.0, 384), "m": (1.0, 1.0, 480),
            "l": (1.0, 1.0, 480)}
# Stages: (fused, repeats, filters_in, filters_out, expand_ratio, strides, se_ratio); every
# kernel is 3x3.
_B = ((True, 1, 32, 16, 1, 1, 0), (True, 2, 16, 32, 4, 2, 0), (True, 2, 32, 48, 4, 2, 0),
      (False, 3, 48, 96, 4, 2, 0.25), (False, 5, 96, 112, 6, 1, 0.25),
      (False, 8, 112, 192, 6, 2, 0.25))
_STAGES = {
    "b": _B,
    "s": ((True, 2, 24, 24, 1, 1, 0), (True, 4, 24, 48, 4, 2, 0), (True, 4, 48, 64, 4, 2, 0),
          (False, 6, 64, 128, 4, 2, 0.25), (False, 9, 128, 160, 6, 1, 0.25),
          (False, 15, 160, 256, 6, 2, 0.25)),
    "m": ((True, 3, 24, 24, 1, 1, 0), (True, 5, 24, 48, 4, 2, 0), (True, 5, 48, 80, 4, 2, 0),
          (False, 7, 80, 160, 4, 2, 0.25), (False, 14, 160, 176, 6, 1, 0.25),
          (False, 18, 176, 304, 6, 2, 0.25), (False, 5, 304, 512, 6, 1, 0.25)),
    "l": ((True, 4, 32, 32, 1, 1, 0), (True, 7, 32, 64, 4, 2, 0), (True, 7, 64, 96, 4, 2, 0),
          (False, 10, 96, 192, 4, 2, 0.25), (False, 19, 192, 224, 6, 1, 0.25),
          (False, 25, 224, 384, 6, 2, 0.25), (False, 7, 384, 640, 6, 1, 0.25)),
}


def round_filters(filters: float, width: float, min_depth: int = 8, divisor: int = 8) -> int:
    """Scales a channel count by ``width`` and rounds it to a multiple of ``divisor``."""
    filters *= width
    return int(max(min_depth or divisor, int(filters + divisor / 2) // divisor * divisor))


def _conv(x: Any, filters: int, kernel: int, strides: int, name: str, **kwargs: Any) -> Any:
    return layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False,
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name, **kwargs)(x)


def _bn(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=3, momentum=0.9, name=name)(x)


def _squeeze_excite(x: Any, filters: int, filters_se: int, activation: Any, name: str) -> Any:
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def mb_conv_block(x: Any, filters_in: int, filters_out: int, expand_ratio: int, strides: int,
                  se_ratio: float, activation: Any, drop_rate: float, name: str,
                  fused: bool) -> Any:
    """An MBConv block (1x1 expansion, 3x3 depthwise) or, ``fused``, a Fused-MBConv block
    (one 3x3 expansion conv); squeeze-excite, projection, residual when shapes allow."""
    inputs = x
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = _conv(x, filters, 3 if fused else 1, strides if fused else 1, f"{name}expand_conv")
        x = _bn(x, f"{name}expand_bn")
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if not fused:
        x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   name=f"{name}dwconv2")(x)
        x = _bn(x, f"{name}bn")
        x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), activation, name)
    project_alone = fused and expand_ratio == 1   # the projection is the block's only conv
    x = _conv(x, filters_out, 3 if project_alone else 1, strides if project_alone else 1,
              f"{name}project_conv")
    x = _bn(x, f"{name}project_bn")
    if project_alone:
        x = layers.Activation(activation, name=f"{name}project_activation")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def efficientnet_v2(
    variant: str,
    name: str,
    include_top: bool,
    weights: Any,
    input_tensor: Any,
    input_shape: Any,
    pooling: Any,
    classes: int,
    classifier_activation: Any,
    include_preprocessing: bool,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    activation: Any = "swish",
) -> Any:
    """The EfficientNetV2 stem, its stages of (fused) MBConv blocks and the head."""
    width, depth, size = _SCALING[variant]
    stages = _STAGES[variant[0] if variant.startswith("b") else variant]
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=size, min_size=32,
                                    include_top=include_top, weights=weights)
    x = img_input
    if include_preprocessing:
        if variant.startswith("b") and tuple(img_input.shape)[-1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229**2, 0.224**2, 0.225**2], axis=3)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = _conv(x, round_filters(stages[0][2], width), 3, 2, "stem_conv")
    x = _bn(x, "stem_bn")
    x = layers.Activation(activation, name="stem_activation")(x)
    total, b = float(sum(stage[1] for stage in stages)), 0
    for i, (fused, repeats, f_in, f_out, expand, strides, se_ratio) in enumerate(stages):
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for j in range(int(math.ceil(depth * repeats))):
            x = mb_conv_block(x, f_in if j == 0 else f_out, f_out, expand,
                              strides if j == 0 else 1, se_ratio, activation,
                              drop_connect_rate * b / total, f"block{i + 1}{chr(j + 97)}_",
                              fused)
            b += 1
    x = _conv(x, round_filters(1280, width), 1, 1, "top_conv")
    x = _bn(x, "top_bn")
    x = layers.Activation(activation, name="top_activation")(x)

    def top(x: Any, classes: int, act: Any) -> Any:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        return layers.Dense(classes, activation=act, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                            bias_initializer="zeros", name="predictions")(x)

    top_hash, no_top_hash = _HASHES[variant]
    stem = f"efficientnet_v2/efficientnetv2-{variant}"
    files = _builder.WeightFiles((f"{stem}.h5", top_hash), (f"{stem}_notop.h5", no_top_hash))
    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(top, ("avg_pool", "max_pool")),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=files,
    )


def _constructor(variant: str) -> Callable[..., Any]:
    public = f"EfficientNetV2{variant.upper()}"
    size = _SCALING[variant][2]

    def constructor(
        include_top: bool = True,
        weights: Any = "imagenet",
        input_tensor: Any = None,
        input_shape: Any = None,
        pooling: Any = None,
        classes: int = 1000,
        classifier_activation: Any = "softmax",
        include_preprocessing: bool = True,
        name: str = f"efficientnetv2-{variant}",
    ) -> Any:
        return efficientnet_v2(variant, name, include_top, weights, input_tensor, input_shape,
                               pooling, classes, classifier_activation, include_preprocessing)

    constructor.__name__ = constructor.__qualname__ = public
    constructor.__doc__ = f"""{public}, as ``keras.applications.{public}`` (default input
    {size}x{size}; takes images in [0, 255]: preprocessing is in the model unless
    ``include_preprocessing=False``, then it expects [-1, 1]; other arguments as
    :func:`jnn.applications.VGG16`).

    Example:
        >>> from jnn.applications import {public}
        >>> {public}(weights=None, include_top=False, pooling="avg",
        ...     input_shape=(32, 32, 3)).output_shape
        (None, {round_filters(1280, _SCALING[variant][0])})
    """
    return constructor


EfficientNetV2B0 = _constructor("b0")
EfficientNetV2B1 = _constructor("b1")
EfficientNetV2B2 = _constructor("b2")
EfficientNetV2B3 = _constructor("b3")
EfficientNetV2S = _constructor("s")
EfficientNetV2M = _constructor("m")
EfficientNetV2L = _constructor("l")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Returns ``x`` unchanged: EfficientNetV2 models include their preprocessing (Keras
    too)."""
    del data_format
    return x
