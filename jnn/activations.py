"""Activation functions with Keras 3 names (``jnn.activations.relu``, ``get("softmax")``...).

Example:
    >>> from jnn import activations
    >>> activations.get(None) is activations.linear
    True
"""

from jnn._core.activations import (
    celu,
    deserialize,
    elu,
    exponential,
    gelu,
    get,
    glu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    serialize,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    sparsemax,
    swish,
    tanh,
)

__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "sparsemax",
    "swish",
    "tanh",
]
