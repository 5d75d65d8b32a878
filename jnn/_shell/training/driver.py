"""``compile``, ``fit``, ``evaluate``, ``predict`` — the Keras workflow on the fused engine.

These are methods of :class:`jnn.Model` (bound in model.py). They resolve Keras arguments,
move data, call the core's pure steps through :mod:`jnn._shell.training.engine`, and run callbacks.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np
import optax

from jnn._core import losses as losses_lib
from jnn._core import metrics as metrics_lib
from jnn._core import optimizers as optimizers_lib
from jnn._core import precision
from jnn._core import steps as steps_lib
from jnn._core.optimizers.pipeline import trainable_only
from jnn._shell import protocol
from jnn._shell.callbacks import base as callbacks_lib
from jnn._shell.runtime import config, rng
from jnn._shell.runtime import distribution as distribution_lib
from jnn._shell.training import data, engine, feeding

_FINITE_NAMES = ("Input data `x`", "Target data `y`")


class CompileConfig:
    """What ``compile`` received, resolved once the output and target shapes are known."""

    def __init__(self, optimizer, loss, metrics, loss_weights, weighted_metrics, run_eagerly,
                 steps_per_execution, jit_compile):
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.loss_weights = loss_weights
        self.weighted_metrics = weighted_metrics
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self.objectives: steps_lib.Objectives | None = None
        self.tx: optax.GradientTransformation | None = None
        self.scale_loss = getattr(optimizer, "scale_loss", None)


def compile(  # noqa: A001 - Keras's name
    self,
    optimizer: Any = "rmsprop",
    loss: Any = None,
    metrics: Any = None,
    loss_weights: Any = None,
    weighted_metrics: Any = None,
    run_eagerly: bool = False,
    steps_per_execution: Any = "auto",
    jit_compile: Any = True,
    auto_scale_loss: bool = True,
    distribution: Any = None,
) -> None:
    """Configures the model for training (Keras's ``Model.compile``).

    Args:
        optimizer: name ('rmsprop', 'adam', ...), jnn optimizer or any optax transformation.
        loss: name, function or Loss; a list / dict for multi-output models.
        metrics: list of names / functions / Metric objects (or a dict / list per output).
        loss_weights: list or dict of per-output loss weights.
        run_eagerly: run step by step without jit (debugging; same results).
        steps_per_execution: steps fused in one device dispatch ('auto' or a positive int).
        distribution: a ``jnn.distribution`` Distribution (e.g. ``DataParallel()``) that fit /
            evaluate / predict of this model run under, as if inside ``distribution.scope()``;
            None uses the global one (``jnn.distribution.set_distribution``).

    Example:
        >>> import jnn
        >>> model = jnn.Sequential([jnn.layers.Dense(1, input_dim=2, activation="sigmoid")])
        >>> model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    """
    if steps_per_execution != "auto" and (
        not isinstance(steps_per_execution, (int, np.integer)) or steps_per_execution <= 0
    ):
        raise ValueError(
            "`steps_per_execution` must be 'auto' or a positive int, received "
            f"{steps_per_execution!r}."
        )
    opt = optimizers_lib.get(optimizer)
    if auto_scale_loss and precision.global_policy().compute_dtype == "float16" and not (
        isinstance(opt, optimizers_lib.LossScaleOptimizer)
    ):
        # Keras 3: float16 compute needs dynamic loss scaling to keep small gradients.
        opt = optimizers_lib.LossScaleOptimizer(opt)
    elif precision.global_policy().compute_dtype == "float16" and not (
        isinstance(opt, optimizers_lib.LossScaleOptimizer)
    ):
        warnings.warn(
            "compile(auto_scale_loss=False) under a float16 policy: the loss is not scaled, so "
            "gradients smaller than ~6e-8 underflow to zero in float16 and training may stall. "
            "Keep auto_scale_loss=True or pass jnn.optimizers.LossScaleOptimizer(optimizer).",
            UserWarning,
            stacklevel=2,
        )
    self.__dict__["optimizer"] = opt
    self.__dict__["loss"] = loss
    self.__dict__["_compiled"] = CompileConfig(
        opt, loss, metrics, loss_weights, weighted_metrics, bool(run_eagerly),
        steps_per_execution, jit_compile,
    )
    self.__dict__["_compiled"].distribution = distribution
    self.__dict__["_engine"] = engine.Engine(self)
    self.__dict__["_train_state"] = None
    self.__dict__["_opt_state_keep"] = None


@property
def metrics_names(self) -> list[str]:
    """``['loss', 'accuracy', ...]`` — the names ``evaluate`` returns values for."""
    cfg = self.__dict__.get("_compiled")
    if cfg is None or cfg.objectives is None:
        return []
    return cfg.objectives.names


# --- resolving losses and metrics per output ------------------------------------------------


_SINGULAR = {"metrics": "metric", "weighted_metrics": "weighted metric",
             "loss_weights": "loss weight"}


def _per_output(value: Any, names: list[str], what: str) -> list[Any]:
    n = len(names)
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"`{what}` has keys {unknown} that are not output names of the model; the "
                f"outputs are {names}."
            )
        return [value.get(k) for k in names]
    if isinstance(value, (list, tuple)) and (n > 1 or what in ("loss", "loss_weights")):
        if len(value) != n:
            outputs = "1 output" if n == 1 else f"{n} outputs"
            raise ValueError(
                f"`{what}` has {len(value)} entries, but the model has {outputs} {names}. "
                f"Pass one {_SINGULAR.get(what, what)} per output (or a dict keyed by output "
                "name)."
            )
        return list(value)
    return [value] * n


def _build_objectives(model, cfg: CompileConfig, y_flat: list[np.ndarray],
                      preds: list[Any]) -> steps_lib.Objectives:
    names = model.output_names
    if cfg.loss is None and not _adds_losses(model, preds):
        raise ValueError(
            "You must call `compile()` with a `loss` before training or evaluating: "
            "e.g. model.compile(optimizer='adam', loss='sparse_categorical_crossentropy') "
            "(or add the model's loss in call() with self.add_loss)."
        )
    loss_list = [
        None if lo is None else losses_lib.resolve(
            lo, tuple(y_flat[i].shape) if i < len(y_flat) else None, tuple(preds[i].shape))
        for i, lo in enumerate(_per_output(cfg.loss, names, "loss"))
    ]
    weights = None
    if cfg.loss_weights is not None:
        weights = [1.0 if w is None else w
                   for w in _per_output(cfg.loss_weights, names, "loss_weights")]
    plain = _metric_lists(cfg.metrics, names, "metrics")
    weighted = _metric_lists(cfg.weighted_metrics, names, "weighted_metrics")
    resolved, flags = [], []
    for i in range(len(names)):
        y_shape = tuple(y_flat[i].shape) if i < len(y_flat) else tuple(preds[i].shape)
        p_shape = tuple(preds[i].shape)
        out = [metrics_lib.resolve(m, y_shape, p_shape, loss_list[i]) for m in plain[i]]
        taken = {m.name for m in out}
        for m in weighted[i]:
            metric = metrics_lib.resolve(m, y_shape, p_shape, loss_list[i])
            if metric.name in taken:  # Keras 3: the weighted twin gets a prefix
                metric.name = f"weighted_{metric.name}"
            out.append(metric)
        resolved.append(out)
        flags.append([False] * len(plain[i]) + [True] * len(weighted[i]))
    return steps_lib.Objectives(loss_list, weights, resolved, names, weighted=flags)


def _adds_losses(model, preds: list[Any]) -> bool:
    """Whether the model's call adds losses (``add_loss``), so it may compile without one."""
    spec = model.__dict__.get("_build_spec")
    if spec is None:
        return False
    found = []

    def run(variables, x):
        _, _, losses = model._apply_with_losses(variables, x, training=True)
        found.append(len(losses))
        return None

    jax.eval_shape(run, model.variables_tree, spec)
    return bool(found and found[0])


def _metric_lists(metrics: Any, names: list[str], what: str) -> list[list[Any]]:
    """Per-output lists of metric identifiers from compile's ``metrics`` argument."""
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, Mapping) or (
        isinstance(metrics, (list, tuple)) and len(names) > 1 and metrics
        and all(isinstance(m, (list, tuple)) or m is None for m in metrics)
    ):
        per = _per_output(metrics, names, what)
    else:
        per = [metrics] * len(names)
    return [[] if ms is None else (list(ms) if isinstance(ms, (list, tuple)) else [ms])
            for ms in per]


def _flatten_targets(model, y: Any) -> list[np.ndarray]:
    if y is None:
        return []
    names = model.output_names
    if isinstance(y, Mapping):
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(
                f"Target dict is missing output(s) {missing}; the model's outputs are {names} "
                f"and `y` has keys {sorted(y)}."
            )
        return [y[n] for n in names]
    if isinstance(y, (list, tuple)) and len(names) == 1 and len(y) == 1 and np.ndim(y[0]) >= 1:
        return [y[0]]  # y=[y] for a single-output model, as Keras accepts
    if isinstance(y, (list, tuple)) and len(names) > 1:
        if len(y) != len(names):
            raise ValueError(
                f"The model has {len(names)} outputs {names} but `y` has {len(y)} arrays."
            )
        return list(y)
    if len(names) > 1:
        raise ValueError(
            f"The model has {len(names)} outputs {names}; pass `y` as a list or dict of "
            f"{len(names)} arrays."
        )
    return [y]


def _flatten_sample_weight(model, sw: Any, n_out: int) -> list[Any] | None:
    if sw is None:
        return None
    if isinstance(sw, Mapping):
        return [sw.get(name) for name in model.output_names]
    if isinstance(sw, (list, tuple)) and n_out > 1:
        return list(sw)
    return [sw] * n_out


def _class_weight_to_sample_weight(class_weight: Mapping, y: np.ndarray,
                                   sw: np.ndarray | None) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] > 1:
        cls = np.argmax(y, axis=-1)
    else:  # Keras rounds soft binary targets (0.9 -> class 1)
        cls = np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(np.int64)
    weights = np.array([float(class_weight.get(int(c), 1.0)) for c in cls], np.float32)
    if sw is not None:
        weights = weights * np.asarray(sw, np.float32).reshape(weights.shape[0], -1)[:, 0]
    return weights


def _check_class_weight(sw_flat: Any) -> None:
    if sw_flat is not None:  # Keras 3 refuses the pair rather than multiplying them
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")


def _device_data(model, adapter: Any, y_flat: Any, sw_flat: Any, class_weight: Any = None,
                 steps: Any = None, shuffle: Any = False, *, targets: bool = True) -> Any:
    """Arrays -> ``engine.DeviceData``; batch-by-batch sources -> ``feeding.Feed``.

    Both offer ``host``, ``row_bytes``, ``resident``, ``check_finite`` and ``chunks``.
    """
    if isinstance(adapter, data.ArrayAdapter):
        return engine.DeviceData(adapter.x, y_flat, sw_flat)
    if class_weight is not None and adapter.source.kind in ("generator", "iterable"):
        raise ValueError(
            f"Argument `class_weight` is not supported for {adapter.kind_name} inputs (as in "
            "Keras): yield `(x, y, sample_weight)` batches instead, or use a "
            f"jnn.utils.Sequence. Received: class_weight={class_weight}"
        )

    cfg = model.__dict__.get("_compiled")
    checks = []  # (loss, output shape) per output: every batch's targets are validated
    if targets and cfg is not None and cfg.objectives is not None:
        preds = _output_specs(model, adapter.x)
        checks = [(lo, tuple(p.shape)) for lo, p in zip(cfg.objectives.losses, preds)]

    def prepare(x, y, sw):
        if not targets:
            return x, None, None
        yf = _flatten_targets(model, y)
        for (loss, shape), yi in zip(checks, yf):
            if loss is not None:
                losses_lib.validate_targets(loss, yi, shape)
        swf = _flatten_sample_weight(model, sw, len(yf))
        if class_weight is not None:
            _check_class_weight(swf)
            swf = [_class_weight_to_sample_weight(class_weight, yf[0], None)]
        if swf is not None:
            swf = [None if w is None else np.asarray(w, np.float32) for w in swf]
        return x, yf, swf

    return feeding.Feed(adapter, prepare, steps=feeding.steps_or_none(steps), shuffle=shuffle,
                        seed=engine.new_seed())


def _final_activation(layer: Any) -> str | None:
    """Name of the activation a model output ends with, when its last layer says so."""
    if layer is None:
        return None
    if type(layer).__name__ == "Softmax":
        return "softmax"
    if hasattr(layer, "output_names"):  # a nested model: look at its own last layer
        inner = _output_layers(layer)
        return _final_activation(inner[0]) if len(inner) == 1 else None
    if any(hasattr(layer, a) for a in ("return_sequences", "cell", "recurrent_initializer")):
        return None  # recurrent layers apply `activation` inside the cell, not last
    name = getattr(getattr(layer, "activation", None), "__name__", None)
    return name if isinstance(name, str) else None


def _output_layers(model) -> list[Any]:
    """The layer producing each output (``None`` where the model's structure doesn't say)."""
    names = model.output_names
    struct = getattr(model, "_outputs_struct", None)
    if struct is not None:  # functional
        tensors = [struct[n] for n in names] if isinstance(struct, Mapping) else model.outputs
        return [getattr(getattr(t, "node", None), "layer", None) for t in tensors]
    if protocol.is_sequential(model) and model.layers:
        return [model.layers[-1]]
    return [None] * len(names)


def _warn_logits_mismatch(model, loss_list: list[Any]) -> None:
    """Warns once per compile when an output's activation contradicts its loss's
    ``from_logits`` (a softmax output with ``from_logits=True``, a linear one without)."""
    for loss, layer in zip(loss_list, _output_layers(model)):
        if loss is None:
            continue
        hint = losses_lib.check_logits_hint(loss, activation=_final_activation(layer))
        if hint is not None:
            warnings.warn(hint, UserWarning, stacklevel=4)


def _prepare(model, adapter: data.ArrayAdapter, class_weight: Any = None, *, training: bool):
    """Builds the model for the data, resolves the objectives, checks targets."""
    cfg = model.__dict__.get("_compiled")
    if cfg is None:
        raise RuntimeError(
            "You must compile your model before training/testing. Use "
            "`model.compile(optimizer, loss)`."
        )
    _ensure_built(model, adapter.x)
    y_flat = _flatten_targets(model, adapter.y)
    if not y_flat and cfg.loss is not None:
        raise ValueError(
            "No targets `y` were given: fit/evaluate need targets (pass y=..., or x as a tuple "
            "(x, y) in a generator)."
        )
    sw_flat = _flatten_sample_weight(model, adapter.sample_weight, len(y_flat))
    if class_weight is not None:
        if not isinstance(class_weight, Mapping):
            raise ValueError(
                "`class_weight` must be a dict mapping class indices to weights (e.g. "
                f"{{0: 1.0, 1: 2.0}}), received {type(class_weight).__name__}: {class_weight!r}."
            )
        if len(y_flat) > 1:
            raise ValueError("`class_weight` is only supported for models with a single output.")
        _check_class_weight(sw_flat)
        sw_flat = [_class_weight_to_sample_weight(class_weight, y_flat[0], None)]
    preds = _output_specs(model, adapter.x)
    if cfg.objectives is None:
        cfg.objectives = _build_objectives(model, cfg, y_flat, preds)
        _warn_logits_mismatch(model, cfg.objectives.losses)
        mask = model.trainable_mask(model.variables_tree["params"])
        cfg.tx = trainable_only(cfg.optimizer.tx, mask)
    for i, (loss, y, p) in enumerate(zip(cfg.objectives.losses, y_flat, preds)):
        if loss is not None:
            try:
                losses_lib.validate_targets(loss, np.asarray(y), tuple(p.shape))
            except ValueError as exc:
                name = model.output_names[i]
                prefix = f"Output '{name}': " if len(y_flat) > 1 else ""
                raise ValueError(f"{prefix}{exc}") from None
    return cfg, y_flat, sw_flat


def _ensure_built(model, x: Any) -> None:
    if model.built:
        return
    if hasattr(model, "_ensure_built_for"):
        model._ensure_built_for(x)
    else:
        from jnn._core.layers.base import spec_of

        model._build_from_spec(spec_of(jax.tree.map(lambda a: a[:1], x)))


def _output_specs(model, x: Any) -> list[Any]:
    """Output shapes for inputs like ``x`` (abstract evaluation, cached per input spec)."""
    sample = jax.tree.map(lambda a: jax.ShapeDtypeStruct((1,) + a.shape[1:], a.dtype), x)
    key = str(jax.tree.structure(sample)) + str(jax.tree.leaves(sample))
    cache = model.__dict__.setdefault("_output_spec_cache", {})
    if key not in cache:
        out = jax.eval_shape(
            lambda v, xx: model.apply(v, xx, training=False), model.variables_tree, sample
        )
        cache[key] = model.flatten_outputs(out)
    return cache[key]


def _train_state(model, cfg: CompileConfig) -> steps_lib.TrainState:
    ts = model.__dict__.get("_train_state")
    variables = model.variables_tree
    if ts is None:
        keep = model.__dict__.get("_opt_state_keep")
        opt_state = keep if keep is not None else cfg.tx.init(variables["params"])
        ts = steps_lib.TrainState(
            params=variables["params"], state=variables["state"], opt_state=opt_state,
            metrics=cfg.objectives.init(), rng=rng.next_key(),
            step=jax.numpy.zeros((), jax.numpy.int32),
        )
    else:
        ts = ts.replace(params=variables["params"], state=variables["state"])
    return distribution_lib.place_train_state(_sync_learning_rate(cfg, ts))


def _sync_learning_rate(cfg: CompileConfig, ts: steps_lib.TrainState) -> steps_lib.TrainState:
    # `model.optimizer.learning_rate = 0.01` between calls (or from a callback between
    # epochs) takes effect, as in Keras: the value lives in the optimizer state, so no
    # recompilation.
    lr = cfg.optimizer.learning_rate
    if not callable(lr) and cfg.__dict__.get("lr_seen", lr) != lr:
        ts = ts.replace(opt_state=cfg.optimizer.set_learning_rate(ts.opt_state, lr))
    cfg.lr_seen = lr
    return ts


def _store_train_state(model, ts: steps_lib.TrainState) -> None:
    model.__dict__["_train_state"] = ts
    model.set_variables({"params": ts.params, "state": ts.state})


def _callbacks(model, callbacks, *, verbose, epochs, steps, add_history):
    cbs = callbacks_lib.CallbackList(
        callbacks, add_history=add_history, add_progbar=verbose != 0, model=model,
        verbose=verbose, epochs=epochs, steps=steps,
    )
    return cbs


def _wants_batch_logs(cbs, kind: str) -> bool:
    for cb in cbs:
        if isinstance(cb, (callbacks_lib.History, callbacks_lib.ProgbarLogger)):
            continue
        if getattr(cb, "_chunk_batch_hooks", False):  # fine with one call per fused chunk
            continue
        check = getattr(cb, f"_implements_{kind}_batch_hooks", None)
        if check is None or check():
            return True
    return False


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose is True:
        return 1
    if verbose is False or verbose is None:
        return 0
    return int(verbose)


def _under_compiled_distribution(fn):
    """Runs ``fn`` inside the scope of ``compile(distribution=...)``, when one was given."""

    @functools.wraps(fn)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        cfg = self.__dict__.get("_compiled")
        dist = getattr(cfg, "distribution", None)
        if dist is None or distribution_lib.distribution() is dist:
            return fn(self, *args, **kwargs)
        with dist.scope():
            return fn(self, *args, **kwargs)

    return wrapper


@_under_compiled_distribution
def fit(
    self,
    x: Any = None,
    y: Any = None,
    batch_size: int | None = None,
    epochs: int = 1,
    verbose: Any = "auto",
    callbacks: Any = None,
    validation_split: float = 0.0,
    validation_data: Any = None,
    shuffle: Any = True,
    class_weight: Any = None,
    sample_weight: Any = None,
    initial_epoch: int = 0,
    steps_per_epoch: int | None = None,
    validation_steps: int | None = None,
    validation_batch_size: int | None = None,
    validation_freq: Any = 1,
    **kwargs: Any,
) -> Any:
    """Trains the model (Keras's ``Model.fit``) and returns a ``History``.

    Runs fused: the data stays on the device, K steps run per dispatch in one ``lax.scan``,
    and callbacks see every batch's logs after each chunk. Force one step per dispatch with
    ``compile(steps_per_execution=1)`` when a callback needs the weights after every batch.

    The data goes one way: :mod:`.data` hands out adapters, :class:`_FitRun` puts the adapter's
    data on the device and compiles the engine's fused chunk, :func:`_fit_epoch` scans the
    device chunks, and the callbacks hear about every chunk and epoch.

    Example:
        >>> import numpy as np, jnn
        >>> model = jnn.Sequential([jnn.layers.Dense(1, input_dim=2)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
        >>> len(history.history["loss"])
        2
    """
    _check_fit_arguments(epochs, steps_per_epoch, kwargs)
    config.maybe_enable_default_cache()
    verbose = _resolve_verbose(verbose)
    batch_size = _check_batch_size(batch_size)
    # 1. Adapters: the data module turns x / y / validation data into host arrays or feeds.
    adapter, val_adapter = _fit_adapters(x, y, sample_weight, validation_data, validation_split)
    cfg, y_flat, sw_flat = _prepare(self, adapter, class_weight, training=True)
    # 2. Device chunks: the adapter's data on the device, K steps per dispatch.
    fit_run = _FitRun(self, cfg, adapter, y_flat, sw_flat, class_weight, batch_size,
                      steps_per_epoch, shuffle)
    # 3. Callbacks, then the engine's fused chunk they allow.
    self.stop_training = False
    cbs = _callbacks(self, callbacks, verbose=verbose, epochs=epochs, steps=fit_run.steps,
                     add_history=True)
    fit_run.compile(cbs)
    ts = _train_state(self, cfg)
    self.__dict__["_train_state"] = ts
    cbs.on_train_begin()
    ts = _train_state(self, cfg)  # a callback (BackupAndRestore) may have replaced it
    initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
    resume_at = self.__dict__.pop("_resume_step", None)  # (step, plan seed) of a mid-epoch backup
    val_k = _val_freq(validation_freq)
    val_cache = _validation_cache(self, val_adapter, validation_steps)  # checked before training
    logs: dict[str, float] = {}
    if fit_run.can_pipeline(cbs, has_validation=val_adapter is not None):
        logs = _fit_pipelined(self, cbs, cfg, fit_run.pipelined(), ts, fit_run.dev_data,
                              initial_epoch, epochs)
        initial_epoch = epochs  # all epochs ran
    # 4. Epochs: the engine scans the device chunks; callbacks hear about each chunk and epoch.
    for epoch in range(initial_epoch, epochs):
        resume = resume_at if epoch == initial_epoch else None
        ts, logs = _fit_epoch(self, fit_run, cbs, ts, epoch, resume, logs)
        if val_adapter is not None and val_k(epoch + 1):
            val_logs = _evaluate_adapter(
                self, val_adapter, validation_batch_size or fit_run.batch_size, validation_steps,
                callbacks=cbs, verbose=0, cache=val_cache,
            )
            logs.update({f"val_{k_}": v for k_, v in val_logs.items()})
        _log_learning_rate(cfg, ts, logs)
        cbs.on_epoch_end(epoch, logs)
        if self.stop_training:
            break
    cbs.on_train_end(logs)
    _release(fit_run.dev_data, val_cache.get("dev_data"))
    return self.history


def _check_fit_arguments(epochs: Any, steps_per_epoch: Any, kwargs: dict[str, Any]) -> None:
    if "epoch" in kwargs:
        raise TypeError("fit() got an unexpected keyword argument 'epoch'; did you mean epochs=?")
    if kwargs:
        raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}.")
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative int, received {epochs!r}.")
    if steps_per_epoch is not None and (
        isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, (int, np.integer))
        or steps_per_epoch <= 0
    ):
        raise ValueError(
            f"`steps_per_epoch` must be a positive int or None, received {steps_per_epoch!r}."
        )


def _fit_adapters(x: Any, y: Any, sample_weight: Any, validation_data: Any,
                  validation_split: Any) -> tuple[Any, Any]:
    """``(adapter, validation adapter or None)`` from the data module."""
    adapter = data.get_adapter(x, y, sample_weight)
    val_adapter = None
    if validation_data is not None:
        val_adapter = _validation_adapter(validation_data)
    elif validation_split:
        adapter, val_adapter = data.split_validation(adapter, validation_split)
    elif not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
        data.split_validation(adapter, validation_split)
    return adapter, val_adapter


class _FitRun:
    """One ``fit`` call's device side: the data on the device, the chunking, the fused chunk.

    Built from an adapter (the data goes to the device and is checked for NaN); ``compile``
    then asks the engine for the chunk function the callbacks allow.
    """

    def __init__(self, model, cfg: CompileConfig, adapter: Any, y_flat: Any, sw_flat: Any,
                 class_weight: Any, batch_size: int, steps_per_epoch: Any, shuffle: Any):
        self.model, self.cfg, self.shuffle = model, cfg, shuffle
        self.n = n = adapter.num_samples
        batch_size = min(batch_size, n)  # as Keras: never a batch (or padding) beyond the data
        steps = int(steps_per_epoch) if steps_per_epoch is not None else -(-n // batch_size)
        dev_data = _device_data(model, adapter, y_flat, sw_flat, class_weight, steps_per_epoch,
                                shuffle)
        dev_data.check_finite(_FINITE_NAMES)
        if isinstance(dev_data, feeding.Feed):
            batch_size, steps = dev_data.batch_size, dev_data.num_batches
            k = dev_data.chunk_size(cfg.steps_per_execution)
        else:
            bytes_per_step = dev_data.row_bytes * batch_size
            k = engine.chunk_steps(steps, bytes_per_step, cfg.steps_per_execution,
                                   dev_data.resident)
        self.unroll = cfg.steps_per_execution == "auto" and engine.unrolled_conv_chunks(model)
        if self.unroll:
            k = min(k, engine.CPU_CONV_CHUNK)
        self.dev_data, self.batch_size, self.steps, self.k = dev_data, batch_size, steps, k
        self.cycle = steps_per_epoch is not None
        self.device_plan = dev_data.resident and engine.plan_on_device()

    def compile(self, cbs: Any) -> None:
        """The engine's fused train chunk (cached on the model) for these callbacks."""
        model, cfg, dev_data = self.model, self.cfg, self.dev_data
        self.k = k = _chunk_limit(cbs, self.k)  # BackupAndRestore(save_freq=N): its save points
        self.per_step = per_step = _wants_batch_logs(cbs, "train")
        self.skip_empty = skip_empty = (
            dev_data.skip_empty if isinstance(dev_data, feeding.Feed) else self.steps % k != 0
        )
        self.key = ("train", engine._spec_key(dev_data.host), self.batch_size, k, per_step,
                    skip_empty, cfg.run_eagerly, dev_data.resident, self.unroll)
        self.run = model._engine.cached(self.key, lambda: engine.make_train_chunk(
            model, cfg.objectives, cfg.tx, per_step_logs=per_step, skip_empty=skip_empty,
            jit=not cfg.run_eagerly, scale_loss=cfg.scale_loss, unroll=self.unroll))
        if self.device_plan:  # accelerators: plan on the device; CPU: numpy needs no compilation
            n, batch_size, steps, shuffle, cycle = (
                self.n, self.batch_size, self.steps, self.shuffle, self.cycle)
            self.plan = model._engine.cached(
                ("plan", n, batch_size, steps, shuffle, cycle),
                lambda: engine.device_plan_fn(n, batch_size, steps, shuffle, cycle))

    def can_pipeline(self, cbs: Any, has_validation: bool) -> bool:
        """Whole epochs in one dispatch: resident data, no per-batch callbacks, no validation."""
        return bool(
            self.device_plan and self.k == self.steps and not self.per_step
            and not has_validation and not self.cfg.run_eagerly and _passive(cbs)
            and isinstance(self.dev_data, engine.DeviceData)
        )

    def pipelined(self) -> Any:
        """The epoch function that also plans its batches on the device."""
        model, cfg = self.model, self.cfg
        n, batch_size, steps, shuffle, cycle = (
            self.n, self.batch_size, self.steps, self.shuffle, self.cycle)
        return model._engine.cached(self.key + ("planned", n, shuffle, cycle), lambda: (
            engine.make_train_chunk(
                model, cfg.objectives, cfg.tx, per_step_logs=False, skip_empty=self.skip_empty,
                scale_loss=cfg.scale_loss, unroll=self.unroll,
                plan=engine.device_plan(n, batch_size, steps, shuffle, cycle))))

    def batch_plan(self, seed: int) -> tuple[Any, Any]:
        """One epoch's ``(idx, mask)``: which rows each step reads."""
        if self.device_plan:
            return self.plan(jax.random.key(seed))
        return engine.batch_plan(self.n, self.batch_size, self.shuffle, seed,
                                 num_steps=self.steps if self.cycle else None)

    def chunk_fn(self, start: int) -> Any:
        """The chunk function for an epoch starting at step ``start`` (a resumed epoch's last
        chunk is padded)."""
        if not (start % self.k and not self.skip_empty):
            return self.run
        model, cfg, key = self.model, self.cfg, self.key
        return model._engine.cached(key[:5] + (True,) + key[6:], lambda: (
            engine.make_train_chunk(
                model, cfg.objectives, cfg.tx, per_step_logs=self.per_step, skip_empty=True,
                jit=not cfg.run_eagerly, scale_loss=cfg.scale_loss, unroll=self.unroll)))


def _validation_cache(model, val_adapter: Any, validation_steps: Any) -> dict[str, Any]:
    """The validation data on the device, checked (NaN, labels) before training starts."""
    val_cache: dict[str, Any] = {}
    if val_adapter is not None:
        _, vy, vsw = _prepare(model, val_adapter, training=False)
        val_cache["dev_data"] = _device_data(model, val_adapter, vy, vsw, None, validation_steps)
        val_cache["dev_data"].check_finite(_FINITE_NAMES)
    return val_cache


def _fit_epoch(model, fit_run: _FitRun, cbs: Any, ts: steps_lib.TrainState, epoch: int,
               resume: Any, logs: dict[str, float]) -> tuple[steps_lib.TrainState, dict]:
    """One epoch: the engine scans the device chunks, the callbacks hear about each chunk.

    ``resume`` is ``(step, plan seed)`` of a mid-epoch backup being resumed, else None.
    """
    cfg, dev_data, k = fit_run.cfg, fit_run.dev_data, fit_run.k
    model.__dict__["_epoch_start_lr"] = cfg.optimizer.learning_rate  # before schedulers act
    cbs.on_epoch_begin(epoch)
    ts = _sync_learning_rate(cfg, ts)  # LearningRateScheduler, ReduceLROnPlateau
    # A backup taken inside an epoch resumes at its step with that epoch's shuffle seed.
    start, seed = resume if resume else (0, None)
    seed = engine.new_seed() if seed is None else seed
    idx, mask = fit_run.batch_plan(seed)
    epoch_run = fit_run.chunk_fn(start)
    # What the held train state has done: BackupAndRestore records it with the state.
    model.__dict__["_fit_position"] = (epoch, start, seed)
    if start:  # the restored metric states hold the epoch's running logs
        logs = engine.host_logs(cfg.objectives.results(ts.metrics), cfg.objectives.names)
    try:
        for chunk, idx_c, mask_c, first, real in dev_data.chunks(idx, mask, k, start):
            ts, out = epoch_run(ts, chunk, idx_c, mask_c, first == 0)
            _store_train_state(model, ts)  # the previous arrays were donated
            model.__dict__["_fit_position"] = (epoch, first + real, seed)
            if fit_run.per_step:
                for i, step_log in enumerate(engine.step_logs(out, real, cfg.objectives.names)):
                    cbs.on_train_batch_begin(first + i)
                    cbs.on_train_batch_end(first + i, step_log)
                logs = step_log
            else:
                logs = engine.host_logs(out, cfg.objectives.names)
                cbs.on_train_batch_end(first + real - 1, logs)
            if model.stop_training:
                break
        if getattr(dev_data, "exhausted", False):  # a finite generator ran out (warned)
            model.stop_training = True
    except KeyboardInterrupt:
        _store_train_state(model, ts)
        raise
    _store_train_state(model, ts)
    return ts, dict(logs)


def _log_learning_rate(cfg: CompileConfig, ts: steps_lib.TrainState, logs: dict) -> None:
    """Raw optax transformations built with inject_hyperparams: log the live (scheduled) rate."""
    logged_lr = getattr(cfg.optimizer, "logged_learning_rate", None)
    if logged_lr is not None and (lr_now := logged_lr(ts.opt_state)) is not None:
        logs["learning_rate"] = float(lr_now)

def _release(*dev_data: Any) -> None:
    """After a call's last sync: its resident data's host staging may serve the next call."""
    for d in dev_data:
        if isinstance(d, engine.DeviceData):
            d.release()


def _passive(cbs) -> bool:
    """Only History / the progress bar listen: nothing can change the run between epochs."""
    return all(type(cb) in (callbacks_lib.History, callbacks_lib.ProgbarLogger) for cb in cbs)


def _fit_pipelined(model, cbs, cfg, run, ts, dev_data, initial_epoch: int, epochs: int):
    """Epochs on resident data with passive callbacks, one dispatch each, pipelined.

    Epoch ``e + 1`` is dispatched before epoch ``e``'s logs are read, so the device never waits
    for the host between epochs. Callbacks still see ``on_epoch_begin(e)``,
    ``on_train_batch_end``, ``on_epoch_end(e, logs)`` in order; only the host-side timing of
    those calls shifts by one epoch. Used only when no callback could act on them (History and
    the progress bar), without validation, and when an epoch is one chunk.
    """
    names = cfg.objectives.names
    steps = cbs.params.get("steps") if hasattr(cbs, "params") else None
    data_d = dev_data.chunk_all()
    pending = None
    logs: dict[str, float] = {}

    def finish(epoch, out):
        logs = engine.host_logs(out, names)
        cbs.on_train_batch_end((steps or 1) - 1, logs)
        cbs.on_epoch_end(epoch, dict(logs))
        return logs

    ts = _sync_learning_rate(cfg, ts)
    try:
        for epoch in range(initial_epoch, epochs):
            if pending is None:
                cbs.on_epoch_begin(epoch)
            ts, out = run(ts, data_d, None, None, True)
            _store_train_state(model, ts)
            if pending is not None:
                logs = finish(*pending)
                cbs.on_epoch_begin(epoch)
            pending = (epoch, out)
        if pending is not None:
            logs = finish(*pending)
    except KeyboardInterrupt:
        _store_train_state(model, ts)
        raise
    return logs


def _chunk_limit(cbs, k: int) -> int:
    """K shortened for callbacks that must act every N steps (``_max_chunk_steps``)."""
    for cb in cbs:
        limit = getattr(cb, "_max_chunk_steps", None)
        if limit:
            k = min(k, int(limit))
    return k


def _val_freq(validation_freq: Any):
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError(f"`validation_freq` must be >= 1, received {validation_freq}.")
        return lambda e: e % validation_freq == 0
    epochs = set(validation_freq)
    return lambda e: e in epochs


def _check_batch_size(batch_size: Any) -> int:
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive int, received {batch_size!r}.")
    return int(batch_size)


def _validation_adapter(validation_data: Any) -> data.ArrayAdapter:
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return data.get_adapter(*validation_data)
    if feeding.is_iterator_input(validation_data):  # generator, Sequence, dataset
        return data.get_adapter(validation_data)
    raise ValueError(
        "`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight), "
        "a generator or a Sequence; "
        f"received {type(validation_data).__name__}"
        + (f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else "")
        + "."
    )


def _evaluate_adapter(model, adapter, batch_size, steps, callbacks, verbose,
                      cache: dict | None = None) -> dict[str, float]:
    """Fused evaluation. ``cache`` (fit's validation) keeps the device copy across epochs."""
    if cache is not None and "dev_data" in cache:
        cfg, dev_data = model._compiled, cache["dev_data"]
    else:
        cfg, y_flat, sw_flat = _prepare(model, adapter, training=False)
        dev_data = _device_data(model, adapter, y_flat, sw_flat, None, steps)
        dev_data.check_finite(_FINITE_NAMES)
        if cache is not None:
            cache["dev_data"] = dev_data
    n = adapter.num_samples
    batch_size = min(batch_size, n)  # as Keras: never a batch (or padding) beyond the data
    total_steps = -(-n // batch_size) if steps is None else int(steps)
    if isinstance(dev_data, feeding.Feed):
        batch_size, total_steps = dev_data.batch_size, dev_data.num_batches
        k = dev_data.chunk_size(cfg.steps_per_execution)
    else:
        k = engine.chunk_steps(total_steps, dev_data.row_bytes * batch_size,
                               cfg.steps_per_execution, dev_data.resident)
    unroll = cfg.steps_per_execution == "auto" and engine.unrolled_conv_chunks(model)
    if unroll:
        k = min(k, engine.CPU_CONV_CHUNK)
    cbs = None
    if isinstance(callbacks, callbacks_lib.CallbackList):
        cbs = callbacks  # validation inside fit: fit's callbacks get the test hooks (Keras 3)
    elif callbacks is not None or verbose:
        cbs = _callbacks(model, callbacks, verbose=verbose, epochs=1, steps=total_steps,
                         add_history=False)
    per_step = cbs is not None and _wants_batch_logs(cbs, "test")
    key = ("eval", engine._spec_key(dev_data.host), batch_size, k, per_step, cfg.run_eagerly,
           dev_data.resident, unroll)
    run = model._engine.cached(key, lambda: engine.make_eval_chunk(
        model, cfg.objectives, per_step_logs=per_step, jit=not cfg.run_eagerly, unroll=unroll))
    variables = model.variables_tree
    ms = cfg.objectives.init()
    idx, mask = engine.batch_plan(n, batch_size, False, None,
                                  num_steps=None if steps is None else total_steps)
    if cbs is not None:
        cbs.on_test_begin()
    logs: dict[str, float] = {}
    for chunk, idx_c, mask_c, first, real in dev_data.chunks(idx, mask, k):
        ms, out = run(ms, variables, chunk, idx_c, mask_c)
        if per_step:
            for i, step_log in enumerate(engine.step_logs(out, real, cfg.objectives.names)):
                cbs.on_test_batch_begin(first + i)
                cbs.on_test_batch_end(first + i, step_log)
        elif cbs is not None and cbs._implements_test_batch_hooks():
            cbs.on_test_batch_end(first + real - 1, engine.host_logs(cfg.objectives.results(ms), cfg.objectives.names))
    logs = engine.host_logs(cfg.objectives.results(ms), cfg.objectives.names)
    if cache is None:
        _release(dev_data)
    if cbs is not None:
        cbs.on_test_end(logs)
    return logs


@_under_compiled_distribution
def evaluate(
    self,
    x: Any = None,
    y: Any = None,
    batch_size: int | None = None,
    verbose: Any = "auto",
    sample_weight: Any = None,
    steps: int | None = None,
    callbacks: Any = None,
    return_dict: bool = False,
    **kwargs: Any,
) -> Any:
    """Returns the loss (and metrics) on the data: a float, ``[loss, *metrics]`` or a dict."""
    if kwargs:
        raise TypeError(f"evaluate() got unexpected keyword argument(s) {sorted(kwargs)}.")
    adapter = data.get_adapter(x, y, sample_weight)
    logs = _evaluate_adapter(self, adapter, _check_batch_size(batch_size), steps, callbacks,
                             _resolve_verbose(verbose))
    if return_dict:
        return logs
    values = [logs[k] for k in self._compiled.objectives.names]
    return values[0] if len(values) == 1 else values


@_under_compiled_distribution
def predict(
    self,
    x: Any,
    batch_size: int | None = None,
    verbose: Any = "auto",
    steps: int | None = None,
    callbacks: Any = None,
    **kwargs: Any,
) -> Any:
    """Predictions as numpy arrays (a list / dict for multi-output models)."""
    if kwargs:
        raise TypeError(f"predict() got unexpected keyword argument(s) {sorted(kwargs)}.")
    batch_size = _check_batch_size(batch_size)
    adapter = data.get_adapter(x)
    _ensure_built(self, adapter.x)
    n = adapter.num_samples
    batch_size = min(batch_size, n)  # as Keras: never a batch (or padding) beyond the data
    total_steps = -(-n // batch_size)
    dev_data = _device_data(self, adapter, None, None, None, steps, targets=False)
    dev_data.check_finite(_FINITE_NAMES)
    feed = isinstance(dev_data, feeding.Feed)
    if feed:
        batch_size, total_steps = dev_data.batch_size, dev_data.num_batches
    cfg = self.__dict__.get("_compiled")
    if self.__dict__.get("_engine") is None:
        self.__dict__["_engine"] = engine.Engine(self)
    spe = cfg.steps_per_execution if cfg is not None else "auto"
    eager = cfg.run_eagerly if cfg is not None else False
    k = (dev_data.chunk_size(spe) if feed else
         engine.chunk_steps(total_steps, dev_data.row_bytes * batch_size, spe, dev_data.resident))
    unroll = spe == "auto" and engine.unrolled_conv_chunks(self)
    if unroll:
        k = min(k, engine.CPU_CONV_CHUNK)
    key = ("predict", engine._spec_key(dev_data.host), batch_size, k, eager, dev_data.resident,
           unroll)
    run = self._engine.cached(key, lambda: engine.make_predict_chunk(
        self, jit=not eager, unroll=unroll))
    variables = self.variables_tree
    verbose = _resolve_verbose(verbose)
    cbs = None
    if callbacks is not None or verbose:
        cbs = _callbacks(self, callbacks, verbose=verbose, epochs=1, steps=total_steps,
                         add_history=False)
        cbs.on_predict_begin()
    idx, mask = engine.batch_plan(n, batch_size, False, None)
    outs, masks = [], []
    per_step = cbs is not None and _wants_batch_logs(cbs, "predict")
    for chunk, idx_c, _mask_c, first, real in dev_data.chunks(idx, mask, k):
        out = run(variables, chunk[0], idx_c)
        outs.append(jax.tree.map(lambda a, r=real: a[:r], out))
        masks.append(_mask_c[:real])
        if per_step:  # every batch's hooks, with its outputs, after the chunk (as Keras's)
            _predict_batch_hooks(cbs, jax.device_get(out), np.asarray(_mask_c), first, real)
        elif cbs is not None:
            cbs.on_predict_batch_end(first + real - 1, {"outputs": None})
    # Several processes: each gets the predictions of the rows it fed (its block of the batch).
    outs, masks = distribution_lib.to_host_local((outs, masks))
    host = jax.device_get(outs)
    _release(dev_data)
    # Batches streamed from a generator are padded to the first one's size: keep real rows.
    rows = np.concatenate([np.asarray(m).reshape(-1) for m in masks]) > 0 if feed else slice(n)
    result = jax.tree.map(
        lambda *parts: np.concatenate([p.reshape((-1,) + p.shape[2:]) for p in parts])[rows],
        *host,
    )
    if cbs is not None:
        cbs.on_predict_end()
    if isinstance(result, tuple):
        result = list(result)
    return result


def _predict_batch_hooks(cbs, out: Any, mask: np.ndarray, first: int, real: int) -> None:
    for i in range(real):
        rows = mask[i] > 0
        cbs.on_predict_batch_begin(first + i)
        cbs.on_predict_batch_end(
            first + i, {"outputs": jax.tree.map(lambda a, i=i, r=rows: a[i][r], out)})


def predict_classes(self, x: Any, batch_size: int | None = None, verbose: Any = 0) -> np.ndarray:
    """Deprecated Keras 2 helper: class indices (argmax, or threshold 0.5 for one unit)."""
    warnings.warn(
        "`model.predict_classes()` is deprecated; use `np.argmax(model.predict(x), axis=-1)` "
        "(or `(model.predict(x) > 0.5).astype('int32')` for a sigmoid output).",
        DeprecationWarning,
        stacklevel=2,
    )
    proba = self.predict(x, batch_size=batch_size, verbose=verbose)
    if proba.shape[-1] > 1:
        return proba.argmax(axis=-1)
    return (proba > 0.5).astype("int32").reshape(proba.shape[:-1] + (1,))


def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                   class_weight: Any = None, return_dict: bool = False) -> Any:
    """One optimizer step on one batch; returns the batch's loss and metrics."""
    adapter = data.get_adapter(x, y, sample_weight)
    cfg, y_flat, sw_flat = _prepare(self, adapter, class_weight, training=True)
    n = adapter.num_samples
    dev_data = engine.DeviceData(adapter.x, y_flat, sw_flat)
    dev_data.check_finite(_FINITE_NAMES)
    key = ("train", engine._spec_key(dev_data.host), n, 1, False, False, cfg.run_eagerly, True)
    run = self._engine.cached(key, lambda: engine.make_train_chunk(
        self, cfg.objectives, cfg.tx, per_step_logs=False, skip_empty=False,
        jit=not cfg.run_eagerly, scale_loss=cfg.scale_loss))
    ts = _train_state(self, cfg)
    idx, mask = engine.batch_plan(n, n, False, None)
    for chunk, idx_c, mask_c, _, _ in dev_data.chunks(idx, mask, 1):
        ts, out = run(ts, chunk, idx_c, mask_c, True)
    _store_train_state(self, ts)
    logs = engine.host_logs(out, cfg.objectives.names)
    return _format_result(self, logs, return_dict)


def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                  return_dict: bool = False) -> Any:
    """Loss and metrics on one batch (no update)."""
    adapter = data.get_adapter(x, y, sample_weight)
    logs = _evaluate_adapter(self, adapter, adapter.num_samples, None, None, 0)
    return _format_result(self, logs, return_dict)


def predict_on_batch(self, x: Any) -> Any:
    """Predictions for one batch."""
    adapter = data.get_adapter(x)
    return predict(self, x, batch_size=adapter.num_samples, verbose=0)


def _format_result(model, logs: dict[str, float], return_dict: bool) -> Any:
    if return_dict:
        return logs
    values = [logs[k] for k in model._compiled.objectives.names]
    return values[0] if len(values) == 1 else values
