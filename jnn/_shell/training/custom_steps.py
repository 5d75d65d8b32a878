"""Running a model's own ``train_step`` / ``test_step`` / ``predict_step`` fused.

:mod:`jnn._shell.training.stateless` defines the protocol (Keras-ordered variable lists, the step
scope, the default steps); this module scans the user's step like the engine scans its own:
K steps per dispatch in one jitted ``lax.scan``, batch callbacks after each chunk, and a
partial last batch run once more at its true size (a user's loss knows nothing of padding).

Example:
    >>> uses_custom_step(jnn.Sequential([jnn.layers.Dense(1)]), "train")  # doctest: +SKIP
    False
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jnn._core.optimizers.pipeline import trainable_only
from jnn._shell.callbacks import base as callbacks_lib
from jnn._shell.runtime import config, rng
from jnn._shell.training import data, engine, feeding
from jnn._shell.training import driver as training_lib
from jnn._shell.training.stateless import (
    VariableMap,
    _initial_metrics,
    _StepScope,
    compute_loss,
    metrics,
    predict_step,
    test_step,
    train_step,
)

# --- which path: jnn's own fused step, or the user's step --------------------------------------
_DEFAULTS = {"train": train_step, "test": test_step, "predict": predict_step}


def _overrides(model: Any, name: str, default: Any) -> bool:
    return getattr(type(model), name, default) is not default


def uses_custom_step(model: Any, kind: str) -> bool:
    """True when ``fit`` / ``evaluate`` / ``predict`` must run the user's (stateless) step."""
    custom = _overrides(model, f"{kind}_step", _DEFAULTS[kind])
    if kind != "predict":
        custom = custom or _overrides(model, "compute_loss", compute_loss) or _overrides(
            model, "metrics", metrics)
    if custom and _overrides(model, f"{kind}_step", _DEFAULTS[kind]):
        _check_signature(model, f"{kind}_step")
    return custom


def _check_signature(model: Any, name: str) -> None:
    try:
        params = list(inspect.signature(getattr(model, name)).parameters.values())
    except (TypeError, ValueError):
        return
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) == 1 and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise TypeError(
            f"{type(model).__name__}.{name}(self, {positional[0].name}) has the Keras 2 / "
            "TensorFlow signature. jnn runs the Keras 3 JAX protocol: define "
            f"`{name}(self, state, data)` with state = (trainable_variables, "
            "non_trainable_variables, optimizer_variables, metrics_variables) for train_step "
            "(no optimizer variables for test_step; (trainable, non_trainable) for "
            "predict_step), use self.stateless_call(...) and return (logs, state) — see "
            "keras.io/guides/custom_train_step_in_jax."
        )


# --- the fused chunks ------------------------------------------------------------------------------
def _keras_data(model: Any, x: Any, y: Any, sw: Any) -> tuple:
    if y is None or len(y) == 0:
        return (x,)
    y_k = y[0] if len(y) == 1 else list(y)
    if sw is None or all(s is None for s in sw):
        return (x, y_k)
    return (x, y_k, sw[0] if len(sw) == 1 else list(sw))


def _flat_logs(logs: Any, names: list[str]) -> dict[str, Any]:
    if not isinstance(logs, Mapping):
        raise TypeError(
            f"A custom step must return (logs, state) with logs a dict of metric values; the "
            f"logs received are a {type(logs).__name__}."
        )
    out: dict[str, Any] = {}
    for k, v in logs.items():
        if isinstance(v, Mapping):
            out.update(_flat_logs(v, []))
        else:
            out[k] = jnp.asarray(v)
    if not names:
        names.extend(out)
    return out


def _check_state(state: Any, n: int, name: str) -> tuple:
    if not isinstance(state, (tuple, list)) or len(state) != n:
        raise TypeError(
            f"{name} must return (logs, state) with state a tuple of {n} lists (as it received "
            f"them); received {type(state).__name__}"
            + (f" of length {len(state)}" if isinstance(state, (tuple, list)) else "") + "."
        )
    return tuple(state)


def _bind_optimizer(model: Any, tx: Any, vm: VariableMap, scope: _StepScope) -> Any:
    opt_def = jax.tree.structure(scope.opt_state)

    def apply(optimizer_variables, grads, trainable_variables):
        opt_state = jax.tree.unflatten(opt_def, list(optimizer_variables))
        params, _ = vm.from_lists(trainable_variables, None, scope.params, scope.state)
        zeros = jax.tree.map(jnp.zeros_like, params)
        g, _ = vm.from_lists(grads, None, zeros, scope.state)
        updates, opt_state = tx.update(g, opt_state, params)
        params = model.apply_constraints(optax.apply_updates(params, updates))
        return vm.to_lists(params, scope.state)[0], jax.tree.leaves(opt_state)

    return apply


def make_train_fn(model: Any, cfg: Any, names: list[str]) -> Any:
    """``run(ts, data, idx, mask, reset) -> (ts, stacked logs)`` over the user's train_step."""
    vm = VariableMap(model)
    opt = model.optimizer

    def step(ts, batch):
        x, y, sw = batch
        scope = _StepScope(ts.params, ts.state, jax.random.fold_in(ts.rng, ts.step))
        scope.opt_state = ts.opt_state
        opt.__dict__["_stateless_apply_fn"] = _bind_optimizer(model, cfg.tx, vm, scope)
        try:
            with scope:
                tv, ntv = vm.to_lists(ts.params, ts.state)
                state = (tv, ntv, jax.tree.leaves(ts.opt_state), list(ts.metrics))
                logs, new = model.train_step(state, _keras_data(model, x, y, sw))
        finally:
            opt.__dict__.pop("_stateless_apply_fn", None)
        tv, ntv, ov, mv = _check_state(new, 4, "train_step")
        params, st = vm.from_lists(tv, ntv, ts.params, ts.state)
        opt_state = jax.tree.unflatten(jax.tree.structure(ts.opt_state), list(ov))
        ts = ts.replace(params=params, state=st, opt_state=opt_state, metrics=list(mv),
                        step=ts.step + 1)
        return ts, _flat_logs(logs, names)

    def run(ts, data_, idx, mask, reset, skip):
        x, y, sw = data_
        ts = ts.replace(metrics=jax.tree.map(lambda f, m: jnp.where(reset, f, m),
                                             _initial_metrics(model), list(ts.metrics)))

        def body(ts, im):
            i, m = im
            new, logs = step(ts, (engine._gather(x, i), engine._gather(y, i),
                                  engine._gather(sw, i)))
            if not skip:  # every step of the chunk is a full batch
                return new, logs
            valid = jnp.sum(m) > 0
            return jax.tree.map(lambda n, o: jnp.where(valid, n, o), new, ts), logs

        return jax.lax.scan(body, ts, (idx, mask), unroll=engine._unroll(False))

    def one(ts, batch):  # a partial batch at its true size, after the chunk's scan
        return step(ts, batch)

    jit = not cfg.run_eagerly
    if not jit:
        return run, one
    return jax.jit(run, donate_argnums=0, static_argnums=5), jax.jit(one)


def make_test_fn(model: Any, cfg: Any, names: list[str]) -> Any:
    """``run(mv, variables, data, idx, mask) -> (mv, stacked logs)`` over the user's test_step."""
    vm = VariableMap(model)

    def step(mv, variables, batch):
        x, y, sw = batch
        with _StepScope(variables["params"], variables["state"], None):
            tv, ntv = vm.to_lists(variables["params"], variables["state"])
            logs, new = model.test_step((tv, ntv, list(mv)), _keras_data(model, x, y, sw))
        _, _, mv = _check_state(new, 3, "test_step")
        return list(mv), _flat_logs(logs, names)

    def run(mv, variables, data_, idx, mask):
        x, y, sw = data_

        def body(mv, im):
            i, m = im
            new, logs = step(mv, variables, (engine._gather(x, i), engine._gather(y, i),
                                             engine._gather(sw, i)))
            valid = jnp.sum(m) > 0
            return jax.tree.map(lambda n, o: jnp.where(valid, n, o), new, mv), logs

        return jax.lax.scan(body, mv, (idx, mask), unroll=engine._unroll(False))

    jit = not cfg.run_eagerly
    return (jax.jit(run) if jit else run), (jax.jit(step) if jit else step)


def make_predict_fn(model: Any, eager: bool) -> Any:
    """``run(variables, x, idx) -> stacked outputs`` over the user's predict_step."""
    vm = VariableMap(model)

    def step(variables, x):
        with _StepScope(variables["params"], variables["state"], None):
            tv, ntv = vm.to_lists(variables["params"], variables["state"])
            out = model.predict_step((tv, ntv), x)  # Keras passes x itself
        if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], list):
            out = out[0]  # Keras's predict_step returns (outputs, non_trainable_variables)
        return out

    def run(variables, x, idx):
        return jax.lax.scan(lambda c, i: (c, step(variables, engine._gather(x, i))), None,
                            idx, unroll=engine._unroll(False))[1]

    return (run, step) if eager else (jax.jit(run), jax.jit(step))


# --- the drivers ------------------------------------------------------------------------------
def _split_partial(idx: Any, mask: Any, width: int) -> tuple[np.ndarray, list[tuple[int, Any]]]:
    """Full batches stay in the scan; partial ones (0 < rows < width) run alone at true size."""
    m = np.asarray(mask)
    sums = m.sum(axis=1)
    partial = [(s, np.asarray(idx)[s][m[s] > 0]) for s in np.nonzero((sums > 0) &
                                                                       (sums < width))[0]]
    full = m * (sums == width)[:, None]
    return full.astype(np.float32), partial


def _prepare(model: Any, adapter: Any, *, targets: bool = True):
    cfg = model.__dict__.get("_compiled")
    if cfg is None:
        raise RuntimeError("You must compile your model before training/testing. Use "
                           "`model.compile(optimizer, loss)`.")
    training_lib._ensure_built(model, adapter.x)
    y_flat = training_lib._flatten_targets(model, adapter.y) if targets else []
    sw_flat = training_lib._flatten_sample_weight(model, adapter.sample_weight, len(y_flat))
    if cfg.objectives is None and y_flat:
        preds = training_lib._output_specs(model, adapter.x)
        if cfg.loss is not None:
            cfg.objectives = training_lib._build_objectives(model, cfg, y_flat, preds)
        elif cfg.metrics or cfg.weighted_metrics:
            bare = copy.copy(cfg)
            bare.loss = [None] * len(model.output_names)
            cfg.objectives = training_lib._build_objectives(model, bare, y_flat, preds)
    if cfg.tx is None:
        mask = model.trainable_mask(model.variables_tree["params"])
        cfg.tx = trainable_only(cfg.optimizer.tx, mask)
    return cfg, y_flat, sw_flat


def _train_state(model: Any, cfg: Any) -> Any:
    from jnn._core import steps as steps_lib

    ts = model.__dict__.get("_train_state")
    variables = model.variables_tree
    if ts is None or not isinstance(ts.metrics, list):
        keep = model.__dict__.get("_opt_state_keep")
        ts = steps_lib.TrainState(
            params=variables["params"], state=variables["state"],
            opt_state=keep if keep is not None else cfg.tx.init(variables["params"]),
            metrics=_initial_metrics(model), rng=rng.next_key(),
            step=jnp.zeros((), jnp.int32))
    else:
        ts = ts.replace(params=variables["params"], state=variables["state"])
    model.optimizer.__dict__["_variables_fn"] = lambda: jax.tree.leaves(
        model.__dict__["_train_state"].opt_state)
    return training_lib._sync_learning_rate(cfg, ts)


def _host(logs: Any, names: list[str], i: int | None = None) -> dict[str, Any]:
    arrs = jax.device_get(logs)
    out = {}
    for k in names:
        v = np.asarray(arrs[k] if i is None else arrs[k][i])
        out[k] = float(v) if v.ndim == 0 else v
    return out


def fit(model: Any, x: Any = None, y: Any = None, batch_size: Any = None, epochs: int = 1,
        verbose: Any = "auto", callbacks: Any = None, validation_split: float = 0.0,
        validation_data: Any = None, shuffle: Any = True, class_weight: Any = None,
        sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: Any = None,
        validation_steps: Any = None, validation_batch_size: Any = None,
        validation_freq: Any = 1, **kwargs: Any) -> Any:
    """``Model.fit`` for a model with its own ``train_step``: K user steps per dispatch."""
    if kwargs:
        raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}.")
    config.maybe_enable_default_cache()
    verbose = training_lib._resolve_verbose(verbose)
    batch_size = training_lib._check_batch_size(batch_size)
    adapter = data.get_adapter(x, y, sample_weight)
    val_adapter = None
    if validation_data is not None:
        val_adapter = training_lib._validation_adapter(validation_data)
    elif validation_split:
        adapter, val_adapter = data.split_validation(adapter, validation_split)
    cfg, y_flat, sw_flat = _prepare(model, adapter)
    if class_weight is not None and isinstance(adapter, data.ArrayAdapter):
        # Keras hands a custom train_step class weights as the batch's sample_weight.
        training_lib._check_class_weight(sw_flat)
        sw_flat = [training_lib._class_weight_to_sample_weight(class_weight, y_flat[0], None)]
    n = adapter.num_samples
    steps = int(steps_per_epoch) if steps_per_epoch is not None else -(-n // batch_size)
    dev_data = training_lib._device_data(model, adapter, y_flat, sw_flat, class_weight,
                                         steps_per_epoch, shuffle)
    dev_data.check_finite(training_lib._FINITE_NAMES)
    if isinstance(dev_data, feeding.Feed):
        batch_size, steps = dev_data.batch_size, dev_data.num_batches
        k = dev_data.chunk_size(cfg.steps_per_execution)
    else:
        k = engine.chunk_steps(steps, dev_data.row_bytes * batch_size, cfg.steps_per_execution,
                               dev_data.resident)
    model.stop_training = False
    cbs = training_lib._callbacks(model, callbacks, verbose=verbose, epochs=epochs, steps=steps,
                              add_history=True)
    per_step = training_lib._wants_batch_logs(cbs, "train")
    fresh: list[str] = []
    key = ("custom_train", engine._spec_key(dev_data.host), batch_size, k, cfg.run_eagerly,
           dev_data.resident)
    (run, one), names = model._engine.cached(
        key, lambda: (make_train_fn(model, cfg, fresh), fresh))
    ts = _train_state(model, cfg)
    model.__dict__["_train_state"] = ts
    cbs.on_train_begin()
    logs: dict[str, Any] = {}
    val_k = training_lib._val_freq(validation_freq)
    cycle = steps_per_epoch is not None
    for epoch in range(initial_epoch, epochs):
        cbs.on_epoch_begin(epoch)
        ts = training_lib._sync_learning_rate(cfg, ts)
        idx, mask = engine.batch_plan(n, batch_size, shuffle, engine.new_seed(),
                                      num_steps=steps if cycle else None)
        reset = True
        for chunk, idx_c, mask_c, first, real in dev_data.chunks(idx, mask, k):
            full, partial = _split_partial(idx_c, mask_c, np.shape(mask_c)[1])
            ts, out = run(ts, chunk, idx_c, jnp.asarray(full), reset, not full.all())
            entries: list[Any] = [(out, i) if full[i].any() else None for i in range(real)]
            for s, rows in partial:
                ts, one_logs = one(ts, jax.tree.map(lambda a, r=rows: a[r], chunk))
                entries[s] = (one_logs, None)
            reset = False
            model.__dict__["_train_state"] = ts
            model.set_variables({"params": ts.params, "state": ts.state})
            done = [i for i, e in enumerate(entries) if e is not None]
            for i in done if per_step else done[-1:]:
                logs = _host(entries[i][0], names, entries[i][1])
                if per_step:
                    cbs.on_train_batch_begin(first + i)
                cbs.on_train_batch_end(first + i, logs)
            if model.stop_training:
                break
        logs = dict(logs)
        if val_adapter is not None and val_k(epoch + 1):
            val_logs = evaluate(model, val_adapter, validation_batch_size or batch_size,
                                validation_steps, cbs, 0)
            logs.update({f"val_{k_}": v for k_, v in val_logs.items()})
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model.history


def evaluate(model: Any, adapter: Any, batch_size: int, steps: Any, callbacks: Any,
             verbose: int) -> dict[str, Any]:
    """Evaluation with the user's ``test_step`` (fused, partial last batch at its size)."""
    cfg, y_flat, sw_flat = _prepare(model, adapter)
    dev_data = training_lib._device_data(model, adapter, y_flat, sw_flat, None, steps)
    dev_data.check_finite(training_lib._FINITE_NAMES)
    n = adapter.num_samples
    total = -(-n // batch_size) if steps is None else int(steps)
    if isinstance(dev_data, feeding.Feed):
        batch_size, total = dev_data.batch_size, dev_data.num_batches
        k = dev_data.chunk_size(cfg.steps_per_execution)
    else:
        k = engine.chunk_steps(total, dev_data.row_bytes * batch_size, cfg.steps_per_execution,
                               dev_data.resident)
    cbs = None
    if isinstance(callbacks, callbacks_lib.CallbackList):
        cbs = callbacks
    elif callbacks is not None or verbose:
        cbs = training_lib._callbacks(model, callbacks, verbose=verbose, epochs=1, steps=total,
                                  add_history=False)
    per_step = cbs is not None and training_lib._wants_batch_logs(cbs, "test")
    fresh: list[str] = []
    key = ("custom_test", engine._spec_key(dev_data.host), batch_size, k, cfg.run_eagerly,
           dev_data.resident)
    (run, one), names = model._engine.cached(
        key, lambda: (make_test_fn(model, cfg, fresh), fresh))
    variables = model.variables_tree
    mv = _initial_metrics(model)
    idx, mask = engine.batch_plan(n, batch_size, False, None,
                                  num_steps=None if steps is None else total)
    if cbs is not None:
        cbs.on_test_begin()
    logs: dict[str, Any] = {}
    for chunk, idx_c, mask_c, first, real in dev_data.chunks(idx, mask, k):
        full, partial = _split_partial(idx_c, mask_c, np.shape(mask_c)[1])
        mv, out = run(mv, variables, chunk, idx_c, jnp.asarray(full))
        entries: list[Any] = [(out, i) if full[i].any() else None for i in range(real)]
        for s, rows in partial:
            mv, one_logs = one(mv, variables, jax.tree.map(lambda a, r=rows: a[r], chunk))
            entries[s] = (one_logs, None)
        done = [i for i, e in enumerate(entries) if e is not None]
        for i in done if per_step else done[-1:]:
            logs = _host(entries[i][0], names, entries[i][1])
            if per_step:
                cbs.on_test_batch_begin(first + i)
                cbs.on_test_batch_end(first + i, logs)
    if cbs is not None:
        cbs.on_test_end(logs)
    return logs


def evaluate_method(self, x: Any = None, y: Any = None, batch_size: Any = None,
                    verbose: Any = "auto", sample_weight: Any = None, steps: Any = None,
                    callbacks: Any = None, return_dict: bool = False, **kwargs: Any) -> Any:
    """``Model.evaluate`` with the user's ``test_step``."""
    if kwargs:
        raise TypeError(f"evaluate() got unexpected keyword argument(s) {sorted(kwargs)}.")
    adapter = data.get_adapter(x, y, sample_weight)
    logs = evaluate(self, adapter, training_lib._check_batch_size(batch_size), steps, callbacks,
                    training_lib._resolve_verbose(verbose))
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model: Any, x: Any, batch_size: Any = None, verbose: Any = "auto",
            steps: Any = None, callbacks: Any = None, **kwargs: Any) -> Any:
    """``Model.predict`` with the user's ``predict_step`` (fused; every batch hook fires)."""
    if kwargs:
        raise TypeError(f"predict() got unexpected keyword argument(s) {sorted(kwargs)}.")
    batch_size = training_lib._check_batch_size(batch_size)
    adapter = data.get_adapter(x)
    training_lib._ensure_built(model, adapter.x)
    if model.__dict__.get("_engine") is None:
        model.__dict__["_engine"] = engine.Engine(model)
    n = adapter.num_samples
    dev_data = training_lib._device_data(model, adapter, None, None, None, steps, targets=False)
    total = -(-n // batch_size)
    if isinstance(dev_data, feeding.Feed):
        batch_size, total = dev_data.batch_size, dev_data.num_batches
    cfg = model.__dict__.get("_compiled")
    spe = cfg.steps_per_execution if cfg is not None else "auto"
    eager = cfg.run_eagerly if cfg is not None else False
    k = (dev_data.chunk_size(spe) if isinstance(dev_data, feeding.Feed) else
         engine.chunk_steps(total, dev_data.row_bytes * batch_size, spe, dev_data.resident))
    key = ("custom_predict", engine._spec_key(dev_data.host), batch_size, k, eager,
           dev_data.resident)
    run, one = model._engine.cached(key, lambda: make_predict_fn(model, eager))
    verbose = training_lib._resolve_verbose(verbose)
    cbs = None
    if callbacks is not None or verbose:
        cbs = training_lib._callbacks(model, callbacks, verbose=verbose, epochs=1, steps=total,
                                  add_history=False)
        cbs.on_predict_begin()
    variables = model.variables_tree
    idx, mask = engine.batch_plan(n, batch_size, False, None)
    batches = []
    for chunk, idx_c, mask_c, first, real in dev_data.chunks(idx, mask, k):
        full, partial = _split_partial(idx_c, mask_c, np.shape(mask_c)[1])
        out = jax.device_get(run(variables, chunk[0], idx_c))
        parts = [jax.tree.map(lambda a, i=i: a[i], out) for i in range(real)]
        for s, rows in partial:
            parts[s] = jax.device_get(one(variables, jax.tree.map(lambda a, r=rows: a[r],
                                                                   chunk[0])))
        for i in range(real):
            if not (full[i].any() or any(s == i for s, _ in partial)):
                continue
            batches.append(parts[i])
            if cbs is not None:
                cbs.on_predict_batch_begin(first + i)
                cbs.on_predict_batch_end(first + i, {"outputs": parts[i]})
    result = jax.tree.map(lambda *p: np.concatenate([np.asarray(a) for a in p]), *batches)
    if cbs is not None:
        cbs.on_predict_end()
    return list(result) if isinstance(result, tuple) else result


def _values(logs: dict[str, Any], return_dict: bool) -> Any:
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def train_on_batch(model: Any, x: Any, y: Any = None, sample_weight: Any = None,
                   class_weight: Any = None, return_dict: bool = False) -> Any:
    """One step of the user's ``train_step`` on one batch (``model.history`` is kept)."""
    history = model.__dict__.get("history")
    n = data.get_adapter(x, y, sample_weight).num_samples
    h = fit(model, x, y, batch_size=n, epochs=1, verbose=0, shuffle=False,
            sample_weight=sample_weight, class_weight=class_weight)
    model.__dict__["history"] = history
    return _values({k: v[-1] for k, v in h.history.items()}, return_dict)


def test_on_batch(model: Any, x: Any, y: Any = None, sample_weight: Any = None,
                  return_dict: bool = False) -> Any:
    """The user's ``test_step`` on one batch."""
    adapter = data.get_adapter(x, y, sample_weight)
    return _values(evaluate(model, adapter, adapter.num_samples, None, None, 0), return_dict)


def predict_on_batch(model: Any, x: Any) -> Any:
    """The user's ``predict_step`` on one batch."""
    return predict(model, x, batch_size=data.get_adapter(x).num_samples, verbose=0)
