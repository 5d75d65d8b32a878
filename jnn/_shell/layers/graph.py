"""Symbolic tensors and the layer-call graph of the functional API.

Calling a layer on :class:`KerasTensor` objects records a :class:`Node` (the layer, its
symbolic inputs and outputs). A functional model is the DAG of nodes between its inputs and
outputs; it is walked once, in topological order, when the model's pure ``apply`` is traced.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from jnn._core.layers.base import Layer, SymbolicSpec


class KerasTensor:
    """A symbolic tensor: a shape (batch ``None``), a dtype and the node that produced it.

    Example:
        >>> import jnn
        >>> x = jnn.Input(shape=(3,))
        >>> x.shape
        (None, 3)
    """

    def __init__(self, shape: tuple, dtype: Any, node: Node | None = None, index: int = 0,
                 name: str | None = None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def _keras_mask(self) -> KerasTensor | None:
        """Keras's implicit mask of this tensor (``Embedding(mask_zero=True)``, ``Masking``,
        layers passing masks through): a symbolic bool tensor of the graph, or None."""
        if "_mask_cache" not in self.__dict__:
            self.__dict__["_mask_cache"] = _symbolic_mask(self)
        return self.__dict__["_mask_cache"]

    @property
    def spec(self) -> SymbolicSpec:
        return SymbolicSpec(self.shape, self.dtype)

    def __repr__(self) -> str:
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}{name}>"

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"A symbolic KerasTensor {self!r} cannot be converted to a numpy array. Symbolic "
            "tensors (from jnn.Input) only describe the model's graph: pass them to layers, "
            "build a jnn.Model(inputs, outputs), and feed real data to model.predict / fit. "
            "To apply a numpy or jax function to a symbolic tensor, wrap it in a "
            "jnn.layers.Lambda layer."
        )

    def __bool__(self) -> bool:
        raise TypeError(
            f"A symbolic KerasTensor {self!r} has no truth value; use a Lambda layer for "
            "data-dependent logic."
        )

    # Python operators (``x + y``, ``x[:, 0]``, ``-x``...) are op nodes, installed by
    # ``jnn._shell.layers.symbolic_ops`` (they save by op name, as Keras 3's do).


def is_symbolic(x: Any) -> bool:
    return any(isinstance(leaf, KerasTensor) for leaf in flatten(x))


def flatten(x: Any) -> list[Any]:
    return jax.tree.leaves(x, is_leaf=lambda a: isinstance(a, KerasTensor))


def map_structure(fn: Any, x: Any) -> Any:
    return jax.tree.map(fn, x, is_leaf=lambda a: isinstance(a, (KerasTensor, SymbolicSpec)))


class Node:
    """One call of ``layer`` on symbolic ``inputs`` producing symbolic ``outputs``."""

    def __init__(self, layer: Any, inputs: Any, outputs: Any, kwargs: dict[str, Any]):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.kwargs = kwargs
        self.parents = [t.node for t in flatten(inputs) if t.node is not None]

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return flatten(self.inputs)

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return flatten(self.outputs)

    @property
    def is_input(self) -> bool:
        return type(self.layer).__name__ == "InputLayer"

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}>"


def inbound_nodes(layer: Any) -> list[Node]:
    nodes = layer.__dict__.get("_inbound_nodes")
    if nodes is None:
        nodes = []
        layer.__dict__["_inbound_nodes"] = nodes
    return nodes


@jax.tree_util.register_pytree_node_class
class CallArgs:
    """A layer call's main ``inputs`` plus tensors passed as keyword arguments.

    A functional node stores this as its ``inputs`` when a layer is called with symbolic
    tensors besides its inputs (a Keras-style ``call(self, x, y)`` called as ``layer(x, y)``),
    so the graph knows every tensor the call depends on; the running model unpacks it
    (:meth:`jnn._shell.layers.context.ApplyContext.call_with_mask`).
    """

    def __init__(self, inputs: Any, kwargs: dict[str, Any]):
        self.inputs = inputs
        self.kwargs = kwargs

    def tree_flatten(self) -> tuple:
        return (self.inputs, self.kwargs), None

    @classmethod
    def tree_unflatten(cls, aux: Any, children: tuple) -> CallArgs:
        del aux
        return cls(*children)


class _UnpackingLayer:
    """Shape inference for a :class:`CallArgs` call: unpacks it for ``init`` / ``apply``."""

    def __init__(self, layer: Any):
        self.layer = layer
        self.name = layer.name

    def init(self, key: Any, spec: CallArgs) -> Any:
        return self.layer.init(key, spec.inputs)

    def apply(self, variables: Any, args: CallArgs, **kwargs: Any) -> Any:
        return self.layer.apply(variables, args.inputs, **args.kwargs, **kwargs)


def symbolic_call(layer: Any, inputs: Any, kwargs: dict[str, Any]) -> Any:
    """Records ``layer(inputs)`` on symbolic tensors and returns symbolic outputs."""
    tensor_kwargs = {k: v for k, v in kwargs.items() if is_symbolic(v)}
    kwargs = {k: v for k, v in kwargs.items() if k not in tensor_kwargs}
    in_spec = map_structure(lambda t: t.spec if isinstance(t, KerasTensor) else t, inputs)
    if isinstance(in_spec, SymbolicSpec):
        layer.check_input_shape(in_spec.shape)
    static_kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
    try:
        if tensor_kwargs:
            from jnn._core.layers.base import infer_output_spec

            kw_spec = map_structure(lambda t: t.spec, tensor_kwargs)
            out_spec = infer_output_spec(
                _UnpackingLayer(layer), CallArgs(in_spec, kw_spec), **static_kwargs
            )
        else:
            out_spec = layer.compute_output_spec(in_spec, **static_kwargs)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{exc}") from None
    node_inputs = CallArgs(inputs, tensor_kwargs) if tensor_kwargs else inputs
    node = Node(layer, node_inputs, None, dict(kwargs))
    counter = iter(range(1 << 30))
    outputs = map_structure(
        lambda s: KerasTensor(s.shape, s.dtype, node, next(counter)), out_spec
    )
    node.outputs = outputs
    inbound_nodes(layer).append(node)
    return outputs


class _MaskOf(Layer):
    """The graph node computing ``layer.compute_mask`` for a tensor's ``_keras_mask``."""

    def __init__(self, layer: Any, index: int) -> None:
        super().__init__(name=f"{layer.name}_keras_mask_{index}")
        self._source, self._index = layer, index

    def apply(self, variables: Any, inputs: Any, *, training: bool = False, rng: Any = None,
              mask: Any = None) -> tuple[Any, dict]:
        out = self._source.compute_mask(inputs, mask)
        if isinstance(out, (list, tuple)):
            out = out[self._index]
        return out, {}


def _symbolic_mask(t: KerasTensor) -> KerasTensor | None:
    node = t.node
    if node is None or node.is_input or isinstance(node.inputs, CallArgs):
        return None
    masks = [x._keras_mask for x in flatten(node.inputs)]
    single = isinstance(node.inputs, KerasTensor)
    in_mask = masks[0] if single else (masks if any(m is not None for m in masks) else None)

    def probe(size: int) -> Any:
        def concrete(x: Any) -> Any:
            shape = tuple(size if d is None else d for d in x.shape)
            return jax.ShapeDtypeStruct(shape, x.dtype)

        xs = map_structure(concrete, node.inputs)
        ms = None if in_mask is None else map_structure(
            lambda m: None if m is None else concrete(m), in_mask)
        return jax.eval_shape(lambda a, b: _MaskOf(node.layer, t.index).apply({}, a, mask=b)[0],
                              xs, ms)

    try:
        first, second = probe(83), probe(89)
    except (TypeError, ValueError):
        return None
    if first is None or not hasattr(first, "shape"):
        return None
    shape = tuple(a if a == b else None for a, b in zip(first.shape, second.shape))
    mask_node = Node(_MaskOf(node.layer, t.index), node.inputs, None, {})
    out = KerasTensor(shape, first.dtype, mask_node, 0)
    mask_node.outputs = out
    inbound_nodes(mask_node.layer).append(mask_node)
    return out


def topological_nodes(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """Nodes needed to compute ``outputs`` from ``inputs``, in an order that respects edges.

    An iterative depth-first walk (a chain of any length, no recursion limit). Raises the Keras
    "Graph disconnected" error when an output depends on a symbolic input that is not among
    ``inputs``.

    Example:
        >>> import jnn
        >>> x = jnn.Input(shape=(3,))
        >>> y = jnn.layers.Dense(2)(jnn.layers.Dense(4)(x))
        >>> [n.layer.name == y.node.layer.name for n in topological_nodes([x], [y])]
        [False, True]
    """
    input_ids = {id(t) for t in inputs}
    order: list[Node] = []
    state: dict[int, int] = {}  # 1 = on the walk's stack, 2 = done

    def check(node: Node, t: KerasTensor) -> None:
        if t.node is None or t.node.is_input:
            name = t.name or (t.node.layer.name if t.node else "?")
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {t!r} (input '{name}') "
                f"at layer '{node.layer.name}'. The following previous layers were accessed "
                f"without issue: {[n.layer.name for n in order]}. Add '{name}' to the "
                "model's inputs."
            )

    for out in outputs:
        if id(out) in input_ids:
            continue
        if out.node is None or out.node.is_input:
            raise ValueError(
                f"Graph disconnected: output {out!r} is a model input that was not passed in "
                "`inputs`."
            )
        if state.get(id(out.node)) == 2:
            continue
        state[id(out.node)] = 1
        stack = [(out.node, iter(out.node.input_tensors))]
        while stack:
            node, pending = stack[-1]
            for t in pending:
                if id(t) in input_ids:
                    continue
                check(node, t)
                s = state.get(id(t.node))
                if s == 2:
                    continue
                if s == 1:
                    raise ValueError(f"The graph has a cycle through layer '{t.node.layer.name}'.")
                state[id(t.node)] = 1
                stack.append((t.node, iter(t.node.input_tensors)))
                break
            else:
                stack.pop()
                state[id(node)] = 2
                order.append(node)
    return order


def keras_layer_order(model: Any) -> list[Any] | None:
    """A functional model's layers in Keras 3's order (``Functional.layers``).

    Keras sorts layers by depth from the outputs (deepest first), ties broken by the order a
    depth-first walk from the outputs first meets them; the ``dense``, ``dense_1`` names in a
    weights file follow that order. Returns None when the graph cannot be read (the caller then
    keeps its own order).

    Example:
        >>> import jnn
        >>> x = jnn.Input(shape=(3,), name="x")
        >>> m = jnn.Model(x, jnn.layers.Dense(2, name="d")(x))
        >>> [la.name for la in keras_layer_order(m)]
        ['x', 'd']
    """
    try:
        nodes, first_seen = _nodes_from_outputs(list(model.inputs), list(model.outputs))
    except (AttributeError, TypeError):
        return None
    in_graph = {id(n) for n in nodes}
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    by_id: dict[int, Any] = {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        by_id[id(node.layer)] = node.layer
        for parent in node.parents:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in model.inputs:  # inputs not connected to any output
        layer = t.node.layer
        if id(layer) not in layer_depth and t.node.is_input:
            layer_depth[id(layer)], first_seen[id(layer)], by_id[id(layer)] = 0, -1, layer
    order = sorted(by_id, key=lambda i: (-layer_depth[i], first_seen[i]))
    layers = [by_id[i] for i in order]
    if {id(la) for la in layers} != {id(la) for la in model.layers}:
        return None
    return layers


def _nodes_from_outputs(inputs: list, outputs: list) -> tuple[list, dict[int, int]]:
    """Keras's depth-first walk from the outputs: nodes inputs-first, first-visit index.

    Iterative (no recursion limit on long chains).
    """
    input_ids = {id(t) for t in inputs}
    finished: set[int] = set()
    nodes: list = []
    first_seen: dict[int, int] = {}
    stack: list = []

    def enter(tensor: Any) -> bool:
        node = tensor.node
        if node is None or id(node) in finished:
            return False
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))
            return False
        first_seen.setdefault(id(node.layer), len(first_seen))
        stack.append((node, iter(() if node.is_input else node.input_tensors)))
        return True

    for out in outputs:
        enter(out)
        while stack:
            node, pending = stack[-1]
            for t in pending:
                if enter(t):
                    break
            else:
                stack.pop()
                finished.add(id(node))
                nodes.append(node)
    return nodes, first_seen
