"""scikit-learn wrappers: searches, cross-validation, pipelines, labels, clone, pickling."""

import pickle

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    cross_validate,
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


def test_fit_kwargs_reach_model_fit_in_a_search(regression_data):
    # (RandomizedSearchCV with KerasRegressor runs in examples/hyperparameter_search.py's test
    # and tutorial 002's test; here: GridSearchCV with one candidate, fit kwargs routed.)
    x, y = regression_data
    seen = []

    class Spy(jnn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(sorted(logs))

    search = GridSearchCV(
        KerasRegressor(build_regressor, n_hidden=0), {"learning_rate": [0.05]}, cv=2, refit=False
    )
    search.fit(x, y, epochs=2, verbose=0, validation_data=(x[:4], y[:4]), callbacks=[Spy()])
    assert search.best_params_ == {"learning_rate": 0.05}
    assert seen == [["loss", "val_loss"]] * 4  # 2 folds x 2 epochs


def test_grid_search_pipeline_string_labels(labels_data):
    x, y = labels_data
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("clf", SKLearnClassifier(build_classifier, fit_kwargs={"epochs": 2, "verbose": 0})),
        ]
    )
    search = GridSearchCV(pipe, {"clf__model_kwargs": [{"units": 2}, {"units": 5}]}, cv=2)
    search.fit(x * 10 + 3, y)
    best = search.best_estimator_
    clf = best.named_steps["clf"]
    assert clf.classes_.tolist() == ["cat", "dog", "emu"]
    assert isinstance(clf.model_, jnn.Model)
    proba = best.predict_proba(x * 10 + 3)
    assert proba.shape == (30, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    pred = best.predict(x * 10 + 3)
    assert pred.dtype.kind == "U"
    np.testing.assert_array_equal(pred, clf.classes_[np.argmax(proba, axis=1)])
    assert best.score(x * 10 + 3, y) == pytest.approx(np.mean(pred == y))
    with pytest.raises(ValueError, match="unknown categories"):
        clf._process_target(np.array(["cow"]))


def test_cross_validate_keras_classifier(labels_data):
    x, y = labels_data
    out = cross_validate(
        KerasClassifier(build_sparse_classifier, epochs=3, verbose=0),
        x,
        y,
        cv=2,
        return_estimator=True,
    )
    assert out["test_score"].shape == (2,)
    clf = out["estimator"][0]
    assert clf.classes_.tolist() == ["cat", "dog", "emu"]
    proba = clf.predict_proba(x)
    pred = clf.predict(x)
    np.testing.assert_array_equal(pred, clf.classes_[np.argmax(proba, axis=1)])
    assert clf.score(x, y) == pytest.approx(np.mean(pred == y), abs=1e-6)  # model's accuracy


def test_model_instance_is_copied_fresh_and_pickles(regression_data):
    x, y = regression_data
    model = build_regressor(n_hidden=0, learning_rate=0.1)
    kernel = model.get_weights()[0]
    reg = SKLearnRegressor(model, fit_kwargs={"epochs": 3, "verbose": 0, "batch_size": 8})
    twin = clone(reg)
    assert twin.model is not model and twin.model.built
    reg.fit(x, y)
    np.testing.assert_array_equal(model.get_weights()[0], kernel)  # the given model untouched
    assert reg.model_ is not model and reg.score(x, y) > -1.0
    restored = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(restored.predict(x), reg.predict(x), rtol=1e-6)
    assert restored.model.get_config() == model.get_config()
    # the restored model was compiled again on load: it trains further (warm start)
    restored.set_params(warm_start=True, fit_kwargs={"epochs": 1, "verbose": 0})
    restored.fit(x, y)
    assert not np.allclose(restored.predict(x), reg.predict(x))


def test_clear_errors():
    with pytest.raises(RuntimeError, match="needs to be compiled"):
        KerasRegressor(lambda: jnn.Sequential([jnn.layers.Dense(1, input_dim=2)])).fit(
            np.ones((2, 2)), np.ones(2)
        )
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(build_classifier).fit(np.ones((4, 3)), np.zeros(4))
