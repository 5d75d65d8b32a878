"""Preprocessing layers that are plain array maps (Rescaling).

Example:
    >>> import jax.numpy as jnp
    >>> Rescaling(1 / 255).apply({"params": {}, "state": {}}, jnp.array([[255.0]]))[0]
    Array([[1.]], dtype=float32)
"""

from __future__ import annotations

import numbers
from typing import Any

import jax.numpy as jnp
import numpy as np

from jnn._core.layers.base import Layer


def _scalar_or_list(owner: str, arg: str, value: Any) -> float | list:
    if isinstance(value, bool):
        raise ValueError(
            f"{owner}: argument `{arg}` must be a number or an array of numbers, "
            f"received {value!r}."
        )
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner}: argument `{arg}` must be a number or an array of numbers, "
            f"received {value!r}."
        ) from None
    return float(arr) if arr.ndim == 0 else arr.tolist()


class Rescaling(Layer):
    """Computes ``inputs * scale + offset`` in the compute dtype (e.g. ``scale=1/255``).

    ``scale`` and ``offset`` may be numbers or arrays broadcast against the trailing axes
    (e.g. one value per channel).

    Example:
        >>> Rescaling(2.0, offset=-1.0).get_config()["offset"]
        -1.0
    """

    supports_masking = True

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _scalar_or_list("Rescaling", "scale", scale)
        self.offset = _scalar_or_list("Rescaling", "offset", offset)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        dtype = jnp.dtype(self.compute_dtype)
        x = jnp.asarray(inputs).astype(dtype)
        scale = _trailing(jnp.asarray(self.scale, dtype), x.ndim)
        offset = _trailing(jnp.asarray(self.offset, dtype), x.ndim)
        return x * scale + offset, {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _trailing(value: Any, ndim: int) -> Any:
    # Explicit broadcasting (rank promotion is an error in jnn).
    if value.ndim == 0:
        return value
    return jnp.reshape(value, (1,) * (ndim - value.ndim) + value.shape)
