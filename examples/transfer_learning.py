"""Transfer learning with ``jnn.applications``: a frozen base, a new head, then fine-tuning.

The Keras recipe (keras.io's transfer-learning guide), offline: the "pretrained" base is a
``MobileNet`` first trained here on the digits 0-4 of the bundled 8x8 digits (upscaled to
32x32 RGB), saved with ``save_weights`` and loaded back with ``weights=PATH`` — exactly how
``weights="imagenet"`` loads Keras's published file. The new task is the digits 5-9:

1. build the base from the weights file, ``base.trainable = False``, call it with
   ``training=False`` (BatchNormalization keeps its statistics), add a new head, train it;
2. ``base.trainable = True``, recompile with a low learning rate, train a little more.

With ImageNet weights (downloaded once, cached under ``$JNN_HOME/models``)::

    base = keras.applications.MobileNet(weights="imagenet", include_top=False,
                                        input_shape=(224, 224, 3), pooling="avg")

and feed images preprocessed by ``keras.applications.mobilenet.preprocess_input``.

    python examples/transfer_learning.py

Example:
    >>> results = main(pretrain_epochs=1, head_epochs=1, tune_epochs=1)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

import jnn as keras

IMAGE = (32, 32, 3)


def load_images() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The bundled digits as 32x32 RGB images with values in [0, 255]."""
    (x, y), (x_test, y_test) = keras.datasets.digits.load_data(flatten=False)

    def upscale(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, "float32").reshape(-1, 8, 8, 1) * (255.0 / 16.0)
        return np.repeat(np.repeat(np.repeat(a, 4, axis=1), 4, axis=2), 3, axis=3)

    return (upscale(x), np.asarray(y)), (upscale(x_test), np.asarray(y_test))


def make_base(weights: str | None) -> keras.Model:
    """A small MobileNet feature extractor (global average pooled, no top)."""
    return keras.applications.MobileNet(weights=weights, include_top=False, alpha=0.25,
                                        input_shape=IMAGE, pooling="avg")


def classifier(base: keras.Model, classes: int, training: bool | None = None) -> keras.Model:
    """Rescaling to [-1, 1] (MobileNet's preprocessing), the base, dropout, a Dense head."""
    inputs = keras.Input(shape=IMAGE)
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = base(x) if training is None else base(x, training=training)
    x = keras.layers.Dropout(0.2)(x)
    return keras.Model(inputs, keras.layers.Dense(classes)(x))


def compile_model(model: keras.Model, learning_rate: float) -> None:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def main(pretrain_epochs: int = 12, head_epochs: int = 5, tune_epochs: int = 5,
         verbose: int = 2) -> dict[str, float]:
    """Runs the three phases; returns the target task's test accuracies."""
    keras.utils.set_random_seed(0)
    (x, y), (x_test, y_test) = load_images()
    source, target, target_test = y < 5, y >= 5, y_test >= 5

    # 0. A "pretrained" base: trained on digits 0-4, saved as a weights file.
    base = make_base(None)
    pretrain = classifier(base, 5)
    compile_model(pretrain, 1e-3)
    pretrain.fit(x[source], y[source], epochs=pretrain_epochs, batch_size=16, verbose=verbose)
    path = os.path.join(tempfile.mkdtemp(), "mobilenet_digits04.weights.h5")
    base.save_weights(path)

    # 1. Frozen base (inference mode), new head for digits 5-9.
    base = make_base(path)
    base.trainable = False
    model = classifier(base, 5, training=False)
    compile_model(model, 1e-3)
    model.summary()
    model.fit(x[target], y[target] - 5, epochs=head_epochs, batch_size=16, verbose=verbose)
    head = model.evaluate(x_test[target_test], y_test[target_test] - 5, verbose=0)[1]

    # 2. Fine-tune everything with a low learning rate (recompile after changing trainable).
    base.trainable = True
    compile_model(model, 1e-4)
    model.fit(x[target], y[target] - 5, epochs=tune_epochs, batch_size=16, verbose=verbose)
    tuned = model.evaluate(x_test[target_test], y_test[target_test] - 5, verbose=0)[1]
    print(f"Digits 5-9 test accuracy: new head on the frozen base {head:.3f}, "
          f"after fine-tuning {tuned:.3f}")
    return {"head": float(head), "fine_tuned": float(tuned), "weights": path}


if __name__ == "__main__":
    main()
