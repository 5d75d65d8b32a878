"""Running layers inside a model's pure ``init`` / ``apply``.

A model's ``apply`` (functional graph walk or a subclassed ``call``) runs inside an
:class:`ApplyContext` that hands every layer call its variables, collects new state and
auxiliary losses, and in init mode creates the variables — the way Flax linen and Haiku
transform a function. The context exists only while the pure function is traced.
"""

from __future__ import annotations

import threading
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import random as core_random
from jnn._core.layers import base as base_layer
from jnn._core.layers.base import spec_of
from jnn._shell.layers import graph

_local = threading.local()
_MODEL_STREAM = 2**31 - 1


def current() -> ApplyContext | None:
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


def _takes_sample_mask(layer: Any) -> bool:
    """Layers whose ``apply`` reads the engine's padding mask (batch statistics)."""
    cls = type(layer)
    cached = cls.__dict__.get("_jnn_takes_sample_mask")
    if cached is None:
        import inspect

        try:
            cached = "sample_mask" in inspect.signature(cls.apply).parameters
        except (TypeError, ValueError):
            cached = False
        cls._jnn_takes_sample_mask = cached
    return cached


class ApplyContext:
    """Hands variables to layer calls during one trace of a model's init or apply."""

    def __init__(
        self,
        variables: dict[str, dict[str, Any]],
        *,
        training: bool,
        rng: jax.Array | None,
        init_key: jax.Array | None = None,
        sample_mask: jax.Array | None = None,
    ):
        self.params = dict(variables.get("params", {}))
        self.state = dict(variables.get("state", {}))
        self.new_state: dict[str, Any] = {}
        self.training = training
        self.rng = rng
        self.init_key = init_key
        self.losses: list[jax.Array] = []
        self.sample_mask = sample_mask
        self.weight_order: dict[str, tuple[list[str], list[str]]] = {}
        self._calls: dict[str, int] = {}
        self._order: list[str] = []
        self._masks: dict[int, tuple[Any, Any]] = {}  # id(array) -> (array, its Keras mask)

    @property
    def init_mode(self) -> bool:
        return self.init_key is not None

    def __enter__(self) -> ApplyContext:
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append(self)
        # jnn.random draws written directly in a subclassed model's call take the step's key
        # (a stream apart from the per-layer keys, which fold in small layer indices).
        key = None if self.rng is None else jax.random.fold_in(self.rng, _MODEL_STREAM)
        self._key_scope = core_random.key_scope(key)
        self._key_scope.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._key_scope.__exit__(None, None, None)
        _local.stack.pop()

    def _layer_id(self, layer: Any) -> int:
        # A stable small integer per layer name, for rng folding.
        name = layer.name
        if name not in self._calls:
            self._calls[name] = len(self._calls)
        return self._calls[name]

    def call_layer(self, layer: Any, inputs: Any, kwargs: dict[str, Any]) -> Any:
        """Runs ``layer`` on (traced) ``inputs`` with its variables from this context."""
        name = layer.name
        idx = self._layer_id(layer)
        if self.init_mode and name not in self.params and name not in self.state \
                and name not in self._order:
            variables = layer.init(jax.random.fold_in(self.init_key, idx), spec_of(inputs))
            # Keras weight order = creation order; jit returns dicts with sorted keys, so the
            # order is recorded here, while the dicts are still the layer's own.
            self.weight_order[name] = (
                list(variables.get("params", {})), list(variables.get("state", {}))
            )
            if variables.get("params"):
                self.params[name] = variables["params"]
            if variables.get("state"):
                self.state[name] = variables["state"]
            self._order.append(name)
        elif not self.init_mode and name not in self.params and name not in self.state \
                and name not in self._order:
            self._check_no_missing_weights(layer, inputs)
            self._order.append(name)
        variables = {
            "params": self.params.get(name, {}),
            "state": self.new_state.get(name, self.state.get(name, {})),
        }
        training = kwargs.pop("training", None)
        training = self.training if training is None else bool(training)
        rng = None if self.rng is None else jax.random.fold_in(self.rng, idx)
        if getattr(layer, "_is_model", False):
            outputs, new_state, losses = layer._apply_with_losses(
                variables, inputs, training=training, rng=rng,
                sample_mask=self.sample_mask, **kwargs
            )
            self.losses.extend(losses)
        else:
            if training and self.sample_mask is not None and _takes_sample_mask(layer):
                kwargs["sample_mask"] = self.sample_mask  # batch statistics skip padding
            outputs, new_state = layer.apply(
                variables, inputs, training=training, rng=rng, **kwargs
            )
        if new_state:
            self.new_state[name] = new_state
        reg = getattr(layer, "activity_regularizer", None)
        if reg is not None:
            for out in jax.tree.leaves(outputs):
                if out.ndim > 0 and self.sample_mask is not None \
                        and out.shape[0] == self.sample_mask.shape[0]:
                    # padding rows of the last batch neither add to the penalty nor count
                    m = self.sample_mask.reshape((-1,) + (1,) * (out.ndim - 1))
                    loss = jnp.asarray(reg(out * m.astype(out.dtype)), jnp.float32)
                    loss = loss / jnp.maximum(jnp.sum(self.sample_mask), 1.0)
                else:
                    loss = jnp.asarray(reg(out), jnp.float32)
                    if out.ndim > 0:
                        loss = loss / out.shape[0]
                self.losses.append(loss)
        return outputs

    def _check_no_missing_weights(self, layer: Any, inputs: Any) -> None:
        shapes = jax.eval_shape(lambda: layer.init(jax.random.key(0), spec_of(inputs)))
        if jax.tree.leaves(shapes):
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}) has weights, but the model's "
                "variables have none for it. This happens when a layer is created inside "
                "call(): create sub-layers in __init__ (as attributes) so that they keep their "
                "weights across calls, or rebuild the model's variables with model.init."
            )

    def call_with_mask(self, layer: Any, inputs: Any, mask: Any,
                       kwargs: dict[str, Any]) -> tuple[Any, Any]:
        """Runs ``layer`` passing Keras's implicit mask (from Embedding(mask_zero) / Masking)
        to layers whose ``apply`` takes one; returns ``(outputs, output_mask)``."""
        kwargs = dict(kwargs)
        if isinstance(inputs, graph.CallArgs):  # tensors passed besides the inputs
            n = len(graph.flatten(inputs.inputs))
            if isinstance(mask, list):
                head = mask[:n]
                mask = head[0] if n == 1 else (head if any(m is not None for m in head) else None)
            kwargs.update(inputs.kwargs)
            inputs = inputs.inputs
        if mask is not None and "mask" not in kwargs and _takes_mask(layer):
            kwargs["mask"] = mask
        outputs = self.call_layer(layer, inputs, kwargs)
        try:
            out_mask = layer.compute_mask(inputs, kwargs.get("mask", mask))
        except (TypeError, ValueError):
            out_mask = None
        return outputs, out_mask

    def user_call(self, layer: Any, inputs: Any, kwargs: dict[str, Any]) -> Any:
        """``layer(x)`` written in a subclassed model's ``call``: Keras's implicit masks travel
        with the tensors (an ``Embedding(mask_zero=True)`` output fed to an ``LSTM`` masks
        it), looked up by the identity of the traced arrays; a new array (any jnp op) has none.
        """
        outputs, out_mask = self.call_with_mask(layer, inputs, self._mask_of(inputs), kwargs)
        if out_mask is not None:
            outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask]
            for out, m in zip(outs, masks):
                if m is not None:
                    self._masks[id(out)] = (out, m)  # the array is kept so its id stays unique
        return outputs

    def _mask_of(self, inputs: Any) -> Any:
        if isinstance(inputs, (list, tuple)):
            masks = [self._masks.get(id(a), (None, None))[1] for a in inputs]
            return masks if any(m is not None for m in masks) else None
        return self._masks.get(id(inputs), (None, None))[1]

    def add_loss(self, value: Any) -> None:
        self.losses.append(jnp.asarray(value, jnp.float32))

    def merged_state(self) -> dict[str, Any]:
        """The full state after this trace (unchanged layers keep their state)."""
        out = dict(self.state)
        out.update(self.new_state)
        return out

    def total_loss(self) -> jax.Array:
        if not self.losses:
            return jnp.zeros((), jnp.float32)
        return sum(self.losses[1:], self.losses[0])


_TAKES_MASK: dict[type, bool] = {}


def _takes_mask(layer: Any) -> bool:
    cls = type(layer)
    if cls not in _TAKES_MASK:
        import inspect

        try:
            # A Keras-style layer (a ``call`` method) takes the mask when ``call`` names it.
            fn = layer.call if type(layer).call is not base_layer.Layer.call else layer.apply
            params = inspect.signature(fn).parameters
            _TAKES_MASK[cls] = "mask" in params
        except (TypeError, ValueError):
            _TAKES_MASK[cls] = False
    return _TAKES_MASK[cls]
