"""EfficientNetB0-B7 (Tan & Le, 2019): MBConv blocks scaled in width, depth and resolution.

Preprocessing is part of the model (a ``Rescaling`` and a ``Normalization`` layer), so
``preprocess_input`` passes images through unchanged, as in Keras.

Example:
    >>> from jnn.applications import EfficientNetB0
    >>> EfficientNetB0(weights=None, include_top=False, pooling="avg",
    ...                input_shape=(32, 32, 3)).output_shape
    (None, 1280)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jnn import layers
from jnn.applications import _builder
from jnn.applications.imagenet_utils import decode_predictions
from jnn.applications.mobilenet_v2 import correct_pad

__all__ = [f"EfficientNetB{i}" for i in range(8)] + ["decode_predictions", "preprocess_input"]

_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
_BASE = "https://storage.googleapis.com/keras-applications/"
# (width, depth, resolution, dropout) per variant.
_SCALING = {
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5),
}
# (kernel, repeats, filters_in, filters_out, expand_ratio, strides) per stage; SE ratio 0.25.
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}
IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)


def round_filters(filters: float, width: float, divisor: int = 8) -> int:
    """Scales a channel count by ``width`` and rounds it to a multiple of ``divisor``."""
    filters *= width
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    return int(new + divisor if new < 0.9 * filters else new)


def squeeze_excite(x: Any, filters: int, filters_se: int, activation: Any, name: str) -> Any:
    """Squeeze-and-excitation: channel weights from the global average, multiplied back in."""
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def mb_conv_block(x: Any, activation: Any, drop_rate: float, name: str, filters_in: int,
                  filters_out: int, kernel_size: int, strides: int, expand_ratio: int,
                  se_ratio: float = 0.25) -> Any:
    """An MBConv block: expansion, depthwise conv, squeeze-excite, projection, residual."""
    inputs = x
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=CONV_KERNEL_INITIALIZER,
                          name=f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=3, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size), name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=3, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), activation, name)
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=3, name=f"{name}project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def efficientnet(
    variant: str,
    name: str,
    include_top: bool,
    weights: Any,
    input_tensor: Any,
    input_shape: Any,
    pooling: Any,
    classes: int,
    classifier_activation: Any,
    drop_connect_rate: float = 0.2,
    activation: Any = "swish",
) -> Any:
    """The EfficientNet stem, the seven scaled stages and the head."""
    width, depth, size, dropout = _SCALING[variant]
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=size, min_size=32,
                                    include_top=include_top, weights=weights)
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=3)(x)
    if weights == "imagenet":
        # Keras's weight files hold the ImageNet variance but expect its square root.
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32, width), 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=3, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    repeats = [int(math.ceil(depth * stage[1])) for stage in _STAGES]
    total, b = float(sum(repeats)), 0
    for i, ((kernel, _, f_in, f_out, expand, strides), n) in enumerate(zip(_STAGES, repeats)):
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for j in range(n):
            x = mb_conv_block(x, activation, drop_connect_rate * b / total,
                              f"block{i + 1}{chr(j + 97)}_", f_in if j == 0 else f_out, f_out,
                              kernel, strides if j == 0 else 1, expand)
            b += 1
    x = layers.Conv2D(round_filters(1280, width), 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name="top_conv")(x)
    x = layers.BatchNormalization(axis=3, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)

    def top(x: Any, classes: int, act: Any) -> Any:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name="top_dropout")(x)
        return layers.Dense(classes, activation=act, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                            name="predictions")(x)

    top_hash, no_top_hash = _HASHES[variant]
    files = _builder.WeightFiles((f"{name}.h5", top_hash), (f"{name}_notop.h5", no_top_hash),
                                 base=_BASE)
    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(top, ("avg_pool", "max_pool")),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=files,
    )


def _constructor(variant: str) -> Callable[..., Any]:
    public = f"EfficientNet{variant.upper()}"

    def build(**kwargs: Any) -> Any:
        return efficientnet(variant, **kwargs)

    return _builder.variant(public, f"efficientnet{variant}", build, f"""{public}, as ``keras.applications.{public}`` (default input
    {_SCALING[variant][2]}x{_SCALING[variant][2]}; takes images in [0, 255]: preprocessing is in the
    model; other arguments as :func:`jnn.applications.VGG16`).

    Example:
        >>> from jnn.applications import {public}
        >>> {public}(weights=None, include_top=False, pooling="avg",
        ...     input_shape=(32, 32, 3)).output_shape
        (None, {round_filters(1280, _SCALING[variant][0])})
    """)


EfficientNetB0 = _constructor("b0")
EfficientNetB1 = _constructor("b1")
EfficientNetB2 = _constructor("b2")
EfficientNetB3 = _constructor("b3")
EfficientNetB4 = _constructor("b4")
EfficientNetB5 = _constructor("b5")
EfficientNetB6 = _constructor("b6")
EfficientNetB7 = _constructor("b7")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Returns ``x`` unchanged: EfficientNet models include their preprocessing (Keras too)."""
    return x
