"""``jnn.ops`` on symbolic KerasTensors: graph nodes, summary, config and .keras round trips."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import jnn
from jnn import ops


def _model():
    jnn.backend.clear_session()
    x = jnn.Input(shape=(4,), name="x")
    h = jnn.layers.Dense(6, name="dense")(x)
    a, b = ops.split(ops.relu(h), 2, axis=-1)
    s = ops.sum(ops.square(a), axis=-1, keepdims=True)
    first = ops.get_item(b, (slice(None), slice(0, 1)))
    c = ops.concatenate([s, ops.add(first, np.array([0.5], "float32"))], axis=-1)
    out = ops.nn.softmax(ops.multiply(c, 2.0), axis=-1)
    return jnn.Model(x, out)


def _reference(model, x):
    w, bias = model.get_layer("dense").get_weights()
    h = np.maximum(x @ w + bias, 0)
    a, b = h[:, :3], h[:, 3:]
    c = np.concatenate([(a**2).sum(-1, keepdims=True), b[:, :1] + 0.5], -1) * 2
    e = np.exp(c - c.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_ops_on_keras_tensors_build_a_functional_model():
    model = _model()
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x), rtol=1e-5)
    assert model.output.shape == (None, 2)
    names = [type(la).__name__ for la in model.layers]
    for op_class in ("Relu", "Split", "Sum", "Square", "GetItem", "Add", "Concatenate",
                     "Multiply", "Softmax"):  # fmt: skip
        assert op_class in names
    assert model.count_params() == 4 * 6 + 6


def test_summary_names_op_nodes_like_keras(capsys):
    _model().summary()
    text = capsys.readouterr().out
    assert "relu (Relu)" in text and "get_item (GetItem)" in text and "sum (Sum)" in text


def test_config_round_trip_rebuilds_op_nodes_by_name():
    model = _model()
    config = model.get_config()
    layer_configs = {la["class_name"]: la for la in config["layers"]}
    assert layer_configs["Relu"]["config"]["op"] == "nn.relu"
    assert layer_configs["Sum"]["config"]["kwargs"] == {"axis": -1, "keepdims": True}
    clone = jnn.Model.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_keras_file_round_trip(tmp_path):
    model = _model()
    path = tmp_path / "ops.keras"
    model.save(path)
    loaded = jnn.saving.load_model(path)
    x = np.linspace(0, 1, 8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)  # fmt: skip
    assert "get_item" in [la.name for la in loaded.layers]


def test_gradients_flow_through_op_nodes():
    x_in = jnn.Input(shape=(3,))
    y = ops.sum(ops.tanh(jnn.layers.Dense(2)(x_in)), axis=-1, keepdims=True)
    model = jnn.Model(x_in, y)
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()[0].copy()
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0, epochs=1)
    assert not np.allclose(model.get_weights()[0], before)


def test_static_questions_answer_from_the_keras_tensor():
    x = jnn.Input(shape=(5, 2))
    assert ops.shape(x) == (None, 5, 2)
    assert ops.ndim(x) == 3
    assert ops.dtype(x) == "float32"
    y = ops.cast(x, "int32")
    assert y.dtype == jnp.int32 and y.shape == (None, 5, 2)
    z = ops.reshape(x, (-1, 10))
    assert z.shape == (None, 10)


def test_a_python_function_argument_cannot_be_saved_and_says_so():
    x = jnn.Input(shape=(3,))
    y = ops.vectorized_map(lambda row: row * 2, x)
    model = jnn.Model(x, y)
    np.testing.assert_allclose(model.predict(np.ones((2, 3), "float32"), verbose=0), 2.0)
    with pytest.raises(ValueError, match="Lambda"):
        model.get_config()


def test_op_errors_on_symbolic_inputs_name_the_op():
    x = jnn.Input(shape=(3,))
    with pytest.raises((ValueError, TypeError), match="matmul"):
        ops.matmul(x, jnn.Input(shape=(4,)))


def test_python_operators_on_keras_tensors_are_op_nodes(tmp_path):
    jnn.backend.clear_session()
    x = jnn.Input(shape=(4,))
    y = (-x[:, :2]) ** 2 @ np.eye(2, dtype="float32")
    z = ops.cast((x[:, 2:] > 0) & (x[:, 2:] < 5), "float32")
    model = jnn.Model(x, [y, z])
    data = np.array([[1.0, 2.0, 3.0, -4.0]], "float32")
    got_y, got_z = model.predict(data, verbose=0)
    np.testing.assert_allclose(got_y, [[1.0, 4.0]])
    np.testing.assert_allclose(got_z, [[1.0, 0.0]])
    model.save(tmp_path / "operators.keras")  # saved by op name: loads in safe mode
    loaded = jnn.saving.load_model(tmp_path / "operators.keras")
    np.testing.assert_allclose(loaded.predict(data, verbose=0)[0], got_y)
    with pytest.raises(TypeError, match="iterated"):
        list(x)


@pytest.mark.conformance
def test_symbolic_output_specs_match_keras():
    keras = pytest.importorskip("keras")
    calls = [
        ("relu", lambda o, a, b: o.relu(a)),
        ("sum", lambda o, a, b: o.sum(a, axis=1)),
        ("mean", lambda o, a, b: o.mean(o.cast(a, "int32"), axis=-1, keepdims=True)),
        ("matmul", lambda o, a, b: o.matmul(a, b)),
        ("concatenate", lambda o, a, b: o.concatenate([a, a], axis=-1)),
        ("reshape", lambda o, a, b: o.reshape(a, (-1, 2, 3))),
        ("expand_dims", lambda o, a, b: o.expand_dims(a, 1)),
        ("transpose", lambda o, a, b: o.transpose(a, (0, 2, 1))),
        ("argmax", lambda o, a, b: o.argmax(a, axis=-1)),
        ("one_hot", lambda o, a, b: o.one_hot(o.cast(a, "int32"), 4)),
        ("where", lambda o, a, b: o.where(o.greater(a, 0), a, 0.0)),
        ("softmax", lambda o, a, b: o.softmax(a, axis=1)),
        ("take", lambda o, a, b: o.take(a, np.array([0, 1]), axis=2)),
    ]
    for name, fn in calls:
        a_k, b_k = keras.Input((5, 6)), keras.Input((6, 2))
        a_j, b_j = jnn.Input(shape=(5, 6)), jnn.Input(shape=(6, 2))
        theirs = fn(keras.ops, a_k, b_k)
        ours = fn(ops, a_j, b_j)
        assert tuple(ours.shape) == tuple(theirs.shape), name
        assert np.dtype(ours.dtype).name == theirs.dtype, name


def test_value_dependent_ops_on_symbolic_inputs_say_why():
    x = jnn.Input(shape=(3,))
    with pytest.raises(ValueError, match="depends on the values"):
        ops.nonzero(x)
    assert ops.unique(ops.cast(x, "int32"), size=4).shape == (4,)  # static size: fine
