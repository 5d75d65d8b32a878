"""Optimizers with Keras 3 names (``jnn.optimizers.Adam``, ``get("rmsprop")``...), built on optax.

Each optimizer exposes ``opt.tx``, an optax ``GradientTransformation`` whose state keeps the
learning rate (``opt.get_learning_rate(state)``, ``opt.set_learning_rate(state, value)``).

Example:
    >>> from jnn import optimizers
    >>> optimizers.get("adam").get_config()["beta_1"]
    0.9
"""

from jnn._core.optimizers import (
    ALL_OPTIMIZERS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Ftrl,
    Lion,
    LossScaleOptimizer,
    LossScaleState,
    Nadam,
    OptaxOptimizer,
    Optimizer,
    OptimizerState,
    RMSprop,
    deserialize,
    get,
    serialize,
)
from jnn.optimizers import schedules

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


def __getattr__(name: str):  # Keras names jnn leaves out say what to use instead
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)
