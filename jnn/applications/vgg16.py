"""VGG16 and VGG19 (Simonyan & Zisserman, 2014), with Keras's layer names and weight files.

Example:
    >>> from jnn.applications import VGG16
    >>> model = VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    >>> model.output_shape
    (None, 1, 1, 512)
"""

from __future__ import annotations

from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

_FILES = {
    "vgg16": _builder.WeightFiles(
        ("vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b"),
        ("vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "6d6bbae143d832006294945121d1f1fc"),
    ),
    "vgg19": _builder.WeightFiles(
        ("vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318"),
        ("vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "253f8cb515780f3b799900260a226db6"),
    ),
}


def _vgg_top(x: Any, classes: int, activation: Any) -> Any:
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    return layers.Dense(classes, activation=activation, name="predictions")(x)


def vgg(
    convs_per_block: tuple[int, ...],
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
    """The VGG body: five blocks of 3x3 convolutions, each closed by a 2x2 max pooling."""
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    img_input = _builder.make_input(input_tensor, input_shape, default_size=224, min_size=32,
                                    include_top=include_top, weights=weights)
    x = img_input
    for block, (filters, convs) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block), 1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(_vgg_top),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights=weights, files=_FILES[arch],
    )


def VGG16(  # noqa: N802 - Keras's name
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "vgg16",
) -> Any:
    """VGG16, as ``keras.applications.VGG16``.

    Args:
        include_top: Whether to include the 3 fully-connected layers at the top.
        weights: ``None`` (random), ``"imagenet"`` (Keras's published weights, downloaded once)
            or the path of a weights file.
        input_tensor: A symbolic tensor to use as the image input.
        input_shape: ``(height, width, 3)``; only without the top (at least 32x32).
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"``.
        classes: Number of classes (with the top, and without ImageNet weights).
        classifier_activation: Activation of the ``predictions`` layer.
        name: The model's name.

    Returns:
        A functional ``jnn.Model``.

    Example:
        >>> model = VGG16(weights=None, classes=10, input_shape=(32, 32, 3),
        ...               include_top=False, pooling="avg")
        >>> model.output_shape
        (None, 512)
    """
    return vgg((2, 2, 3, 3, 3), "vgg16", name, include_top, weights, input_tensor, input_shape, pooling,
               classes, classifier_activation)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Caffe-style preprocessing (RGB -> BGR, ImageNet means subtracted): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")
