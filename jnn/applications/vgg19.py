"""VGG19, with Keras's layer names and weight files (see :mod:`jnn.applications.vgg16`).

Example:
    >>> from jnn.applications import VGG19
    >>> VGG19(weights=None, include_top=False, input_shape=(32, 32, 3)).output_shape
    (None, 1, 1, 512)
"""

from __future__ import annotations

from typing import Any

from jnn.applications.imagenet_utils import decode_predictions
from jnn.applications.vgg16 import preprocess_input, vgg

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]


def VGG19(  # noqa: N802 - Keras's name
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: Any = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "vgg19",
) -> Any:
    """VGG19, as ``keras.applications.VGG19`` (arguments as :func:`~jnn.applications.VGG16`).

    Example:
        >>> VGG19(weights=None, include_top=False, pooling="max",
        ...       input_shape=(32, 32, 3)).output_shape
        (None, 512)
    """
    return vgg((2, 2, 4, 4, 4), "vgg19", name, include_top, weights, input_tensor, input_shape, pooling,
               classes, classifier_activation)
