"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax.

Example:
    >>> import jax.numpy as jnp
    >>> LeakyReLU(negative_slope=0.5).apply({"params": {}, "state": {}}, jnp.array([-2.0]))[0]
    Array([-1.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import activations, constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Variables


class ReLU(Layer):
    """Rectified linear unit with optional cap, leak and threshold.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for ``threshold <= x < max_value``,
    ``negative_slope * (x - threshold)`` otherwise.

    Args:
        max_value: float >= 0 or None (no cap).
        negative_slope: float >= 0.
        threshold: float >= 0.

    Example:
        >>> import jax.numpy as jnp
        >>> ReLU(max_value=1.0).apply({"params": {}, "state": {}}, jnp.array([-1.0, 3.0]))[0]
        Array([0., 1.], dtype=float32)
    """

    supports_masking = True

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_value = _validate.real("ReLU", "max_value", max_value, low=0.0, allow_none=True)
        self.negative_slope = _validate.real("ReLU", "negative_slope", negative_slope, low=0.0)
        self.threshold = _validate.real("ReLU", "threshold", threshold, low=0.0)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        x = self.cast_inputs(inputs)
        out = activations.relu(
            x,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )
        return out, {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(Layer):
    """Leaky ReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: float >= 0 (default 0.3). Keras 2's ``alpha=`` is accepted too.

    Example:
        >>> import jax.numpy as jnp
        >>> LeakyReLU().apply({"params": {}, "state": {}}, jnp.array([-1.0]))[0]
        Array([-0.3], dtype=float32)
    """

    supports_masking = True

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _validate.real("LeakyReLU", "negative_slope", negative_slope, low=0.0)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        return jax.nn.leaky_relu(self.cast_inputs(inputs), self.negative_slope), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """Parametric ReLU: ``x`` for ``x >= 0``, ``alpha * x`` otherwise, with learned ``alpha``.

    ``alpha`` has the shape of one sample (``input_shape[1:]``), with size 1 along
    ``shared_axes`` (e.g. ``shared_axes=[1, 2]`` shares it over the image of a conv output).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = PReLU(shared_axes=[1])
        >>> layer.init(jax.random.key(0), jnp.zeros((2, 5, 3)))["params"]["alpha"].shape
        (1, 3)
    """

    supports_masking = True

    def __init__(
        self,
        alpha_initializer: Any = "Zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = shared_axes if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            axes = list(_validate.int_tuple("PReLU", "shared_axes", axes))
            if any(a < 1 for a in axes):
                raise ValueError(
                    "PReLU: argument `shared_axes` must hold axes >= 1 (axis 0 is the batch), "
                    f"received {shared_axes!r}."
                )
            self.shared_axes = axes

    def _alpha_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if axis > len(shape):
                raise ValueError(
                    f'Layer "{self.name}": shared axis {axis} is out of range for input shape '
                    f"{tuple(input_shape)}."
                )
            shape[axis - 1] = 1
        return tuple(shape)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = self._alpha_shape(tuple(input_spec.shape))
        return {
            "params": {"alpha": self.alpha_initializer(key, shape, self.variable_dtype)},
            "state": {},
        }

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        x = self.cast_inputs(inputs)
        alpha = variables["params"]["alpha"].astype(x.dtype)
        expected = self._alpha_shape(x.shape)
        if alpha.shape != expected:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"an input with per-sample shape matching alpha {alpha.shape}, but received "
                f"input with shape {tuple(x.shape)}"
            )
        alpha = jnp.reshape(alpha, (1,) + alpha.shape)
        return jax.nn.relu(x) - alpha * jax.nn.relu(-x), {}

    def weight_regularizers(self) -> dict[str, Callable]:
        return {"alpha": self.alpha_regularizer} if self.alpha_regularizer is not None else {}

    def weight_constraints(self) -> dict[str, Callable]:
        return {"alpha": self.alpha_constraint} if self.alpha_constraint is not None else {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": _validate.serialize_or_none(regularizers, self.alpha_regularizer),
            "alpha_constraint": _validate.serialize_or_none(constraints, self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


class ELU(Layer):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> import jax.numpy as jnp
        >>> ELU().apply({"params": {}, "state": {}}, jnp.array([0.0, 1.0]))[0]
        Array([0., 1.], dtype=float32)
    """

    supports_masking = True

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = _validate.real("ELU", "alpha", alpha)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        return jax.nn.elu(self.cast_inputs(inputs), alpha=self.alpha), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


def _large_negative(dtype: Any) -> float:
    return -3e4 if jnp.dtype(dtype) == jnp.float16 else -1e9


class Softmax(Layer):
    """Softmax along ``axis`` (an int or a tuple of ints).

    ``apply`` takes an optional boolean ``mask`` (broadcastable to the inputs): masked
    positions get probability 0, as in Keras.

    Example:
        >>> import jax.numpy as jnp
        >>> Softmax().apply({"params": {}, "state": {}}, jnp.zeros((1, 2)))[0]
        Array([[0.5, 0.5]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, axis: int | tuple[int, ...] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = _validate.int_tuple("Softmax", "axis", axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(
                f"Softmax: argument `axis` must be an int or a tuple of ints, received {axis!r}."
            )
        self.axis = axis

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng
        x = self.cast_inputs(inputs)
        if mask is not None:
            mask = self._broadcast_mask(mask, x)
            x = jnp.where(mask, x, jnp.asarray(_large_negative(x.dtype), x.dtype))
        out = jax.nn.softmax(x, axis=self.axis)
        if mask is not None:
            out = jnp.where(mask, out, jnp.zeros_like(out))
        return out, {}

    @staticmethod
    def _broadcast_mask(mask: Any, x: jax.Array) -> jax.Array:
        mask = jnp.asarray(mask)
        if mask.ndim > x.ndim:
            raise ValueError(
                "Softmax: the `mask` must be broadcastable to the inputs and must not have more "
                f"dimensions. Received inputs.shape={x.shape}, mask.shape={mask.shape}"
            )
        for m, i in zip(mask.shape[::-1], x.shape[::-1]):
            if m not in (1, i):
                raise ValueError(
                    "Softmax: the `mask` must be broadcastable to the inputs. Received "
                    f"inputs.shape={x.shape}, mask.shape={mask.shape}"
                )
        if mask.dtype != jnp.bool_:
            mask = mask > 0.5
        mask = jnp.reshape(mask, (1,) * (x.ndim - mask.ndim) + mask.shape)
        return jnp.broadcast_to(mask, x.shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
