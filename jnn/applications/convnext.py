"""ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al., 2022), with Keras's names and weights.

Preprocessing (ImageNet mean and variance) is part of the model unless
``include_preprocessing=False``; ``preprocess_input`` passes images through, as in Keras.

Example:
    >>> from jnn.applications import ConvNeXtTiny
    >>> ConvNeXtTiny(weights=None, include_top=False, pooling="avg",
    ...              input_shape=(32, 32, 3)).output_shape
    (None, 768)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from jnn import layers
from jnn.applications import _builder
from jnn.applications.imagenet_utils import decode_predictions
from jnn.models import Sequential

__all__ = ["ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
           "decode_predictions", "preprocess_input"]

_HASHES = {
    "tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
             "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
              "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
             "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
              "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
               "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# (depths, projection dims) per variant.
_CONFIGS = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}


def convnext_block(x: Any, projection_dim: int, drop_path_rate: float,
                   layer_scale_init_value: float | None, name: str) -> Any:
    """7x7 depthwise conv, LayerNorm, 4x MLP with GELU, layer scale, (stochastic) residual."""
    inputs = x
    x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                      name=f"{name}_depthwise_conv")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = layers.LayerScale(layer_scale_init_value, projection_dim,
                              name=f"{name}_layer_scale")(x)
    if drop_path_rate:
        x = layers.StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")(x)
    else:
        x = layers.Activation("linear", name=f"{name}_identity")(x)
    return inputs + x


def convnext(
    variant: str,
    name: str,
    include_top: bool,
    include_preprocessing: bool,
    weights: Any,
    input_tensor: Any,
    input_shape: Any,
    pooling: Any,
    classes: int,
    classifier_activation: Any,
    drop_path_rate: float = 0.0,
    layer_scale_init_value: float | None = 1e-6,
) -> Any:
    """The ConvNeXt pre-stem, patchify stem, four stages with downsampling, and the head."""
    depths, dims = _CONFIGS[variant]
    _builder.check_arguments(name, weights, include_top, classes, classifier_activation, pooling)
    if weights == "imagenet" and f"convnext_{variant}" not in name:
        raise ValueError(
            f'{name}: with imagenet weights the model name must contain "convnext_{variant}" '
            f"(Keras's weight file names follow the model name); received name={name!r}."
        )
    img_input = _builder.make_input(input_tensor, input_shape, default_size=224, min_size=32,
                                    include_top=include_top, weights=weights)
    x = img_input
    if include_preprocessing and tuple(img_input.shape)[-1] == 3:
        x = layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization",
        )(x)
    downsample = [Sequential([
        layers.Conv2D(dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")]
    for i in range(3):
        downsample.append(Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(dims[i + 1], kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}"))
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i, depth in enumerate(depths):
        x = downsample[i](x)
        for j in range(depth):
            x = convnext_block(x, dims[i], rates[cur + j], layer_scale_init_value,
                               name=f"{name}_stage_{i}_block_{j}")
        cur += depth

    def top(x: Any, classes: int, activation: Any) -> Any:
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(classes, activation=activation, name=f"{name}_head_dense")(x)

    if not include_top:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        pooling = None                       # applied above, before Keras's final LayerNorm
    top_hash, no_top_hash = _HASHES[variant]
    files = _builder.WeightFiles((f"convnext/{name}.h5", top_hash),
                                 (f"convnext/{name}_notop.h5", no_top_hash))
    return _builder.build(
        name, img_input, input_tensor, x, head=_builder.Head(top), include_top=include_top,
        pooling=pooling, classes=classes, classifier_activation=classifier_activation,
        weights=weights, files=files,
    )


def _constructor(variant: str) -> Callable[..., Any]:
    public = "ConvNeXt" + ("XLarge" if variant == "xlarge" else variant.capitalize())

    def constructor(
        include_top: bool = True,
        include_preprocessing: bool = True,
        weights: Any = "imagenet",
        input_tensor: Any = None,
        input_shape: Any = None,
        pooling: Any = None,
        classes: int = 1000,
        classifier_activation: Any = "softmax",
        name: str = f"convnext_{variant}",
    ) -> Any:
        return convnext(variant, name, include_top, include_preprocessing, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation)

    constructor.__name__ = constructor.__qualname__ = public
    constructor.__doc__ = f"""{public}, as ``keras.applications.{public}`` (takes images in
    [0, 255]: the ImageNet normalisation is in the model unless ``include_preprocessing=False``;
    other arguments as :func:`jnn.applications.VGG16`).

    Example:
        >>> from jnn.applications import {public}
        >>> {public}(weights=None, include_top=False, pooling="avg",
        ...     input_shape=(32, 32, 3)).output_shape
        (None, {_CONFIGS[variant][1][-1]})
    """
    return constructor


ConvNeXtTiny = _constructor("tiny")
ConvNeXtSmall = _constructor("small")
ConvNeXtBase = _constructor("base")
ConvNeXtLarge = _constructor("large")
ConvNeXtXLarge = _constructor("xlarge")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Returns ``x`` unchanged: ConvNeXt models include their preprocessing (Keras too)."""
    return x
