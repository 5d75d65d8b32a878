"""Smoke test of the base install (``pip install .``, no extras), run by ``.ci/run``.

The whole Keras workflow must work without any extra: a functional model, ``fit`` with
``ModelCheckpoint``, ``.keras`` save / load and ``save_weights`` / ``load_weights``. A core
dependency missing from ``pyproject.toml`` makes this script fail with the ImportError.
Not collected by pytest (it lives outside ``tests/``); run it from outside the checkout so that
the installed package is the one imported:

    cd /tmp && python /path/to/jnn/.ci/base_install_smoke.py
"""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np

import jnn
from jnn import layers


def main() -> None:
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.dirname(os.path.abspath(jnn.__file__)) == os.path.join(checkout, "jnn"):
        sys.exit(f"jnn was imported from the checkout ({jnn.__file__}), not from the install.")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("int32")

    inputs = jnn.Input(shape=(4,), name="features")
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(2, activation="softmax")(layers.Dropout(0.1)(hidden))
    model = jnn.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    with tempfile.TemporaryDirectory() as tmp:
        best = os.path.join(tmp, "best.keras")
        model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                  callbacks=[jnn.callbacks.ModelCheckpoint(best, save_best_only=True)])
        expected = model.predict(x, verbose=0)

        path = os.path.join(tmp, "model.keras")
        model.save(path)
        restored = jnn.models.load_model(path)
        np.testing.assert_allclose(restored.predict(x, verbose=0), expected, rtol=1e-5)
        jnn.models.load_model(best).predict(x[:2], verbose=0)

        weights = os.path.join(tmp, "model.weights.h5")
        model.save_weights(weights)
        clone = jnn.models.clone_model(model)
        clone.load_weights(weights)
        np.testing.assert_allclose(clone.predict(x, verbose=0), expected, rtol=1e-5)
    print(f"base install OK: jnn {jnn.__version__} from {os.path.dirname(jnn.__file__)}")


if __name__ == "__main__":
    main()
