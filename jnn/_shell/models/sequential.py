"""``Sequential``: the chain case of the layer graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax

from jnn._core.layers.base import _PROBE_SIZES, Layer, spec_of
from jnn._shell.layers import context, graph
from jnn._shell.layers.graph import KerasTensor
from jnn._shell.models.functional import Input
from jnn._shell.models.model import Model
from jnn._shell.runtime import naming


class Sequential(Model):
    """A linear stack of layers.

    The model is built (weights created) as soon as the input shape is known: from an
    ``input_shape`` / ``input_dim`` on the first layer, a ``jnn.Input`` first, ``build()``, or
    the first data given to ``fit`` / ``predict``.

    Example:
        >>> import jnn
        >>> model = jnn.Sequential()
        >>> model.add(jnn.layers.Dense(3, activation="relu", input_dim=3))
        >>> model.add(jnn.layers.Dense(2, activation="softmax"))
        >>> model.count_params()
        20
    """

    _graph_kind = "sequential"

    def __init__(self, layers: list[Layer] | None = None, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"Sequential: unrecognized keyword argument(s) {sorted(kwargs)}.")
        self._init_model_state()
        Layer.__init__(self, name=name or naming.unique_name("sequential"), trainable=trainable)
        self._layers: list[Layer] = []
        self._graph_input: KerasTensor | None = None
        self._own_nodes: list[Any] = []
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                layers = [layers]
            for layer in layers:
                self.add(layer, _rebuild=False)
        self._maybe_build()

    # --- structure ---------------------------------------------------------------------------
    def add(self, layer: Any, _rebuild: bool = True) -> None:
        """Adds a layer on top of the stack (an ``Input`` tensor sets the input shape)."""
        if isinstance(layer, KerasTensor):
            if self._layers:
                raise ValueError("An Input can only be the first element of a Sequential model.")
            self._graph_input = layer
            self._layers.append(layer.node.layer)
            return self._maybe_build() if _rebuild else None
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer (e.g. jnn.layers.Dense); "
                f"received: layer={layer!r} of type {type(layer).__name__}."
            )
        if type(layer).__name__ == "InputLayer":
            if self._layers:
                raise ValueError("An InputLayer can only be the first layer of a Sequential.")
            self._layers.append(layer)
            return self._maybe_build() if _rebuild else None
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name."
            )
        self._layers.append(layer)
        if _rebuild:
            self._maybe_build()

    def pop(self) -> Layer:
        """Removes and returns the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self.__dict__["_model_built"] = False
        self._maybe_build()
        return layer

    def _tracked_layers(self) -> list[Layer]:
        return [la for la in self._layers if type(la).__name__ != "InputLayer"]

    def _declared_input_shape(self) -> tuple | None:
        if self._graph_input is not None:
            return self._graph_input.shape
        if not self._layers:
            return None
        first = self._layers[0]
        if type(first).__name__ == "InputLayer":
            return tuple(first.batch_shape)
        if getattr(first, "_is_model", False) and first.built:
            shape = first.input_shape  # a built model as the first layer fixes the input
            return tuple(shape) if isinstance(shape, tuple) else None
        return getattr(first, "_batch_input_shape", None)

    def _maybe_build(self, input_shape: tuple | None = None, dtype: Any = None) -> None:
        shape = input_shape or self._declared_input_shape()
        if shape is None or not self.layers:
            self.__dict__["_model_built"] = False
            return
        self._build_graph(tuple(shape), dtype)

    def _build_graph(self, batch_shape: tuple, dtype: Any = None) -> None:
        for layer, node in self._own_nodes:
            nodes = graph.inbound_nodes(layer)
            if node in nodes:
                nodes.remove(node)
        self._own_nodes = []
        if self._graph_input is None or self._graph_input.shape != batch_shape:
            if self._layers and type(self._layers[0]).__name__ == "InputLayer" and \
                    self._graph_input is None:
                first = self._layers[0]
                kt = KerasTensor(batch_shape, dtype or "float32", None, 0, name=first.name)
                node = graph.Node(first, [], kt, {})
                kt.node = node
                graph.inbound_nodes(first).append(node)
                self._graph_input = kt
            else:
                first_name = self.layers[0].name
                self._graph_input = Input(batch_shape=batch_shape, dtype=dtype,
                                          name=f"{first_name}_input")
        x: Any = self._graph_input
        for layer in self.layers:
            x = graph.symbolic_call(layer, x, {})
            self._own_nodes.append((layer, graph.inbound_nodes(layer)[-1]))
        self._output_tensor = x
        # Unknown non-batch sizes (variable-length sequences) take shape inference's probe
        # size, so the build passes a Conv1D's kernel.
        spec = jax.ShapeDtypeStruct(
            tuple((1 if i == 0 else _PROBE_SIZES[0]) if d is None else d
                  for i, d in enumerate(batch_shape)), self._graph_input.dtype
        )
        self._build_from_spec(spec)

    def build(self, input_shape: Any = None) -> None:
        """Builds the model for inputs of ``input_shape`` (batch dimension included)."""
        if input_shape is None:
            input_shape = self._declared_input_shape()
        if input_shape is None:
            raise ValueError(
                "You must provide an `input_shape` argument: model.build(input_shape=(None, 4))."
            )
        self._build_graph(tuple(input_shape))

    def _single_input(self, inputs: Any) -> Any:
        """The one array a Sequential model takes; a dict is refused with what it accepts.

        As in Keras 3, a one-entry dict keyed by the model's input name is that input.
        """
        if not isinstance(inputs, Mapping):
            return inputs
        name = self._graph_input.name if self._graph_input is not None else None
        if name is not None and list(inputs) == [name]:
            return inputs[name]
        shape = self._graph_input.shape if self._graph_input is not None else None
        expected = f" of shape {shape}" if shape is not None else ""
        named = f" (or a dict {{{name!r}: array}})" if name is not None else ""
        raise ValueError(
            f"Sequential model '{self.name}' takes a single input: one array or tensor"
            f"{expected}{named}; received a dict with keys {sorted(map(str, inputs))}. Pass "
            "the array itself, or build a functional model, jnn.Model(inputs={name: "
            "jnn.Input(...), ...}, outputs=...), for several named inputs."
        )

    def _ensure_built_for(self, x: Any) -> None:
        x = self._single_input(x)
        if self.built:
            return
        spec = spec_of(x)
        leaf = jax.tree.leaves(spec)[0]
        if not self.layers:
            raise ValueError("This Sequential model has no layers; add layers before using it.")
        self._build_graph((None,) + tuple(leaf.shape[1:]), leaf.dtype)

    # --- pure forward ------------------------------------------------------------------------
    def _forward(self, inputs: Any) -> Any:
        ctx = context.current()
        x = self._single_input(inputs)
        if self._graph_input is not None:
            import jax.numpy as jnp

            x = jnp.asarray(x)
            expected = self._graph_input.shape
            if len(expected) != x.ndim or any(
                e is not None and e != g for e, g in zip(expected[1:], x.shape[1:])
            ):
                raise ValueError(
                    f'Input 0 of layer "{self.layers[0].name}" is incompatible with the layer: '
                    f"expected shape={expected}, found shape={(None,) + tuple(x.shape[1:])}"
                )
        mask = None
        for layer in self.layers:
            x, mask = ctx.call_with_mask(layer, x, mask, {})
        return x

    @property
    def input_names(self) -> list[str]:
        return [self._graph_input.name] if self._graph_input is not None else ["input"]

    @property
    def output_names(self) -> list[str]:
        return [self.layers[-1].name] if self.layers else ["output"]

    @property
    def inputs(self) -> list[KerasTensor]:
        self._require_built("read its inputs")
        return [self._graph_input]

    @property
    def outputs(self) -> list[KerasTensor]:
        self._require_built("read its outputs")
        return [self._output_tensor]

    @property
    def input(self) -> KerasTensor:
        return self.inputs[0]

    @property
    def output(self) -> KerasTensor:
        return self.outputs[0]

    @property
    def input_shape(self) -> tuple:
        self._require_built("read its input shape")
        return self._graph_input.shape

    @property
    def output_shape(self) -> tuple:
        self._require_built("read its output shape")
        return self._output_tensor.shape

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        from jnn._core.layers.base import infer_output_spec

        return infer_output_spec(_ChainAsLayer(self), input_spec)

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: name, trainable, the serialized layers (an InputLayer first)."""
        from jnn._shell.saving import model_config

        return model_config.sequential_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Sequential:
        """Rebuilds the model (new weights) from :meth:`get_config` or a Keras 2/3 config.

        Example:
            >>> import jnn
            >>> m = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,))])
            >>> jnn.Sequential.from_config(m.get_config()).count_params()
            8
        """
        from jnn._shell.saving import model_config

        return model_config.sequential_from_config(cls, config, custom_objects)


class _ChainAsLayer:
    """Adapts a Sequential to the layer protocol for symbolic shape inference."""

    def __init__(self, model: Sequential):
        self.model = model
        self.name = model.name

    def init(self, key, spec):
        return self.model.init(key, spec)

    def apply(self, variables, x, training=False, **kwargs):
        return self.model.apply(variables, x, training=training, mutable=True)
