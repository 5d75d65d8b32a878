"""Callbacks that watch a logged quantity: `EarlyStopping`, `ModelCheckpoint`,
`ReduceLROnPlateau` (Keras 3 semantics) on a shared `MonitorCallback` base.

They only override epoch hooks (and `ModelCheckpoint(save_freq=int)` takes one batch
call per fused chunk), so the engine keeps running without per-step logs.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from jnn._shell.callbacks.base import Callback

__all__ = ["EarlyStopping", "ModelCheckpoint", "MonitorCallback", "ReduceLROnPlateau"]

_UP = (
    "accuracy",
    "acc",
    "auc",
    "precision",
    "recall",
    "f1_score",
    "fbeta_score",
    "iou",
    "r2_score",
    "cosine_similarity",
    "true_positives",
    "true_negatives",
    "sensitivity",
    "specificity",
)
_DOWN = (
    "loss",
    "error",
    "crossentropy",
    "hinge",
    "divergence",
    "poisson",
    "logcosh",
    "false_positives",
    "false_negatives",
    "mae",
    "mse",
    "mape",
    "msle",
    "rmse",
)


def metric_direction(name: str) -> str | None:
    """Whether a logged metric should go `"up"` or `"down"` (None when unknown).

    Example:
        >>> metric_direction("val_accuracy"), metric_direction("mean_absolute_error")
        ('up', 'down')
    """
    base = name.removeprefix("val_")
    if base == "loss" or base.endswith("_loss"):
        return "down"
    for words, direction in ((_DOWN, "down"), (_UP, "up")):
        if any(base == w or base.endswith(f"_{w}") or base.startswith(f"{w}_") for w in words):
            return direction
    return None


def _copy_weights(model: Any) -> list[np.ndarray]:
    # A real copy: the engine donates the device buffers that views would point into.
    return [np.array(w, copy=True) for w in model.get_weights()]


class MonitorCallback(Callback):
    """Base for callbacks that track the best value of a logged quantity.

    Args:
        monitor: Name of the quantity in the epoch logs (e.g. `"val_loss"`).
        mode: `"auto"`, `"min"` or `"max"`; `"auto"` infers the direction from the name.
        baseline: Initial "best" value (None: the first value seen).
        min_delta: Smallest change that counts as an improvement.

    Example:
        >>> cb = MonitorCallback("val_accuracy")
        >>> cb._set_monitor_op(); cb._is_improvement(0.9, 0.8)
        True
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: Any = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[Any, Any], bool] | None = None

    def _set_monitor_op(self) -> None:
        direction = {"min": "down", "max": "up"}.get(self.mode) or metric_direction(self.monitor)
        if direction is None:
            raise ValueError(
                f"{type(self).__name__} callback received monitor={self.monitor}, but jnn "
                "isn't able to automatically determine whether that metric should be "
                "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                "highest metric value, or pass `mode='min'` in order to use the lowest value."
            )
        self.monitor_op = np.less if direction == "down" else np.greater
        if direction == "down":
            self.min_delta = -abs(self.min_delta)

    def _is_improvement(self, value: Any, reference: Any) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored quantity has stopped improving.

    Args:
        monitor: Quantity to watch (default `"val_loss"`).
        min_delta: Smallest change that counts as an improvement.
        patience: Epochs without improvement after which training stops.
        verbose: 1 prints a message when stopping / restoring.
        mode: `"auto"`, `"min"` or `"max"`.
        baseline: Value the quantity must beat; the wait counter only resets on epochs
            that beat it.
        restore_best_weights: At the end of training, restore the weights of the best epoch
            (the best epoch seen, even when training did not stop early).
        start_from_epoch: Epochs to wait before starting to monitor.

    Example:
        >>> cb = EarlyStopping(monitor="loss", patience=1)
        >>> class M: stop_training = False
        >>> cb.set_model(M()); cb.on_train_begin()
        >>> for epoch, loss in enumerate([1.0, 0.5, 0.6]):
        ...     cb.on_epoch_end(epoch, {"loss": loss})
        >>> cb.model.stop_training, cb.stopped_epoch
        (True, 2)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if not isinstance(patience, (int, np.integer)) or patience < 0:
            raise ValueError(
                f"EarlyStopping: argument `patience` must be a non-negative int, received "
                f"{patience!r}."
            )
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: list[np.ndarray] | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _copy_weights(self.model)
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = _copy_weights(self.model)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    f"Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        """The monitored value in `logs`, or None (with a warning) when it is missing."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value


def atomic_write(path: str, write: Callable[[str], None]) -> None:
    """Calls `write(tmp_path)` then moves the file onto `path` in one step (os.replace).

    A crash mid-write never leaves a truncated file at `path`. The temporary file keeps
    the extension of `path` (savers dispatch on it) and lives in the same directory.

    Example:
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> def write(tmp):
        ...     with open(tmp, "w") as f:
        ...         f.write("hi")
        >>> atomic_write(os.path.join(d, "a.txt"), write)
        >>> os.listdir(d)
        ['a.txt']
    """
    from jnn._shell.runtime import atomic

    with atomic.atomic_path(path) as tmp:
        write(tmp)


class ModelCheckpoint(MonitorCallback):
    """Saves the model (or its weights) every epoch or every `save_freq` batches.

    Args:
        filepath: Where to save; may hold `{epoch:02d}` (1-based) and any epoch log
            (`{val_loss:.2f}`), and `{batch}` with an integer `save_freq`. Must end in
            `.weights.h5` with `save_weights_only=True`, else `.keras` or `.h5`.
        monitor: Quantity compared with `save_best_only` (default `"val_loss"`).
        verbose: 1 prints a message per save.
        save_best_only: Only save when the monitored quantity improves.
        save_weights_only: Save with `model.save_weights` instead of `model.save`.
        mode: `"auto"`, `"min"` or `"max"`.
        save_freq: `"epoch"` or an int: save after that many batches. Batches run in fused
            chunks, so the save happens at the end of the chunk that reaches the count
            (use `compile(steps_per_execution=1)` for exact batch counts).
        initial_value_threshold: Initial "best" value for `save_best_only`.

    Files are written to a temporary file in the same directory and then renamed, so a
    crash never leaves a half-written checkpoint.

    Example:
        >>> cb = ModelCheckpoint("ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5",
        ...                      save_weights_only=True)
        >>> cb._get_file_path(2, None, {"val_loss": 0.1234})
        'ckpt-03-0.12.weights.h5'
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0
        if save_freq != "epoch" and (
            not isinstance(save_freq, (int, np.integer))
            or isinstance(save_freq, bool)
            or save_freq <= 0
        ):
            raise ValueError(
                f"ModelCheckpoint: unrecognized save_freq: {save_freq!r}. Expected save_freq "
                "are 'epoch' or positive integer values."
            )
        self._check_extension()

    def _check_extension(self) -> None:
        if self.save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                "provided must end in `.weights.h5` (Keras weights format). Received: "
                f"filepath={self.filepath}"
            )
        if not self.save_weights_only and not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "ModelCheckpoint: the filepath provided must end in `.keras` or `.h5` "
                f"(Keras model format). Received: filepath={self.filepath}"
            )

    _chunk_batch_hooks = True  # counts batches from one call per fused chunk

    def _implements_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and self.save_freq != "epoch"

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = dict(logs or {})
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used "
                f"is an existing directory: {filepath}"
            )
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            atomic_write(filepath, lambda p: self.model.save_weights(p, overwrite=True))
        else:
            if not hasattr(self.model, "save"):
                raise NotImplementedError(
                    "ModelCheckpoint: this model has no `save` method yet; pass "
                    "`save_weights_only=True` with a `.weights.h5` filepath."
                )
            atomic_write(filepath, lambda p: self.model.save(p, overwrite=True))
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict | None) -> str:
        logs = dict(logs or {})
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as exc:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {exc}. '
                f"Available fields: epoch, {', '.join(logs)}."
            ) from None


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` when a quantity stops improving.

    The new rate goes into the optimizer state between epochs (no recompilation), and
    every epoch's logs gain `learning_rate`.

    Args:
        monitor: Quantity to watch (default `"val_loss"`).
        factor: New rate = rate * factor (must be < 1).
        patience: Epochs without improvement before reducing.
        verbose: 1 prints a message per reduction.
        mode: `"auto"`, `"min"` or `"max"`.
        min_delta: Threshold for measuring a new optimum.
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: Lower bound on the learning rate.

    Example:
        >>> cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
        >>> cb.factor, cb.patience
        (0.5, 1)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """Whether the callback is waiting after a reduction."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = current_learning_rate(self.model)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch: int) -> bool:
        optimizer = self.model.optimizer
        old_lr = current_learning_rate(self.model)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True


def current_learning_rate(model: Any) -> float:
    """The optimizer's learning rate as a float (a schedule: its value at the current step).

    Example:
        >>> class Opt: learning_rate = 0.01
        >>> class M: optimizer = Opt()
        >>> current_learning_rate(M())
        0.01
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    lr = optimizer.learning_rate
    if callable(lr):
        ts = getattr(model, "__dict__", {}).get("_train_state")
        if ts is None or not hasattr(optimizer, "get_learning_rate"):
            raise TypeError("The optimizer's learning rate is a schedule; it has no single value.")
        return float(optimizer.get_learning_rate(ts.opt_state))
    return float(lr)
