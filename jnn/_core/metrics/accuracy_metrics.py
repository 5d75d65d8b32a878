"""Accuracy metrics (Keras 3 rules for shapes, thresholds and ties).

Example:
    >>> import jax.numpy as jnp
    >>> binary_accuracy(jnp.array([1, 0]), jnp.array([0.7, 0.6]))
    Array([1., 0.], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.losses import _float, squeeze_or_expand_to_same_rank
from jnn._core.metrics.base import _FnMetric

Array = jax.Array


def accuracy(y_true: Any, y_pred: Any) -> Array:
    """1.0 where ``y_true == y_pred`` exactly.

    Example:
        >>> accuracy(jnp.array([1, 2]), jnp.array([1.0, 3.0]))
        Array([1., 0.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(jnp.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Array:
    """1.0 where ``(y_pred > threshold) == y_true``.

    Example:
        >>> binary_accuracy(jnp.array([1, 0]), jnp.array([0.5, 0.2]))
        Array([0., 1.], dtype=float32)
    """
    y_pred, y_true = jnp.asarray(y_pred), jnp.asarray(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == y_pred).astype(jnp.float32)


def _matches(y_true: Array, y_pred: Array, squeeze_when_same_rank: bool) -> Array:
    original_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and squeeze_when_same_rank:
        y_true = jnp.squeeze(y_true, -1)
        reshape = True
    labels = jnp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = (y_true == labels).astype(jnp.float32)
    return jnp.reshape(matches, original_shape) if reshape else matches


def categorical_accuracy(y_true: Any, y_pred: Any) -> Array:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` (first maximum on ties).

    Example:
        >>> categorical_accuracy(jnp.array([[0, 1], [1, 0]]), jnp.array([[0.2, 0.8], [0.3, 0.7]]))
        Array([1., 0.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.argmax(jnp.asarray(y_true), axis=-1).astype(y_pred.dtype)
    return _matches(y_true, y_pred, squeeze_when_same_rank=True)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Array:
    """1.0 where the integer label equals ``argmax(y_pred)``; labels ``(B,)`` or ``(B, 1)``.

    Example:
        >>> sparse_categorical_accuracy(jnp.array([[1], [0]]), jnp.array([[0.2, 0.8], [0.3, 0.7]]))
        Array([1., 0.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    same_rank_unit = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    matches = _matches(y_true, y_pred, squeeze_when_same_rank=same_rank_unit)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def in_top_k(targets: Array, predictions: Array, k: int) -> Array:
    """Whether each target's score ranks within the top ``k`` (ties count in its favour)."""
    at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, -1), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(predictions > at_label, axis=-1)
    return rank <= k


def _top_k(y_true: Array, y_pred: Array, k: int) -> Array:
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    if y_true.ndim > 1:
        y_true = jnp.reshape(y_true, (-1,))
    matches = in_top_k(y_true.astype(jnp.int32), y_pred, k).astype(jnp.float32)
    return jnp.reshape(matches, original_shape)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Array:
    """1.0 where the one-hot target's class is among the ``k`` highest predictions.

    Example:
        >>> top_k_categorical_accuracy(jnp.array([[0, 0, 1]]), jnp.array([[0.5, 0.3, 0.2]]), k=2)
        Array([0.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.argmax(jnp.asarray(y_true), axis=-1)
    return _top_k(y_true, y_pred, k)


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> Array:
    """1.0 where the integer label is among the ``k`` highest predictions (or, with
    ``from_sorted_ids``, among the first ``k`` ids of ``y_pred``).

    Example:
        >>> sparse_top_k_categorical_accuracy(jnp.array([2]), jnp.array([[0.5, 0.3, 0.2]]), k=2)
        Array([0.], dtype=float32)
    """
    y_pred = jnp.asarray(y_pred)
    if not from_sorted_ids:
        return _top_k(jnp.asarray(y_true).astype(jnp.int32), _float(y_pred), k)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    flat = jnp.reshape(y_true, (-1,)) if y_true.ndim > 1 else y_true
    matches = jnp.any(jnp.expand_dims(flat, 1) == y_pred[:, :k], axis=1).astype(jnp.float32)
    return jnp.reshape(matches, original_shape)


class Accuracy(_FnMetric):
    """How often predictions equal labels exactly. Example: ``Accuracy()(y_true, y_pred)``."""

    _fn_static = staticmethod(accuracy)

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class BinaryAccuracy(_FnMetric):
    """How often ``y_pred > threshold`` matches binary labels.

    Example:
        >>> float(BinaryAccuracy()(jnp.array([[1], [0]]), jnp.array([[0.9], [0.8]])))
        0.5
    """

    _fn_static = staticmethod(binary_accuracy)

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold=0.5) -> None:
        super().__init__(name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(_FnMetric):
    """How often ``argmax(y_pred)`` matches one-hot labels. Example: ``CategoricalAccuracy()``."""

    _fn_static = staticmethod(categorical_accuracy)

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class SparseCategoricalAccuracy(_FnMetric):
    """How often ``argmax(y_pred)`` matches integer labels. Example:
    ``SparseCategoricalAccuracy()(jnp.array([1]), jnp.array([[0.1, 0.9]]))``."""

    _fn_static = staticmethod(sparse_categorical_accuracy)

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class TopKCategoricalAccuracy(_FnMetric):
    """How often the one-hot target is in the top ``k`` predictions. Example:
    ``TopKCategoricalAccuracy(k=3)``."""

    _fn_static = staticmethod(top_k_categorical_accuracy)

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_FnMetric):
    """How often the integer label is in the top ``k`` predictions. Example:
    ``SparseTopKCategoricalAccuracy(k=3)``."""

    _fn_static = staticmethod(sparse_top_k_categorical_accuracy)

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype, k=k, from_sorted_ids=from_sorted_ids)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if not self.from_sorted_ids:
            config.pop("from_sorted_ids")
        return config
