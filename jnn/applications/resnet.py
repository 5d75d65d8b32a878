"""ResNet50/101/152 (He et al., 2015) and the shared ResNet body, with Keras's layer names.

``residual_block_v1`` / ``residual_block_v2`` build one bottleneck block; ``stack_v1`` /
``stack_v2`` repeat them; :func:`resnet` adds the stem, the head and the weights.

Example:
    >>> from jnn.applications import ResNet50
    >>> ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3)).output_shape
    (None, 1, 1, 2048)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions

__all__ = ["ResNet50", "ResNet101", "ResNet152", "decode_predictions", "preprocess_input"]

_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPS = 1.001e-5


def weight_files(arch: str) -> _builder.WeightFiles:
    """Keras's ImageNet weight files of ``arch`` (e.g. ``"resnet50v2"``)."""
    top, no_top = _HASHES[arch]
    stem = f"resnet/{arch}_weights_tf_dim_ordering_tf_kernels"
    return _builder.WeightFiles((f"{stem}.h5", top), (f"{stem}_notop.h5", no_top))


def _conv_bn(x: Any, filters: int, kernel: int, name: str, strides: int = 1,
             padding: str = "valid", relu: bool = True, use_bias: bool = True) -> Any:
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                      name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def residual_block_v1(x: Any, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = True, name: str = "block") -> Any:
    """A post-activation bottleneck block (1x1, kxk, 1x1 with 4x filters) plus the shortcut."""
    if conv_shortcut:
        shortcut = _conv_bn(x, 4 * filters, 1, f"{name}_0", strides=stride, relu=False)
    else:
        shortcut = x
    x = _conv_bn(x, filters, 1, f"{name}_1", strides=stride)
    x = _conv_bn(x, filters, kernel_size, f"{name}_2", padding="same")
    x = _conv_bn(x, 4 * filters, 1, f"{name}_3", relu=False)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_v1(x: Any, filters: int, blocks: int, stride1: int = 2, name: str = "conv") -> Any:
    """``blocks`` v1 blocks; the first one strides and projects the shortcut."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(x: Any, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = False, name: str = "block") -> Any:
    """A pre-activation bottleneck block (ResNetV2): BN-ReLU first, stride on the 3x3."""
    preact = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = _conv_bn(preact, filters, 1, f"{name}_1", use_bias=False)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = _conv_bn(x, filters, kernel_size, f"{name}_2", strides=stride, use_bias=False)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_v2(x: Any, filters: int, blocks: int, stride1: int = 2, name: str = "conv") -> Any:
    """``blocks`` v2 blocks; the first projects the shortcut, the last one strides."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def resnet(
    stack_fn: Callable[[Any], Any],
    preact: bool,
    arch: str,
    name: str,
    include_top: bool,
    weights: Any,
    input_tensor: Any,
    input_shape: Any,
    pooling: Any,
    classes: int,
    classifier_activation: Any,
) -> Any:
    """The ResNet stem (7x7/2 conv, 3x3/2 max pool), ``stack_fn``'s stages and the head."""
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=224, min_size=32,
                                    include_top=include_top, weights=weights)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=3, epsilon=_EPS, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=3, epsilon=_EPS, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    head = _builder.Head(_builder.dense_top("avg_pool"), ("avg_pool", "max_pool"))
    return _builder.build(
        name, img_input, input_tensor, x, head=head, include_top=include_top, pooling=pooling,
        classes=classes, classifier_activation=classifier_activation, weights=weights,
        files=weight_files(arch),
    )


def _v1_stages(blocks: tuple[int, int, int, int]) -> Callable[[Any], Any]:
    def stack_fn(x: Any) -> Any:
        x = stack_v1(x, 64, blocks[0], stride1=1, name="conv2")
        x = stack_v1(x, 128, blocks[1], name="conv3")
        x = stack_v1(x, 256, blocks[2], name="conv4")
        return stack_v1(x, 512, blocks[3], name="conv5")

    return stack_fn


def _constructor(arch: str, blocks: tuple[int, int, int, int]) -> Callable[..., Any]:
    public = arch.replace("resnet", "ResNet")

    def build(**kwargs: Any) -> Any:
        return resnet(_v1_stages(blocks), False, arch, **kwargs)

    return _builder.variant(public, arch, build, f"""{public}, as ``keras.applications.{public}``.

    Args:
        include_top: Whether to include the average pooling and the ``predictions`` layer.
        weights: ``None`` (random), ``"imagenet"`` (Keras's published weights, downloaded
            once) or the path of a weights file.
        input_tensor: A symbolic tensor to use as the image input.
        input_shape: ``(height, width, 3)``; only without the top (at least 32x32).
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"``.
        classes: Number of classes (with the top, and without ImageNet weights).
        classifier_activation: Activation of the ``predictions`` layer.
        name: The model's name.

    Returns:
        A functional ``jnn.Model`` whose layer and weight names are Keras's.

    Example:
        >>> from jnn.applications import {public}
        >>> m = {public}(weights=None, include_top=False, pooling="avg",
        ...     input_shape=(32, 32, 3))
        >>> m.output_shape
        (None, 2048)
    """)


ResNet50 = _constructor("resnet50", (3, 4, 6, 3))
ResNet101 = _constructor("resnet101", (3, 4, 23, 3))
ResNet152 = _constructor("resnet152", (3, 8, 36, 3))


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Caffe-style preprocessing (RGB -> BGR, ImageNet means subtracted): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")
