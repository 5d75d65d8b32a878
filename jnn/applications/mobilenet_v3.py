"""MobileNetV3Small and MobileNetV3Large (Howard et al., 2019), Keras's names and weights.

Inverted residual blocks with optional squeeze-and-excitation and hard-swish; the
``minimalistic`` variants use neither (ReLU, 3x3 kernels, no squeeze-excite). Preprocessing
(a ``Rescaling`` to [-1, 1]) is part of the model unless ``include_preprocessing=False``, so
``preprocess_input`` passes images through unchanged, as in Keras.

Example:
    >>> from jnn.applications import MobileNetV3Small
    >>> MobileNetV3Small(weights=None, include_top=False, pooling="avg",
    ...                  input_shape=(32, 32, 3)).output_shape
    (None, 576)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from jnn import layers
from jnn.applications import _builder
from jnn.applications.imagenet_utils import decode_predictions
from jnn.applications.mobilenet_v2 import correct_pad, make_divisible

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

# (md5 with top, md5 without) per weight file, as Keras's WEIGHTS_HASHES.
_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}
# (expansion, filters, kernel ("k": 3 or 5 by variant), stride, squeeze-excite, hard-swish
# where the variant allows it) of each block.
_SMALL = ((1, 16, 3, 2, True, False), (72 / 16, 24, 3, 2, False, False),
          (88 / 24, 24, 3, 1, False, False), (4, 40, "k", 2, True, True),
          (6, 40, "k", 1, True, True), (6, 40, "k", 1, True, True), (3, 48, "k", 1, True, True),
          (3, 48, "k", 1, True, True), (6, 96, "k", 2, True, True), (6, 96, "k", 1, True, True),
          (6, 96, "k", 1, True, True))
_LARGE = ((1, 16, 3, 1, False, False), (4, 24, 3, 2, False, False),
          (3, 24, 3, 1, False, False), (3, 40, "k", 2, True, False),
          (3, 40, "k", 1, True, False), (3, 40, "k", 1, True, False),
          (6, 80, 3, 2, False, True), (2.5, 80, 3, 1, False, True), (2.3, 80, 3, 1, False, True),
          (2.3, 80, 3, 1, False, True), (6, 112, 3, 1, True, True), (6, 112, 3, 1, True, True),
          (6, 160, "k", 2, True, True), (6, 160, "k", 1, True, True),
          (6, 160, "k", 1, True, True))


def relu(x: Any) -> Any:
    """An auto-named ``ReLU`` layer (Keras's names: ``re_lu``, ``re_lu_1``, ...)."""
    return layers.ReLU()(x)


def hard_sigmoid(x: Any) -> Any:
    """``relu6(x + 3) / 6``, built from ops on the symbolic tensor as Keras does."""
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x: Any) -> Any:
    """An auto-named ``Activation("hard_swish")`` layer."""
    return layers.Activation("hard_swish")(x)


def _bn(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)(x)


def squeeze_excite(inputs: Any, filters: int, se_ratio: float, prefix: str) -> Any:
    """Squeeze-and-excitation with a hard-sigmoid gate, multiplied back into ``inputs``."""
    x = layers.GlobalAveragePooling2D(keepdims=True,
                                      name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(make_divisible(filters * se_ratio, 8), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def inverted_res_block(x: Any, expansion: float, filters: int, kernel_size: int, stride: int,
                       se_ratio: float | None, activation: Callable[[Any], Any],
                       block_id: int) -> Any:
    """1x1 expansion, depthwise conv, optional squeeze-excite, 1x1 linear projection,
    residual when the shapes allow."""
    shortcut = x
    in_filters = tuple(x.shape)[-1]
    expanded = make_divisible(in_filters * expansion, 8)
    prefix = f"expanded_conv_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(expanded, kernel_size=1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = activation(_bn(x, f"{prefix}expand_bn"))
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = activation(_bn(x, f"{prefix}depthwise_bn"))
    if se_ratio:
        x = squeeze_excite(x, expanded, se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _bn(x, f"{prefix}project_bn")
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def mobilenet_v3(
    blocks: tuple[tuple[Any, ...], ...],
    last_point_ch: int,
    model_type: str,
    input_shape: Any,
    alpha: float,
    minimalistic: bool,
    include_top: bool,
    weights: Any,
    input_tensor: Any,
    classes: int,
    pooling: Any,
    dropout_rate: float,
    classifier_activation: Any,
    include_preprocessing: bool,
    name: str,
) -> Any:
    """The MobileNetV3 stem, the block stack ``blocks`` and the head."""
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation,
                             pooling)
    # Any input size (at least 32x32): the top pools globally, so no static size is needed.
    img_input = _builder.make_input(input_tensor, input_shape, default_size=224, min_size=32,
                                    include_top=include_top, weights=weights,
                                    require_flatten=False)
    files = None
    if weights == "imagenet":
        if (alpha not in (0.75, 1.0)) if not minimalistic else alpha != 1.0:
            raise ValueError(
                f"{name}: if imagenet weights are being loaded, alpha can be one of `0.75`, "
                f"`1.0` for non minimalistic or `1.0` for minimalistic only; received "
                f"alpha={alpha}, minimalistic={minimalistic}"
            )
        rows, cols = tuple(img_input.shape)[1:3]
        if rows != cols or rows != 224:
            warnings.warn(
                f"{name}: `input_shape` is undefined or non-square, or `rows` is not 224. "
                "Weights for input shape (224, 224) will be loaded as the default.",
                stacklevel=3,
            )
        key = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{float(alpha)}_float"
        top_hash, no_top_hash = _HASHES[key]
        files = _builder.WeightFiles(
            (f"mobilenet_v3/weights_mobilenet_v3_{key}.h5", top_hash),
            (f"mobilenet_v3/weights_mobilenet_v3_{key}_no_top_v2.h5", no_top_hash),
        )
    if minimalistic:
        kernel, activation, se_ratio = 3, relu, None
    else:
        kernel, activation, se_ratio = 5, hard_swish, 0.25
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = activation(_bn(x, "conv_bn"))
    for block_id, (expansion, filters, k, stride, se, swish) in enumerate(blocks):
        x = inverted_res_block(x, expansion, make_divisible(filters * alpha, 8),
                               kernel if k == "k" else k, stride, se_ratio if se else None,
                               activation if swish else relu, block_id)
    last_conv_ch = make_divisible(tuple(x.shape)[-1] * 6, 8)
    if alpha > 1.0:
        last_point_ch = make_divisible(last_point_ch * alpha, 8)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = activation(_bn(x, "conv_1_bn"))

    def top(x: Any, classes: int, act: Any) -> Any:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        return layers.Activation(act, name="predictions")(x)

    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(top, ("avg_pool", "max_pool")),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=files,
    )


def _constructor(model_type: str) -> Callable[..., Any]:
    public = f"MobileNetV3{model_type.capitalize()}"
    blocks, last_point_ch = (_SMALL, 1024) if model_type == "small" else (_LARGE, 1280)

    def constructor(
        input_shape: Any = None,
        alpha: float = 1.0,
        minimalistic: bool = False,
        include_top: bool = True,
        weights: Any = "imagenet",
        input_tensor: Any = None,
        classes: int = 1000,
        pooling: Any = None,
        dropout_rate: float = 0.2,
        classifier_activation: Any = "softmax",
        include_preprocessing: bool = True,
        name: str = public,
    ) -> Any:
        return mobilenet_v3(blocks, last_point_ch, model_type, input_shape, alpha,
                            minimalistic, include_top, weights, input_tensor, classes, pooling,
                            dropout_rate, classifier_activation, include_preprocessing, name)

    constructor.__name__ = constructor.__qualname__ = public
    constructor.__doc__ = f"""{public}, as ``keras.applications.{public}``.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32 (default ``(None, None, 3)``: any
            size; ImageNet weights are for 224x224).
        alpha: Width multiplier (0.75 or 1.0 with ImageNet weights; 1.0 if minimalistic).
        minimalistic: Without squeeze-excite, hard-swish and 5x5 kernels.
        dropout_rate: Dropout before the classifier.
        include_preprocessing: Whether the model rescales [0, 255] images to [-1, 1] itself
            (default); without it, it expects images in [-1, 1].
        include_top, weights, input_tensor, pooling, classes, classifier_activation: as in
            :func:`jnn.applications.VGG16`.
        name: The model's name.

    Returns:
        A functional ``jnn.Model``.

    Example:
        >>> from jnn.applications import {public}
        >>> {public}(weights=None, classes=10, input_shape=(32, 32, 3)).output_shape
        (None, 10)
    """
    return constructor


MobileNetV3Small = _constructor("small")
MobileNetV3Large = _constructor("large")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Returns ``x`` unchanged: MobileNetV3 models include their preprocessing (Keras too)."""
    del data_format
    return x
