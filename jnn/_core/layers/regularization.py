"""Regularization layers: Dropout and its noise variants, ActivityRegularization.

Random layers take the randomness from ``apply(..., training=True, rng=key)``; a ``seed``
given at construction is folded into that key. At inference they are the identity.

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = Dropout(0.5)
    >>> y, _ = layer.apply({"params": {}, "state": {}}, jnp.ones((1, 4)), training=True,
    ...                    rng=jax.random.key(0))
    >>> sorted(set(y.ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import Layer


def _key(layer: Layer, rng: jax.Array | None, seed: int | None) -> jax.Array:
    if rng is None:
        raise ValueError(
            f'Layer "{layer.name}" ({type(layer).__name__}) needs a random key when '
            "training=True: pass `rng=jax.random.key(...)` to apply()."
        )
    return rng if seed is None else jax.random.fold_in(rng, seed)


def _noise_shape(noise_shape: tuple | None, shape: tuple) -> tuple:
    if noise_shape is None:
        return tuple(shape)
    if len(noise_shape) != len(shape):
        raise ValueError(
            f"`noise_shape` {noise_shape} must have the rank of the inputs, whose shape is "
            f"{tuple(shape)}."
        )
    return tuple(s if n is None else n for n, s in zip(noise_shape, shape))


def _validate_noise_shape(owner: str, noise_shape: Any) -> tuple | None:
    if noise_shape is None:
        return None
    shape = _validate.int_tuple(owner, "noise_shape", noise_shape, allow_none=True)
    if any(d is not None and d <= 0 for d in shape):
        raise ValueError(
            f"{owner}: argument `noise_shape` must hold positive ints or None, "
            f"received {noise_shape!r}."
        )
    return shape


def _as_float(layer: Layer, x: jax.Array) -> jax.Array:
    # Noise is real-valued: integer inputs become the compute dtype (as Keras's promotion).
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(layer.compute_dtype)
    return x


def dropout(x: jax.Array, rate: float, key: jax.Array, noise_shape: tuple) -> jax.Array:
    """Zeroes a fraction ``rate`` of ``x`` (mask of ``noise_shape``), scales the rest up."""
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key, keep, noise_shape)
    mask = jnp.broadcast_to(mask, x.shape)
    return jnp.where(mask, x / jnp.asarray(keep, x.dtype), jnp.zeros_like(x))


class Dropout(Layer):
    """Randomly sets a fraction ``rate`` of inputs to 0 in training, scaling the others by
    ``1 / (1 - rate)``; the identity at inference.

    Args:
        rate: fraction dropped, in ``[0, 1)``.
        noise_shape: shape of the binary mask, broadcast to the inputs (None entries take the
            input's size), e.g. ``(None, 1, None)`` drops the same features at every step.
        seed: optional int folded into the ``rng`` given to ``apply``.

    Example:
        >>> Dropout(0.2).get_config()["rate"]
        0.2
    """

    supports_masking = True

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.rate = _validate.real(owner, "rate", rate, low=0.0, high=1.0, high_open=True)
        self.noise_shape = _validate_noise_shape(owner, noise_shape)
        self.seed = _validate.optional_seed(owner, seed)

    def _mask_shape(self, shape: tuple) -> tuple:
        return _noise_shape(self.noise_shape, shape)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        if not training or self.rate == 0:
            return x, {}
        key = _key(self, rng, self.seed)
        return dropout(x, self.rate, key, self._mask_shape(x.shape)), {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }


class _SpatialDropout(Dropout):
    """Drops whole feature maps: the mask has size 1 along the spatial axes."""

    def __init__(
        self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = _validate.data_format(type(self).__name__, data_format)

    def _mask_shape(self, shape: tuple) -> tuple:
        if self.data_format == "channels_first":
            return tuple(shape[:2]) + (1,) * (len(shape) - 2)
        return (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["noise_shape"]
        config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of entire 1D feature maps (channels) for inputs ``(batch, steps, channels)``.

    Example:
        >>> SpatialDropout1D(0.5).input_ndim
        3
    """

    input_ndim = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    """Dropout of entire 2D feature maps for 4D inputs (``data_format`` as in Conv2D).

    Example:
        >>> SpatialDropout2D(0.5).input_ndim
        4
    """

    input_ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Dropout of entire 3D feature maps for 5D inputs (``data_format`` as in Conv3D).

    Example:
        >>> SpatialDropout3D(0.5).input_ndim
        5
    """

    input_ndim = 5


class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` in training.

    Example:
        >>> GaussianNoise(0.1).stddev
        0.1
    """

    supports_masking = True

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = _validate.real("GaussianNoise", "stddev", stddev, low=0.0, high=1.0)
        self.seed = _validate.optional_seed("GaussianNoise", seed)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        if not training or self.stddev == 0:
            return x, {}
        x = _as_float(self, x)
        noise = jax.random.normal(_key(self, rng, self.seed), x.shape, x.dtype)
        return x + self.stddev * noise, {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies inputs by Gaussian noise of mean 1 and variance ``rate / (1 - rate)``.

    Example:
        >>> GaussianDropout(0.5).rate
        0.5
    """

    supports_masking = True

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = _validate.real(
            "GaussianDropout", "rate", rate, low=0.0, high=1.0, high_open=True
        )
        self.seed = _validate.optional_seed("GaussianDropout", seed)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        if not training or self.rate == 0:
            return x, {}
        x = _as_float(self, x)
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = jax.random.normal(_key(self, rng, self.seed), x.shape, x.dtype)
        return x * (1.0 + stddev * noise), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Dropout):
    """Dropout that keeps the mean and variance of its inputs (for SELU networks): dropped
    values are set to SELU's negative saturation, then an affine map restores the moments.

    Example:
        >>> AlphaDropout(0.1).rate
        0.1
    """

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        if not training or self.rate == 0:
            return x, {}
        x = _as_float(self, x)
        rate = self.rate
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        key = _key(self, rng, self.seed)
        kept = jax.random.uniform(key, self._mask_shape(x.shape)) >= rate
        kept = jnp.broadcast_to(kept, x.shape).astype(x.dtype)
        a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * rate
        y = x * kept + alpha_p * (1 - kept)
        return a * y + b, {}


class ActivityRegularization(Layer):
    """Identity layer whose output carries an L1/L2 activity penalty (added by the model).

    Example:
        >>> ActivityRegularization(l1=0.01).get_config()["l1"]
        0.01
    """

    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.l1 = _validate.real("ActivityRegularization", "l1", l1, low=0.0)
        self.l2 = _validate.real("ActivityRegularization", "l2", l2, low=0.0)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        return inputs, {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
