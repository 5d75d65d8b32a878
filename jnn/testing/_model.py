"""``check_model``: a model's pure train step, checked on a tiny batch."""

from __future__ import annotations

import dataclasses
from typing import Any

import chex
import jax
import numpy as np

from jnn._core import steps as steps_lib
from jnn.testing._retrace import guarded_jit
from jnn.testing._trees import PropertyFailure, assert_equal, describe, key, specs

#: The properties ``check_model`` checks, in order.
MODEL_PROPERTIES = ("compiled_once", "finite", "structure", "deterministic", "decreases_loss")


@dataclasses.dataclass
class ModelCheck:
    """What ``check_model`` saw.

    Attributes:
        losses: the loss of each step (before its update).
        initial: the ``TrainState`` before the first step; ``final``: after the last.
    """

    losses: list[float]
    initial: steps_lib.TrainState
    final: steps_lib.TrainState


def _fail(prop: str, model: Any, message: str, x: Any, y: Any) -> None:
    raise PropertyFailure(
        prop,
        f"check_model: property '{prop}' failed for model {getattr(model, 'name', model)!r}.\n"
        f"  batch: x {describe(x)}; y {describe(y)}\n  {message}",
    )


def _state_arrays(ts: steps_lib.TrainState) -> Any:
    """Everything in the train state but the rng key (keys are not numbers)."""
    return (ts.params, ts.state, ts.opt_state, ts.metrics, ts.step)


def check_model(
    model: Any,
    x: Any,
    y: Any,
    *,
    loss: Any = None,
    optimizer: Any = None,
    steps: int = 5,
    seed: int = 0,
) -> ModelCheck:
    """Checks ``model``'s train step on the tiny batch ``(x, y)``; raises on the first breach.

    Properties (``MODEL_PROPERTIES``), each failure a ``PropertyFailure`` naming it:

    * ``compiled_once``: ``steps`` jitted steps trace the step once (``chex.assert_max_traces``);
    * ``finite``: params, state, optimizer state and metrics stay finite
      (``chex.assert_tree_all_finite``);
    * ``structure``: the ``TrainState`` keeps its tree structure, shapes and dtypes;
    * ``deterministic``: the same seed gives the same final state, bit for bit;
    * ``decreases_loss``: the last step's loss is below the first's.

    Args:
        model: a jnn model (built or not).
        x / y: one small batch of inputs and targets (single output).
        loss / optimizer: default to what the model was compiled with (else ``"mse"`` and
            ``"adam"``).
        steps: number of train steps (>= 2).
        seed: seeds ``model.init`` and the train state's rng.

    Returns:
        A ``ModelCheck`` with the per-step losses and the first / last train states.

    Example:
        >>> import numpy as np, jnn
        >>> from jnn.testing import check_model
        >>> model = jnn.Sequential([jnn.Input((3,)), jnn.layers.Dense(1)])
        >>> x, y = np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32)
        >>> check_model(model, x, y, optimizer="sgd").losses[0] > 0
        True
    """
    if steps < 2:
        raise ValueError(f"check_model: `steps` must be >= 2, received {steps!r}.")
    compiled = getattr(model, "__dict__", {}).get("_compiled")
    loss = loss if loss is not None else getattr(compiled, "loss", None) or "mse"
    optimizer = optimizer if optimizer is not None else getattr(compiled, "optimizer", None)
    optimizer = optimizer if optimizer is not None else "adam"
    x = jax.tree.map(np.asarray, x)
    y = np.asarray(y)
    train_step = steps_lib.make_train_step(model, loss, optimizer)
    variables = model.init(key(seed), x)
    ts0 = steps_lib.TrainState.create(variables, train_step.optimizer, train_step.objectives,
                                      rng=key(seed + 1))
    batch = steps_lib.Batch(x, [y])

    def train(step_fn: Any) -> tuple[steps_lib.TrainState, list[float]]:
        ts, losses = ts0, []
        for i in range(steps):
            try:
                ts, logs = step_fn(ts.reset_metrics(train_step.objectives), batch)
            except AssertionError as err:
                _fail("compiled_once", model, f"step {i} traced the train step again: "
                      f"{str(err).splitlines()[0]}", x, y)
            losses.append(float(logs["loss"]))
        return ts, losses

    ts, losses = train(guarded_jit(train_step.__call__, 1))
    try:
        chex.assert_tree_all_finite(_state_arrays(ts))
    except AssertionError as err:
        _fail("finite", model, f"after {steps} steps (losses {losses}): {err}", x, y)
    try:
        chex.assert_trees_all_equal_structs(ts0, ts)
        if specs(_state_arrays(ts0)) != specs(_state_arrays(ts)):
            raise AssertionError(f"shapes / dtypes {specs(_state_arrays(ts0))} became "
                                 f"{specs(_state_arrays(ts))}")
    except AssertionError as err:
        _fail("structure", model, f"the TrainState changed its tree after {steps} steps: "
              f"{err}", x, y)
    again, losses_again = train(guarded_jit(train_step.__call__, 1))
    try:
        assert_equal(_state_arrays(again), _state_arrays(ts), "final TrainState of a 2nd run")
        assert losses_again == losses, f"losses {losses_again} != {losses}"
    except AssertionError as err:
        _fail("deterministic", model, f"same seed, different result: {err}", x, y)
    if not losses[-1] < losses[0]:
        _fail("decreases_loss", model, f"the loss did not decrease in {steps} steps on one "
              f"batch: {losses} (loss={loss!r}, optimizer={optimizer!r})", x, y)
    return ModelCheck(losses, ts0, ts)
