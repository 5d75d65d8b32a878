"""Sequential models: structure, building, names, weights and freezing (Keras semantics)."""

import jax
import numpy as np
import pytest

import jnn
from jnn import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype(np.float32)
Y = RNG.normal(size=(12, 2)).astype(np.float32)


def _two_dense(**first_kwargs):
    return jnn.Sequential([layers.Dense(4, activation="relu", **first_kwargs), layers.Dense(2)])


# --- structure ---------------------------------------------------------------------------------


def test_add_layers_inputs_outputs_shapes_and_count_params():
    model = jnn.Sequential()
    model.add(layers.Dense(4, input_dim=3, name="hidden"))
    model.add(layers.Dense(2, name="out"))
    assert [la.name for la in model.layers] == ["hidden", "out"]
    assert model.input_shape == (None, 3)
    assert model.output_shape == (None, 2)
    assert len(model.inputs) == 1 and len(model.outputs) == 1
    assert model.inputs[0].shape == (None, 3)
    assert model.outputs[0].shape == (None, 2)
    assert model.count_params() == (3 * 4 + 4) + (4 * 2 + 2)


def test_add_rejects_non_layers():
    model = jnn.Sequential()
    with pytest.raises(TypeError, match="instance of class Layer.*received"):
        model.add("dense")


def test_pop_removes_last_layer_and_rebuilds():
    model = _two_dense(input_shape=(3,))
    last = model.layers[-1]
    assert model.pop() is last
    assert [la.name for la in model.layers] == [model.layers[0].name]
    assert model.output_shape == (None, 4)
    assert model.count_params() == 3 * 4 + 4
    assert model.predict(X, verbose=0).shape == (12, 4)


def test_pop_on_empty_model_raises():
    with pytest.raises(TypeError, match="no layers"):
        jnn.Sequential().pop()


def test_get_layer_by_name_and_index():
    a, b = layers.Dense(4, input_dim=3, name="a"), layers.Dense(2, name="b")
    model = jnn.Sequential([a, b])
    assert model.get_layer("a") is a
    assert model.get_layer("b") is b
    assert model.get_layer(index=0) is a
    assert model.get_layer(index=1) is b
    assert model.get_layer(index=-1) is b
    with pytest.raises(ValueError, match="No such layer: c"):
        model.get_layer("c")
    with pytest.raises(ValueError, match="index 5.*2 layers"):
        model.get_layer(index=5)


# --- building ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: _two_dense(input_dim=3),
        lambda: _two_dense(input_shape=(3,)),
        lambda: jnn.Sequential([jnn.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)]),
        lambda: jnn.Sequential([layers.InputLayer(shape=(3,)), layers.Dense(4), layers.Dense(2)]),
    ],
    ids=["input_dim", "input_shape", "Input", "InputLayer"],
)
def test_built_as_soon_as_input_shape_known(make):
    model = make()
    assert model.built
    assert model.input_shape == (None, 3)
    assert model.count_params() == 26
    assert sorted(w.shape for w in model.layers[0].weights) == [(3, 4), (4,)]


def test_input_layer_is_not_listed_in_layers():
    model = jnn.Sequential([jnn.Input(shape=(3,)), layers.Dense(2, name="only")])
    assert [la.name for la in model.layers] == ["only"]


def test_deferred_build_until_fit():
    model = _two_dense()
    assert not model.built
    assert model.weights == []
    with pytest.raises(ValueError, match="build"):
        model.count_params()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=1, batch_size=6, verbose=0)
    assert model.built
    assert model.input_shape == (None, 3)
    assert model.count_params() == 26


def test_deferred_build_until_predict():
    model = _two_dense()
    out = model.predict(X, verbose=0)
    assert model.built
    assert out.shape == (12, 2)
    assert model.output_shape == (None, 2)


def test_deferred_build_with_build_method():
    model = _two_dense()
    model.build((None, 3))
    assert model.built
    assert model.count_params() == 26
    assert model.predict(X, verbose=0).shape == (12, 2)


def test_build_without_shape_raises_clear_error():
    with pytest.raises(ValueError, match="input_shape"):
        _two_dense().build()


def test_summary_on_unbuilt_model_mentions_build():
    model = _two_dense()
    with pytest.raises(ValueError, match="build"):
        model.summary()


def test_summary_on_built_model_lists_layers():
    model = _two_dense(input_dim=3)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for la in model.layers:
        assert la.name in text
    assert "Total params: 26" in text


# --- automatic names ---------------------------------------------------------------------------


def test_automatic_names_after_clear_session():
    jnn.backend.clear_session()
    first = jnn.Sequential([layers.Dense(2, input_dim=3), layers.Dense(1)])
    second = jnn.Sequential([layers.Dense(2, input_dim=3)])
    assert first.name == "sequential"
    assert second.name == "sequential_1"
    assert [la.name for la in first.layers] == ["dense", "dense_1"]
    assert second.layers[0].name == "dense_2"
    jnn.backend.clear_session()
    assert jnn.Sequential().name == "sequential"
    assert layers.Dense(1).name == "dense"


def test_duplicate_user_names_rejected():
    model = jnn.Sequential([layers.Dense(2, input_dim=3, name="same")])
    with pytest.raises(ValueError, match="unique names.*'same'"):
        model.add(layers.Dense(2, name="same"))


# --- weights -----------------------------------------------------------------------------------


def test_weights_lists_and_names():
    model = _two_dense(input_dim=3)
    assert len(model.weights) == 4
    assert len(model.trainable_weights) == 4
    assert model.non_trainable_weights == []
    assert sorted(w.name for w in model.layers[0].weights) == ["bias", "kernel"]
    assert model.layers[0].kernel.shape == (3, 4)
    assert model.layers[0].bias.shape == (4,)


def test_weights_in_keras_order_kernel_then_bias():
    model = _two_dense(input_dim=3)
    assert [w.name for w in model.weights] == ["kernel", "bias", "kernel", "bias"]
    assert [w.shape for w in model.get_weights()] == [(3, 4), (4,), (4, 2), (2,)]
    assert [w.name for w in model.layers[0].weights] == ["kernel", "bias"]


@pytest.mark.conformance
def test_get_and_set_weights_interchange_with_keras():
    keras = pytest.importorskip("keras")
    with jax.numpy_rank_promotion("allow"):  # Keras relies on implicit rank promotion
        k = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)]
        )
        want = np.asarray(k(X))
    model = _two_dense(input_dim=3)
    assert [w.shape for w in model.get_weights()] == [w.shape for w in k.get_weights()]
    model.set_weights(k.get_weights())
    np.testing.assert_allclose(model.predict(X, verbose=0), want, atol=1e-5)
    with jax.numpy_rank_promotion("allow"):
        k.set_weights([w * 2 for w in model.get_weights()])
        want2 = np.asarray(k(X))
    model.set_weights([w * 2 for w in model.get_weights()])
    np.testing.assert_allclose(model.predict(X, verbose=0), want2, atol=1e-5)


def test_standalone_layer_weights_in_keras_order():
    dense = layers.Dense(2)
    dense(np.ones((1, 3), np.float32))
    assert [w.name for w in dense.weights] == ["kernel", "bias"]
    assert [w.shape for w in dense.get_weights()] == [(3, 2), (2,)]


def test_set_weights_roundtrip_model_and_layer():
    model = _two_dense(input_dim=3)
    new = [RNG.normal(size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    layer_new = [np.full(w.shape, 0.5, np.float32) for w in model.layers[1].get_weights()]
    model.layers[1].set_weights(layer_new)
    np.testing.assert_array_equal(model.get_weights()[2], layer_new[0])
    # predict uses the new weights: hand computation with relu hidden layer.
    by_name = {w.path: w.numpy() for w in model.weights}
    names = [la.name for la in model.layers]
    hidden = np.maximum(X @ by_name[f"{names[0]}/kernel"] + by_name[f"{names[0]}/bias"], 0)
    want = hidden @ by_name[f"{names[1]}/kernel"] + by_name[f"{names[1]}/bias"]
    np.testing.assert_allclose(model.predict(X, verbose=0), want, rtol=1e-5, atol=1e-5)


def test_set_weights_checks_count_and_shape():
    model = _two_dense(input_dim=3)
    weights = model.get_weights()
    with pytest.raises(ValueError, match="length 3.*expected 4"):
        model.set_weights(weights[:3])
    bad = [np.zeros((7, 7), np.float32)] + weights[1:]
    with pytest.raises(ValueError, match=r"shape.*\(7, 7\)"):
        model.set_weights(bad)
    with pytest.raises(ValueError, match="length 1.*expected 2"):
        model.layers[0].set_weights(weights[:1])
    # nothing was written by the failed calls
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_layer_of_built_model_called_on_numpy_uses_model_weights():
    model = _two_dense(input_dim=3)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    hidden = model.layers[0]
    k, b = hidden.kernel.numpy(), hidden.bias.numpy()
    np.testing.assert_allclose(np.asarray(hidden(X)), np.maximum(X @ k + b, 0), atol=1e-5)
    out = model.layers[1](hidden(X))
    np.testing.assert_allclose(np.asarray(out), model.predict(X, verbose=0), atol=1e-5)


def test_standalone_dropout_training_true():
    x = np.ones((50, 40), np.float32)
    out = np.asarray(layers.Dropout(0.5)(x, training=True))
    kept = out != 0
    # inverted dropout: survivors scaled by 1 / (1 - rate)
    np.testing.assert_allclose(out[kept], 2.0)
    assert 0.35 < kept.mean() < 0.65
    np.testing.assert_array_equal(np.asarray(layers.Dropout(0.5)(x)), x)
    np.testing.assert_array_equal(np.asarray(layers.Dropout(0.5)(x, training=False)), x)


# --- freezing ----------------------------------------------------------------------------------


def test_trainable_false_moves_weights_and_freezes_them_in_fit():
    model = _two_dense(input_dim=3)
    frozen = model.layers[0]
    frozen.trainable = False
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 2
    assert {w.layer_name for w in model.non_trainable_weights} == {frozen.name}
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2
    before_frozen = [w.copy() for w in frozen.get_weights()]
    before_other = [w.copy() for w in model.layers[1].get_weights()]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=3, batch_size=4, verbose=0)
    for got, want in zip(frozen.get_weights(), before_frozen):
        np.testing.assert_array_equal(got, want)
    changed = [not np.allclose(g, w) for g, w in zip(model.layers[1].get_weights(), before_other)]
    assert all(changed)


def test_model_trainable_false_makes_all_weights_non_trainable():
    model = _two_dense(input_dim=3)
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == 4


def test_pop_and_add_keep_the_weights_of_remaining_layers():
    model = _two_dense(input_dim=3)
    kernel = model.layers[0].kernel.numpy().copy()
    model.pop()
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    model.add(layers.Dense(5))
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    assert model.output_shape == (None, 5)
    assert model.count_params() == (3 * 4 + 4) + (4 * 5 + 5)


@pytest.fixture(scope="module")
def nested():
    inner = jnn.Sequential([layers.Dense(4, activation="relu")], name="inner_block")
    outer = jnn.Sequential([layers.Dense(3, input_dim=3), inner, layers.Dense(2)])
    return outer, inner


def test_sequential_inside_sequential(nested):
    outer, inner = nested
    assert [la.name for la in outer.layers][1] == "inner_block"
    assert outer.count_params() == (3 * 3 + 3) + (3 * 4 + 4) + (4 * 2 + 2)
    assert len(outer.weights) == 6
    first, last = outer.layers[0], outer.layers[2]
    h = X @ first.kernel.numpy() + first.bias.numpy()
    dense = inner.layers[0]
    h = np.maximum(h @ dense.kernel.numpy() + dense.bias.numpy(), 0)
    want = h @ last.kernel.numpy() + last.bias.numpy()
    np.testing.assert_allclose(outer.predict(X, verbose=0), want, atol=1e-5)


def test_frozen_nested_model_is_not_trained(nested):
    outer, inner = nested
    inner.trainable = False
    try:
        outer.compile(optimizer="sgd", loss="mse")
        before_inner = inner.get_weights()
        before_last = outer.layers[2].get_weights()
        outer.fit(X, Y, epochs=2, batch_size=4, verbose=0)
        for got, want in zip(inner.get_weights(), before_inner):
            np.testing.assert_array_equal(got, want)
        assert not np.allclose(outer.layers[2].get_weights()[0], before_last[0])
    finally:
        inner.trainable = True


def test_frozen_nested_model_weights_are_non_trainable(nested):
    outer, inner = nested
    inner.trainable = False
    try:
        assert inner.layers[0].trainable is False  # Keras propagates the flag
        assert len(outer.trainable_weights) == 4
        assert len(outer.non_trainable_weights) == 2
    finally:
        inner.trainable = True


def test_model_trainable_false_freezes_everything_in_fit():
    model = _two_dense(input_dim=3)
    model.trainable = False
    before = model.get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=1, batch_size=4, verbose=0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)
