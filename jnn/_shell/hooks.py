"""Installs the shell's behaviour into the pure core's layer base class.

The core's ``Layer`` knows nothing of names counters, symbolic tensors or weight stores; this
module plugs them in when ``jnn`` is imported:

* automatic names (``dense``, ``dense_1``) from :mod:`jnn._shell.naming`;
* ``layer(x)``: inside a model trace -> the model's :class:`ApplyContext`; on symbolic
  tensors -> a graph node; on concrete data -> an eager call with the layer's own weights.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers import base
from jnn._core.layers.base import spec_of
from jnn._shell import context, graph, naming, rng
from jnn._shell.binding import LayerStore


def _to_arrays(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)) and inputs and all(
        isinstance(e, (int, float, list, tuple)) and not isinstance(e, bool) for e in inputs
    ) and not any(hasattr(e, "shape") for e in inputs):
        arr = np.asarray(inputs)
        if arr.dtype != object:
            return jnp.asarray(arr)
    return jax.tree.map(
        lambda a: a if isinstance(a, jax.Array) else jnp.asarray(np.asarray(a)), inputs
    )


def ensure_built(layer: Any, inputs: Any) -> LayerStore:
    """Creates a standalone layer's weights from example inputs (once)."""
    store = layer.__dict__.get("_binding")
    if store is None:
        variables = layer.init(rng.next_key(), spec_of(inputs))
        store = LayerStore(layer, variables)
        layer.__dict__["_binding"] = store
    return store


def eager_call(layer: Any, inputs: Any, kwargs: dict[str, Any]) -> Any:
    """``layer(data)`` outside any model trace: runs with the layer's current weights."""
    if getattr(layer, "_is_model", False):
        return layer._eager_call(inputs, kwargs)
    inputs = _to_arrays(inputs)
    training = bool(kwargs.pop("training", False) or False)
    store = ensure_built(layer, inputs)
    key = rng.next_key() if training else None
    outputs, new_state = layer.apply(
        store.variables, inputs, training=training, rng=key, **kwargs
    )
    if training and new_state:
        store.update({"state": new_state})
    return outputs


def layer_call(layer: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    kwargs = dict(kwargs)
    if args:
        inputs, rest = args[0], args[1:]
    elif "inputs" in kwargs:
        inputs, rest = kwargs.pop("inputs"), ()
    else:
        raise TypeError(f"Layer '{layer.name}' was called without inputs.")
    if rest:
        # Keras's positional `training` / `mask` for call(inputs, training).
        if len(rest) == 1 and isinstance(rest[0], (bool, type(None))):
            kwargs.setdefault("training", rest[0])
        else:
            raise TypeError(
                f"Layer '{layer.name}' takes its inputs as ONE argument (a tensor, list or dict "
                f"of tensors); received {len(args)} positional arguments. Pass multiple inputs "
                "as a list: layer([a, b])."
            )
    ctx = context.current()
    if ctx is not None:
        if graph.is_symbolic(inputs):
            raise TypeError(
                f"Layer '{layer.name}' was called on a symbolic KerasTensor inside a running "
                "model; symbolic tensors only exist while building functional models."
            )
        return ctx.call_layer(layer, inputs, kwargs)
    if graph.is_symbolic(inputs):
        leaves = jax.tree.leaves(inputs, is_leaf=lambda a: isinstance(a, graph.KerasTensor))
        if not all(isinstance(a, graph.KerasTensor) for a in leaves):
            raise TypeError(
                f"Layer '{layer.name}' was called on a mix of symbolic KerasTensors and concrete "
                "arrays. In the functional API every input must be a KerasTensor (from "
                "jnn.Input or another layer); use jnn.layers.Lambda to bring in constants."
            )
        return graph.symbolic_call(layer, inputs, kwargs)
    return eager_call(layer, inputs, kwargs)


def add_loss(value: Any) -> None:
    # Outside a model's training/evaluation trace (shape inference, a standalone call) there
    # is no objective to add the loss to; Keras likewise only uses it inside fit/evaluate.
    ctx = context.current()
    if ctx is not None:
        ctx.add_loss(value)


base.hooks.auto_name = naming.unique_name
base.hooks.call = layer_call
base.hooks.add_loss = add_loss
