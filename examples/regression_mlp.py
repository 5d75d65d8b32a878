"""A regression MLP, as in the "Introduction to ANN with Keras" notes (housing -> diabetes).

One hidden layer of 30 ReLU units and a linear output, mean squared error and SGD, on the
bundled diabetes data standardized with numpy (statistics of the training set only):

    python examples/regression_mlp.py
"""

from __future__ import annotations

import sys

import numpy as np

import jnn as keras


def load_standardized(seed: int = 113):
    """Diabetes split into train / validation / test, features and target standardized."""
    (x_full, y_full), (x_test, y_test) = keras.datasets.diabetes.load_data(seed=seed)
    n_valid = len(x_full) // 5
    x_valid, x_train = x_full[:n_valid], x_full[n_valid:]
    y_valid, y_train = y_full[:n_valid], y_full[n_valid:]

    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    y_mean, y_std = y_train.mean(), y_train.std()

    def scale(x, y):
        return (x - mean) / std, (y - y_mean) / y_std

    return scale(x_train, y_train), scale(x_valid, y_valid), scale(x_test, y_test), y_std


def main(epochs: int = 40, seed: int = 0) -> float:
    """Trains the MLP; returns the test MSE in standardized units (1.0 = predicting the mean)."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test), y_std = load_standardized()

    model = keras.models.Sequential(
        [
            keras.layers.Dense(30, activation="relu", input_shape=x_train.shape[1:]),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mean_squared_error", optimizer="sgd")
    history = model.fit(
        x_train, y_train, epochs=epochs, validation_data=(x_valid, y_valid), verbose=0
    )
    print(f"final loss {history.history['loss'][-1]:.3f}, val_loss "
          f"{history.history['val_loss'][-1]:.3f}")  # fmt: skip

    mse_test = model.evaluate(x_test, y_test, verbose=0)
    rmse = float(np.sqrt(mse_test)) * float(y_std)
    print(f"Test MSE: {mse_test:.3f} (standardized); RMSE {rmse:.1f} in disease-progression units")
    y_pred = model.predict(x_test[:3], verbose=0) * y_std
    print("first three predictions (centred):", y_pred.ravel().round(1))
    return float(mse_test)


if __name__ == "__main__":
    sys.exit(0 if main() < 0.8 else 1)
