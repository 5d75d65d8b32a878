"""Subclassed models: tracked sub-layers, the training flag, weights, fit."""

import numpy as np
import pytest

import jnn
from jnn import layers

RNG = np.random.default_rng(2)
X = RNG.normal(size=(6, 3)).astype(np.float32)
Y = RNG.normal(size=(6, 2)).astype(np.float32)


class Net(jnn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(4, activation="relu", name="first")
        self.blocks = [layers.Dense(3, name="block_0"), layers.Dense(3, name="block_1")]
        self.drop = layers.Dropout(0.5, name="drop")
        self.head = layers.Dense(2, name="head")

    def call(self, inputs, training=None):
        x = self.first(inputs)
        for block in self.blocks:
            x = block(x)
        x = self.drop(x, training=training)
        return self.head(x)


def _forward_np(model, x):
    def dense(name, v):
        la = model.get_layer(name)
        return v @ la.kernel.numpy() + la.bias.numpy()

    h = np.maximum(dense("first", x), 0)
    h = dense("block_1", dense("block_0", h))
    return dense("head", h)


@pytest.fixture(scope="module")
def net():
    model = Net()
    model.predict(X, verbose=0)  # builds
    return model


def test_layers_in_attributes_and_lists_are_tracked_in_order():
    model = Net(name="my_net")
    assert model.name == "my_net"
    assert not model.built
    assert [la.name for la in model.layers] == ["first", "block_0", "block_1", "drop", "head"]


def test_default_name_is_snake_case_of_class():
    jnn.backend.clear_session()

    class MyFancyNet(jnn.Model):
        def call(self, inputs):
            return inputs

    assert MyFancyNet().name == "my_fancy_net"


def test_built_on_first_data_and_matches_hand_computation(net):
    assert net.built
    assert net.count_params() == (3 * 4 + 4) + (4 * 3 + 3) + (3 * 3 + 3) + (3 * 2 + 2)
    np.testing.assert_allclose(net.predict(X, verbose=0), _forward_np(net, X), atol=1e-5)
    np.testing.assert_allclose(np.asarray(net(X)), _forward_np(net, X), atol=1e-5)


def test_summary_lists_every_layer(net):
    lines = []
    net.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for name in ["first", "block_0", "block_1", "drop", "head"]:
        assert name in text
    assert f"Total params: {net.count_params()}" in text


def test_summary_before_build_raises():
    with pytest.raises(ValueError, match="build"):
        Net().summary()


def test_training_flag_reaches_dropout(net):
    inference = np.asarray(net(X))
    np.testing.assert_allclose(np.asarray(net(X, training=False)), inference, atol=1e-6)
    trained = np.asarray(net(X, training=True))
    assert trained.shape == inference.shape
    assert not np.allclose(trained, inference)
    # inference is deterministic
    np.testing.assert_allclose(net.predict(X, verbose=0), inference, atol=1e-6)


def test_fit_runs_call_with_training_true_and_evaluate_with_false():
    class Offset(jnn.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2, kernel_initializer="zeros")

        def call(self, inputs, training=None):
            return self.dense(inputs) + (1.0 if training else 0.0)

    model = Offset()
    model.compile(optimizer=jnn.optimizers.SGD(learning_rate=0.0), loss="mse")
    zeros = np.zeros((6, 2), np.float32)
    fit_loss = model.fit(X, zeros, epochs=1, verbose=0).history["loss"][0]
    assert fit_loss == pytest.approx(1.0)
    assert model.evaluate(X, zeros, verbose=0) == pytest.approx(0.0)
    np.testing.assert_allclose(model.predict(X, verbose=0), zeros)


def test_get_and_set_weights(net):
    original = net.get_weights()
    assert len(original) == 8
    try:
        net.set_weights([np.zeros_like(w) for w in original])
        np.testing.assert_array_equal(net.predict(X, verbose=0), np.zeros((6, 2)))
        net.get_layer("head").set_weights(
            [np.full(w.shape, 0.5, np.float32) for w in net.get_layer("head").get_weights()]
        )
        np.testing.assert_allclose(net.predict(X, verbose=0), np.full((6, 2), 0.5), atol=1e-6)
        with pytest.raises(ValueError, match="length 7.*expected 8"):
            net.set_weights(original[:7])
    finally:
        net.set_weights(original)
    for got, want in zip(net.get_weights(), original):
        np.testing.assert_array_equal(got, want)


def test_fit_trains_the_subclassed_model():
    model = Net()
    model.compile(optimizer=jnn.optimizers.Adam(learning_rate=0.02), loss="mse")
    before = model.evaluate(X, Y, verbose=0)  # without dropout noise
    hist = model.fit(X, Y, epochs=30, batch_size=6, verbose=0)
    assert len(hist.history["loss"]) == 30
    assert model.evaluate(X, Y, verbose=0) < 0.9 * before
    np.testing.assert_allclose(model.predict(X, verbose=0), _forward_np(model, X), atol=1e-5)


def test_nested_subclassed_model():
    class Outer(jnn.Model):
        def __init__(self):
            super().__init__()
            self.inner = Net(name="inner_net")
            self.out = layers.Dense(1, name="outer_out")

        def call(self, inputs, training=None):
            return self.out(self.inner(inputs, training=training))

    model = Outer()
    pred = model.predict(X, verbose=0)
    assert [la.name for la in model.layers] == ["inner_net", "outer_out"]
    inner = model.inner
    assert model.count_params() == inner.count_params() + 2 + 1
    out = model.get_layer("outer_out")
    want = _forward_np(inner, X) @ out.kernel.numpy() + out.bias.numpy()
    np.testing.assert_allclose(pred, want, atol=1e-5)


def test_model_without_call_raises_clear_error():
    class NoCall(jnn.Model):
        pass

    with pytest.raises(NotImplementedError, match="call"):
        NoCall().predict(X, verbose=0)


def test_positional_args_to_base_init_rejected():
    class Bad(jnn.Model):
        def __init__(self):
            super().__init__("oops")

    with pytest.raises(TypeError, match="positional"):
        Bad()


def test_add_loss_in_call_is_added_to_fit_and_evaluate_losses():
    class WithPenalty(jnn.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2, kernel_initializer="zeros")

        def call(self, inputs, training=None):
            self.add_loss(0.25)
            return self.dense(inputs)

    model = WithPenalty()
    model.compile(optimizer=jnn.optimizers.SGD(learning_rate=0.0), loss="mse")
    ones = np.ones((6, 2), np.float32)
    assert model.evaluate(X, ones, verbose=0) == pytest.approx(1.0 + 0.25)
    assert model.fit(X, ones, epochs=1, verbose=0).history["loss"][0] == pytest.approx(1.25)
