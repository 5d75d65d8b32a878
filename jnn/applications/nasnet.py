"""NASNetMobile and NASNetLarge (Zoph et al., 2018): NASNet-A normal and reduction cells.

Keras's layer names (including the auto-named ``activation_N``, ``zero_padding2d_N``,
``cropping2d_N``, ``concatenate_N`` and ``add_N`` layers) and weight files.

Example:
    >>> from jnn.applications import NASNetMobile
    >>> NASNetMobile(weights=None, include_top=False, pooling="avg",
    ...              input_shape=(32, 32, 3)).output_shape
    (None, 1056)
"""

from __future__ import annotations

from typing import Any

from jnn import layers
from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions
from jnn.applications.mobilenet_v2 import correct_pad
from jnn.utils.file_utils import get_file

__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

# Keras's (local file name, path below keras-applications/, md5) with and without the top.
_FILES = {
    224: (("nasnet_mobile.h5", "nasnet/NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
          ("nasnet_mobile_no_top.h5", "nasnet/NASNet-mobile-no-top.h5",
           "1ed92395b5b598bdda52abe5c0dbfd63")),
    331: (("nasnet_large.h5", "nasnet/NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
          ("nasnet_large_no_top.h5", "nasnet/NASNet-large-no-top.h5",
           "d81d89dc07e6e56530c4e77faddd61b5")),
}


def _bn(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)(x)


def _conv1x1(x: Any, filters: int, name: str) -> Any:
    return layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                         kernel_initializer="he_normal", name=name)(x)


def separable_conv_block(x: Any, filters: int, kernel_size: tuple[int, int] = (3, 3),
                         strides: tuple[int, int] = (1, 1), block_id: str = "") -> Any:
    """ReLU, separable conv (strided: zero-padded 'valid'), BN, ReLU, separable conv, BN."""
    x = layers.Activation("relu")(x)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                               padding="valid" if strides == (2, 2) else "same",
                               use_bias=False, name=f"separable_conv_1_{block_id}")(x)
    x = _bn(x, f"separable_conv_1_bn_{block_id}")
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size, padding="same", use_bias=False,
                               name=f"separable_conv_2_{block_id}")(x)
    return _bn(x, f"separable_conv_2_bn_{block_id}")


def adjust_block(p: Any, ip: Any, filters: int, block_id: str) -> Any:
    """Brings the previous cell's output ``p`` to the size and width of ``ip``."""
    if p is None:
        return ip
    if tuple(p.shape)[-2] != tuple(ip.shape)[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(p, f"adjust_bn_{block_id}")
    if tuple(p.shape)[-1] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _bn(p, f"adjust_bn_{block_id}")
    return p


def _avg_pool(x: Any, strides: int, padding: str, name: str) -> Any:
    return layers.AveragePooling2D((3, 3), strides=(strides, strides), padding=padding,
                                   name=name)(x)


def _max_pool(x: Any, name: str) -> Any:
    return layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name=name)(x)


def normal_a_cell(ip: Any, p: Any, filters: int, block_id: str) -> tuple[Any, Any]:
    """A NASNet-A normal cell; returns its output and ``ip`` (the next cell's ``p``)."""
    p = adjust_block(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _bn(_conv1x1(h, filters, f"normal_conv_1_{block_id}"), f"normal_bn_1_{block_id}")
    x1 = layers.add([separable_conv_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}"),
                     separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")],
                    name=f"normal_add_1_{block_id}")
    x2 = layers.add([separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}"),
                     separable_conv_block(p, filters, (3, 3),
                                          block_id=f"normal_right2_{block_id}")],
                    name=f"normal_add_2_{block_id}")
    x3 = layers.add([_avg_pool(h, 1, "same", f"normal_left3_{block_id}"), p],
                    name=f"normal_add_3_{block_id}")
    x4 = layers.add([_avg_pool(p, 1, "same", f"normal_left4_{block_id}"),
                     _avg_pool(p, 1, "same", f"normal_right4_{block_id}")],
                    name=f"normal_add_4_{block_id}")
    x5 = layers.add([separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}"), h],
                    name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1, name=f"normal_concat_{block_id}")
    return x, ip


def reduction_a_cell(ip: Any, p: Any, filters: int, block_id: str) -> tuple[Any, Any]:
    """A NASNet-A reduction cell (halves the size); returns its output and ``ip``."""
    p = adjust_block(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _bn(_conv1x1(h, filters, f"reduction_conv_1_{block_id}"), f"reduction_bn_1_{block_id}")
    h3 = layers.ZeroPadding2D(padding=correct_pad(h, 3), name=f"reduction_pad_1_{block_id}")(h)
    x1 = layers.add([separable_conv_block(h, filters, (5, 5), (2, 2),
                                          block_id=f"reduction_left1_{block_id}"),
                     separable_conv_block(p, filters, (7, 7), (2, 2),
                                          block_id=f"reduction_right1_{block_id}")],
                    name=f"reduction_add_1_{block_id}")
    x2 = layers.add([_max_pool(h3, f"reduction_left2_{block_id}"),
                     separable_conv_block(p, filters, (7, 7), (2, 2),
                                          block_id=f"reduction_right2_{block_id}")],
                    name=f"reduction_add_2_{block_id}")
    x3 = layers.add([_avg_pool(h3, 2, "valid", f"reduction_left3_{block_id}"),
                     separable_conv_block(p, filters, (5, 5), (2, 2),
                                          block_id=f"reduction_right3_{block_id}")],
                    name=f"reduction_add3_{block_id}")
    x4 = layers.add([x2, _avg_pool(x1, 1, "same", f"reduction_left4_{block_id}")])
    x5 = layers.add([separable_conv_block(x1, filters, (3, 3),
                                          block_id=f"reduction_left4_{block_id}"),
                     _max_pool(h3, f"reduction_right5_{block_id}")],
                    name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def nasnet(
    input_shape: Any = None,
    penultimate_filters: int = 4032,
    num_blocks: int = 6,
    stem_block_filters: int = 96,
    skip_reduction: bool = True,
    filter_multiplier: int = 2,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    default_size: int | None = None,
    classifier_activation: Any = "softmax",
    name: str = "NASNet",
) -> Any:
    """A NASNet-A model (Keras's ``NASNet``): the stem, three stacks of ``num_blocks`` normal
    cells separated by reduction cells, and the head."""
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            f"{name}: when loading `ImageNet` weights, the input_shape argument must be "
            f"static (no None entries). Got: `input_shape={input_shape}`."
        )
    default_size = 331 if default_size is None else default_size
    if weights == "imagenet" and default_size not in _FILES:
        raise ValueError("ImageNet weights can only be loaded with NASNetLarge or NASNetMobile")
    if penultimate_filters % (24 * filter_multiplier**2) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of "
            f"24 * (`filter_multiplier` ** 2). Current value: {penultimate_filters}"
        )
    img_input = _builder.make_input(input_tensor, input_shape, default_size=default_size,
                                    min_size=32, include_top=include_top, weights=weights)
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, kernel_initializer="he_normal", name="stem_conv1")(img_input)
    x = _bn(x, "stem_bn1")
    x, p = reduction_a_cell(x, None, filters // filter_multiplier**2, "stem_1")
    x, p = reduction_a_cell(x, p, filters // filter_multiplier, "stem_2")
    for stack in range(3):
        width = filters * filter_multiplier**stack
        if stack:
            x, p0 = reduction_a_cell(x, p, width, f"reduce_{stack * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            x, p = normal_a_cell(x, p, width, f"{stack * num_blocks + i + min(stack, 1)}")
    x = layers.Activation("relu")(x)
    model = _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(_builder.dense_top()),
        include_top=include_top, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        weights=None if weights == "imagenet" else weights, files=None,
    )
    if weights == "imagenet":
        fname, relative, md5 = _FILES[default_size][0 if include_top else 1]
        model.load_weights(get_file(fname, imagenet_utils.weights_url(relative),
                                    cache_subdir="models", file_hash=md5))
    return model


def NASNetMobile(  # noqa: N802 - Keras's name
    input_shape: Any = None,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "nasnet_mobile",
) -> Any:
    """NASNetMobile, as ``keras.applications.NASNetMobile`` (default input 224x224, at least
    32x32; other arguments as :func:`jnn.applications.VGG16`).

    Example:
        >>> NASNetMobile(weights=None, classes=10, input_shape=(32, 32, 3)).output_shape
        (None, 10)
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return nasnet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation, name=name)


def NASNetLarge(  # noqa: N802 - Keras's name
    input_shape: Any = None,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "nasnet_large",
) -> Any:
    """NASNetLarge, as ``keras.applications.NASNetLarge`` (default input 331x331, at least
    32x32; other arguments as :func:`jnn.applications.VGG16`).

    Example:
        >>> NASNetLarge(weights=None, include_top=False, pooling="avg",
        ...             input_shape=(32, 32, 3)).output_shape
        (None, 4032)
    """
    return nasnet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation, name=name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [-1, 1] (``mode="tf"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
