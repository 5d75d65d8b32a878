"""Replay of seed tutorial 000 ("Intro to Keras, Tensorflow and advanced NN, part 2").

Every Sequential cell runs with only the import changed (``tensorflow.keras`` -> ``jnn``);
TensorFlow ops in the cells (``tf.range``, ``tf.reshape``) become numpy. Outputs are checked
against what the tutorial shows (summary tables in the Keras 2.3 layout with the ``=`` rules
that the text conversion lost).
"""

import jax.numpy as jnp
import numpy as np
import pytest

import jnn as keras
from jnn import backend as K
from jnn.layers import Activation, Dense, Dropout, Lambda
from jnn.models import Sequential
from jnn.optimizers import RMSprop

from ._util import golden, summary_lines


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


SUMMARY_CELL_3 = """\
Model: "sequential"|
_________________________________________________________________|
Layer (type)                 Output Shape              Param #   |
=================================================================|
dense (Dense)                (None, 3)                 12        |
_________________________________________________________________|
dense_1 (Dense)              (None, 2)                 8         |
=================================================================|
Total params: 20|
Trainable params: 20|
Non-trainable params: 0|
_________________________________________________________________|"""

SUMMARY_CELL_4 = """\
Model: "sequential"|
_________________________________________________________________|
Layer (type)                 Output Shape              Param #   |
=================================================================|
dense (Dense)                (None, 3)                 12        |
_________________________________________________________________|
dense_1 (Dense)              (None, 2)                 8         |
_________________________________________________________________|
dense_2 (Dense)              (None, 2)                 6         |
=================================================================|
Total params: 26|
Trainable params: 26|
Non-trainable params: 0|
_________________________________________________________________|"""


def _cells_1_to_2():
    model = Sequential()
    assert model.layers == []
    model.add(Dense(units=3, activation="relu", input_dim=3))
    model.add(Dense(units=2, activation="softmax"))
    return model


def test_cell_3_summary_of_two_dense_layers():
    model = _cells_1_to_2()
    assert summary_lines(model) == golden(SUMMARY_CELL_3)


def test_cell_4_add_keeps_stacking():
    model = _cells_1_to_2()
    model.add(Dense(units=2, activation=None))
    assert summary_lines(model) == golden(SUMMARY_CELL_4)
    assert model.count_params() == 26
    out = model.predict(np.ones((5, 3), np.float32), verbose=0)
    assert out.shape == (5, 2)


def test_summary_goes_to_stdout(capsys):
    model = _cells_1_to_2()
    model.summary()
    assert capsys.readouterr().out.rstrip("\n").split("\n") == golden(SUMMARY_CELL_3)


# --- Dropout (cells 7 and 8) ------------------------------------------------------------------
def _dropout_cell():
    keras.utils.set_random_seed(0)  # tf.random.set_seed(0)
    drop = Dropout(0.5, input_shape=(4,))
    data = np.reshape(np.arange(1.0, 13.0, dtype=np.float32), (3, 4))  # tf.reshape(tf.range)
    output = drop(data, training=True)
    return drop, data, K.eval(output)


def test_dropout_cell_zeroes_some_and_doubles_the_rest(capsys):
    drop, data, after = _dropout_cell()
    print("After:", after, sep="\n")
    assert "After:" in capsys.readouterr().out
    assert isinstance(after, np.ndarray)
    assert after.shape == (3, 4) and after.dtype == np.float32
    kept = after != 0
    np.testing.assert_array_equal(after[kept], 2.0 * data[kept])
    assert 0 < kept.sum() < 12


def test_dropout_cell_is_reproducible_with_the_seed():
    _, _, first = _dropout_cell()
    _, _, second = _dropout_cell()
    np.testing.assert_array_equal(first, second)


def test_dropout_drops_about_half_and_keeps_the_sum():
    keras.utils.set_random_seed(1)
    drop = Dropout(0.5)
    data = np.ones((100, 100), np.float32)
    out = K.eval(drop(data, training=True))
    frac_zero = float(np.mean(out == 0))
    assert 0.45 < frac_zero < 0.55
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs(out.sum() / data.sum() - 1.0) < 0.1


def test_dropout_same_input_twice_differs():
    keras.utils.set_random_seed(2)
    drop = Dropout(0.5)
    data = np.ones((8, 16), np.float32)
    a = K.eval(drop(data, training=True))
    b = K.eval(drop(data, training=True))
    assert not np.array_equal(a, b)


def test_dropout_is_identity_at_inference():
    drop, data, _ = _dropout_cell()
    np.testing.assert_array_equal(K.eval(drop(data, training=False)), data)
    np.testing.assert_array_equal(K.eval(drop(data)), data)


# --- Lambda (cell 11) -------------------------------------------------------------------------
def sum_two_tensors(inputs):
    x, y = inputs
    sum_of_tensors = x + y
    return sum_of_tensors


@pytest.mark.parametrize("arange", [np.arange, jnp.arange], ids=["numpy", "jax"])
def test_lambda_sums_two_tensors(arange):
    input_tensor_1 = arange(0, 9)
    input_tensor_2 = arange(0, 9)
    lambda_out = Lambda(sum_two_tensors)([input_tensor_1, input_tensor_2])
    result = K.eval(lambda_out)
    assert isinstance(result, np.ndarray)
    np.testing.assert_array_equal(result, [0, 2, 4, 6, 8, 10, 12, 14, 16])
    assert np.issubdtype(result.dtype, np.integer)


# --- activations (cells 14 and 15) ------------------------------------------------------------
def _cell_14():
    model = Sequential()
    model.add(Dense(units=2, activation="sigmoid"))
    model.add(Dense(units=2, activation="relu"))
    model.add(Dense(units=2, activation=keras.activations.relu))
    model.add(Dense(units=2, activation="softmax"))
    return model


def _cell_15():
    model = Sequential()
    model.add(Dense(units=2))
    model.add(Activation("sigmoid"))
    model.add(Dense(units=2))
    model.add(Activation("relu"))
    model.add(Dense(units=2))
    model.add(Activation(keras.activations.relu))
    model.add(Dense(units=2))
    model.add(Activation("softmax"))
    return model


@pytest.mark.parametrize("cell", [_cell_14, _cell_15], ids=["as_arguments", "as_layers"])
def test_activations_as_strings_functions_and_layers(cell):
    model = cell()
    x = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    probs = model.predict(x, verbose=0)
    assert probs.shape == (6, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(probs >= 0)


def test_activation_layers_hold_no_weights():
    model = _cell_15()
    model.build((None, 3))
    dense_params = 4 * 2 + 3 * (2 * 2 + 2)  # 3 -> 2, then three 2 -> 2
    assert model.count_params() == dense_params
    assert [layer.count_params() for layer in model.layers[1::2]] == [0, 0, 0, 0]


# --- optimizers as classes (cells 17 and 18) --------------------------------------------------
def _compiled(optimizer):
    model = _cell_15()
    model.compile(
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


RMSPROP_DEFAULTS = {
    "name": "RMSprop",
    "learning_rate": 0.001,
    "decay": 0.0,
    "rho": 0.9,
    "momentum": 0.0,
    "epsilon": 1e-07,
    "centered": False,
}


def test_cell_17_rmsprop_get_config():
    model = _compiled(RMSprop())
    config = model.optimizer.get_config()
    assert {k: config[k] for k in RMSPROP_DEFAULTS} == RMSPROP_DEFAULTS
    assert config["centered"] is False


def test_cell_18_rmsprop_learning_rate_one():
    model = _compiled(RMSprop(learning_rate=1.0))
    config = model.optimizer.get_config()
    assert config["learning_rate"] == 1.0
    assert config["rho"] == pytest.approx(0.9)
    assert config["epsilon"] == pytest.approx(1e-7)


def test_string_optimizer_resolves_to_rmsprop():
    model = _compiled("rmsprop")
    config = model.optimizer.get_config()
    assert config["name"] == "RMSprop" and config["learning_rate"] == pytest.approx(0.001)


def test_compiled_model_trains_on_integer_labels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)
    keras.utils.set_random_seed(0)
    model = _compiled(RMSprop(learning_rate=0.01))
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert len(history.history["loss"]) == 3
    assert np.all(np.isfinite(history.history["loss"]))


# --- passing data to fit(): a CSV loaded with numpy ------------------------------------------
def test_fit_on_columns_of_a_csv(tmp_path):
    rng = np.random.default_rng(0)
    table = rng.normal(size=(40, 11))
    table[:, 10] = table[:, :10].sum(axis=1)
    path = tmp_path / "dataset.csv"
    np.savetxt(path, table, delimiter=",")

    data = np.genfromtxt(path, delimiter=",")
    X_train = data[:, 0:10]
    y_train = data[:, 10]

    model = Sequential([Dense(1, input_dim=10)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(X_train, y_train, epochs=20, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]


def test_fit_on_a_list_of_arrays_for_two_inputs():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(3,))
    out = Dense(1)(Lambda(lambda t: jnp.concatenate(t, axis=-1))([a, b]))
    model = keras.Model([a, b], out)
    model.compile(optimizer="sgd", loss="mse")
    xa, xb = np.ones((8, 2), np.float32), np.ones((8, 3), np.float32)
    history = model.fit([xa, xb], np.zeros((8, 1), np.float32), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_fit_on_a_dict_of_named_inputs():
    a = keras.Input(shape=(2,), name="a")
    model = keras.Model(a, Dense(1)(a))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit({"a": np.ones((8, 2))}, np.zeros((8, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the tutorial never closes its file
def test_fit_on_a_generator(tmp_path):
    files = []
    rng = np.random.default_rng(0)
    for i in range(3):
        path = tmp_path / f"part{i}.csv"
        np.savetxt(path, rng.normal(size=(8, 11)), delimiter=",")
        files.append(str(path))
    input_list = tmp_path / "files.txt"
    input_list.write_text("\n".join(files) + "\n")

    def generator(input_list):
        input_list_file = open(input_list)
        while 1:
            for next_file in input_list_file:
                data = np.genfromtxt(next_file.strip(), delimiter=",")
                X = data[:, 0:10]
                y = data[:, 10]
                yield X, y
            input_list_file.seek(0)

    model = Sequential([Dense(1, input_dim=10)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(generator(input_list), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


# --- convolutional, recurrent and embedding layers (text cells) -------------------------------
def test_conv2d_cell():
    from jnn.layers import Conv2D

    model = Sequential([keras.Input(shape=(8, 8, 1))])
    model.add(Conv2D(4, 3, strides=(1, 1), padding="valid"))
    assert model.output_shape == (None, 6, 6, 4)


def test_lstm_cell():
    from jnn.layers import LSTM

    model = Sequential([keras.Input(shape=(5, 3))])
    model.add(LSTM(4, activation="tanh", recurrent_activation="sigmoid"))
    assert model.output_shape == (None, 4)


def test_embedding_cell():
    from jnn.layers import Embedding

    model = Sequential([keras.Input(shape=(5,), dtype="int32")])
    model.add(Embedding(20, 2))
    assert model.output_shape == (None, 5, 2)
