"""Iris classification, as in the "Neural networks with Keras: overview" tutorial.

A two-layer network (Dense + ReLU, Dense + softmax, activations as separate layers) trained
on the bundled iris data, then used on three new flowers. Runs offline in seconds:

    python examples/iris.py
"""

from __future__ import annotations

import sys

import numpy as np

import jnn as keras

NEW_FLOWERS = [
    [5.3, 3.4, 1.9, 0.6],
    [6.0, 3.0, 4.7, 1.5],
    [6.5, 3.1, 5.0, 1.7],
]


def main(epochs: int = 300, seed: int = 0) -> float:
    """Trains the classifier, prints predictions for three new flowers; returns test accuracy."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = keras.datasets.iris.load_data()

    model = keras.Sequential(
        [
            keras.layers.Dense(8),
            keras.layers.Activation("relu"),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )
    # No optimizer given: compile() uses RMSprop, as Keras does.
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, validation_split=0.1, verbose=0)
    model.summary()

    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test accuracy on {len(x_test)} held-out flowers: {accuracy:.3f}")

    y_pred = model.predict(NEW_FLOWERS, verbose=0)
    names = keras.datasets.iris.class_names
    for flower, probs in zip(NEW_FLOWERS, y_pred):
        print(f"{flower} -> {names[int(np.argmax(probs))]:<10} {np.round(probs, 2)}")
    return float(accuracy)


if __name__ == "__main__":
    sys.exit(0 if main() > 0.8 else 1)
