"""Weight constraints with Keras 3 names (``jnn.constraints.MaxNorm(2)``, ``get("non_neg")``...).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn import constraints
    >>> constraints.NonNeg()(jnp.array([-1.0, 1.0]))
    Array([0., 1.], dtype=float32)
"""

from jnn._core.constraints import (
    Constraint,
    MaxNorm,
    MinMaxNorm,
    NonNeg,
    UnitNorm,
    deserialize,
    get,
    max_norm,
    min_max_norm,
    non_neg,
    serialize,
    unit_norm,
)

__all__ = [
    "Constraint",
    "deserialize",
    "get",
    "max_norm",
    "MaxNorm",
    "min_max_norm",
    "MinMaxNorm",
    "non_neg",
    "NonNeg",
    "serialize",
    "unit_norm",
    "UnitNorm",
]
