"""Weight constraints with Keras 3 names and formulas: ``c(w) -> projected w``, pure.

The optimizer step applies a weight's constraint after each update (as Keras does).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn import constraints
    >>> constraints.get("non_neg")(jnp.array([-1.0, 2.0]))
    Array([0., 2.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

_KERAS_MODULE = "keras.constraints"
_EPSILON = 1e-7  # Keras's backend.epsilon(), added to the norm in the denominator.

Axis = int | Sequence[int]


def _norms(w: jax.Array, axis: Axis) -> jax.Array:
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return jnp.sqrt(jnp.sum(jnp.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: a callable ``c(w) -> w`` (identity here) with ``get_config``.

    Example:
        >>> import jax.numpy as jnp
        >>> Constraint()(jnp.array([-1.0]))
        Array([-1.], dtype=float32)
    """

    def __call__(self, w: jax.Array) -> jax.Array:
        return jnp.asarray(w)

    def get_config(self) -> dict[str, Any]:
        """Returns the constructor arguments (Keras 3 keys)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """Builds a constraint from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash(repr(self))


class MaxNorm(Constraint):
    """Rescales slices whose L2 norm along ``axis`` exceeds ``max_value``.

    ``w * clip(norm, 0, max_value) / (epsilon + norm)``. For a Dense kernel ``(in, out)``
    ``axis=0`` constrains each unit's incoming weights; for a conv kernel use ``[0, 1, 2]``.

    Example:
        >>> import jax.numpy as jnp
        >>> MaxNorm(1.0)(jnp.array([[3.0], [4.0]]))
        Array([[0.6],
               [0.8]], dtype=float32)
    """

    def __init__(self, max_value: float = 2, axis: Axis = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = jnp.clip(norms, 0, self.max_value)
        return w * (desired / (_EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero.

    Example:
        >>> import jax.numpy as jnp
        >>> NonNeg()(jnp.array([-1.0, 1.0]))
        Array([0., 1.], dtype=float32)
    """

    def __call__(self, w):
        w = jnp.asarray(w)
        return jnp.maximum(w, jnp.zeros((), w.dtype))


class UnitNorm(Constraint):
    """Scales slices along ``axis`` to unit L2 norm: ``w / (epsilon + norm)``.

    Example:
        >>> import jax.numpy as jnp
        >>> UnitNorm()(jnp.array([[3.0], [4.0]]))
        Array([[0.6],
               [0.8]], dtype=float32)
    """

    def __init__(self, axis: Axis = 0):
        self.axis = axis

    def __call__(self, w):
        w = jnp.asarray(w)
        return w / (_EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norms along ``axis`` into ``[min_value, max_value]`` at speed ``rate``.

    ``desired = rate * clip(norm, min_value, max_value) + (1 - rate) * norm``, then
    ``w * desired / (epsilon + norm)``.

    Example:
        >>> import jax.numpy as jnp
        >>> MinMaxNorm(0.0, 1.0)(jnp.array([[3.0], [4.0]]))
        Array([[0.6],
               [0.8]], dtype=float32)
    """

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: Axis = 0,
    ):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = (
            self.rate * jnp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return w * (desired / (_EPSILON + norms))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

ConstraintLike = Constraint | Callable[[jax.Array], jax.Array]

_CLASSES = (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)
_BY_NAME: dict[str, type[Constraint]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    "constraint": Constraint,
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}


def _unknown(identifier: Any) -> ValueError:
    return ValueError(
        f"Could not interpret constraint identifier: {identifier!r}. "
        f"Valid identifiers: {sorted(_BY_NAME)}"
    )


def serialize(constraint: ConstraintLike) -> dict[str, Any] | str:
    """Keras 3 serialized form ``{"module", "class_name", "config", "registered_name"}``.

    Example:
        >>> serialize(MaxNorm())["config"]
        {'max_value': 2, 'axis': 0}
    """
    if isinstance(constraint, Constraint):
        return {
            "module": _KERAS_MODULE,
            "class_name": type(constraint).__name__,
            "config": constraint.get_config(),
            "registered_name": None,
        }
    name = getattr(constraint, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize constraint {constraint!r}.")
    return name


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> ConstraintLike:
    """Builds a constraint from a name or a ``{"class_name": ..., "config": ...}`` dict.

    Example:
        >>> deserialize({"class_name": "MaxNorm", "config": {"max_value": 3}})
        MaxNorm(max_value=3, axis=0)
    """
    if isinstance(config, str):
        name, kwargs = config, {}
    elif isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name, kwargs = config["class_name"], dict(config.get("config") or {})
    else:
        raise _unknown(config)
    objects = {**_BY_NAME, **(custom_objects or {})}
    if name not in objects:
        raise _unknown(name)
    obj = objects[name]
    if isinstance(obj, type) and issubclass(obj, Constraint):
        return obj.from_config(kwargs)
    if isinstance(obj, type):
        return obj(**kwargs)
    return obj


def get(identifier: Any) -> ConstraintLike | None:
    """Resolves a constraint identifier.

    ``None`` -> ``None``; a name (``'max_norm'``, ``'MaxNorm'``, ``'non_neg'``...) -> an instance
    with defaults; a serialized dict; a class (instantiated); a callable (as is).

    Example:
        >>> get("unit_norm")
        UnitNorm(axis=0)
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _unknown(identifier)
