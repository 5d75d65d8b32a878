"""save_weights / load_weights in Keras 3's ``.weights.h5`` format (both directions)."""

import h5py
import numpy as np
import pytest

import jnn
from jnn import layers
from jnn._shell.saving import weights_io

RNG = np.random.default_rng(3)
X4 = RNG.normal(size=(5, 4)).astype(np.float32)
XA = RNG.normal(size=(5, 5)).astype(np.float32)
XB = RNG.normal(size=(5, 6)).astype(np.float32)


# --- models ------------------------------------------------------------------------------------
def _sequential(units=3):
    return jnn.Sequential(
        [
            jnn.Input((4,)),
            layers.Dense(units, activation="relu"),
            layers.Dropout(0.1),
            layers.Dense(2),
        ]
    )


def _functional_graph(lib, lay):
    # Two inputs, two outputs, branches of different depths: Keras orders `layers` by depth
    # from the outputs, so the Dense on the deep branch is `dense` and the shallow one
    # `dense_1` although the shallow one comes first in a topological order.
    a, b = lib.Input((5,)), lib.Input((6,))
    deep = lay.Dense(3, activation="relu")(lay.Dense(4, activation="relu")(a))
    shallow = lay.Dense(2, activation="relu")(b)
    main = lay.Dense(1)(lay.Concatenate()([shallow, deep]))
    return lib.Model([a, b], [main, lay.Dense(2)(shallow)])


def _functional():
    return _functional_graph(jnn, layers)


class WideAndDeepModel(jnn.Model):
    def __init__(self, units=4, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = layers.Dense(units, activation=activation)
        self.hidden2 = layers.Dense(units, activation=activation)
        self.main_output = layers.Dense(1)
        self.aux_output = layers.Dense(1)

    def call(self, inputs):
        input_a, input_b = inputs
        hidden1 = self.hidden1(input_b)
        hidden2 = self.hidden2(hidden1)
        concat = layers.concatenate([input_a, hidden2])
        return self.main_output(concat), self.aux_output(hidden2)


def _wide_and_deep():
    model = WideAndDeepModel()
    model((XA[:1], XB[:1]))
    return model


def _nested():
    inner = jnn.Sequential([jnn.Input((4,)), layers.Dense(3), layers.Dense(2)])
    x = jnn.Input((4,))
    return jnn.Model(x, layers.Dense(1)(inner(x)))


def _save(model, path, **kwargs):
    if hasattr(model, "save_weights"):
        model.save_weights(path, **kwargs)
    else:
        weights_io.save_weights(model, path, **kwargs)


def _load(model, path, **kwargs):
    if hasattr(model, "load_weights"):
        model.load_weights(path, **kwargs)
    else:
        weights_io.load_weights(model, path, **kwargs)


def _groups(path):
    out = {}

    def visit(name, obj):
        out[name] = obj.shape if isinstance(obj, h5py.Dataset) else None

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return out


CASES = {
    "sequential": (_sequential, X4),
    "functional": (_functional, [XA, XB]),
    "subclassed": (_wide_and_deep, (XA, XB)),
    "nested": (_nested, X4),
}


# --- round trips -------------------------------------------------------------------------------
def _assert_same_outputs(a, b):
    a = a if isinstance(a, (list, tuple)) else [a]
    b = b if isinstance(b, (list, tuple)) else [b]
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-5, atol=1e-6)
        assert np.asarray(u).shape == np.asarray(v).shape


def _assert_same_weights(a, b):
    for u, v in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_round_trip_restores_weights_and_predictions(tmp_path, kind):
    build, x = CASES[kind]
    source, target = build(), build()
    # Fresh models differ, so the checks below can fail.
    assert any(not np.array_equal(a, b) for a, b in zip(source.get_weights(), target.get_weights()))
    path = tmp_path / "m.weights.h5"
    weights_io.save_weights(source, path)
    _load(target, str(path))  # the Model method when bound
    _assert_same_weights(source, target)
    _assert_same_outputs(source(x), target(x))
    # And the other way round: the method writes, the function reads.
    source.set_weights([w + 1.0 for w in source.get_weights()])
    _save(source, str(path))
    weights_io.load_weights(target, path)
    _assert_same_weights(source, target)


def test_layout_sequential(tmp_path):
    path = tmp_path / "s.weights.h5"
    weights_io.save_weights(_sequential(), path)
    assert _groups(path) == {
        "layers": None,
        "layers/dense": None,
        "layers/dense/vars": None,
        "layers/dense/vars/0": (4, 3),
        "layers/dense/vars/1": (3,),
        "layers/dropout": None,
        "layers/dropout/vars": None,
        "layers/dense_1": None,
        "layers/dense_1/vars": None,
        "layers/dense_1/vars/0": (3, 2),
        "layers/dense_1/vars/1": (2,),
        "vars": None,
    }


def test_layout_subclassed_uses_attribute_paths_like_keras(tmp_path):
    model = _wide_and_deep()
    path = tmp_path / "w.weights.h5"
    weights_io.save_weights(model, path)
    datasets = {k: v for k, v in _groups(path).items() if v is not None}
    # Keras visits attributes alphabetically, `layers` included: main_output (after
    # `layers`) is reached first through the `layers` list, as the third Dense.
    assert datasets == {
        "aux_output/vars/0": (4, 1),
        "aux_output/vars/1": (1,),
        "hidden1/vars/0": (6, 4),
        "hidden1/vars/1": (4,),
        "hidden2/vars/0": (4, 4),
        "hidden2/vars/1": (4,),
        "layers/dense_2/vars/0": (9, 1),
        "layers/dense_2/vars/1": (1,),
    }
    with h5py.File(path, "r") as f:
        assert f["hidden1/vars"].attrs["name"] == model.hidden1.name


def test_layout_nested_and_lists(tmp_path):
    class Blocks(jnn.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(3), layers.Dense(3)]
            self.head = jnn.Sequential([layers.Dense(2)])

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    model = Blocks()
    model(X4[:1])
    path = tmp_path / "b.weights.h5"
    weights_io.save_weights(model, path)
    datasets = sorted(k for k, v in _groups(path).items() if v is not None)
    assert datasets == [
        "blocks/dense/vars/0",
        "blocks/dense/vars/1",
        "blocks/dense_1/vars/0",
        "blocks/dense_1/vars/1",
        "head/layers/dense/vars/0",
        "head/layers/dense/vars/1",
    ]
    other = Blocks()
    other(X4[:1])
    weights_io.load_weights(other, path)
    _assert_same_outputs(other(X4), model(X4))


def test_fit_after_load_starts_from_loaded_weights(tmp_path):
    source = _sequential()
    path = tmp_path / "s.weights.h5"
    weights_io.save_weights(source, path)
    model = _sequential()
    model.compile(optimizer=jnn.optimizers.SGD(0.0), loss="mse")
    model.fit(X4, np.zeros((5, 2), np.float32), epochs=1, verbose=0)
    weights_io.load_weights(model, path)
    model.fit(X4, np.zeros((5, 2), np.float32), epochs=1, verbose=0)  # lr 0: weights unchanged
    for a, b in zip(source.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# --- mismatches --------------------------------------------------------------------------------
def _rewrite(path, fn):
    with h5py.File(path, "a") as f:
        fn(f)


def test_shape_mismatch_names_layer_and_shapes(tmp_path):
    path = tmp_path / "s.weights.h5"
    weights_io.save_weights(_sequential(units=4), path)
    model = _sequential(units=3)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"Layer 'dense.*'.*\(3, 2\).*\(4, 2\)") as info:
        weights_io.load_weights(model, path)
    assert str(path) in str(info.value)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # nothing changed, not even the matching layers


def test_count_mismatch_names_layer_and_counts(tmp_path):
    model = _sequential()
    path = tmp_path / "s.weights.h5"
    weights_io.save_weights(model, path)
    _rewrite(path, lambda f: f.__delitem__("layers/dense_1/vars/1"))
    name = model.layers[2].name
    with pytest.raises(ValueError, match=f"Layer '{name}' expected 2 variables.*received 1"):
        weights_io.load_weights(model, path)


def test_skip_mismatch_loads_the_rest_with_a_warning(tmp_path):
    source = _sequential(units=3)
    path = tmp_path / "s.weights.h5"
    weights_io.save_weights(source, path)
    _rewrite(path, lambda f: f.__delitem__("layers/dense_1/vars/1"))
    model = _sequential(units=3)
    kept = model.layers[2].get_weights()
    with pytest.warns(UserWarning, match=f"Skipping .* layer '{model.layers[2].name}'"):
        weights_io.load_weights(model, path, skip_mismatch=True)
    for a, b in zip(source.layers[0].get_weights(), model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(kept, model.layers[2].get_weights()):
        np.testing.assert_array_equal(a, b)


# --- file handling -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["m.h5", "m.keras", "m.weights", "m.weights.h5.bak"])
def test_bad_filename(tmp_path, name):
    model = _sequential()
    with pytest.raises(ValueError, match=r"`filepath` must end in `\.weights\.h5`"):
        weights_io.save_weights(model, tmp_path / name)
    with pytest.raises(ValueError, match=r"`filepath` must end in `\.weights\.h5`"):
        weights_io.load_weights(model, tmp_path / name)


def test_unbuilt_model_is_a_clear_error(tmp_path):
    model = WideAndDeepModel()
    with pytest.raises(ValueError, match="not been built.*[Bb]uild it first"):
        weights_io.save_weights(model, tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="not been built"):
        weights_io.load_weights(model, tmp_path / "m.weights.h5")


def test_overwrite_false_refuses_existing_file(tmp_path):
    path = tmp_path / "m.weights.h5"
    model = _sequential()
    weights_io.save_weights(model, path, overwrite=False)
    with pytest.raises(FileExistsError, match="already exists.*overwrite"):
        weights_io.save_weights(model, path, overwrite=False)
    weights_io.save_weights(_sequential(), path)  # default overwrite=True replaces it


def test_failed_write_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.weights.h5"
    old = _sequential()
    weights_io.save_weights(old, path)
    calls = []

    def boom(group, key, value):
        calls.append(key)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        group[key] = value

    monkeypatch.setattr(weights_io, "_write_array", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        weights_io.save_weights(_sequential(), path)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.weights.h5"]  # no temp left
    model = _sequential()
    weights_io.load_weights(model, path)
    for a, b in zip(old.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_not_hdf5_file_is_a_clear_error(tmp_path):
    path = tmp_path / "m.weights.h5"
    path.write_bytes(b"this is not an HDF5 file")
    with pytest.raises(ValueError, match="m.weights.h5.*not a valid HDF5"):
        weights_io.load_weights(_sequential(), path)


def test_truncated_file_is_a_clear_error(tmp_path):
    path = tmp_path / "m.weights.h5"
    weights_io.save_weights(_sequential(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="m.weights.h5"):
        weights_io.load_weights(_sequential(), path)


def test_wrong_structure_is_a_clear_error(tmp_path):
    path = tmp_path / "m.weights.h5"
    with h5py.File(path, "w") as f:
        f["layers/dense/vars"] = np.zeros(3)  # a dataset where a group belongs
    with pytest.raises(ValueError, match="layers/dense/vars.*m.weights.h5"):
        weights_io.load_weights(_sequential(), path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        weights_io.load_weights(_sequential(), tmp_path / "nope.weights.h5")


# --- Keras 3 conformance -----------------------------------------------------------------------
def _keras_models(keras):
    kl = keras.layers

    class KWideAndDeep(keras.Model):
        def __init__(self, units=4, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.hidden1 = kl.Dense(units, activation=activation)
            self.hidden2 = kl.Dense(units, activation=activation)
            self.main_output = kl.Dense(1)
            self.aux_output = kl.Dense(1)

        def call(self, inputs):
            input_a, input_b = inputs
            hidden2 = self.hidden2(self.hidden1(input_b))
            concat = kl.concatenate([input_a, hidden2])
            return self.main_output(concat), self.aux_output(hidden2)

    def sequential():
        return keras.Sequential(
            [keras.Input((4,)), kl.Dense(3, activation="relu"), kl.Dropout(0.1), kl.Dense(2)]
        )

    def functional():
        return _functional_graph(keras, kl)

    def subclassed():
        model = KWideAndDeep()
        model((XA[:1], XB[:1]))
        return model

    def nested():
        inner = keras.Sequential([keras.Input((4,)), kl.Dense(3), kl.Dense(2)])
        x = keras.Input((4,))
        return keras.Model(x, kl.Dense(1)(inner(x)))

    return {
        "sequential": sequential,
        "functional": functional,
        "subclassed": subclassed,
        "nested": nested,
    }


def _assert_same_layer_weights(model, kmodel):
    # Layer by layer in Keras's order (jnn's `model.layers` may order the branches of a
    # functional graph differently; the file layout follows Keras's order).
    ours = weights_io._keras_layer_order(model) or model.layers
    ours = [la for la in ours if la.get_weights()]
    theirs = [la for la in kmodel.layers if la.get_weights()]
    assert len(ours) == len(theirs)
    for la, kla in zip(ours, theirs):
        for u, v in zip(la.get_weights(), kla.get_weights(), strict=True):
            np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


@pytest.mark.conformance
@pytest.mark.user_code
@pytest.mark.parametrize("kind", sorted(CASES))
def test_files_move_between_jnn_and_keras(tmp_path, kind):
    keras = pytest.importorskip("keras")
    build, x = CASES[kind]
    model = build()
    kmodel = _keras_models(keras)[kind]()
    # jnn -> Keras 3
    jpath = tmp_path / "j.weights.h5"
    weights_io.save_weights(model, jpath)
    kmodel.load_weights(str(jpath))
    _assert_same_layer_weights(model, kmodel)
    _assert_same_outputs(model(x), kmodel(x))
    # Keras 3 -> jnn
    kmodel.set_weights([RNG.normal(size=w.shape).astype(np.float32) for w in kmodel.weights])
    kpath = tmp_path / "k.weights.h5"
    kmodel.save_weights(str(kpath))
    _load(model, kpath)
    _assert_same_layer_weights(model, kmodel)
    _assert_same_outputs(kmodel(x), model(x))
    # The same group paths both ways (the root model's name attribute aside).
    assert _groups(jpath) == _groups(kpath)


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory .* does not exist"):
        weights_io.save_weights(_sequential(), tmp_path / "nope" / "m.weights.h5")


def test_bfloat16_weights_are_tagged_like_keras(tmp_path):
    def build():
        return jnn.Sequential([jnn.Input((4,)), layers.Dense(3, dtype="bfloat16")])

    source, target = build(), build()
    path = tmp_path / "bf.weights.h5"
    weights_io.save_weights(source, path)
    with h5py.File(path, "r") as f:
        assert f["layers/dense/vars/0"].attrs["dtype"] == "bfloat16"
    weights_io.load_weights(target, path)
    for a, b in zip(source.get_weights(), target.get_weights(), strict=True):
        assert b.dtype == a.dtype
        np.testing.assert_array_equal(a.astype(np.float32), b.astype(np.float32))


def test_keras_optimizer_group_and_extra_groups_are_ignored(tmp_path):
    source, target = _sequential(), _sequential()
    path = tmp_path / "m.weights.h5"
    weights_io.save_weights(source, path)
    with h5py.File(path, "a") as f:  # what Keras writes for a trained model
        f["optimizer/vars/0"] = np.zeros((), np.int32)
        f["optimizer/vars"].attrs["name"] = "adam"
    weights_io.load_weights(target, path)
    _assert_same_weights(source, target)


def test_shared_layer_is_written_once(tmp_path):
    shared = layers.Dense(4)
    a, b = jnn.Input((4,)), jnn.Input((4,))
    model = jnn.Model([a, b], layers.Add()([shared(a), shared(b)]))
    path = tmp_path / "m.weights.h5"
    weights_io.save_weights(model, path)
    datasets = sorted(k for k, v in _groups(path).items() if v is not None)
    assert datasets == ["layers/dense/vars/0", "layers/dense/vars/1"]
    other = jnn.Model([a, b], layers.Add()([layers.Dense(4)(a), layers.Dense(4)(b)]))
    with pytest.raises(ValueError, match="expected 2 variables, but received 0"):
        weights_io.load_weights(other, path)


def test_legacy_layout_file_says_it_is_not_keras3(tmp_path):
    path = tmp_path / "legacy.weights.h5"
    with h5py.File(path, "w") as f:  # Keras 2 style: model_weights/<layer>/<layer>/kernel:0
        f["model_weights/dense/dense/kernel:0"] = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"(?s)expected 2 variables.*not a Keras 3"):
        weights_io.load_weights(_sequential(), path)
