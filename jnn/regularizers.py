"""Weight regularizers with Keras 3 names (``jnn.regularizers.L2(0.01)``, ``get("l1")``...).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn import regularizers
    >>> regularizers.L1(0.5)(jnp.array([-2.0, 2.0]))
    Array(2., dtype=float32)
"""

from jnn._core.regularizers import (
    L1,
    L1L2,
    L2,
    OrthogonalRegularizer,
    Regularizer,
    deserialize,
    get,
    l1,
    l1_l2,
    l2,
    orthogonal_regularizer,
    serialize,
)

__all__ = [
    "deserialize",
    "get",
    "L1",
    "l1",
    "l1_l2",
    "L1L2",
    "L2",
    "l2",
    "orthogonal_regularizer",
    "OrthogonalRegularizer",
    "Regularizer",
    "serialize",
]
