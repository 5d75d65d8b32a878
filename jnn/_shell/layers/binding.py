"""Where a layer's current weights live, and the Keras-style views of them.

Every built layer owns a small :class:`LayerStore` holding its ``{"params", "state"}`` arrays.
A model's variables pytree is assembled from its layers' stores and written back after
training, so a layer shared by two models (a feature extractor built from a trained model)
sees the same weights in both — as in Keras. This is the one place the shell binds arrays
to layer objects; the pure core never sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import scopes
from jnn._core.layers import base
from jnn._core.layers.base import standardize_shape
from jnn._core.variables import Variable
from jnn._shell.runtime import rng


class Weight(Variable):
    """A read/write view of one weight of a layer: a :class:`jnn.Variable` bound to the
    layer's store (``name`` is Keras 3's short name ``kernel``, ``path`` is ``layer/kernel``)."""

    def __init__(self, store: LayerStore, collection: str, short_name: str, layer_name: str):
        self._store = store
        self._collection = collection
        self._key = self._name = short_name
        scope = getattr(store, "scope", "")
        self._path = f"{scope}/{layer_name}/{short_name}" if scope else \
            f"{layer_name}/{short_name}"
        self._trainable = None
        self.layer_name = layer_name

    @property
    def collection(self) -> str:
        return self._collection

    @property
    def short_name(self) -> str:
        return self._key

    @property
    def trainable(self) -> bool:
        return self._collection == "params" and self._store.layer.trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._store.layer.trainable = bool(value)


class LayerStore:
    """The current variables of one built (non-model) layer, in Keras weight order."""

    def __init__(self, layer: Any, variables: dict[str, dict[str, Any]],
                 order: tuple[list[str], list[str]] | None = None):
        self.layer = layer
        self.scope = scopes.current_path()  # jnn.name_scope active when the weights were made
        self.variables = {
            "params": dict(variables.get("params", {})),
            "state": dict(variables.get("state", {})),
        }
        # Keras order = creation order of init's dicts (params, then state). ``order`` gives
        # it when the dicts went through jit (which sorts keys).
        params, state = order or (list(self.variables["params"]), list(self.variables["state"]))
        self.order = [("params", k) for k in params if k in self.variables["params"]] + [
            ("state", k) for k in state if k in self.variables["state"]
        ]

    def weights(self, layer: Any = None) -> list[Weight]:
        return [Weight(self, c, k, self.layer.name) for c, k in self.order]

    def set_one(self, collection: str, name: str, value: Any) -> None:
        old = self.variables[collection][name]
        self.variables[collection][name] = jax.numpy.asarray(value, dtype=old.dtype)

    def set_weights(self, layer: Any, weights: Sequence[Any]) -> None:
        set_weights_in_order(self.weights(), weights, layer.name)

    def update(self, variables: dict[str, dict[str, Any]]) -> None:
        """Replaces the arrays (same names) after training."""
        for c in ("params", "state"):
            for k, v in variables.get(c, {}).items():
                self.variables[c][k] = v


def set_weights_in_order(targets: list[Weight], weights: Sequence[Any], owner: str) -> None:
    """Assigns ``weights`` to ``targets`` in order, checking count and shapes first."""
    weights = list(weights)
    if len(weights) != len(targets):
        raise ValueError(
            f"You called `set_weights(weights)` on '{owner}' with a weight list of length "
            f"{len(weights)}, but it expected {len(targets)} weights "
            f"({[w.path for w in targets]})."
        )
    arrays = [np.asarray(w) for w in weights]
    for target, arr in zip(targets, arrays):
        if tuple(arr.shape) != target.shape:
            raise ValueError(
                f"Weight '{target.path}' of '{owner}' has shape {target.shape}, but the value "
                f"provided has shape {tuple(arr.shape)}."
            )
    for target, arr in zip(targets, arrays):
        target._store.set_one(target.collection, target.short_name, arr)


def _concrete_spec(shape: Any) -> Any:
    if isinstance(shape, dict):
        return {k: _concrete_spec(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(
        isinstance(s, (list, tuple)) or hasattr(s, "shape") for s in shape
    ):
        return [_concrete_spec(s) for s in shape]
    if hasattr(shape, "shape") and hasattr(shape, "dtype"):
        return jax.ShapeDtypeStruct(tuple(1 if d is None else d for d in shape.shape),
                                    shape.dtype)
    dims = standardize_shape(shape, "input_shape")
    return jax.ShapeDtypeStruct(tuple(1 if d is None else d for d in dims), jnp.float32)


def build_layer(layer: Any, input_shape: Any) -> None:
    """``layer.build(input_shape)`` called directly: creates a standalone layer's weights (as
    its first call on data would), so ``get_weights()`` and ``layer.kernel`` work at once."""
    variables = layer.init(rng.next_key(), _concrete_spec(input_shape))
    layer.__dict__["_binding"] = LayerStore(layer, variables)


base.hooks.build = build_layer
