"""Keras 3's stateless JAX training API, run inside jnn's fused ``lax.scan``.

Keras 3's JAX guide overrides ``train_step(self, state, data)`` with ``state =
(trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)``: lists
of arrays in Keras's variable order. They map one to one onto :class:`TrainState`:

* ``trainable_variables``: the trainable leaves of ``ts.params``, in ``model.trainable_weights``
  order; ``non_trainable_variables``: frozen params then state, in
  ``model.non_trainable_weights`` order (:class:`VariableMap` converts both ways);
* ``optimizer_variables``: the leaves of ``ts.opt_state``;
* ``metrics_variables``: ``ts.metrics`` itself, the concatenated variables of ``model.metrics``.

The user's step is then a pure function of that tuple, and the engine scans it like its own
step (:mod:`jnn._shell.training.custom_steps`): K steps per dispatch, traced once per batch shape.
Padding rows would change a user's loss, so a partial last batch runs as one extra step at its
true size (as in Keras).

Example:
    >>> import jax, numpy as np, jnn
    >>> class MyModel(jnn.Model):
    ...     def train_step(self, state, data):
    ...         tv, ntv, ov, mv = state
    ...         x, y = data
    ...         def loss_fn(tv):
    ...             y_pred, new_ntv = self.stateless_call(tv, ntv, x, training=True)
    ...             return self.compute_loss(x, y, y_pred), new_ntv
    ...         (loss, ntv), grads = jax.value_and_grad(loss_fn, has_aux=True)(tv)
    ...         tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
    ...         return {"loss": loss}, (tv, ntv, ov, mv)
    >>> x = jnn.Input(shape=(2,))
    >>> model = MyModel(x, jnn.layers.Dense(1)(x))
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> h = model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=4, verbose=0)
    >>> sorted(h.history)
    ['loss']
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.metrics.base import Mean
from jnn._shell.runtime import rng
from jnn._shell.training import driver as training_lib

_local = threading.local()


# --- the scope of one traced step ---------------------------------------------------------------
class _StepScope:
    """What a user's step needs beyond its arguments: the step's key and the full trees."""

    def __init__(self, params: Any, state: Any, key: jax.Array | None):
        self.params = params
        self.state = state
        self.key = key
        self.calls = 0
        self.aux = jnp.zeros((), jnp.float32)
        self.call_params = params

    def next_key(self) -> jax.Array | None:
        if self.key is None:
            return None
        self.calls += 1
        return jax.random.fold_in(self.key, self.calls)

    def __enter__(self) -> _StepScope:
        _local.__dict__.setdefault("stack", []).append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _local.stack.pop()


def _scope() -> _StepScope | None:
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


# --- Keras-order lists <-> the variables tree -------------------------------------------------
def _store_paths(model: Any, prefix: tuple = ()) -> dict:
    out: dict = {}
    for layer in model._weight_layers():
        if getattr(layer, "_is_model", False):
            out.update(_store_paths(layer, prefix + (layer.name,)))
            continue
        store = layer.__dict__.get("_binding")
        if store is None:
            continue
        for collection, name in store.order:
            out.setdefault((id(store), collection, name), (collection, prefix + (layer.name, name)))
    return out


def _get(tree: Any, path: tuple) -> Any:
    for p in path:
        tree = tree[p]
    return tree


def _set(tree: dict, path: tuple, value: Any) -> dict:
    out = dict(tree)
    out[path[0]] = value if len(path) == 1 else _set(tree.get(path[0], {}), path[1:], value)
    return out


class VariableMap:
    """Converts ``{params, state}`` trees to Keras-ordered variable lists and back.

    Example:
        >>> vm = VariableMap(model)  # doctest: +SKIP
        >>> tv, ntv = vm.to_lists(params, state)  # doctest: +SKIP
    """

    def __init__(self, model: Any):
        paths = _store_paths(model)

        def path_of(w):
            return paths[(id(w._store), w.collection, w.short_name)]

        self.trainable = [path_of(w) for w in model.trainable_weights]
        self.non_trainable = [path_of(w) for w in model.non_trainable_weights]

    def to_lists(self, params: Any, state: Any) -> tuple[list[Any], list[Any]]:
        trees = {"params": params, "state": state}
        return ([_get(trees[c], p) for c, p in self.trainable],
                [_get(trees[c], p) for c, p in self.non_trainable])

    def from_lists(self, tv: Any, ntv: Any, params: Any, state: Any) -> tuple[Any, Any]:
        trees = {"params": params, "state": state}
        for paths, values, what in ((self.trainable, tv, "trainable_variables"),
                                    (self.non_trainable, ntv, "non_trainable_variables")):
            if values is None:
                continue
            values = list(values)
            if len(values) != len(paths):
                raise ValueError(
                    f"`{what}` has {len(values)} entries, but the model has {len(paths)} "
                    f"{what.replace('_', ' ')} (in the order of `model.{what}`)."
                )
            for (c, p), v in zip(paths, values):
                trees[c] = _set(trees[c], p, v)
        return trees["params"], trees["state"]


# --- Model methods (bound in model.py) -----------------------------------------------------------
def stateless_call(self, trainable_variables: Any, non_trainable_variables: Any, *args: Any,
                   return_losses: bool = False, **kwargs: Any) -> Any:
    """Runs the model with the given variables; returns ``(outputs, non_trainable_variables)``.

    As Keras 3's ``Model.stateless_call``: nothing on the model changes; with
    ``return_losses=True`` the ``add_loss`` losses of the call come third (as a list).
    """
    training = bool(kwargs.pop("training", False) or False)
    if kwargs or len(args) != 1:
        raise TypeError(
            f"stateless_call() of model '{self.name}' takes the inputs (one argument) and "
            f"`training`; received {len(args)} positional and {sorted(kwargs)} keyword arguments."
        )
    vm = VariableMap(self)
    scope = _scope()
    if scope is not None:
        base_params, base_state = scope.params, scope.state
        key = scope.next_key() if training else None
    else:
        tree = self.variables_tree
        base_params, base_state = tree["params"], tree["state"]
        key = rng.next_key() if training else None
    params, state = vm.from_lists(trainable_variables, non_trainable_variables, base_params,
                                  base_state)
    y, new_state, aux = self.apply({"params": params, "state": state}, args[0],
                                   training=training, rng=key, mutable=True, return_losses=True)
    if scope is not None:
        scope.aux, scope.call_params = aux, params
    _, ntv = vm.to_lists(params, new_state)
    if return_losses:
        return y, ntv, [aux]
    return y, ntv


def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                 sample_weight: Any = None, training: bool = True) -> jax.Array:
    """The compiled loss plus ``add_loss`` losses and weight penalties (Keras's default)."""
    del x, training
    cfg = self.__dict__.get("_compiled")
    objectives = getattr(cfg, "objectives", None)
    total = jnp.zeros((), jnp.float32)
    if objectives is not None and any(lo is not None for lo in objectives.losses):
        y_flat = training_lib._flatten_targets(self, y)
        y_pred_flat = self.flatten_outputs(y_pred)
        sw = training_lib._flatten_sample_weight(self, sample_weight, len(y_flat))
        mask = jnp.ones((jax.tree.leaves(y_pred_flat)[0].shape[0],), jnp.float32)
        total = objectives.compute_loss(y_flat, y_pred_flat, sw, mask)[0]
    scope = _scope()
    if scope is not None:
        total = total + scope.aux + self.regularization_penalty(scope.call_params)
    return total


def _call_compute_loss(model: Any, x, y, y_pred, sample_weight, training) -> jax.Array:
    fn = model.compute_loss
    try:
        takes_training = "training" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes_training = True
    if takes_training:
        return fn(x, y, y_pred, sample_weight, training=training)
    return fn(x, y, y_pred, sample_weight)


def stateless_compute_loss(self, trainable_variables: Any, non_trainable_variables: Any,
                           metrics_variables: Any, x: Any = None, y: Any = None,
                           y_pred: Any = None, sample_weight: Any = None,
                           training: bool = True) -> tuple[Any, tuple]:
    """``compute_loss`` with the weight penalties read from ``trainable_variables``.

    Returns ``loss, (trainable_variables, non_trainable_variables, metrics_variables)``.
    """
    scope = _scope()
    if scope is not None:
        vm = VariableMap(self)
        scope.call_params, _ = vm.from_lists(trainable_variables, None, scope.params,
                                             scope.state)
    loss = _call_compute_loss(self, x, y, y_pred, sample_weight, training)
    return loss, (trainable_variables, non_trainable_variables, metrics_variables)


class CompileMetrics:
    """The metrics given to ``compile`` as one Keras-style metric (Keras's ``compile_metrics``)."""

    name = "compile_metrics"

    def __init__(self, model: Any, cfg: Any):
        self._model = model
        self._cfg = cfg

    @property
    def _objectives(self) -> Any:
        return self._cfg.objectives

    @property
    def metrics(self) -> list[Any]:
        """The resolved metric objects (empty until the first fit / evaluate, as in Keras)."""
        if self._objectives is None:
            return []
        return [m for ms in self._objectives.metrics for m in ms]

    def _init(self) -> Any:
        if self._objectives is None:
            return ()
        return tuple(tuple(m.init() for m in ms) for ms in self._objectives.metrics)

    @property
    def variables(self) -> list[Any]:
        return jax.tree.leaves(self._init())

    def stateless_reset_state(self) -> list[Any]:
        return jax.tree.leaves(self._init())

    def stateless_update_state(self, metric_variables: Any, y_true: Any, y_pred: Any,
                               sample_weight: Any = None) -> list[Any]:
        states = jax.tree.unflatten(jax.tree.structure(self._init()), list(metric_variables))
        y_flat = training_lib._flatten_targets(self._model, y_true)
        p_flat = self._model.flatten_outputs(y_pred)
        sw = training_lib._flatten_sample_weight(self._model, sample_weight, len(y_flat))
        new = []
        for i, (ms, st) in enumerate(zip(self._objectives.metrics, states)):
            w_i = None if sw is None else sw[i]
            new.append(tuple(
                m.update(s, y_flat[i], p_flat[i], w_i if weighted else None)
                for m, s, weighted in zip(ms, st, self._objectives.weighted[i])
            ))
        return jax.tree.leaves(tuple(new))

    def stateless_result(self, metric_variables: Any) -> dict[str, Any]:
        states = jax.tree.unflatten(jax.tree.structure(self._init()), list(metric_variables))
        names = iter(self._objectives.metric_names)
        return {next(names): m.result(s)
                for ms, st in zip(self._objectives.metrics, states) for m, s in zip(ms, st)}


@property
def metrics(self) -> list[Any]:
    """Keras order: the loss tracker, the compiled metrics, then metrics set as attributes."""
    out: list[Any] = []
    cfg = self.__dict__.get("_compiled")
    if cfg is not None:
        if cfg.__dict__.get("loss_tracker") is None:
            cfg.loss_tracker = Mean(name="loss")
        out.append(cfg.loss_tracker)
        if cfg.metrics or cfg.weighted_metrics:
            if cfg.__dict__.get("compile_metrics") is None:
                cfg.compile_metrics = CompileMetrics(self, cfg)
            out.append(cfg.compile_metrics)
    out.extend(self.__dict__.get("_tracked_metrics", []))
    return out


@property
def metrics_variables(self) -> list[Any]:
    """The variables of ``model.metrics``, concatenated (Keras's ``metrics_variables``)."""
    return [v for m in self.metrics for v in m.variables]


@property
def trainable_variables(self) -> list[Any]:
    """The trainable weights, in Keras order (``.value`` gives the array)."""
    return self.trainable_weights


@property
def non_trainable_variables(self) -> list[Any]:
    """The non-trainable weights (frozen weights, then moving statistics), in Keras order."""
    return self.non_trainable_weights


def _initial_metrics(model: Any) -> list[Any]:
    return [v for m in model.metrics for v in m.stateless_reset_state()]


def _metric_logs(model, metrics_variables, loss, y, y_pred, sample_weight, rows):
    """Keras's default metric update: the loss tracker by rows, compiled metrics by y."""
    new, logs, i = [], {}, 0
    for metric in model.metrics:
        n = len(metric.variables)
        mv = list(metrics_variables[i:i + n])
        i += n
        if metric is getattr(model._compiled, "loss_tracker", None):
            mv = metric.stateless_update_state(mv, loss, sample_weight=rows)
        elif isinstance(metric, CompileMetrics):
            mv = metric.stateless_update_state(mv, y, y_pred, sample_weight)
        result = metric.stateless_result(mv)
        if isinstance(result, Mapping):
            logs.update(result)
        else:
            logs[metric.name] = result
        new += mv
    return logs, new


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sw)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be (x,), (x, y) or (x, y, sample_weight); received "
                     f"a tuple of {len(data)} elements.")


def _rows(x: Any) -> jax.Array:
    return jnp.asarray(jax.tree.leaves(x)[0].shape[0], jnp.float32)


def train_step(self, state: Any, data: Any) -> tuple[dict, tuple]:
    """Keras's default JAX ``train_step`` in the stateless protocol (used when only
    ``compute_loss`` or ``metrics`` is overridden)."""
    tv, ntv, ov, mv = state
    x, y, sw = unpack_x_y_sample_weight(data)

    def loss_fn(tv, ntv, mv):
        y_pred, ntv = self.stateless_call(tv, ntv, x, training=True)
        loss, (tv, ntv, mv) = self.stateless_compute_loss(tv, ntv, mv, x=x, y=y, y_pred=y_pred,
                                                          sample_weight=sw, training=True)
        return loss, (y_pred, ntv, mv)

    (loss, (y_pred, ntv, mv)), grads = jax.value_and_grad(loss_fn, has_aux=True)(tv, ntv, mv)
    tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
    logs, mv = _metric_logs(self, mv, loss, y, y_pred, sw, _rows(x))
    return logs, (tv, ntv, ov, mv)


def test_step(self, state: Any, data: Any) -> tuple[dict, tuple]:
    """Keras's default JAX ``test_step`` in the stateless protocol."""
    tv, ntv, mv = state
    x, y, sw = unpack_x_y_sample_weight(data)
    y_pred, ntv = self.stateless_call(tv, ntv, x, training=False)
    loss, (tv, ntv, mv) = self.stateless_compute_loss(tv, ntv, mv, x=x, y=y, y_pred=y_pred,
                                                      sample_weight=sw, training=False)
    logs, mv = _metric_logs(self, mv, loss, y, y_pred, sw, _rows(x))
    return logs, (tv, ntv, mv)


def predict_step(self, state: Any, data: Any) -> tuple[Any, list]:
    """Keras's default JAX ``predict_step``: ``(outputs, non_trainable_variables)``."""
    tv, ntv = state
    x, _, _ = unpack_x_y_sample_weight(data)
    return self.stateless_call(tv, ntv, x, training=False)
