"""Keras's implicit masks (Embedding(mask_zero) / Masking) reach the layers that use them."""

import numpy as np
import pytest

import jnn
from jnn._core.layers.embedding import Embedding
from jnn._core.layers.lstm import LSTM

X = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]], dtype="int32")


def _seq(mask_zero):
    jnn.utils.set_random_seed(0)
    return jnn.Sequential([Embedding(10, 4, mask_zero=mask_zero, input_shape=(5,)), LSTM(3)])


def test_mask_changes_the_result_and_equals_trimmed_sequences():
    masked, unmasked = _seq(True), _seq(False)
    unmasked.set_weights(masked.get_weights())
    a = masked.predict(X, verbose=0)
    b = unmasked.predict(X, verbose=0)
    assert np.abs(a - b).max() > 1e-4  # padding matters without the mask
    # with the mask, the padded sequence gives the trimmed sequence's final state
    trimmed = jnn.Sequential([Embedding(10, 4, input_shape=(3,)), LSTM(3)])
    trimmed.set_weights(masked.get_weights())
    np.testing.assert_allclose(a[0], trimmed.predict(X[:1, :3], verbose=0)[0], rtol=1e-5)


def test_functional_graph_propagates_masks():
    seq = _seq(True)
    inp = jnn.Input((5,), dtype="int32")
    out = LSTM(3)(Embedding(10, 4, mask_zero=True)(inp))
    model = jnn.Model(inp, out)
    model.set_weights(seq.get_weights())
    np.testing.assert_allclose(model.predict(X, verbose=0), seq.predict(X, verbose=0),
                               rtol=1e-6)


@pytest.mark.conformance
@pytest.mark.user_code
def test_masked_lstm_matches_keras():
    keras = pytest.importorskip("keras")
    seq = _seq(True)
    km = keras.Sequential([keras.Input((5,), dtype="int32"),
                           keras.layers.Embedding(10, 4, mask_zero=True), keras.layers.LSTM(3)])
    km.set_weights(seq.get_weights())
    np.testing.assert_allclose(seq.predict(X, verbose=0), km.predict(X, verbose=0), atol=1e-6)
