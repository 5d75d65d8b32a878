"""Callbacks and pictures: checkpoint the best model, stop early, lower the learning rate on
plateaus, log to CSV and TensorBoard, then plot the training curves and the model graph.

    python examples/callbacks_and_plots.py [output_dir]
    tensorboard --logdir <output_dir>/logs        # to browse the TensorBoard logs

Writes into ``output_dir`` (default ``callbacks_demo``): ``best.weights.h5``,
``training.csv``, ``logs/{train,validation}``, ``history.png`` and ``model.png``
(the last one only when Graphviz's ``dot`` program is installed).
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np

import jnn as keras


def main(output_dir: str = "callbacks_demo", epochs: int = 60, seed: int = 0) -> dict:
    """Trains an iris classifier with the usual callbacks; returns what it wrote and scored."""
    keras.utils.set_random_seed(seed)
    os.makedirs(output_dir, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = keras.datasets.iris.load_data()
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    best = os.path.join(output_dir, "best.weights.h5")
    callbacks = [
        keras.callbacks.ModelCheckpoint(best, save_best_only=True, save_weights_only=True),
        keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=4),
        keras.callbacks.CSVLogger(os.path.join(output_dir, "training.csv")),
    ]
    try:
        import tensorboard  # noqa: F401

        logs = os.path.join(output_dir, "logs")
        callbacks.append(keras.callbacks.TensorBoard(logs, histogram_freq=5))
    except ImportError:
        print("tensorboard is not installed: no TensorBoard logs (pip install jnn[tensorboard])")
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=16, validation_split=0.2,
        callbacks=callbacks, verbose=0,
    )  # fmt: skip
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"{len(history.history['loss'])} epochs, best val_loss "
          f"{min(history.history['val_loss']):.3f}, test accuracy {accuracy:.3f}")  # fmt: skip

    written = {"weights": best, "csv": os.path.join(output_dir, "training.csv")}
    try:
        written["history_png"] = os.path.join(output_dir, "history.png")
        keras.utils.plot_history(history, to_file=written["history_png"])
    except ImportError as exc:
        print(exc)
        del written["history_png"]
    if shutil.which("dot"):
        written["model_png"] = os.path.join(output_dir, "model.png")
        keras.utils.plot_model(model, written["model_png"], show_shapes=True, dpi=96)
    else:
        print("Graphviz `dot` is not installed: no model.png (apt-get install graphviz)")
    written["accuracy"] = float(accuracy)
    written["epochs"] = len(history.history["loss"])
    written["learning_rates"] = list(np.unique(history.history["learning_rate"]))
    return written


if __name__ == "__main__":
    main(*sys.argv[1:2])
