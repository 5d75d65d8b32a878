"""MobileNet (Howard et al., 2017): depthwise separable blocks, Keras's names and weights.

Example:
    >>> from jnn.applications import MobileNet
    >>> MobileNet(weights=None, include_top=False, alpha=0.25,
    ...           input_shape=(32, 32, 3)).output_shape
    (None, 1, 1, 256)
"""

from __future__ import annotations

import warnings
from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

# (pointwise filters, stride) of the 13 depthwise separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}


def square_size(input_shape: Any, input_tensor: Any, sizes: tuple[int, ...]) -> int:
    """The default input size: the given square size when it is one of ``sizes``, else 224."""
    shape = input_shape
    if shape is None and input_tensor is not None:
        shape = tuple(input_tensor.shape)[1:]
    if shape is None or len(shape) != 3:
        return 224
    rows, cols = shape[0], shape[1]
    return rows if rows == cols and rows in sizes else 224


def pretrained_rows(name: str, img_input: Any, alpha: float, alphas: Any,
                    sizes: tuple[int, ...]) -> int:
    """Checks ``alpha`` for ImageNet weights and picks the weight file's input size."""
    if alpha not in alphas:
        raise ValueError(
            f"{name}: if imagenet weights are being loaded, alpha must be one of "
            f"{sorted(alphas)}; received alpha={alpha}"
        )
    rows, cols = tuple(img_input.shape)[1:3]
    if rows != cols or rows not in sizes:
        warnings.warn(
            f"{name}: `input_shape` is undefined or non-square, or `rows` is not in {sizes}. "
            "Weights for input shape (224, 224) will be loaded as the default.",
            stacklevel=3,
        )
        return 224
    return rows


def _conv_block(x: Any, filters: int, alpha: float, strides: int) -> Any:
    x = layers.Conv2D(int(filters * alpha), (3, 3), padding="same", use_bias=False,
                      strides=strides, name="conv1")(x)
    x = layers.BatchNormalization(axis=-1, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def depthwise_separable_block(x: Any, filters: int, alpha: float, depth_multiplier: int,
                              stride: int, block_id: int) -> Any:
    """3x3 depthwise conv + BN + ReLU6, then 1x1 pointwise conv + BN + ReLU6."""
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if stride == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=stride,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(filters * alpha), (1, 1), padding="same", use_bias=False,
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(  # noqa: N802 - Keras's name
    input_shape: Any = None,
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str | None = None,
) -> Any:
    """MobileNet, as ``keras.applications.MobileNet``.

    Args:
        input_shape: ``(rows, cols, 3)``; ImageNet weights exist for 128, 160, 192 and 224.
        alpha: Width multiplier (0.25, 0.5, 0.75, 1.0 with ImageNet weights).
        depth_multiplier: Depth multiplier of the depthwise convolutions (1 for ImageNet).
        dropout: Dropout rate before the classifier.
        include_top, weights, input_tensor, pooling, classes, classifier_activation: as in
            :func:`jnn.applications.VGG16`.
        name: The model's name (default ``mobilenet_{alpha:0.2f}_{rows}``).

    Returns:
        A functional ``jnn.Model``.

    Example:
        >>> MobileNet(weights=None, alpha=0.5, classes=10,
        ...           input_shape=(32, 32, 3)).output_shape
        (None, 10)
    """
    label = name or "MobileNet"
    _builder.check_arguments(label, weights, include_top, classes, classifier_activation,
                             pooling)
    default = square_size(input_shape, input_tensor, (128, 160, 192, 224))
    img_input = _builder.make_input(input_tensor, input_shape, default_size=default,
                                    min_size=32, include_top=include_top, weights=weights)
    rows = tuple(img_input.shape)[1]
    files = None
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(
                f"{label}: if imagenet weights are being loaded, depth multiplier must be 1; "
                f"received depth_multiplier={depth_multiplier}"
            )
        rows = pretrained_rows(label, img_input, alpha, _ALPHA_TEXT, (128, 160, 192, 224))
        stem = f"mobilenet/mobilenet_{_ALPHA_TEXT[alpha]}_{rows}_tf"
        files = _builder.WeightFiles((f"{stem}.h5", None), (f"{stem}_no_top.h5", None))
    x = _conv_block(img_input, 32, alpha, strides=2)
    for block_id, (filters, stride) in enumerate(_BLOCKS, 1):
        x = depthwise_separable_block(x, filters, alpha, depth_multiplier, stride, block_id)

    def top(x: Any, classes: int, activation: Any) -> Any:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        return layers.Activation(activation, name="predictions")(x)

    return _builder.build(
        name or f"mobilenet_{alpha:0.2f}_{rows}", img_input, input_tensor, x,
        head=_builder.Head(top), include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=files,
    )


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [-1, 1] (``mode="tf"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
