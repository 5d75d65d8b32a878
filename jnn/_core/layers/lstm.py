"""Long Short-Term Memory: ``LSTMCell`` (one step) and ``LSTM`` (the cell under ``RNN``).

Gate order in the weights is Keras's: input, forget, cell, output (``i, f, c, o``).

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = LSTM(3, return_state=True)
    >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 5, 4)))
    >>> out, h, c = layer.apply(v, jnp.ones((2, 5, 4)))[0]
    >>> out.shape, c.shape
    ((2, 3), (2, 3))
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import activations
from jnn._core.layers.rnn import BuiltinRNN, RNNCellBase, _collect, check_bool, gate_matmul


class LSTMCell(RNNCellBase):
    """One LSTM step; states ``[h, c]``, output ``h``.

    Args:
        units: size of ``h`` and ``c``.
        activation: default ``"tanh"``; recurrent_activation: gates, default ``"sigmoid"``.
        unit_forget_bias: add 1 to the forget gate's bias at initialization (Keras default).
        use_bias, initializers, regularizers, constraints, dropout, recurrent_dropout, seed:
            as :class:`SimpleRNNCell`. With ``recurrent_dropout`` each gate gets its own
            masks (Keras's ``implementation=1``).

    Weights: ``kernel`` (in, 4*units), ``recurrent_kernel`` (units, 4*units), ``bias``
    (4*units,).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> cell = LSTMCell(2)
        >>> v = cell.init(jax.random.key(0), jnp.zeros((1, 3)))
        >>> v["params"]["bias"].tolist()
        [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    """

    gates = 4
    _shares_programs = True
    per_gate_masks = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = check_bool("LSTMCell", "unit_forget_bias", unit_forget_bias)

    @property
    def state_size(self) -> Any:
        return [self.units, self.units]

    def _init_bias(self, key: jax.Array, dtype: Any) -> jax.Array:
        if not self.unit_forget_bias:
            return super()._init_bias(key, dtype)
        k1, k2 = jax.random.split(key)
        return jnp.concatenate(
            [
                self.bias_initializer(k1, (self.units,), dtype),
                jnp.ones((self.units,), dtype),
                self.bias_initializer(k2, (2 * self.units,), dtype),
            ]
        )

    def step(self, weights, x, states, in_mask, rec_mask):
        kernel, recurrent, bias = weights
        z = gate_matmul(x, kernel, in_mask) + gate_matmul(states[0], recurrent, rec_mask)
        if bias is not None:
            z = z + bias[None, :]
        return self._gates(z, states[1])

    def _gates(self, z, c_tm1):
        z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
        gate = self.recurrent_activation
        c = gate(z_f) * c_tm1 + gate(z_i) * self.activation(z_c)
        h = gate(z_o) * self.activation(c)
        return h, [h, c]

    # The RNN layer may compute every step's input projection as one matmul before the scan
    # (see RNN._hoists_inputs); then each step only multiplies the recurrent kernel.
    hoistable = True

    def project_inputs(self, weights, xs: jax.Array) -> jax.Array:
        """``x @ kernel + bias`` for all steps of time-major ``xs`` (time, batch, features)."""
        kernel, _, bias = weights
        z = jnp.einsum("tbf,fg->tbg", xs, kernel)
        return z if bias is None else z + bias[None, None, :]

    def step_projected(self, weights, z_x, states):
        """One step from a precomputed input projection ``z_x`` (batch, 4*units)."""
        return self._gates(z_x + states[0] @ weights[1], states[1])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class LSTM(BuiltinRNN):
    """Long Short-Term Memory layer (Hochreiter 1997) over ``(batch, time, features)``.

    Args: as :class:`LSTMCell` plus ``return_sequences``, ``return_state`` (outputs
        ``(output, h, c)``), ``go_backwards``, ``stateful`` (only False), ``unroll``
        (ignored: always one ``lax.scan``), ``use_cudnn`` (ignored) and
        ``activity_regularizer``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = LSTM(3)
        >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 5, 4)))
        >>> [w.shape for w in v["params"].values()]
        [(4, 12), (3, 12), (12,)]
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"
    _shares_programs = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(**_collect(locals()), **kwargs)


__all__ = ["LSTM", "LSTMCell"]
