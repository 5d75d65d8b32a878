"""Optimizers (Keras 3 names, arguments and update rules, built on optax) and schedules."""

from jnn._core.optimizers import schedules
from jnn._core.optimizers.adam import Adam, Adamax, AdamW, Nadam
from jnn._core.optimizers.adaptive import Adadelta, Adagrad, Ftrl, RMSprop
from jnn._core.optimizers.base import Optimizer, OptimizerState
from jnn._core.optimizers.loss_scale import LossScaleOptimizer, LossScaleState
from jnn._core.optimizers.optax_adapter import OptaxOptimizer
from jnn._core.optimizers.registry import ALL_OPTIMIZERS, deserialize, get, serialize
from jnn._core.optimizers.sgd import SGD, Lion

__all__ = [
    "ALL_OPTIMIZERS",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lion",
    "LossScaleOptimizer",
    "LossScaleState",
    "Nadam",
    "OptaxOptimizer",
    "Optimizer",
    "OptimizerState",
    "RMSprop",
    "SGD",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
