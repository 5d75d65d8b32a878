"""Replay of seed tutorial 004 (Lambda School "Neural Network Frameworks").

``tensorflow.keras`` becomes ``jnn``; MNIST becomes 256 synthetic 28x28 images. The
regularization cells (weight decay, max-norm constraint, dropout) are trained, and their
numbers compared with Keras 3 in a conformance test.
"""

import jax
import numpy as np
import pytest

import jnn as keras
from jnn.layers import Dense, Dropout, Flatten
from jnn.models import Sequential

from ._util import mnist_like, summary_lines, table


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


# --- Keras perceptron sample (cells 8 to 10) ----------------------------------------------------
def _and_gate_data():
    pd = pytest.importorskip("pandas")
    data = {"x1": [0, 1, 0, 1], "x2": [0, 0, 1, 1], "y": [1, 1, 1, 0]}
    df = pd.DataFrame.from_dict(data).astype("int")
    X = df[["x1", "x2"]].values
    y = df["y"].values
    return X, y


def test_perceptron_sample(capsys):
    X, y = _and_gate_data()
    keras.utils.set_random_seed(0)
    model = Sequential()
    model.add(Dense(1, input_dim=2, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(X, y, epochs=10, verbose=0)
    assert len(history.history["loss"]) == 10
    assert history.params["steps"] == 1

    scores = model.evaluate(X, y, verbose=0)
    print(f"{model.metrics_names[1]}: {scores[1] * 100}")
    assert model.metrics_names == ["loss", "accuracy"]
    out = capsys.readouterr().out
    assert out.startswith("accuracy: ")
    assert float(out.split(": ")[1]) in (0.0, 25.0, 50.0, 75.0, 100.0)


def test_perceptron_fit_prints_keras2_progress(capsys):
    X, y = _and_gate_data()
    model = Sequential()
    model.add(Dense(1, input_dim=2, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(X, y, epochs=10)  # default verbose: one bar per epoch
    lines = capsys.readouterr().out.splitlines()
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert epochs == [f"Epoch {i}/10" for i in range(1, 11)]
    bars = [line for line in lines if line.startswith("1/1 [==============================] - ")]
    assert len(bars) == 10
    assert all(" - loss: " in bar and " - accuracy: " in bar for bar in bars)
    assert type(history).__name__ == "History"


def test_perceptron_learns_the_gate_with_more_epochs():
    X, y = _and_gate_data()
    keras.utils.set_random_seed(0)
    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    model.compile(
        loss="binary_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=0.1),
        metrics=["accuracy"],
    )
    model.fit(X, y, epochs=200, verbose=0)
    loss, accuracy = model.evaluate(X, y, verbose=0)
    assert accuracy == 1.0


# --- MNIST with one-hot labels (cells 11 to 27) -------------------------------------------------
@pytest.fixture(scope="module")
def mnist():
    (X_train, y_train), (X_test, y_test) = mnist_like(256, seed=5), mnist_like(64, seed=6)
    assert X_train[0].shape == (28, 28)
    num_classes = 10
    X_train = X_train.astype("float32") / 255.0
    X_test = X_test.astype("float32") / 255.0
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)
    assert y_train.shape == (256, 10) and y_train.sum() == 256
    return X_train, y_train, X_test, y_test


def test_softmax_regression_on_mnist(mnist, capsys):
    X_train, y_train, X_test, y_test = mnist
    np.random.seed(812)
    keras.utils.set_random_seed(812)
    model = Sequential()
    model.add(Flatten())
    model.add(Dense(10, input_dim=784, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()  # no input shape: the model is built by fit
    history = model.fit(X_train, y_train, epochs=10, verbose=0)
    assert history.params["steps"] == 8  # batch_size defaults to 32
    rows = [("flatten (Flatten)", "(None, 784)", 0), ("dense (Dense)", "(None, 10)", 7850)]
    assert summary_lines(model) == table("sequential", rows, 7850)

    scores = model.evaluate(X_test, y_test, verbose=0)
    print("\n")
    print("Validation Data Metrics:")
    print(f"{model.metrics_names[0]}: {scores[0]}")
    print(f"{model.metrics_names[1]}: {scores[1] * 100}")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith("loss: ") and lines[-1].startswith("accuracy: ")
    assert scores[1] > 0.5


def test_additional_hidden_layers_with_validation_data(mnist):
    X_train, y_train, X_test, y_test = mnist
    keras.utils.set_random_seed(0)
    model = Sequential(
        [
            Flatten(),
            Dense(128, input_dim=784, activation="relu"),
            Dense(128, input_dim=784, activation="relu"),
            Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=3, validation_data=(X_test, y_test), verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    # input_dim on a layer that is not first is ignored, as in Keras.
    assert model.count_params() == 785 * 128 + 129 * 128 + 129 * 10


def test_tensorboard_callback(mnist, tmp_path):
    import datetime
    import os

    X_train, y_train, X_test, y_test = mnist
    logdir = os.path.join(str(tmp_path), datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    tensorboard_callback = keras.callbacks.TensorBoard(logdir, histogram_freq=1)
    model = Sequential([Flatten(), Dense(10, input_dim=784, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x=X_train, y=y_train, epochs=1, validation_data=(X_test, y_test),
              callbacks=[tensorboard_callback], verbose=0)  # fmt: skip
    assert os.listdir(logdir)


# --- regularization strategies --------------------------------------------------------------------
def test_early_stopping():
    from jnn.callbacks import EarlyStopping

    x = np.zeros((8, 2), np.float32)
    model = Sequential([Dense(1, input_dim=2, kernel_initializer="zeros")])
    model.compile(loss="mse", optimizer="sgd")
    # Zero data: the loss never improves, so training stops after `patience` more epochs.
    history = model.fit(x, np.zeros((8, 1)), epochs=20, verbose=0,
                        callbacks=[EarlyStopping(monitor="loss", patience=2)])  # fmt: skip
    assert len(history.history["loss"]) == 3


def _regularized_model(regularizers, constraints):
    return Sequential(
        [
            Dense(
                64,
                input_dim=64,
                kernel_regularizer=regularizers.l2(0.01),
                activity_regularizer=regularizers.l1(0.01),
            ),  # fmt: skip
            Dropout(0.2),
            Dense(
                10, activation="softmax", kernel_constraint=constraints.MaxNorm(max_value=2, axis=0)
            ),  # fmt: skip
        ]
    )


def test_weight_decay_constraint_and_dropout_train():
    from jnn import constraints, regularizers
    from jnn.constraints import MaxNorm

    assert constraints.MaxNorm is MaxNorm
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 64)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    keras.utils.set_random_seed(0)
    model = _regularized_model(regularizers, constraints)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert model.layers[0].activity_regularizer is not None


def test_l2_weight_decay_is_added_to_the_loss():
    from jnn import initializers, regularizers

    x = np.zeros((4, 3), np.float32)
    y = np.zeros((4, 2), np.float32)

    def build(reg):
        model = Sequential(
            [
                Dense(
                    2,
                    input_dim=3,
                    kernel_initializer=initializers.Constant(0.5),
                    kernel_regularizer=reg,
                )
            ]  # fmt: skip
        )
        model.compile(loss="mse", optimizer="sgd")
        return model

    plain = build(None).evaluate(x, y, verbose=0)
    decayed = build(regularizers.l2(0.01)).evaluate(x, y, verbose=0)
    assert plain == 0.0  # zero inputs, zero bias: the data loss is 0
    assert decayed == pytest.approx(0.01 * 6 * 0.5**2)


def test_max_norm_constraint_is_enforced_after_each_update():
    from jnn import initializers
    from jnn.constraints import MaxNorm

    layer = Dense(3, kernel_initializer=initializers.Constant(1.0),
                  kernel_constraint=MaxNorm(max_value=2, axis=0))  # fmt: skip
    model = Sequential([keras.Input(shape=(16,)), layer])
    assert np.linalg.norm(np.asarray(layer.kernel), axis=0) == pytest.approx([4.0] * 3)
    model.compile(loss="mse", optimizer="sgd")
    model.fit(np.ones((8, 16), np.float32), np.zeros((8, 3), np.float32), epochs=1, verbose=0)
    norms = np.linalg.norm(np.asarray(layer.kernel), axis=0)
    assert np.all(norms <= 2.0 + 1e-5)


@pytest.mark.conformance
def test_regularizers_and_constraints_match_keras():
    k3 = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4)).astype("float32")
    y = rng.integers(0, 3, 10)

    def run(lib):
        model = lib.Sequential(
            [
                lib.Input(shape=(4,)),
                lib.layers.Dense(5, kernel_initializer=lib.initializers.Constant(0.3),
                                 kernel_regularizer=lib.regularizers.l2(0.01),
                                 activity_regularizer=lib.regularizers.l1(0.01)),
                lib.layers.Dense(3, activation="softmax",
                                 kernel_initializer=lib.initializers.Constant(0.2),
                                 kernel_constraint=lib.constraints.MaxNorm(max_value=2, axis=0)),
            ]
        )  # fmt: skip
        model.compile(loss="sparse_categorical_crossentropy",
                      optimizer=lib.optimizers.SGD(learning_rate=0.1))  # fmt: skip
        before = model.evaluate(x, y, batch_size=10, verbose=0)
        model.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0)
        after = model.evaluate(x, y, batch_size=10, verbose=0)
        return before, after, np.asarray(model.layers[1].kernel)

    ours = run(keras)
    with jax.numpy_rank_promotion("allow"):  # Keras's own Dense broadcasts its bias
        theirs = run(k3)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5)
