"""A single sigmoid neuron learning a logic gate, as in the "Neural Network Frameworks" lesson.

The lesson's table (x1, x2 -> y = not (x1 and x2)) is built with pandas when it is installed,
with numpy otherwise. The lesson trains 10 epochs with Adam's default learning rate and
reaches 75% accuracy; a larger learning rate and more epochs get every row right:

    python examples/perceptron.py
"""

from __future__ import annotations

import sys

import numpy as np

import jnn as keras
from jnn.layers import Dense
from jnn.models import Sequential

DATA = {"x1": [0, 1, 0, 1], "x2": [0, 0, 1, 1], "y": [1, 1, 1, 0]}


def load_gate() -> tuple[np.ndarray, np.ndarray]:
    """The gate's truth table as ``(X, y)``, through pandas if available."""
    try:
        import pandas as pd
    except ImportError:
        X = np.stack([DATA["x1"], DATA["x2"]], axis=1).astype("int64")
        return X, np.asarray(DATA["y"], dtype="int64")
    df = pd.DataFrame.from_dict(DATA).astype("int")
    return df[["x1", "x2"]].values, df["y"].values


def main(epochs: int = 200, learning_rate: float = 0.1, seed: int = 0) -> float:
    """Trains the perceptron and returns its accuracy on the four rows (0.0 to 1.0)."""
    keras.utils.set_random_seed(seed)
    X, y = load_gate()

    model = Sequential()
    model.add(Dense(1, input_dim=2, activation="sigmoid"))
    model.compile(
        loss="binary_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        metrics=["accuracy"],
    )
    model.fit(X, y, epochs=epochs, verbose=0)

    scores = model.evaluate(X, y, verbose=0)
    print(f"{model.metrics_names[1]}: {scores[1] * 100}")
    kernel, bias = np.asarray(model.layers[0].kernel), np.asarray(model.layers[0].bias)
    print(f"weights: {kernel.ravel().round(2)}, bias: {bias.round(2)}")
    print("predictions:", model.predict(X, verbose=0).ravel().round(2))
    return float(scores[1])


if __name__ == "__main__":
    sys.exit(0 if main() == 1.0 else 1)
