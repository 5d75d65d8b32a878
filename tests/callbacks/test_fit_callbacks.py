"""Callbacks inside real `fit` runs: LR changes inside the jitted state without
recompiling, best-weight restore, NaN termination, kill-and-resume equivalence, and
epoch-only callbacks staying off the per-step-logs path.

One small model is shared by the module (one compilation); `fresh` resets it.
"""

import numpy as np
import pytest

import jnn
from jnn import callbacks as C
from jnn._shell.training import driver as training

X = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype("float32")


@pytest.fixture(scope="module")
def model():
    jnn.utils.set_random_seed(0)
    m = jnn.Sequential(
        [
            jnn.layers.Dense(4, activation="relu", input_dim=3),
            jnn.layers.Dropout(0.25),
            jnn.layers.Dense(1),
        ]
    )
    m.compile(optimizer=jnn.optimizers.SGD(0.05, momentum=0.9), loss="mse", metrics=["mae"])
    m.initial = [np.array(w, copy=True) for w in m.get_weights()]
    return m


def fresh(model, seed=0):
    """Initial weights, learning rate 0.05 and a new optimizer state (no recompilation)."""
    jnn.utils.set_random_seed(seed)
    model.set_weights(model.initial)
    model.optimizer.learning_rate = 0.05
    model.__dict__["_train_state"] = None
    model.__dict__["_opt_state_keep"] = None
    return model


def fit(model, callbacks, epochs=3, **kwargs):
    return model.fit(X, Y, batch_size=8, epochs=epochs, verbose=0, callbacks=callbacks, **kwargs)


def lr_in_state(model):
    return float(model.optimizer.get_learning_rate(model.__dict__["_train_state"].opt_state))


def test_learning_rate_scheduler_sets_the_jitted_state(model):
    fresh(model)
    fit(model, [], epochs=1)  # compiles (under the tests' rank-promotion setting)
    traces = model._engine.trace_count
    jitted = [f for f in model._engine.cache.values() if hasattr(f, "_cache_size")]
    sizes = [f._cache_size() for f in jitted]
    fresh(model)
    seen = []
    probe = C.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(lr_in_state(model)))
    history = fit(model, [C.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1)), probe])
    expected = [0.1, 0.05, 0.1 / 3]
    np.testing.assert_allclose(history.history["learning_rate"], expected, rtol=1e-6)
    np.testing.assert_allclose(seen, expected, rtol=1e-6)  # in effect during each epoch
    assert model._engine.trace_count == traces  # no new chunk function ...
    assert [f._cache_size() for f in jitted] == sizes  # ... and no retrace of the old one
    # A zero rate really freezes the weights: the value is used by the compiled step.
    fresh(model)
    fit(model, [C.LearningRateScheduler(lambda epoch, lr: 0.0)], epochs=2)
    for before, after in zip(model.initial, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert model._engine.trace_count == traces


def test_reduce_lr_on_plateau_in_fit(model):
    fresh(model)
    # min_delta larger than any change: every epoch after the first is a plateau.
    cb = C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=100.0)
    history = fit(model, [cb], epochs=4)
    np.testing.assert_allclose(history.history["learning_rate"], [0.05, 0.05, 0.025, 0.0125])
    assert model.optimizer.learning_rate == pytest.approx(0.00625)
    fit(model, [], epochs=1)  # the next fit picks the reduced rate up
    assert lr_in_state(model) == pytest.approx(0.00625)


def test_early_stopping_restores_best_weights_and_matches_checkpoint(model, tmp_path):
    fresh(model)
    snapshots = []
    record = C.LambdaCallback(
        on_epoch_end=lambda e, logs: snapshots.append([np.array(w) for w in model.get_weights()])
    )
    path = str(tmp_path / "best.weights.h5")
    # mode='max' on a falling loss: epoch 0 stays the best, training stops at epoch 2.
    checkpoint = C.ModelCheckpoint(
        path, monitor="loss", mode="max", save_best_only=True, save_weights_only=True
    )
    stopper = C.EarlyStopping(monitor="loss", mode="max", patience=2, restore_best_weights=True)
    history = fit(model, [record, checkpoint, stopper], epochs=10)
    assert len(history.history["loss"]) == 3 and stopper.stopped_epoch == 2
    for best, now in zip(snapshots[0], model.get_weights()):
        np.testing.assert_array_equal(best, now)
    assert not np.allclose(snapshots[0][0], snapshots[2][0])
    saved = model.get_weights()
    model.set_weights(snapshots[2])
    model.load_weights(path)  # the checkpoint holds epoch 0's weights as well
    for a, b in zip(saved, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_terminate_on_nan_stops_fit(model, capsys):
    fresh(model)
    model.optimizer.learning_rate = 1e30
    history = fit(model, [C.TerminateOnNaN()], epochs=5)
    assert len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])
    assert "Invalid loss, terminating training" in capsys.readouterr().out


def test_epoch_only_callbacks_keep_the_fused_path(tmp_path):
    quiet = [
        C.EarlyStopping(),
        C.ModelCheckpoint(str(tmp_path / "m.keras")),
        C.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq=5),
        C.CSVLogger(str(tmp_path / "log.csv")),
        C.ReduceLROnPlateau(),
        C.LearningRateScheduler(lambda e, lr: lr),
        C.TerminateOnNaN(),
        C.BackupAndRestore(str(tmp_path / "backup"), save_freq=2),
        C.TensorBoard(str(tmp_path / "tb"), profile_batch=2),
    ]
    assert not training._wants_batch_logs(C.CallbackList(quiet), "train")
    per_step = C.TensorBoard(str(tmp_path / "tb"), update_freq="batch")
    assert training._wants_batch_logs(C.CallbackList([per_step]), "train")


class Kill(C.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt("simulated kill")


def test_backup_and_restore_resumes_identically(model, tmp_path):
    backup = str(tmp_path / "backup")
    fresh(model, seed=5)
    # The rate halves every epoch from its current value: the restored rate must be right.
    schedule = C.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    reference = fit(model, [schedule], epochs=5)
    expected = model.get_weights()

    fresh(model, seed=5)
    with pytest.raises(KeyboardInterrupt):
        fit(model, [schedule, C.BackupAndRestore(backup), Kill(at_epoch=2)], epochs=5)
    assert C.BackupAndRestore(backup)._state_path  # the backup is on disk
    # A new process would rebuild the model from scratch: weights and state are restored.
    fresh(model, seed=5)
    model.set_weights([np.zeros_like(w) for w in expected])
    resumed = fit(model, [schedule, C.BackupAndRestore(backup)], epochs=5)
    assert len(resumed.history["loss"]) == 2  # epochs 3 and 4 only
    np.testing.assert_allclose(resumed.history["loss"], reference.history["loss"][3:], rtol=1e-6)
    for a, b in zip(expected, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not (tmp_path / "backup").exists()  # deleted after a completed fit


def test_backup_mismatch_error(model, tmp_path):
    from flax import serialization

    fresh(model)
    backup = tmp_path / "backup"
    backup.mkdir()
    record = {"leaves": [np.zeros((2, 2), np.float32)], "epoch": 1, "rng_counter": 0,
              "seed": -1, "learning_rate": 0.1}  # fmt: skip
    (backup / "latest.state.msgpack").write_bytes(serialization.msgpack_serialize(record))
    with pytest.raises(ValueError, match="does not match this model and optimizer"):
        fit(model, [C.BackupAndRestore(str(backup))], epochs=1)


def read_events(logdir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0, "images": 0})
    acc.Reload()
    return acc


def test_tensorboard_event_files_read_back(model, tmp_path):
    pytest.importorskip("tensorboard")
    fresh(model)
    cb = C.TensorBoard(tmp_path / "logs", histogram_freq=2, write_images=True, profile_batch=(1, 2))
    seen = []
    probe = C.LambdaCallback(on_test_begin=lambda logs: seen.append("begin"),
                             on_test_end=lambda logs: seen.append(sorted(logs)))  # fmt: skip
    history = fit(model, [cb, probe], epochs=3, validation_data=(X, Y))
    assert seen == ["begin", ["loss", "mae"]] * 3  # validation runs the test hooks (Keras 3)
    train, val = (
        read_events(tmp_path / "logs" / "train"),
        read_events(tmp_path / "logs" / "validation"),
    )
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    assert set(val.Tags()["scalars"]) == {
        "epoch_loss", "epoch_mae", "evaluation_loss_vs_iterations", "evaluation_mae_vs_iterations"
    }  # fmt: skip
    for acc, prefix in ((train, ""), (val, "val_")):
        events = acc.Scalars("epoch_loss")
        assert [e.step for e in events] == [0, 1, 2]
        np.testing.assert_allclose([e.value for e in events], history.history[f"{prefix}loss"],
                                   rtol=1e-6)  # fmt: skip
    assert [e.step for e in val.Scalars("evaluation_loss_vs_iterations")] == [4, 8, 12]
    assert [e.value for e in train.Scalars("epoch_learning_rate")] == pytest.approx([0.05] * 3)
    kernel = f"{model.weights[0].path}/histogram"  # e.g. dense/kernel/histogram
    assert kernel in train.Tags()["histograms"]
    hist = train.Histograms(kernel)
    assert [h.step for h in hist] == [0, 2]  # every histogram_freq epochs
    assert hist[-1].histogram_value.num == 12  # a 3x4 kernel
    np.testing.assert_allclose(
        hist[-1].histogram_value.max, model.get_weights()[0].max(), rtol=1e-6
    )
    assert f"{model.weights[0].path}/image" in train.Tags()["images"]
    profiles = list((tmp_path / "logs" / "train" / "plugins" / "profile").glob("*/*.xplane.pb"))
    assert profiles, "profile_batch wrote no jax.profiler trace"


def test_lr_callbacks_drive_an_inject_hyperparams_optax_optimizer():
    """LearningRateScheduler / ReduceLROnPlateau set the rate of a raw optax transformation
    built with optax.inject_hyperparams, as they do jnn's optimizers: same weights as SGD."""
    import optax

    def run(optimizer, callbacks):
        jnn.utils.set_random_seed(0)
        m = jnn.Sequential([jnn.layers.Dense(1, input_dim=3)])
        m.compile(optimizer=optimizer, loss="mse")
        history = m.fit(X, Y, batch_size=8, epochs=3, verbose=0, shuffle=False,
                        callbacks=callbacks)
        return m, history

    schedule = C.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    raw, history = run(optax.inject_hyperparams(optax.sgd)(learning_rate=0.05), [schedule])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    ref, _ = run(jnn.optimizers.SGD(0.05), [C.LearningRateScheduler(
        lambda epoch, lr: 0.1 / (epoch + 1))])
    for a, b in zip(raw.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    plateau = C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=100.0)
    raw, history = run(optax.inject_hyperparams(optax.sgd)(learning_rate=0.05), [plateau])
    np.testing.assert_allclose(history.history["learning_rate"], [0.05, 0.05, 0.025])
