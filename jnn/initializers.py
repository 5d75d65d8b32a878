"""Weight initializers with Keras 3 names (``jnn.initializers.GlorotUniform``, ``get("he_normal")``...).

Call them Flax style, ``init(key, shape, dtype)``, or Keras style, ``init(shape, dtype)``.

Example:
    >>> import jax
    >>> from jnn import initializers
    >>> initializers.get("zeros")(jax.random.key(0), (2,))
    Array([0., 0.], dtype=float32)
"""

from jnn._core.initializers import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Identity,
    IdentityInitializer,
    Initializer,
    LecunNormal,
    LecunUniform,
    Ones,
    Orthogonal,
    OrthogonalInitializer,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
    compute_fans,
    deserialize,
    get,
    serialize,
)

__all__ = [
    "compute_fans",
    "Constant",
    "deserialize",
    "get",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "serialize",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
]
