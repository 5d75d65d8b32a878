"""Keras 3 ``.weights.h5`` files: ``Model.save_weights`` / ``Model.load_weights``.

The layout is Keras 3's (``keras/src/saving/saving_lib.py``), so files move both ways between
jnn and Keras 3. Every saveable object (model or layer) gets a group ``<path>/vars`` carrying
the attribute ``name`` and holding its own variables as datasets ``0``, ``1``, ... in Keras
weight order (trainable first). Paths are built by walking the model as Keras does:

* Sequential / functional models: the ``layers`` list first. A list's items are named after
  their class in snake case, made unique per list: ``layers/dense``, ``layers/dense_1``,
  ``layers/input_layer`` (functional models list their input layers, Sequential does not).
* Subclassed models: attributes in sorted order (private ones last), plus the ``layers``
  property, which Keras visits as an attribute too: ``hidden1/vars``, ``blocks/dense/vars``.
  An object already written under an earlier path is skipped, so a layer that ``layers``
  reaches first (alphabetically before its attribute) is stored under ``layers/...``.
* Nested models recurse: ``layers/sequential/layers/dense/vars``; the root model is ``vars``.

The optimizer's variables (group ``optimizer``) belong to whole-model files (``.keras``): see
:mod:`jnn._shell.saving.optimizer_io`; ``save_weights`` / ``load_weights`` leave them out.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import h5py
import numpy as np

from jnn._core.layers.base import Layer, to_snake_case
from jnn._shell import protocol
from jnn._shell.layers.graph import keras_layer_order as _keras_layer_order

SUFFIX = ".weights.h5"

# Attributes of jnn models that hold framework bookkeeping (not user sub-layers).
_INTERNAL_ATTRS = frozenset(
    {
        "_tracked",
        "_layers",
        "_binding",
        "_compiled",
        "_engine",
        "_train_state",
        "_opt_state_keep",
        "_nodes",
        "_build_spec",
        "_weight_order",
        "_output_spec_cache",
        "optimizer",
        "history",
    }
)


# --- public functions ------------------------------------------------------------------------
def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Writes ``model``'s weights to a Keras 3 ``.weights.h5`` file, atomically.

    The file is written next to its destination under a temporary name, flushed to disk and
    moved into place only once complete, so a failure or a kill mid-write leaves any previous
    file intact.

    Args:
        model: A built jnn model (Sequential, functional, subclassed or nested).
        filepath: Destination; must end in ``.weights.h5``.
        overwrite: When False, an existing file is an error (there is no interactive prompt).

    Example:
        >>> model.save_weights("my_model.weights.h5")  # doctest: +SKIP
    """
    from jnn._shell.runtime import atomic

    path = _check_filepath(filepath, "save_weights")
    _require_built(model, "save its weights")
    path = atomic.check_destination(path, overwrite, "save_weights")
    with atomic.atomic_path(path) as tmp:
        with h5py.File(tmp, "w-") as f:
            write_model_weights(f, model)
            f.flush()


def write_model_weights(f: h5py.File | h5py.Group, model: Any) -> None:
    """Writes every layer's ``<path>/vars`` group of ``model`` into an open HDF5 file."""
    for group_path, obj in list(_walk(model, "", set())):
        _write_entry(f, group_path, obj)


def load_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False) -> None:
    """Reads weights from a Keras 3 ``.weights.h5`` file into ``model`` (by layer path).

    Every layer is checked (variable count and shapes) before any weight is changed.

    Args:
        model: A built jnn model with the same architecture as the saved one.
        filepath: A ``.weights.h5`` file written by jnn or by Keras 3.
        skip_mismatch: When True, layers whose variables do not match are skipped with a
            warning instead of raising.

    Raises:
        ValueError: Mismatched layers (unless ``skip_mismatch``), a bad file name, or a file
            that is not a readable weights file.

    Example:
        >>> model.load_weights("my_model.weights.h5")  # doctest: +SKIP
    """
    path = _check_filepath(filepath, "load_weights")
    _require_built(model, "load weights into it")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_weights: no such file: '{path}'.")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(
            f"load_weights: could not read '{path}': it is not a valid HDF5 weights file "
            f"(corrupted or truncated?). {e}"
        ) from e
    with f:
        read_model_weights(f, model, path, skip_mismatch=skip_mismatch, stacklevel=3)


def read_model_weights(
    f: h5py.File | h5py.Group,
    model: Any,
    path: str,
    skip_mismatch: bool = False,
    stacklevel: int = 2,
    checked: bool = False,
) -> None:
    """Checks then assigns every layer's weights from an open Keras 3 weights file.

    ``checked=True`` says :func:`check_file` already vetted ``f``.
    """
    if not checked:
        check_file(f, path)
    try:
        plan, problems = _plan_load(f, model, path)
        hint = "" if not problems or _has_weight_groups(f) else _NO_GROUPS_HINT
    except _DAMAGED as e:
        raise ValueError(
            f"load_weights: could not read '{path}': the file is corrupted "
            f"({type(e).__name__}: {e})."
        ) from e
    if problems and not skip_mismatch:
        raise ValueError(
            f"load_weights: the weights in '{path}' do not match model '{model.name}':\n"
            + "\n".join(f"- {p}" for _, p in problems)
            + hint
        )
    for layer, message in problems:
        warnings.warn(
            f"Skipping variable loading for layer '{layer.name}' (of type "
            f"{type(layer).__name__}) because of the following error: {message}",
            stacklevel=stacklevel,
        )
    for targets, arrays in plan:
        for weight, array in zip(targets, arrays):
            weight.assign(array)
    for _, obj in _walk(model, "", set()):
        if hasattr(obj, "_invalidate_train_state"):
            obj._invalidate_train_state()


# --- validation --------------------------------------------------------------------------------
# What h5py raises from damaged files besides OSError (HDF5 walks, overflowing sizes).
_DAMAGED = (OSError, RuntimeError, TypeError, OverflowError, KeyError, IndexError, SystemError)


def check_file(f: h5py.File | h5py.Group, path: str) -> int:
    """Refuses a file that reaches outside itself; its datasets' total bytes.

    Damaged files raise a ValueError naming ``path`` (never h5py's internal errors).

    Example:
        >>> with h5py.File("m.weights.h5", "r") as f:  # doctest: +SKIP
        ...     check_file(f, "m.weights.h5")
    """
    from jnn._shell.saving import h5_safety

    try:
        return h5_safety.check_self_contained(f, path)
    except h5_safety.UnsafeHDF5Error:
        raise
    except (*_DAMAGED, ValueError) as e:
        raise ValueError(
            f"Could not read '{path}': the HDF5 file is corrupted ({type(e).__name__}: {e})."
        ) from e


def _check_filepath(filepath: Any, caller: str) -> str:
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(
            f"{caller}: argument `filepath` must be a str or path-like ending in `{SUFFIX}`, "
            f"received {filepath!r} of type {type(filepath).__name__}."
        )
    path = os.fspath(filepath)
    if not str(path).endswith(SUFFIX):
        raise ValueError(
            f"{caller}: argument `filepath` must end in `{SUFFIX}` (the Keras 3 weights "
            f"format), received filepath={str(path)!r}."
        )
    return str(path)


def _require_built(model: Any, what: str) -> None:
    if not getattr(model, "built", False):
        raise ValueError(
            f"Model '{model.name}' has not been built yet, so you cannot {what}. Build it first "
            "by calling it on some data, calling `model.build(input_shape)`, or giving it an "
            "input shape (e.g. `jnn.Input(shape=(4,))`)."
        )


# --- the Keras 3 walk --------------------------------------------------------------------------
def _is_model(obj: Any) -> bool:
    return bool(getattr(obj, "_is_model", False))


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def _walk(obj: Any, path: str, visited: set[int]) -> Iterator[tuple[str, Any]]:
    """Yields ``(group_path, saveable)`` in Keras 3's order, each object once."""
    if id(obj) in visited:
        return
    visited.add(id(obj))
    yield path, obj
    if not _is_model(obj):
        return
    for attr, child in _children(obj):
        sub = _join(path, attr)
        if isinstance(child, Layer):
            yield from _walk(child, sub, visited)
        elif isinstance(child, (list, tuple, Mapping)):
            yield from _walk_container(child, sub, visited, set())


def _walk_container(
    container: Any, path: str, visited: set[int], seen: set[int]
) -> Iterator[tuple[str, Any]]:
    if id(container) in seen:
        return
    seen.add(id(container))
    used: dict[str, int] = {}
    items = container.values() if isinstance(container, Mapping) else container
    for item in items:
        if isinstance(item, Layer):
            name = _unique(to_snake_case(type(item).__name__), used)
            yield from _walk(item, _join(path, name), visited)
        elif isinstance(item, (list, tuple, Mapping)):
            name = _unique("container", used)
            yield from _walk_container(item, _join(path, name), visited, seen)


def _unique(name: str, used: dict[str, int]) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _children(model: Any) -> list[tuple[str, Any]]:
    """A model's child attributes in Keras's order (``layers`` first for graph models)."""
    graph_model = protocol.is_graph_model(model)
    names = [
        k
        for k in vars(model)
        if not k.startswith("__") and k not in _INTERNAL_ATTRS and k != "layers"
    ]
    if not graph_model:
        names.append("layers")
    out = []
    if graph_model:
        ordered = _keras_layer_order(model) if protocol.is_functional(model) else None
        out.append(("layers", ordered or model.layers))
    for name in sorted(names, key=_name_key):
        out.append((name, model.layers if name == "layers" else vars(model)[name]))
    return out


# --- writing -----------------------------------------------------------------------------------
def _vars_path(group_path: str) -> str:
    return _join(group_path, "vars")


def _write_entry(f: h5py.File, group_path: str, obj: Any) -> None:
    if _is_model(obj):
        f.create_group(_vars_path(group_path)).attrs["name"] = obj.name
        return
    for sub_path, name, weights in _weight_groups(obj, group_path, list(obj.weights)):
        group = f.create_group(_vars_path(sub_path))
        group.attrs["name"] = name
        for i, weight in enumerate(weights):
            _write_array(group, str(i), weight.numpy())


def _weight_groups(layer: Any, path: str, weights: list) -> list[tuple[str, str, list]]:
    """``(group_path, name, weights)`` of a layer as Keras 3 nests them.

    Keras keeps an RNN's weights on its ``cell`` (``lstm/cell/vars``), a Bidirectional's on
    ``forward_layer`` / ``backward_layer`` and a TimeDistributed's on ``layer``; the wrapper's
    own ``vars`` group is empty.
    """
    cell = layer.__dict__.get("cell")
    fwd, bwd = layer.__dict__.get("forward_layer"), layer.__dict__.get("backward_layer")
    inner = layer.__dict__.get("layer")
    if isinstance(fwd, Layer) and isinstance(bwd, Layer):
        half = len(weights) // 2
        return (
            [(path, layer.name, [])]
            + _weight_groups(fwd, _join(path, "forward_layer"), weights[:half])
            + _weight_groups(bwd, _join(path, "backward_layer"), weights[half:])
        )
    if isinstance(cell, Layer):
        return [(path, layer.name, []), (_join(path, "cell"), cell.name, weights)]
    if isinstance(inner, Layer) and not _is_model(layer):
        return [(path, layer.name, [])] + _weight_groups(inner, _join(path, "layer"), weights)
    if any("/" in w.name for w in weights):
        # Weights of sub-layers (MultiHeadAttention's `query/kernel`): one group per sub-layer.
        own = [w for w in weights if "/" not in w.name]
        groups: dict[str, list] = {}
        for w in weights:
            if "/" in w.name:
                groups.setdefault(w.name.split("/", 1)[0], []).append(w)
        return [(path, layer.name, own)] + [
            (_join(path, _KERAS_SUBLAYERS.get(sub, sub)), sub, ws) for sub, ws in groups.items()
        ]
    return [(path, layer.name, weights)]


# jnn's sub-layer weight prefixes -> Keras 3's attribute names.
_KERAS_SUBLAYERS = {
    "query": "query_dense",
    "key": "key_dense",
    "value": "value_dense",
    "attention_output": "output_dense",
}


def _write_array(group: h5py.Group, key: str, value: np.ndarray) -> None:
    if value.dtype.name == "bfloat16":
        ds = group.create_dataset(key, data=value)
        ds.attrs["dtype"] = "bfloat16"
    else:
        group[key] = value


# --- reading -----------------------------------------------------------------------------------
def _plan_load(f: h5py.File, model: Any, path: str) -> tuple[list, list]:
    """Reads every layer's arrays and checks them; no weight is changed here."""
    plan: list[tuple[list[Any], list[np.ndarray]]] = []
    problems: list[tuple[Any, str]] = []
    for group_path, obj in _walk(model, "", set()):
        if _is_model(obj):
            continue
        groups = _weight_groups(obj, group_path, list(obj.weights))
        checked = []
        for sub_path, _, targets in groups:
            try:
                arrays = _read_vars(f, _vars_path(sub_path))
            except (*_DAMAGED, ValueError) as e:
                raise ValueError(
                    f"load_weights: could not read group '{_vars_path(sub_path)}' of '{path}': "
                    f"the file is corrupted or is not a Keras 3 weights file. {e}"
                ) from e
            problem = _mismatch(obj, sub_path, targets, arrays)
            if problem is None:
                try:
                    arrays = [_read_array(ds) for ds in arrays]
                except (*_DAMAGED, ValueError) as e:
                    raise ValueError(
                        f"load_weights: could not read group '{_vars_path(sub_path)}' of "
                        f"'{path}': the file is corrupted. {e}"
                    ) from e
            checked.append((problem, targets, arrays))
        problem = next((p for p, _, _ in checked if p), None)
        if problem:
            problems.append((obj, problem))
        else:
            plan += [(targets, arrays) for _, targets, arrays in checked]
    return plan, problems


_NO_GROUPS_HINT = (
    "\nThe file holds no Keras 3 weight groups (`<path>/vars/0`, ...): it is not a Keras 3 "
    "`.weights.h5` file (legacy Keras 2 `.h5` weight files are not supported)."
)


def _has_weight_groups(f: h5py.File) -> bool:
    found = []

    def visit(name: str, obj: Any) -> Any:
        if isinstance(obj, h5py.Dataset) and name.rsplit("/", 2)[-2:-1] == ["vars"]:
            found.append(name)
            return True
        return None

    f.visititems(visit)
    return bool(found)


def _read_vars(f: h5py.File, vars_path: str) -> list[h5py.Dataset]:
    """The datasets of a ``vars`` group, unread: shapes are checked before any data is."""
    if vars_path not in f:
        return []
    group = f[vars_path]
    if not isinstance(group, h5py.Group):
        raise TypeError(f"'{vars_path}' is a {type(group).__name__}, expected a group")
    datasets = []
    for i in range(len(group.keys())):
        if not isinstance(group.get(str(i), getlink=True), h5py.HardLink):
            # External / soft links could make the reader open other files on this machine.
            raise TypeError(f"'{vars_path}/{i}' is a link, expected a dataset")
        ds = group[str(i)]
        if isinstance(ds, h5py.Dataset) and ds.is_virtual:
            raise TypeError(f"'{vars_path}/{i}' is a virtual dataset (maps other files)")
        if not isinstance(ds, h5py.Dataset):
            raise TypeError(f"'{vars_path}/{i}' is a {type(ds).__name__}, expected a dataset")
        datasets.append(ds)
    return datasets


def _read_array(ds: h5py.Dataset) -> np.ndarray:
    if ds.attrs.get("dtype") == "bfloat16":
        import ml_dtypes

        return np.array(ds, dtype=ml_dtypes.bfloat16)
    return np.array(ds)


def _mismatch(layer: Any, group_path: str, targets: list, arrays: list) -> str | None:
    where = f"group '{_vars_path(group_path)}'"
    if len(arrays) != len(targets):
        return (
            f"Layer '{layer.name}' expected {len(targets)} variables, but received "
            f"{len(arrays)} variables during loading ({where}). Expected: "
            f"{[w.name for w in targets]}"
        )
    for i, (w, a) in enumerate(zip(targets, arrays)):
        if tuple(a.shape) != tuple(w.shape):
            return (
                f"Layer '{layer.name}': weight '{w.name}' has shape {tuple(w.shape)}, but the "
                f"file holds shape {tuple(a.shape)} ({where}, dataset '{i}')."
            )
    return None
