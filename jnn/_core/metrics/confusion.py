"""Confusion-matrix metrics: Precision, Recall and AUC with Keras's thresholds and buckets.

The state holds weighted true/false positive/negative counts per threshold. Evenly spaced
thresholds (AUC's default) use Keras's O(T + N) bucket method (``segment_sum`` then a reversed
cumulative sum); other thresholds compare every prediction with every threshold.

Example:
    >>> import jax.numpy as jnp
    >>> m = Precision()
    >>> float(m(jnp.array([0, 1, 1, 1]), jnp.array([1.0, 1.0, 0.0, 0.0])))
    0.5
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.losses import EPSILON, _divide_no_nan, squeeze_or_expand_to_same_rank
from jnn._core.metrics.base import Metric, State

Array = jax.Array
NEG_INF = -1e10


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple, np.ndarray)) else [x]


def parse_thresholds(thresholds: Any, default: float, owner: str) -> list[float]:
    """Threshold list with Keras's range check (values in [0, 1])."""
    if thresholds is None:
        return [default]
    values = _as_list(thresholds)
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"{owner}: threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def is_evenly_distributed(thresholds: Any) -> bool:
    """Whether ``thresholds`` are ``i / (n - 1)`` for ``i < n`` with ``n >= 3`` (Keras)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def _filter_top_k(x: Array, k: int) -> Array:
    _, idx = jax.lax.top_k(x, k)
    mask = jnp.sum(jax.nn.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def _prepare(y_true, y_pred, sample_weight, top_k, class_id, dtype):
    y_true = jnp.asarray(y_true).astype(dtype)
    y_pred = jnp.asarray(y_pred).astype(dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = jnp.expand_dims(jnp.asarray(sample_weight).astype(dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    return y_true, y_pred, sample_weight


def _weights(sample_weight, label_weights, y_pred, multi_label):
    w = jnp.ones((), y_pred.dtype)
    if sample_weight is not None:
        w = jnp.broadcast_to(sample_weight.astype(y_pred.dtype), y_pred.shape)
    if label_weights is not None:
        lw = jnp.broadcast_to(jnp.expand_dims(label_weights, 0), y_pred.shape)
        w = w * lw
    if not multi_label and w.ndim:
        w = jnp.reshape(w, (-1,))
    return w


def confusion_counts(
    y_true: Any,
    y_pred: Any,
    thresholds: Any,
    *,
    evenly: bool,
    sample_weight: Any = None,
    top_k: int | None = None,
    class_id: int | None = None,
    multi_label: bool = False,
    label_weights: Any = None,
    dtype: Any = jnp.float32,
) -> dict[str, Array]:
    """Weighted ``tp, fp, tn, fn`` per threshold for one batch (``pred > threshold`` is
    positive). Shapes ``(T,)``, or ``(T, num_labels)`` when ``multi_label``."""
    y_true, y_pred, sample_weight = _prepare(y_true, y_pred, sample_weight, top_k, class_id, dtype)
    if multi_label and y_pred.ndim != 2:
        raise ValueError(
            "`y_pred` must have rank 2 when `multi_label=True`. "
            f"Found rank {y_pred.ndim}. Full shape received for `y_pred`: {y_pred.shape}"
        )
    if label_weights is not None:
        label_weights = jnp.asarray(label_weights, dtype)
    weights = _weights(sample_weight, label_weights, y_pred, multi_label)
    if evenly:
        return _counts_by_buckets(y_true, y_pred, thresholds, weights, multi_label)
    return _counts_by_comparison(y_true, y_pred, thresholds, weights, multi_label)


def _counts_by_buckets(y_true, y_pred, thresholds, weights, multi_label):
    n = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(y_pred.dtype)
    if not multi_label:
        y_true, y_pred = jnp.reshape(y_true, (-1,)), jnp.reshape(y_pred, (-1,))
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = jnp.ceil(y_pred * (n - 1)) - 1
    if with_epsilon:
        buckets = jnp.maximum(buckets, 0)
    buckets = buckets.astype(jnp.int32)

    def cumulative(labels, ids):  # one label column: reversed cumsum of bucket sums
        per_bucket = jax.ops.segment_sum(labels, ids, num_segments=n)
        return jnp.flip(jnp.cumsum(jnp.flip(per_bucket)))

    if multi_label:
        tp = jax.vmap(cumulative, in_axes=1, out_axes=1)(true_labels, buckets)
        fp = jax.vmap(cumulative, in_axes=1, out_axes=1)(false_labels, buckets)
        total_true = jnp.sum(true_labels, 0, keepdims=True)
        total_false = jnp.sum(false_labels, 0, keepdims=True)
    else:
        tp, fp = cumulative(true_labels, buckets), cumulative(false_labels, buckets)
        total_true, total_false = jnp.sum(true_labels), jnp.sum(false_labels)
    return {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}


def _counts_by_comparison(y_true, y_pred, thresholds, weights, multi_label):
    thresholds = jnp.asarray(thresholds, y_pred.dtype)
    is_true = y_true.astype(bool)
    if not multi_label:
        is_true, y_pred = jnp.reshape(is_true, (-1,)), jnp.reshape(y_pred, (-1,))
    # Threshold axis first: (T, N) or (T, B, L).
    t = jnp.reshape(thresholds, (-1,) + (1,) * y_pred.ndim)
    pred_pos = jnp.expand_dims(y_pred, 0) > t
    label_pos = jnp.expand_dims(is_true, 0)
    w = jnp.broadcast_to(weights, y_pred.shape)[None]

    def count(label, pred):
        hit = jnp.where(label & pred, w, jnp.zeros_like(w))
        return jnp.sum(hit, axis=1)

    return {
        "tp": count(label_pos, pred_pos),
        "fp": count(~label_pos, pred_pos),
        "tn": count(~label_pos, ~pred_pos),
        "fn": count(label_pos, ~pred_pos),
    }


class _ThresholdMetric(Metric):
    """Precision / Recall: counts per threshold, optionally restricted to top-k or a class."""

    _keys: tuple[str, str]

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = (
            [default]
            if thresholds is None
            else parse_thresholds(thresholds, default, type(self).__name__)
        )
        self._evenly = is_evenly_distributed(self.thresholds)

    def init(self) -> State:
        n = len(self.thresholds)
        return {k: self._zeros((n,)) for k in self._keys}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            evenly=self._evenly,
            sample_weight=sample_weight,
            top_k=self.top_k,
            class_id=self.class_id,
            dtype=self._dtype,
        )
        return {k: state[k] + counts[k] for k in self._keys}

    def result(self, state: State | None = None) -> Array:
        state = self._current(state)
        tp, other = state["tp"], state[self._keys[1]]
        value = _divide_no_nan(tp, tp + other)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_ThresholdMetric):
    """Weighted ``tp / (tp + fp)`` at each threshold (a scalar for one threshold).

    Example:
        >>> float(Precision(thresholds=0.5)(jnp.array([1, 0]), jnp.array([0.9, 0.8])))
        0.5
    """

    _keys = ("tp", "fp")


class Recall(_ThresholdMetric):
    """Weighted ``tp / (tp + fn)`` at each threshold (a scalar for one threshold).

    Example:
        >>> float(Recall()(jnp.array([1, 1]), jnp.array([0.9, 0.1])))
        0.5
    """

    _keys = ("tp", "fn")


class _ConditionCount(Metric):
    """The weighted count of one confusion-matrix cell at each threshold (default 0.5)."""

    _key: str

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, 0.5, type(self).__name__)
        self._evenly = is_evenly_distributed(self.thresholds)

    def init(self) -> State:
        return {self._key: self._zeros((len(self.thresholds),))}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            evenly=self._evenly,
            sample_weight=sample_weight,
            dtype=self._dtype,
        )
        return {self._key: state[self._key] + counts[self._key]}

    def result(self, state: State | None = None) -> Array:
        value = self._current(state)[self._key]
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """Weighted number of true positives. Example: ``TruePositives()(y_true, y_pred)``."""

    _key = "tp"


class FalsePositives(_ConditionCount):
    """Weighted number of false positives. Example: ``FalsePositives()(y_true, y_pred)``."""

    _key = "fp"


class TrueNegatives(_ConditionCount):
    """Weighted number of true negatives. Example: ``TrueNegatives()(y_true, y_pred)``."""

    _key = "tn"


class FalseNegatives(_ConditionCount):
    """Weighted number of false negatives. Example: ``FalseNegatives()(y_true, y_pred)``."""

    _key = "fn"


_CURVES = ("ROC", "PR", "PRGAIN")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _check_choice(value: str, choices: tuple[str, ...], arg: str) -> str:
    key = {c.lower(): c for c in choices}.get(str(value).lower())
    if key is None:
        raise ValueError(
            f'Invalid `{arg}` argument value "{value}". Expected one of: {list(choices)}'
        )
    return key


class AUC(Metric):
    """Area under the ROC or PR curve, by a Riemann sum over ``num_thresholds`` thresholds.

    Args:
        num_thresholds: number of thresholds (> 1), evenly spaced in [0, 1] with an epsilon
            margin at both ends, as Keras.
        curve: ``"ROC"`` (default), ``"PR"`` or ``"PRGAIN"``.
        summation_method: ``"interpolation"`` (default; Davis & Goadrich for PR),
            ``"minoring"`` or ``"majoring"``.
        multi_label: one curve per label column (mean of the label AUCs) instead of
            flattening; the number of labels comes from ``num_labels`` or ``build``.
        from_logits: apply a sigmoid to predictions first.

    Example:
        >>> float(AUC()(jnp.array([0, 0, 1, 1]), jnp.array([0.1, 0.4, 0.35, 0.8])))
        0.75
    """

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        super().__init__(name=name, dtype=dtype)
        self.curve = _check_choice(curve, _CURVES, "curve")
        self.summation_method = _check_choice(summation_method, _SUMMATIONS, "summation_method")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(parse_thresholds(thresholds, 0.5, "AUC"))
            self.num_thresholds = len(inner) + 2
            self._evenly = is_evenly_distributed(np.array([0.0] + inner + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + inner + [1.0 + EPSILON])
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self.multi_label = multi_label
        self.num_labels = num_labels
        self._num_labels = num_labels
        self.label_weights = (
            None if label_weights is None else np.asarray(label_weights, np.float32)
        )
        self.from_logits = from_logits

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    @property
    def built(self) -> bool:
        return not self.multi_label or self._num_labels is not None

    def build(self, y_true_shape: Any = None, y_pred_shape: Any = None) -> AUC:
        if self.multi_label and y_pred_shape is not None:
            if len(y_pred_shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{len(y_pred_shape)}. Full shape received for `y_pred`: {y_pred_shape}"
                )
            self._num_labels = int(y_pred_shape[1])
        return self

    def init(self) -> State:
        if not self.built:
            raise ValueError(
                f"{self.name}: AUC(multi_label=True) needs the number of labels to create its "
                "state: pass `num_labels=` or call `build(y_true_shape, y_pred_shape)` first."
            )
        shape = (self.num_thresholds,) + ((self._num_labels,) if self.multi_label else ())
        return {k: self._zeros(shape) for k in ("tp", "fp", "tn", "fn")}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        if self.from_logits:
            y_pred = jax.nn.sigmoid(jnp.asarray(y_pred))
        counts = confusion_counts(
            y_true,
            y_pred,
            self._thresholds,
            evenly=self._evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            dtype=self._dtype,
        )
        return {k: state[k] + counts[k] for k in state}

    def _average(self, by_threshold: Array) -> Array:
        if not self.multi_label:
            return jnp.sum(by_threshold)
        by_label = jnp.sum(by_threshold, axis=0)
        if self.label_weights is None:
            return jnp.mean(by_label)
        lw = jnp.asarray(self.label_weights, by_label.dtype)
        return _divide_no_nan(jnp.sum(by_label * lw), jnp.sum(lw))

    def _interpolate_pr(self, s: State) -> Array:
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = jnp.where(both, _divide_no_nan(p[:-1], jnp.maximum(p[1:], 0)), jnp.ones_like(p[1:]))
        inc = _divide_no_nan(
            slope * (dtp + intercept * jnp.log(ratio)), jnp.maximum(tp[1:] + fn[1:], 0)
        )
        return self._average(inc)

    def result(self, state: State | None = None) -> Array:
        s = self._current(state)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr(s)
        x, y = self._curve_points(s)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[:-1], y[1:])
        else:
            heights = jnp.maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * heights)

    def _curve_points(self, s: State) -> tuple[Array, Array]:
        tp, fp, tn, fn = s["tp"], s["fp"], s["tn"], s["fn"]
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            return _divide_no_nan(fp, fp + tn), recall
        if self.curve == "PR":
            return recall, _divide_no_nan(tp, tp + fp)
        scale = _divide_no_nan(tp + fn, tn + fp)
        recall_gain = 1.0 - scale * _divide_no_nan(fn, tp)
        precision_gain = 1.0 - scale * _divide_no_nan(fp, tp)
        recall_gain = jnp.maximum(jnp.where(tp == 0, 0.0, recall_gain), 0.0)
        precision_gain = jnp.where(tp == 0, 1.0, precision_gain)
        return recall_gain, precision_gain

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        return config
