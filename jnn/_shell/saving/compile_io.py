"""``compile_config``: what ``compile`` received, in Keras 3's serialized form, and back."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from jnn._shell.saving import registry
from jnn._shell.saving import serialization as ser


def compile_config(model: Any) -> dict[str, Any] | None:
    """Keras 3's ``compile_config`` of a compiled model (None when not compiled)."""
    cfg = model.__dict__.get("_compiled")
    if cfg is None:
        return None
    spe = cfg.steps_per_execution
    return {
        "optimizer": _optimizer(cfg.optimizer),
        "loss": _objective(cfg.loss),
        "loss_weights": ser.serialize_keras_object(cfg.loss_weights),
        "metrics": _objective(cfg.metrics),
        "weighted_metrics": _objective(cfg.weighted_metrics),
        "run_eagerly": bool(cfg.run_eagerly),
        "steps_per_execution": spe if isinstance(spe, int) else 1,
        "jit_compile": cfg.jit_compile if isinstance(cfg.jit_compile, bool) else True,
    }


def jnn_extras(model: Any) -> dict[str, Any]:
    """Compile arguments Keras's format cannot carry (kept in ``metadata.json``)."""
    cfg = model.__dict__.get("_compiled")
    if cfg is None:
        return {}
    return {"steps_per_execution": cfg.steps_per_execution}


def _optimizer(opt: Any) -> Any:
    from jnn._core.optimizers import registry as opt_registry
    from jnn._core.optimizers.base import Optimizer

    if not isinstance(opt, Optimizer):
        return None
    module, registered = ser._module_of(type(opt))
    config = dict(opt.get_config())
    if config.get("decay") in (0, 0.0, None):
        config.pop("decay", None)  # Keras 3 warns about the Keras 2 `decay` argument
    out = opt_registry.serialize(opt)
    out.update(module=module, registered_name=registered, config=ser.serialize_keras_object(config))
    return out


def _objective(value: Any) -> Any:
    """Losses / metrics: names stay names, objects and functions become configs."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _objective(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_objective(v) for v in value]
    if callable(value) and not hasattr(value, "get_config"):
        return ser.serialize_function(value)
    return ser.serialize_keras_object(value)


def compile_from_config(model: Any, config: Any, extras: Any, custom_objects: Any) -> None:
    """Compiles ``model`` from a ``compile_config`` (warns and skips what cannot be read)."""
    if not config:
        return
    try:
        kwargs = {
            "optimizer": _load_optimizer(config.get("optimizer"), custom_objects),
            "loss": _load_objective(config.get("loss"), custom_objects),
            "metrics": _load_objective(config.get("metrics"), custom_objects),
            "loss_weights": config.get("loss_weights"),
            "weighted_metrics": _load_objective(config.get("weighted_metrics"), custom_objects),
            "run_eagerly": bool(config.get("run_eagerly", False)),
            "jit_compile": config.get("jit_compile", True),
        }
    except (TypeError, ValueError, KeyError) as e:
        warnings.warn(
            f"The model was loaded without its compile configuration ({e}); call "
            "`model.compile(...)` before training it.",
            stacklevel=4,
        )
        return
    extras = extras if isinstance(extras, Mapping) else {}
    spe = extras.get("steps_per_execution", config.get("steps_per_execution", "auto"))
    kwargs["steps_per_execution"] = spe if spe == "auto" or isinstance(spe, int) else "auto"
    if kwargs["optimizer"] is None:
        kwargs["optimizer"] = "rmsprop"
    model.compile(**kwargs)


def _load_optimizer(config: Any, custom_objects: Any) -> Any:
    if config is None or isinstance(config, str):
        return config
    return ser.deserialize_keras_object(config, custom_objects)


def _load_objective(value: Any, custom_objects: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_load_objective(v, custom_objects) for v in value]
    if isinstance(value, Mapping) and "class_name" not in value:
        return {k: _load_objective(v, custom_objects) for k, v in value.items()}
    if isinstance(value, Mapping) and value.get("class_name") == "function":
        name = value.get("config")
        for key in (value.get("registered_name"), name):
            found = registry.get_registered_object(str(key), custom_objects)
            if found is not None:
                return found
        return name  # a built-in loss / metric function, by its Keras name
    return ser.deserialize_keras_object(value, custom_objects)
