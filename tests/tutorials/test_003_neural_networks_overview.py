"""Replay of seed tutorial 003 ("Neural networks with Keras: overview").

``from tensorflow import keras`` becomes ``import jnn as keras``. Iris comes from the bundled
``jnn.datasets.iris`` (train and test joined: the tutorial trains on all 150 flowers), MNIST
from 256 synthetic images, California housing from the bundled diabetes data.
"""

import jax
import numpy as np
import pytest

import jnn as keras

from ._util import mnist_like, summary_lines, table


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def _iris():
    (x_train, y_train), (x_test, y_test) = keras.datasets.iris.load_data()
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])


@pytest.fixture(scope="module")
def iris_model():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = _iris()
    model = keras.Sequential(
        [
            keras.layers.Dense(8),
            keras.layers.Activation("relu"),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=300, validation_split=0.1, verbose=False)
    return model, history


# --- iris classification -----------------------------------------------------------------------
def test_iris_learns(iris_model):
    model, history = iris_model
    assert model.optimizer.get_config()["name"] == "RMSprop"  # compile()'s default
    assert history.history["accuracy"][-1] > 0.85
    x, y = _iris()
    _, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.85


def test_iris_predicts_the_three_new_flowers(iris_model):
    model, _ = iris_model
    test_data = [[5.3, 3.4, 1.9, 0.6], [6.0, 3.0, 4.7, 1.5], [6.5, 3.1, 5.0, 1.7]]
    y_pred = model.predict(test_data, verbose=0)
    # The tutorial shows [[0.9 0.1 0.] [0. 0.8 0.2] [0. 0.7 0.3]].
    assert y_pred.shape == (3, 3)
    np.testing.assert_allclose(y_pred.sum(axis=1), 1.0, rtol=1e-5)
    assert np.argmax(y_pred[0]) == 0 and y_pred[0, 0] > 0.6
    assert np.argmax(y_pred[1]) in (1, 2) and y_pred[1, 0] < 0.1
    assert np.argmax(y_pred[2]) in (1, 2) and y_pred[2, 0] < 0.1


def test_inspecting_the_network_layer_by_layer(iris_model):
    from scipy.special import softmax

    model, _ = iris_model
    layer_0 = model.get_layer(index=0)
    layer_1 = model.get_layer(index=1)
    layer_2 = model.get_layer(index=2)
    layer_3 = model.get_layer(index=3)
    assert [type(layer).__name__ for layer in (layer_0, layer_1, layer_2, layer_3)] == [
        "Dense", "Activation", "Dense", "Activation"
    ]  # fmt: skip

    values_0 = np.array([[5.1, 3.5, 1.4, 0.2]])  # an iris setosa flower
    values_1 = layer_0(values_0)
    np.testing.assert_allclose(values_1, values_0 @ layer_0.kernel + layer_0.bias, rtol=1e-5)
    values_2 = layer_1(values_1)
    np.testing.assert_allclose(values_2, np.maximum(values_1, 0))
    values_3 = layer_2(values_2)
    # User code broadcasting (1, 3) + (3,): allowed outside the strict test configuration.
    with jax.numpy_rank_promotion("allow"):
        by_hand = values_2 @ layer_2.kernel + layer_2.bias
    np.testing.assert_allclose(values_3, by_hand, rtol=1e-5)
    values_4 = layer_3(values_3)
    np.testing.assert_allclose(values_4, softmax(np.asarray(values_3), axis=-1), rtol=1e-5)
    np.testing.assert_allclose(values_4, model.predict(values_0, verbose=0), rtol=1e-5)


def test_predict_and_log(iris_model, capsys):
    model, _ = iris_model
    layer_0, layer_1, layer_2, layer_3 = (model.get_layer(index=i) for i in range(4))

    def predict_and_log(values_0):
        print(values_0, end="\n\n")
        values_1 = layer_0(values_0)
        print(values_1, end="\n\n")
        values_2 = layer_1(values_1)
        print(values_2, end="\n\n")
        values_3 = layer_2(values_2)
        print(values_3, end="\n\n")
        values_4 = layer_3(values_3)
        print(values_4, end="\n\n")
        return values_4

    flowers = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]]
    classes = [int(np.argmax(predict_and_log(np.array([f])))) for f in flowers]
    assert classes[0] == 0 and classes[2] == 2
    blocks = capsys.readouterr().out.strip().split("\n\n")
    assert len(blocks) == 15
    assert blocks[0] == "[[5.1 3.5 1.4 0.2]]"


# --- Sequential and functional API ---------------------------------------------------------------
def test_sequential_list_and_add_build_the_same_network():
    listed = keras.models.Sequential(
        [
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    added = keras.models.Sequential()
    added.add(keras.layers.Dense(256, activation="relu"))
    added.add(keras.layers.Dense(128, activation="relu"))
    added.add(keras.layers.Dense(10, activation="softmax"))
    for model in (listed, added):
        model.build((None, 784))
        assert model.count_params() == 785 * 256 + 257 * 128 + 129 * 10
    assert [layer.name for layer in listed.layers] == ["dense", "dense_1", "dense_2"]
    assert [layer.name for layer in added.layers] == ["dense_3", "dense_4", "dense_5"]


def test_functional_api_on_28x28_inputs():
    inputs = keras.layers.Input(shape=[28, 28])
    x = keras.layers.Dense(256, activation="relu")(inputs)
    x = keras.layers.Dense(128, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, 28, 10)  # Dense acts on the last axis
    rows = [
        ("input_1 (InputLayer)", "[(None, 28, 28)]", 0),
        ("dense (Dense)", "(None, 28, 256)", 29 * 256),
        ("dense_1 (Dense)", "(None, 28, 128)", 257 * 128),
        ("dense_2 (Dense)", "(None, 28, 10)", 129 * 10),
    ]
    assert summary_lines(model) == table("model", rows, 29 * 256 + 257 * 128 + 129 * 10)


# --- MNIST digit classification ------------------------------------------------------------------
def _mnist():
    x_train, y_train = mnist_like(256, seed=3)
    x_test, y_test = mnist_like(64, seed=4)
    return (x_train, y_train), (x_test, y_test)


def test_mnist_sequential_and_functional():
    (x_train, y_train), (x_test, y_test) = _mnist()
    sequential = keras.Sequential(
        [
            keras.layers.Flatten(input_shape=[28, 28]),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    inputs = keras.Input(shape=[28, 28])
    x = keras.layers.Flatten()(inputs)  # the slide reads `(x)`: a typo for `(inputs)`
    x = keras.layers.Dense(128, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    functional = keras.Model(inputs, outputs)
    assert sequential.count_params() == functional.count_params() == 785 * 128 + 129 * 10

    keras.utils.set_random_seed(0)
    functional.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    history = functional.fit(x_train / 255, y_train, epochs=3, validation_split=0.1, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_digit_recognition_with_rescaling():
    (x_train, y_train), (x_test, y_test) = _mnist()
    keras.utils.set_random_seed(0)
    # keras.layers.experimental.preprocessing.Rescaling in TF 2.x; keras.layers.Rescaling now.
    model = keras.Sequential(
        [
            keras.layers.Rescaling(1 / 255, input_shape=(28, 28)),
            keras.layers.Flatten(input_shape=(28, 28)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    rows = [
        ("rescaling (Rescaling)", "(None, 28, 28)", 0),
        ("flatten (Flatten)", "(None, 784)", 0),
        ("dense (Dense)", "(None, 128)", 100480),
        ("dense_1 (Dense)", "(None, 10)", 1290),
    ]
    assert summary_lines(model) == table("sequential", rows, 101770)
    model.compile(
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    history = model.fit(x_train, y_train, epochs=5, validation_split=0.1, verbose=0)
    assert "val_sparse_categorical_accuracy" in history.history
    result = model.evaluate(x_test, y_test, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    assert model.metrics_names == ["loss", "sparse_categorical_accuracy"]
    assert result[1] > 0.3  # labels are encoded in the brightness: easy to learn


# --- California housing -> bundled diabetes -----------------------------------------------------
def test_housing_regression_with_dropout():
    (x_train, y_train), (x_test, y_test) = keras.datasets.diabetes.load_data()
    data = np.concatenate([x_train, x_test])
    x = (data - data.mean(axis=0)) / data.std(axis=0)  # preprocessing.StandardScaler
    y = np.concatenate([y_train, y_test]) / 100.0

    keras.utils.set_random_seed(0)
    model = keras.models.Sequential(
        [
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(1, activation="linear"),
        ]
    )
    model.compile(loss="mean_squared_error")
    history = model.fit(x, y, epochs=20, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
    mse = model.evaluate(x, y, verbose=0)
    assert isinstance(mse, float)
    assert mse < np.var(y)
    # validation_split holds out the last 25% (before shuffling), evaluated after each epoch.
    split_at = int(np.floor(len(x) * 0.75))
    val_mse = model.evaluate(x[split_at:], y[split_at:], verbose=0)
    assert val_mse == pytest.approx(history.history["val_loss"][-1], rel=1e-4)


@pytest.mark.conformance
def test_iris_training_matches_keras():
    k3 = pytest.importorskip("keras")
    x, y = _iris()

    def build(lib):
        model = lib.Sequential(
            [
                lib.Input(shape=(4,)),
                lib.layers.Dense(8),
                lib.layers.Activation("relu"),
                lib.layers.Dense(3),
                lib.layers.Activation("softmax"),
            ]
        )
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    with jax.numpy_rank_promotion("allow"):  # Keras's own Dense broadcasts its bias
        theirs = build(k3)
        initial = theirs.get_weights()
        their_history = theirs.fit(x, y, epochs=5, validation_split=0.1, shuffle=False, verbose=0)
    ours = build(keras)
    ours.set_weights(initial)
    our_history = ours.fit(x, y, epochs=5, validation_split=0.1, shuffle=False, verbose=0)
    assert sorted(our_history.history) == sorted(their_history.history)
    for key, values in their_history.history.items():
        np.testing.assert_allclose(our_history.history[key], values, rtol=1e-4, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
