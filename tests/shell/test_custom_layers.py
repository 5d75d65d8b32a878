"""Keras-style custom layers (build + add_weight + call) and the pure alternative."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jnn
from jnn import layers

pytestmark = pytest.mark.user_code


class Linear(layers.Layer):
    def __init__(self, units=4, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.l2 = l2

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones",
                                 name="kernel",
                                 regularizer=jnn.regularizers.L2(self.l2) if self.l2 else None)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="count")

    def call(self, inputs, training=None):
        return jnp.matmul(inputs, self.w) + self.b


class PureScale(layers.Layer):
    """The pure alternative: define init/apply directly."""

    def init(self, key, input_spec):
        return {"params": {"scale": jnp.full((input_spec.shape[-1],), 2.0)}, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        return inputs * variables["params"]["scale"], {}


def test_keras_style_weights_order_names_and_values():
    layer = Linear(3, name="lin")
    variables = layer.init(jax.random.key(0), jax.ShapeDtypeStruct((1, 2), jnp.float32))
    assert list(variables["params"]) == ["kernel", "bias"]
    assert list(variables["state"]) == ["count"]
    y, state = layer.apply(variables, jnp.ones((5, 2)))
    np.testing.assert_allclose(y, np.full((5, 3), 2.0))
    assert "count" in state
    # the weight attributes are handles again after apply (no leaked tracers)
    assert not isinstance(layer.w, jax.Array)


def test_keras_style_layer_in_a_model_trains_and_keeps_keras_order():
    jnn.backend.clear_session()
    model = jnn.Sequential([Linear(8, input_shape=(4,), l2=0.01), layers.Dense(1)])
    assert [w.path for w in model.weights] == [
        "linear/kernel", "linear/bias", "linear/count", "dense/kernel", "dense/bias",
    ]
    assert model.count_params() == 4 * 8 + 8 + 1 + 8 + 1
    assert [w.name for w in model.non_trainable_weights] == ["count"]
    model.compile("adam", "mse")
    x = np.random.default_rng(0).random((64, 4), dtype=np.float32)
    y = x.sum(1, keepdims=True)
    before = model.layers[0].get_weights()[0].copy()
    hist = model.fit(x, y, epochs=5, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert not np.allclose(model.layers[0].get_weights()[0], before)
    # the regularizer declared through add_weight is part of the training loss
    variables = model.variables_tree
    penalty = model.regularization_penalty(variables["params"])
    expected = 0.01 * np.sum(np.square(model.layers[0].get_weights()[0]))
    np.testing.assert_allclose(penalty, expected, rtol=1e-5)


def test_keras_style_layer_called_standalone_on_data():
    layer = Linear(3)
    out = layer(np.ones((2, 5), np.float32))
    np.testing.assert_allclose(out, np.full((2, 3), 5.0))
    assert [w.shape for w in layer.weights] == [(5, 3), (3,), ()]


def test_add_loss_inside_call_is_added_to_the_training_loss():
    class WithLoss(layers.Layer):
        def call(self, inputs):
            self.add_loss(jnp.asarray(10.0))
            return inputs

    model = jnn.Sequential([WithLoss(input_shape=(2,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile("sgd", "mse")
    x = np.zeros((4, 2), np.float32)
    loss = model.evaluate(x, np.zeros((4, 1), np.float32), verbose=0)
    np.testing.assert_allclose(loss, 10.0, rtol=1e-6)


def test_pure_layer_alternative_in_a_model():
    model = jnn.Sequential([PureScale(input_shape=(3,))])
    np.testing.assert_allclose(model.predict(np.ones((2, 3)), verbose=0), np.full((2, 3), 2.0))


def test_add_weight_after_the_layer_is_built_is_a_clear_error():
    # Keras 3 allows add_weight in __init__ and build (tests/shell/test_keras3_layers.py);
    # once the weights exist, a late declaration says so.
    layer = Linear(2)
    layer(np.ones((1, 3), np.float32))
    with pytest.raises(RuntimeError, match="after the layer was built"):
        layer.add_weight(shape=(2,))


def test_layer_created_inside_call_is_a_clear_error():
    class Bad(jnn.Model):
        def call(self, x):
            return layers.Dense(2)(x)

    model = Bad()
    model.compile("sgd", "mse")
    x = np.ones((8, 3), np.float32)
    with pytest.raises(ValueError, match="created inside call"):
        model.fit(x, np.ones((8, 2), np.float32), verbose=0)


def test_custom_layers_example_runs():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "custom_layers.py"
    spec = importlib.util.spec_from_file_location("custom_layers_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(epochs=40) > 0.8
