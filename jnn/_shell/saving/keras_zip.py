"""The Keras 3 ``.keras`` format: a zip with ``config.json``, ``metadata.json`` and
``model.weights.h5`` (the weights file's layout is :mod:`jnn._shell.saving.weights_io`'s).

``config.json`` is the model's serialized config plus ``compile_config``; the weights file
holds every layer's variables and the optimizer's (``optimizer/vars``, see
:mod:`jnn._shell.saving.optimizer_io`).
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from contextlib import nullcontext
from typing import Any

import h5py

from jnn._shell.runtime import atomic
from jnn._shell.saving import archive, build_guard, compile_io, optimizer_io, weights_io
from jnn._shell.saving import serialization as ser
from jnn._version import __version__

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
# The Keras version whose format we write (Keras only reads it for information).
KERAS_FORMAT_VERSION = "3.15.1"


def model_config(model: Any, include_optimizer: bool = True) -> dict[str, Any]:
    config = ser.serialize_keras_object(model)
    compiled = compile_io.compile_config(model) if include_optimizer else None
    config["compile_config"] = compiled if compiled is not None else {}
    return config


def save(model: Any, path: str, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Writes ``model`` to ``path`` (``.keras``) atomically."""
    path = atomic.check_destination(path, overwrite, "save")
    config = model_config(model, include_optimizer)
    metadata = {
        "keras_version": KERAS_FORMAT_VERSION,
        "jnn_version": __version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "jnn": compile_io.jnn_extras(model),
    }
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        weights_io.write_model_weights(f, model)
        if include_optimizer and model.__dict__.get("_compiled") is not None:
            optimizer_io.write(f, model)
    with atomic.atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr(METADATA, json.dumps(metadata), zipfile.ZIP_DEFLATED)
            zf.writestr(CONFIG, json.dumps(config), zipfile.ZIP_DEFLATED)
            zf.writestr(WEIGHTS, buffer.getvalue(), zipfile.ZIP_STORED)


def load(
    path: str,
    custom_objects: Any = None,
    compile: bool = True,  # noqa: A002
    safe_mode: bool = True,
) -> Any:
    """Reads a ``.keras`` file written by jnn or Keras 3.

    The weights member is checked first (it may not reach outside itself, see
    :mod:`jnn._shell.saving.h5_safety`); the model is then built under a size limit set by
    the weights it holds (:mod:`jnn._shell.saving.build_guard`), and filled.
    """
    where = f"{path}/{WEIGHTS}"
    with archive.open_zip(path) as zf:
        config = archive.read_json(
            archive.read_member(zf, path, CONFIG, archive.MAX_JSON_BYTES), path, CONFIG
        )
        metadata: dict[str, Any] = {}
        if METADATA in zf.namelist():
            metadata = archive.read_json(
                archive.read_member(zf, path, METADATA, archive.MAX_JSON_BYTES), path, METADATA
            )
        with archive.open_h5_member(zf, path, WEIGHTS) as f:
            file_bytes = weights_io.check_file(f, where)
            guard = build_guard.limit_builds(file_bytes, where) if safe_mode else nullcontext()
            with guard:
                model = from_config_checked(config, path, custom_objects, safe_mode)
            weights_io.read_model_weights(f, model, where, stacklevel=4, checked=True)
            if compile:
                compile_io.compile_from_config(
                    model, config.get("compile_config"), metadata.get("jnn"), custom_objects
                )
                if model.__dict__.get("_compiled") is not None:
                    state = _read_optimizer(f, model, path)
                    if state is not None:
                        optimizer_io.restore(model, state)
    return model


def _read_optimizer(f: Any, model: Any, path: str) -> Any:
    try:
        return optimizer_io.read(f, model, path)
    except (OSError, KeyError, TypeError, ValueError, RuntimeError, OverflowError) as e:
        raise ValueError(
            f"Could not read the optimizer state in '{path}': corrupted file. {e}"
        ) from e


def from_config_checked(config: Any, path: str, custom_objects: Any, safe_mode: bool) -> Any:
    """Deserializes the model config; malformed configs become a ValueError naming ``path``."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not read '{path}': the model config has no 'class_name'.")
    try:
        model = ser.deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
    except (KeyError, IndexError, AttributeError, RecursionError) as e:
        raise ValueError(
            f"Could not rebuild the model stored in '{path}': its config is malformed "
            f"({type(e).__name__}: {e})."
        ) from e
    except build_guard.BuildLimitError:
        raise
    except (ValueError, TypeError) as e:
        raise ser.DeserializationError(
            f"Could not rebuild the model stored in '{path}': {e}"
        ) from e
    if not getattr(model, "_is_model", False):
        raise ValueError(
            f"Could not read '{path}': its config describes a {type(model).__name__}, not a model."
        )
    return model
