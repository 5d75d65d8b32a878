"""Monitor callbacks driven by hand (no training): patience, baselines, best weights,
filepath formatting, best-only saving, batch counting, LR reduction, CSV and NaN."""

import os

import numpy as np
import pytest

from jnn._shell.callbacks.monitor import atomic_write, metric_direction
from jnn.callbacks import (
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)


class Opt:
    def __init__(self, lr=0.1):
        self.learning_rate = lr


class FakeModel:
    """Records saves; weights are one scalar array that tests set per epoch."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(1)]
        self.saved = []
        self.optimizer = Opt()

    def get_weights(self):
        return list(self.weights)

    def set_weights(self, weights):
        self.weights = [np.asarray(w) for w in weights]

    def save_weights(self, path, overwrite=True):
        with open(path, "w") as f:
            f.write(str(float(self.weights[0][0])))
        self.saved.append(path)

    def save(self, path, overwrite=True):
        self.save_weights(path)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def run_epochs(cb, values, key="val_loss", model=None):
    """Feeds `values` as epoch logs; stops like fit does. Returns (model, epochs run)."""
    model = model or FakeModel()
    cb.set_model(model)
    cb.on_train_begin()
    ran = 0
    for epoch, value in enumerate(values):
        cb.on_epoch_begin(epoch)
        model.weights = [np.array([float(epoch)])]
        cb.on_epoch_end(epoch, {key: value})
        ran += 1
        if model.stop_training:
            break
    cb.on_train_end()
    return model, ran


@pytest.mark.parametrize(
    "values, patience, expected_run",
    [
        ([5, 4, 3, 2, 1], 0, 5),  # always improving: never stops
        ([5, 6, 7, 8], 0, 2),  # patience 0: stops at the first non-improvement (epoch > 0)
        ([5, 6, 7, 8, 9], 2, 3),  # two bad epochs after the best
        ([5, 6, 4, 6, 7, 8], 2, 5),  # the counter restarts at the new best (epoch 2)
    ],
)
def test_early_stopping_patience(values, patience, expected_run):
    cb = EarlyStopping(patience=patience)
    model, ran = run_epochs(cb, values)
    assert ran == expected_run
    assert model.stop_training == (ran < len(values))
    assert cb.stopped_epoch == (ran - 1 if ran < len(values) else 0)


def test_early_stopping_min_delta_mode_baseline_start():
    # Improvements smaller than min_delta do not count.
    _, ran = run_epochs(EarlyStopping(min_delta=0.5, patience=2), [5.0, 4.8, 4.7, 4.4])
    assert ran == 3
    # mode='max' on accuracy-like values, inferred by 'auto' too.
    for mode in ("max", "auto"):
        _, ran = run_epochs(
            EarlyStopping(monitor="val_accuracy", mode=mode), [0.5, 0.6, 0.55], "val_accuracy"
        )
        assert ran == 3
        _, ran = run_epochs(
            EarlyStopping(monitor="val_accuracy", mode=mode), [0.5, 0.4, 0.6], "val_accuracy"
        )
        assert ran == 2
    # baseline: improvements that do not beat it keep counting.
    _, ran = run_epochs(EarlyStopping(baseline=1.0, patience=2), [5.0, 4.0, 4.0, 4.0])
    assert ran == 3
    _, ran = run_epochs(EarlyStopping(patience=2), [5.0, 4.0, 4.0, 4.0])
    assert ran == 4
    # start_from_epoch: the first epochs are not monitored at all.
    _, ran = run_epochs(EarlyStopping(start_from_epoch=2), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert ran == 4


def test_early_stopping_restores_best_weights(capsys):
    cb = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    model, ran = run_epochs(cb, [3.0, 1.0, 2.0, 2.5, 0.5])
    assert ran == 4 and cb.best_epoch == 1
    assert model.weights[0][0] == 1.0  # epoch 1's weights
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out and "best epoch: 2." in out
    # Without stopping, the best weights are restored too (Keras 3).
    model, _ = run_epochs(EarlyStopping(patience=5, restore_best_weights=True), [3.0, 1.0, 2.0])
    assert model.weights[0][0] == 1.0
    # And never without the flag.
    model, _ = run_epochs(EarlyStopping(patience=5), [3.0, 1.0, 2.0])
    assert model.weights[0][0] == 2.0


def test_early_stopping_missing_monitor_and_unknown_direction():
    with pytest.warns(UserWarning, match="not available. Available metrics are: loss"):
        _, ran = run_epochs(EarlyStopping(), [1.0, 2.0, 3.0], key="loss")
    assert ran == 3
    with pytest.raises(ValueError, match="mode='max'"):
        run_epochs(EarlyStopping(monitor="weird"), [1.0], key="weird")
    with pytest.raises(ValueError, match="`patience` must be a non-negative int"):
        EarlyStopping(patience=-1)
    names = ("val_loss", "auc", "val_mae", "mean_squared_error", "out_accuracy", "val_mean")
    assert [metric_direction(n) for n in names] == ["down", "up", "down", "down", "up", None]


def test_checkpoint_filepath_formatting(tmp_path):
    pattern = str(tmp_path / "sub" / "m-{epoch:02d}-{val_loss:.2f}.weights.h5")
    cb = ModelCheckpoint(pattern, save_weights_only=True)
    model, _ = run_epochs(cb, [0.5, 0.25])
    assert len(model.saved) == 2
    # Written through a temporary file that is renamed: no temporary left over.
    assert sorted(os.listdir(tmp_path / "sub")) == ["m-01-0.50.weights.h5", "m-02-0.25.weights.h5"]
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        run_epochs(ModelCheckpoint(str(tmp_path / "{acc}.keras")), [0.5])


def test_checkpoint_save_best_only_and_threshold(tmp_path, capsys):
    path = str(tmp_path / "best.weights.h5")
    cb = ModelCheckpoint(path, save_best_only=True, save_weights_only=True, verbose=1)
    model, _ = run_epochs(cb, [3.0, 2.0, 2.5, 1.0, 1.5])
    assert len(model.saved) == 3  # epochs 0, 1, 3
    assert read(path) == "3.0"  # the file holds epoch 3's weights
    assert "val_loss improved from 2.00000 to 1.00000" in capsys.readouterr().out
    cb = ModelCheckpoint(path, save_best_only=True, save_weights_only=True,
                         initial_value_threshold=1.8)  # fmt: skip
    model, _ = run_epochs(cb, [3.0, 2.0, 1.5, 1.7])
    assert len(model.saved) == 1
    cb = ModelCheckpoint(path, monitor="val_auc", mode="max", save_best_only=True,
                         save_weights_only=True)  # fmt: skip
    model, _ = run_epochs(cb, [0.5, 0.4, 0.9], key="val_auc")
    assert len(model.saved) == 2


def test_checkpoint_save_freq_counts_batches(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "b{epoch}-{batch}.weights.h5"), save_weights_only=True,
                         save_freq=3)  # fmt: skip
    assert cb._implements_train_batch_hooks() and cb._chunk_batch_hooks
    model = FakeModel()
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, ends in enumerate([[1, 3, 4], [1, 4]]):  # chunk ends: batches jump
        cb.on_epoch_begin(epoch)
        for batch in ends:
            cb.on_train_batch_end(batch, {"loss": 1.0})
        cb.on_epoch_end(epoch, {"loss": 1.0})
    # Seen counts: 2, 4 -> save (reset), 1; new epoch: 1 + 2 = 3 -> save, then 3 -> save.
    assert sorted(os.listdir(tmp_path)) == ["b1-4.weights.h5", "b2-2.weights.h5", "b2-5.weights.h5"]
    assert not ModelCheckpoint("x.keras")._implements_train_batch_hooks()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(filepath="w.h5", save_weights_only=True), "must end in `.weights.h5`"),
        (dict(filepath="m.txt"), "must end in `.keras` or `.h5`"),
        (dict(filepath="m.keras", save_freq="batch"), "unrecognized save_freq"),
        (dict(filepath="m.keras", save_freq=0), "unrecognized save_freq"),
    ],
)
def test_checkpoint_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ModelCheckpoint(**kwargs)


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = str(tmp_path / "a.weights.h5")
    atomic_write(path, lambda p: write(p, "old"))

    def broken(p):
        write(p, "half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, broken)
    assert read(path) == "old" and os.listdir(tmp_path) == ["a.weights.h5"]


def test_reduce_lr_on_plateau(capsys):
    cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_lr=0.02,
                           verbose=1)  # fmt: skip
    model = FakeModel()
    cb.set_model(model)
    cb.on_train_begin()
    lrs, logged = [], []
    for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        logs = {"loss": loss}
        cb.on_epoch_end(epoch, logs)
        lrs.append(model.optimizer.learning_rate)
        logged.append(logs["learning_rate"])
    # wait hits 2 at epoch 2 -> 0.05; epoch 3 spends the cooldown (wait reset, then 1);
    # epoch 4 -> 0.025; epoch 6 -> 0.0125 clipped to min_lr 0.02; then never below it.
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02]
    assert logged == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]
    assert "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)


def test_learning_rate_scheduler_units():
    model = FakeModel()
    cb = LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)
    cb.set_model(model)
    logs = {}
    for epoch in range(3):
        cb.on_epoch_begin(epoch)
        cb.on_epoch_end(epoch, logs)
    assert model.optimizer.learning_rate == 0.025 and logs["learning_rate"] == 0.025
    old_api = LearningRateScheduler(lambda epoch: 0.5)
    old_api.set_model(model)
    old_api.on_epoch_begin(0)
    assert model.optimizer.learning_rate == 0.5
    bad = LearningRateScheduler(lambda epoch, lr: "fast")
    bad.set_model(model)
    with pytest.raises(ValueError, match="should be a float"):
        bad.on_epoch_begin(0)


def test_csv_logger_append(tmp_path):
    path = str(tmp_path / "log.csv")
    cb = CSVLogger(path, separator=";")
    for _ in range(2):  # the second run overwrites
        cb.on_train_begin()
        cb.on_epoch_end(0, {"loss": 0.5, "acc": 0.25})
        cb.on_train_end()
    cb = CSVLogger(path, separator=";", append=True)
    cb.on_train_begin()
    cb.on_epoch_end(1, {"loss": 0.125, "acc": 0.75})
    cb.on_train_end()
    assert read(path).splitlines() == [
        "epoch;acc;loss;val_acc;val_loss",
        "0;0.25;0.5;NA;NA",
        "1;0.75;0.125;NA;NA",
    ]


def test_terminate_on_nan(capsys):
    model = FakeModel()
    cb = TerminateOnNaN()
    cb.set_model(model)
    assert cb._implements_train_batch_hooks() and cb._chunk_batch_hooks
    cb.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    cb.on_train_batch_end(1, {"loss": float("inf")})
    assert model.stop_training and "Batch 1: Invalid loss" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
        TerminateOnNaN(raise_error=True).on_batch_end(2, {"loss": float("nan")})


class KerasFakeModel(FakeModel):
    """What Keras's callbacks need from a model, for the conformance runs below."""

    metrics = []


@pytest.mark.conformance
def test_monitor_callbacks_match_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    values = list(np.round(rng.uniform(0, 1, 12), 2))
    for kwargs in (
        dict(patience=2),
        dict(patience=1, min_delta=0.1, restore_best_weights=True),
        dict(patience=3, baseline=0.3, start_from_epoch=2, restore_best_weights=True),
    ):
        ours, ran = run_epochs(EarlyStopping(**kwargs), values)
        theirs, their_ran = run_epochs(keras.callbacks.EarlyStopping(**kwargs), values,
                                       model=KerasFakeModel())  # fmt: skip
        assert (ran, ours.weights[0][0]) == (their_ran, theirs.weights[0][0]), kwargs
    for kwargs in (dict(patience=1, cooldown=2), dict(patience=2, min_lr=0.03, factor=0.2)):
        lrs = []
        for cls in (ReduceLROnPlateau, keras.callbacks.ReduceLROnPlateau):
            model = KerasFakeModel()
            cb = cls(monitor="loss", **kwargs)
            cb.set_model(model)
            cb.on_train_begin()
            seq = []
            for epoch, value in enumerate(values):
                cb.on_epoch_end(epoch, {"loss": value})
                seq.append(model.optimizer.learning_rate)
            lrs.append(seq)
        np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-6)
