"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector (the batch axis is kept).

Example:
    >>> import jax.numpy as jnp
    >>> Flatten().apply({"params": {}, "state": {}}, jnp.zeros((2, 3, 4)))[0].shape
    (2, 12)
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from jnn._core.layers import _validate
from jnn._core.layers.base import Layer


class Flatten(Layer):
    """Flattens each sample to one axis: ``(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``; with
            ``channels_first`` the channel axis is moved last before flattening, so the order
            of features matches a ``channels_last`` model.

    Example:
        >>> Flatten().compute_output_shape((None, 28, 28))
        (None, 784)
    """

    min_ndim = 1

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _validate.data_format("Flatten", data_format)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        if self.data_format == "channels_first" and x.ndim > 2:
            x = jnp.transpose(x, (0, *range(2, x.ndim), 1))
        return jnp.reshape(x, (x.shape[0], math.prod(x.shape[1:]))), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


def _validate_target_shape(target_shape: Any) -> tuple[int, ...]:
    shape = _validate.int_tuple("Reshape", "target_shape", target_shape)
    unknown = sum(d == -1 for d in shape)
    if unknown > 1 or any(d == 0 or d < -1 for d in shape):
        raise ValueError(
            "Reshape: argument `target_shape` must hold positive ints and at most one -1, "
            f"received {target_shape!r}."
        )
    return shape


def resolve_target_shape(layer_name: str, input_shape: tuple, target: tuple) -> tuple:
    """``target`` with its -1 resolved for a sample of shape ``input_shape`` (checked)."""
    size = math.prod(input_shape)
    known = math.prod(d for d in target if d != -1)
    ok = size % known == 0 if -1 in target else size == known
    if not ok:
        raise ValueError(
            f'Layer "{layer_name}": cannot reshape input of per-sample shape {tuple(input_shape)} '
            f"({size} values) to target_shape {tuple(target)}: the total size must be unchanged."
        )
    return tuple(size // known if d == -1 else d for d in target)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1, inferred).

    Example:
        >>> Reshape((-1, 2)).compute_output_shape((None, 6))
        (None, 3, 2)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = _validate_target_shape(target_shape)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = self.cast_inputs(jnp.asarray(inputs))
        target = resolve_target_shape(self.name, x.shape[1:], self.target_shape)
        return jnp.reshape(x, (x.shape[0],) + target), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` is a permutation of ``1..rank-1``.

    Example:
        >>> Permute((2, 1)).compute_output_shape((None, 3, 5))
        (None, 5, 3)
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        dims = _validate.int_tuple("Permute", "dims", dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Permute: argument `dims` must be a permutation of 1..n (axis 0 is the batch), "
                f"received {dims!r}."
            )
        self.dims = dims
        self.input_ndim = len(dims) + 1

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        return jnp.transpose(x, (0,) + self.dims), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats each sample ``n`` times: ``(batch, features) -> (batch, n, features)``.

    Example:
        >>> RepeatVector(3).compute_output_shape((None, 4))
        (None, 3, 4)
    """

    input_ndim = 2

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = _validate.positive_int("RepeatVector", "n", n)

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        return jnp.repeat(x[:, None, :], self.n, axis=1), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}
