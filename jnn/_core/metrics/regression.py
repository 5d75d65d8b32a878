"""Regression, probabilistic and hinge metrics: the weighted mean of a loss function.

Example:
    >>> import jax.numpy as jnp
    >>> m = RootMeanSquaredError()
    >>> float(m(jnp.array([[0.0], [0.0]]), jnp.array([[3.0], [4.0]])))
    3.535533...
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import losses as L
from jnn._core.metrics.base import Mean, State, _FnMetric

Array = jax.Array


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Array:
    """Cosine similarity (1 is best), the metric's sign (the loss is its negative).

    Example:
        >>> cosine_similarity(jnp.array([[1.0, 0.0]]), jnp.array([[3.0, 0.0]]))
        Array([1.], dtype=float32)
    """
    return -L.cosine_similarity(y_true, y_pred, axis=axis)


class MeanSquaredError(_FnMetric):
    """Mean of squared errors. Example: ``MeanSquaredError()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.mean_squared_error)

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanAbsoluteError(_FnMetric):
    """Mean of absolute errors. Example: ``MeanAbsoluteError()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.mean_absolute_error)

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanAbsolutePercentageError(_FnMetric):
    """Mean absolute percentage error. Example: ``MeanAbsolutePercentageError()(y, p)``."""

    _fn_static = staticmethod(L.mean_absolute_percentage_error)

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_FnMetric):
    """Mean squared logarithmic error. Example: ``MeanSquaredLogarithmicError()(y, p)``."""

    _fn_static = staticmethod(L.mean_squared_logarithmic_error)

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class CosineSimilarity(_FnMetric):
    """Mean cosine similarity along ``axis``. Example: ``CosineSimilarity(axis=-1)``."""

    _fn_static = staticmethod(cosine_similarity)

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis=-1) -> None:
        super().__init__(name=name, dtype=dtype, axis=axis)


class LogCoshError(_FnMetric):
    """Mean log-cosh error. Example: ``LogCoshError()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.log_cosh)

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """Square root of the weighted mean of squared errors.

    Example:
        >>> m = RootMeanSquaredError()
        >>> float(m.result(m.update(m.init(), jnp.array([0.0, 0.0]), jnp.array([2.0, 2.0]))))
        2.0
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        y_true = jnp.asarray(y_true).astype(self._dtype)
        y_pred = jnp.asarray(y_pred).astype(self._dtype)
        y_true, y_pred = L.squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update(state, jnp.square(y_pred - y_true), sample_weight)

    def result(self, state: State | None = None) -> Array:
        return jnp.sqrt(super().result(state))


class KLDivergence(_FnMetric):
    """Mean KL divergence. Example: ``KLDivergence()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.kl_divergence)

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class Poisson(_FnMetric):
    """Mean Poisson loss. Example: ``Poisson()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.poisson)

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class BinaryCrossentropy(_FnMetric):
    """Mean binary crossentropy. Example: ``BinaryCrossentropy(from_logits=True)``."""

    _fn_static = staticmethod(L.binary_crossentropy)

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits=False,
        label_smoothing=0,
    ) -> None:
        super().__init__(
            name=name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing
        )


class CategoricalCrossentropy(_FnMetric):
    """Mean categorical crossentropy. Example: ``CategoricalCrossentropy()``."""

    _fn_static = staticmethod(L.categorical_crossentropy)

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ) -> None:
        super().__init__(
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(_FnMetric):
    """Mean sparse categorical crossentropy; with ``ignore_class`` and sample weights, ignored
    entries get weight 0 (Keras's rule). Example: ``SparseCategoricalCrossentropy()``."""

    _fn_static = staticmethod(L.sparse_categorical_crossentropy)

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits=False,
        ignore_class=None,
        axis=-1,
    ) -> None:
        super().__init__(
            name=name, dtype=dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis
        )

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        values, mask = L.sparse_categorical_crossentropy_with_mask(
            jnp.asarray(y_true), jnp.asarray(y_pred), **self._fn_kwargs
        )
        if mask is not None and sample_weight is not None:
            _, sw = L._align_weight(mask, jnp.asarray(sample_weight, self._dtype), "sample_weight")
            sample_weight = sw * mask.astype(self._dtype)
        return Mean.update(self, state, values, sample_weight)


class Hinge(_FnMetric):
    """Mean hinge loss. Example: ``Hinge()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.hinge)

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_FnMetric):
    """Mean squared hinge loss. Example: ``SquaredHinge()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.squared_hinge)

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_FnMetric):
    """Mean categorical hinge loss. Example: ``CategoricalHinge()(y_true, y_pred)``."""

    _fn_static = staticmethod(L.categorical_hinge)

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
