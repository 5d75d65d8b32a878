"""Rows of ``model.summary()``: layer labels, output shapes, parameter counts, connections.

The table itself is drawn by :func:`jnn._shell.models.summary.format_summary` (Keras 2 layout).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jnn._shell import protocol
from jnn._shell.layers import graph
from jnn._shell.models.summary import format_summary


def _shape_str(shapes: Any) -> str:
    if isinstance(shapes, list):
        if len(shapes) == 1:
            return str(tuple(shapes[0]))
        return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"
    return str(tuple(shapes))


def _layer_params(layer: Any) -> int:
    if not layer.built:
        return 0
    return int(sum(int(np.prod(w.shape)) for w in layer.weights))


def _model_nodes(layer: Any, own_ids: set[int] | None) -> list[Any]:
    nodes = graph.inbound_nodes(layer)
    if own_ids is None:
        return nodes
    if type(layer).__name__ == "InputLayer":
        return nodes[:1]
    return [n for n in nodes if id(n) in own_ids]


def _is_sequential_like(model: Any) -> bool:
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        return True
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    for node in nodes:
        if len(node.input_tensors) > 1 or len(node.output_tensors) > 1:
            return False
    layers = [n.layer for n in nodes]
    if len({id(la) for la in layers}) != len(layers):
        return False
    # A chain: every node consumes the previous node's output.
    prev = model.inputs[0]
    for node in nodes:
        if node.input_tensors[0] is not prev:
            return False
        prev = node.output_tensors[0]
    return True


def summary_rows(model: Any) -> tuple[list[tuple], bool]:
    """``(rows, show_connections)`` for ``model``; see format_summary for the row format."""
    rows = []
    if protocol.is_sequential(model):
        out_of = {id(layer): node for layer, node in model._own_nodes}
        for layer in model.layers:
            node = out_of.get(id(layer))
            shape = _shape_str([t.shape for t in node.output_tensors]) if node else "multiple"
            rows.append((f"{layer.name} ({type(layer).__name__})", shape, _layer_params(layer),
                         []))
        return rows, False
    if getattr(model, "_nodes", None) is None:  # subclassed
        for layer in model.layers:
            rows.append((f"{layer.name} ({type(layer).__name__})", "multiple",
                         _layer_params(layer), []))
        return rows, False
    sequential_like = _is_sequential_like(model)
    own_ids = {id(n) for n in model._nodes}
    for layer in model.layers:
        nodes = _model_nodes(layer, own_ids)
        if type(layer).__name__ == "InputLayer":
            shape = "[" + str(tuple(nodes[0].outputs.shape)) + "]" if nodes else "multiple"
        elif len(nodes) == 1:
            shape = _shape_str([t.shape for t in nodes[0].output_tensors])
        else:
            shapes = {tuple(t.shape) for n in nodes for t in n.output_tensors}
            shape = _shape_str([next(iter(shapes))]) if len(shapes) == 1 else "multiple"
        connected = []
        for node in nodes:
            for t in node.input_tensors:
                src = t.node.layer
                node_index = graph.inbound_nodes(src).index(t.node)
                connected.append(f"{src.name}[{node_index}][{t.index}]")
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, _layer_params(layer),
                     connected))
    return rows, not sequential_like


def print_model_summary(model: Any, line_length: Any = None, positions: Any = None,
                        print_fn: Any = None) -> None:
    if not model.built:
        raise ValueError(
            f"This model ('{model.name}') has not yet been built. Build the model first by "
            "calling `build()` or by calling the model on a batch of data (fit / predict), or "
            "give the first layer an input shape, e.g. `Dense(8, input_shape=(4,))` or start "
            "with `jnn.Input(shape=(4,))`."
        )
    rows, connections = summary_rows(model)
    weights = model.weights
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = sum(int(np.prod(w.shape)) for w in weights)
    format_summary(model.name, rows, total, trainable, total - trainable,
                   line_length=line_length, positions=positions, print_fn=print_fn,
                   show_connections=connections)
