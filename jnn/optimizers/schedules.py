"""Learning-rate schedules with Keras 3 names (``jnn.optimizers.schedules.ExponentialDecay``).

Example:
    >>> from jnn.optimizers.schedules import CosineDecay
    >>> float(CosineDecay(1.0, decay_steps=10)(0))
    1.0
"""

from jnn._core.optimizers.schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
