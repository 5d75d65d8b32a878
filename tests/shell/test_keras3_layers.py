"""Keras 3 top-level names and custom layers written the Keras 3 way, with Keras as the oracle.

Each test builds the same thing in jnn and in Keras 3 (``KERAS_BACKEND=jax``) and compares.
"""

import os

import jax.numpy as jnp
import numpy as np
import pytest

import jnn

# Keras's own layers broadcast biases (x @ w + b): user code, outside the strict rank rule.
pytestmark = [pytest.mark.conformance, pytest.mark.user_code]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _both(keras):
    return (("jnn", jnn), ("keras", keras))


# --- jnn.Variable ----------------------------------------------------------------------------------
def _variable_story(lib):
    v = lib.Variable(np.array([1.0, 2.0], np.float32), name="v")
    out = {"name": v.name, "shape": tuple(v.shape), "dtype": str(v.dtype),
           "trainable": v.trainable, "value": np.asarray(v.value).tolist()}
    v.assign(np.array([3.0, 4.0], np.float32))
    v.assign_add(np.ones(2, np.float32))
    v.assign_sub(np.array([0.5, 0.5], np.float32))
    out["after"] = v.numpy().tolist()
    out["array"] = np.asarray(v).tolist()
    out["ops"] = [np.asarray(e).tolist() for e in
                  (v + 1, 2 * v, v - 1, 1 - v, v / 2, -v, v ** 2, v[0], jnp.asarray(v) * 1)]
    out["matmul"] = np.asarray(np.ones((1, 2), np.float32) @ v).tolist()
    w = lib.Variable(initializer="ones", shape=(2, 3), dtype="float32", trainable=False)
    out["init"] = (w.numpy().tolist(), w.trainable)
    return out


def test_variable_api_matches_keras(keras):
    assert _variable_story(jnn) == _variable_story(keras)


def test_layer_weights_are_variables_bound_to_the_layer(keras):
    layer = jnn.layers.Dense(2, kernel_initializer="ones")
    layer.build((None, 3))
    assert isinstance(layer.kernel, jnn.Variable)
    assert (layer.kernel.path, layer.bias.path) == (f"{layer.name}/kernel", f"{layer.name}/bias")
    layer.kernel.assign(np.full((3, 2), 2.0, np.float32))  # writes into the layer's store
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)), [[6.0, 6.0]])
    with pytest.raises(ValueError, match="shape"):
        layer.kernel.assign(np.ones((2, 2), np.float32))


# --- Dense(64).build(...) and add_weight in __init__ ---------------------------------------
def _layers_story(lib):
    class Scale(lib.layers.Layer):  # weights declared in __init__
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = self.add_weight(shape=(3,), initializer="ones", name="w")
            self.c = self.add_variable((), "zeros", trainable=False, name="c")

        def call(self, x):
            return x * self.w

    class Lin(lib.layers.Layer):  # weights declared in build, built directly
        def build(self, input_shape):
            self.k = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="k")

        def call(self, x):
            return x @ self.k

    dense = lib.layers.Dense(64)
    dense.build((None, 784))
    lin = Lin()
    lin.build((None, 5))
    scale = Scale()
    out = scale(np.full((2, 3), 2.0, np.float32))
    return {
        "dense": [w.shape for w in dense.get_weights()],
        "dense_built": dense.built,
        "lin": [w.shape for w in lin.get_weights()],
        "lin_out": np.asarray(lin(np.ones((1, 5), np.float32))).tolist(),
        "scale": np.asarray(out).tolist(),
        "scale_weights": [(w.name, tuple(w.shape), w.trainable) for w in scale.weights],
        "handle": scale.w.numpy().tolist(),
    }


def test_build_directly_and_add_weight_in_init_match_keras(keras):
    assert _layers_story(jnn) == _layers_story(keras)


# --- masks ------------------------------------------------------------------------------------
def _mask_story(lib):
    seen = {}

    class Seen(lib.layers.Layer):
        supports_masking = True

        def call(self, x, mask=None):
            seen["mask"] = mask
            return x * 2

    emb = lib.layers.Embedding(10, 3, mask_zero=True)
    ids = np.array([[1, 2, 0, 0]])
    out = Seen()(emb(ids))
    eager = (np.asarray(seen["mask"]).tolist(), np.asarray(out._keras_mask).tolist())
    inp = lib.Input((4,), dtype="int32")
    model = lib.Model(inp, Seen()(lib.layers.Embedding(10, 3, mask_zero=True)(inp)))
    seen.clear()
    model.predict(ids, verbose=0)
    # symbolic: the mask travels with the KerasTensors and can be an output of the graph
    e = lib.layers.Embedding(10, 3, mask_zero=True)(inp)
    d = lib.layers.Dense(2)(e)
    masks = [getattr(t, "_keras_mask", None) for t in (inp, e, d)]
    symbolic = [None if m is None else (tuple(m.shape), str(m.dtype)) for m in masks]
    mask_model = lib.Model(inp, d._keras_mask)
    return (eager, seen.get("mask") is not None, symbolic,
            np.asarray(mask_model.predict(ids, verbose=0)).tolist())


def test_custom_layer_receives_the_mask_as_in_keras(keras):
    assert _mask_story(jnn) == _mask_story(keras)


# --- assign inside call ---------------------------------------------------------------------
def _counter_story(lib):
    class Counter(lib.layers.Layer):
        def build(self, input_shape):
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="count")
            self.total = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="total")

        def call(self, x, training=None):
            if training:
                self.count.assign_add(1.0)
                self.total.assign(self.total + x.sum())
            return x * 1.0

    inp = lib.Input((2,))
    counter = Counter()
    model = lib.Model(inp, lib.layers.Dense(1)(counter(inp)))
    model.compile("sgd", "mse")
    model.fit(np.ones((6, 2), np.float32), np.ones((6, 1), np.float32), batch_size=2, epochs=2,
              verbose=0)
    return float(counter.count.numpy()), float(counter.total.numpy())


def test_non_trainable_weight_assigned_in_call_is_state_updated_by_fit(keras):
    assert _counter_story(jnn) == _counter_story(keras) == (6.0, 24.0)


# --- variable-length Conv1D -----------------------------------------------------------------------
def test_variable_length_conv1d_matches_keras(keras):
    outs = {}
    weights = None
    for name, lib in _both(keras):
        inp = lib.Input(shape=(None, 10))
        model = lib.Model(inp, lib.layers.Conv1D(4, 3)(inp))
        if weights is None:
            weights = model.get_weights()
        else:
            model.set_weights(weights)
        x = np.random.default_rng(0).normal(size=(2, 9, 10)).astype(np.float32)
        outs[name] = [model.predict(x[:, :n], verbose=0) for n in (5, 9)]
    for a, b in zip(outs["jnn"], outs["keras"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# --- add_loss -------------------------------------------------------------------------------
def _add_loss_model(lib):
    class ActivityPenalty(lib.layers.Layer):
        def call(self, x):
            self.add_loss(0.5 * (x ** 2).mean() if lib is jnn else
                          0.5 * lib.ops.mean(x ** 2))
            return x

    inp = lib.Input((3,))
    h = lib.layers.Dense(4)(inp)
    model = lib.Model(inp, lib.layers.Dense(2)(ActivityPenalty()(h)))
    return model, ActivityPenalty


def test_add_loss_only_model_fits_like_keras_with_and_without_y(keras):
    x = np.random.default_rng(1).normal(size=(12, 3)).astype(np.float32)
    y = np.zeros((12, 2), np.float32)
    histories, weights = {}, None
    for name, lib in _both(keras):
        model, penalty = _add_loss_model(lib)
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        model.compile(lib.optimizers.SGD(0.1))  # no loss: the add_loss terms are the loss
        h1 = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        h2 = model.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
        layer = penalty()
        layer(np.ones((2, 3), np.float32))
        histories[name] = (h1.history["loss"] + h2.history["loss"],
                           [float(v) for v in layer.losses])
    np.testing.assert_allclose(histories["jnn"][0], histories["keras"][0], rtol=2e-5)
    np.testing.assert_allclose(histories["jnn"][1], histories["keras"][1], rtol=1e-6)


def test_compile_without_loss_and_without_add_loss_is_a_clear_error():
    model = jnn.Sequential([jnn.Input((3,)), jnn.layers.Dense(1)])
    model.compile("sgd")
    with pytest.raises(ValueError, match="loss"):
        model.fit(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32), verbose=0)


# --- serialization ---------------------------------------------------------------------------
def test_registered_function_is_stored_as_package_name_and_found_again(keras, tmp_path):
    @jnn.saving.register_keras_serializable(package="my_package", name="custom_fn")
    def custom_fn(x):
        return x * 2

    @keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
    def keras_fn(x):
        return x * 2

    assert jnn.saving.serialize_keras_object(custom_fn) == \
        keras.saving.serialize_keras_object(keras_fn)
    inp = jnn.Input((3,))
    model = jnn.Model(inp, jnn.layers.Dense(2, activation=custom_fn)(inp))
    assert model.get_config()["layers"][1]["config"]["activation"] == "my_package>custom_fn"
    x = np.ones((1, 3), np.float32)
    expected = model.predict(x, verbose=0)
    rebuilt = jnn.Model.from_config(model.get_config())
    assert rebuilt.layers[1].activation is custom_fn
    assert jnn.models.clone_model(model).layers[1].activation is custom_fn
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    np.testing.assert_allclose(jnn.models.load_model(path).predict(x, verbose=0), expected)
    # jnn.layers.serialize / deserialize use Keras's dict format
    config = jnn.layers.serialize(jnn.layers.Dense(3, name="d"))
    assert (config["module"], config["class_name"]) == ("keras.layers", "Dense")
    assert jnn.layers.deserialize(config).units == 3
    assert keras.layers.deserialize(config).units == 3


# --- jnn.tree, name_scope, device, utils, KerasTensor -------------------------------------------
def test_tree_matches_keras_tree(keras):
    import collections

    point = collections.namedtuple("Point", "x y")
    s = {"b": [1, None, (2, 3)], "a": point(4, {"z": 5, "c": 6})}
    for fn in ("flatten", "flatten_with_path", "is_nested", "lists_to_tuples"):
        assert getattr(jnn.tree, fn)(s) == getattr(keras.tree, fn)(s), fn
    flat = list(range(7))
    assert jnn.tree.pack_sequence_as(s, flat) == keras.tree.pack_sequence_as(s, flat)
    assert jnn.tree.map_structure(lambda v: None if v is None else v * 2, s) == \
        keras.tree.map_structure(lambda v: None if v is None else v * 2, s)
    assert jnn.tree.map_structure_up_to([0, 0], len, [[1, 2], [3]]) == \
        keras.tree.map_structure_up_to([0, 0], len, [[1, 2], [3]])
    fn = lambda v: v * 2 if isinstance(v, int) else None  # noqa: E731
    for top_down in (True, False):
        assert jnn.tree.traverse(fn, [1, (2, {"a": 3})], top_down) == \
            keras.tree.traverse(fn, [1, (2, {"a": 3})], top_down)
    shapes = {"a": (None, 3), "b": [(1, 2), (4,)]}
    assert jnn.tree.map_shape_structure(len, shapes) == keras.tree.map_shape_structure(len, shapes)
    jnn.tree.assert_same_structure([1, (2,)], [3, (4,)])
    with pytest.raises(ValueError):
        jnn.tree.assert_same_structure([1, 2], [1, [2]])
    with pytest.raises(ValueError):
        keras.tree.assert_same_structure([1, 2], [1, [2]])


def test_name_scope_device_utils_and_keras_tensor_match_keras(keras):
    paths = {}
    for name, lib in _both(keras):
        with lib.name_scope("block"):  # the scope active when the weights are created counts
            inside = lib.layers.Dense(2, name="inside")
            inside.build((None, 3))
            outside = lib.layers.Dense(2, name="outside")
        outside.build((None, 3))
        paths[name] = [w.path for w in inside.weights + outside.weights]
        with lib.device("cpu:0"):
            x = jnp.ones(2)
        assert next(iter(x.devices())).platform == "cpu"
    assert paths["jnn"] == paths["keras"] == [
        "block/inside/kernel", "block/inside/bias", "outside/kernel", "outside/bias"]
    for data in (1, (1,), (1, 2), [1, 2, 3]):
        assert jnn.utils.unpack_x_y_sample_weight(data) == \
            keras.utils.unpack_x_y_sample_weight(data)
    for args in ((1,), ((1, 2),), (1, 2), (1, 2, 3)):
        assert jnn.utils.pack_x_y_sample_weight(*args) == keras.utils.pack_x_y_sample_weight(*args)
    assert isinstance(jnn.Input((3,)), jnn.KerasTensor)
    with pytest.raises(ValueError, match="device"):
        with jnn.device("tpu:7"):
            pass
