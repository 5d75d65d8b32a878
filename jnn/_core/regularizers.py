"""Weight regularizers with Keras 3 names and formulas: ``reg(w) -> scalar penalty``.

A regularizer is its configuration plus a pure call, so it can be used inside ``jax.jit`` and
``jax.grad``; layers add the penalties of their weights to the training loss.

Example:
    >>> import jax.numpy as jnp
    >>> from jnn import regularizers
    >>> regularizers.get("l2")(jnp.ones((2, 2)))
    Array(0.04, dtype=float32)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

_KERAS_MODULE = "keras.regularizers"
_EPSILON = 1e-7  # Keras's backend.epsilon(), the floor of the norm in `normalize`.


def _validate_factor(owner: str, name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"{owner}: argument `{name}` must be a non-negative float, received {name}={value!r}."
        )
    return float(value)


class Regularizer:
    """Base class: a callable ``reg(x) -> scalar`` with ``get_config`` / ``from_config``.

    Example:
        >>> import jax.numpy as jnp
        >>> class Sum(Regularizer):
        ...     def __call__(self, x):
        ...         return jnp.sum(x)
        >>> Sum()(jnp.ones(3))
        Array(3., dtype=float32)
    """

    def __call__(self, x: jax.Array) -> jax.Array:
        return jnp.zeros((), jnp.asarray(x).dtype)

    def get_config(self) -> dict[str, Any]:
        """Returns the constructor arguments (Keras 3 keys)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """Builds a regularizer from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash(repr(self))


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``; both default to 0 (``l1_l2()`` uses 0.01 each).

    Example:
        >>> import jax.numpy as jnp
        >>> L1L2(l1=1.0, l2=1.0)(jnp.array([-2.0]))
        Array(6., dtype=float32)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _validate_factor("L1L2", "l1", 0.0 if l1 is None else l1)
        self.l2 = _validate_factor("L1L2", "l2", 0.0 if l2 is None else l2)

    def __call__(self, x):
        x = jnp.asarray(x)
        penalty = jnp.zeros((), x.dtype)
        if self.l1:
            penalty = penalty + jnp.asarray(self.l1, x.dtype) * jnp.sum(jnp.abs(x))
        if self.l2:
            penalty = penalty + jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Example:
        >>> import jax.numpy as jnp
        >>> L1(0.5)(jnp.array([-2.0, 2.0]))
        Array(2., dtype=float32)
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = _validate_factor("L1", "l1", 0.01 if l1 is None else l1)

    def __call__(self, x):
        x = jnp.asarray(x)
        return jnp.asarray(self.l1, x.dtype) * jnp.sum(jnp.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)`` (no factor 1/2, as in Keras).

    Example:
        >>> import jax.numpy as jnp
        >>> L2(0.5)(jnp.array([-2.0, 2.0]))
        Array(4., dtype=float32)
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = _validate_factor("L2", "l2", 0.01 if l2 is None else l2)

    def __call__(self, x):
        x = jnp.asarray(x)
        return jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))

    def get_config(self):
        return {"l2": self.l2}


def _l2_normalize(x: jax.Array, axis: int) -> jax.Array:
    # Keras's ops.normalize: x * min(rsqrt(sum(x^2)), 1 / epsilon).
    inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv_norm, 1.0 / _EPSILON)


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode='rows'``) or columns (``'columns'``) of a 2D weight apart.

    Penalty: ``factor * 0.5 * sum(|off-diagonal of N N^T|) / (n (n - 1) / 2)`` with ``N`` the
    L2-normalised rows (or columns) and ``n`` their number.

    Example:
        >>> import jax.numpy as jnp
        >>> OrthogonalRegularizer(1.0)(jnp.eye(3))
        Array(0., dtype=float32)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _validate_factor("OrthogonalRegularizer", "factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(
                "OrthogonalRegularizer: argument `mode` must be one of ['rows', 'columns'], "
                f"received mode={mode!r}."
            )
        self.mode = mode

    def __call__(self, x):
        x = jnp.asarray(x)
        if x.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer: inputs must have rank 2, received inputs.shape={x.shape}."
            )
        if self.mode == "rows":
            n = _l2_normalize(x, axis=1)
            product, size = n @ n.T, x.shape[0]
        else:
            n = _l2_normalize(x, axis=0)
            product, size = n.T @ n, x.shape[1]
        off_diagonal = product * (1.0 - jnp.eye(size, dtype=x.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * jnp.sum(jnp.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An :class:`L1L2` regularizer with both factors defaulting to 0.01.

    Example:
        >>> l1_l2().get_config()
        {'l1': 0.01, 'l2': 0.01}
    """
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

RegularizerLike = Regularizer | Callable[[jax.Array], jax.Array]

_BY_NAME: dict[str, Callable[..., Regularizer]] = {
    "Regularizer": Regularizer,
    "regularizer": Regularizer,
    "L1": L1,
    "l1": L1,
    "L2": L2,
    "l2": L2,
    "L1L2": L1L2,
    "l1l2": L1L2,
    "l1_l2": l1_l2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def _unknown(identifier: Any) -> ValueError:
    return ValueError(
        f"Could not interpret regularizer identifier: {identifier!r}. "
        f"Valid identifiers: {sorted(_BY_NAME)}"
    )


def serialize(regularizer: RegularizerLike) -> dict[str, Any] | str:
    """Keras 3 serialized form ``{"module", "class_name", "config", "registered_name"}``.

    Example:
        >>> serialize(L2(0.1))["config"]
        {'l2': 0.1}
    """
    if isinstance(regularizer, Regularizer):
        return {
            "module": _KERAS_MODULE,
            "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(),
            "registered_name": None,
        }
    name = getattr(regularizer, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize regularizer {regularizer!r}.")
    return name


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> RegularizerLike:
    """Builds a regularizer from a name or a ``{"class_name": ..., "config": ...}`` dict.

    Example:
        >>> deserialize({"class_name": "L1", "config": {"l1": 0.5}})
        L1(l1=0.5)
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
    if isinstance(obj, type) and issubclass(obj, Regularizer):
        return obj.from_config(kwargs)
    if isinstance(obj, type) or obj is l1_l2:
        return obj(**kwargs)
    return obj


def get(identifier: Any) -> RegularizerLike | None:
    """Resolves a regularizer identifier.

    ``None`` -> ``None``; a name (``'l1'``, ``'l2'``, ``'L1L2'``, ``'l1_l2'``...) -> an instance
    with default factors; a serialized dict; a class (instantiated); a callable (as is).

    Example:
        >>> get("l1")
        L1(l1=0.01)
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _unknown(identifier)
