"""Activation functions with Keras 3 names, arguments and values, as plain JAX functions.

Every activation is ``f(x, ...) -> jax.Array`` and is built from ``jax.nn`` where Keras computes
the same thing. ``get`` resolves Keras identifiers (``None``, names, dicts, callables).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn import activations
    >>> activations.get("relu")(jnp.array([-1.0, 2.0]))
    Array([0., 2.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

Activation = Callable[..., jax.Array]


def linear(x: jax.Array) -> jax.Array:
    """Identity activation (``None`` resolves to it).

    Example:
        >>> linear(jnp.array([-1.0]))
        Array([-1.], dtype=float32)
    """
    return jnp.asarray(x)


def relu(
    x: jax.Array,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> jax.Array:
    """Rectified linear unit with Keras 3's optional leak, cap and threshold.

    Returns ``x`` for ``threshold < x < max_value``, ``max_value`` above the cap and
    ``negative_slope * (x - threshold)`` below the threshold.

    Example:
        >>> relu(jnp.array([-2.0, 1.0, 9.0]), negative_slope=0.5, max_value=6.0)
        Array([-1.,  1.,  6.], dtype=float32)
    """
    x = jnp.asarray(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return jax.nn.leaky_relu(x, negative_slope=negative_slope)
    if threshold != 0:
        out = jnp.where(x > threshold, x, jnp.zeros_like(x))
    else:
        out = jax.nn.relu(x)
    if max_value is not None:
        out = jnp.clip(out, 0.0, max_value).astype(x.dtype)
    if negative_slope != 0.0:
        out = out - negative_slope * jax.nn.relu(threshold - x)
    return out


def leaky_relu(x: jax.Array, negative_slope: float = 0.2) -> jax.Array:
    """Leaky ReLU: ``x`` if ``x >= 0`` else ``negative_slope * x`` (Keras default 0.2).

    Example:
        >>> leaky_relu(jnp.array([-1.0, 1.0]))
        Array([-0.2,  1. ], dtype=float32)
    """
    return jax.nn.leaky_relu(x, negative_slope=negative_slope)


def relu6(x: jax.Array) -> jax.Array:
    """ReLU capped at 6: ``min(max(x, 0), 6)``.

    Example:
        >>> relu6(jnp.array([-1.0, 7.0]))
        Array([0., 6.], dtype=float32)
    """
    return jax.nn.relu6(x)


def sigmoid(x: jax.Array) -> jax.Array:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Example:
        >>> sigmoid(jnp.array([0.0]))
        Array([0.5], dtype=float32)
    """
    return jax.nn.sigmoid(x)


def tanh(x: jax.Array) -> jax.Array:
    """Hyperbolic tangent.

    Example:
        >>> tanh(jnp.array([0.0]))
        Array([0.], dtype=float32)
    """
    return jnp.tanh(x)


def softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, computed stably.

    Example:
        >>> softmax(jnp.array([0.0, 0.0]))
        Array([0.5, 0.5], dtype=float32)
    """
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Logarithm of the softmax along ``axis``.

    Example:
        >>> log_softmax(jnp.array([0.0, 0.0]))
        Array([-0.6931472, -0.6931472], dtype=float32)
    """
    return jax.nn.log_softmax(x, axis=axis)


def softplus(x: jax.Array) -> jax.Array:
    """Softplus ``log(1 + exp(x))``.

    Example:
        >>> softplus(jnp.array([0.0]))
        Array([0.6931472], dtype=float32)
    """
    return jax.nn.softplus(x)


def softsign(x: jax.Array) -> jax.Array:
    """Softsign ``x / (1 + |x|)``.

    Example:
        >>> softsign(jnp.array([1.0]))
        Array([0.5], dtype=float32)
    """
    return jax.nn.soft_sign(x)


def elu(x: jax.Array, alpha: float = 1.0) -> jax.Array:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Example:
        >>> elu(jnp.array([0.0, 2.0]))
        Array([0., 2.], dtype=float32)
    """
    return jax.nn.elu(x, alpha=alpha)


def selu(x: jax.Array) -> jax.Array:
    """Scaled ELU with the self-normalising constants (alpha 1.67326324, scale 1.05070098).

    Example:
        >>> selu(jnp.array([0.0]))
        Array([0.], dtype=float32)
    """
    return jax.nn.selu(x)


def celu(x: jax.Array, alpha: float = 1.0) -> jax.Array:
    """Continuously differentiable ELU: ``x`` if ``x >= 0`` else ``alpha * (exp(x/alpha) - 1)``.

    Example:
        >>> celu(jnp.array([1.0]))
        Array([1.], dtype=float32)
    """
    return jax.nn.celu(x, alpha=alpha)


def gelu(x: jax.Array, approximate: bool = False) -> jax.Array:
    """Gaussian error linear unit; exact (erf) by default as in Keras 3's activation.

    Example:
        >>> gelu(jnp.array([0.0]))
        Array([0.], dtype=float32)
    """
    return jax.nn.gelu(x, approximate=approximate)


def silu(x: jax.Array) -> jax.Array:
    """SiLU / swish: ``x * sigmoid(x)``.

    Example:
        >>> silu(jnp.array([0.0]))
        Array([0.], dtype=float32)
    """
    return jax.nn.silu(x)


swish = silu


def mish(x: jax.Array) -> jax.Array:
    """Mish: ``x * tanh(softplus(x))``.

    Example:
        >>> mish(jnp.array([0.0]))
        Array([0.], dtype=float32)
    """
    return x * jnp.tanh(jax.nn.softplus(x))


def exponential(x: jax.Array) -> jax.Array:
    """Exponential ``exp(x)``.

    Example:
        >>> exponential(jnp.array([0.0]))
        Array([1.], dtype=float32)
    """
    return jnp.exp(x)


def hard_sigmoid(x: jax.Array) -> jax.Array:
    """Keras 3 hard sigmoid: ``relu6(x + 3) / 6`` (Keras 2 used ``0.2 * x + 0.5``).

    Example:
        >>> hard_sigmoid(jnp.array([-3.0, 0.0, 3.0]))
        Array([0. , 0.5, 1. ], dtype=float32)
    """
    return jax.nn.hard_sigmoid(x)


def hard_silu(x: jax.Array) -> jax.Array:
    """Hard SiLU / hard swish: ``x * hard_sigmoid(x)``.

    Example:
        >>> hard_silu(jnp.array([3.0]))
        Array([3.], dtype=float32)
    """
    return jax.nn.hard_silu(x)


hard_swish = hard_silu


def glu(x: jax.Array, axis: int = -1) -> jax.Array:
    """Gated linear unit: splits ``x`` in two halves ``a, b`` on ``axis``, returns ``a * sigmoid(b)``.

    Example:
        >>> glu(jnp.array([1.0, 0.0]))
        Array([0.5], dtype=float32)
    """
    x = jnp.asarray(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even, received shape {x.shape}.")
    return jax.nn.glu(x, axis=axis)


def log_sigmoid(x: jax.Array) -> jax.Array:
    """Logarithm of the sigmoid, computed stably.

    Example:
        >>> log_sigmoid(jnp.array([0.0]))
        Array([-0.6931472], dtype=float32)
    """
    return jax.nn.log_sigmoid(x)


def hard_tanh(x: jax.Array) -> jax.Array:
    """Hard tanh: ``clip(x, -1, 1)``.

    Example:
        >>> hard_tanh(jnp.array([-2.0, 0.5]))
        Array([-1. ,  0.5], dtype=float32)
    """
    return jax.nn.hard_tanh(x)


def sparsemax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Sparsemax: Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Example:
        >>> sparsemax(jnp.array([2.0, 0.0]))
        Array([1., 0.], dtype=float32)
    """
    x = jnp.asarray(x)
    z = jnp.moveaxis(x, axis, -1)
    z_sorted = -jnp.sort(-z, axis=-1)
    cumsum = jnp.cumsum(z_sorted, axis=-1)
    k = jnp.arange(1, z.shape[-1] + 1, dtype=z.dtype).reshape((1,) * (z.ndim - 1) + (-1,))
    support = z_sorted - (cumsum - 1) / k > 0
    k_z = jnp.sum(support, axis=-1, keepdims=True)
    tau_sum = jnp.take_along_axis(cumsum, k_z - 1, axis=-1)
    tau = (tau_sum - 1) / k_z.astype(z.dtype)
    return jnp.moveaxis(jnp.maximum(z - tau, 0.0), -1, axis)


_BY_NAME: dict[str, Activation] = {
    fn.__name__: fn
    for fn in (
        linear,
        relu,
        leaky_relu,
        relu6,
        sigmoid,
        tanh,
        softmax,
        log_softmax,
        softplus,
        softsign,
        elu,
        selu,
        celu,
        gelu,
        silu,
        mish,
        exponential,
        hard_sigmoid,
        hard_silu,
        glu,
        log_sigmoid,
        hard_tanh,
        sparsemax,
    )
}
_BY_NAME["swish"] = silu
_BY_NAME["hard_swish"] = hard_silu
_CANONICAL: dict[Activation, str] = {
    fn: name for name, fn in _BY_NAME.items() if name == fn.__name__
}


def _unknown(identifier: Any) -> ValueError:
    return ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. "
        f"Valid identifiers: {sorted(_BY_NAME)}"
    )


class _Hooks:
    """Installed by the shell's saving registry: ``registered_name(fn) -> "package>name"`` and
    ``lookup(name) -> fn | None`` (custom_objects scopes and ``register_keras_serializable``)."""

    registered_name: Callable[[Any], str] | None = None
    lookup: Callable[[str], Any] | None = None


hooks = _Hooks()


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Activation:
    """Returns the activation named by ``config`` (a name or a Keras serialized dict).

    ``custom_objects`` maps extra names to user functions and takes precedence.

    Example:
        >>> deserialize("relu") is relu
        True
    """
    if isinstance(config, dict):
        inner = config.get("config")
        name = inner if isinstance(inner, str) else config.get("class_name")
        if isinstance(inner, dict) and "name" in inner:
            name = inner["name"]
    else:
        name = config
    if not isinstance(name, str):
        raise _unknown(config)
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _BY_NAME:
        return _BY_NAME[name]
    found = hooks.lookup(name) if hooks.lookup is not None else None
    if found is not None:
        return found
    raise _unknown(config)


def serialize(activation: Activation) -> str:
    """Returns the registered Keras name of ``activation`` (a user function: its ``__name__``).

    Example:
        >>> serialize(swish)
        'silu'
    """
    if activation in _CANONICAL:
        return _CANONICAL[activation]
    if hooks.registered_name is not None:
        registered = hooks.registered_name(activation)
        if ">" in registered:  # register_keras_serializable(package=..., name=...)
            return registered
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(
            f"Cannot serialize activation {activation!r}: expected a function with a `__name__`."
        )
    return name


def get(identifier: Any) -> Activation:
    """Resolves an activation identifier to a function.

    Accepts ``None`` (linear), a Keras name (``'relu'``, ``'softmax'``, ``'swish'``...), a
    Keras serialized dict, or a callable (returned as is).

    Example:
        >>> get(None) is linear
        True
        >>> get("swish") is silu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _unknown(identifier)
