"""Pure training, evaluation and prediction steps, and their fused (``lax.scan``) forms.

Everything here is a pure function of pytrees, safe under ``jax.jit``, ``jax.grad`` and
``jax.vmap``. The Keras shell jits these once per (model, shapes) and runs many steps per
dispatch; a research script can call them directly:

Example:
    >>> import jax, numpy as np, jnn
    >>> from jnn import training
    >>> model = jnn.Sequential([jnn.layers.Dense(3, input_dim=4)])
    >>> variables = model.init(jax.random.key(0), np.zeros((1, 4), np.float32))
    >>> step = training.make_train_step(model, "mse", "sgd")
    >>> ts = training.TrainState.create(variables, step.optimizer, step.objectives)
    >>> batch = training.Batch(np.ones((2, 4), np.float32), [np.zeros((2, 3), np.float32)])
    >>> ts, logs = jax.jit(step)(ts, batch)
    >>> sorted(logs)
    ['loss']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
from flax import struct

from jnn._core import losses as losses_lib
from jnn._core import metrics as metrics_lib


class Batch(NamedTuple):
    """One batch: inputs (model structure), targets and sample weights (one per output), and
    ``mask`` (1.0 for real rows, 0.0 for padding rows of the last partial batch)."""

    x: Any
    y: Sequence[Any] | None = None
    sample_weight: Sequence[Any] | None = None
    mask: jax.Array | None = None


# --- objectives: the compiled loss and metrics, per output -------------------------------------
class _Mean:
    """A weighted running mean as pure state (sum, count)."""

    def __init__(self, name: str):
        self.name = name

    def init(self) -> tuple[jax.Array, jax.Array]:
        return (jnp.zeros((), jnp.float32), jnp.zeros((), jnp.float32))

    def update(self, state, value, weight):
        return (state[0] + value * weight, state[1] + weight)

    def result(self, state):
        return state[0] / jnp.maximum(state[1], 1e-12)


class Objectives:
    """Losses, loss weights and metrics for each model output (flattened output order).

    ``losses[i]`` is a jnn Loss (or None to skip output i), ``metrics[i]`` a list of metric
    objects. Logs are named as Keras names them: ``loss``, ``<output>_loss`` for multi-output
    models, and each metric's name (prefixed by the output name for multi-output models).
    """

    def __init__(
        self,
        losses: Sequence[Any],
        loss_weights: Sequence[float] | None = None,
        metrics: Sequence[Sequence[Any]] | None = None,
        output_names: Sequence[str] | None = None,
        weighted: Sequence[Sequence[bool]] | None = None,
    ):
        self.losses = list(losses)
        n = len(self.losses)
        self.loss_weights = [1.0] * n if loss_weights is None else [float(w) for w in loss_weights]
        self.metrics = [list(m) for m in (metrics or [[] for _ in range(n)])]
        self.output_names = list(output_names or [f"output_{i}" for i in range(n)])
        # Keras: `metrics` ignore sample weights (only padding is masked); `weighted_metrics`
        # are weighted by sample_weight / class_weight.
        self.weighted = [list(w) for w in weighted] if weighted is not None else [
            [False] * len(ms) for ms in self.metrics
        ]
        multi = n > 1
        self.trackers = [_Mean("loss")]
        if multi:
            self.trackers += [
                _Mean(f"{name}_loss")
                for name, loss in zip(self.output_names, self.losses)
                if loss is not None
            ]
        self.metric_names = []
        for name, ms in zip(self.output_names, self.metrics):
            for m in ms:
                self.metric_names.append(f"{name}_{m.name}" if multi else m.name)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.trackers] + self.metric_names

    def compute_loss(self, y_true, y_pred, sample_weight, mask):
        """Total weighted loss and per-output losses (padding rows excluded).

        Predictions are upcast to float32 first: under a mixed precision policy the loss (and
        its softmax clipping) is computed in float32, as Keras does.
        """
        y_pred = [_to_f32(p) for p in y_pred]
        total = jnp.zeros((), jnp.float32)
        per_output = []
        for i, loss in enumerate(self.losses):
            if loss is None:
                continue
            sw = None if sample_weight is None else sample_weight[i]
            # The loss object reduces with the padding mask (and its own ignore_class mask).
            value = loss(y_true[i], y_pred[i], sample_weight=sw, mask=mask)
            per_output.append(value)
            total = total + self.loss_weights[i] * value
        return total, per_output

    def init(self) -> tuple:
        tracker_states = tuple(t.init() for t in self.trackers)
        metric_states = tuple(tuple(m.init() for m in ms) for ms in self.metrics)
        return (tracker_states, metric_states)

    def update(self, states, total, per_output, y_true, y_pred, sample_weight, mask):
        tracker_states, metric_states = states
        n = jnp.sum(mask).astype(jnp.float32)
        values = [total] + (list(per_output) if len(self.trackers) > 1 else [])
        tracker_states = tuple(
            t.update(s, v, n) for t, s, v in zip(self.trackers, tracker_states, values)
        )
        new_metric_states = []
        y_pred = [_to_f32(p) for p in y_pred]
        for i, (ms, states_i) in enumerate(zip(self.metrics, metric_states)):
            sw = mask if sample_weight is None or sample_weight[i] is None else (
                _broadcast_rows(sample_weight[i], mask)
            )
            new_metric_states.append(tuple(
                m.update(s, y_true[i], y_pred[i], sw if w else mask)
                for m, s, w in zip(ms, states_i, self.weighted[i])
            ))
        return (tracker_states, tuple(new_metric_states))

    def results(self, states) -> dict[str, jax.Array]:
        tracker_states, metric_states = states
        out = {t.name: t.result(s) for t, s in zip(self.trackers, tracker_states)}
        names = iter(self.metric_names)
        for ms, states_i in zip(self.metrics, metric_states):
            for m, s in zip(ms, states_i):
                out[next(names)] = m.result(s)
        return out

    def merge(self, a, b):
        return jax.tree.map(jnp.add, a, b)


def _to_f32(x: Any) -> Any:
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.floating) and jnp.finfo(x.dtype).bits < 32:
        return x.astype(jnp.float32)
    return x


def _broadcast_rows(sw: jax.Array, mask: jax.Array) -> jax.Array:
    sw = jnp.asarray(sw, jnp.float32)
    m = mask.reshape(mask.shape + (1,) * (sw.ndim - 1))
    return sw * m


# --- the training state -------------------------------------------------------------------------
class TrainState(struct.PyTreeNode):
    """Everything a training step reads and writes, as one pytree (Flax's TrainState shape).

    Attributes:
        params: trainable and frozen parameters ``{layer_name: {weight: array}}``.
        state: non-trainable state (BatchNorm moving statistics ...).
        opt_state: the optax optimizer state.
        metrics: running loss trackers and metric states.
        rng: the key the next step splits for dropout and other noise.
        step: number of applied steps.
    """

    params: Any
    state: Any
    opt_state: Any
    metrics: Any
    rng: jax.Array
    step: jax.Array

    @classmethod
    def create(
        cls,
        variables: dict[str, Any],
        optimizer: Any,
        objectives: Objectives | None = None,
        rng: jax.Array | None = None,
    ) -> TrainState:
        tx = optimizer if isinstance(optimizer, optax.GradientTransformation) else optimizer.tx
        return cls(
            params=variables.get("params", {}),
            state=variables.get("state", {}),
            opt_state=tx.init(variables.get("params", {})),
            metrics=objectives.init() if objectives is not None else (),
            rng=jax.random.key(0) if rng is None else rng,
            step=jnp.zeros((), jnp.int32),
        )

    @property
    def variables(self) -> dict[str, Any]:
        return {"params": self.params, "state": self.state}

    def reset_metrics(self, objectives: Objectives) -> TrainState:
        return self.replace(metrics=objectives.init())


# --- steps ---------------------------------------------------------------------------------------
def _full_mask(x: Any) -> jax.Array:
    leaf = jax.tree.leaves(x)[0]
    return jnp.ones((leaf.shape[0],), jnp.float32)


def _as_list(y: Any) -> list[Any]:
    if y is None:
        return []
    if isinstance(y, (list, tuple)):
        return list(y)
    return [y]


def train_step_fn(
    model: Any,
    objectives: Objectives,
    tx: optax.GradientTransformation,
    scale_loss: Callable[[jax.Array, Any], jax.Array] | None = None,
) -> Callable[[TrainState, Batch], tuple[TrainState, dict[str, jax.Array]]]:
    """Builds ``step(ts, batch) -> (ts, logs)``: one optimizer update on one batch.

    Weight penalties (regularizers) and activity losses are added to the loss; constraints
    are projected after the update. Logs are the running results of the epoch so far.
    ``scale_loss(loss, opt_state)`` (loss scaling for float16) scales the differentiated loss;
    the optimizer unscales the gradients.
    """

    def step(ts: TrainState, batch: Batch) -> tuple[TrainState, dict[str, jax.Array]]:
        mask = _full_mask(batch.x) if batch.mask is None else batch.mask
        y_true = _as_list(batch.y)
        # A per-step key derived from the step counter: nothing is carried, so a model without
        # randomness pays nothing (XLA removes the unused key computation).
        step_rng = jax.random.fold_in(ts.rng, ts.step)

        def loss_fn(params):
            y_pred, new_state, aux = model.apply(
                {"params": params, "state": ts.state}, batch.x, training=True, rng=step_rng,
                mutable=True, return_losses=True, sample_mask=mask,
            )
            y_pred = model.flatten_outputs(y_pred)
            total, per_output = objectives.compute_loss(y_true, y_pred, batch.sample_weight, mask)
            total = total + aux + model.regularization_penalty(params)
            scaled = total if scale_loss is None else scale_loss(total, ts.opt_state)
            return scaled, (total, y_pred, new_state, per_output)

        (_, (total, y_pred, new_state, per_output)), grads = jax.value_and_grad(
            loss_fn, has_aux=True
        )(ts.params)
        updates, opt_state = tx.update(grads, ts.opt_state, ts.params)
        params = model.apply_constraints(optax.apply_updates(ts.params, updates))
        metrics = objectives.update(
            ts.metrics, total, per_output, y_true, y_pred, batch.sample_weight, mask
        )
        ts = ts.replace(
            params=params, state=new_state, opt_state=opt_state, metrics=metrics,
            step=ts.step + 1,
        )
        return ts, objectives.results(metrics)

    return step


def eval_step_fn(model: Any, objectives: Objectives) -> Callable:
    """Builds ``step(metric_states, variables, batch) -> (metric_states, logs)``."""

    def step(metric_states, variables, batch: Batch):
        mask = _full_mask(batch.x) if batch.mask is None else batch.mask
        y_true = _as_list(batch.y)
        y_pred, _, aux = model.apply(
            variables, batch.x, training=False, mutable=True, return_losses=True,
            sample_mask=mask,
        )
        y_pred = model.flatten_outputs(y_pred)
        total, per_output = objectives.compute_loss(y_true, y_pred, batch.sample_weight, mask)
        total = total + aux + model.regularization_penalty(variables["params"])
        metric_states = objectives.update(
            metric_states, total, per_output, y_true, y_pred, batch.sample_weight, mask
        )
        return metric_states, objectives.results(metric_states)

    return step


def predict_step_fn(model: Any) -> Callable:
    """Builds ``step(variables, x) -> outputs`` (inference mode)."""

    def step(variables, x):
        return model.apply(variables, x, training=False)

    return step


# --- fused forms: many steps per dispatch ---------------------------------------------------------
def fused_train_fn(step: Callable, *, per_step_logs: bool, skip_empty: bool,
                   unroll: int | bool = 1, make_batch: Callable | None = None) -> Callable:
    """``run(ts, xs) -> (ts, logs)`` scanning ``step`` over a leading axis of batches.

    ``xs`` holds stacked :class:`Batch` es, or anything ``make_batch`` turns into one per step
    (the engine scans row indices and gathers each batch from data already on the device).
    With ``per_step_logs`` the logs of every step are returned (stacked) for batch callbacks,
    otherwise None. With ``skip_empty`` a batch whose mask is all zero leaves the state
    untouched (used to pad the last chunk to a fixed length). ``unroll`` is ``lax.scan``'s.

    Example:
        >>> run = fused_train_fn(step, per_step_logs=False, skip_empty=False)
        >>> ts, _ = jax.jit(run)(ts, stacked_batches)  # doctest: +SKIP
    """

    def body(ts, x):
        batch = x if make_batch is None else make_batch(x)
        new_ts, logs = step(ts, batch)
        if skip_empty:
            valid = jnp.sum(batch.mask) > 0
            new_ts = jax.tree.map(lambda n, o: jnp.where(valid, n, o), new_ts, ts)
        return new_ts, (logs if per_step_logs else None)

    def run(ts, xs):
        return jax.lax.scan(body, ts, xs, unroll=unroll)

    return run


def fused_eval_fn(step: Callable, *, per_step_logs: bool, unroll: int | bool = 1,
                  make_batch: Callable | None = None) -> Callable:
    """``run(metric_states, variables, xs) -> (metric_states, logs)``; see fused_train_fn."""

    def run(metric_states, variables, xs):
        def body(ms, x):
            ms, logs = step(ms, variables, x if make_batch is None else make_batch(x))
            return ms, (logs if per_step_logs else None)

        return jax.lax.scan(body, metric_states, xs, unroll=unroll)

    return run


def fused_predict_fn(step: Callable, *, unroll: int | bool = 1,
                     make_input: Callable | None = None) -> Callable:
    """``run(variables, xs) -> stacked outputs``, one ``step`` per leading entry of ``xs``."""

    def run(variables, xs):
        def body(_, x):
            return None, step(variables, x if make_input is None else make_input(x))

        return jax.lax.scan(body, None, xs, unroll=unroll)[1]

    return run


# --- convenience for research scripts ----------------------------------------------------------
class _StepWithParts:
    """A train step callable that also exposes the optimizer and objectives it was built from."""

    def __init__(self, fn: Callable, optimizer: Any, objectives: Objectives):
        self._fn = fn
        self.optimizer = optimizer
        self.objectives = objectives

    def __call__(self, ts: TrainState, batch: Batch):
        return self._fn(ts, batch)


def make_objectives(model: Any, loss: Any, metrics: Any = None,
                    loss_weights: Any = None) -> Objectives:
    """Objectives for a single-output model from Keras-style arguments (strings allowed)."""
    loss_obj = losses_lib.get(loss)
    out_shape = getattr(model, "output_shape", None)
    metric_objs = []
    for m in metrics or []:
        if isinstance(m, str) and out_shape is not None:
            sparse = "sparse" in getattr(loss_obj, "name", "") or "sparse" in str(loss)
            y_true_shape = tuple(out_shape[:-1]) if sparse else tuple(out_shape)
            metric_objs.append(metrics_lib.resolve(m, y_true_shape, tuple(out_shape), loss_obj))
        else:
            metric_objs.append(metrics_lib.get(m))
    weights = None if loss_weights is None else [loss_weights]
    return Objectives([loss_obj], weights, [metric_objs], ["output"])


def make_train_step(model: Any, loss: Any, optimizer: Any, metrics: Any = None) -> _StepWithParts:
    """A pure, jit-able ``step(ts, batch) -> (ts, logs)`` for ``model``.

    Args:
        model: a jnn model (anything with the model ``apply`` contract).
        loss: a loss name, function or object (single-output models).
        optimizer: an optimizer name, jnn optimizer or optax transformation.
        metrics: metric names or objects.
    """
    from jnn._core import optimizers as optimizers_lib

    opt = optimizers_lib.get(optimizer)
    objectives = make_objectives(model, loss, metrics)
    fn = train_step_fn(model, objectives, opt.tx, getattr(opt, "scale_loss", None))
    return _StepWithParts(fn, opt, objectives)
