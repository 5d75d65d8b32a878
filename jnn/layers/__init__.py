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
from jnn._core.layers.residual import LayerScale, StochasticDepth
from jnn._shell.models.functional import Input
from jnn.layers import experimental as experimental  # Keras 2's layers.experimental.preprocessing


def __getattr__(name: str):  # Keras names jnn leaves out say what to use instead
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)


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
    "StochasticDepth",
]

# --- layer zoo (generated) ---
from jnn._core.layers.conv import (
    Conv1D,
    Conv2D,
    Conv3D,
    Convolution1D,
    Convolution2D,
    Convolution3D,
)
from jnn._core.layers.conv_transpose import (
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
    Convolution1DTranspose,
    Convolution2DTranspose,
    Convolution3DTranspose,
)
from jnn._core.layers.separable import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from jnn._core.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from jnn._core.layers.rnn import (
    Masking,
    RNN,
    SimpleRNN,
    SimpleRNNCell,
)
from jnn._core.layers.lstm import (
    LSTM,
    LSTMCell,
)
from jnn._core.layers.gru import (
    GRU,
    GRUCell,
)
from jnn._core.layers.wrappers import (
    Bidirectional,
    TimeDistributed,
)
from jnn._core.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from jnn._core.layers.embedding import (
    Embedding,
)
from jnn._core.layers.reshaping_nd import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from jnn._core.layers.preprocessing_extra import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    IntegerLookup,
    Normalization,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from jnn._core.layers.attention import (
    AdditiveAttention,
    Attention,
    MultiHeadAttention,
)
from jnn._core.layers.lookup import StringLookup, TextVectorization

__all__ += [
    "AdditiveAttention",
    "Attention",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "BatchNormalization",
    "Bidirectional",
    "CategoryEncoding",
    "CenterCrop",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Convolution1D",
    "Convolution1DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "Convolution3D",
    "Convolution3DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Discretization",
    "Embedding",
    "GRU",
    "GRUCell",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GroupNormalization",
    "IntegerLookup",
    "LSTM",
    "LSTMCell",
    "LayerNormalization",
    "LayerScale",
    "Masking",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "MultiHeadAttention",
    "Normalization",
    "RMSNormalization",
    "RNN",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
    "SimpleRNN",
    "SimpleRNNCell",
    "StringLookup",
    "TextVectorization",
    "TimeDistributed",
    "UnitNormalization",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
# --- end layer zoo ---

from jnn._core.layers.flax_layer import FlaxLayer  # noqa: E402

__all__ += ["FlaxLayer"]

# Keras 3's ``keras.layers.serialize`` / ``deserialize``: the saving format's layer dicts.
from jnn._shell.saving.serialization import (  # noqa: E402
    deserialize_keras_object as deserialize,
)
from jnn._shell.saving.serialization import (  # noqa: E402
    serialize_keras_object as serialize,
)

__all__ += ["deserialize", "serialize"]
