"""Layers of residual branches in modern architectures: ``StochasticDepth``, ``LayerScale``.

Keras defines both inside its ConvNeXt application (``keras.src.applications.convnext``);
jnn keeps them in the layer zoo so any model can use them.

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = LayerScale(0.5, 3)
    >>> variables = layer.init(jax.random.key(0), jnp.zeros((1, 3)))
    >>> layer.apply(variables, jnp.ones((1, 3)))[0].tolist()
    [[0.5, 0.5, 0.5]]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.layers import _validate
from jnn._core.layers.base import Layer
from jnn._core.layers.regularization import Dropout

Variables = dict[str, Any]


class StochasticDepth(Dropout):
    """Drops a whole residual branch per sample with probability ``drop_path_rate`` in
    training (the survivors scaled by ``1 / (1 - rate)``); the identity at inference.

    Args:
        drop_path_rate: probability of dropping a sample's branch, in ``[0, 1)``.

    Example:
        >>> StochasticDepth(0.1).get_config()["drop_path_rate"]
        0.1
    """

    def __init__(self, drop_path_rate: float, **kwargs: Any) -> None:
        super().__init__(drop_path_rate, **kwargs)
        self.drop_path_rate = self.rate

    def _mask_shape(self, shape: tuple) -> tuple:
        return (shape[0],) + (1,) * (len(shape) - 1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("rate", "noise_shape", "seed"):
            config.pop(key, None)
        config["drop_path_rate"] = self.drop_path_rate
        return config


class LayerScale(Layer):
    """Multiplies the last axis by a learned per-channel scale (initially ``init_values``),
    as in CaiT and ConvNeXt. The weight is named ``variable``, as Keras's (an unnamed
    ``add_weight``), so Keras's weight files and paths match.

    Args:
        init_values: the initial value of every ``gamma`` entry (e.g. ``1e-6``).
        projection_dim: the size of the last axis.

    Example:
        >>> LayerScale(1e-6, 8).get_config()["projection_dim"]
        8
    """

    def __init__(self, init_values: float, projection_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init_values = _validate.real("LayerScale", "init_values", init_values)
        self.projection_dim = _validate.positive_int("LayerScale", "projection_dim",
                                                     projection_dim)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        del key
        if tuple(input_spec.shape)[-1] != self.projection_dim:
            raise ValueError(
                f'Layer "{self.name}" (LayerScale): expected inputs whose last axis has size '
                f"projection_dim={self.projection_dim}, received shape "
                f"{tuple(input_spec.shape)}."
            )
        gamma = jnp.full((self.projection_dim,), self.init_values, self.variable_dtype)
        return {"params": {"variable": gamma}, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        gamma = variables["params"]["variable"].astype(x.dtype)
        return x * jnp.reshape(gamma, (1,) * (x.ndim - 1) + (-1,)), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}
