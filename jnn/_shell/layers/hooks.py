"""Installs the shell's behaviour into the pure core's layer base class.

The core's ``Layer`` knows nothing of names counters, symbolic tensors or weight stores; this
module plugs them in when ``jnn`` is imported:

* automatic names (``dense``, ``dense_1``) from :mod:`jnn._shell.runtime.naming`;
* ``layer(x)``: inside a model trace -> the model's :class:`ApplyContext`; on symbolic
  tensors -> a graph node; on concrete data -> an eager call with the layer's own weights.
"""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers import base
from jnn._core.layers.base import spec_of
from jnn._shell.layers import context, graph
from jnn._shell.layers.binding import LayerStore
from jnn._shell.runtime import naming, rng


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
    mask = _keras_mask_of(inputs)  # read before conversion drops the attribute
    inputs = _to_arrays(inputs)
    training = bool(kwargs.pop("training", False) or False)
    store = ensure_built(layer, inputs)
    key = rng.next_key() if training else None
    if mask is not None and "mask" not in kwargs and context._takes_mask(layer):
        kwargs["mask"] = mask
    outputs, new_state = layer.apply(
        store.variables, inputs, training=training, rng=key, **kwargs
    )
    if training and new_state:
        store.update({"state": new_state})
    _set_keras_mask(layer, inputs, kwargs.get("mask", mask), outputs)
    return outputs


def _keras_mask_of(inputs: Any) -> Any:
    """Keras's implicit mask carried by eager arrays (``x._keras_mask``)."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(a, "_keras_mask", None) for a in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)


def _set_keras_mask(layer: Any, inputs: Any, mask: Any, outputs: Any) -> None:
    try:
        out_mask = layer.compute_mask(inputs, mask)
    except (TypeError, ValueError):
        return
    if out_mask is None:
        return
    outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask]
    for out, m in zip(outs, masks):
        if m is not None and isinstance(out, jax.Array):
            try:
                out._keras_mask = m
            except AttributeError:  # a kind of array that takes no attributes
                pass


def _keras_call_params(layer: Any) -> list[str]:
    """Names of a Keras-style ``call``'s positional parameters after ``inputs``."""
    if type(layer).call is base.Layer.call:
        return []
    try:
        params = list(inspect.signature(layer.call).parameters.values())
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params[1:] if p.kind in kinds]


def _split_call_args(layer: Any, args: tuple, kwargs: dict[str, Any]) -> tuple[Any, dict]:
    """Keras's call signature -> ``(inputs, kwargs)`` for ``apply``.

    Layers whose Keras ``call`` takes several tensors declare them in ``call_tensor_args``
    (MultiHeadAttention: ``("query", "value", "key")``): ``mha(q, v)``, ``mha(q, v, k)`` and
    ``mha(query=q, value=v)`` all become the list input ``[q, v(, k)]`` their ``apply`` and
    ``init`` take, so the graph records every tensor as an input. Keras-style layers (a
    ``call`` method) get extra positional arguments under their parameter names.
    """
    kwargs = dict(kwargs)
    tensor_names = tuple(getattr(layer, "call_tensor_args", ()) or ())
    if args:
        inputs, rest = args[0], args[1:]
    elif "inputs" in kwargs:
        inputs, rest = kwargs.pop("inputs"), ()
    elif tensor_names and tensor_names[0] in kwargs:
        inputs, rest = kwargs.pop(tensor_names[0]), ()
    else:
        raise TypeError(f"Layer '{layer.name}' was called without inputs.")
    names = list(tensor_names[1:]) or (_keras_call_params(layer) if rest else [])
    if rest and not names and len(rest) == 1 and isinstance(rest[0], (bool, type(None))):
        # Keras's positional `training` for call(inputs, training).
        kwargs.setdefault("training", rest[0])
        rest = ()
    if len(rest) > len(names):
        raise TypeError(
            f"Layer '{layer.name}' takes its inputs as ONE argument (a tensor, list or dict "
            f"of tensors){f' plus {names}' if names else ''}; received {len(args)} positional "
            "arguments. Pass multiple inputs as a list: layer([a, b])."
        )
    for name, value in zip(names, rest):
        if name in kwargs:
            raise TypeError(f"Layer '{layer.name}' got multiple values for argument '{name}'.")
        kwargs[name] = value
    extra = [kwargs.pop(n, None) for n in tensor_names[1:]]
    while extra and extra[-1] is None:
        extra.pop()
    if extra:
        if isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"Layer '{layer.name}': pass {list(tensor_names[1:])} either in the inputs list "
                "or as separate arguments, not both."
            )
        if any(e is None for e in extra):
            missing = tensor_names[1 + extra.index(None)]
            raise ValueError(f"Layer '{layer.name}' needs `{missing}` when later tensors are given.")
        inputs = [inputs, *extra]
    return inputs, kwargs


def _host_call(layer: Any, inputs: Any, kwargs: dict[str, Any]) -> Any:
    """Layers that run on numpy data on the host (string lookups): no device, no graph."""
    if graph.is_symbolic(inputs) or context.current() is not None:
        raise TypeError(
            f"Layer '{layer.name}' ({type(layer).__name__}) runs on the host, on numpy data, "
            "before the model: apply it to your data (x = layer(texts)) and feed the result to "
            "the model's fit / predict; it cannot be part of a jnn model's graph."
        )
    kwargs.pop("training", None)
    outputs, _ = layer.apply({"params": {}, "state": {}}, inputs, **kwargs)
    return outputs


def layer_call(layer: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    inputs, kwargs = _split_call_args(layer, args, kwargs)
    if getattr(layer, "host_side", False):
        return _host_call(layer, inputs, kwargs)
    ctx = context.current()
    if ctx is not None:
        if graph.is_symbolic(inputs):
            raise TypeError(
                f"Layer '{layer.name}' was called on a symbolic KerasTensor inside a running "
                "model; symbolic tensors only exist while building functional models."
            )
        return ctx.user_call(layer, inputs, kwargs)
    if graph.is_symbolic(inputs) or graph.is_symbolic(kwargs):
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
