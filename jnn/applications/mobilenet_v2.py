"""MobileNetV2 (Sandler et al., 2018): inverted residual blocks, Keras's names and weights.

Example:
    >>> from jnn.applications import MobileNetV2
    >>> MobileNetV2(weights=None, include_top=False, alpha=0.35,
    ...             input_shape=(32, 32, 3)).output_shape
    (None, 1, 1, 1280)
"""

from __future__ import annotations

from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions
from jnn.applications.mobilenet import pretrained_rows, square_size

__all__ = ["MobileNetV2", "correct_pad", "decode_predictions", "make_divisible",
           "preprocess_input"]

# (filters, stride, expansion) of blocks 0..16.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6),
           (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))
_SIZES = (96, 128, 160, 192, 224)


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """Rounds a channel count to a multiple of ``divisor``, never down by more than 10%."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def correct_pad(x: Any, kernel_size: int | tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """The zero padding that makes a strided 'valid' convolution match TF's 'same'."""
    k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    size = tuple(x.shape)[1:3]
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (k[0] // 2, k[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def _bn(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)(x)


def inverted_res_block(x: Any, expansion: int, stride: int, alpha: float, filters: int,
                       block_id: int) -> Any:
    """1x1 expansion, 3x3 depthwise, 1x1 linear projection, residual when shapes allow."""
    inputs = x
    in_channels = tuple(x.shape)[-1]
    pointwise = make_divisible(int(filters * alpha), 8)
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = _bn(x, f"{prefix}expand_BN")
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _bn(x, f"{prefix}depthwise_BN")
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _bn(x, f"{prefix}project_BN")
    if in_channels == pointwise and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def MobileNetV2(  # noqa: N802 - Keras's name
    input_shape: Any = None,
    alpha: float = 1.0,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str | None = None,
) -> Any:
    """MobileNetV2, as ``keras.applications.MobileNetV2``.

    Args:
        input_shape: ``(rows, cols, 3)``; ImageNet weights exist for 96, 128, 160, 192, 224.
        alpha: Width multiplier (0.35, 0.5, 0.75, 1.0, 1.3, 1.4 with ImageNet weights).
        include_top, weights, input_tensor, pooling, classes, classifier_activation: as in
            :func:`jnn.applications.VGG16`.
        name: The model's name (default ``mobilenetv2_{alpha:0.2f}_{rows}``).

    Returns:
        A functional ``jnn.Model``.

    Example:
        >>> MobileNetV2(weights=None, alpha=0.35, classes=10,
        ...             input_shape=(32, 32, 3)).output_shape
        (None, 10)
    """
    label = name or "MobileNetV2"
    _builder.check_arguments(label, weights, include_top, classes, classifier_activation,
                             pooling)
    default = square_size(input_shape, input_tensor, _SIZES)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=default,
                                    min_size=32, include_top=include_top, weights=weights)
    rows = tuple(img_input.shape)[1]
    files = None
    if weights == "imagenet":
        rows = pretrained_rows(label, img_input, alpha, (0.35, 0.5, 0.75, 1.0, 1.3, 1.4),
                               _SIZES)
        stem = f"mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}"
        files = _builder.WeightFiles((f"{stem}_{rows}.h5", None),
                                     (f"{stem}_{rows}_no_top.h5", None))
    x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = _bn(x, "bn_Conv1")
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = inverted_res_block(x, expansion, stride, alpha, filters, block_id)
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _bn(x, "Conv_1_bn")
    x = layers.ReLU(6.0, name="out_relu")(x)
    return _builder.build(
        name or f"mobilenetv2_{alpha:0.2f}_{rows}", img_input, input_tensor, x,
        head=_builder.Head(_builder.dense_top()), include_top=include_top, pooling=pooling,
        classes=classes, classifier_activation=classifier_activation, weights=weights,
        files=files,
    )


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [-1, 1] (``mode="tf"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
