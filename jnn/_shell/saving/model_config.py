"""Configs of graph models (Keras 3 layout, Keras 2 read too) and rebuilding from them.

A Functional config lists every layer with its ``inbound_nodes``: each call of the layer in
the model as ``{"args": [...], "kwargs": {...}}``, where a symbolic tensor is written as
``{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history":
[layer_name, node_index, tensor_index]}}`` and ``node_index`` counts only the layer's calls
that belong to this model (as Keras 3 re-indexes them). Keras 2 configs
(``[[["dense", 0, 0, {}]]]``) are read too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jnn._shell import protocol
from jnn._shell.layers import graph
from jnn._shell.layers.graph import KerasTensor
from jnn._shell.saving import serialization as ser


# --- Sequential ---------------------------------------------------------------------------------
def sequential_config(model: Any) -> dict[str, Any]:
    """Keras 3's Sequential config: an InputLayer entry first when the input is known."""
    layers = []
    if model.built and model._graph_input is not None:
        t = model._graph_input
        layers.append(_input_layer_entry(t.shape, t.dtype.name, t.name or "input_layer"))
    layers += [_layer_entry(la) for la in model.layers]
    config: dict[str, Any] = {
        "name": model.name,
        "trainable": model.trainable,
        "dtype": None,
        "layers": layers,
    }
    if model.built and model._graph_input is not None:
        config["build_input_shape"] = list(model._graph_input.shape)
    return config


def _layer_entry(layer: Any) -> dict[str, Any]:
    """A layer's serialized config; the model's InputLayer carries the input shape (Keras 3
    refuses a layer's Keras 2 ``batch_input_shape``)."""
    entry = ser.serialize_keras_object(layer)
    config = entry.get("config")
    if isinstance(config, dict):
        config.pop("batch_input_shape", None)
    return entry


def _input_layer_entry(shape: tuple, dtype: str, name: str) -> dict[str, Any]:
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": list(shape),
            "dtype": dtype,
            "sparse": False,
            "ragged": False,
            "name": name,
            "optional": False,
        },
        "registered_name": None,
    }


def sequential_from_config(cls: type, config: Mapping[str, Any], custom_objects: Any) -> Any:
    Input = protocol.model_class("Input")  # the registered jnn.Input
    entries = config["layers"] if isinstance(config, Mapping) else config
    items: list[Any] = []
    for i, entry in enumerate(entries):
        if entry.get("class_name") == "InputLayer" and i == 0:
            layer = ser.deserialize_keras_object(entry, custom_objects)
            items.append(
                Input(batch_shape=layer.batch_shape, dtype=layer._input_dtype, name=layer.name)
            )
        else:
            items.append(ser.deserialize_keras_object(entry, custom_objects))
    model = cls(items, name=config.get("name"), trainable=config.get("trainable", True))
    shape = config.get("build_input_shape")
    if not model.built and shape is not None:
        model.build(tuple(shape))
    return model


# --- Functional ---------------------------------------------------------------------------------
def functional_config(model: Any) -> dict[str, Any]:
    """Keras 3's Functional config (layers with inbound nodes, input and output layers)."""
    in_model = {id(n) for n in model._nodes}
    in_model.update(id(t.node) for t in model.inputs)
    index: dict[int, int] = {}
    for layer in model.layers:
        k = 0
        for node in graph.inbound_nodes(layer):
            if id(node) in in_model:
                index[id(node)] = k
                k += 1

    def tensor_config(t: KerasTensor) -> dict[str, Any]:
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": list(t.shape),
                "dtype": t.dtype.name,
                "keras_history": [t.node.layer.name, index[id(t.node)], t.index],
            },
        }

    def value(v: Any) -> Any:
        if isinstance(v, KerasTensor):
            return tensor_config(v)
        if isinstance(v, Mapping):
            return {k: value(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [value(x) for x in v]
        return ser.serialize_keras_object(v)

    layers = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            t = next(t for t in model.inputs if t.node.layer is layer)
            entry = _input_layer_entry(t.shape, t.dtype.name, layer.name)
            entry.update(name=layer.name, inbound_nodes=[])
            layers.append(entry)
            continue
        entry = _layer_entry(layer)
        nodes = [n for n in graph.inbound_nodes(layer) if id(n) in in_model]
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": _call_args(layer, n.inputs, value), "kwargs": value(dict(n.kwargs))}
            for n in nodes
        ]
        layers.append(entry)
    history = lambda t: [t.node.layer.name, index[id(t.node)], t.index]  # noqa: E731
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": graph.map_structure(history, model._inputs_struct),
        "output_layers": graph.map_structure(history, model._outputs_struct),
    }


# Keras layers whose call takes several tensors as separate arguments (jnn: one list).
_SEPARATE_ARGS = ("MultiHeadAttention", "GroupedQueryAttention")


def _call_args(layer: Any, inputs: Any, value: Any) -> list[Any]:
    if type(layer).__name__ in _SEPARATE_ARGS and isinstance(inputs, (list, tuple)):
        return [value(t) for t in inputs]
    return [value(inputs)]


def functional_from_config(cls: type, config: Mapping[str, Any], custom_objects: Any) -> Any:
    """Rebuilds the graph: layers are created, then called node by node once inputs exist."""
    Input = protocol.model_class("Input")  # the registered jnn.Input
    created: dict[str, Any] = {}
    outputs: dict[tuple[str, int], Any] = {}
    pending: list[tuple[str, list]] = []
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        if entry.get("class_name") == "InputLayer":
            layer = ser.deserialize_keras_object(entry, custom_objects)
            t = Input(batch_shape=layer.batch_shape, dtype=layer._input_dtype, name=layer.name)
            created[name] = t.node.layer
            outputs[(name, 0)] = t
            continue
        if str(entry.get("module") or "").startswith(_KERAS_OPS):
            # Keras 3 records the ops that compute masks (Embedding's `not_equal`) as graph
            # nodes; jnn propagates masks implicitly, so their outputs only stand in.
            for k in range(len(entry.get("inbound_nodes") or [])):
                outputs[(name, k)] = _OpOutput(entry["class_name"])
            continue
        created[name] = ser.deserialize_keras_object(entry, custom_objects)
        pending.append((name, list(entry.get("inbound_nodes") or [])))
    counts = {name: 0 for name in created}
    while pending:
        progress = False
        still: list[tuple[str, list]] = []
        for name, nodes in pending:
            while nodes:
                call = _node_call(nodes[0], outputs)
                if call is None:
                    break
                args, kwargs = call
                nodes.pop(0)
                out = created[name](*args, **kwargs)
                outputs[(name, counts[name])] = out
                counts[name] += 1
                progress = True
            if nodes:
                still.append((name, nodes))
        pending = still
        if pending and not progress:
            raise ValueError(
                "Could not rebuild the functional model from its config: the inbound nodes of "
                f"layers {[n for n, _ in pending]} refer to tensors that no layer produces."
            )
    inputs = _io_structure(config["input_layers"], outputs)
    outs = _io_structure(config["output_layers"], outputs)
    target = protocol.model_class("Functional") if cls is None else cls
    return target(inputs, outs, name=config.get("name"), trainable=config.get("trainable", True))


_KERAS_OPS = ("keras.src.ops", "keras.ops")


class _OpOutput:
    """Stands for the output of a Keras op node (a mask computation) while rebuilding."""

    def __init__(self, name: str) -> None:
        self.name = name


def _is_history(x: Any) -> bool:
    return (
        isinstance(x, (list, tuple))
        and len(x) == 3
        and isinstance(x[0], str)
        and isinstance(x[1], int)
        and isinstance(x[2], int)
    )


def _io_structure(spec: Any, outputs: dict) -> Any:
    if _is_history(spec):
        return _tensor(spec, outputs)
    if isinstance(spec, Mapping):
        return {k: _io_structure(v, outputs) for k, v in spec.items()}
    return [_io_structure(s, outputs) for s in spec]


def _tensor(history: Any, outputs: dict) -> Any:
    name, node_index, tensor_index = history[0], history[1], history[2]
    if (name, node_index) not in outputs:
        raise KeyError((name, node_index))
    out = graph.flatten(outputs[(name, node_index)])
    return out[tensor_index]


def _node_call(node: Any, outputs: dict) -> tuple[list, dict] | None:
    """``(args, kwargs)`` of one recorded call, or None while an input is not available."""
    try:
        if isinstance(node, Mapping):  # Keras 3
            args = [_value(a, outputs) for a in node.get("args", [])]
            kwargs = {k: _value(v, outputs) for k, v in (node.get("kwargs") or {}).items()}
        else:  # Keras 2: [[layer_name, node_index, tensor_index, kwargs], ...]
            tensors = [_tensor(e, outputs) for e in node]
            kwargs = dict(node[0][3]) if node and len(node[0]) > 3 else {}
            args = [tensors[0] if len(tensors) == 1 else tensors]
    except KeyError:
        return None
    if isinstance(kwargs.get("mask"), _OpOutput):
        del kwargs["mask"]  # jnn propagates the mask itself
    if "training" in kwargs and kwargs["training"] in (False, None):
        del kwargs["training"]  # recorded by Keras at build time; the model's call decides
    for arg in graph.flatten(args) + [v for v in kwargs.values()]:
        if isinstance(arg, _OpOutput):
            raise ValueError(
                f"The config feeds the output of the Keras op '{arg.name}' into a layer; jnn "
                "rebuilds graphs of layers only (wrap the computation in a Lambda layer)."
            )
    if len(args) > 1:  # jnn layers take several inputs as one list
        args = [list(args)]
    return args, kwargs


def _value(v: Any, outputs: dict) -> Any:
    if isinstance(v, Mapping) and v.get("class_name") == "__keras_tensor__":
        return _tensor(v["config"]["keras_history"], outputs)
    if isinstance(v, Mapping) and "class_name" in v:
        return ser.deserialize_keras_object(v)
    if isinstance(v, Mapping):
        return {k: _value(x, outputs) for k, x in v.items()}
    if isinstance(v, list):
        return [_value(x, outputs) for x in v]
    return v
