"""Legacy `.h5` model files and the JAX-native msgpack exports."""

import h5py
import jax
import numpy as np
import pytest

import jnn
from jnn import layers
from jnn._core import steps

RNG = np.random.default_rng(1)
X = RNG.normal(size=(8, 5)).astype(np.float32)
Y = X[:, :1].astype(np.float32)


@pytest.fixture(scope="module")
def trained():
    model = jnn.Sequential([layers.Dense(3, activation="relu", input_shape=(5,)), layers.Dense(1)])
    model.compile(optimizer=jnn.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    model.fit(X, Y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    return model


def test_h5_layout_is_keras2(trained, tmp_path):
    path = str(tmp_path / "m.h5")
    trained.save(path)
    with h5py.File(path, "r") as f:
        assert {"model_config", "training_config", "keras_version", "backend"} <= set(f.attrs)
        names = [n.decode() for n in f["model_weights"].attrs["layer_names"]]
        assert names == [la.name for la in trained.layers]
        assert len(f["optimizer_weights"].attrs["weight_names"]) == 2 + 4  # + momentum slots


def test_h5_round_trip_with_optimizer_state(trained, tmp_path):
    path = str(tmp_path / "m.h5")
    trained.save(path)
    loaded = jnn.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), trained.predict(X, verbose=0))
    assert type(loaded.optimizer).__name__ == "SGD" and loaded.optimizer.momentum == 0.9
    want = jax.tree.leaves(trained._train_state.opt_state)
    got = jax.tree.leaves(loaded.__dict__["_opt_state_keep"])
    for a, b in zip(want, got, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_h5_weights_only_file_is_a_clear_error(trained, tmp_path):
    path = str(tmp_path / "w.h5")
    with h5py.File(path, "w") as f:
        f.create_group("model_weights")
    with pytest.raises(ValueError, match="no `model_config`.*load_weights"):
        jnn.models.load_model(path)


def test_msgpack_variables_round_trip(trained, tmp_path):
    path = tmp_path / "vars.msgpack"
    jnn.saving.save_variables(trained, path)
    raw = jnn.saving.load_variables(path)
    first = trained.layers[0].name
    np.testing.assert_array_equal(raw["params"][first]["kernel"], trained.get_weights()[0])
    other = jnn.models.clone_model(trained)
    jnn.saving.load_variables(path, target=other)
    np.testing.assert_array_equal(other.predict(X, verbose=0), trained.predict(X, verbose=0))


def test_msgpack_train_state_round_trip(trained, tmp_path):
    ts = trained._train_state
    path = tmp_path / "ckpt.msgpack"
    jnn.saving.save_train_state(ts, path)
    target = steps.TrainState.create(
        trained.variables_tree, trained.optimizer, rng=jax.random.key(7)
    )
    target = target.replace(metrics=ts.metrics)
    restored = jnn.saving.load_train_state(path, target)
    for a, b in zip(jax.tree.leaves(ts.opt_state), jax.tree.leaves(restored.opt_state)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(jax.random.key_data(restored.rng), jax.random.key_data(ts.rng))
    assert int(restored.step) == int(ts.step)
    (tmp_path / "bad.msgpack").write_bytes(b"\xc1not msgpack")
    with pytest.raises(ValueError, match="bad.msgpack"):
        jnn.saving.load_train_state(tmp_path / "bad.msgpack", target)


def test_orbax_checkpoint_round_trip(trained, tmp_path):
    ts = trained._train_state
    directory = tmp_path / "ckpt"
    jnn.saving.save_checkpoint(trained, directory)
    jnn.saving.save_checkpoint(ts, directory)  # overwrite
    target = steps.TrainState.create(
        trained.variables_tree, trained.optimizer, rng=jax.random.key(7)
    ).replace(metrics=ts.metrics)
    restored = jnn.saving.load_checkpoint(directory, target)
    for a, b in zip(jax.tree.leaves(ts.opt_state), jax.tree.leaves(restored.opt_state)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(jax.random.key_data(restored.rng), jax.random.key_data(ts.rng))
    with pytest.raises(FileExistsError, match="overwrite=False"):
        jnn.saving.save_checkpoint(ts, directory, overwrite=False)
