"""The optimizer state in a weights file: Keras 3's ``optimizer/vars`` plus jnn's exact state.

Keras 3 writes ``optimizer/vars/0`` = iterations, ``1`` = learning rate, then for every
trainable variable (in model order) its slots (Adam: momentum, velocity). jnn writes the same
group whenever its optax state maps onto it (so Keras resumes from a jnn file), and also every
leaf of its own optax state under ``optimizer/jnn_state`` so that jnn resumes exactly (Keras
ignores that group). Reading prefers ``jnn_state`` and falls back to Keras's layout.
"""

from __future__ import annotations

import warnings
from typing import Any

import h5py
import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.optimizers.pipeline import OptimizerState, trainable_only


def current_opt_state(model: Any) -> Any | None:
    """The model's optax state (after training), else None."""
    ts = model.__dict__.get("_train_state")
    if ts is not None:
        return ts.opt_state
    return model.__dict__.get("_opt_state_keep")


def template(model: Any) -> Any:
    """A fresh optax state for the compiled optimizer and the model's trainable mask."""
    params = model.variables_tree["params"]
    tx = trainable_only(model.optimizer.tx, model.trainable_mask(params))
    return tx.init(params)


def write(f: h5py.File | h5py.Group, model: Any) -> None:
    """Writes ``optimizer/vars`` (Keras layout when possible) and ``optimizer/jnn_state``."""
    state = current_opt_state(model)
    opt = model.optimizer
    if opt is None:
        return
    if state is None:
        state = template(model)
    group = f.require_group("optimizer/vars")
    group.attrs["name"] = getattr(opt, "name", type(opt).__name__).lower()
    keras_vars = _keras_layout(model, state)
    if keras_vars is not None:
        for i, arr in enumerate(keras_vars):
            group[str(i)] = arr
    exact = f.require_group("optimizer/jnn_state")
    leaves = jax.tree.leaves(state)
    exact.attrs["count"] = len(leaves)
    for i, leaf in enumerate(leaves):
        exact[str(i)] = _host(leaf)


def read(f: h5py.File | h5py.Group, model: Any, path: str) -> Any | None:
    """The optax state stored in ``f`` for ``model``'s compiled optimizer, or None."""
    if "optimizer" not in f or model.optimizer is None:
        return None
    try:
        ref = template(model)
    except Exception as e:  # noqa: BLE001 - an optimizer that cannot init: no state
        warnings.warn(f"Could not restore the optimizer state from '{path}': {e}", stacklevel=3)
        return None
    leaves, treedef = jax.tree.flatten(ref)
    if "optimizer/jnn_state" in f:
        stored = _datasets(f["optimizer/jnn_state"])
        if _same_shapes(stored, leaves):
            return jax.tree.unflatten(
                treedef,
                [jnp.asarray(np.asarray(s), dtype=leaf.dtype) for s, leaf in zip(stored, leaves)],
            )
    if "optimizer/vars" in f:
        state = _from_keras_layout(model, ref, _datasets(f["optimizer/vars"]))
        if state is not None:
            return state
    warnings.warn(
        f"Skipping the optimizer state in '{path}': its variables do not match the compiled "
        f"optimizer {type(model.optimizer).__name__} of model '{model.name}'; training "
        "restarts the optimizer from scratch.",
        stacklevel=3,
    )
    return None


def restore(model: Any, state: Any) -> None:
    """Makes the next ``fit`` continue from ``state``."""
    model.__dict__["_train_state"] = None
    model.__dict__["_opt_state_keep"] = state


# --- helpers -------------------------------------------------------------------------------------
def _fresh(dataset: Any, dtype: Any) -> jax.Array:
    """A new device buffer (train steps donate their inputs: no two leaves may share one)."""
    return jnp.array(np.asarray(dataset), dtype=dtype)


def _host(x: Any) -> np.ndarray:
    if isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jax.dtypes.prng_key):
        x = jax.random.key_data(x)
    return np.asarray(x)


def _datasets(group: Any) -> list[Any]:
    out = []
    for i in range(len(group.keys())):
        key = str(i)
        if not isinstance(group.get(key, getlink=True), h5py.HardLink):
            raise ValueError(f"group '{group.name}' has no dataset '{key}' (or it is a link)")
        ds = group[key]
        if not isinstance(ds, h5py.Dataset) or ds.is_virtual:
            raise ValueError(f"'{group.name}/{key}' is not a plain dataset")
        out.append(ds)
    return out


def _same_shapes(stored: list, leaves: list) -> bool:
    return len(stored) == len(leaves) and all(
        tuple(s.shape) == tuple(np.shape(leaf)) for s, leaf in zip(stored, leaves)
    )


def _param_paths(model: Any, prefix: tuple = ()) -> dict[int, tuple]:
    """``id(layer store) -> path in the params tree`` (nested models recurse)."""
    out: dict[int, tuple] = {}
    for layer in model._weight_layers():
        if getattr(layer, "_is_model", False):
            out.update(_param_paths(layer, prefix + (layer.name,)))
        elif layer.__dict__.get("_binding") is not None:
            out[id(layer._binding)] = prefix + (layer.name,)
    return out


def _trainable_paths(model: Any) -> list[tuple]:
    stores = _param_paths(model)
    return [
        stores[id(w._store)] + (w.short_name,)
        for w in model.trainable_weights
        if w.collection == "params" and id(w._store) in stores
    ]


def _slot_trees(rule: Any, params: Any) -> list[Any]:
    """Sub-trees of the rule state shaped like ``params`` (moments...), in field order."""
    target = jax.tree.structure(params)
    found: list[Any] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if jax.tree.structure(node) == target:
                found.append(node)
            return
        if isinstance(node, tuple):
            for child in node:
                visit(child)

    visit(rule)
    return found


def _get(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def _keras_layout(model: Any, state: Any) -> list[np.ndarray] | None:
    if not isinstance(state, OptimizerState):
        return None
    params = model.variables_tree["params"]
    slots = _slot_trees(state.rule, params)
    out = [_host(state.iterations), _host(state.learning_rate)]
    for path in _trainable_paths(model):
        out += [_host(_get(slot, path)) for slot in slots]
    return out


def _from_keras_layout(model: Any, ref: Any, stored: list) -> Any | None:
    if not isinstance(ref, OptimizerState):
        return None
    params = model.variables_tree["params"]
    slots = _slot_trees(ref.rule, params)
    paths = _trainable_paths(model)
    if len(stored) == 2:  # an optimizer that never trained: Keras saves no slots yet
        return ref._replace(
            iterations=_fresh(stored[0], ref.iterations.dtype),
            learning_rate=_fresh(stored[1], ref.learning_rate.dtype),
        )
    if len(stored) != 2 + len(paths) * len(slots):
        return None
    values = {}
    k = 2
    for path in paths:
        for slot_index in range(len(slots)):
            values[(slot_index, path)] = np.asarray(stored[k])
            k += 1
    iterations = _fresh(stored[0], ref.iterations.dtype)
    slot_ids = {id(s): i for i, s in enumerate(slots)}

    def fill(node: Any, prefix: tuple = ()) -> Any:
        if id(node) in slot_ids:
            i = slot_ids[id(node)]

            def one(p: Any, leaf: Any) -> Any:
                value = values.get((i, tuple(k.key for k in p)))
                if value is None:  # a frozen weight: Keras keeps no slot for it
                    return leaf
                return jnp.asarray(value, leaf.dtype).reshape(leaf.shape)

            return jax.tree_util.tree_map_with_path(one, node)
        if isinstance(node, tuple) and hasattr(node, "_fields"):
            return type(node)(
                *[
                    _fresh(stored[0], getattr(node, f).dtype)
                    if f == "count"
                    else fill(getattr(node, f))
                    for f in node._fields
                ]
            )
        if isinstance(node, tuple):
            return tuple(fill(c) for c in node)
        return node

    try:
        rule = fill(ref.rule)
    except (KeyError, ValueError, TypeError):
        return None
    return ref._replace(
        iterations=iterations,
        learning_rate=jnp.asarray(np.asarray(stored[1]), ref.learning_rate.dtype),
        rule=rule,
    )
