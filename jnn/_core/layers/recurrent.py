"""Recurrent layers, one import: the generic ``RNN`` over a cell (one ``jax.lax.scan``),
``SimpleRNN`` / ``LSTM`` / ``GRU`` and their cells, ``Bidirectional``, ``TimeDistributed``
and ``Masking``.

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = LSTM(3, return_sequences=True)
    >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 100, 4)))
    >>> str(jax.make_jaxpr(lambda x: layer.apply(v, x)[0])(jnp.ones((2, 100, 4)))).count("scan[")
    1
"""

from jnn._core.layers.gru import GRU, GRUCell
from jnn._core.layers.lstm import LSTM, LSTMCell
from jnn._core.layers.rnn import RNN, Masking, RNNCellBase, SimpleRNN, SimpleRNNCell
from jnn._core.layers.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "Bidirectional",
    "Masking",
    "RNNCellBase",
    "SimpleRNN",
    "SimpleRNNCell",
    "TimeDistributed",
]
