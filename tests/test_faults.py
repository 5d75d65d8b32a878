"""Faults: an interrupt during fit and a full disk during a checkpoint leave a usable model and
the previous checkpoint. (SIGKILL during save, TerminateOnNaN and BackupAndRestore resuming
are tested with their features in tests/saving and tests/callbacks.)"""

from __future__ import annotations

import errno
import signal

import h5py
import numpy as np
import pytest

import jnn
from jnn import layers as L

X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = np.random.default_rng(1).integers(0, 2, 16)


@pytest.fixture(scope="module")
def model():
    jnn.utils.set_random_seed(0)
    model = jnn.Sequential([L.Input((3,)), L.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", steps_per_execution=1)
    return model


class _SigintAt(jnn.callbacks.Callback):
    """Records the weights after batch ``at`` then delivers a real SIGINT to the process."""

    def __init__(self, at: int):
        super().__init__()
        self.at, self.seen = at, None

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.at:
            self.seen = self.model.get_weights()
            signal.raise_signal(signal.SIGINT)


@pytest.fixture
def python_sigint():
    """Python's own SIGINT handler (KeyboardInterrupt) for the test: a process started in the
    background by a non-interactive shell (``bash .ci/run &``) inherits SIGINT ignored, and
    Python then installs no handler, so the real signal below would do nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_sigint_during_fit_keeps_the_last_completed_step_and_the_model_usable(model,
                                                                               python_sigint):
    interrupt = _SigintAt(at=2)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=3, batch_size=4, verbose=0, callbacks=[interrupt])
    for got, want in zip(model.get_weights(), interrupt.seen):
        np.testing.assert_array_equal(got, want)
    assert np.isfinite(model.predict(X, verbose=0)).all()  # buffers were not left donated
    history = model.fit(X, Y, epochs=1, batch_size=4, verbose=0)  # and training resumes
    assert len(history.history["loss"]) == 1


def test_disk_full_during_checkpoint_keeps_the_previous_one(model, tmp_path, monkeypatch):
    path = tmp_path / "ck.weights.h5"
    checkpoint = jnn.callbacks.ModelCheckpoint(str(path), save_weights_only=True)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0, callbacks=[checkpoint])
    saved = model.get_weights()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(h5py.Group, "create_dataset", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        model.fit(X, Y, epochs=1, batch_size=8, verbose=0, callbacks=[checkpoint])
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["ck.weights.h5"]  # no temporary file left
    restored = jnn.Sequential([L.Input((3,)), L.Dense(2, activation="softmax")])
    restored.load_weights(str(path))
    for got, want in zip(restored.get_weights(), saved):
        np.testing.assert_array_equal(got, want)
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), saved))
