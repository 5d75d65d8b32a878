"""BackupAndRestore resumes exactly: a fit killed at any batch or epoch boundary and resumed
from its backup ends with the weights (and epoch losses) of an uninterrupted fit, for every
``save_freq``.

The kill is an exception raised by a callback at a given batch, in-process (as Keras's own
tests do); the resumed fit starts from freshly initialised weights, as a new process would.
One small model serves every case: the compiled chunk programs are shared.
"""

import numpy as np
import pytest
from flax import serialization

import jnn
from jnn import callbacks as C

X = np.random.default_rng(0).normal(size=(160, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype("float32")
EPOCHS, STEPS = 4, 20  # batch 8: 20 steps per epoch, 80 in all


@pytest.fixture(scope="module")
def model():
    jnn.utils.set_random_seed(0)
    m = jnn.Sequential([
        jnn.layers.Dense(4, activation="relu", input_dim=3),
        jnn.layers.Dropout(0.25),  # dropout keys must continue exactly too
        jnn.layers.Dense(1),
    ])
    m.compile(optimizer=jnn.optimizers.SGD(0.01, momentum=0.5), loss="mse", metrics=["mae"])
    m.initial = [np.array(w, copy=True) for w in m.get_weights()]
    return m


def fresh(model):
    """The model as a new process builds it: initial weights, same seed, no train state."""
    jnn.utils.set_random_seed(5)
    model.set_weights(model.initial)
    model.optimizer.learning_rate = 0.02
    model.__dict__["_train_state"] = None
    model.__dict__["_opt_state_keep"] = None
    return model


class Kill(C.Callback):
    """Raises after global batch ``at`` (1-based count of batch hooks) or at an epoch's end.

    ``chunked`` keeps the fused path (one batch call per chunk); otherwise the engine reports
    every batch, which makes the backup's batch hooks fire inside a chunk too.
    """

    def __init__(self, at=None, at_epoch_end=None, chunked=False):
        super().__init__()
        self.at, self.at_epoch_end, self.seen = at, at_epoch_end, 0
        self._chunk_batch_hooks = chunked

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1 if not self._chunk_batch_hooks else 0
        if self._chunk_batch_hooks:
            self.seen = self.params["steps"] * self.epoch + batch + 1
        if self.at is not None and self.seen >= self.at:
            raise RuntimeError("simulated kill")

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch_end:
            raise RuntimeError("simulated kill")


def halve(epoch, lr):
    return lr * 0.5


def fit(model, callbacks):
    # The rate halves from its current value each epoch: a resumed epoch must not halve twice.
    callbacks = [C.LearningRateScheduler(halve), *callbacks]
    return model.fit(X, Y, batch_size=8, epochs=EPOCHS, verbose=0, callbacks=callbacks)


@pytest.fixture(scope="module")
def reference(model):
    """The uninterrupted run (per-step and chunked hooks give the same weights)."""
    fresh(model)
    history = fit(model, [Kill()])
    return [np.array(w, copy=True) for w in model.get_weights()], history.history["loss"]


def _saved_position(path):
    with open(path, "rb") as f:
        record = serialization.msgpack_restore(f.read())
    return int(record["epoch"]), int(record.get("step", 0))


# (save_freq, kill, expected backup position or None when no backup precedes the kill).
# 7: chunks of 7 steps (7, 7, 6 per epoch); saves when >= 7 batches since the last one.
# 50: whole-epoch chunks; the save after 60 batches is at the end of epoch 2's last chunk.
CASES = [
    ("epoch", dict(at=5), None),
    ("epoch", dict(at_epoch_end=1), (2, 0)),
    ("epoch", dict(at=47), (2, 0)),
    (1, dict(at=20), (0, 20)),  # the epoch's last batch: the boundary itself
    (1, dict(at=21), (1, 1)),
    (1, dict(at_epoch_end=2), (2, 20)),
    (7, dict(at=27), (1, 7)),
    (7, dict(at=20), (0, 14)),
    (7, dict(at=55, chunked=True), (2, 14)),
    (7, dict(at_epoch_end=0), (0, 14)),
    (50, dict(at=30), None),
    (50, dict(at=61), (2, 20)),
    (50, dict(at=80, chunked=True), (2, 20)),
]


@pytest.mark.parametrize("save_freq,kill,position", CASES)
def test_resumed_fit_equals_uninterrupted(model, reference, tmp_path, save_freq, kill, position):
    expected, losses = reference
    backup = str(tmp_path / "backup")
    fresh(model)
    with pytest.raises(RuntimeError, match="simulated kill"):
        fit(model, [C.BackupAndRestore(backup, save_freq=save_freq), Kill(**kill)])
    state = tmp_path / "backup" / "latest.state.msgpack"
    if position is None:
        assert not state.exists()
    else:
        assert _saved_position(state) == position  # what the held state has done
    fresh(model)
    if position is not None:  # the restore must write every weight
        model.set_weights([np.zeros_like(w) for w in expected])
    history = fit(model, [C.BackupAndRestore(backup, save_freq=save_freq), Kill()])
    for a, b in zip(expected, model.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    # Epoch losses of the resumed epochs (a partly done one included) are the reference's.
    resumed = history.history["loss"]
    np.testing.assert_allclose(resumed, losses[EPOCHS - len(resumed):], rtol=1e-6)
    assert not (tmp_path / "backup").exists()  # deleted after the completed fit


def test_integer_save_freq_ends_chunks_at_save_points(model, tmp_path):
    fresh(model)
    seen = []
    probe = C.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))
    fit(model, [C.BackupAndRestore(str(tmp_path / "b"), save_freq=7), probe])
    keys = [k for k in model._engine.cache if k[0] == "train"]
    assert any(k[3] == 7 for k in keys)  # at most 7 steps fused per dispatch
    assert seen == list(range(EPOCHS))


class Batches(jnn.utils.PyDataset):
    """The same data as a dataset of batches (read in order: shuffle=False)."""

    def __len__(self):
        return STEPS

    def __getitem__(self, i):
        return X[i * 8:(i + 1) * 8], Y[i * 8:(i + 1) * 8]


def test_batch_dataset_resumes_at_the_backed_up_batch(model, tmp_path):
    def run(callbacks):
        return model.fit(Batches(), epochs=2, verbose=0, shuffle=False, callbacks=callbacks)

    fresh(model)
    run([Kill()])
    expected = [np.array(w, copy=True) for w in model.get_weights()]
    backup = str(tmp_path / "backup")
    fresh(model)
    with pytest.raises(RuntimeError, match="simulated kill"):
        run([C.BackupAndRestore(backup, save_freq=5), Kill(at=27)])
    assert _saved_position(tmp_path / "backup" / "latest.state.msgpack") == (1, 5)
    fresh(model)
    run([C.BackupAndRestore(backup, save_freq=5), Kill()])  # skips the 5 batches done
    for a, b in zip(expected, model.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
