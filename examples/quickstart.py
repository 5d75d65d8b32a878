"""jnn quickstart: train an MLP on the bundled 8x8 handwritten digits with the Keras workflow.

Runs offline in well under a minute on a 2-core CPU:

    python examples/quickstart.py
"""

from __future__ import annotations

import os
import sys

import jnn as keras
from jnn import layers


def main(epochs: int = 30, plot_path: str = "quickstart_learning_curves.png") -> float:
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train, x_test = x_train / 16.0, x_test / 16.0  # pixel values are 0..16

    model = keras.Sequential(
        [
            layers.Dense(64, activation="relu", input_shape=(64,)),
            layers.Dropout(0.1),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.summary()
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=2
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test accuracy: {accuracy:.4f} (loss {loss:.4f})")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no learning-curve plot (pip install \"jnn[plot]\").")
    else:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
        for ax, metric in ((ax1, "loss"), (ax2, "accuracy")):
            ax.plot(history.history[metric], label="train")
            ax.plot(history.history[f"val_{metric}"], label="validation")
            ax.set_xlabel("epoch")
            ax.set_title(f"model {metric}")
            ax.legend()
        fig.tight_layout()
        fig.savefig(plot_path, dpi=80)
        plt.close(fig)
        print(f"Learning curves saved to {os.path.abspath(plot_path)}")
    return accuracy


if __name__ == "__main__":
    acc = main()
    sys.exit(0 if acc >= 0.95 else 1)
