"""JAX-native exports with ``flax.serialization`` (msgpack; no pickle, no Keras layout).

``save_variables`` writes a model's ``{"params", "state"}`` pytree (or any pytree of arrays);
``save_train_state`` writes a whole :class:`jnn.training.TrainState` (params, state, optax
state, metric states, rng, step) so research code can checkpoint and resume without the Keras
format. ``save_checkpoint`` / ``load_checkpoint`` write the same train state as an Orbax
checkpoint directory (``orbax-checkpoint`` comes with Flax).
"""

from __future__ import annotations

import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import serialization

from jnn._shell.runtime import atomic
from jnn._shell.saving import archive


def _tree_of(obj: Any) -> Any:
    if getattr(obj, "_is_model", False):
        return obj.variables_tree
    return obj


def _keys_to_data(tree: Any) -> Any:
    def one(x: Any) -> Any:
        if isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jax.dtypes.prng_key):
            return jax.random.key_data(x)
        return x

    return jax.tree.map(one, tree)


def _write(path: Any, data: bytes, overwrite: bool, caller: str) -> None:
    path = atomic.check_destination(str(os.fspath(path)), overwrite, caller)
    with atomic.atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def _read(path: Any, caller: str) -> bytes:
    path = str(os.fspath(path))
    archive.check_exists(path, caller)
    with open(path, "rb") as f:
        return f.read()


def save_variables(model_or_tree: Any, filepath: Any, overwrite: bool = True) -> None:
    """Writes a model's variables (or a pytree of arrays) as Flax msgpack, atomically.

    Example:
        >>> jnn.saving.save_variables(model, "vars.msgpack")  # doctest: +SKIP
    """
    tree = _keys_to_data(_tree_of(model_or_tree))
    tree = jax.tree.map(np.asarray, tree)
    _write(
        filepath,
        serialization.msgpack_serialize(serialization.to_state_dict(tree)),
        overwrite,
        "save_variables",
    )


def load_variables(filepath: Any, target: Any = None) -> Any:
    """Reads :func:`save_variables`' file; with a model or pytree ``target``, restores into
    its structure (and, for a model, sets the model's variables).

    Example:
        >>> variables = jnn.saving.load_variables("vars.msgpack")  # doctest: +SKIP
    """
    data = _read(filepath, "load_variables")
    raw = _restore(data, filepath)
    if target is None:
        return raw
    ref = _tree_of(target)
    try:
        tree = serialization.from_state_dict(ref, raw)
        _check_shapes(ref, tree, filepath)
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"load_variables: '{filepath}' does not match the target: {e}") from e
    tree = jax.tree.map(jnp.asarray, tree)
    if getattr(target, "_is_model", False):
        target.set_variables(tree)
        target._invalidate_train_state()
    return tree


def save_train_state(train_state: Any, filepath: Any, overwrite: bool = True) -> None:
    """Writes a whole ``TrainState`` (optimizer state, rng and step included) as msgpack.

    A model is accepted too: its train state after ``fit``.

    Example:
        >>> jnn.saving.save_train_state(ts, "ckpt.msgpack")  # doctest: +SKIP
    """
    ts = _train_state_of(train_state)
    state = serialization.to_state_dict(_keys_to_data(ts))
    state = jax.tree.map(np.asarray, state)
    _write(filepath, serialization.msgpack_serialize(state), overwrite, "save_train_state")


def load_train_state(filepath: Any, target: Any) -> Any:
    """Restores :func:`save_train_state`'s file into the structure of ``target`` (a
    ``TrainState``, e.g. ``TrainState.create(...)`` for the same model and optimizer).

    Example:
        >>> ts = jnn.saving.load_train_state("ckpt.msgpack", ts)  # doctest: +SKIP
    """
    target = _train_state_of(target)
    raw = _restore(_read(filepath, "load_train_state"), filepath)
    typed_key = jnp.issubdtype(target.rng.dtype, jax.dtypes.prng_key)
    ref = _keys_to_data(target)
    try:
        restored = serialization.from_state_dict(ref, raw)
        _check_shapes(ref, restored, filepath)
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(
            f"load_train_state: '{filepath}' does not match the target train state: {e}"
        ) from e
    restored = jax.tree.map(lambda r, a: jnp.asarray(a, dtype=r.dtype), ref, restored)
    if typed_key:
        restored = restored.replace(rng=jax.random.wrap_key_data(restored.rng))
    return restored


def _train_state_of(obj: Any) -> Any:
    if getattr(obj, "_is_model", False):
        ts = obj.__dict__.get("_train_state")
        if ts is None:
            raise ValueError(
                f"Model '{obj.name}' has no train state yet: call fit (or pass a TrainState)."
            )
        return ts
    return obj


def _restore(data: bytes, filepath: Any) -> Any:
    try:
        return serialization.msgpack_restore(data)
    except Exception as e:  # msgpack raises many types on corrupted input
        raise ValueError(
            f"Could not read '{filepath}': not a valid Flax msgpack file (corrupted or "
            f"truncated?). {type(e).__name__}: {e}"
        ) from e


def _check_shapes(ref: Any, tree: Any, filepath: Any) -> None:
    for (path, a), b in zip(jax.tree_util.tree_flatten_with_path(ref)[0], jax.tree.leaves(tree)):
        if np.shape(a) != np.shape(b):
            raise ValueError(
                f"'{jax.tree_util.keystr(path)}' has shape {np.shape(b)} in '{filepath}', "
                f"expected {np.shape(a)}"
            )


# --- Orbax ---------------------------------------------------------------------------------------
def save_checkpoint(train_state: Any, directory: Any, overwrite: bool = True) -> None:
    """Writes a whole ``TrainState`` (or a model's, after ``fit``) as an Orbax checkpoint.

    Orbax writes into a temporary directory and renames it when complete.

    Example:
        >>> jnn.saving.save_checkpoint(ts, "/tmp/ckpt/step_100")  # doctest: +SKIP
    """
    import orbax.checkpoint as ocp

    path = os.path.abspath(str(os.fspath(directory)))
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"save_checkpoint: '{path}' already exists and `overwrite=False`.")
    tree = _keys_to_data(_train_state_of(train_state))
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, tree, force=overwrite)
        checkpointer.wait_until_finished()


def load_checkpoint(directory: Any, target: Any) -> Any:
    """Restores :func:`save_checkpoint`'s directory into the structure of ``target`` (a
    ``TrainState`` for the same model and optimizer).

    Example:
        >>> ts = jnn.saving.load_checkpoint("/tmp/ckpt/step_100", ts)  # doctest: +SKIP
    """
    import orbax.checkpoint as ocp

    path = os.path.abspath(str(os.fspath(directory)))
    if not os.path.isdir(path):
        raise FileNotFoundError(f"load_checkpoint: no checkpoint directory '{path}'.")
    target = _train_state_of(target)
    typed_key = jnp.issubdtype(target.rng.dtype, jax.dtypes.prng_key)
    ref = jax.tree.map(
        lambda a: jax.ShapeDtypeStruct(np.shape(a), jnp.asarray(a).dtype), _keys_to_data(target)
    )
    try:
        with ocp.StandardCheckpointer() as checkpointer:
            restored = checkpointer.restore(path, ref)
    except Exception as e:  # orbax raises many types for damaged or foreign directories
        raise ValueError(
            f"load_checkpoint: could not restore '{path}' into the target train state: "
            f"{type(e).__name__}: {e}"
        ) from e
    if typed_key:
        restored = restored.replace(rng=jax.random.wrap_key_data(restored.rng))
    return restored
