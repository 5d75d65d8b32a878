"""Keras layers (``jnn.layers.Dense`` reads like ``keras.layers.Dense``): public re-exports.

Example:
    >>> from jnn import layers
    >>> layers.Dense(3).units
    3
"""

from jnn._core.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from jnn._core.layers.base import Layer
from jnn._core.layers.core import Activation, Dense, Identity, InputLayer, Lambda
from jnn._core.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from jnn._core.layers.preprocessing import Rescaling
from jnn._core.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from jnn._core.layers.reshaping import Flatten, Permute, RepeatVector, Reshape
from jnn._shell.functional import Input

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Input",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
    "Activation",
    "ActivityRegularization",
    "AlphaDropout",
    "Dense",
    "Dropout",
    "ELU",
    "Flatten",
    "GaussianDropout",
    "GaussianNoise",
    "Identity",
    "InputLayer",
    "Lambda",
    "Layer",
    "LeakyReLU",
    "PReLU",
    "Permute",
    "ReLU",
    "RepeatVector",
    "Rescaling",
    "Reshape",
    "Softmax",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]
