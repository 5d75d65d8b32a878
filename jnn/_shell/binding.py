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
import numpy as np


class Weight:
    """A read/write view of one weight of a layer (Keras's ``Variable`` look-alike).

    ``name`` is the short Keras 3 name (``kernel``), ``path`` is ``layer/kernel``.
    Read it with ``.numpy()`` / ``np.asarray(w)``; write it with ``.assign(value)``.
    """

    __slots__ = ("_store", "collection", "short_name", "layer_name")

    def __init__(self, store: LayerStore, collection: str, short_name: str, layer_name: str):
        self._store = store
        self.collection = collection
        self.short_name = short_name
        self.layer_name = layer_name

    @property
    def name(self) -> str:
        return self.short_name

    @property
    def path(self) -> str:
        return f"{self.layer_name}/{self.short_name}"

    @property
    def value(self) -> jax.Array:
        return self._store.variables[self.collection][self.short_name]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> Any:
        return self.value.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def trainable(self) -> bool:
        return self.collection == "params" and self._store.layer.trainable

    def numpy(self) -> np.ndarray:
        return np.asarray(jax.device_get(self.value))

    def assign(self, value: Any) -> None:
        value = np.asarray(value)
        if value.shape != self.shape:
            raise ValueError(
                f"Cannot assign a value of shape {value.shape} to weight '{self.path}' of shape "
                f"{self.shape}."
            )
        self._store.set_one(self.collection, self.short_name, value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.numpy()
        return out.astype(dtype) if dtype is not None else out

    def __repr__(self) -> str:
        arr = repr(self.numpy())
        return (
            f"<jnn.Variable '{self.path}:0' shape={self.shape} dtype={np.dtype(self.dtype).name}, "
            f"numpy={arr}>"
        )

    # Arithmetic so that ``x @ layer.kernel + layer.bias`` works as in the tutorials.
    def __jax_array__(self) -> jax.Array:
        return self.value

    def _v(self) -> Any:
        return self.value

    def __add__(self, o): return self._v() + o  # noqa: E704
    def __radd__(self, o): return o + self._v()  # noqa: E704
    def __sub__(self, o): return self._v() - o  # noqa: E704
    def __rsub__(self, o): return o - self._v()  # noqa: E704
    def __mul__(self, o): return self._v() * o  # noqa: E704
    def __rmul__(self, o): return o * self._v()  # noqa: E704
    def __matmul__(self, o): return self._v() @ o  # noqa: E704
    def __rmatmul__(self, o): return np.asarray(o) @ self._v() if isinstance(o, (list, np.ndarray)) else o @ self._v()  # noqa: E501,E704
    def __truediv__(self, o): return self._v() / o  # noqa: E704
    def __neg__(self): return -self._v()  # noqa: E704
    def __getitem__(self, i): return self._v()[i]  # noqa: E704


class LayerStore:
    """The current variables of one built (non-model) layer, in Keras weight order."""

    def __init__(self, layer: Any, variables: dict[str, dict[str, Any]],
                 order: tuple[list[str], list[str]] | None = None):
        self.layer = layer
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
