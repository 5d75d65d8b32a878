"""The pure training API for research scripts: TrainState and jit-able steps.

Example:
    >>> import jax, numpy as np, jnn
    >>> model = jnn.Sequential([jnn.layers.Dense(1, input_dim=2)])
    >>> variables = model.init(jax.random.key(0), np.zeros((1, 2), np.float32))
    >>> step = jnn.training.make_train_step(model, "mse", "sgd")
    >>> ts = jnn.training.TrainState.create(variables, step.optimizer, step.objectives)
    >>> ts, logs = jax.jit(step)(ts, jnn.training.Batch(np.ones((4, 2)), [np.zeros((4, 1))]))
"""

from jnn._core.steps import Batch as Batch
from jnn._core.steps import Objectives as Objectives
from jnn._core.steps import TrainState as TrainState
from jnn._core.steps import eval_step_fn as eval_step_fn
from jnn._core.steps import fused_eval_fn as fused_eval_fn
from jnn._core.steps import fused_predict_fn as fused_predict_fn
from jnn._core.steps import fused_train_fn as fused_train_fn
from jnn._core.steps import make_objectives as make_objectives
from jnn._core.steps import make_train_step as make_train_step
from jnn._core.steps import predict_step_fn as predict_step_fn
from jnn._core.steps import train_step_fn as train_step_fn

__all__ = [
    "Batch",
    "Objectives",
    "TrainState",
    "eval_step_fn",
    "fused_eval_fn",
    "fused_predict_fn",
    "fused_train_fn",
    "make_objectives",
    "make_train_step",
    "predict_step_fn",
    "train_step_fn",
]
