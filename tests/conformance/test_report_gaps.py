"""APIs that REPORT.md listed without a Keras comparison: same outputs as Keras 3."""

from __future__ import annotations

import numpy as np
import pytest

import jnn

pytestmark = [pytest.mark.conformance, pytest.mark.user_code]
RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def test_sparse_top_k_categorical_accuracy_function(keras):
    y_true, y_pred = RNG.integers(0, 5, 8), RNG.random((8, 5)).astype("float32")
    for k in (1, 2, 4):
        expected = keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=k)
        got = jnn.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=k)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


def test_functional_merge_helpers(keras):
    a, b = RNG.random((2, 3)).astype("float32"), RNG.random((2, 3)).astype("float32")
    for name in ("multiply", "subtract"):
        expected = getattr(keras.layers, name)([a, b])
        got = getattr(jnn.layers, name)([a, b])
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-6)


def test_simple_rnn_cell_in_rnn_with_keras_weights(keras):
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    theirs = keras.layers.RNN(keras.layers.SimpleRNNCell(5), return_sequences=True)
    expected = np.asarray(theirs(x))
    ours = jnn.layers.RNN(jnn.layers.SimpleRNNCell(5), return_sequences=True)
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(np.asarray(ours(x)), expected, rtol=1e-5, atol=1e-6)
