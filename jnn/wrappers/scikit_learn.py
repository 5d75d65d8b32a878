"""Keras 2's ``keras.wrappers.scikit_learn``: ``KerasClassifier(build_fn, **sk_params)`` and
``KerasRegressor(build_fn, **sk_params)``.

``sk_params`` mixes the arguments of ``build_fn`` (hyperparameters such as ``n_hidden``,
``n_neurons``, ``learning_rate``, searchable by name in ``GridSearchCV`` /
``RandomizedSearchCV``) with those of ``model.fit`` / ``predict`` / ``evaluate`` (``epochs``,
``batch_size``, ``verbose``...). Each ``fit`` builds a fresh model with ``build_fn``.

Example:
    >>> import numpy as np, jnn
    >>> def build_model(n_neurons=4, learning_rate=0.01):
    ...     model = jnn.Sequential([jnn.Input(shape=(2,)),
    ...                             jnn.layers.Dense(n_neurons, activation="relu"),
    ...                             jnn.layers.Dense(1)])
    ...     model.compile(loss="mse", optimizer=jnn.optimizers.SGD(learning_rate))
    ...     return model
    >>> reg = KerasRegressor(build_model, n_neurons=3, epochs=1, verbose=0)
    >>> reg.get_params()["n_neurons"]
    3
    >>> reg.fit(np.ones((8, 2)), np.ones(8)).predict(np.ones((2, 2))).shape
    (2,)
"""

from __future__ import annotations

import copy
import inspect
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from jnn.wrappers._sklearn_compat import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    assert_sklearn_installed,
    check_compiled,
)
from jnn.wrappers.sklearn_wrapper import pack_models, unpack_models


def _model_method(name: str) -> Callable[..., Any]:
    from jnn.models import Sequential

    return getattr(Sequential, name)


def _has_arg(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    param = params.get(name)
    return param is not None and param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY)


class BaseWrapper(BaseEstimator):
    """Common machinery of the Keras 2 wrappers (see the module docstring).

    Args:
        build_fn: a function (or callable object) returning a compiled jnn model; ``None``
            means the subclass's ``__call__`` builds it.
        **sk_params: arguments of ``build_fn`` and of ``model.fit`` / ``predict`` /
            ``evaluate``; anything else is refused with the list of legal names.

    Attributes:
        model: the model built and trained by the last ``fit``.
    """

    def __init__(self, build_fn: Callable[..., Any] | None = None, **sk_params: Any) -> None:
        assert_sklearn_installed(type(self).__name__)
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    # --- parameters ---------------------------------------------------------------------------
    def _build_callable(self) -> Callable[..., Any]:
        if self.build_fn is None:
            return self.__call__
        if isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn
        return self.build_fn.__call__

    def check_params(self, params: dict[str, Any]) -> None:
        """Raises a ValueError for a parameter no target function accepts."""
        fns = [_model_method(n) for n in ("fit", "predict", "evaluate")]
        fns.append(self._build_callable())
        for name in params:
            if name != "nb_epoch" and not any(_has_arg(fn, name) for fn in fns):
                raise ValueError(
                    f"{name} is not a legal parameter of {type(self).__name__}: it is neither "
                    "an argument of the build function nor of model.fit / predict / evaluate."
                )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """``build_fn`` and every ``sk_param`` (what ``clone`` and the searches read)."""
        del deep
        out = dict(self.sk_params)
        out["build_fn"] = self.build_fn
        return out

    def set_params(self, **params: Any) -> BaseWrapper:
        """Updates ``sk_params`` (checked against the legal names)."""
        self.check_params(params)
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def filter_sk_params(
        self, fn: Callable[..., Any], override: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``sk_params`` that ``fn`` accepts, updated with ``override``."""
        res = {k: v for k, v in self.sk_params.items() if _has_arg(fn, k)}
        res.update(override or {})
        return res

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    # --- training -----------------------------------------------------------------------------
    def _build(self) -> Any:
        build = self._build_callable()
        model = build(**self.filter_sk_params(build))
        check_compiled(model, type(self).__name__)
        return model

    def fit(self, x: Any, y: Any, **kwargs: Any) -> BaseWrapper:
        """Builds a fresh model with ``build_fn`` and trains it.

        ``kwargs`` (``epochs``, ``validation_data``, ``callbacks``... as passed by
        ``search.fit(X, y, **kwargs)``) override the matching ``sk_params``.

        Returns:
            ``self``, which scikit-learn expects. Keras 2 returned the ``History``; code written
            for it keeps working: ``wrapper.fit(...).history`` is the ``History.history``
            dict (``self.history_`` is the ``History`` object).
        """
        self.model = self._build()
        y = np.asarray(y)
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            from jnn.utils import to_categorical

            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(_model_method("fit")))
        fit_args.update(kwargs)
        history = self.model.fit(np.asarray(x), y, **fit_args)
        self.history_ = history
        self.history = dict(history.history) if history is not None else {}
        return self

    def _fitted_model(self) -> Any:
        model = self.__dict__.get("model")
        if model is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        return model

    def _predict_raw(self, x: Any, kwargs: dict[str, Any]) -> np.ndarray:
        kwargs = self.filter_sk_params(_model_method("predict"), kwargs)
        kwargs.setdefault("verbose", 0)
        return np.asarray(self._fitted_model().predict(np.asarray(x), **kwargs))

    def _evaluate(self, x: Any, y: Any, kwargs: dict[str, Any]) -> Any:
        kwargs = self.filter_sk_params(_model_method("evaluate"), kwargs)
        kwargs.setdefault("verbose", 0)
        return self._fitted_model().evaluate(np.asarray(x), y, **kwargs)

    # --- pickling: architecture + weights -------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("history_", None)  # holds a reference to the model and its callbacks
        return pack_models(state, ("model",))

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(unpack_models(state))


def _loss_name(model: Any) -> str | None:
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        return loss
    return getattr(loss, "__name__", None) or getattr(loss, "name", None)


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """Keras 2's scikit-learn classifier: integer or string labels, ``classes_``,
    ``predict_proba``, ``score`` = the model's ``accuracy`` metric.

    Example:
        >>> import numpy as np, jnn
        >>> def build():
        ...     model = jnn.Sequential([jnn.Input(shape=(2,)),
        ...                             jnn.layers.Dense(3, activation="softmax")])
        ...     model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
        ...                   metrics=["accuracy"])
        ...     return model
        >>> clf = KerasClassifier(build, epochs=1, verbose=0)
        >>> clf.fit(np.random.rand(6, 2), ["x", "y", "z"] * 2).classes_.tolist()
        ['x', 'y', 'z']
    """

    def fit(self, x: Any, y: Any, **kwargs: Any) -> KerasClassifier:
        """Encodes labels to ``0..n_classes-1`` (``classes_``) and trains (see BaseWrapper)."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        return super().fit(x, y, **kwargs)

    def predict(self, x: Any, **kwargs: Any) -> np.ndarray:
        """Class labels (argmax of the probabilities, or threshold 0.5 for one unit)."""
        proba = self._predict_raw(x, kwargs)
        if proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba[..., 0] > 0.5).astype("int32")
        return self.classes_[classes]

    def predict_proba(self, x: Any, **kwargs: Any) -> np.ndarray:
        """Class probabilities of shape ``(n_samples, n_classes)`` (two columns for one unit)."""
        probs = self._predict_raw(x, kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x: Any, y: Any, **kwargs: Any) -> float:
        """The ``accuracy`` the model's ``evaluate`` reports (needs ``metrics=['accuracy']``)."""
        y = np.searchsorted(self.classes_, np.asarray(y))
        if _loss_name(self._fitted_model()) == "categorical_crossentropy" and y.ndim != 2:
            from jnn.utils import to_categorical

            y = to_categorical(y, num_classes=len(self.classes_))
        outputs = self._evaluate(x, y, kwargs)
        if not isinstance(outputs, list):
            outputs = [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ("accuracy", "acc"):
                return float(output)
        raise ValueError(
            "The model is not configured to compute accuracy. You should pass "
            '`metrics=["accuracy"]` to the `model.compile()` method.'
        )


class KerasRegressor(RegressorMixin, BaseWrapper):
    """Keras 2's scikit-learn regressor: ``score`` is minus the loss (higher is better).

    Example:
        >>> import numpy as np, jnn
        >>> def build():
        ...     model = jnn.Sequential([jnn.Input(shape=(2,)), jnn.layers.Dense(1)])
        ...     model.compile(loss="mse", optimizer="sgd")
        ...     return model
        >>> reg = KerasRegressor(build, epochs=1, verbose=0).fit(np.ones((4, 2)), np.ones(4))
        >>> reg.score(np.ones((4, 2)), np.ones(4)) <= 0
        True
    """

    def predict(self, x: Any, **kwargs: Any) -> np.ndarray:
        """Predictions with the trailing unit axis squeezed (``(n,)`` for one output)."""
        out = self._predict_raw(x, kwargs)
        return out[..., 0] if out.ndim >= 2 and out.shape[-1] == 1 else out

    def score(self, x: Any, y: Any, **kwargs: Any) -> float:
        """Minus the loss from ``model.evaluate`` on ``(x, y)``."""
        loss = self._evaluate(x, np.asarray(y), kwargs)
        if isinstance(loss, list):
            return -float(loss[0])
        return -float(loss)


__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor"]
