"""``pickle`` / ``copy.deepcopy`` of models (Keras 3 models pickle; joblib and multiprocessing
rely on it)."""

import copy
import pickle

import flax.linen as nn
import numpy as np
import pytest

import jnn

X = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
Y = X.sum(1, keepdims=True)


class _Flax(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.Dense(3)(x)


class _Sub(jnn.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = jnn.layers.Dense(3, activation="relu")
        self.out = jnn.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


@pytest.mark.parametrize("kind", ["sequential", "subclassed", "flax"])
def test_pickled_model_predicts_and_trains_like_the_original(kind):
    jnn.utils.set_random_seed(0)
    if kind == "sequential":
        model = jnn.Sequential([jnn.Input((4,)), jnn.layers.Dense(3), jnn.layers.Dense(1)])
    elif kind == "subclassed":
        model = _Sub()
    else:
        model = jnn.Sequential([jnn.Input((4,)), jnn.layers.FlaxLayer(_Flax()),
                                jnn.layers.Dense(1)])
    model.compile(optimizer=jnn.optimizers.SGD(0.01), loss="mse")
    model.fit(X, Y, epochs=1, verbose=0)
    twin = pickle.loads(pickle.dumps(model))
    assert type(twin) is type(model) and twin is not model
    np.testing.assert_allclose(twin.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)
    # compiled again with the same optimizer: one more epoch (fresh SGD state: no momentum)
    # moves both the same way
    model.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    twin.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(twin.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lambda_layers_pickle_with_their_bytecode():
    """Like Keras's config, the lambda travels as bytecode; unpickling (already arbitrary code
    execution) reads it back without safe_mode's refusal."""
    model = jnn.Sequential([jnn.Input((4,)), jnn.layers.Lambda(lambda x: x * 2)])
    twin = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(twin.predict(X, verbose=0), 2 * X, rtol=1e-6)


def test_deepcopy_is_independent():
    model = jnn.Sequential([jnn.Input((4,)), jnn.layers.Dense(1)])
    model.compile("sgd", "mse")
    twin = copy.deepcopy(model)
    twin.fit(X, Y, epochs=1, verbose=0)
    assert not np.allclose(twin.get_weights()[0], model.get_weights()[0])
