"""Replay of seed tutorial 001 ("Training Neural Networks with Keras").

The notebook's cells run with ``from keras...`` changed to ``from jnn...``. Names in its
printed tables (``dense_5``, ``sequential_14``...) come from the notebook's execution history;
each test starts from ``clear_session()`` so the names restart at ``dense``/``sequential``.
MNIST is replaced by 256 synthetic 28x28 images.
"""

import numpy as np
import pytest

import jnn as keras
from jnn.layers import Dense, Input
from jnn.models import Model, Sequential

from ._util import golden, mnist_like, summary_lines
from ._util import table as _table


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


# The example-1 table written out in full, to pin the layout the helper above reproduces.
MODEL1_SUMMARY = """\
Model: "sequential"|
_________________________________________________________________|
Layer (type)                 Output Shape              Param #   |
=================================================================|
dense (Dense)                (None, 2)                 6         |
_________________________________________________________________|
dense_1 (Dense)              (None, 1)                 3         |
=================================================================|
Total params: 9|
Trainable params: 9|
Non-trainable params: 0|
_________________________________________________________________|"""

FUNCTIONAL_1_SUMMARY = """\
Model: "model"|
_________________________________________________________________|
Layer (type)                 Output Shape              Param #   |
=================================================================|
input_1 (InputLayer)         [(None, 2)]               0         |
_________________________________________________________________|
dense (Dense)                (None, 2)                 6         |
_________________________________________________________________|
dense_1 (Dense)              (None, 1)                 3         |
=================================================================|
Total params: 9|
Trainable params: 9|
Non-trainable params: 0|
_________________________________________________________________|"""


# --- method 1: the Sequential API --------------------------------------------------------------
def test_sequential_example_1_summary():
    model1 = Sequential(
        [Dense(2, input_shape=(2,), activation="sigmoid"), Dense(1, activation="sigmoid")]
    )
    assert summary_lines(model1) == golden(MODEL1_SUMMARY)
    assert _table(
        "sequential", [("dense (Dense)", "(None, 2)", 6), ("dense_1 (Dense)", "(None, 1)", 3)], 9
    ) == golden(MODEL1_SUMMARY)


def test_sequential_example_2_summary():
    model2 = Sequential(
        [
            Dense(3, input_shape=(3,), activation="sigmoid"),
            Dense(3, activation="sigmoid"),
            Dense(2, activation="sigmoid"),
        ]
    )
    rows = [
        ("dense (Dense)", "(None, 3)", 12),
        ("dense_1 (Dense)", "(None, 3)", 12),
        ("dense_2 (Dense)", "(None, 2)", 8),
    ]
    assert summary_lines(model2) == _table("sequential", rows, 32)


def test_add_method_example_1_summary():
    neural_network = Sequential()
    neural_network.add(
        Dense(
            2,
            input_dim=2,
            activation="sigmoid",
            kernel_initializer="zeros",
            bias_initializer="zeros",
        )
    )
    neural_network.add(
        Dense(1, activation="sigmoid", kernel_initializer="zeros", bias_initializer="zeros")
    )
    rows = [("dense (Dense)", "(None, 2)", 6), ("dense_1 (Dense)", "(None, 1)", 3)]
    assert summary_lines(neural_network) == _table("sequential", rows, 9)
    # Zero weights: every output is sigmoid(0) = 0.5.
    out = neural_network.predict(np.ones((3, 2)), verbose=0)
    np.testing.assert_allclose(out, 0.5)


def test_add_method_example_2_named_layers():
    neural_network = Sequential()
    neural_network.add(
        Dense(
            3,
            input_dim=3,
            activation="sigmoid",
            name="layer_1",
            kernel_initializer="zeros",
            bias_initializer="zeros",
        )
    )
    neural_network.add(
        Dense(
            3,
            activation="sigmoid",
            name="layer_2",
            kernel_initializer="zeros",
            bias_initializer="zeros",
        )
    )
    neural_network.add(
        Dense(
            2,
            activation="sigmoid",
            name="layer_3",
            kernel_initializer="zeros",
            bias_initializer="zeros",
        )
    )
    rows = [
        ("layer_1 (Dense)", "(None, 3)", 12),
        ("layer_2 (Dense)", "(None, 3)", 12),
        ("layer_3 (Dense)", "(None, 2)", 8),
    ]
    assert summary_lines(neural_network) == _table("sequential", rows, 32)


def _example_3():
    nn = Sequential()
    nn.add(
        Dense(
            1,
            input_dim=1,
            activation="sigmoid",
            name="layer_1",
            kernel_initializer="zeros",
            bias_initializer="zeros",
        )
    )
    nn.add(
        Dense(
            1,
            activation="sigmoid",
            name="layer_2",
            kernel_initializer="zeros",
            bias_initializer="zeros",
        )
    )
    return nn


def test_example_3_summary():
    rows = [("layer_1 (Dense)", "(None, 1)", 2), ("layer_2 (Dense)", "(None, 1)", 2)]
    assert summary_lines(_example_3()) == _table("sequential", rows, 4)


def test_example_3_weights_before_training(capsys):
    nn = _example_3()
    print("Weights and biases of the layers before training the model: \n")
    for layer in nn.layers:
        print(layer.name)
        print("Weights")
        print("Shape: ", layer.get_weights()[0].shape, "\n", layer.get_weights()[0])
        print("Bias")
        print("Shape: ", layer.get_weights()[1].shape, "\n", layer.get_weights()[1], "\n")
    expected = (
        "layer_1\nWeights\nShape:  (1, 1) \n [[0.]]\nBias\nShape:  (1,) \n [0.] \n\n"
        "layer_2\nWeights\nShape:  (1, 1) \n [[0.]]\nBias\nShape:  (1,) \n [0.] \n\n"
    )
    assert capsys.readouterr().out.endswith(expected)


def test_example_3_zero_weights_by_name():
    nn = _example_3()
    for layer in nn.layers:
        assert layer.kernel.shape == (1, 1) and layer.bias.shape == (1,)
        np.testing.assert_array_equal(np.asarray(layer.kernel), [[0.0]])
        np.testing.assert_array_equal(np.asarray(layer.bias), [0.0])
        assert sorted(w.numpy().shape for w in layer.weights) == [(1,), (1, 1)]


def test_example_3_set_weights_then_get_weights():
    nn = _example_3()
    np.random.seed(0)
    weights = [np.random.rand(*w.shape) for w in nn.get_weights()]
    assert [w.dtype for w in weights] == [np.float64] * 4
    nn.set_weights(weights)
    got = nn.get_weights()
    assert [g.dtype for g in got] == [np.float32] * 4
    for g, w in zip(got, weights):
        np.testing.assert_allclose(g, w.astype(np.float32))
    # The tutorial's next cell rebinds `weights` to nested lists: the model keeps its values.
    weights = [[[1]], [[1]], [[1]], [[1]]]
    for g, w in zip(nn.get_weights(), got):
        np.testing.assert_array_equal(g, w)
    assert weights  # the rebinding above does not touch the model


def test_example_3_set_weights_keras_order():
    nn = _example_3()
    kernel_1, bias_1 = np.array([[0.1744399]]), np.array([0.24087493])
    kernel_2, bias_2 = np.array([[0.56080447]]), np.array([0.88717866])
    nn.set_weights([kernel_1, bias_1, kernel_2, bias_2])
    np.testing.assert_allclose(np.asarray(nn.layers[0].kernel), kernel_1, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nn.layers[1].bias), bias_2, rtol=1e-6)
    got = nn.get_weights()
    assert [g.shape for g in got] == [(1, 1), (1,), (1, 1), (1,)]


def test_example_3_trainable_and_non_trainable_weights(capsys):
    nn = _example_3()
    print(nn.non_trainable_weights)
    assert capsys.readouterr().out == "[]\n"
    trainable = nn.trainable_weights
    assert len(trainable) == 4
    # Keras 3 paths may carry the model's name in front ("sequential/layer_1/kernel").
    short = sorted("/".join(w.path.split("/")[-2:]) for w in trainable)
    assert short == ["layer_1/bias", "layer_1/kernel", "layer_2/bias", "layer_2/kernel"]
    text = repr(trainable)
    assert "'layer_1/kernel:0' shape=(1, 1) dtype=float32" in text
    assert "'layer_2/bias:0' shape=(1,) dtype=float32" in text


def test_example_4_trainable_weights_in_keras_order():
    nn = _example_3()
    short = ["/".join(w.path.split("/")[-2:]) for w in nn.trainable_weights]
    assert short == ["layer_1/kernel", "layer_1/bias", "layer_2/kernel", "layer_2/bias"]


def test_freezing_a_layer_moves_its_weights_to_non_trainable():
    nn = _example_3()
    nn.layers[0].trainable = False
    frozen = sorted("/".join(w.path.split("/")[-2:]) for w in nn.non_trainable_weights)
    assert frozen == ["layer_1/bias", "layer_1/kernel"]
    assert len(nn.trainable_weights) == 2


# --- method 2: the functional API --------------------------------------------------------------
def test_functional_example_1_summary():
    input_tensor = Input(shape=(2,))
    output1 = Dense(2, activation="sigmoid")(input_tensor)
    output2 = Dense(1, activation="sigmoid")(output1)
    model_functional = Model(inputs=input_tensor, outputs=output2)
    assert summary_lines(model_functional) == golden(FUNCTIONAL_1_SUMMARY)


def test_functional_example_2_summary():
    input_tensor = Input(shape=(3,))
    output1 = Dense(3, activation="sigmoid")(input_tensor)
    output2 = Dense(3, activation="sigmoid")(output1)
    output3 = Dense(2, activation="sigmoid")(output2)
    model_functional = Model(inputs=input_tensor, outputs=output3)
    rows = [
        ("input_1 (InputLayer)", "[(None, 3)]", 0),
        ("dense (Dense)", "(None, 3)", 12),
        ("dense_1 (Dense)", "(None, 3)", 12),
        ("dense_2 (Dense)", "(None, 2)", 8),
    ]
    assert summary_lines(model_functional) == _table("model", rows, 32)


def test_input_imported_from_layers():
    assert Input is keras.Input


# --- compiling and training ----------------------------------------------------------------------
def test_sgd_with_deprecated_lr_argument():
    from jnn.optimizers import SGD

    with pytest.warns(DeprecationWarning, match="lr"):
        customized_optimizer = SGD(lr=0.0001)
    assert customized_optimizer.get_config()["learning_rate"] == pytest.approx(0.0001)


def _mnist_network():
    neural_network = Sequential()
    neural_network.add(
        Dense(
            32,
            input_dim=784,
            activation="sigmoid",
            kernel_initializer="RandomUniform",
            bias_initializer="zeros",
        )
    )
    neural_network.add(
        Dense(
            10, activation="sigmoid", kernel_initializer="zeros", bias_initializer="RandomUniform"
        )
    )
    neural_network.add(
        Dense(1, activation="sigmoid", kernel_initializer="zeros", bias_initializer="RandomUniform")
    )
    return neural_network


def test_compile_fit_and_plot_the_training_history(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from jnn.optimizers import SGD

    keras.utils.set_random_seed(0)
    neural_network = _mnist_network()
    rows = [
        ("dense (Dense)", "(None, 32)", 25120),
        ("dense_1 (Dense)", "(None, 10)", 330),
        ("dense_2 (Dense)", "(None, 1)", 11),
    ]
    assert summary_lines(neural_network) == _table("sequential", rows, 25461)

    with pytest.warns(DeprecationWarning):
        customized_optimizer = SGD(lr=0.0001)
    neural_network.compile(
        loss="binary_crossentropy", optimizer=customized_optimizer, metrics=["accuracy"]
    )

    (X_train, y_train) = mnist_like(256)
    y_train = (y_train % 2).astype("float32")  # a binary target for binary_crossentropy
    assert X_train.shape == (256, 28, 28)
    X_train = X_train.reshape(-1, 28 * 28)
    assert X_train.shape == (256, 784)

    training_history = neural_network.fit(
        X_train, y_train, epochs=3, batch_size=1024, validation_split=0.2, verbose=0
    )
    assert sorted(training_history.history.keys()) == [
        "accuracy",
        "loss",
        "val_accuracy",
        "val_loss",
    ]
    assert all(len(v) == 3 for v in training_history.history.values())

    def plot_training_metrics(history_object, metric="loss", val=True):
        plt.plot(history_object.history[metric])
        if val:
            plt.plot(history_object.history["val_" + metric])
        plt.title("model loss")
        plt.ylabel("loss")
        plt.xlabel("epoch")
        plt.legend(["train", "val"], loc="upper left")
        plt.savefig(tmp_path / f"{metric}.png")  # plt.show() in the notebook
        plt.close()

    plot_training_metrics(training_history)
    plot_training_metrics(training_history, metric="accuracy")
    assert (tmp_path / "loss.png").exists() and (tmp_path / "accuracy.png").exists()


def test_exercise_batch_normalization():
    from jnn.layers import BatchNormalization

    model = Sequential([Dense(4, input_dim=3), BatchNormalization(), Dense(1)])
    assert model.count_params() == 16 + 16 + 5


def test_exercise_dropout_rate():
    from jnn.layers import Dropout

    model = Sequential([Dense(4, input_dim=3), Dropout(rate=0.4), Dense(1)])
    assert model.count_params() == 16 + 5
    assert model.layers[1].rate == 0.4


INITIALIZERS = [
    "zeros",
    "RandomUniform",
    "RandomNormal",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "lecun_normal",
    "he_uniform",
]


def test_exercise_initializers_by_name():
    for init in INITIALIZERS:
        layer = Dense(4, kernel_initializer=init)
        layer(np.ones((1, 3), np.float32))  # builds the standalone layer
        kernel = np.asarray(layer.kernel)
        assert kernel.shape == (3, 4), init
        assert np.all(np.isfinite(kernel)), init
        assert np.all(kernel == 0) == (init == "zeros"), init
