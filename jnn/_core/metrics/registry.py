"""Metric identifiers: ``get`` (Keras spellings), ``resolve`` (compile's shape-based choice of
accuracy / crossentropy), ``serialize`` and ``deserialize``.

Example:
    >>> resolve("accuracy", (None,), (None, 10)).__class__.__name__
    'SparseCategoricalAccuracy'
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from jnn._core import losses as L
from jnn._core.layers.base import to_snake_case
from jnn._core.metrics import accuracy_metrics as A
from jnn._core.metrics import base as base_lib
from jnn._core.metrics import confusion as C
from jnn._core.metrics import f_score as F
from jnn._core.metrics import regression as R
from jnn._core.metrics.base import Mean, MeanMetricWrapper, Metric, Sum

CLASSES: tuple[type[Metric], ...] = (
    Mean,
    Sum,
    MeanMetricWrapper,
    R.MeanSquaredError,
    R.RootMeanSquaredError,
    R.MeanAbsoluteError,
    R.MeanAbsolutePercentageError,
    R.MeanSquaredLogarithmicError,
    R.CosineSimilarity,
    R.LogCoshError,
    C.AUC,
    C.Precision,
    C.Recall,
    C.TruePositives,
    C.FalsePositives,
    C.TrueNegatives,
    C.FalseNegatives,
    R.Hinge,
    R.SquaredHinge,
    R.CategoricalHinge,
    R.KLDivergence,
    R.Poisson,
    R.BinaryCrossentropy,
    R.CategoricalCrossentropy,
    R.SparseCategoricalCrossentropy,
    A.Accuracy,
    A.BinaryAccuracy,
    A.CategoricalAccuracy,
    A.SparseCategoricalAccuracy,
    A.TopKCategoricalAccuracy,
    A.SparseTopKCategoricalAccuracy,
    F.F1Score,
    F.FBetaScore,
)
_CLASS_NAMES: dict[str, type[Metric]] = {c.__name__: c for c in CLASSES}
_BY_NAME: dict[str, type[Metric]] = {
    name: c
    for c in CLASSES
    if c is not MeanMetricWrapper
    for name in (c.__name__, to_snake_case(c.__name__))
}
_BY_NAME.update(
    {
        "bce": R.BinaryCrossentropy,
        "BCE": R.BinaryCrossentropy,
        "mse": R.MeanSquaredError,
        "MSE": R.MeanSquaredError,
        "mae": R.MeanAbsoluteError,
        "MAE": R.MeanAbsoluteError,
        "mape": R.MeanAbsolutePercentageError,
        "MAPE": R.MeanAbsolutePercentageError,
        "msle": R.MeanSquaredLogarithmicError,
        "MSLE": R.MeanSquaredLogarithmicError,
        "acc": A.Accuracy,
        "logcosh": R.LogCoshError,
        "log_cosh": R.LogCoshError,
        "kld": R.KLDivergence,
        "KLD": R.KLDivergence,
        "rmse": R.RootMeanSquaredError,
        "auc": C.AUC,
    }
)
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        A.accuracy,
        A.binary_accuracy,
        A.categorical_accuracy,
        A.sparse_categorical_accuracy,
        A.top_k_categorical_accuracy,
        A.sparse_top_k_categorical_accuracy,
    )
}


def valid_identifiers() -> list[str]:
    """Every string :func:`get` accepts (metric names, plus any loss name)."""
    return sorted(set(_BY_NAME) | set(_FUNCTIONS) | set(L.valid_identifiers()))


def function_from_name(name: str) -> Callable[..., Any]:
    """A metric or loss function by name (used to rebuild ``MeanMetricWrapper`` configs)."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    return L.deserialize(name, _function=True)


base_lib._function_from_name = function_from_name


def _unknown(identifier: Any) -> str:
    return (
        f"Could not interpret metric identifier: {identifier!r}. "
        f"Valid string identifiers: {valid_identifiers()}."
    )


def get(identifier: Any) -> Metric | None:
    """A :class:`Metric` from a string (Keras spellings, any loss name), a config dict, a
    Metric class or instance, or a function ``fn(y_true, y_pred)`` (wrapped in
    :class:`MeanMetricWrapper` named after the function).

    Example:
        >>> get("mae").name, get("AUC").__class__.__name__
        ('mean_absolute_error', 'AUC')
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        if identifier in _FUNCTIONS:
            return MeanMetricWrapper(_FUNCTIONS[identifier], name=identifier)
        try:  # any loss can be a metric: the weighted mean of its per-sample values
            loss = L.get(identifier)
        except ValueError:
            raise ValueError(_unknown(identifier)) from None
        return MeanMetricWrapper(loss.fn, name=identifier, **loss._fn_kwargs)
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, L.Loss):
        return MeanMetricWrapper(identifier.call, name=identifier.name)
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(_unknown(identifier))


def _binary_or_sparse(y_true_shape: Any, y_pred_shape: Any) -> tuple[bool, bool]:
    """Keras's ``is_binary_or_sparse_categorical`` on static shapes."""
    t, p = tuple(y_true_shape), tuple(y_pred_shape)
    is_binary = p[-1] == 1
    is_sparse = len(t) < len(p) or (t[-1] == 1 and p[-1] is not None and p[-1] > 1)
    return is_binary, is_sparse


def _from_loss(loss: Any) -> tuple[bool, bool]:
    fn = getattr(L.get(loss), "fn", None) if loss is not None else None
    return fn is L.binary_crossentropy, fn is L.sparse_categorical_crossentropy


def resolve(identifier: Any, y_true_shape: Any, y_pred_shape: Any, loss: Any = None) -> Metric:
    """The metric ``compile`` uses for ``identifier`` and an output of the given shapes.

    ``"accuracy"`` / ``"acc"`` become binary, sparse categorical or categorical accuracy, and
    ``"crossentropy"`` / ``"ce"`` the matching crossentropy, chosen from the shapes exactly as
    Keras 3's ``compile_utils`` does (from ``loss`` when the shapes are unknown). A string keeps
    its spelling as the metric name (``"acc"`` logs as ``acc``). The metric is built for the
    shapes, so ``init()`` works right away.

    Example:
        >>> m = resolve("acc", (None, 1), (None, 1))
        >>> m.__class__.__name__, m.name
        ('BinaryAccuracy', 'acc')
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    key = str(identifier).lower() if isinstance(identifier, str) else None
    if key in ("accuracy", "acc", "crossentropy", "ce"):
        if y_true_shape is None or y_pred_shape is None:
            is_binary, is_sparse = _from_loss(loss)
        else:
            is_binary, is_sparse = _binary_or_sparse(y_true_shape, y_pred_shape)
        if key in ("accuracy", "acc"):
            choices = (A.BinaryAccuracy, A.SparseCategoricalAccuracy, A.CategoricalAccuracy)
        else:
            choices = (
                R.BinaryCrossentropy,
                R.SparseCategoricalCrossentropy,
                R.CategoricalCrossentropy,
            )
        cls = choices[0] if is_binary else choices[1] if is_sparse else choices[2]
        metric = cls(name=identifier)
    else:
        metric = get(identifier)
        if isinstance(identifier, str):
            metric.name = identifier
    if y_true_shape is not None and y_pred_shape is not None:
        metric.build(tuple(y_true_shape), tuple(y_pred_shape))
    return metric


def serialize(metric: Any) -> Any:
    """Keras's serialized form of a metric (or the name of a metric function).

    Example:
        >>> serialize(get("AUC"))["class_name"]
        'AUC'
    """
    if isinstance(metric, Metric):
        return {
            "module": "keras.metrics",
            "class_name": type(metric).__name__,
            "config": metric.get_config(),
            "registered_name": None,
        }
    return L.serialize(metric)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Metric:
    """Rebuilds a metric from :func:`serialize`'s output or a name.

    Example:
        >>> deserialize(serialize(get("AUC"))).num_thresholds
        200
    """
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        if config in custom_objects:
            obj = custom_objects[config]
            return obj() if inspect.isclass(obj) else get(obj)
        return get(config)
    if isinstance(config, dict) and "class_name" in config:
        name, inner = config["class_name"], dict(config.get("config") or {})
        if name == "function":
            return get(custom_objects.get(inner) or function_from_name(inner))
        cls = custom_objects.get(name) or _CLASS_NAMES.get(name)
        if cls is None:
            raise ValueError(_unknown(name))
        if isinstance(inner.get("fn"), str) and inner["fn"] in custom_objects:
            inner["fn"] = custom_objects[inner["fn"]]
        return cls.from_config(inner)
    raise ValueError(f"Could not deserialize metric from {config!r}.")
