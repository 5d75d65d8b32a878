"""ResNet50V2/101V2/152V2 (He et al., 2016: pre-activation blocks), with Keras's names.

Example:
    >>> from jnn.applications import ResNet50V2
    >>> ResNet50V2(weights=None, include_top=False, input_shape=(32, 32, 3)).output_shape
    (None, 1, 1, 2048)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jnn.applications import _builder, imagenet_utils
from jnn.applications.imagenet_utils import decode_predictions
from jnn.applications.resnet import resnet, stack_v2

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "decode_predictions", "preprocess_input"]


def _v2_stages(blocks: tuple[int, int, int, int]) -> Callable[[Any], Any]:
    def stack_fn(x: Any) -> Any:
        x = stack_v2(x, 64, blocks[0], name="conv2")
        x = stack_v2(x, 128, blocks[1], name="conv3")
        x = stack_v2(x, 256, blocks[2], name="conv4")
        return stack_v2(x, 512, blocks[3], stride1=1, name="conv5")

    return stack_fn


def _constructor(arch: str, blocks: tuple[int, int, int, int]) -> Callable[..., Any]:
    public = arch.replace("resnet", "ResNet").replace("v2", "V2")

    def build(**kwargs: Any) -> Any:
        return resnet(_v2_stages(blocks), True, arch, **kwargs)

    return _builder.variant(public, arch, build, f"""{public}, as ``keras.applications.{public}`` (arguments as
    :func:`jnn.applications.ResNet50`; inputs preprocessed to [-1, 1]).

    Example:
        >>> from jnn.applications import {public}
        >>> {public}(weights=None, include_top=False, pooling="max",
        ...     input_shape=(32, 32, 3)).output_shape
        (None, 2048)
    """)


ResNet50V2 = _constructor("resnet50v2", (3, 4, 6, 3))
ResNet101V2 = _constructor("resnet101v2", (3, 4, 23, 3))
ResNet152V2 = _constructor("resnet152v2", (3, 8, 36, 3))


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [-1, 1] (``mode="tf"``): see
    :func:`jnn.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
