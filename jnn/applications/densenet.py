"""DenseNet121/169/201 (Huang et al., 2017), with Keras's layer names and weight files.

Example:
    >>> from jnn.applications import DenseNet121
    >>> DenseNet121(weights=None, include_top=False, input_shape=(32, 32, 3)).output_shape
    (None, 1, 1, 1024)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions",
           "preprocess_input"]

_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPS = 1.001e-5
_FEATURES = {"densenet121": 1024, "densenet169": 1664, "densenet201": 1920}


def _bn_relu(x: Any, name: str) -> Any:
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def conv_block(x: Any, growth_rate: int, name: str) -> Any:
    """BN-ReLU-1x1 conv (4 x growth) then BN-ReLU-3x3 conv (growth), concatenated to ``x``."""
    y = _bn_relu(x, f"{name}_0")
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn_relu(y, f"{name}_1")
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=3, name=f"{name}_concat")([x, y])


def dense_block(x: Any, blocks: int, name: str) -> Any:
    """``blocks`` conv blocks, each adding 32 channels."""
    for i in range(1, blocks + 1):
        x = conv_block(x, 32, name=f"{name}_block{i}")
    return x


def transition_block(x: Any, reduction: float, name: str) -> Any:
    """BN-ReLU, a 1x1 conv that keeps ``reduction`` of the channels, 2x2 average pooling."""
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(tuple(x.shape)[3] * reduction), 1, use_bias=False,
                      name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def densenet(
    blocks: tuple[int, int, int, int],
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
    """The DenseNet stem, four dense blocks joined by transitions, and the head."""
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=224, min_size=32,
                                    include_top=include_top, weights=weights)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, n in enumerate(blocks, 2):
        x = dense_block(x, n, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    top, no_top = _HASHES[arch]
    stem = f"densenet/{arch}_weights_tf_dim_ordering_tf_kernels"
    files = _builder.WeightFiles((f"{stem}.h5", top), (f"{stem}_notop.h5", no_top))
    head = _builder.Head(_builder.dense_top("avg_pool"), ("avg_pool", "max_pool"))
    return _builder.build(
        name, img_input, input_tensor, x, head=head, include_top=include_top, pooling=pooling,
        classes=classes, classifier_activation=classifier_activation, weights=weights,
        files=files,
    )


def _constructor(arch: str, blocks: tuple[int, int, int, int]) -> Callable[..., Any]:
    public = arch.replace("densenet", "DenseNet")

    def build(**kwargs: Any) -> Any:
        return densenet(blocks, arch, **kwargs)

    return _builder.variant(public, arch, build, f"""{public}, as ``keras.applications.{public}`` (arguments as
    :func:`jnn.applications.ResNet50`; inputs preprocessed in ``"torch"`` mode).

    Example:
        >>> from jnn.applications import {public}
        >>> {public}(weights=None, include_top=False, pooling="avg",
        ...     input_shape=(32, 32, 3)).output_shape
        (None, {_FEATURES[arch]})
    """)


DenseNet121 = _constructor("densenet121", (6, 12, 24, 16))
DenseNet169 = _constructor("densenet169", (6, 12, 32, 32))
DenseNet201 = _constructor("densenet201", (6, 12, 48, 32))


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales to [0, 1] and normalises by the ImageNet statistics (``mode="torch"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")
