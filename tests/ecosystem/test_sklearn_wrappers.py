"""scikit-learn wrappers: searches, cross-validation, pipelines, labels, clone, pickling."""

import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import jnn  # noqa: E402
from jnn.wrappers import (  # noqa: E402
    KerasClassifier,
    KerasRegressor,
    SKLearnClassifier,
    SKLearnRegressor,
)


def build_regressor(n_hidden=1, n_neurons=3, learning_rate=0.05):
    model = jnn.Sequential([jnn.Input(shape=(3,))])
    for _ in range(n_hidden):
        model.add(jnn.layers.Dense(n_neurons, activation="relu"))
    model.add(jnn.layers.Dense(1))
    model.compile(loss="mse", optimizer=jnn.optimizers.SGD(learning_rate=learning_rate))
    return model


def build_classifier(X, y, units=4):
    model = jnn.Sequential(
        [
            jnn.Input(shape=X.shape[1:]),
            jnn.layers.Dense(units, activation="relu"),
            jnn.layers.Dense(y.shape[1], activation="softmax"),
        ]
    )
    model.compile(optimizer=jnn.optimizers.Adam(0.05), loss="categorical_crossentropy")
    return model


def build_sparse_classifier():
    model = jnn.Sequential([jnn.Input(shape=(3,)), jnn.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer=jnn.optimizers.Adam(0.1),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 3)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5], "float32")).astype("float32")


@pytest.fixture(scope="module")
def labels_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 3)).astype("float32")
    names = np.array(["cat", "dog", "emu"])
    return x, names[np.argmax(x, axis=1)]


def test_keras2_params_are_searchable_by_name():
    reg = KerasRegressor(build_regressor, n_neurons=2, epochs=1)
    assert reg.get_params() == {"n_neurons": 2, "epochs": 1, "build_fn": build_regressor}
    reg.set_params(n_hidden=0, learning_rate=0.1)
    assert reg.get_params()["n_hidden"] == 0
    with pytest.raises(ValueError, match="n_layers is not a legal parameter"):
        reg.set_params(n_layers=3)
    twin = clone(reg)
    assert twin is not reg and twin.get_params() == reg.get_params()


def test_randomized_search_with_fit_kwargs(regression_data):
    from scipy.stats import reciprocal

    x, y = regression_data
    seen = []

    class Spy(jnn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(sorted(logs))

    search = RandomizedSearchCV(
        KerasRegressor(build_regressor),
        {"n_hidden": [0, 1], "n_neurons": np.arange(1, 4), "learning_rate": reciprocal(3e-3, 3e-2)},
        n_iter=2,
        cv=2,
        random_state=0,
    )
    search.fit(x, y, epochs=2, verbose=0, validation_data=(x[:4], y[:4]), callbacks=[Spy()])
    assert set(search.best_params_) == {"n_hidden", "n_neurons", "learning_rate"}
    assert isinstance(search.best_estimator_.model, jnn.Model)
    assert seen and seen[0] == ["loss", "val_loss"]  # fit kwargs reached model.fit
    # score = -mse of the refitted model
    mse = np.mean((search.best_estimator_.predict(x) - y) ** 2)
    assert search.best_estimator_.score(x, y) == pytest.approx(-mse, rel=1e-4)


def test_grid_search_sklearn_classifier_string_labels(labels_data):
    x, y = labels_data
    search = GridSearchCV(
        SKLearnClassifier(build_classifier, fit_kwargs={"epochs": 2, "verbose": 0}),
        {"model_kwargs": [{"units": 2}, {"units": 5}]},
        cv=2,
    )
    search.fit(x, y)
    best = search.best_estimator_
    assert best.classes_.tolist() == ["cat", "dog", "emu"]
    proba = best.predict_proba(x)
    assert proba.shape == (30, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    pred = best.predict(x)
    assert pred.dtype.kind == "U"
    np.testing.assert_array_equal(pred, best.classes_[np.argmax(proba, axis=1)])
    assert best.score(x, y) == pytest.approx(np.mean(pred == y))
    assert isinstance(best.model_, jnn.Model)
    with pytest.raises(ValueError, match="unknown categories"):
        best._process_target(np.array(["cow"]))


def test_cross_val_score_pipeline_and_pickle(regression_data, tmp_path):
    x, y = regression_data
    model = build_regressor(n_hidden=0, learning_rate=0.1)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "reg",
                SKLearnRegressor(model, fit_kwargs={"epochs": 3, "verbose": 0, "batch_size": 8}),
            ),
        ]
    )
    scores = cross_val_score(pipe, x * 10 + 3, y, cv=2)
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    assert not model.built or model.__dict__.get("_train_state") is None  # never trained
    pipe.fit(x * 10 + 3, y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_allclose(restored.predict(x[:5]), pipe.predict(x[:5]), rtol=1e-6)
    # the restored wrapper trains further (the model was compiled again on load)
    restored.named_steps["reg"].warm_start = True
    restored.fit(x * 10 + 3, y)
    assert restored.named_steps["reg"].model_ is not pipe.named_steps["reg"].model_


def test_keras_classifier_labels_proba_score_and_pickle(labels_data):
    x, y = labels_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own deprecations, not ours
        scores = cross_val_score(
            KerasClassifier(build_sparse_classifier, epochs=2, verbose=0), x, y, cv=2
        )
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))
    clf = KerasClassifier(build_sparse_classifier, epochs=3, verbose=0).fit(x, y)
    assert clf.classes_.tolist() == ["cat", "dog", "emu"]
    proba = clf.predict_proba(x)
    pred = clf.predict(x)
    np.testing.assert_array_equal(pred, clf.classes_[np.argmax(proba, axis=1)])
    assert clf.score(x, y) == pytest.approx(np.mean(pred == y), abs=1e-6)
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(twin.predict_proba(x), proba, rtol=1e-6)
    np.testing.assert_array_equal(twin.classes_, clf.classes_)


def test_clear_errors():
    with pytest.raises(RuntimeError, match="needs to be compiled"):
        KerasRegressor(lambda: jnn.Sequential([jnn.layers.Dense(1, input_dim=2)])).fit(
            np.ones((2, 2)), np.ones(2)
        )
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(build_classifier).fit(np.ones((4, 3)), np.zeros(4))
