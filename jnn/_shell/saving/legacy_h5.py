"""Legacy Keras 2 HDF5 model files (``model.save("m.h5")``), read and written.

Layout (``keras/src/legacy/saving/legacy_h5_format.py``): root attributes ``model_config``
(JSON ``{"class_name", "config"}``), ``training_config`` (the compile arguments with an
``optimizer_config``), ``keras_version`` and ``backend``; group ``model_weights`` lists
``layer_names`` and holds one group per layer whose ``weight_names`` attribute names its
datasets in weight order; group ``optimizer_weights`` holds the optimizer's variables
(iterations, learning rate, then the slots of every trainable weight). Weights are matched
to layers by order (layers that own weights), as Keras does.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

import h5py
import numpy as np

from jnn._shell.runtime import atomic
from jnn._shell.saving import build_guard, compile_io, keras_zip, optimizer_io, weights_io
from jnn._shell.saving import serialization as ser


def save(model: Any, path: str, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Writes ``model`` as a Keras 2 style ``.h5`` file, atomically."""
    path = atomic.check_destination(path, overwrite, "save")
    config = ser.serialize_keras_object(model)
    config.pop("build_config", None)
    with atomic.atomic_path(path) as tmp:
        with h5py.File(tmp, "w-") as f:
            f.attrs["keras_version"] = keras_zip.KERAS_FORMAT_VERSION
            f.attrs["backend"] = "jax"
            f.attrs["model_config"] = json.dumps(config)
            group = f.create_group("model_weights")
            group.attrs["keras_version"] = keras_zip.KERAS_FORMAT_VERSION
            group.attrs["backend"] = "jax"
            _write_layers(group, model)
            compiled = compile_io.compile_config(model) if include_optimizer else None
            if compiled is not None:
                training = dict(compiled)
                opt = training.pop("optimizer")
                if opt is not None:
                    training["optimizer_config"] = {
                        "class_name": opt["class_name"],
                        "config": opt["config"],
                    }
                f.attrs["training_config"] = json.dumps(training)
                _write_optimizer(f, model)
            f.flush()


def _write_layers(group: h5py.Group, model: Any) -> None:
    layers = list(model.layers)
    group.attrs["layer_names"] = np.array([la.name.encode("utf8") for la in layers])
    for layer in layers:
        g = group.create_group(layer.name)
        weights = list(layer.weights)
        names = [f"{layer.name}/{_weight_name(w, i)}" for i, w in enumerate(weights)]
        g.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
        for name, w in zip(names, weights):
            g.create_dataset(name, data=w.numpy())


def _weight_name(w: Any, i: int) -> str:
    path = getattr(w, "path", None) or getattr(w, "name", f"weight_{i}")
    return f"{i}_{path}"


def _write_optimizer(f: h5py.File, model: Any) -> None:
    state = optimizer_io.current_opt_state(model)
    if state is None or model.optimizer is None:
        return
    values = optimizer_io._keras_layout(model, state)
    if values is None:
        return
    prefix = getattr(model.optimizer, "name", "optimizer").lower()
    names = [f"{prefix}/{i}" for i in range(len(values))]
    names[:2] = [f"{prefix}/iteration", f"{prefix}/learning_rate"]
    g = f.create_group("optimizer_weights")
    g.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
    for name, value in zip(names, values):
        g.create_dataset(name, data=value)


# --- reading -------------------------------------------------------------------------------------
def load(
    path: str,
    custom_objects: Any = None,
    compile: bool = True,  # noqa: A002
    safe_mode: bool = True,
) -> Any:
    """Reads a Keras 2 / Keras 3 legacy ``.h5`` model file."""
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as e:
        raise ValueError(
            f"Could not read '{path}': not a valid HDF5 model file (corrupted or truncated?). {e}"
        ) from e
    with f:
        file_bytes = weights_io.check_file(f, path)  # nothing may reach outside the file
        try:
            guard = build_guard.limit_builds(file_bytes, path) if safe_mode else nullcontext()
            with guard:
                return _load_open(f, path, custom_objects, compile, safe_mode)
        except ValueError as e:
            if path in str(e):
                raise
            raise ValueError(f"Could not read '{path}': corrupted HDF5 file. {e}") from e
        except (
            OSError, RuntimeError, KeyError, AttributeError, IndexError, TypeError, OverflowError
        ) as e:
            raise ValueError(f"Could not read '{path}': corrupted HDF5 file. {e}") from e


def load_weights(model: Any, path: str) -> None:
    """Reads a Keras 2 weights file (``model.save_weights("w.h5")`` in Keras 2, and the
    ImageNet files of ``keras.applications``) or the weights of a legacy ``.h5`` model file
    into ``model``, layer by layer in order (Keras's legacy rule: names may differ).

    Raises:
        ValueError: Not such a file, damaged, or the layers / weights do not match.

    Example:
        >>> load_weights(model, "resnet50_weights_tf_dim_ordering_tf_kernels.h5")  # doctest: +SKIP
    """
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as e:
        raise ValueError(
            f"load_weights: could not read '{path}': not a valid HDF5 weights file "
            f"(corrupted or truncated?). {e}"
        ) from e
    with f:
        weights_io.check_file(f, path)  # nothing may reach outside the file
        group = f["model_weights"] if "model_weights" in f else f
        if not _names(group, "layer_names"):
            raise ValueError(
                f"load_weights: '{path}' is not a Keras 2 `.h5` weights file (it has no "
                "`layer_names`); Keras 3 weights files end in `.weights.h5`."
            )
        _guarded(lambda: _read_layers(group, model, path), path)


def _load_open(
    f: h5py.File,
    path: str,
    custom_objects: Any,
    compile: bool,  # noqa: A002
    safe_mode: bool,
) -> Any:
    try:
        raw = f.attrs.get("model_config")
        training = f.attrs.get("training_config")
    except (OSError, RuntimeError, KeyError) as e:
        raise ValueError(f"Could not read '{path}': corrupted HDF5 attributes. {e}") from e
    if raw is None:
        raise ValueError(
            f"Could not read '{path}': it has no `model_config` attribute, so it holds "
            "weights only. Build the model in code and call `model.load_weights(...)`."
        )
    config = _json(raw, path, "model_config")
    model = keras_zip.from_config_checked(config, path, custom_objects, safe_mode)
    if "model_weights" not in f:
        raise ValueError(f"Could not read '{path}': it has no `model_weights` group.")
    _guarded(lambda: _read_layers(f["model_weights"], model, path), path)
    if compile and training is not None:
        training = _json(training, path, "training_config")
        compile_cfg = dict(training)
        compile_cfg["optimizer"] = training.get("optimizer_config")
        compile_io.compile_from_config(model, compile_cfg, None, custom_objects)
        if model.__dict__.get("_compiled") is not None and "optimizer_weights" in f:
            state = _guarded(lambda: _read_optimizer(f["optimizer_weights"], model), path)
            if state is not None:
                optimizer_io.restore(model, state)
    return model


def _guarded(fn: Any, path: str) -> Any:
    try:
        return fn()
    except (OSError, KeyError, TypeError, RuntimeError, IndexError, AttributeError) as e:
        raise ValueError(f"Could not read the weights in '{path}': corrupted file. {e}") from e


def _json(raw: Any, path: str, what: str) -> Any:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    try:
        value = json.loads(str(raw))
    except (json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"Could not read '{path}': `{what}` is not valid JSON. {e}") from e
    if not isinstance(value, dict):
        raise ValueError(f"Could not read '{path}': `{what}` must be a JSON object.")
    return value


def _names(group: h5py.Group, attr: str) -> list[str]:
    """A list-of-strings attribute (Keras splits long ones into ``attr0``, ``attr1``...)."""
    if attr in group.attrs:
        values = list(group.attrs[attr])
    else:
        values, i = [], 0
        while f"{attr}{i}" in group.attrs:
            values += list(group.attrs[f"{attr}{i}"])
            i += 1
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def _read_layers(group: h5py.Group, model: Any, path: str) -> None:
    layers = [la for la in model.layers if la.weights]
    saved = [n for n in _names(group, "layer_names") if _names(group[n], "weight_names")]
    if len(saved) != len(layers):
        raise ValueError(
            f"Layer count mismatch when loading weights from '{path}': model '{model.name}' "
            f"has {len(layers)} layers with weights, the file has {len(saved)} ({saved})."
        )
    plan = []
    for k, (name, layer) in enumerate(zip(saved, layers)):
        g = group[name]
        names = _names(g, "weight_names")
        targets = list(layer.weights)
        if len(names) != len(targets):
            raise ValueError(
                f"Weight count mismatch for layer #{k} (named '{layer.name}' in the model, "
                f"'{name}' in '{path}'): the layer has {len(targets)} weights, the file "
                f"{len(names)}."
            )
        for w, wname in zip(targets, names):
            ds = _local_dataset(g, wname, path)
            if tuple(ds.shape) != tuple(w.shape):
                raise ValueError(
                    f"Layer '{layer.name}': weight '{w.name}' has shape {tuple(w.shape)}, but "
                    f"'{path}' holds shape {tuple(ds.shape)} (dataset '{wname}')."
                )
            plan.append((w, np.asarray(ds)))
    for w, value in plan:
        w.assign(value)
    model._invalidate_train_state()


def _local_dataset(group: h5py.Group, name: str, path: str) -> h5py.Dataset:
    """``group[name]`` when it is a plain dataset of this file (links to other files and
    virtual datasets are refused: a model file must not make us read other files)."""
    ds = group[name]
    if (
        not isinstance(ds, h5py.Dataset)
        or ds.file.filename != group.file.filename
        or (ds.is_virtual)
    ):
        raise ValueError(f"Could not read '{path}': '{name}' is not a dataset of this file.")
    return ds


def _read_optimizer(group: h5py.Group, model: Any) -> Any:
    names = _names(group, "weight_names")
    values = [_local_dataset(group, n, group.file.filename) for n in names]
    ref = optimizer_io.template(model)
    return optimizer_io._from_keras_layout(model, ref, values)
