"""Gated Recurrent Unit: ``GRUCell`` (one step) and ``GRU`` (the cell under ``RNN``).

Gate order in the weights is Keras's: update, reset, candidate (``z, r, h``). With
``reset_after=True`` (default, cuDNN-compatible) the bias is ``(2, 3*units)``: input bias and
recurrent bias, and the reset gate multiplies the recurrent candidate after the matmul.

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = GRU(3)
    >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 5, 4)))
    >>> [w.shape for w in v["params"].values()]
    [(4, 9), (3, 9), (2, 9)]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import activations
from jnn._core.layers.rnn import BuiltinRNN, RNNCellBase, _collect, check_bool, gate_matmul


class GRUCell(RNNCellBase):
    """One GRU step; single state ``h``, output ``h``.

    Args:
        units: size of ``h``.
        activation: default ``"tanh"``; recurrent_activation: gates, default ``"sigmoid"``.
        reset_after: apply the reset gate after the recurrent matmul (Keras default True).
        use_bias, initializers, regularizers, constraints, dropout, recurrent_dropout, seed:
            as :class:`SimpleRNNCell`. With ``recurrent_dropout`` each gate gets its own
            masks (Keras's ``implementation=1``).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> cell = GRUCell(2, reset_after=False)
        >>> v = cell.init(jax.random.key(0), jnp.zeros((1, 3)))
        >>> v["params"]["bias"].shape
        (6,)
    """

    gates = 3
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
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
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
        self.reset_after = check_bool("GRUCell", "reset_after", reset_after)

    def _init_bias(self, key: jax.Array, dtype: Any) -> jax.Array:
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        return self.bias_initializer(key, shape, dtype)

    def _candidate_recurrent(self, h, recurrent, rec_mask, recurrent_bias, r):
        """The recurrent term of the candidate: ``r * (h @ U_h + b_h)`` or ``(r * h) @ U_h``."""
        u_h = recurrent[:, 2 * self.units :]
        h_h = h if rec_mask is None else h * rec_mask[2]
        if self.reset_after:
            inner = h_h @ u_h
            if recurrent_bias is not None:
                inner = inner + recurrent_bias[None, 2 * self.units :]
            return r * inner
        return (r * h_h) @ u_h

    def _biases(self, bias):
        if bias is None:
            return None, None
        return (bias[0], bias[1]) if self.reset_after else (bias, None)

    def step(self, weights, x, states, in_mask, rec_mask):
        kernel, recurrent, bias = weights
        input_bias, recurrent_bias = self._biases(bias)
        mx = gate_matmul(x, kernel, in_mask)
        if input_bias is not None:
            mx = mx + input_bias[None, :]
        return self._from_projection(mx, states[0], recurrent, recurrent_bias, rec_mask)

    def _from_projection(self, mx, h_tm1, recurrent, recurrent_bias, rec_mask):
        """The step after its input projection ``mx = x @ kernel (+ input bias)``."""
        x_z, x_r, x_h = jnp.split(mx, 3, axis=-1)
        zr_mask = None if rec_mask is None else rec_mask[:2]
        inner = gate_matmul(h_tm1, recurrent[:, : 2 * self.units], zr_mask)
        if recurrent_bias is not None:
            inner = inner + recurrent_bias[None, : 2 * self.units]
        r_z, r_r = jnp.split(inner, 2, axis=-1)
        z = self.recurrent_activation(x_z + r_z)
        r = self.recurrent_activation(x_r + r_r)
        hh = self.activation(
            x_h + self._candidate_recurrent(h_tm1, recurrent, rec_mask, recurrent_bias, r)
        )
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    # The RNN layer may compute every step's input projection as one matmul before the scan
    # (see RNN._hoists_inputs); then each step only multiplies the recurrent kernel.
    hoistable = True

    def project_inputs(self, weights, xs: jax.Array) -> jax.Array:
        """``x @ kernel + input bias`` for all steps of time-major ``xs`` (time, batch, f)."""
        kernel, _, bias = weights
        input_bias, _ = self._biases(bias)
        z = jnp.einsum("tbf,fg->tbg", xs, kernel)
        return z if input_bias is None else z + input_bias[None, None, :]

    def step_projected(self, weights, z_x, states):
        """One step from a precomputed input projection ``z_x`` (batch, 3*units)."""
        _, recurrent, bias = weights
        return self._from_projection(z_x, states[0], recurrent, self._biases(bias)[1], None)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


class GRU(BuiltinRNN):
    """Gated Recurrent Unit layer (Cho et al. 2014) over ``(batch, time, features)``.

    Args: as :class:`GRUCell` plus ``return_sequences``, ``return_state`` (outputs
        ``(output, h)``), ``go_backwards``, ``stateful`` (only False), ``unroll`` (ignored),
        ``use_cudnn`` (ignored) and ``activity_regularizer``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = GRU(2, return_sequences=True)
        >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 4, 3)))
        >>> layer.apply(v, jnp.ones((1, 4, 3)))[0].shape
        (1, 4, 2)
    """

    cell_class = GRUCell
    cell_name = "gru_cell"
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
        reset_after: bool = True,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(**_collect(locals()), **kwargs)
