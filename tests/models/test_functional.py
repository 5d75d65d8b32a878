"""Functional models: shared layers, nested models, feature extractors and graph errors."""

import numpy as np
import pytest

import jnn
from jnn import layers

RNG = np.random.default_rng(1)
XA = RNG.normal(size=(8, 3)).astype(np.float32)
XB = RNG.normal(size=(8, 2)).astype(np.float32)
Y = RNG.normal(size=(8, 1)).astype(np.float32)


def _dense_np(layer, x, act=lambda v: v):
    return act(x @ layer.kernel.numpy() + layer.bias.numpy())


@pytest.fixture(scope="module")
def two_input_model():
    ia = jnn.Input(shape=(3,), name="in_a")
    ib = jnn.Input(shape=(2,), name="in_b")
    ha = layers.Dense(4, activation="relu", name="branch_a")(ia)
    hb = layers.Dense(4, activation="relu", name="branch_b")(ib)
    out = layers.Dense(1, name="head")(ha + hb)
    return jnn.Model([ia, ib], out)


def test_structure_of_a_two_input_model(two_input_model):
    model = two_input_model
    assert model.input_names == ["in_a", "in_b"]
    assert model.input_shape == [(None, 3), (None, 2)]
    assert model.output_shape == (None, 1)
    assert isinstance(model.input, list) and len(model.input) == 2
    assert model.get_layer("branch_a").kernel.shape == (3, 4)
    assert model.count_params() == (3 * 4 + 4) + (2 * 4 + 4) + (4 + 1)


def test_two_input_predict_matches_hand_computation(two_input_model):
    model = two_input_model
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    h = _dense_np(model.get_layer("branch_a"), XA, relu) + _dense_np(
        model.get_layer("branch_b"), XB, relu
    )
    want = _dense_np(model.get_layer("head"), h)
    np.testing.assert_allclose(model.predict([XA, XB], verbose=0), want, atol=1e-5)
    # a dict keyed by input name is matched by name
    got = model.predict({"in_b": XB, "in_a": XA}, verbose=0)
    np.testing.assert_allclose(got, want, atol=1e-5)
    # calling the model on data
    np.testing.assert_allclose(np.asarray(model([XA, XB])), want, atol=1e-5)


def test_shared_layer_shares_weights():
    shared = layers.Dense(2, name="shared")
    ia, ib = jnn.Input(shape=(3,)), jnn.Input(shape=(3,))
    out = shared(ia) - shared(ib)
    model = jnn.Model([ia, ib], out)
    assert model.count_params() == 3 * 2 + 2
    assert len(model.weights) == 2
    got = model.predict([XA, XA * 2], verbose=0)
    want = _dense_np(shared, XA) - _dense_np(shared, XA * 2)
    np.testing.assert_allclose(got, want, atol=1e-5)
    # training through both branches updates the single shared kernel
    model.compile(optimizer="sgd", loss="mse")
    before = shared.kernel.numpy()
    model.fit([XA, XA * 2], np.ones_like(got), epochs=1, verbose=0)
    assert not np.allclose(shared.kernel.numpy(), before)
    assert len(model.weights) == 2


def test_model_as_a_layer_inside_another_model():
    inner_in = jnn.Input(shape=(3,))
    inner = jnn.Model(
        inner_in, layers.Dense(2, activation="tanh", name="inner_dense")(inner_in), name="inner"
    )
    outer_in = jnn.Input(shape=(3,))
    outer = jnn.Model(outer_in, layers.Dense(1, name="outer_head")(inner(outer_in)))
    assert [la.name for la in outer.layers][1:] == ["inner", "outer_head"]
    assert outer.count_params() == (3 * 2 + 2) + (2 + 1)
    hidden = _dense_np(inner.get_layer("inner_dense"), XA, np.tanh)
    want = _dense_np(outer.get_layer("outer_head"), hidden)
    np.testing.assert_allclose(outer.predict(XA, verbose=0), want, atol=1e-5)
    # training the outer model trains the nested model's weights, visible from `inner`
    before = inner.get_weights()
    outer.compile(optimizer="sgd", loss="mse")
    outer.fit(XA, Y, epochs=2, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(inner.get_weights(), before))
    np.testing.assert_allclose(
        inner.predict(XA, verbose=0),
        _dense_np(inner.get_layer("inner_dense"), XA, np.tanh),
        atol=1e-5,
    )


def test_sequential_inside_functional():
    block = jnn.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)], name="block")
    inp = jnn.Input(shape=(3,))
    model = jnn.Model(inp, block(inp))
    assert model.count_params() == (3 * 4 + 4) + (4 * 2 + 2)
    assert model.predict(XA, verbose=0).shape == (8, 2)
    np.testing.assert_allclose(
        model.predict(XA, verbose=0), block.predict(XA, verbose=0), atol=1e-6
    )


def test_feature_extractor_uses_trained_weights():
    inp = jnn.Input(shape=(3,))
    h = layers.Dense(5, activation="relu", name="features")(inp)
    out = layers.Dense(1, name="out")(h)
    model = jnn.Model(inp, out)
    model.compile(optimizer="adam", loss="mse")
    model.fit(XA, Y, epochs=3, verbose=0)
    extractor = jnn.Model(model.input, model.get_layer("features").output)
    feats = extractor.predict(XA, verbose=0)
    want = _dense_np(model.get_layer("features"), XA, lambda v: np.maximum(v, 0))
    np.testing.assert_allclose(feats, want, atol=1e-5)
    # further training of the full model is seen by the extractor (same layer objects)
    model.fit(XA, Y, epochs=2, verbose=0)
    want2 = _dense_np(model.get_layer("features"), XA, lambda v: np.maximum(v, 0))
    np.testing.assert_allclose(extractor.predict(XA, verbose=0), want2, atol=1e-5)


# --- graph errors ---------------------------------------------------------------------------------


def test_graph_disconnected_error_names_the_missing_input():
    ia = jnn.Input(shape=(3,), name="first")
    ib = jnn.Input(shape=(3,), name="second")
    out = layers.Dense(1)(ia + ib)
    with pytest.raises(ValueError, match="Graph disconnected.*second"):
        jnn.Model(ia, out)


def test_wrong_number_of_inputs(two_input_model):
    with pytest.raises(ValueError, match=r"expects 2 input.*received 1"):
        two_input_model.predict([XA], verbose=0)
    with pytest.raises(ValueError, match="expects 2 inputs.*single tensor"):
        two_input_model.predict(XA, verbose=0)
    with pytest.raises(ValueError, match=r"expects 2 input.*received 3"):
        two_input_model.predict([XA, XB, XB], verbose=0)


def test_dict_missing_an_input(two_input_model):
    with pytest.raises(ValueError, match=r"missing data for input\(s\) \['in_b'\]"):
        two_input_model.predict({"in_a": XA}, verbose=0)


def test_wrong_feature_size_names_expected_and_received(two_input_model):
    with pytest.raises(ValueError, match=r"expected shape \(None, 2\).*\(None, 5\)"):
        two_input_model.predict([XA, np.zeros((8, 5), np.float32)], verbose=0)


def test_duplicate_layer_names_in_functional_model():
    inp = jnn.Input(shape=(3,))
    h = layers.Dense(2, name="twin")(inp)
    out = layers.Dense(1, name="twin")(h)
    with pytest.raises(ValueError, match="'twin' is used 2 times"):
        jnn.Model(inp, out)


def test_model_inputs_must_be_inputs():
    inp = jnn.Input(shape=(3,))
    h = layers.Dense(2)(inp)
    with pytest.raises(ValueError, match="must come from jnn.Input"):
        jnn.Model(h, layers.Dense(1)(h))
    with pytest.raises(TypeError, match="KerasTensor"):
        jnn.Model(XA, inp)


def test_automatic_names_of_inputs_and_models():
    jnn.backend.clear_session()
    first = jnn.Input(shape=(2,))
    second = jnn.Input(shape=(2,))
    assert (first.name, second.name) == ("input_1", "input_2")
    model = jnn.Model(first, layers.Dense(1)(first))
    other = jnn.Model(second, layers.Dense(1)(second))
    assert (model.name, other.name) == ("model", "model_1")
    assert [la.name for la in model.layers] == ["input_1", "dense"]
    assert other.layers[1].name == "dense_1"


@pytest.fixture(scope="module")
def one_output_in_a_list():
    inp = jnn.Input(shape=(3,))
    model = jnn.Model(inp, [layers.Dense(1, name="single")(inp)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_single_output_in_a_list_trains_on_plain_targets(one_output_in_a_list):
    model = one_output_in_a_list
    pred = _dense_np(model.get_layer("single"), XA)
    assert model.evaluate(XA, Y, verbose=0) == pytest.approx(np.mean((pred - Y) ** 2), rel=1e-5)


def test_single_output_in_a_list_predicts_an_array(one_output_in_a_list):
    out = one_output_in_a_list.predict(XA, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (8, 1)


def test_single_output_accepts_targets_in_a_one_element_list(one_output_in_a_list):
    model = one_output_in_a_list
    assert model.evaluate(XA, [Y], verbose=0) == pytest.approx(
        model.evaluate(XA, Y, verbose=0), rel=1e-6
    )
