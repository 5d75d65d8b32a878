"""Functional models: ``jnn.Input`` and ``Model(inputs, outputs)`` over the layer-call DAG."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.layers.base import _PROBE_SIZES, Layer
from jnn._shell.layers import context, graph, symbolic_ops  # noqa: F401 - installs x + y etc.
from jnn._shell.layers.graph import KerasTensor, Node
from jnn._shell.models.model import Model
from jnn._shell.runtime import naming


def Input(  # noqa: N802 - Keras's name
    shape: Any = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Any = None,
    tensor: Any = None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input tensor for the functional API.

    Args:
        shape: the shape of one sample (no batch dimension), e.g. ``(28, 28)``.
        batch_size: optional fixed batch size.
        name: the input's name (``input_1``, ``input_2``... by default, as Keras 2).
        dtype: the input dtype (default float32).
        batch_shape: the full shape including the batch dimension (instead of ``shape``).

    Example:
        >>> import jnn
        >>> x = jnn.Input(shape=(3,), name="features")
        >>> x.shape, x.name
        ((None, 3), 'features')
    """
    from jnn._core.layers.core import InputLayer

    if sparse:
        raise ValueError("Input(sparse=True): sparse inputs are not supported by jnn.")
    if tensor is not None:
        raise ValueError("Input(tensor=...) is not supported: pass shape= and feed data at fit.")
    if batch_shape is None:
        if shape is None:
            raise ValueError("Input() needs `shape` (one sample's shape) or `batch_shape`.")
        if isinstance(shape, int):
            shape = (shape,)
        try:
            batch_shape = (batch_size,) + tuple(shape)
        except TypeError:
            raise ValueError(
                f"Input: `shape` must be a tuple of ints or None, received {shape!r}."
            ) from None
    batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
    name = name or naming.unique_name("input")
    layer = InputLayer(batch_shape=batch_shape, dtype=dtype, name=name)
    kt = KerasTensor(batch_shape, dtype or "float32", None, 0, name=name)
    node = Node(layer, [], kt, {})
    kt.node = node
    graph.inbound_nodes(layer).append(node)
    return kt


def _flatten_io(x: Any, what: str) -> tuple[Any, list[KerasTensor]]:
    if isinstance(x, KerasTensor):
        return x, [x]
    if isinstance(x, Mapping):
        flat = list(x.values())
    elif isinstance(x, (list, tuple)):
        flat = list(x)
    else:
        raise TypeError(
            f"Model `{what}` must be a KerasTensor, a list or a dict of KerasTensors (from "
            f"jnn.Input and layer calls); received {type(x).__name__}."
        )
    for t in flat:
        if not isinstance(t, KerasTensor):
            raise TypeError(
                f"All model `{what}` must be symbolic KerasTensors; received {t!r}. Build the "
                "model from jnn.Input(...) and layer calls, not from arrays."
            )
    return (list(x) if isinstance(x, tuple) else x), flat


class Functional(Model):
    """A model defined by a graph of layer calls from symbolic inputs to outputs."""

    _graph_kind = "functional"

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"Model: unrecognized keyword argument(s) {sorted(kwargs)}.")
        self._init_model_state()
        Layer.__init__(self, name=name or naming.unique_name("model"), trainable=trainable)
        self._inputs_struct, self.inputs = _flatten_io(inputs, "inputs")
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]  # Keras unpacks a single output given in a list
        self._outputs_struct, self.outputs = _flatten_io(outputs, "outputs")
        for t in self.inputs:
            if t.node is None or not t.node.is_input:
                raise ValueError(
                    f"Model inputs must come from jnn.Input(); {t!r} was produced by layer "
                    f"'{t.node.layer.name if t.node else '?'}'."
                )
        self._nodes = graph.topological_nodes(self.inputs, self.outputs)
        layers: list[Layer] = []
        seen: set[int] = set()
        for layer in [t.node.layer for t in self.inputs] + [n.layer for n in self._nodes]:
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
        counts = Counter(la.name for la in layers)
        dupes = sorted(n for n, c in counts.items() if c > 1)
        if dupes:
            raise ValueError(
                f"The name {dupes[0]!r} is used {counts[dupes[0]]} times in the model. All "
                "layer names should be unique."
            )
        self._layers = layers
        # Keras's layer order (deepest from the outputs first, ties by a depth-first walk):
        # it fixes model.layers, summary rows and the get_weights() order.
        self._layers = graph.keras_layer_order(self) or layers
        self._build_from_spec(self._input_spec_for_build())

    def _tracked_layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def input_names(self) -> list[str]:
        return [t.name or t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, Mapping):
            return list(self._outputs_struct.keys())
        return [t.node.layer.name for t in self.outputs]

    @property
    def input(self) -> Any:
        return self._inputs_struct

    @property
    def output(self) -> Any:
        return self._outputs_struct

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _input_spec_for_build(self) -> Any:
        # Unknown sizes other than the batch take the size shape inference probes with, so a
        # variable-length Input(shape=(None, 10)) builds past a Conv1D's kernel.
        specs = [
            jax.ShapeDtypeStruct(
                tuple((1 if i == 0 else _PROBE_SIZES[0]) if d is None else d
                      for i, d in enumerate(t.shape)), t.dtype)
            for t in self.inputs
        ]
        return self._structure_inputs(specs)

    def _structure_inputs(self, flat: list[Any]) -> Any:
        if isinstance(self._inputs_struct, Mapping):
            return dict(zip(self._inputs_struct.keys(), flat))
        if isinstance(self._inputs_struct, list):
            return list(flat)
        return flat[0]

    def _flat_inputs(self, inputs: Any) -> list[Any]:
        n = len(self.inputs)
        if isinstance(inputs, Mapping):
            names = (
                list(self._inputs_struct.keys())
                if isinstance(self._inputs_struct, Mapping) else self.input_names
            )
            missing = [k for k in names if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}': missing data for input(s) {missing}; the dict has keys "
                    f"{sorted(inputs)} and the model's inputs are {names}."
                )
            return [inputs[k] for k in names]
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != n:
                raise ValueError(
                    f"Model '{self.name}' expects {n} input(s) {self.input_names}, but it received "
                    f"{len(inputs)} input tensors."
                )
            return list(inputs)
        if n != 1:
            raise ValueError(
                f"Model '{self.name}' expects {n} inputs {self.input_names}, but it received a "
                "single tensor. Pass a list (or a dict keyed by input name)."
            )
        return [inputs]

    def _forward(self, inputs: Any) -> Any:
        ctx = context.current()
        flat = self._flat_inputs(inputs)
        values: dict[int, Any] = {}
        for t, v in zip(self.inputs, flat):
            v = jnp.asarray(v)
            expected = t.shape[1:]
            got = tuple(v.shape[1:])
            if len(expected) != len(got) or any(
                e is not None and e != g for e, g in zip(expected, got)
            ):
                raise ValueError(
                    f'Input "{t.name}" of model "{self.name}" is incompatible: expected shape '
                    f"{t.shape}, but received input with shape {(None,) + got}."
                )
            values[id(t)] = v.astype(t.dtype) if v.dtype != t.dtype else v
        masks: dict[int, Any] = {}
        for node in self._nodes:
            args = graph.map_structure(lambda t: values[id(t)], node.inputs)
            in_tensors = node.input_tensors
            in_mask = None
            if len(in_tensors) == 1:
                in_mask = masks.get(id(in_tensors[0]))
            elif any(id(t) in masks for t in in_tensors):
                in_mask = [masks.get(id(t)) for t in in_tensors]
            outs, out_mask = ctx.call_with_mask(node.layer, args, in_mask, dict(node.kwargs))
            out_tensors = node.output_tensors
            for t, o in zip(out_tensors, jax.tree.leaves(outs)):
                values[id(t)] = o
            if out_mask is not None:
                out_masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask]
                for t, m in zip(out_tensors, out_masks):
                    if m is not None:
                        masks[id(t)] = m
        return graph.map_structure(lambda t: values[id(t)], self._outputs_struct)

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        from jnn._core.layers.base import SymbolicSpec

        return graph.map_structure(
            lambda t: SymbolicSpec(t.shape, t.dtype), self._outputs_struct
        )

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: layers with their inbound nodes, input and output layers."""
        from jnn._shell.saving import model_config

        return model_config.functional_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Functional:
        """Rebuilds the graph (new weights) from :meth:`get_config` or a Keras 2/3 config.

        Example:
            >>> import jnn
            >>> x = jnn.Input(shape=(3,))
            >>> m = jnn.Model(x, jnn.layers.Dense(2)(x))
            >>> jnn.Model.from_config(m.get_config()).count_params()
            8
        """
        from jnn._shell.saving import model_config

        target = cls if cls not in (Functional, Model) else None
        return model_config.functional_from_config(target, config, custom_objects)
