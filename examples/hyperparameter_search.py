"""Hyperparameter search with scikit-learn (tutorial 002's cell, as written) and Optuna.

Tutorial 002 wraps a model-building function with ``keras.wrappers.scikit_learn.KerasRegressor``
and tunes ``n_hidden``, ``n_neurons`` and ``learning_rate`` with ``RandomizedSearchCV``; the
extra ``fit`` arguments (``epochs``, ``validation_data``, ``callbacks``) pass through to
``model.fit``. The same cell runs here with ``import jnn as keras``. The targets are the
bundled diabetes data set (offline) standing in for California housing.

If Optuna is installed (``pip install optuna``), a second search does the same with an
Optuna study, calling the jnn model directly.

    python examples/hyperparameter_search.py
"""

from __future__ import annotations

import numpy as np
from scipy.stats import reciprocal
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

import jnn as keras


def load_data(seed: int = 42):
    """Train / validation / test splits of the diabetes data, standardized (as in 002)."""
    (X_train_full, y_train_full), (X_test, y_test) = keras.datasets.diabetes.load_data()
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_train_full, y_train_full, random_state=seed
    )
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_valid = scaler.transform(X_valid)
    X_test = scaler.transform(X_test)
    scale = y_train.std()  # targets in units of their spread, so SGD is stable
    return (X_train, y_train / scale), (X_valid, y_valid / scale), (X_test, y_test / scale)


def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=[10]):  # noqa: B006
    model = keras.models.Sequential()
    model.add(keras.layers.InputLayer(input_shape=input_shape))
    for _layer in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(1))
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    model.compile(loss="mse", optimizer=optimizer)
    return model


def fit_args(data, epochs: int) -> dict:
    """The tutorial's ``fit`` arguments: validation data and early stopping (a fresh callback)."""
    _, (X_valid, y_valid), _ = data
    return {"epochs": epochs, "verbose": 0, "validation_data": (X_valid, y_valid),
            "callbacks": [keras.callbacks.EarlyStopping(patience=10)]}


def sklearn_search(data, n_iter: int = 10, cv: int = 3, epochs: int = 100, seed: int = 42):
    """Tutorial 002's randomized search; returns the fitted ``RandomizedSearchCV``."""
    (X_train, y_train), _, _ = data
    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model)
    param_distribs = {
        "n_hidden": [0, 1, 2, 3],
        "n_neurons": np.arange(1, 100),
        "learning_rate": reciprocal(3e-4, 3e-2),
    }
    rnd_search_cv = RandomizedSearchCV(
        keras_reg, param_distribs, n_iter=n_iter, cv=cv, random_state=seed
    )
    rnd_search_cv.fit(X_train, y_train, **fit_args(data, epochs))
    return rnd_search_cv


def optuna_search(data, n_trials: int = 10, epochs: int = 100, seed: int = 42):
    """The same search with Optuna (None when Optuna is not installed)."""
    try:
        import optuna
    except ImportError:
        return None
    (X_train, y_train), (X_valid, y_valid), _ = data

    def objective(trial):
        model = build_model(
            n_hidden=trial.suggest_int("n_hidden", 0, 3),
            n_neurons=trial.suggest_int("n_neurons", 1, 99),
            learning_rate=trial.suggest_float("learning_rate", 3e-4, 3e-2, log=True),
        )
        model.fit(X_train, y_train, **fit_args(data, epochs))
        return model.evaluate(X_valid, y_valid, verbose=0)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials)
    return study


def main(n_iter: int = 10, cv: int = 3, epochs: int = 100, use_optuna: bool = True) -> dict:
    """Runs both searches; returns the search objects, best parameters and test MSEs."""
    keras.utils.set_random_seed(42)
    data = load_data()
    X_test, y_test = data[2]
    rnd_search_cv = sklearn_search(data, n_iter=n_iter, cv=cv, epochs=epochs)
    model = rnd_search_cv.best_estimator_.model  # a jnn model
    result = {
        "search": rnd_search_cv,
        "best_params": rnd_search_cv.best_params_,
        "best_score": rnd_search_cv.best_score_,
        "test_mse": model.evaluate(X_test, y_test, verbose=0),
    }
    print("RandomizedSearchCV best params:", rnd_search_cv.best_params_)
    print(
        f"  best CV score (-MSE): {rnd_search_cv.best_score_:.4f}, "
        f"test MSE: {result['test_mse']:.4f}"
    )
    study = optuna_search(data, n_trials=n_iter, epochs=epochs) if use_optuna else None
    if study is not None:
        result["study"] = study
        result["optuna_params"] = study.best_params
        result["optuna_valid_mse"] = study.best_value
        print("Optuna best params:", study.best_params, f"validation MSE: {study.best_value:.4f}")
    return result


if __name__ == "__main__":
    main()
