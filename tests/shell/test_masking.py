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


class _Subclassed(jnn.Model):
    def __init__(self, mask_zero):
        super().__init__()
        self.emb = Embedding(10, 4, mask_zero=mask_zero)
        self.lstm = LSTM(3)

    def call(self, x):
        return self.lstm(self.emb(x))


class _Broken(_Subclassed):
    def call(self, x):
        return self.lstm(self.emb(x) * 1.0)  # a new array: Keras's mask does not follow it


@pytest.fixture(scope="module")
def masked_seq():
    seq = _seq(True)
    return seq, seq.predict(X, verbose=0)


@pytest.mark.parametrize("cls, mask_zero, same", [(_Subclassed, True, True),
                                                  (_Subclassed, False, False),
                                                  (_Broken, True, False)])
def test_subclassed_model_call_carries_masks(masked_seq, cls, mask_zero, same):
    seq, expected = masked_seq
    model = cls(mask_zero)
    model.build((None, 5))
    model.set_weights(seq.get_weights())
    diff = np.abs(model.predict(X, verbose=0) - expected).max()
    assert (diff < 1e-6) == same


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before"])
def test_hoisted_input_projection_matches_the_per_step_rnn(monkeypatch, kind):
    """On GPU the LSTM and GRU compute all input projections before the scan (one matmul);
    the result equals the per-step form (forced here on CPU)."""
    import jax
    import jax.numpy as jnp

    from jnn._core.layers import rnn
    from jnn.layers import GRU

    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 5, 3)), jnp.float32)
    mask = jnp.asarray(X != 0)
    cls = {"lstm": LSTM, "gru": GRU,
           "gru_reset_before": lambda *a, **k: GRU(*a, reset_after=False, **k)}[kind]
    layer = cls(4, return_sequences=True, return_state=True, go_backwards=True)
    variables = layer.init(jax.random.key(0), x)
    variables = jax.tree.map(lambda v: v + 0.1, variables)  # non-zero biases
    per_step = layer.apply(variables, x, mask=mask)[0]
    monkeypatch.setattr(rnn, "_hoist_on_backend", lambda: True)
    rnn._run_rnn.clear_cache()
    assert layer._hoists_inputs(training=False) and not cls(2, dropout=0.1)._hoists_inputs(True)
    hoisted = layer.apply(variables, x, mask=mask)[0]
    rnn._run_rnn.clear_cache()
    for a, b in zip(per_step, hoisted):
        np.testing.assert_allclose(a, b, atol=1e-6)
