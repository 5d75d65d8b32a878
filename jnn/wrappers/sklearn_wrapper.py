"""Keras 3's scikit-learn wrappers: ``SKLearnClassifier``, ``SKLearnRegressor``,
``SKLearnTransformer``.

They turn a compiled jnn model (or a function building one from ``X`` and ``y``) into a
scikit-learn estimator usable in ``Pipeline``, ``GridSearchCV``, ``RandomizedSearchCV`` and
``cross_val_score``. Pickling stores the layers, weights and compile arguments, never
compiled code (see :mod:`jnn._shell.saving.pickling`).

Example:
    >>> import numpy as np, jnn
    >>> def build(X, y, units=4):
    ...     model = jnn.Sequential([jnn.Input(shape=X.shape[1:]),
    ...                             jnn.layers.Dense(units, activation="relu"),
    ...                             jnn.layers.Dense(y.shape[1], activation="softmax")])
    ...     model.compile(optimizer="adam", loss="categorical_crossentropy")
    ...     return model
    >>> clf = SKLearnClassifier(build, model_kwargs={"units": 8}, fit_kwargs={"verbose": 0})
    >>> X, y = np.random.rand(20, 3), np.array(["a", "b"] * 10)
    >>> clf.fit(X, y).classes_.tolist()
    ['a', 'b']
    >>> clf.predict(X[:2]).shape
    (2,)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jnn._shell.saving import pickling as _pickling
from jnn.wrappers._sklearn_compat import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    assert_sklearn_installed,
    check_compiled,
    validate_data,
)


class _PickledModel:
    """A model held as bytes inside a pickled wrapper (see ``__getstate__``)."""

    def __init__(self, data: bytes):
        self.data = data


def pack_models(state: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``state`` with the jnn models under ``keys`` replaced by their pickled bytes."""
    state = dict(state)
    for key in keys:
        value = state.get(key)
        if getattr(type(value), "_is_model", False):
            state[key] = _PickledModel(_pickling.dumps_model(value))
    return state


def unpack_models(state: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _pickling.loads_model(v.data) if isinstance(v, _PickledModel) else v
        for k, v in state.items()
    }


class SKLBase(BaseEstimator):
    """Base class of the Keras 3 scikit-learn wrappers.

    Args:
        model: a compiled jnn ``Model`` (copied with fresh weights before each fit unless
            ``warm_start=True``), or a callable ``model(X=X, y=y, **model_kwargs)`` returning
            a compiled model (``y`` is the encoded target: one-hot for classifiers, 2-D for
            regressors).
        warm_start: reuse the model and weights of the previous fit.
        model_kwargs: keyword arguments passed to ``model`` when it is a callable.
        fit_kwargs: keyword arguments passed to ``model.fit`` (those given to ``fit``
            directly take precedence).

    Attributes:
        model_: the fitted jnn model.
        history_: the ``History.history`` dict of the last fit.
    """

    def __init__(
        self,
        model: Any,
        warm_start: bool = False,
        model_kwargs: dict[str, Any] | None = None,
        fit_kwargs: dict[str, Any] | None = None,
    ) -> None:
        assert_sklearn_installed(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self) -> SKLBase:
        model = (
            self.model
            if callable(self.model) and not _is_model(self.model)
            else (_pickling.fresh_copy(self.model))
        )
        return type(self)(
            model=model,
            warm_start=self.warm_start,
            model_kwargs=self.model_kwargs,
            fit_kwargs=self.fit_kwargs,
        )

    def __getstate__(self) -> dict[str, Any]:
        return pack_models(super().__getstate__(), ("model", "model_"))

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(unpack_models(state))

    @property
    def epoch_(self) -> int:
        """The number of epochs of the last fit."""
        return len(getattr(self, "history_", {}).get("loss", []))

    def _get_model(self, X: np.ndarray, y: np.ndarray) -> Any:
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if _is_model(self.model):
            return _pickling.fresh_copy(self.model)
        if not callable(self.model):
            raise TypeError(
                f"{type(self).__name__}: argument `model` must be a compiled jnn Model or a "
                f"callable returning one, received {type(self.model).__name__}."
            )
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X: Any, y: Any, **kwargs: Any) -> SKLBase:
        """Builds (or reuses) the model and trains it; ``kwargs`` go to ``model.fit``.

        Args:
            X: array-like of shape ``(n_samples, n_features)``.
            y: array-like of shape ``(n_samples,)`` or ``(n_samples, n_outputs)``.
            **kwargs: ``model.fit`` arguments (``epochs``, ``batch_size``, ``callbacks``,
                ``validation_data``...).
        """
        X, y = validate_data(self, X, y, reset=True, multi_output=True)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        check_compiled(model, type(self).__name__)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        history = model.fit(X, y, **fit_kwargs)
        self.history_ = dict(history.history) if history is not None else {}
        self.model_ = model
        return self

    def _raw_predict(self, X: Any) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.asarray(self.model_.predict(X, verbose=0))

    def predict(self, X: Any) -> np.ndarray:
        """Predictions for ``X`` (class labels for classifiers)."""
        return self._reverse_process_target(self._raw_predict(X))

    def _process_target(self, y: np.ndarray, reset: bool = False) -> np.ndarray:
        from sklearn.utils.multiclass import type_of_target

        if type_of_target(y) == "unknown":
            raise ValueError(f"Unknown label type for data: {y!r}")
        if reset:
            self._y_ndim = y.ndim
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _reverse_process_target(self, y: np.ndarray) -> np.ndarray:
        if self._y_ndim == 1 and y.ndim == 2 and y.shape[1] == 1:
            return y[:, 0]
        return y


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """scikit-learn classifier around a jnn model (Keras 3's ``keras.wrappers`` name).

    Targets are one-hot encoded over ``classes_`` (labels of any type, e.g. strings) before
    ``model.fit``; the model must output one probability per class (softmax, with
    ``categorical_crossentropy``). ``predict`` returns labels, ``predict_proba`` the model's
    probabilities, ``score`` the accuracy.

    Example:
        >>> import numpy as np, jnn
        >>> model = jnn.Sequential([jnn.Input(shape=(2,)),
        ...                         jnn.layers.Dense(2, activation="softmax")])
        >>> model.compile(optimizer="adam", loss="categorical_crossentropy")
        >>> clf = SKLearnClassifier(model, fit_kwargs={"epochs": 1, "verbose": 0})
        >>> clf.fit(np.random.rand(8, 2), [0, 1] * 4).predict_proba(np.zeros((1, 2))).shape
        (1, 2)
    """

    def decision_function(self, X: Any) -> np.ndarray:
        """The model's raw outputs."""
        return self._raw_predict(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``."""
        proba = self._raw_predict(X)
        if proba.ndim == 2 and proba.shape[1] == 1:  # a single sigmoid unit
            proba = np.hstack([1.0 - proba, proba])
        return proba

    def _process_target(self, y: np.ndarray, reset: bool = False) -> np.ndarray:
        from sklearn.utils.multiclass import type_of_target

        target_type = type_of_target(y)
        if target_type not in ("binary", "multiclass"):
            raise ValueError(
                f"Only binary and multiclass target types are supported. Target type: {target_type}"
            )
        if reset:
            self._y_ndim = y.ndim
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        flat = y.reshape(-1)
        idx = np.searchsorted(self.classes_, flat)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unknown = self.classes_[idx] != flat
        if unknown.any():
            raise ValueError(
                f"Found unknown categories {sorted(set(flat[unknown].tolist()))} in the target; "
                f"the classes seen in fit are {self.classes_.tolist()}."
            )
        return np.eye(len(self.classes_), dtype=np.float32)[idx]

    def _reverse_process_target(self, y: np.ndarray) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] == 1:
            labels = self.classes_[(y[:, 0] > 0.5).astype(np.int64)]
        else:
            labels = self.classes_[np.argmax(y, axis=-1)]
        return labels.reshape(-1, 1) if self._y_ndim == 2 else labels

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """scikit-learn regressor around a jnn model (Keras 3's ``keras.wrappers`` name).

    ``score`` is the R^2 of the predictions (scikit-learn's ``RegressorMixin``).

    Example:
        >>> import numpy as np, jnn
        >>> model = jnn.Sequential([jnn.Input(shape=(2,)), jnn.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> reg = SKLearnRegressor(model, fit_kwargs={"epochs": 1, "verbose": 0})
        >>> reg.fit(np.ones((4, 2)), np.ones(4)).predict(np.ones((3, 2))).shape
        (3,)
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """scikit-learn transformer whose ``transform`` is the fitted model's ``predict``.

    Example:
        >>> import numpy as np, jnn
        >>> model = jnn.Sequential([jnn.Input(shape=(2,)), jnn.layers.Dense(3)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> t = SKLearnTransformer(model, fit_kwargs={"epochs": 1, "verbose": 0})
        >>> t.fit(np.ones((4, 2)), np.ones((4, 3))).transform(np.ones((5, 2))).shape
        (5, 3)
    """

    def transform(self, X: Any) -> np.ndarray:
        """The model's outputs for ``X``."""
        return self._raw_predict(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


def _is_model(obj: Any) -> bool:
    return getattr(type(obj), "_is_model", False) is True


__all__ = ["SKLBase", "SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
