"""scikit-learn imports for the wrappers, with stand-ins when scikit-learn is not installed.

``jnn.wrappers`` imports without scikit-learn; creating a wrapper then says how to install it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    sklearn = None

    class BaseEstimator:  # type: ignore[no-redef]
        pass

    class ClassifierMixin:  # type: ignore[no-redef]
        pass

    class RegressorMixin:  # type: ignore[no-redef]
        pass

    class TransformerMixin:  # type: ignore[no-redef]
        pass


__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "TransformerMixin",
    "assert_sklearn_installed",
    "check_compiled",
    "validate_data",
]


def assert_sklearn_installed(symbol_name: str) -> None:
    """Raises an ImportError naming the wrapper when scikit-learn is missing."""
    if sklearn is None:
        raise ImportError(
            f"{symbol_name} requires `scikit-learn` to be installed. Run "
            "`pip install scikit-learn` (or `pip install jnn[sklearn]`) to install it."
        )


def validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
    """scikit-learn's input validation (sets ``n_features_in_`` on fit), across versions."""
    try:
        from sklearn.utils.validation import validate_data as _validate
    except ImportError:  # scikit-learn < 1.6
        return estimator._validate_data(*args, **kwargs)
    return _validate(estimator, *args, **kwargs)


def check_compiled(model: Any, owner: str) -> None:
    """Raises if ``model`` is not a compiled jnn model with a loss and an optimizer."""
    if not getattr(type(model), "_is_model", False):
        raise TypeError(
            f"{owner}: the model (or what the build function returned) must be a jnn Model, "
            f"received {type(model).__name__}."
        )
    if model.__dict__.get("_compiled") is None or not getattr(model, "loss", None):
        raise RuntimeError(
            f"{owner}: the given model needs to be compiled, and have a loss and an optimizer "
            "(call model.compile(optimizer=..., loss=...) in the build function)."
        )


def as_array(a: Any) -> np.ndarray:
    """``np.asarray`` that keeps pandas / lists working."""
    return a if isinstance(a, np.ndarray) else np.asarray(a)
