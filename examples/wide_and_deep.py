"""Wide & deep regression with two inputs and two outputs, as in the Keras notes (chapter 10).

The bundled diabetes data is split into two overlapping input groups: the "wide" path sees
features 0-4 directly, the "deep" path sends features 2-9 through two hidden layers. A main
output reads both paths, an auxiliary output only the deep one (a regularizer). Built twice,
with the functional API and by subclassing ``Model``:

    python examples/wide_and_deep.py
"""

from __future__ import annotations

import sys

import numpy as np

import jnn as keras


def load_two_groups(seed: int = 113):
    """Standardized diabetes, each split as ``([x_wide, x_deep], y)``."""
    (x_full, y_full), (x_test, y_test) = keras.datasets.diabetes.load_data(seed=seed)
    n_valid = len(x_full) // 5
    splits = [(x_full[n_valid:], y_full[n_valid:]), (x_full[:n_valid], y_full[:n_valid]),
              (x_test, y_test)]  # fmt: skip
    mean, std = splits[0][0].mean(axis=0), splits[0][0].std(axis=0)
    y_mean, y_std = splits[0][1].mean(), splits[0][1].std()
    out = []
    for x, y in splits:
        x = (x - mean) / std
        out.append(([x[:, :5], x[:, 2:]], (y - y_mean) / y_std))
    return out


def functional_model() -> keras.Model:
    input_A = keras.Input(shape=[5], name="wide_input")
    input_B = keras.Input(shape=[8], name="deep_input")
    hidden1 = keras.layers.Dense(30, activation="relu")(input_B)
    hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
    concat = keras.layers.concatenate([input_A, hidden2])
    output = keras.layers.Dense(1, name="main_output")(concat)
    aux_output = keras.layers.Dense(1, name="aux_output")(hidden2)
    return keras.Model(inputs=[input_A, input_B], outputs=[output, aux_output])


class WideAndDeepModel(keras.Model):
    """The same network, written as a subclass with a ``call`` method."""

    def __init__(self, units: int = 30, activation: str = "relu", **kwargs):
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
        return self.main_output(concat), self.aux_output(hidden2)


def train_and_evaluate(model: keras.Model, data, epochs: int) -> float:
    """Compiles with weighted losses, trains, prints the three test losses; returns main MSE."""
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = data
    model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1],
                  optimizer=keras.optimizers.SGD(learning_rate=0.01))  # fmt: skip
    model.fit(x_train, [y_train, y_train], epochs=epochs,
              validation_data=(x_valid, [y_valid, y_valid]), verbose=0)  # fmt: skip
    total_loss, main_loss, aux_loss = model.evaluate(x_test, [y_test, y_test], verbose=0)
    print(f"{model.name}: test loss {total_loss:.3f} = 0.9 * main {main_loss:.3f} "
          f"+ 0.1 * aux {aux_loss:.3f}")  # fmt: skip
    y_pred_main, y_pred_aux = model.predict([x[:3] for x in x_test], verbose=0)
    print("  main:", y_pred_main.ravel().round(2), " aux:", y_pred_aux.ravel().round(2),
          " true:", np.round(y_test[:3], 2))  # fmt: skip
    return float(main_loss)


def main(epochs: int = 30, seed: int = 0) -> float:
    """Trains both versions; returns the worse of their main-output test MSEs (standardized)."""
    data = load_two_groups()
    keras.utils.set_random_seed(seed)
    model = functional_model()
    model.summary()
    functional_mse = train_and_evaluate(model, data, epochs)
    keras.utils.set_random_seed(seed)
    subclassed_mse = train_and_evaluate(WideAndDeepModel(), data, epochs)
    return max(functional_mse, subclassed_mse)


if __name__ == "__main__":
    sys.exit(0 if main() < 0.8 else 1)
