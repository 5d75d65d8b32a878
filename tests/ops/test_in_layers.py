"""Keras 3-style custom layers written with ``jnn.ops`` train inside ``fit`` (traced ops)."""

from __future__ import annotations

import numpy as np
import pytest

import jnn
from jnn import ops


class Linear(jnn.layers.Layer):
    """The keras.io subclassing guide's layer, as written there (ops.matmul + add_weight)."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class Sampling(jnn.layers.Layer):
    """The VAE example's reparameterisation, as written there (ops.shape of a traced tensor)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = jnn.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = ops.shape(z_mean)[0], ops.shape(z_mean)[1]
        eps = jnn.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps


@pytest.mark.user_code
def test_guide_layers_with_ops_train_in_fit():
    x_in = jnn.Input(shape=(3,))
    h = Linear(4)(x_in)
    z = Sampling()([ops.tanh(h), ops.zeros_like(h) - 10.0])  # tiny noise
    out = ops.mean(z, axis=-1, keepdims=True)
    model = jnn.Model(x_in, out)
    model.compile(optimizer="sgd", loss="mse")
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    y = 0.5 * np.tanh(x.sum(1, keepdims=True))  # the ones-initialised model is off by 2x
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    assert model.predict(x, verbose=0).shape == (8, 1)
