"""`LearningRateScheduler`, `CSVLogger`, `TerminateOnNaN` and `BackupAndRestore`
(Keras 3 semantics).

None of them asks for per-step logs: epoch hooks, or one batch call per fused chunk.
"""

from __future__ import annotations

import collections
import csv
import os
import shutil
from collections.abc import Callable, Iterable
from typing import Any

import jax
import numpy as np
from flax import serialization

from jnn._shell.callbacks.base import Callback
from jnn._shell.callbacks.monitor import atomic_write, current_learning_rate
from jnn._shell.runtime import rng as rng_lib

__all__ = ["BackupAndRestore", "CSVLogger", "LearningRateScheduler", "TerminateOnNaN"]


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of every epoch from `schedule(epoch, lr)`.

    The value goes into the optimizer state inside the jitted train state (no
    recompilation); every epoch's logs gain `learning_rate`.

    Args:
        schedule: `schedule(epoch, lr) -> float` (0-based epoch, current rate); a
            one-argument `schedule(epoch)` works too.
        verbose: 1 prints the new rate each epoch.

    Example:
        >>> cb = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
        >>> cb.schedule(0, 0.1)
        0.05
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler: argument `schedule` must be callable, received "
                f"{schedule!r}."
            )
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = current_learning_rate(self.model)
        try:  # new API
            lr = self.schedule(epoch, lr)
        except TypeError:  # old API: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.floating)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {lr!r}"
            )
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model)


def _csv_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams each epoch's logs to a CSV file (`epoch` column first, keys sorted).

    Args:
        filename: Path of the CSV file.
        separator: Column separator.
        append: Append to an existing file (its header is kept) instead of overwriting.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> cb = CSVLogger(path)
        >>> cb.on_train_begin(); cb.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.7})
        >>> cb.on_train_end()
        >>> with open(path) as f:
        ...     print(f.read().strip())
        epoch,loss,val_loss
        0,0.5,0.7
    """

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: csv.DictWriter | None = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: Any = None

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")  # noqa: SIM115 - kept open
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]  # Keras reserves val columns
        if self.writer is None:
            sep = self.sep

            class Dialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch", *self.keys], dialect=Dialect
            )
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


class TerminateOnNaN(Callback):
    """Stops training when the loss becomes NaN or infinite.

    The engine runs batches in fused chunks and reports the epoch's running loss at the
    end of each chunk; a NaN/inf batch makes that running mean NaN/inf, so training
    stops after the chunk that produced it (`batch` is the chunk's last batch).

    Args:
        raise_error: Raise a `RuntimeError` instead of setting `model.stop_training`.

    Example:
        >>> class M: stop_training = False
        >>> cb = TerminateOnNaN(); cb.set_model(M())
        >>> cb.on_batch_end(3, {"loss": float("nan")})
        Batch 3: Invalid loss, terminating training
        >>> cb.model.stop_training
        True
    """

    _chunk_batch_hooks = True

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


def _state_payload(ts: Any) -> dict[str, Any]:
    return {
        "params": ts.params,
        "state": ts.state,
        "opt_state": ts.opt_state,
        "rng": jax.random.key_data(ts.rng),
        "step": ts.step,
    }


class BackupAndRestore(Callback):
    """Backs up the whole train state so an interrupted `fit` resumes where it stopped.

    Each backup holds the parameters, non-trainable state, optimizer state, dropout key,
    step, the epoch's running metric states, the position it describes (epoch and steps
    done in that epoch), that epoch's shuffle seed and jnn's global random-key counter, in
    one msgpack file (`flax.serialization`, no pickle) written atomically. On the next
    `fit`, `on_train_begin` restores it and training continues at that position (inside
    an epoch: at the next step, with the same shuffled order); with the same seed the
    final weights equal those of an uninterrupted run. Batch-by-batch data (generators,
    `PyDataset`, `tf.data`) resumes inside an epoch by skipping the batches already done
    in that epoch's pass: exact when the source yields the same batches in the same order
    again (an unshuffled dataset; Keras restarts the epoch instead). The backup is
    deleted when training ends normally (`delete_checkpoint=True`).

    Args:
        backup_dir: Directory holding the backup.
        save_freq: `"epoch"`, or an int N: also back up after every N batches. The fused
            engine then runs at most N steps per dispatch, so a backup lands at the end of
            the chunk reaching the count, holding exactly the state after that step.
        double_checkpoint: Keep the previous backup as `*.bkp` and fall back to it when
            the latest one cannot be read.
        delete_checkpoint: Delete `backup_dir` at the end of a completed `fit`.

    Example:
        >>> cb = BackupAndRestore("/tmp/backup")
        >>> os.path.basename(cb._state_path)
        'latest.state.msgpack'
    """

    _chunk_batch_hooks = True

    def __init__(
        self,
        backup_dir: str | os.PathLike,
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty `backup_dir` argument passed.")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or save_freq <= 0):
            raise ValueError(
                "Invalid value for argument `save_freq`. Received: "
                f"save_freq={save_freq!r}. Expected either 'epoch' or a positive integer."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._state_path = os.path.join(self.backup_dir, "latest.state.msgpack")
        self._prev_state_path = self._state_path + ".bkp"
        self._current_epoch = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._saved_position: tuple | None = None

    def _implements_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and self.save_freq != "epoch"

    @property
    def _max_chunk_steps(self) -> int | None:
        """The engine fuses at most this many steps, so every save point ends a chunk."""
        return None if self.save_freq == "epoch" else self.save_freq

    # -- hooks -------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._current_epoch = 0
        self._saved_position = None
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        try:
            self._load()
        except (OSError, ValueError):
            if not (self.double_checkpoint and os.path.exists(self._prev_state_path)):
                raise
            shutil.copyfile(self._prev_state_path, self._state_path)
            self._load()

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save((epoch + 1, 0, None))

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            # The engine's record of what the held state has done: with per-step batch hooks
            # the state is the chunk's end, whichever batch of the chunk triggers the save.
            position = self.model.__dict__.get("_fit_position")
            if position is None:
                position = (self._current_epoch, batch + 1, None)
            if position != self._saved_position:
                self._save(position)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)

    # -- save / load -------------------------------------------------------------------

    def _train_state(self) -> Any:
        ts = self.model.__dict__.get("_train_state")
        if ts is None:
            raise ValueError(
                "BackupAndRestore: the model has no train state; use it as a callback of `fit`."
            )
        return ts

    def _save(self, position: tuple[int, int, int | None]) -> None:
        """Writes the held train state; ``position`` is (epoch, steps done in it, its
        shuffle seed or None) and must describe exactly that state."""
        os.makedirs(self.backup_dir, exist_ok=True)
        ts = self._train_state()
        leaves = [np.asarray(leaf) for leaf in jax.tree.leaves(_state_payload(ts))]
        lr = self.model.optimizer.learning_rate
        epoch, step, seed = position
        record = {
            "leaves": leaves,
            "metric_leaves": [np.asarray(leaf) for leaf in jax.tree.leaves(ts.metrics)],
            "epoch": int(epoch),
            "step": int(step),
            "plan_seed": -1 if seed is None else int(seed),
            "rng_counter": rng_lib._counter,
            "seed": -1 if rng_lib.get_seed() is None else rng_lib.get_seed(),
            "learning_rate": -1.0 if callable(lr) else float(lr),
            # Inside an epoch: the rate before that epoch's on_epoch_begin hooks, which run
            # again on resume (a LearningRateScheduler must not apply its step twice).
            "epoch_learning_rate": _rate(self.model.__dict__.get("_epoch_start_lr", lr)),
        }
        data = serialization.msgpack_serialize(record)
        if self.double_checkpoint and os.path.exists(self._state_path):
            shutil.copyfile(self._state_path, self._prev_state_path)
        atomic_write(self._state_path, lambda p: _write_bytes(p, data))
        self._saved_position = position

    def _load(self) -> None:
        if not os.path.exists(self._state_path):
            return
        with open(self._state_path, "rb") as f:
            record = serialization.msgpack_restore(f.read())
        ts = self._train_state()
        payload = _state_payload(ts)
        leaves, treedef = jax.tree.flatten(payload)
        saved = record["leaves"]
        saved = [saved[str(i)] for i in range(len(saved))] if isinstance(saved, dict) else saved
        if len(saved) != len(leaves) or any(
            np.shape(a) != np.shape(b) for a, b in zip(saved, leaves)
        ):
            raise ValueError(
                f"BackupAndRestore: the backup in {self.backup_dir} does not match this "
                f"model and optimizer ({len(saved)} arrays saved, {len(leaves)} expected)."
            )
        restored = jax.tree.unflatten(
            treedef, [np.asarray(a, dtype=np.asarray(b).dtype) for a, b in zip(saved, leaves)]
        )
        self._apply(ts, restored, record)

    def _restored_metrics(self, ts: Any, record: dict[str, Any]) -> Any:
        """The epoch's running metric states, when the backup holds matching ones."""
        saved = record.get("metric_leaves")
        if saved is None:  # a backup written before jnn saved them: start the epoch's afresh
            return ts.metrics
        saved = [saved[str(i)] for i in range(len(saved))] if isinstance(saved, dict) else saved
        leaves, treedef = jax.tree.flatten(ts.metrics)
        if len(saved) != len(leaves) or any(
            np.shape(a) != np.shape(b) for a, b in zip(saved, leaves)
        ):
            raise ValueError(
                f"BackupAndRestore: the backup in {self.backup_dir} does not match this "
                "model's compiled metrics (different metrics or outputs)."
            )
        return jax.tree.unflatten(
            treedef, [np.asarray(a, dtype=np.asarray(b).dtype) for a, b in zip(saved, leaves)]
        )

    def _apply(self, ts: Any, restored: dict[str, Any], record: dict[str, Any]) -> None:
        model = self.model
        new_ts = ts.replace(
            params=restored["params"],
            state=restored["state"],
            opt_state=restored["opt_state"],
            step=restored["step"],
            rng=jax.random.wrap_key_data(restored["rng"]),
            metrics=self._restored_metrics(ts, record),
        )
        new_ts = jax.tree.map(jax.numpy.asarray, new_ts)
        model.__dict__["_train_state"] = new_ts
        model.set_variables({"params": new_ts.params, "state": new_ts.state})
        lr = float(record.get("learning_rate", -1.0))
        if lr >= 0 and not callable(model.optimizer.learning_rate):
            model.optimizer.learning_rate = lr
            cfg = model.__dict__.get("_compiled")
            if cfg is not None:
                cfg.lr_seen = lr  # the restored optimizer state already holds it
            start_lr = float(record.get("epoch_learning_rate", -1.0))
            if int(record.get("step", 0)) and start_lr >= 0:
                model.optimizer.learning_rate = start_lr  # on_epoch_begin(epoch) runs again
        seed = int(record.get("seed", -1))
        if seed >= 0 and rng_lib.get_seed() == seed:
            with rng_lib._lock:
                rng_lib._counter = int(record["rng_counter"])
        self._current_epoch = int(record["epoch"])
        model.__dict__["_initial_epoch"] = self._current_epoch
        step = int(record.get("step", 0))
        self._saved_position = (self._current_epoch, step, None)
        if step:  # taken inside an epoch: fit resumes at that step, in that epoch's order
            seed = int(record.get("plan_seed", -1))
            model.__dict__["_resume_step"] = (step, None if seed < 0 else seed)


def _rate(lr: Any) -> float:
    return -1.0 if callable(lr) else float(lr)


def _write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
