"""The generic recurrent layer ``RNN`` (one ``jax.lax.scan`` over time), the shared cell base,
``SimpleRNNCell`` / ``SimpleRNN`` and ``Masking``.

The cell protocol (jnn's pure form of Keras's): a cell is a :class:`Layer` with

* ``state_size``: an int or a list of ints (one per state), ``output_size`` (optional);
* ``init(key, step_spec)`` for one time step's inputs ``(batch, features)``;
* ``apply(variables, inputs, *, states, training=False, rng=None)`` returning
  ``((output, new_states), {})`` where ``states`` / ``new_states`` are lists of arrays.

``RNN`` hands the cell the *same* ``rng`` at every step, so dropout masks drawn from it are
fixed over time (Keras's semantics); at inference (``training=False``) it hands ``None``. A weightless object with ``state_size`` and Keras's
``call(inputs, states)`` also works as a cell; cells with weights must implement ``init`` /
``apply`` (the core is pure: there is no ``add_weight``).

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = SimpleRNN(4, return_sequences=True)
    >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 5, 3)))
    >>> layer.apply(v, jnp.ones((2, 5, 3)))[0].shape
    (2, 5, 4)
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import activations, constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import _BASE_KWARGS, Layer, Variables

# --- small helpers ---------------------------------------------------------------------------


def check_bool(owner: str, arg: str, value: Any) -> bool:
    """``value`` as a bool, with an error naming ``arg`` otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{owner}: argument `{arg}` must be a bool, received {value!r}.")
    return bool(value)


def _rate(owner: str, arg: str, value: Any) -> float:
    return _validate.real(owner, arg, value, low=0.0, high=1.0, high_open=True)


def _as_list(states: Any) -> list[Any]:
    return list(states) if isinstance(states, (list, tuple)) else [states]


def _mask_like(mask_t: jax.Array, x: jax.Array) -> jax.Array:
    """A ``(batch,)`` mask reshaped to broadcast against ``x`` (batch first)."""
    return jnp.reshape(mask_t, (mask_t.shape[0],) + (1,) * (x.ndim - 1))


def dropout_mask(key: jax.Array, rate: float, shape: tuple, dtype: Any) -> jax.Array:
    """Keras's ``dropout(ones, rate)``: zeros with probability ``rate``, else ``1/(1-rate)``."""
    keep = 1.0 - rate
    kept = jax.random.bernoulli(key, keep, shape)
    return kept.astype(dtype) / jnp.asarray(keep, dtype)


def gate_matmul(x: jax.Array, w: jax.Array, mask: jax.Array | None) -> jax.Array:
    """``(x * mask) @ w``; a mask of shape ``(gates, batch, n)`` drops each gate's block of
    ``w`` with its own mask (Keras's ``implementation=1``)."""
    if mask is None:
        return x @ w
    if mask.ndim == x.ndim:
        return (x * mask) @ w
    gates = mask.shape[0]
    blocks = jnp.split(w, gates, axis=-1)
    return jnp.concatenate([(x * mask[g]) @ blocks[g] for g in range(gates)], axis=-1)


# --- the cell base ---------------------------------------------------------------------------


class RNNCellBase(Layer):
    """Shared configuration of the built-in cells: kernels, bias, dropout, regularization.

    Subclasses set ``gates`` (blocks of ``units`` in the kernels) and implement ``step``.
    Weights: ``kernel`` (in, gates*units), ``recurrent_kernel`` (units, gates*units),
    ``bias`` (gates*units,), in Keras's order.
    """

    gates = 1
    # Separate dropout masks per gate when recurrent dropout is on (Keras's implementation 1).
    per_gate_masks = False

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
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
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("implementation", None)  # Keras's kernel-fusion switch: same numerics here.
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.units = _validate.positive_int(owner, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = check_bool(owner, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _rate(owner, "dropout", dropout)
        self.recurrent_dropout = _rate(owner, "recurrent_dropout", recurrent_dropout)
        self.seed = _validate.optional_seed(owner, seed)

    @property
    def state_size(self) -> Any:
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    # --- weights -----------------------------------------------------------------------------
    def _init_bias(self, key: jax.Array, dtype: Any) -> jax.Array:
        return self.bias_initializer(key, (self.gates * self.units,), dtype)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        in_dim = tuple(input_spec.shape)[-1]
        dtype = self.variable_dtype
        k_key, r_key, b_key = jax.random.split(key, 3)
        width = self.gates * self.units
        params = {
            "kernel": self.kernel_initializer(k_key, (in_dim, width), dtype),
            "recurrent_kernel": self.recurrent_initializer(r_key, (self.units, width), dtype),
        }
        if self.use_bias:
            params["bias"] = self._init_bias(b_key, dtype)
        return {"params": params, "state": {}}

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {
            "kernel": self.kernel_regularizer,
            "recurrent_kernel": self.recurrent_regularizer,
            "bias": self.bias_regularizer if self.use_bias else None,
        }
        return {k: r for k, r in regs.items() if r is not None}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {
            "kernel": self.kernel_constraint,
            "recurrent_kernel": self.recurrent_constraint,
            "bias": self.bias_constraint if self.use_bias else None,
        }
        return {k: c for k, c in cons.items() if c is not None}

    # --- stepping ------------------------------------------------------------------------------
    def get_initial_state(self, batch_size: int, dtype: Any = None) -> list[jax.Array]:
        """Zero states, one ``(batch_size, size)`` array per state."""
        dtype = dtype or self.compute_dtype
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [jnp.zeros((batch_size, s), dtype) for s in sizes]

    def _dropout_masks(self, x, h, training, rng):
        """``(input_mask, recurrent_mask)``: None, ``(batch, n)`` or ``(gates, batch, n)``."""
        if not training or (self.dropout == 0 and self.recurrent_dropout == 0):
            return None, None
        if rng is None:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) needs a random key when '
                "training=True with dropout: pass `rng=jax.random.key(...)` to apply()."
            )
        key = rng if self.seed is None else jax.random.fold_in(rng, self.seed)
        in_key, rec_key = jax.random.split(key)
        gates = (self.gates,) if self.per_gate_masks and self.recurrent_dropout > 0 else ()
        in_mask = rec_mask = None
        if self.dropout > 0:
            in_mask = dropout_mask(in_key, self.dropout, gates + x.shape, x.dtype)
        if self.recurrent_dropout > 0:
            rec_mask = dropout_mask(rec_key, self.recurrent_dropout, gates + h.shape, h.dtype)
        return in_mask, rec_mask

    def _weights(self, params: dict, dtype: Any) -> tuple:
        bias = params.get("bias")
        return (
            params["kernel"].astype(dtype),
            params["recurrent_kernel"].astype(dtype),
            None if bias is None else bias.astype(dtype),
        )

    def step(self, weights, x, states, in_mask, rec_mask):
        """One time step: ``(output, new_states)``; implemented by each cell."""
        raise NotImplementedError

    def apply(self, variables, inputs, *, training=False, rng=None, states=None):
        x = self.cast_inputs(jnp.asarray(inputs))
        dtype = jnp.dtype(self.compute_dtype)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(dtype)
        if states is None:
            states = self.get_initial_state(x.shape[0], x.dtype)
        states = [jnp.asarray(s, x.dtype) for s in _as_list(states)]
        in_mask, rec_mask = self._dropout_masks(x, states[0], training, rng)
        weights = self._weights(variables["params"], x.dtype)
        return self.step(weights, x, states, in_mask, rec_mask), {}

    def get_config(self) -> dict[str, Any]:
        ser = _validate.serialize_or_none
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": ser(regularizers, self.kernel_regularizer),
            "recurrent_regularizer": ser(regularizers, self.recurrent_regularizer),
            "bias_regularizer": ser(regularizers, self.bias_regularizer),
            "kernel_constraint": ser(constraints, self.kernel_constraint),
            "recurrent_constraint": ser(constraints, self.recurrent_constraint),
            "bias_constraint": ser(constraints, self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class SimpleRNNCell(RNNCellBase):
    """One step of a fully connected RNN: ``h = activation(x @ kernel + h @ recurrent + b)``.

    Args:
        units: size of the state and output.
        activation: default ``"tanh"``.
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer, *_regularizer,
            *_constraint: as in Keras.
        dropout / recurrent_dropout: fractions of the inputs / previous state dropped in
            training (one mask for all steps of a call).
        seed: optional int folded into the ``rng`` given to ``apply``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> cell = SimpleRNNCell(2)
        >>> v = cell.init(jax.random.key(0), jnp.zeros((1, 3)))
        >>> (out, states), _ = cell.apply(v, jnp.ones((1, 3)), states=[jnp.zeros((1, 2))])
        >>> out.shape, len(states)
        ((1, 2), 1)
    """

    _shares_programs = True

    def step(self, weights, x, states, in_mask, rec_mask):
        kernel, recurrent, bias = weights
        h = gate_matmul(x, kernel, in_mask)
        if bias is not None:
            h = h + bias[None, :]
        output = self.activation(h + gate_matmul(states[0], recurrent, rec_mask))
        return output, [output]


# --- cells given to RNN ----------------------------------------------------------------------


class _KerasProtocolCell:
    """Adapts a weightless Keras-protocol cell (``state_size``, ``call(inputs, states)``)."""

    def __init__(self, cell: Any) -> None:
        self.cell = cell
        self.name = getattr(cell, "name", type(cell).__name__)
        self.state_size = cell.state_size
        self.output_size = getattr(cell, "output_size", None)

    def init(self, key, input_spec):
        del key, input_spec
        return {"params": {}, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, states=None):
        del variables, rng
        try:
            out = self.cell.call(inputs, states, training=training)
        except TypeError:
            out = self.cell.call(inputs, states)
        return out, {}

    def weight_regularizers(self):
        return {}

    def weight_constraints(self):
        return {}


def _has_own_apply(cell: Any) -> bool:
    return callable(getattr(cell, "apply", None)) and not (
        isinstance(cell, Layer) and type(cell).apply is Layer.apply
    )


def as_cell(owner: str, cell: Any) -> Any:
    """Validates ``cell`` (jnn protocol, or weightless Keras protocol) for ``RNN``."""
    if isinstance(cell, (list, tuple)):
        raise ValueError(
            f"{owner}: a list of cells (StackedRNNCells) is not supported by jnn yet; stack "
            "RNN layers with return_sequences=True instead."
        )
    state_size = getattr(cell, "state_size", None)
    if state_size is None:
        raise ValueError(
            f"{owner}: the RNN cell should have a `state_size` attribute (single integer or "
            f"list of integers, one integer per RNN state). Received: cell={cell!r}"
        )
    sizes = state_size if isinstance(state_size, (list, tuple)) else [state_size]
    if not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
        raise ValueError(
            f"{owner}: the cell's `state_size` must be a positive int or a list of them, "
            f"received {state_size!r}."
        )
    if _has_own_apply(cell) and callable(getattr(cell, "init", None)):
        return cell
    if callable(getattr(cell, "call", None)):
        return _KerasProtocolCell(cell)
    raise ValueError(
        f"{owner}: argument `cell` should have a `call` method (Keras protocol, weightless) "
        f"or jnn's `init` / `apply` methods. Received: cell={cell!r}"
    )


# --- layer (de)serialization for wrappers ------------------------------------------------------


def serialize_layer(layer: Any) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` (Keras's nested-layer form)."""
    if isinstance(layer, _KerasProtocolCell):
        layer = layer.cell
    get_config = getattr(layer, "get_config", None)
    return {"class_name": type(layer).__name__, "config": get_config() if get_config else {}}


def _all_subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


def deserialize_layer(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuilds a layer from ``serialize_layer``'s dict (a layer instance is returned as is)."""
    if not isinstance(config, dict):
        return config
    name = config.get("class_name")
    table = {c.__name__: c for c in _all_subclasses(Layer)}
    table.update(custom_objects or {})
    if name not in table:
        raise ValueError(
            f"Could not deserialize layer {name!r}: unknown class. Pass it in `custom_objects`."
        )
    cls = table[name]
    from_config = getattr(cls, "from_config", None)
    kwargs = dict(config.get("config", {}))
    return from_config(kwargs) if from_config else cls(**kwargs)


# --- the generic RNN -------------------------------------------------------------------------


class RNN(Layer):
    """Runs a cell over the time axis of ``(batch, time, ...)`` inputs with one ``lax.scan``.

    Args:
        cell: a jnn cell (see the module docstring) or a weightless Keras-protocol cell.
        return_sequences: return the output of every step ``(batch, time, units)`` instead of
            the last one.
        return_state: also return the final states: ``(output, *states)``.
        go_backwards: process the sequence in reverse (returned sequences stay reversed).
        stateful: not supported (``True`` raises); pass ``initial_state`` explicitly.
        unroll: accepted for compatibility and ignored: the loop is always a ``lax.scan``,
            compiled once whatever the length.
        zero_output_for_mask: masked steps output zeros instead of the previous output.
        activity_regularizer: penalty on the outputs (applied by the model).

    ``apply`` takes ``mask`` (``(batch, time)`` booleans: masked steps keep the previous state)
    and ``initial_state`` (a list of arrays, one per state).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = RNN(SimpleRNNCell(3), return_state=True)
        >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 4, 5)))
        >>> out, h = layer.apply(v, jnp.ones((2, 4, 5)))[0]
        >>> out.shape, h.shape
        ((2, 3), (2, 3))
    """

    supports_masking = True
    min_ndim = 3
    _shares_programs = True

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.cell = as_cell(owner, cell)
        self.return_sequences = check_bool(owner, "return_sequences", return_sequences)
        self.return_state = check_bool(owner, "return_state", return_state)
        self.go_backwards = check_bool(owner, "go_backwards", go_backwards)
        self.unroll = check_bool(owner, "unroll", unroll)
        self.zero_output_for_mask = check_bool(owner, "zero_output_for_mask", zero_output_for_mask)
        if stateful:
            raise ValueError(
                f"{owner}: `stateful=True` is not supported by jnn (layers keep no state "
                "between calls): pass the previous final states as `initial_state` to apply()."
            )
        self.stateful = False
        self.activity_regularizer = regularizers.get(activity_regularizer)
        sizes = self.cell.state_size
        self.single_state = not isinstance(sizes, (list, tuple))
        self.state_size = [int(sizes)] if self.single_state else [int(s) for s in sizes]

    # --- weights -----------------------------------------------------------------------------
    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        self.check_input_shape(shape)
        step_spec = jax.ShapeDtypeStruct((shape[0],) + shape[2:], input_spec.dtype)
        return self.cell.init(key, step_spec)

    def weight_regularizers(self) -> dict[str, Callable]:
        return self.cell.weight_regularizers()

    def weight_constraints(self) -> dict[str, Callable]:
        return self.cell.weight_constraints()

    # --- checks --------------------------------------------------------------------------------
    def _check_mask(self, mask: Any, x: jax.Array) -> jax.Array | None:
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if mask is None:
            return None
        mask = jnp.asarray(mask)
        if tuple(mask.shape) != tuple(x.shape[:2]):
            raise ValueError(
                f'Layer "{self.name}": argument `mask` must have shape (batch, timesteps) = '
                f"{tuple(x.shape[:2])}, received shape {tuple(mask.shape)}."
            )
        return mask.astype(bool)

    def _initial_states(self, initial_state: Any, batch: int, dtype: Any) -> list[jax.Array]:
        if initial_state is None:
            init_fn = getattr(self.cell, "get_initial_state", None)
            if init_fn is not None:
                return [jnp.asarray(s, dtype) for s in _as_list(init_fn(batch))]
            return [jnp.zeros((batch, s), dtype) for s in self.state_size]
        states = _as_list(initial_state)
        expected = [(batch, s) for s in self.state_size]
        got = [tuple(jnp.shape(s)) for s in states]
        if len(states) != len(expected) or got != expected:
            raise ValueError(
                f'Layer "{self.name}": argument `initial_state` must be a list of '
                f"{len(expected)} array(s) of shapes {expected} (one per state of the cell), "
                f"received {len(states)} with shapes {got}."
            )
        return [jnp.asarray(s, dtype) for s in states]

    # --- the loop ------------------------------------------------------------------------------
    def _step_fn(self, cell_vars, training, rng):
        def cell_step(x_t, states):
            (out, new_states), _ = self.cell.apply(
                cell_vars, x_t, states=list(states), training=training, rng=rng
            )
            return out, tuple(_as_list(new_states))

        return cell_step

    def _scan(self, cell_step, xs, mask, states):
        """``(outputs or None, last_output, final_states)`` of the time-major scan."""
        out_spec = jax.eval_shape(lambda x, s: cell_step(x, s)[0], xs[0], states)
        zero_out = jnp.zeros(out_spec.shape, out_spec.dtype)
        keep_seq = self.return_sequences
        zero_masked = self.zero_output_for_mask

        def body(carry, inp):
            states, last = carry
            x_t, m_t = inp
            out, new_states = cell_step(x_t, states)
            if m_t is not None:
                prev = jnp.zeros_like(out) if zero_masked else states[0]
                out = jnp.where(_mask_like(m_t, out), out, prev.astype(out.dtype))
                new_states = tuple(
                    jnp.where(_mask_like(m_t, n), n, s) for n, s in zip(new_states, states)
                )
            return (new_states, out), (out if keep_seq else None)

        (final, last), outputs = jax.lax.scan(
            body, (states, zero_out), (xs, mask), reverse=self.go_backwards
        )
        if keep_seq and self.go_backwards:
            outputs = jnp.flip(outputs, axis=0)
        return outputs, last, final

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None, initial_state=None):
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.compute_dtype)
        mask = self._check_mask(mask, x)
        states = tuple(self._initial_states(initial_state, x.shape[0], x.dtype))
        # Keras cells only draw randomness in training: one compiled program for inference.
        rng = rng if training else None
        program = _SameProgram(self)
        return _run_rnn(program, variables, x, mask, states, rng, training=bool(training)), {}

    def _hoists_inputs(self, training: bool) -> bool:
        """Whether the input projection of every step runs before the scan as one matmul.

        Only for cells that offer it (``LSTMCell``, ``GRUCell``), without dropout in training, and off the
        CPU: on GPU the big matmul saves one small matmul per step (~20% of an LSTM's step
        time), while XLA:CPU runs the scan over the precomputed (time, batch, 4*units)
        projections about 2x slower than the per-step form (measured, jax 0.11).
        """
        cell = self.cell
        # Only the class that declares it (a subclass may change ``step``).
        if not type(cell).__dict__.get("hoistable", False) or not _hoist_on_backend():
            return False
        return not training or (cell.dropout == 0 and cell.recurrent_dropout == 0)

    def _run(self, variables, x, mask, states, rng, training):
        xs = jnp.swapaxes(x, 0, 1)
        if self._hoists_inputs(training):
            weights = self.cell._weights(variables["params"], x.dtype)
            zs = self.cell.project_inputs(weights, xs)

            def cell_step(z_t, states):
                out, new_states = self.cell.step_projected(weights, z_t, list(states))
                return out, tuple(new_states)

            xs = zs
        else:
            cell_step = self._step_fn(variables, training, rng)
        ms = None if mask is None else jnp.swapaxes(mask, 0, 1)
        outputs, last, final = self._scan(cell_step, xs, ms, states)
        output = jnp.swapaxes(outputs, 0, 1) if self.return_sequences else last
        return (output, *final) if self.return_state else output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        if type(self) is RNN:
            config["cell"] = serialize_layer(self.cell)
            config["activity_regularizer"] = _validate.serialize_or_none(
                regularizers, self.activity_regularizer
            )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> RNN:
        config = dict(config)
        if "cell" in config:
            config["cell"] = deserialize_layer(config["cell"], custom_objects)
        return cls(**config)


class _SameProgram:
    """A jit static argument: built-in layers whose configurations compute the same program
    compare equal (so they share one compilation); any other layer compares by identity."""

    __slots__ = ("layer", "key")

    def __init__(self, layer: RNN) -> None:
        self.layer = layer
        self.key = _program_key(layer)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SameProgram) and self.key == other.key


def _program_key(layer: RNN) -> tuple:
    cell = layer.cell
    # Only jnn's own classes (not subclasses, which may add behaviour) share programs.
    if not (
        type(layer).__dict__.get("_shares_programs") and type(cell).__dict__.get("_shares_programs")
    ):
        return (id(layer), layer)
    cell_key = tuple(
        getattr(cell, a, None)
        for a in (
            "units",
            "activation",
            "recurrent_activation",
            "use_bias",
            "dropout",
            "recurrent_dropout",
            "seed",
            "reset_after",
            "compute_dtype",
            "autocast",
        )
    )
    layer_key = tuple(
        getattr(layer, a)
        for a in (
            "return_sequences",
            "return_state",
            "go_backwards",
            "zero_output_for_mask",
            "compute_dtype",
            "autocast",
        )
    )
    return (type(layer), type(cell), layer_key, cell_key)


def _hoist_on_backend() -> bool:
    return jax.default_backend() != "cpu"


# Eager calls reuse one compiled program per configuration and input shapes (an eager
# lax.scan would compile again at every call); under an outer jit this is inlined.
@functools.partial(jax.jit, static_argnames=("program", "training"))
def _run_rnn(program, variables, x, mask, states, rng, training):
    return program.layer._run(variables, x, mask, states, rng, training)


# --- the built-in layers' shared constructor ---------------------------------------------------

_RNN_ARGS = (
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "zero_output_for_mask",
    "activity_regularizer",
)
_CELL_SHARED_ARGS = ("trainable", "dtype", "autocast")
_BASE_KWARGS_SET = frozenset(_BASE_KWARGS)


class BuiltinRNN(RNN):
    """Base of SimpleRNN / LSTM / GRU: builds the cell from the layer's own arguments and
    exposes the cell's configuration as attributes (``layer.units``, ``layer.dropout`` ...)."""

    cell_class: type[RNNCellBase] = RNNCellBase
    cell_name = "cell"
    input_ndim = 3
    min_ndim = None

    def __init__(self, units: int, **kwargs: Any) -> None:
        use_cudnn = kwargs.pop("use_cudnn", "auto")  # no cuDNN path: XLA compiles the scan.
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"{type(self).__name__}: argument `use_cudnn` must be one of 'auto', True, "
                f"False, received {use_cudnn!r}."
            )
        rnn_kwargs = {k: kwargs.pop(k) for k in _RNN_ARGS if k in kwargs}
        layer_kwargs = {k: kwargs[k] for k in _CELL_SHARED_ARGS if k in kwargs}
        cell_kwargs = {k: v for k, v in kwargs.items() if k not in _BASE_KWARGS_SET}
        base_kwargs = {k: v for k, v in kwargs.items() if k in _BASE_KWARGS_SET}
        cell = self.cell_class(units, name=self.cell_name, **layer_kwargs, **cell_kwargs)
        super().__init__(cell, **rnn_kwargs, **base_kwargs)

    def __getattr__(self, item: str) -> Any:
        cell = self.__dict__.get("cell")
        if cell is not None and not item.startswith("_") and item in cell.__dict__:
            return cell.__dict__[item]
        return super().__getattr__(item)

    def get_config(self) -> dict[str, Any]:
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config = super().get_config()
        config["activity_regularizer"] = _validate.serialize_or_none(
            regularizers, self.activity_regularizer
        )
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> RNN:
        return cls(**config)


class SimpleRNN(BuiltinRNN):
    """Fully connected RNN whose output is fed back as the next step's state.

    Args: as :class:`SimpleRNNCell` plus ``return_sequences``, ``return_state``,
        ``go_backwards``, ``stateful`` (only False), ``unroll`` (ignored),
        ``activity_regularizer``. Weights: ``kernel`` (in, units), ``recurrent_kernel``
        (units, units), ``bias`` (units,).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = SimpleRNN(3)
        >>> v = layer.init(jax.random.key(0), jnp.zeros((2, 5, 4)))
        >>> [w.shape for w in v["params"].values()]
        [(4, 3), (3, 3), (3,)]
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"
    _shares_programs = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
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
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**_collect(locals()), **kwargs)


def _collect(local_vars: dict[str, Any]) -> dict[str, Any]:
    """A built-in layer's named constructor arguments (``locals()`` minus self/kwargs)."""
    return {k: v for k, v in local_vars.items() if k not in ("self", "kwargs", "__class__")}


# --- Masking ---------------------------------------------------------------------------------


class Masking(Layer):
    """Masks time steps whose features all equal ``mask_value``: the outputs there are zeros
    and ``compute_mask`` gives the ``(batch, time)`` mask that recurrent layers consume.

    Example:
        >>> import jax.numpy as jnp
        >>> x = jnp.array([[[1.0], [0.0], [2.0]]])
        >>> Masking().compute_mask(x).tolist()
        [[True, False, True]]
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Number):
            raise ValueError(
                f"Masking: argument `mask_value` must be a number, received {mask_value!r}."
            )
        self.mask_value = mask_value

    def _keep(self, x: jax.Array) -> jax.Array:
        return jnp.any(x != jnp.asarray(self.mask_value, x.dtype), axis=-1, keepdims=True)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        return jnp.where(self._keep(x), x, jnp.zeros_like(x)), {}

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        del mask
        return self._keep(self.cast_inputs(jnp.asarray(inputs)))[..., 0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
