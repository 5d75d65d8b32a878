"""`.keras` round trips: architecture, weights, compile config, optimizer state, user objects."""

import json
import zipfile

import jax
import numpy as np
import pytest

import jnn
from jnn import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 6)).astype(np.float32)
Y = (X[:, :1] * 0.5 - X[:, 1:2]).astype(np.float32)


def _predict(model, x=X):
    return np.asarray(model(x))  # eager: no predict step to compile


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A Sequential trained one epoch with Adam, saved; the file and the original model."""
    model = jnn.Sequential([layers.Dense(4, activation="relu", input_shape=(6,)), layers.Dense(1)])
    model.compile(optimizer=jnn.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    path = str(tmp_path_factory.mktemp("keras") / "model.keras")
    model.save(path)
    return model, path


def test_archive_members_and_config(trained):
    _, path = trained
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert [la["class_name"] for la in config["config"]["layers"]] == [
        "InputLayer",
        "Dense",
        "Dense",
    ]
    assert config["config"]["layers"][0]["config"]["batch_shape"] == [None, 6]
    compiled = config["compile_config"]
    assert compiled["optimizer"]["class_name"] == "Adam"
    assert compiled["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)
    assert compiled["loss"] == "mse" and compiled["metrics"] == ["mae"]


def test_training_resumes_exactly(trained):
    """fit 1 epoch, save, load, fit 1 more == fit 2 epochs (Adam moments and step count)."""
    model, path = trained
    loaded = jnn.models.load_model(path)
    np.testing.assert_array_equal(_predict(loaded), _predict(model))
    assert type(loaded.optimizer).__name__ == "Adam"
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    saved_state = jax.tree.leaves(model._train_state.opt_state)
    restored = jax.tree.leaves(loaded.__dict__["_opt_state_keep"])
    assert len(saved_state) == len(restored) and int(restored[0]) == 2  # two Adam steps
    for a, b in zip(saved_state, restored):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    loaded.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(_predict(loaded), _predict(model), rtol=1e-6, atol=1e-7)


def test_compile_false_gives_an_uncompiled_model(trained):
    _, path = trained
    model = jnn.models.load_model(path, compile=False)
    assert model.optimizer is None


def _shared_functional():
    a = jnn.Input((6,), name="a")
    b = jnn.Input((6,), name="b")
    shared = layers.Dense(3, activation="tanh", name="shared")
    merged = layers.Concatenate()([shared(a), shared(b)])
    out = layers.Dense(2, name="head")(merged)
    return jnn.Model([a, b], out)


def test_functional_with_shared_layer_round_trip(tmp_path):
    model = _shared_functional()
    path = str(tmp_path / "f.keras")
    model.save(path)
    loaded = jnn.models.load_model(path)
    x = [X, X[::-1]]
    np.testing.assert_array_equal(_predict(loaded, x), _predict(model, x))
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    nodes = [n for n in loaded.get_config()["layers"] if n["name"] == "shared"][0]
    assert len(nodes["inbound_nodes"]) == 2


def test_to_json_model_from_json_and_clone(trained):
    model, _ = trained
    rebuilt = jnn.models.model_from_json(model.to_json())
    assert [type(la).__name__ for la in rebuilt.layers] == ["Dense", "Dense"]
    assert rebuilt.count_params() == model.count_params()
    clone = jnn.models.clone_model(model)
    assert clone.count_params() == model.count_params()
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])  # new weights
    fclone = jnn.models.clone_model(_shared_functional())
    assert len(fclone.layers) == 5 and fclone.count_params() == 3 * 7 + 7 * 2


@jnn.saving.register_serializable(package="tests")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@jnn.saving.register_serializable(package="tests")
class TwoTowers(jnn.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.left = layers.Dense(units, activation="relu")
        self.right = layers.Dense(units)
        self.head = layers.Dense(1)

    def call(self, x):
        return self.head(self.left(x) + self.right(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_registered_model_round_trip(tmp_path):
    model = TwoTowers(units=3)
    before = _predict(model)
    path = str(tmp_path / "sub.keras")
    model.save(path)
    loaded = jnn.models.load_model(path)
    assert isinstance(loaded, TwoTowers) and loaded.units == 3
    np.testing.assert_array_equal(_predict(loaded), before)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
    assert config["registered_name"] == "tests>TwoTowers"
    assert config["build_config"] == {"input_shape": [None, 6]}


def _scaled_model():
    inputs = jnn.Input((6,))
    return jnn.Model(inputs, Scale(3.0)(layers.Dense(2)(inputs)))


def test_registered_custom_layer_and_custom_objects(tmp_path):
    model = _scaled_model()
    path = str(tmp_path / "custom.keras")
    model.save(path)
    loaded = jnn.models.load_model(path)
    np.testing.assert_allclose(_predict(loaded), _predict(model), rtol=1e-6)
    assert loaded.layers[-1].factor == 3.0
    # An unregistered class must come through custom_objects (or a scope).
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
    for entry in config["config"]["layers"]:
        if entry["class_name"] == "Scale":
            entry["registered_name"] = "other>Scale"
            entry["class_name"] = "MyScale"
    text = json.dumps(config)
    with pytest.raises(TypeError, match="Could not locate class 'MyScale'.*register_serializable"):
        jnn.models.model_from_json(text)
    got = jnn.models.model_from_json(text, custom_objects={"MyScale": Scale})
    assert got.layers[-1].factor == 3.0
    with jnn.saving.custom_object_scope({"MyScale": Scale}):
        assert jnn.models.model_from_json(text).layers[-1].factor == 3.0


def test_lambda_needs_safe_mode_false(tmp_path):
    inputs = jnn.Input((6,))
    model = jnn.Model(inputs, layers.Lambda(lambda t: t * 2.0 + 1.0)(inputs))
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        jnn.models.load_model(path)
    loaded = jnn.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(_predict(loaded), X * 2.0 + 1.0, rtol=1e-6)


def test_unknown_extension_and_missing_file(tmp_path, trained):
    model, _ = trained
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        model.save(str(tmp_path / "model.pkl"))
    with pytest.raises(ValueError, match="save_weights"):
        model.save(str(tmp_path / "model.weights.h5"))
    with pytest.raises(FileNotFoundError, match="no such file"):
        jnn.models.load_model(str(tmp_path / "absent.keras"))


@pytest.mark.conformance
@pytest.mark.user_code
def test_jnn_trained_file_resumes_in_keras(trained):
    """Keras 3 loads a trained jnn model's weights and Adam state (its own layout)."""
    keras = pytest.importorskip("keras")
    model, path = trained
    kmodel = keras.models.load_model(path)
    ours = jnn.models.load_model(path)  # `model` may have trained on since the save
    np.testing.assert_allclose(np.asarray(kmodel(X)), _predict(ours), rtol=1e-5, atol=1e-6)
    kvars = [np.asarray(v) for v in kmodel.optimizer.variables]
    assert int(kvars[0]) == 2  # iterations: two batches of 8
    saved = ours.__dict__["_opt_state_keep"].rule
    first = model.layers[0].name
    np.testing.assert_array_equal(kvars[2], np.asarray(saved.mu[first]["kernel"]))
    np.testing.assert_array_equal(kvars[3], np.asarray(saved.nu[first]["kernel"]))


@jnn.saving.register_serializable(package="tests")
class AutoConfigured(jnn.Model):
    """No get_config: the constructor's plain arguments are recorded (Keras 3)."""

    def __init__(self, hidden, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden, activation=activation)
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def test_subclassed_model_without_get_config_uses_its_arguments(tmp_path):
    model = AutoConfigured(5, activation="tanh", name="auto")
    assert model.get_config() == {
        "hidden": 5, "activation": "tanh", "name": "auto", "trainable": True
    }  # fmt: skip
    before = np.asarray(model(X))
    path = str(tmp_path / "auto.keras")
    model.save(path)
    loaded = jnn.models.load_model(path)
    assert loaded.hidden.units == 5 and loaded.name == "auto"
    np.testing.assert_array_equal(np.asarray(loaded(X)), before)
