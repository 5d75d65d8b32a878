"""Layer wrappers for sequences: ``Bidirectional`` and ``TimeDistributed``.

``Bidirectional`` stores its weights flat, in Keras's ``get_weights()`` order: the forward
layer's params with a ``forward_`` prefix, then the backward layer's with ``backward_``
(``forward_kernel``, ``forward_recurrent_kernel``, ``forward_bias``, ``backward_kernel`` ...).
``TimeDistributed`` has exactly the wrapped layer's weights, under the same names.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from jnn._core.layers.lstm import LSTM
    >>> layer = Bidirectional(LSTM(2))
    >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 3, 4)))
    >>> list(v["params"])[:3]
    ['forward_kernel', 'forward_recurrent_kernel', 'forward_bias']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.layers.base import Layer, Variables
from jnn._core.layers.rnn import deserialize_layer, serialize_layer

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)
_PREFIXES = ("forward_", "backward_")


def _require_layer(owner: str, layer: Any, arg: str = "layer") -> Layer:
    if not isinstance(layer, Layer):
        raise ValueError(
            f"{owner}: argument `{arg}` must be a jnn `Layer` instance, received {layer!r}."
        )
    return layer


def _removeprefix(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


def _clone(layer: Layer, **overrides: Any) -> Layer:
    """A new layer with ``layer``'s configuration and ``overrides`` (cells are shared: they
    are pure configuration)."""
    config = layer.get_config()
    if "cell" in config and hasattr(layer, "cell"):
        config["cell"] = layer.cell
    config.update(overrides)
    return type(layer).from_config(config)


def _prefixed(tree: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + k: v for k, v in tree.items()}


def _unprefixed(tree: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in tree.items() if k.startswith(prefix)}


def _split_variables(variables: Variables, prefix: str) -> Variables:
    return {
        "params": _unprefixed(variables.get("params", {}), prefix),
        "state": _unprefixed(variables.get("state", {}), prefix),
    }


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards over the sequence and merges
    their outputs.

    Args:
        layer: a recurrent layer (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN``); it is copied
            into ``forward_layer`` (named ``forward_<name>``).
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or None (a pair
            of outputs).
        weights: optional initial weights (forward then backward), as Keras.
        backward_layer: optional recurrent layer for the backward direction (must have
            ``go_backwards=True`` and the same ``return_sequences`` / ``return_state``);
            by default a copy of ``layer`` with ``go_backwards=True``.

    ``apply`` takes ``mask`` and ``initial_state`` (forward states then backward states).
    With ``return_state`` the outputs are ``(output, *forward_states, *backward_states)``.
    Weights: flat, ``forward_<name>`` then ``backward_<name>`` (see the module docstring).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jnn._core.layers.gru import GRU
        >>> layer = Bidirectional(GRU(2, return_sequences=True), merge_mode="sum")
        >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 3, 4)))
        >>> layer.apply(v, jnp.ones((1, 3, 4)))[0].shape
        (1, 3, 2)
    """

    supports_masking = True

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        layer = _require_layer("Bidirectional", layer)
        if backward_layer is not None:
            _require_layer("Bidirectional", backward_layer, "backward_layer")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional: argument `merge_mode` must be one of {list(_MERGE_MODES)}, "
                f"received {merge_mode!r}."
            )
        for attr in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attr):
                raise ValueError(
                    "Bidirectional: argument `layer` must be a recurrent layer (with "
                    f"`{attr}`), received {layer!r}."
                )
        super().__init__(weights=weights, **kwargs)
        name = _removeprefix(layer.name, "forward_")
        self.forward_layer = _clone(layer, name=f"forward_{name}")
        if backward_layer is None:
            name = _removeprefix(layer.name, "backward_")
            backward_layer = _clone(layer, name=f"backward_{name}", go_backwards=True)
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            # Keras: masked steps output zeros when whole sequences are returned.
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = False
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.input_ndim = layer.input_ndim
        self.min_ndim = layer.min_ndim

    def _verify_layer_config(self) -> None:
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                "Bidirectional: forward layer and backward layer should have different "
                f"`go_backwards` values, received forward_layer.go_backwards={fwd.go_backwards}"
                f", backward_layer.go_backwards={bwd.go_backwards}."
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr, False) != getattr(bwd, attr, False):
                raise ValueError(
                    "Bidirectional: forward layer and backward layer are expected to have the "
                    f'same value for attribute "{attr}", got {getattr(fwd, attr)} for the '
                    f"forward layer and {getattr(bwd, attr)} for the backward layer."
                )

    # --- weights -------------------------------------------------------------------------------
    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        self.check_input_shape(tuple(input_spec.shape))
        k_fwd, k_bwd = jax.random.split(key)
        out: Variables = {"params": {}, "state": {}}
        for prefix, sub, k in zip(_PREFIXES, self._layers(), (k_fwd, k_bwd)):
            v = sub.init(k, input_spec)
            out["params"].update(_prefixed(v.get("params", {}), prefix))
            out["state"].update(_prefixed(v.get("state", {}), prefix))
        return out

    def _layers(self) -> tuple[Layer, Layer]:
        return self.forward_layer, self.backward_layer

    def weight_regularizers(self) -> dict[str, Callable]:
        out: dict[str, Callable] = {}
        for prefix, sub in zip(_PREFIXES, self._layers()):
            out.update(_prefixed(sub.weight_regularizers(), prefix))
        return out

    def weight_constraints(self) -> dict[str, Callable]:
        out: dict[str, Callable] = {}
        for prefix, sub in zip(_PREFIXES, self._layers()):
            out.update(_prefixed(sub.weight_constraints(), prefix))
        return out

    # --- call ----------------------------------------------------------------------------------
    def _split_initial_state(self, initial_state: Any) -> tuple[Any, Any]:
        if initial_state is None:
            return None, None
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else None
        if states is None or len(states) % 2:
            got = len(states) if states is not None else type(initial_state).__name__
            raise ValueError(
                f'Layer "{self.name}": argument `initial_state` must be a list with the '
                f"forward layer's states then the backward layer's (an even number of "
                f"arrays), received {got}."
            )
        half = len(states) // 2
        return states[:half], states[half:]

    def _merge(self, y: jax.Array, y_rev: jax.Array) -> Any:
        if self.merge_mode == "concat":
            return jnp.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return (y, y_rev)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None, initial_state=None):
        x = self.cast_inputs(jnp.asarray(inputs))
        self.check_input_shape(x.shape)
        rngs = (None, None) if rng is None else tuple(jax.random.split(rng))
        outs, new_state = [], {}
        for prefix, sub, r, s in zip(
            _PREFIXES, self._layers(), rngs, self._split_initial_state(initial_state)
        ):
            kwargs = {"mask": mask} if mask is not None else {}
            if s is not None:
                kwargs["initial_state"] = s
            y, st = sub.apply(
                _split_variables(variables, prefix), x, training=training, rng=r, **kwargs
            )
            outs.append(y)
            new_state.update(_prefixed(st, prefix))
        y, y_rev = outs
        states: tuple = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = jnp.flip(y_rev, axis=1)
        output = self._merge(y, y_rev)
        if self.return_state:
            output = (*output, *states) if self.merge_mode is None else (output, *states)
        return output, new_state

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if self.return_sequences:
            output_mask = (mask, mask) if self.merge_mode is None else mask
        else:
            output_mask = (None, None) if self.merge_mode is None else None
        if not self.return_state:
            return output_mask
        n_states = 2 * len(getattr(self.forward_layer, "state_size", []))
        head = output_mask if self.merge_mode is None else (output_mask,)
        return (*head, *([None] * n_states))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": serialize_layer(self.forward_layer),
            "backward_layer": serialize_layer(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Bidirectional:
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step of ``(batch, time, ...)`` inputs.

    The steps are folded into the batch (one call of the wrapped layer on
    ``(batch * time, ...)``), not looped over. The weights are the wrapped layer's.
    A ``(batch, time)`` mask is passed (folded the same way) to layers that support masking.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jnn._core.layers.core import Dense
        >>> layer = TimeDistributed(Dense(2))
        >>> v = layer.init(jax.random.key(0), jnp.zeros((3, 5, 4)))
        >>> layer.apply(v, jnp.ones((3, 5, 4)))[0].shape
        (3, 5, 2)
    """

    supports_masking = True
    min_ndim = 3

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layer = _require_layer("TimeDistributed", layer)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        self.check_input_shape(shape)
        child = jax.ShapeDtypeStruct((shape[0] * shape[1],) + shape[2:], input_spec.dtype)
        return self.layer.init(key, child)

    def weight_regularizers(self) -> dict[str, Callable]:
        return self.layer.weight_regularizers()

    def weight_constraints(self) -> dict[str, Callable]:
        return self.layer.weight_constraints()

    def _fold_mask(self, mask: Any, x: jax.Array) -> jax.Array:
        mask = jnp.asarray(mask)
        if mask.ndim < 2 or tuple(mask.shape[:2]) != tuple(x.shape[:2]):
            raise ValueError(
                f'Layer "{self.name}": argument `mask` must start with the (batch, timesteps) '
                f"dimensions of the inputs {tuple(x.shape[:2])}, received shape "
                f"{tuple(mask.shape)}."
            )
        return jnp.reshape(mask, (x.shape[0] * x.shape[1],) + mask.shape[2:])

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        x = jnp.asarray(inputs)
        self.check_input_shape(x.shape)
        batch, steps = x.shape[:2]
        kwargs = {}
        if mask is not None:
            folded = self._fold_mask(mask, x)
            if self.layer.supports_masking:
                kwargs["mask"] = folded
        flat = jnp.reshape(x, (batch * steps,) + x.shape[2:])
        y, new_state = self.layer.apply(variables, flat, training=training, rng=rng, **kwargs)
        y = jax.tree.map(lambda a: jnp.reshape(a, (batch, steps) + a.shape[1:]), y)
        return y, new_state

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> TimeDistributed:
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return cls(**config)
