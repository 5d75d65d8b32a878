"""Tutorial 001's exercise: how activations, initializers, BatchNormalization and Dropout change
training, on the bundled 8x8 digits (64 features, 10 classes).

Each experiment family trains the same small MLP (64 -> hidden -> hidden -> 10) several times,
changing one thing, and saves one figure of validation-accuracy and training-loss curves:

* ``activation``: 'sigmoid', 'tanh', 'relu'
* ``initializer``: 'zeros', 'RandomUniform', 'RandomNormal', 'glorot_uniform', 'he_normal', ...
  ('zeros' makes every hidden unit identical, so the network cannot learn beyond a linear rule)
* ``batchnorm``: without / with ``BatchNormalization()`` after each hidden Dense
* ``dropout``: ``Dropout(rate)`` after each hidden Dense for several rates

    python examples/batchnorm_dropout_experiments.py [output_dir]

Example:
    >>> best = main("plots", epochs=3, families=("activation",))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import numpy as np

import jnn as keras

try:  # the layer zoo is being exported from jnn.layers; fall back to the core module
    from jnn.layers import BatchNormalization
except ImportError:  # pragma: no cover - depends on the export state
    from jnn._core.layers.normalization import BatchNormalization

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITIALIZERS = ("zeros", "RandomUniform", "RandomNormal", "glorot_uniform", "he_normal")
DROPOUT_RATES = (0.0, 0.2, 0.5)
FAMILIES = ("activation", "initializer", "batchnorm", "dropout")


def load_digits() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Returns the bundled digits flattened to 64 float32 features scaled to [0, 1]."""
    (x_train, y_train), (x_val, y_val) = keras.datasets.digits.load_data()
    scale = np.float32(1.0 / 16.0)
    x_train = np.asarray(x_train, "float32").reshape(len(x_train), -1) * scale
    x_val = np.asarray(x_val, "float32").reshape(len(x_val), -1) * scale
    return (x_train, y_train), (x_val, y_val)


def build_model(
    activation: str = "relu",
    initializer: str = "glorot_uniform",
    batchnorm: bool = False,
    dropout: float = 0.0,
    hidden: int = 32,
) -> keras.Sequential:
    """The MLP of the exercise with the requested variations."""
    layers: list = [keras.Input(shape=(64,))]
    for _ in range(2):
        layers.append(keras.layers.Dense(hidden, kernel_initializer=initializer))
        if batchnorm:
            layers.append(BatchNormalization())
        layers.append(keras.layers.Activation(activation))
        if dropout > 0:
            layers.append(keras.layers.Dropout(rate=dropout))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def variants(family: str) -> list[tuple[str, dict]]:
    """The ``(label, build_model kwargs)`` pairs of one experiment family."""
    if family == "activation":
        return [(a, {"activation": a}) for a in ACTIVATIONS]
    if family == "initializer":
        return [(i, {"initializer": i, "activation": "tanh"}) for i in INITIALIZERS]
    if family == "batchnorm":
        return [(f"batchnorm={b}", {"batchnorm": b, "activation": "sigmoid"}) for b in (0, 1)]
    if family == "dropout":
        return [(f"rate={r}", {"dropout": r}) for r in DROPOUT_RATES]
    raise ValueError(f"Unknown experiment family: {family!r}. Valid families: {FAMILIES}.")


def run(kwargs: dict, data, epochs: int, seed: int) -> dict[str, list[float]]:
    """Trains one variant; returns its Keras-style history dict."""
    (x_train, y_train), (x_val, y_val) = data
    keras.utils.set_random_seed(seed)
    model = build_model(**kwargs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x_train, y_train, batch_size=64, epochs=epochs, validation_data=(x_val, y_val), verbose=0
    )
    return history.history


def plot_family(family: str, results: dict[str, dict], output_dir: str) -> str | None:
    """Saves one figure (validation accuracy, training loss) per family; returns its path."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib).")
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, hist in results.items():
        epochs = np.arange(1, len(hist["loss"]) + 1)
        ax1.plot(epochs, hist["val_accuracy"], marker="o", label=label)
        ax2.plot(epochs, hist["loss"], marker="o", label=label)
    ax1.set(title=f"{family}: validation accuracy", xlabel="epoch", ylabel="accuracy")
    ax2.set(title=f"{family}: training loss", xlabel="epoch", ylabel="loss")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(output_dir, f"{family}.png")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def main(
    output_dir: str = "experiment_plots",
    epochs: int = 6,
    families: Sequence[str] = FAMILIES,
    seed: int = 0,
) -> float:
    """Runs the experiment families, saves ``<output_dir>/<family>.png``; returns the best
    final validation accuracy over all runs."""
    for family in families:
        variants(family)  # unknown names fail before any training
    os.makedirs(output_dir, exist_ok=True)
    data = load_digits()
    best, cache = 0.0, {}
    for family in families:
        results = {}
        for label, kw in variants(family):
            key = tuple(sorted(kw.items()))  # the same model in two families trains once
            if key not in cache:
                cache[key] = run(kw, data, epochs, seed)
            results[label] = cache[key]
        print(f"--- {family} ---")
        for label, hist in results.items():
            val = hist["val_accuracy"][-1]
            best = max(best, val)
            print(f"{label:>16}: val_accuracy {val:.3f}  loss {hist['loss'][-1]:.3f}")
        plot_family(family, results, output_dir)
    print(f"Best validation accuracy: {best:.3f}")
    return float(best)


if __name__ == "__main__":
    sys.exit(0 if main(*sys.argv[1:2]) > 0.9 else 1)
