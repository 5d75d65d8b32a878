"""``to_categorical`` and ``normalize``, as in ``keras.utils``."""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["normalize", "to_categorical"]

_EPSILON = 1e-7  # keras.config.epsilon(), the floor of the norm for array inputs


def _squeeze_label_axis(shape: tuple[int, ...]) -> tuple[int, ...]:
    # Labels of shape (..., 1) are class indices, not a trailing feature axis.
    if len(shape) > 1 and shape[-1] == 1:
        return shape[:-1]
    return shape


def _check_num_classes(num_classes: Any) -> None:
    if num_classes is None:
        return
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, numbers.Integral)
        or num_classes < 1
    ):
        raise ValueError(
            "to_categorical: argument `num_classes` must be a positive int or None, "
            f"received {num_classes!r}."
        )


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray | jax.Array:
    """Converts a class vector (integers) to a one-hot class matrix.

    A trailing axis of size 1 is dropped first, so labels of shape ``(B, 1)`` give
    ``(B, num_classes)``. Float labels are truncated to ints, as in Keras.

    Args:
        x: Array-like of class indices in ``[0, num_classes)``.
        num_classes: Number of classes; ``None`` infers ``max(x) + 1``.

    Returns:
        A float32 array of shape ``x.shape + (num_classes,)`` (after dropping a trailing
        axis of size 1), the class axis last: a NumPy array, or a JAX array when ``x`` is
        one (then out-of-range labels give rows of zeros, as ``jax.nn.one_hot``).

    Example:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    _check_num_classes(num_classes)
    if isinstance(x, jax.Array):
        return _to_categorical_jax(x, num_classes)
    x = np.array(x, dtype="int64")
    shape = _squeeze_label_axis(x.shape)
    flat = x.reshape(-1)
    if num_classes is None:
        if flat.size == 0:
            raise ValueError(
                "to_categorical: cannot infer `num_classes` from empty labels; pass it."
            )
        num_classes = int(flat.max()) + 1
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must be in [0, num_classes={num_classes}), received "
            f"values from {flat.min()} to {flat.max()}."
        )
    categorical = np.zeros((flat.size, num_classes), dtype="float32")
    categorical[np.arange(flat.size), flat] = 1
    return categorical.reshape(shape + (num_classes,))


def _to_categorical_jax(x: jax.Array, num_classes: int | None) -> jax.Array:
    x = x.reshape(_squeeze_label_axis(x.shape))
    if num_classes is None:
        try:
            num_classes = int(jnp.max(x)) + 1
        except jax.errors.ConcretizationTypeError:
            raise ValueError(
                "to_categorical: pass `num_classes` when calling it under `jax.jit`."
            ) from None
    return jax.nn.one_hot(x, num_classes, dtype=jnp.float32)


def normalize(x: Any, axis: int | None = -1, order: int = 2) -> np.ndarray | jax.Array:
    """Divides ``x`` by its ``order``-norm along ``axis``.

    NumPy arrays stay NumPy (same float dtype; all-zero slices are left at zero). Other
    inputs (lists, JAX arrays) give a float JAX array computed as Keras's
    ``ops.normalize``: ``x / max(norm(x), 1e-7)``.

    Args:
        x: Array to normalize.
        axis: Axis along which to normalize.
        order: Normalization order (e.g. ``order=2`` for the L2 norm).

    Returns:
        A normalized copy of the array, the shape of ``x``.

    Example:
        >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    if isinstance(x, np.ndarray):
        norm = np.linalg.norm(x, order, axis, keepdims=True)
        norm[norm == 0] = 1
        return x / norm
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    if x.ndim == 0:
        x = x.reshape(1)
    if order == 2:
        # As Keras: x * rsqrt(sum(x**2)) with the inverse norm capped at 1 / epsilon.
        inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inv_norm, 1.0 / _EPSILON)
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, _EPSILON)
