"""Custom layers two ways: the Keras way (build + add_weight + call) and the pure way
(init + apply), trained together in one model on the bundled iris data.

    python examples/custom_layers.py
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

import jnn as keras
from jnn import layers


class KerasStyleLinear(layers.Layer):
    """What a Keras user writes: weights made in build(), used in call()."""

    def __init__(self, units: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return jax.nn.relu(inputs @ self.w + self.b)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class PureScaleShift(layers.Layer):
    """What a JAX user writes: an explicit init/apply pair over a params dict."""

    def init(self, key, input_spec):
        n = input_spec.shape[-1]
        return {"params": {"scale": jnp.ones((n,)), "shift": jnp.zeros((n,))}, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        p = variables["params"]
        return inputs * p["scale"] + p["shift"], {}


def main(epochs: int = 60) -> float:
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.iris.load_data()
    mean, std = x_train.mean(0), x_train.std(0)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    model = keras.Sequential([
        PureScaleShift(input_shape=(4,)),
        KerasStyleLinear(16),
        layers.Dense(3, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=16, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"weights of the Keras-style layer: {[w.path for w in model.layers[1].weights]}")
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
