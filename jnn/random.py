"""Random draws with Keras 3's names (``keras.random``), from explicit or contextual keys.

``seed=`` is an int (reproducible), a :class:`SeedGenerator`, a JAX key, or ``None``. Inside
a model's ``call`` during ``fit``, unseeded draws (and a layer's own ``SeedGenerator``) take
the training step's key, so masks differ at every step, even inside one fused chunk.

Example:
    >>> import jnn
    >>> x = jnn.random.normal((2, 3), seed=0)
    >>> bool((x == jnn.random.normal((2, 3), seed=0)).all())
    True
"""

from jnn._core.random import (
    SeedGenerator,
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]
