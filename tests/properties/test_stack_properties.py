"""Properties of random Dense/Conv/Pool stacks: declared shapes equal actual ones, jit equals
eager, predict does not depend on the batch size, save/load/predict is the identity."""

from __future__ import annotations

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import jnn
from jnn import layers as L
from tests.properties.stacks import IMAGE, build, stacks

FEW = settings(max_examples=4, deadline=None)


def _layer_variables(variables, name):
    return {"params": variables["params"].get(name, {}), "state": variables["state"].get(name, {})}


@FEW
@given(stack=stacks, batch=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_declared_shapes_equal_actual_and_jit_equals_eager(stack, batch, seed):
    model = build(stack)
    x = np.random.default_rng(seed).normal(size=(batch, *IMAGE)).astype("float32")
    variables = model.init(jax.random.key(seed), x)
    shape, h = (None, *IMAGE), x
    for layer in model.layers:  # each layer's declared shape vs what its apply returns
        shape = tuple(layer.compute_output_shape(shape))
        h = jax.eval_shape(lambda v, a, la=layer: la.apply(v, a)[0],
                           _layer_variables(variables, layer.name), h)  # fmt: skip
        assert (None, *h.shape[1:]) == shape, (layer.name, stack)
    eager = model.apply(variables, x)
    assert tuple(model.compute_output_shape((None, *IMAGE))) == (None, *eager.shape[1:])
    assert eager.shape == h.shape
    np.testing.assert_allclose(jax.jit(model.apply)(variables, x), eager, rtol=1e-5, atol=1e-6)


@FEW
@given(stack=stacks, seed=st.integers(0, 2**16))
def test_save_weights_load_weights_predict_is_identity(stack, seed, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("w") / "m.weights.h5")
    x = np.random.default_rng(seed).normal(size=(2, *IMAGE)).astype("float32")
    jnn.utils.set_random_seed(seed)
    saved, loaded = build(stack), build(stack)
    saved.save_weights(path)
    before = loaded.apply(loaded.variables_tree, x)
    loaded.load_weights(path)
    for a, b in zip(saved.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    expected = saved.apply(saved.variables_tree, x)
    np.testing.assert_array_equal(loaded.apply(loaded.variables_tree, x), expected)
    assert not np.array_equal(before, expected) or not saved.get_weights()[0].any()


def _fixed_model():
    jnn.utils.set_random_seed(3)
    model = jnn.Sequential(
        [
            L.Input(IMAGE),
            L.Conv2D(2, 3, activation="relu"),
            L.BatchNormalization(),
            L.MaxPooling2D(),
            L.Flatten(),
            L.Dropout(0.5),
            L.Dense(3, activation="softmax"),
        ]
    )
    return model


_MODEL = _fixed_model()
_X = np.random.default_rng(0).normal(size=(9, *IMAGE)).astype("float32")
_FULL = np.asarray(_MODEL.apply(_MODEL.variables_tree, _X))


@settings(max_examples=5, deadline=None)
@given(n=st.integers(1, 9), batch_size=st.integers(1, 4))
def test_predict_is_invariant_to_batch_size(n, batch_size):
    got = _MODEL.predict(_X[:n], batch_size=batch_size, verbose=0)
    assert got.shape == (n, 3)
    np.testing.assert_allclose(got, _FULL[:n], rtol=1e-5, atol=1e-6)
