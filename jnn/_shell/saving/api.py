"""Whole-model saving: ``save_model`` / ``load_model`` by file extension, JSON, cloning."""

from __future__ import annotations

import json
import os
from typing import Any

from jnn._shell import protocol
from jnn._shell.saving import archive
from jnn._shell.saving import serialization as ser

_KERAS = ".keras"
_H5 = (".h5", ".hdf5")


def _path(filepath: Any, caller: str) -> str:
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(
            f"{caller}: argument `filepath` must be a str or path-like, received "
            f"{type(filepath).__name__}."
        )
    return str(os.fspath(filepath))


def save_model(
    model: Any,
    filepath: Any,
    overwrite: bool = True,
    zipped: Any = None,
    include_optimizer: bool = True,
    **kwargs: Any,
) -> None:
    """Saves ``model`` as ``.keras`` (Keras 3 zip) or ``.h5`` (legacy Keras 2 HDF5).

    Args:
        model: a jnn model (built).
        filepath: ends in ``.keras``, ``.h5`` or ``.hdf5``.
        overwrite: replace an existing file (default True).
        zipped: only ``None``/``True`` (the unzipped directory format is not supported).
        include_optimizer: also save the compile configuration and optimizer state.

    Example:
        >>> jnn.saving.save_model(model, "model.keras")  # doctest: +SKIP
    """
    path = _path(filepath, "save")
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise TypeError(f"save: unrecognized keyword argument(s) {sorted(kwargs)}.")
    if zipped is False:
        raise ValueError("save: `zipped=False` (an unzipped directory) is not supported by jnn.")
    if not getattr(model, "built", False):
        raise ValueError(
            f"Model '{model.name}' has not been built yet, so it cannot be saved. Build it by "
            "calling it on data, calling `model.build(input_shape)` or fit."
        )
    if path.endswith(".weights.h5"):
        raise ValueError(
            f"save: filepath={path!r} names a weights file; use `model.save_weights(...)` for "
            "weights only, or a `.keras` path to save the whole model."
        )
    if path.endswith(_KERAS) or save_format == "keras":
        from jnn._shell.saving import keras_zip

        keras_zip.save(model, path, overwrite, include_optimizer)
    elif path.endswith(_H5) or save_format == "h5":
        from jnn._shell.saving import legacy_h5

        legacy_h5.save(model, path, overwrite, include_optimizer)
    else:
        raise ValueError(
            "save: the filepath must end in `.keras` (recommended, the Keras 3 format) or "
            f"`.h5` (legacy Keras 2 HDF5); received filepath={path!r}."
        )


def load_model(
    filepath: Any,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:  # noqa: A002
    """Loads a model saved with ``model.save`` (by jnn, Keras 3, or Keras 2 for ``.h5``).

    Args:
        filepath: a ``.keras`` or ``.h5`` file.
        custom_objects: ``{name: class_or_function}`` for user objects in the config.
        compile: compile the model from the saved compile config (and restore the optimizer
            state) when there is one.
        safe_mode: refuse Python bytecode (Lambda layers' lambdas). Pass False only for
            files you trust.

    Raises:
        ValueError: the file is corrupted, truncated, unsafe or not a model file.

    Example:
        >>> model = jnn.models.load_model("model.keras")  # doctest: +SKIP
    """
    path = _path(filepath, "load_model")
    archive.check_exists(path, "load_model")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(
            "load_model: argument `custom_objects` must be a dict of name -> object, received "
            f"{type(custom_objects).__name__}."
        )
    kind = _sniff(path)
    if kind == "zip":
        from jnn._shell.saving import keras_zip

        return keras_zip.load(path, custom_objects, compile, safe_mode)
    if kind == "h5":
        from jnn._shell.saving import legacy_h5

        return legacy_h5.load(path, custom_objects, compile, safe_mode)
    raise ValueError(
        f"load_model: could not read '{path}': it is neither a `.keras` zip archive nor an "
        "HDF5 `.h5` file (wrong format, corrupted or truncated)."
    )


def _sniff(path: str) -> str | None:
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        return "zip"
    if head == b"\x89HDF\r\n\x1a\n":
        return "h5"
    return None


def to_json(model: Any, **kwargs: Any) -> str:
    """Keras 3's JSON of the model's architecture (``json.dumps`` kwargs allowed)."""
    return json.dumps(ser.serialize_keras_object(model), **kwargs)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuilds a model (new weights) from :func:`to_json`'s output or Keras's.

    Example:
        >>> import jnn
        >>> m = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,))])
        >>> jnn.models.model_from_json(m.to_json()).count_params()
        8
    """
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as e:
        raise ValueError(f"model_from_json: argument `json_string` is not valid JSON. {e}") from e
    return ser.deserialize_keras_object(config, custom_objects)


def clone_model(
    model: Any,
    input_tensors: Any = None,
    clone_function: Any = None,
    call_function: Any = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Any:
    """A new model with the same architecture and freshly initialised weights.

    Args:
        model: a Sequential or functional model (subclassed models need a registered class
            with ``get_config``).
        input_tensors: new ``jnn.Input`` tensor(s) to build the clone on (functional).
        clone_function: ``fn(layer) -> layer`` applied to every layer (default: a copy from
            the layer's config).

    Example:
        >>> import jnn
        >>> m = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,))])
        >>> jnn.models.clone_model(m).count_params()
        8
    """
    if kwargs:
        raise TypeError(f"clone_model: unrecognized keyword argument(s) {sorted(kwargs)}.")
    if call_function is not None:
        raise ValueError("clone_model: `call_function` is not supported by jnn.")
    fn = clone_function or _clone_layer
    if protocol.is_sequential(model):
        layers = [fn(la) for la in model.layers]
        if input_tensors is not None:
            layers = [input_tensors] + layers
        elif model.built:
            t = model._graph_input
            make_input = protocol.model_class("Input")
            layers = [make_input(batch_shape=t.shape, dtype=t.dtype, name=t.name)] + layers
        sequential = protocol.model_class("Sequential")
        return sequential(layers, name=model.name, trainable=model.trainable)
    if protocol.is_functional(model):
        return _clone_functional(model, fn, input_tensors)
    if getattr(model, "_is_model", False):
        return ser.deserialize_keras_object(ser.serialize_keras_object(model))
    raise ValueError(
        f"clone_model: argument `model` must be a jnn model, received {type(model).__name__}."
    )


def _clone_layer(layer: Any) -> Any:
    return type(layer).from_config(layer.get_config())


def _clone_functional(model: Any, fn: Any, input_tensors: Any) -> Any:
    from jnn._shell.layers import graph

    functional, make_input = protocol.model_class("Functional"), protocol.model_class("Input")
    if input_tensors is None:
        new_inputs = [make_input(batch_shape=t.shape, dtype=t.dtype, name=t.name) for t in model.inputs]
    else:
        new_inputs = graph.flatten(input_tensors)
        if len(new_inputs) != len(model.inputs):
            raise ValueError(
                f"clone_model: `input_tensors` has {len(new_inputs)} tensors, the model has "
                f"{len(model.inputs)} inputs."
            )
    values = {id(t): n for t, n in zip(model.inputs, new_inputs)}
    clones: dict[int, Any] = {}
    for node in model._nodes:
        layer = node.layer
        if id(layer) not in clones:
            clones[id(layer)] = fn(layer)
        args = graph.map_structure(lambda t: values[id(t)], node.inputs)
        out = clones[id(layer)](args, **dict(node.kwargs))
        for t, o in zip(node.output_tensors, graph.flatten(out)):
            values[id(t)] = o
    outputs = graph.map_structure(lambda t: values[id(t)], model._outputs_struct)
    inputs = graph.map_structure(lambda t: values[id(t)], model._inputs_struct)
    return functional(inputs, outputs, name=model.name, trainable=model.trainable)
