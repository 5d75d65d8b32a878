"""Callback machinery: the do-nothing `Callback` base, `CallbackList`, `History`,
`ProgbarLogger` and `LambdaCallback` (Keras 3 semantics, Keras-2-style output).

The engine runs many steps per device dispatch, then calls the batch hooks for every
step in order with that step's logs (host numbers, not device arrays). To keep that
cheap, `CallbackList` only dispatches batch hooks to callbacks whose
`_implements_*_batch_hooks()` is true, and skips the whole loop when none is:
the engine can ask `callbacks._implements_train_batch_hooks()` once per fit.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

import numpy as np

from jnn._shell.callbacks.progress import Progbar, is_tty

__all__ = ["Callback", "CallbackList", "History", "LambdaCallback", "ProgbarLogger"]

HOOK_NAMES = (
    "on_batch_begin",
    "on_batch_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_begin",
    "on_train_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)
_BATCH_HOOKS = {
    "train": ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _default(method: Callable) -> Callable:
    """Marks a base-class hook as "does nothing", so overrides can be detected."""
    method._is_default = True
    return method


def _is_default(method: Any) -> bool:
    return getattr(method, "_is_default", False)


def _to_python(value: Any) -> Any:
    # Only scalars become floats: arrays (e.g. predict outputs) pass through untouched.
    if isinstance(value, (numbers.Number, np.generic)) or getattr(value, "ndim", None) == 0:
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return value


def pythonify_logs(logs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Returns a new flat dict whose scalar values are Python floats (order kept).

    Example:
        >>> import numpy as np
        >>> pythonify_logs({"loss": np.float32(0.5), "extra": {"lr": 1e-3}})
        {'loss': 0.5, 'lr': 0.001}
    """
    result: dict[str, Any] = {}
    for key, value in (logs or {}).items():
        if isinstance(value, Mapping):
            result.update(pythonify_logs(value))
        else:
            result[key] = _to_python(value)
    return result


class Callback:
    """Base class for callbacks: every hook exists and does nothing.

    Subclass it and override the hooks you need. `self.model` is the model being
    trained, `self.params` a dict such as `{"verbose": 1, "epochs": 10, "steps": 1875}`.
    `on_batch_begin`/`on_batch_end` are Keras 2 aliases called for training batches.

    Example:
        >>> class CountEpochs(Callback):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.count = 0
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.count += 1
        >>> cb = CountEpochs()
        >>> cb.on_epoch_end(0, {"loss": 1.0}); cb.count
        1
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        """Receives the run parameters (`verbose`, `epochs`, `steps`, ...)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Receives the model the callback is used with."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model being trained, evaluated or used for prediction."""
        return self._model

    @model.setter
    def model(self, model: Any) -> None:
        self._model = model

    @_default
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2 alias of `on_train_batch_begin`."""

    @_default
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2 alias of `on_train_batch_end`."""

    @_default
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch (training only)."""

    @_default
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch with its metrics, including `val_*` ones."""

    @_default
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a training batch; by default calls `on_batch_begin`."""
        self.on_batch_begin(batch, logs=logs)

    @_default
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a training batch with the epoch's running metrics so far;
        by default calls `on_batch_end`."""
        self.on_batch_end(batch, logs=logs)

    @_default
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a batch of `evaluate` (or of validation inside `fit`)."""

    @_default
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a batch of `evaluate` (or of validation inside `fit`)."""

    @_default
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a batch of `predict`."""

    @_default
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a batch of `predict`; `logs["outputs"]` holds its outputs."""

    @_default
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `fit`."""

    @_default
    def on_train_end(self, logs: dict | None = None) -> None:
        """Called at the end of `fit` with the last epoch's logs."""

    @_default
    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` (or of validation inside `fit`)."""

    @_default
    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of `evaluate` with its metrics."""

    @_default
    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    @_default
    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""

    def _implements_batch_hooks(self, mode: str) -> bool:
        return any(not _is_default(getattr(self, name)) for name in _BATCH_HOOKS[mode])

    def _implements_train_batch_hooks(self) -> bool:
        """Whether this callback wants to be called for each training batch."""
        return self._implements_batch_hooks("train")

    def _implements_test_batch_hooks(self) -> bool:
        """Whether this callback wants to be called for each evaluation batch."""
        return self._implements_batch_hooks("test")

    def _implements_predict_batch_hooks(self) -> bool:
        """Whether this callback wants to be called for each prediction batch."""
        return self._implements_batch_hooks("predict")


def _flatten(callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    flat: list[Callback] = []
    for item in callbacks:
        if isinstance(item, (list, tuple)):
            flat.extend(_flatten(item))
        else:
            flat.append(_check_callback(item))
    return flat


def _check_callback(callback: Any) -> Callback:
    if not isinstance(callback, Callback):
        raise TypeError(
            "CallbackList: every element of `callbacks` must be a "
            f"`jnn.callbacks.Callback` instance, received {callback!r} "
            f"of type {type(callback).__name__}."
        )
    return callback


class CallbackList(Callback):
    """Calls every hook of a list of callbacks, in order.

    Args:
        callbacks: Callbacks (nested lists are flattened).
        add_history: Append a `History` unless the list already holds one.
        add_progbar: Append a `ProgbarLogger` (after the `History`, as Keras 3 does)
            unless the list already holds one.
        model: The model the callbacks are used with; its `history` attribute is set to
            the `History` callback.
        **params: Run parameters passed to every callback's `set_params`
            (`verbose`, `epochs`, `steps`).

    Example:
        >>> seen = []
        >>> cbs = CallbackList([LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))],
        ...                    add_history=True, verbose=0, epochs=1, steps=1)
        >>> cbs.on_train_begin(); cbs.on_epoch_end(0, {"loss": 1.0})
        >>> seen, cbs.history.history
        ([0], {'loss': [1.0]})
    """

    def __init__(
        self,
        callbacks: Callback | Iterable[Callback] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _flatten(callbacks)
        self._batch_targets: dict[str, list[Callback]] = {}
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    @property
    def history(self) -> History | None:
        """The `History` callback of this list, if any."""
        return self._history

    def append(self, callback: Callback) -> None:
        """Adds a callback at the end, giving it the list's model and params."""
        callback = _check_callback(callback)
        if self._model is not None:
            callback.set_model(self._model)
        if self.params:
            callback.set_params(self.params)
        self.callbacks.append(callback)
        self._batch_targets = {}

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)
        self._batch_targets = {}

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)
        self._batch_targets = {}

    # -- batch-hook filtering ----------------------------------------------------------

    def _implements_batch_hooks(self, mode: str) -> bool:
        return bool(self._targets(mode))

    def _targets(self, mode: str) -> list[Callback]:
        targets = self._batch_targets.get(mode)
        if targets is None:
            targets = [cb for cb in self.callbacks if cb._implements_batch_hooks(mode)]
            self._batch_targets[mode] = targets
        return targets

    def _call_batch(self, mode: str, hook: str, batch: int, logs: Any) -> None:
        targets = self._targets(mode)
        if not targets:
            return
        logs = pythonify_logs(logs)
        for callback in targets:
            getattr(callback, hook)(batch, logs=logs)

    def _call(self, hook: str, *args: Any, logs: Any = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    # -- hooks -------------------------------------------------------------------------

    def on_batch_begin(self, batch, logs=None):
        self._call_batch("train", "on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call_batch("train", "on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("train", "on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("train", "on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("test", "on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("test", "on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("predict", "on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("predict", "on_predict_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)
        self._batch_targets = {}  # callbacks may change their mind once the run starts

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)
        self._batch_targets = {}

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)
        self._batch_targets = {}

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)


class History(Callback):
    """Records each epoch's logs; `fit` returns it.

    Attributes:
        history: Dict mapping each log name to its list of per-epoch Python floats.
        epoch: List of the epoch indices recorded.

    Example:
        >>> h = History()
        >>> h.on_train_begin(); h.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.7})
        >>> h.history, h.epoch
        ({'loss': [0.5], 'val_loss': [0.7]}, [0])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in pythonify_logs(logs).items():
            self.history.setdefault(key, []).append(value)
        if self._model is not None:
            self._model.history = self


class ProgbarLogger(Callback):
    """Prints `Epoch i/N` and a Keras-2-style progress bar for fit, evaluate and predict.

    Reads `params["verbose"]` (0, 1, 2 or "auto" = 1), `params["epochs"]` and
    `params["steps"]` (or `params["samples"]` with `count_mode="samples"`). Every
    logged value is displayed as given: jnn logs are already running means. When the
    output is not a terminal the bar does no per-batch work at all and the engine may
    skip this callback's batch hooks (see `_implements_train_batch_hooks`).

    Args:
        count_mode: `"steps"` or `"samples"` (counts `logs["size"]` per batch).
        file: Stream to print to; `None` means the current `sys.stdout`.
        clock: Function returning the current time in seconds (for tests).

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> cb = ProgbarLogger(file=out, clock=lambda: 0.0)
        >>> cb.set_params({"verbose": 1, "epochs": 2, "steps": 4})
        >>> cb.on_train_begin(); cb.on_epoch_begin(0)
        >>> cb.on_epoch_end(0, {"loss": 0.25})
        >>> print(out.getvalue(), end="")
        Epoch 1/2
        4/4 [==============================] - 0s 0s/step - loss: 0.2500
    """

    def __init__(
        self,
        count_mode: str = "steps",
        *,
        file: IO[str] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError(
                "ProgbarLogger: argument `count_mode` must be 'steps' or 'samples', "
                f"received {count_mode!r}."
            )
        self.use_steps = count_mode == "steps"
        self.file = file
        self._clock = clock
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps") if self.use_steps else params.get("samples")

    def _stream(self) -> IO[str]:
        return self.file if self.file is not None else sys.stdout

    def _needs_batches(self) -> bool:
        if not self.verbose:
            return False
        live = self.verbose == 1 and is_tty(self._stream())
        return live or self.target is None or not self.use_steps

    def _implements_batch_hooks(self, mode: str) -> bool:
        if mode == "test" and self._called_in_fit:
            return False
        return self._needs_batches()

    # -- hooks -------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._called_in_fit = True  # validation inside fit stays silent

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            stream = self._stream()
            stream.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            stream.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # never display the outputs

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    # -- progress bar ------------------------------------------------------------------

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = Progbar(
            target=self.target,
            verbose=self.verbose,
            unit_name="step" if self.use_steps else "sample",
            file=self.file,
            stateless_metrics=set(),
            clock=self._clock,
        )

    def _update_progbar(self, batch: int, logs: Mapping[str, Any] | None) -> None:
        if self.progbar is None:
            self._reset_progbar()
        logs = dict(logs or {})
        if self.use_steps:
            self.seen = batch + 1
        else:
            self.seen += int(logs.pop("size", 0))
            logs.pop("batch", None)
        if self.verbose == 1 and self.progbar.dynamic_display:
            self.progbar.update(self.seen, logs, finalize=False)

    def _finalize_progbar(self, logs: Mapping[str, Any] | None) -> None:
        if self.progbar is None:
            self._reset_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        values = {k: v for k, v in (logs or {}).items() if k not in ("size", "batch")}
        self.progbar.update(self.target, values, finalize=True)


class LambdaCallback(Callback):
    """Builds a callback from plain functions, one per hook.

    `on_epoch_begin`/`on_epoch_end` take `(epoch, logs)`, `on_train_begin`/`on_train_end`
    take `(logs)`, batch hooks take `(batch, logs)`. Any other hook of `Callback` can be
    given as a keyword argument (`on_test_end=fn`).

    Example:
        >>> losses = []
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> cb.on_epoch_end(0, {"loss": 0.3}); losses
        [0.3]
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
        on_train_batch_begin: Callable | None = None,
        on_train_batch_end: Callable | None = None,
        **kwargs: Callable,
    ) -> None:
        super().__init__()
        hooks = dict(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
        )
        for name in kwargs:
            if name not in HOOK_NAMES:
                raise ValueError(
                    f"LambdaCallback: unknown hook {name!r}. Valid hooks: {', '.join(HOOK_NAMES)}."
                )
        hooks.update(kwargs)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(
                    f"LambdaCallback: argument `{name}` must be callable, received {fn!r}."
                )
            setattr(self, name, fn)
