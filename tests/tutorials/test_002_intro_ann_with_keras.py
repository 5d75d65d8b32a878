"""Replay of seed tutorial 002 ("Introduction to ANN with Keras", Geron chapter 10 notes).

``keras`` is ``jnn``. Fashion-MNIST becomes 256 synthetic 28x28 images, California housing
becomes 8 synthetic features split and scaled with scikit-learn as in the notes. The notes'
typos (``Flattern``, ``epoch=``, ``main_ouptut``, ``call(self, input)``) are fixed.
"""

import warnings

import numpy as np
import pytest

import jnn as keras

from ._util import mnist_like, summary_lines, table


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]  # fmt: skip


def _fashion_data():
    X_train_full, y_train_full = mnist_like(256, seed=1)
    X_test, y_test = mnist_like(64, seed=2)
    X_valid, X_train = X_train_full[:64] / 255.0, X_train_full[64:] / 255.0
    y_valid, y_train = y_train_full[:64], y_train_full[64:]
    return X_train, y_train, X_valid, y_valid, X_test / 255.0, y_test


def _classifier():
    return keras.models.Sequential(
        [
            keras.layers.Flatten(input_shape=[28, 28]),
            keras.layers.Dense(300, activation="relu"),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.fixture(scope="module")
def classifier():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    return _classifier()


@pytest.fixture(scope="module")
def trained_classifier(classifier):
    model = classifier
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    X_train, y_train, X_valid, y_valid, X_test, y_test = _fashion_data()
    history = model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid), verbose=0)
    return model, history, X_test, y_test


def test_classifier_summary_and_layers(classifier):
    model = classifier
    rows = [
        ("flatten (Flatten)", "(None, 784)", 0),
        ("dense (Dense)", "(None, 300)", 235500),
        ("dense_1 (Dense)", "(None, 100)", 30100),
        ("dense_2 (Dense)", "(None, 10)", 1010),
    ]
    assert summary_lines(model) == table("sequential", rows, 266610)
    assert len(model.layers) == 4
    hidden1 = model.layers[1]
    assert hidden1.name == "dense"
    assert model.get_layer("dense") is hidden1
    assert model.get_layer("dense_2").name == "dense_2"
    assert hidden1.kernel.shape == (784, 300)
    assert hidden1.bias.shape == (300,)


def test_hidden1_get_weights_unpacks_as_weights_biases(classifier):
    hidden1 = classifier.layers[1]
    weights, biases = hidden1.get_weights()
    assert weights.shape == (784, 300)
    assert biases.shape == (300,)


def test_history_object(trained_classifier):
    _, history, _, _ = trained_classifier
    assert history.params["epochs"] == 3
    assert history.params["steps"] == 6  # 192 samples, batch_size 32
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_history_as_a_dataframe_plot(trained_classifier, tmp_path):
    pd = pytest.importorskip("pandas")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, history, _, _ = trained_classifier
    frame = pd.DataFrame(history.history)
    assert frame.shape == (3, 4)
    frame.plot(figsize=(8, 5))
    plt.grid(True)
    plt.gca().set_ylim(0, 1)
    plt.savefig(tmp_path / "history.png")  # plt.show() in the notes
    plt.close("all")


def test_evaluate_and_predict(trained_classifier):
    model, _, X_test, y_test = trained_classifier
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    X_new = X_test[:3]
    y_proba = model.predict(X_new, verbose=0)
    assert y_proba.shape == (3, 10)
    np.testing.assert_allclose(y_proba.sum(axis=1), 1.0, rtol=1e-5)


def test_predict_classes_is_deprecated(trained_classifier):
    model, _, X_test, _ = trained_classifier
    X_new = X_test[:3]
    with pytest.warns(DeprecationWarning, match="predict_classes"):
        y_pred = model.predict_classes(X_new)
    np.testing.assert_array_equal(y_pred, np.argmax(model.predict(X_new, verbose=0), axis=-1))
    names = np.array(CLASS_NAMES)[y_pred]
    assert names.shape == (3,) and set(names) <= set(CLASS_NAMES)


def test_predict_classes_thresholds_a_sigmoid_output():
    model = keras.models.Sequential(
        [keras.layers.Dense(1, input_dim=2, activation="sigmoid", kernel_initializer="ones")]
    )
    with pytest.warns(DeprecationWarning):
        y_pred = model.predict_classes(np.array([[1.0, 1.0], [-1.0, -1.0]]), verbose=0)
    np.testing.assert_array_equal(y_pred, [[1], [0]])  # Keras 2: (n, 1) int32
    assert y_pred.dtype == np.int32


def test_to_categorical_and_back():
    y = np.array([0, 3, 9])
    one_hot = keras.utils.to_categorical(y)
    assert one_hot.shape == (3, 10)
    np.testing.assert_array_equal(np.argmax(one_hot, axis=1), y)


# --- class_weight / sample_weight (the notes' comment on fit) ----------------------------------
def _weighted_setup():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 4)).astype(np.float32)
    y = rng.integers(0, 3, 20)
    sw = rng.random(20).astype(np.float32)
    model = keras.models.Sequential([keras.layers.Dense(3, activation="softmax", input_dim=4)])
    kernel = rng.normal(size=(4, 3)).astype(np.float32)
    model.layers[0].set_weights([kernel, np.zeros(3, np.float32)])
    probs = model.predict(x, verbose=0)
    hit = (probs.argmax(axis=1) == y).astype(np.float64)
    ce = -np.log(probs[np.arange(20), y].astype(np.float64))
    return model, x, y, sw, hit, ce


def test_sample_weight_weights_the_loss():
    model, x, y, sw, _, ce = _weighted_setup()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    loss = model.evaluate(x, y, sample_weight=sw, batch_size=7, verbose=0)
    assert loss == pytest.approx(np.sum(sw * ce) / 20, rel=1e-5)  # sum_over_batch_size


def test_class_weight_and_weighted_validation_data_train():
    model, x, y, sw, _, _ = _weighted_setup()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(x[:15], y[:15], class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=2,
                        validation_data=(x[15:], y[15:], sw[15:]), verbose=0)  # fmt: skip
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_plain_metrics_ignore_sample_weight():
    model, x, y, sw, hit, _ = _weighted_setup()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    _, accuracy = model.evaluate(x, y, sample_weight=sw, verbose=0)
    assert np.sum(sw * hit) / np.sum(sw) != pytest.approx(np.mean(hit))  # the check can fail
    assert accuracy == pytest.approx(np.mean(hit), rel=1e-6)


def test_weighted_metrics_get_a_weighted_prefix():
    model, x, y, sw, hit, _ = _weighted_setup()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"], weighted_metrics=["accuracy"])  # fmt: skip
    logs = model.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    assert logs["weighted_accuracy"] == pytest.approx(np.sum(sw * hit) / np.sum(sw), rel=1e-5)
    assert logs["accuracy"] == pytest.approx(np.mean(hit), rel=1e-6)


# --- regression MLP ---------------------------------------------------------------------------
def _housing_like(n=400, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(n, 8)) * [2, 10, 3, 1, 500, 3, 2, 2] + [4, 30, 5, 1, 1400, 3, 35, -119]
    z = (data - data.mean(0)) / data.std(0)
    target = 2.0 + z[:, 0] - 0.5 * z[:, 6] + 0.1 * rng.normal(size=n)
    return data, target


def _split_and_scale():
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    data, target = _housing_like()
    X_train_full, X_test, y_train_full, y_test = train_test_split(data, target, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_train_full, y_train_full, random_state=42
    )
    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train)
    X_valid_scaled = scaler.transform(X_valid)
    X_test_scaled = scaler.transform(X_test)
    return X_train_scaled, y_train, X_valid_scaled, y_valid, X_test_scaled, y_test


def test_regression_mlp():
    pytest.importorskip("sklearn")
    X_train, y_train, X_valid, y_valid, X_test, y_test = _split_and_scale()
    keras.utils.set_random_seed(0)
    model = keras.models.Sequential(
        [
            keras.layers.Dense(30, activation="relu", input_shape=X_train.shape[1:]),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mean_squared_error", optimizer="sgd")
    history = model.fit(X_train, y_train, epochs=10, validation_data=(X_valid, y_valid), verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
    mse_test = model.evaluate(X_test, y_test, verbose=0)
    assert isinstance(mse_test, float)
    assert mse_test < np.var(y_test)  # better than predicting the mean
    y_pred = model.predict(X_test[:3], verbose=0)
    assert y_pred.shape == (3, 1)


# --- wide and deep: functional API ------------------------------------------------------------
def _wide_deep_data():
    X_train, y_train, X_valid, y_valid, X_test, y_test = _split_and_scale()
    X_train_A, X_train_B = X_train[:, :5], X_train[:, 2:]
    X_valid_A, X_valid_B = X_valid[:, :5], X_valid[:, 2:]
    X_test_A, X_test_B = X_test[:, :5], X_test[:, 2:]
    X_new_A, X_new_B = X_test_A[:3], X_test_B[:3]
    return (X_train_A, X_train_B, y_train, X_valid_A, X_valid_B, y_valid, X_test_A, X_test_B,
            y_test, X_new_A, X_new_B)  # fmt: skip


def _functional_wide_and_deep():
    input_A = keras.layers.Input(shape=[5])
    input_B = keras.layers.Input(shape=[6])
    hidden1 = keras.layers.Dense(30, activation="relu")(input_B)
    hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
    concat = keras.layers.concatenate([input_A, hidden2])
    output = keras.layers.Dense(1)(concat)
    aux_output = keras.layers.Dense(1)(hidden2)
    return keras.models.Model(inputs=[input_A, input_B], outputs=[output, aux_output])


def _train_two_output_model(model):
    pytest.importorskip("sklearn")
    (X_train_A, X_train_B, y_train, X_valid_A, X_valid_B, y_valid, X_test_A, X_test_B, y_test,
     X_new_A, X_new_B) = _wide_deep_data()  # fmt: skip
    model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer="sgd")
    history = model.fit(
        [X_train_A, X_train_B], [y_train, y_train], epochs=2,
        validation_data=([X_valid_A, X_valid_B], [y_valid, y_valid]), verbose=0,
    )  # fmt: skip
    total_loss, main_loss, aux_loss = model.evaluate(
        [X_test_A, X_test_B], [y_test, y_test], verbose=0
    )
    assert total_loss == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-5)
    y_pred_main, y_pred_aux = model.predict([X_new_A, X_new_B], verbose=0)
    assert y_pred_main.shape == (3, 1) and y_pred_aux.shape == (3, 1)
    return history


def test_functional_wide_and_deep_two_outputs():
    keras.utils.set_random_seed(0)
    model = _functional_wide_and_deep()
    assert model.layers[4].output.shape == (None, 35)  # the concatenate layer
    history = _train_two_output_model(model)
    assert sorted(history.history) == sorted(
        ["loss", "dense_2_loss", "dense_3_loss", "val_loss", "val_dense_2_loss",
         "val_dense_3_loss"]
    )  # fmt: skip
    assert model.count_params() == (6 * 30 + 30) + (30 * 30 + 30) + (35 + 1) + (30 + 1)


# --- wide and deep: subclassing API -----------------------------------------------------------
def _subclassed_wide_and_deep():
    class WideAndDeepModel(keras.models.Model):
        def __init__(self, units=30, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.hidden1 = keras.layers.Dense(units, activation=activation)
            self.hidden2 = keras.layers.Dense(units, activation=activation)
            self.main_output = keras.layers.Dense(1)
            self.aux_output = keras.layers.Dense(1)

        def call(self, inputs):
            input_A, input_B = inputs
            hidden1 = self.hidden1(input_B)
            hidden2 = self.hidden2(hidden1)
            concat = keras.layers.concatenate([input_A, hidden2])
            main_output = self.main_output(concat)
            aux_output = self.aux_output(hidden2)
            return main_output, aux_output

    return WideAndDeepModel()


def test_subclassed_wide_and_deep():
    keras.utils.set_random_seed(0)
    model = _subclassed_wide_and_deep()
    assert model.name == "wide_and_deep_model"
    history = _train_two_output_model(model)
    assert sorted(history.history) == sorted(
        ["loss", "output_1_loss", "output_2_loss", "val_loss", "val_output_1_loss",
         "val_output_2_loss"]
    )  # fmt: skip
    assert [layer.name for layer in model.layers][:4] == ["dense", "dense_1", "dense_2", "dense_3"]
    assert "multiple" in "\n".join(summary_lines(model))


# --- saving, callbacks, TensorBoard, scikit-learn wrapper --------------------------------------
def _small_regressor():
    model = keras.models.Sequential(
        [keras.layers.Dense(4, activation="relu", input_shape=(8,)), keras.layers.Dense(1)]
    )
    model.compile(loss="mse", optimizer="sgd")
    return model


def _small_regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype(np.float32)
    return x, x[:, :1] * 0.5


def test_save_and_load_model(tmp_path):
    model = _small_regressor()
    x, _ = _small_regression_data()
    before = model.predict(x, verbose=0)
    path = str(tmp_path / "my_keras_model.h5")
    model.save(path)
    model = keras.models.load_model(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), before, rtol=1e-6)


def test_save_and_load_weights(tmp_path):
    model = _small_regressor()
    x, _ = _small_regression_data()
    before = model.predict(x, verbose=0)
    model.save_weights(str(tmp_path / "my.weights.h5"))
    other = _small_regressor()
    other.load_weights(str(tmp_path / "my.weights.h5"))
    np.testing.assert_allclose(other.predict(x, verbose=0), before, rtol=1e-6)


def test_checkpoint_and_early_stopping_callbacks(tmp_path):
    model = _small_regressor()
    x, y = _small_regression_data()
    checkpoint_cb = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "my_keras_model.h5"), save_best_only=True
    )
    early_stopping_cb = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=50, validation_data=(x, y), verbose=0,
                        callbacks=[checkpoint_cb, early_stopping_cb])  # fmt: skip
    assert (tmp_path / "my_keras_model.h5").exists()
    assert len(history.history["loss"]) <= 50


def test_custom_callback_prints_val_train_ratio(capsys):
    class PrintValTrainRatioCallback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            print("\nval/train: {:.2f}".format(logs["val_loss"] / logs["loss"]))

    model = _small_regressor()
    x, y = _small_regression_data()
    model.fit(x, y, epochs=3, validation_data=(x, y), verbose=0,
              callbacks=[PrintValTrainRatioCallback()])  # fmt: skip
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("val/")]
    assert len(lines) == 3
    assert all(float(line.split(": ")[1]) > 0 for line in lines)


def test_tensorboard_callback(tmp_path):
    import os
    import time

    root_logdir = os.path.join(str(tmp_path), "my_logs")
    run_logdir = os.path.join(root_logdir, time.strftime("run_%Y_%m_%d-%H_%M_%S"))
    model = _small_regressor()
    x, y = _small_regression_data()
    tensorboard_cb = keras.callbacks.TensorBoard(run_logdir)
    model.fit(x, y, epochs=2, validation_data=(x, y), callbacks=[tensorboard_cb], verbose=0)
    assert os.listdir(run_logdir)


def test_keras_regressor_randomized_search():
    pytest.importorskip("sklearn")
    from scipy.stats import reciprocal
    from sklearn.model_selection import RandomizedSearchCV

    def build_model(n_hidden=1, n_neurons=4, learning_rate=3e-3):
        model = keras.models.Sequential([keras.Input(shape=(8,))])
        for _ in range(n_hidden):
            model.add(keras.layers.Dense(n_neurons, activation="relu"))
        model.add(keras.layers.Dense(1))
        model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
        return model

    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model)
    param_distribs = {
        "n_hidden": [0, 1],
        "n_neurons": np.arange(1, 8),
        "learning_rate": reciprocal(3e-4, 3e-2),
    }
    x, y = _small_regression_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rnd_search_cv = RandomizedSearchCV(keras_reg, param_distribs, n_iter=2, cv=2)
        rnd_search_cv.fit(x, y.ravel(), epochs=2, verbose=0)
    assert set(rnd_search_cv.best_params_) == {"n_hidden", "n_neurons", "learning_rate"}


def test_the_notes_typos_give_clear_errors():
    with pytest.raises(AttributeError, match="Flattern"):
        keras.layers.Flattern(input_shape=[28, 28])
    model = _small_regressor()
    x, y = _small_regression_data()
    with pytest.raises(TypeError, match="epochs"):
        model.fit(x, y, epoch=30, verbose=0)  # `epoch=` in the notes
