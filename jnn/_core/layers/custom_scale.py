"""``CustomScaleLayer``: a residual sum with a scaled branch, ``inputs[0] + inputs[1] * scale``.

Keras defines it inside its InceptionResNetV2 application
(``keras.src.applications.inception_resnet_v2.CustomScaleLayer``); jnn keeps it in the layer
zoo under the same class name, so unnamed instances get Keras's names
(``custom_scale_layer``, ``custom_scale_layer_1``, ...) and configs saved by Keras refer to it.

Example:
    >>> import jax.numpy as jnp
    >>> layer = CustomScaleLayer(0.5)
    >>> layer.apply({}, [jnp.ones((1, 2)), jnp.full((1, 2), 4.0)])[0].tolist()
    [[3.0, 3.0]]
"""

from __future__ import annotations

from typing import Any

import jax

from jnn._core.layers import _validate
from jnn._core.layers.merging import _Merge


class CustomScaleLayer(_Merge):
    """Adds a scaled residual branch to a shortcut: ``inputs[0] + inputs[1] * scale``.

    Called on a list of exactly two tensors of broadcastable shapes (the shortcut first).

    Args:
        scale: the factor applied to the second input (e.g. ``0.17`` in Inception-ResNet).

    Example:
        >>> CustomScaleLayer(0.2).get_config()["scale"]
        0.2
    """

    min_inputs = max_inputs = 2

    def __init__(self, scale: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _validate.real("CustomScaleLayer", "scale", scale)

    def _merge(self, xs: list[jax.Array]) -> jax.Array:
        return xs[0] + xs[1] * self.scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale}
