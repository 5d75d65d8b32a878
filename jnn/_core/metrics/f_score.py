"""F-beta and F1 scores over per-class weighted counts (Keras 3's FBetaScore / F1Score).

Example:
    >>> import jax.numpy as jnp
    >>> m = F1Score(average="micro", threshold=0.5)
    >>> round(float(m(jnp.array([[1, 0], [0, 1]]), jnp.array([[0.9, 0.2], [0.6, 0.7]]))), 4)
    0.8
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.losses import EPSILON
from jnn._core.metrics.base import Metric, State

Array = jax.Array
_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score from weighted true/false positives and false negatives per class.

    Args:
        average: ``None`` (one score per class), ``"micro"`` (global counts), ``"macro"``
            (mean of the class scores) or ``"weighted"`` (weighted by class support).
        beta: weight of recall versus precision (a float > 0).
        threshold: predictions above it are positive; ``None`` marks the row's maximum.

    Example:
        >>> m = FBetaScore(beta=2.0, threshold=0.5, average="macro")
        >>> s = m.build((None, 2), (None, 2)).init()
        >>> float(m.result(m.update(s, jnp.array([[1, 0]]), jnp.array([[0.9, 0.1]]))))
        0.4999...
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python "
                    f"float. Received: threshold={threshold} of type "
                    f"'{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify "
                    f"0 < threshold <= 1. Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._num_classes: int | None = None

    @property
    def built(self) -> bool:
        return self._num_classes is not None

    def build(self, y_true_shape: Any = None, y_pred_shape: Any = None) -> FBetaScore:
        if y_pred_shape is None or y_true_shape is None:
            return self
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim), "
                f"with output_dim fully defined. Received input shapes: "
                f"y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}."
            )
        self._num_classes = int(y_pred_shape[-1])
        return self

    def init(self) -> State:
        if not self.built:
            raise ValueError(
                f"{self.name}: the number of classes is unknown; call "
                "`build(y_true_shape, y_pred_shape)` (jnn.metrics.resolve does) or "
                "`update_state` before `init`."
            )
        shape = () if self.average == "micro" else (self._num_classes,)
        return {k: self._zeros(shape) for k in ("tp", "fp", "fn", "support")}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        y_true = jnp.asarray(y_true).astype(self._dtype)
        y_pred = jnp.asarray(y_pred).astype(self._dtype)
        if self.threshold is None:
            top = jnp.max(y_pred, axis=-1, keepdims=True)
            y_pred = (y_pred >= top) & (jnp.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self._dtype)
        w = None
        if sample_weight is not None:
            w = jnp.reshape(jnp.asarray(sample_weight).astype(self._dtype), (-1, 1))

        def weighted_sum(val):
            if w is not None:
                val = jnp.where(w == 0, jnp.zeros_like(val), val * w)
            return jnp.sum(val, axis=self.axis)

        return {
            "tp": state["tp"] + weighted_sum(y_pred * y_true),
            "fp": state["fp"] + weighted_sum(y_pred * (1 - y_true)),
            "fn": state["fn"] + weighted_sum((1 - y_pred) * y_true),
            "support": state["support"] + weighted_sum(y_true),
        }

    def result(self, state: State | None = None) -> Array:
        s = self._current(state)
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta**2
        score = (precision * recall) / (b2 * precision + recall + EPSILON) * (1 + b2)
        if self.average == "weighted":
            weights = s["support"] / (jnp.sum(s["support"]) + EPSILON)
            return jnp.sum(score * weights)
        if self.average is not None:
            return jnp.mean(score)
        return score

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall (``FBetaScore`` with beta=1).

    Example:
        >>> m = F1Score(threshold=0.5)
        >>> m(jnp.array([[1, 0], [0, 1]]), jnp.array([[0.9, 0.2], [0.6, 0.7]]))
        Array([0.6666..., 0.9999...], dtype=float32)
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
