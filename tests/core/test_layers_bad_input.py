"""The layer zoo's "Bad input" list (issue 6), each case through the Keras-style surface a user
touches (symbolic ``jnn.Input``, a Sequential model, ``layer(data)``), with the message checked.

Kernel larger than the input with 'valid' padding, channels mismatch, wrong rank (the message
names the layer: ``expected ndim=4, found ndim=3``), pooling with a zero-size output,
Embedding indices out of range (documented behaviour: Keras 3 on JAX's ``take``), and masks
of the wrong shape.
"""

from __future__ import annotations

import numpy as np
import pytest

import jnn
from jnn._core.layers.attention import Attention, MultiHeadAttention
from jnn._core.layers.conv import Conv1D, Conv2D
from jnn._core.layers.embedding import Embedding
from jnn._core.layers.lstm import LSTM
from jnn._core.layers.pooling import AveragePooling1D, MaxPooling2D

X3 = np.ones((2, 4, 3), "float32")


def test_kernel_larger_than_input_with_valid_padding():
    small = (
        r"the input is too small for kernel_size=\(3, 3\).*padding='valid'.*output size \(0, 0\)"
    )
    with pytest.raises(ValueError, match=r'"big_kernel" \(Conv2D\): ' + small):
        Conv2D(1, 3, name="big_kernel")(jnn.Input((2, 2, 1)))
    with pytest.raises(ValueError, match=small):
        Conv2D(1, 3)(np.ones((1, 2, 2, 1), "float32"))
    # 'same' padding is fine on the same input
    assert Conv2D(1, 3, padding="same")(jnn.Input((2, 2, 1))).shape == (None, 2, 2, 1)


def test_channels_mismatch():
    model = jnn.Sequential([jnn.Input((5, 5, 3)), Conv2D(2, 3, name="conv")])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5, 5, 3\), found shape="):
        model.predict(np.ones((2, 5, 5, 2), "float32"), verbose=0)
    conv = Conv1D(2, 3, name="conv1")
    conv(np.ones((1, 6, 4), "float32"))  # builds a kernel for 4 channels
    msg = r'layer "conv1" is incompatible.*axis -1 of input shape to have value 4.*\(1, 6, 3\)'
    with pytest.raises(ValueError, match=msg):
        conv(np.ones((1, 6, 3), "float32"))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Conv2D(2, 3, name="rank")(jnn.Input((28, 28))),
        lambda: jnn.Sequential([jnn.Input((28, 28)), Conv2D(2, 3, name="rank")]),
        lambda: Conv2D(2, 3, name="rank")(np.ones((28, 28, 1), "float32")),
    ],
    ids=["symbolic", "sequential", "eager"],
)
def test_wrong_rank_names_the_layer(make):
    msg = 'Input 0 of layer "rank" is incompatible with the layer: expected ndim=4, found ndim=3'
    with pytest.raises(ValueError, match=msg):
        make()


def test_pooling_with_zero_size_output():
    msg = r'"pool" \(MaxPooling2D\).*pool_size=\(3, 3\).*output size \(0, 1\)'
    with pytest.raises(ValueError, match=msg):
        MaxPooling2D(3, name="pool")(jnn.Input((2, 5, 1)))
    with pytest.raises(ValueError, match=r"too small for pool_size=\(4,\)"):
        AveragePooling1D(4)(np.ones((1, 3, 2), "float32"))


def test_embedding_out_of_range_indices_documented_behaviour():
    layer = Embedding(3, 2)
    out = np.asarray(layer(np.array([[0, -1, 3, 100]])))
    table = layer.get_weights()[0]
    np.testing.assert_array_equal(out[0, 0], table[0])
    np.testing.assert_array_equal(out[0, 1], table[-1])  # negative indices wrap (numpy rule)
    assert np.isnan(out[0, 2:]).all()  # past the table: NaN rows, as Keras 3 on JAX


def test_mask_of_the_wrong_shape():
    lstm = LSTM(2, name="lstm")
    lstm(X3)
    msg = r'"lstm": argument `mask` must have shape \(batch, timesteps\) = \(2, 4\), received'
    with pytest.raises(ValueError, match=msg):
        lstm(X3, mask=np.ones((2, 3), bool))
    mha = MultiHeadAttention(1, 2, name="mha")
    msg = r'"mha" \(MultiHeadAttention\): argument `value_mask` must have shape \(2, 4\)'
    with pytest.raises(ValueError, match=msg):
        mha(X3, X3, value_mask=np.ones((2, 5), bool))
    att = Attention(name="att")
    with pytest.raises(ValueError, match=r"argument `mask\[0\]` must have shape \(2, 4\)"):
        att([X3, X3], mask=[np.ones((2, 1), bool), None])
