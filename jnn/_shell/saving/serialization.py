"""Keras 3 object configs: ``serialize_keras_object`` / ``deserialize_keras_object``.

Every object is written as Keras 3 does: ``{"module", "class_name", "config",
"registered_name"}``, so configs move both ways between jnn and Keras 3. Built-in jnn layers
are written under Keras's module names (``keras.layers``); user classes under their own module
and registered name. Python lambdas are written as base64 marshalled bytecode (Keras's
``__lambda__`` format) and only read back with ``safe_mode=False``. Nothing is pickled.
"""

from __future__ import annotations

import base64
import inspect
import marshal
import threading
import types
from collections.abc import Mapping
from typing import Any

import numpy as np

from jnn._shell.protocol import model_class
from jnn._shell.saving import registry

_state = threading.local()

UNSAFE_LAMBDA = (
    "Requested the deserialization of a `Lambda` layer (or function) whose code is Python "
    "bytecode stored in the file. This carries a risk of arbitrary code execution and is "
    "refused by default. If you trust the source of the file, pass `safe_mode=False` to the "
    "loading function."
)


class DeserializationError(TypeError, ValueError):
    """A config that cannot be rebuilt: a ValueError (bad file) and, as in Keras, a TypeError
    (unknown class)."""


# --- safe mode -----------------------------------------------------------------------------------
class SafeModeScope:
    """``with SafeModeScope(False):`` allows lambda bytecode for the loads inside."""

    def __init__(self, safe_mode: bool = True) -> None:
        self.safe_mode = bool(safe_mode)

    def __enter__(self) -> SafeModeScope:
        self._previous = getattr(_state, "safe_mode", None)
        _state.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc: Any) -> None:
        _state.safe_mode = self._previous


def in_safe_mode() -> bool:
    return getattr(_state, "safe_mode", None) is not False


# --- serialize -------------------------------------------------------------------------------------
def _module_of(obj_type: type) -> tuple[str, str | None]:
    """``(module, registered_name)`` for a class: Keras's module for jnn built-ins."""
    module = obj_type.__module__
    name = obj_type.__name__
    if module.startswith("jnn."):
        if obj_type is model_class("Sequential") or obj_type is model_class("Model"):
            return "keras", None
        if obj_type is model_class("Functional"):
            return "keras.src.models.functional", "Functional"
        for prefix, keras_module in _JNN_TO_KERAS:
            if module.startswith(prefix):
                return keras_module, None
    registered = registry.get_registered_name(obj_type)
    return module, registered if registered != name else name


_JNN_TO_KERAS = (
    ("jnn._core.layers", "keras.layers"),
    ("jnn._core.initializers", "keras.initializers"),
    ("jnn._core.regularizers", "keras.regularizers"),
    ("jnn._core.constraints", "keras.constraints"),
    ("jnn._core.optimizers.schedules", "keras.optimizers.schedules"),
    ("jnn._core.optimizers", "keras.optimizers"),
    ("jnn._core.losses", "keras.losses"),
    ("jnn._core.metrics", "keras.metrics"),
)


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-friendly Keras 3 description of ``obj`` (layer, model, function, value...).

    Example:
        >>> import jnn
        >>> serialize_keras_object(jnn.layers.Dense(2, name="d"))["class_name"]
        'Dense'
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, (np.ndarray,)) or type(obj).__module__.startswith("jax"):
        if hasattr(obj, "shape") and hasattr(obj, "dtype"):
            arr = np.asarray(obj)
            return {
                "class_name": "__numpy__",
                "config": {"value": arr.tolist(), "dtype": arr.dtype.name},
            }
    if isinstance(obj, Mapping):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, type):
        module, registered = _module_of(obj)
        return {
            "module": module,
            "class_name": obj.__name__,
            "config": None,
            "registered_name": registered,
        }
    if (
        isinstance(obj, types.FunctionType)
        or inspect.isbuiltin(obj)
        or (callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__"))
    ):
        return serialize_function(obj)
    if hasattr(obj, "get_config"):
        return _serialize_configurable(obj)
    if hasattr(obj, "name") and type(obj).__name__.endswith("Policy"):
        return obj.name
    raise ValueError(
        f"Cannot serialize {obj!r} of type {type(obj).__name__}: it is not a layer, model, "
        "function or an object with `get_config()`."
    )


def _serialize_configurable(obj: Any) -> dict[str, Any]:
    from jnn._core.layers.base import Layer

    module, registered = _module_of(type(obj))
    config = obj.get_config()
    if not isinstance(config, Mapping):
        raise ValueError(
            f"{type(obj).__name__}.get_config() must return a dict, received {config!r}."
        )
    config = dict(config)
    if module == "keras.layers":
        for key in _KERAS_REFUSES.get(type(obj).__name__, ()):
            if config.get(key) is True:  # the default: Keras's constructor takes no such key
                del config[key]
    out: dict[str, Any] = {
        "module": module,
        "class_name": type(obj).__name__,
        "config": _with_modules(serialize_keras_object(config)),
        "registered_name": registered,
    }
    if isinstance(obj, Layer) and getattr(obj, "_is_model", False):
        build = build_config(obj)
        if build is not None:
            out["build_config"] = build
    return out


def _with_modules(value: Any) -> Any:
    """Nested layer configs written Keras 2 style (a wrapper's ``layer``) get Keras 3's
    ``module``, without which Keras 3 cannot find the class."""
    if isinstance(value, list):
        return [_with_modules(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _with_modules(v) for k, v in value.items()}
    name = out.get("class_name")
    if isinstance(name, str) and isinstance(out.get("config"), dict) and "module" not in out:
        layers = _public_namespace("jnn.layers")
        if isinstance(getattr(layers, name, None), type):
            out = {"module": "keras.layers", **out, "registered_name": None}
    return out


# Keras 3 layers whose constructor refuses a base-layer key that jnn's config carries.
_KERAS_REFUSES = {f"SpatialDropout{d}D": ("trainable",) for d in (1, 2, 3)}


def build_config(model: Any) -> dict[str, Any] | None:
    """``{"input_shape": [None, ...]}`` for a built model (what ``build`` needs again)."""
    import jax

    spec = model.__dict__.get("_build_spec")
    if spec is None or not model.built:
        return None
    shapes = jax.tree.map(lambda s: [None] + list(s.shape[1:]), spec)
    return {"input_shape": shapes}


def serialize_function(fn: Any) -> dict[str, Any]:
    """A named function by name (and module); a Python lambda as Keras's ``__lambda__``."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        closure = None
        if fn.__closure__:
            closure = [serialize_keras_object(c.cell_contents) for c in fn.__closure__]
        defaults = serialize_keras_object(fn.__defaults__) if fn.__defaults__ else None
        return {
            "class_name": "__lambda__",
            "config": {"code": code, "defaults": defaults, "closure": closure},
        }
    registered = registry.get_registered_name(fn)
    module = getattr(fn, "__module__", None) or ""
    if module.startswith("jnn._core."):
        # jnn's built-in losses / metrics / activations, written as Keras 3 writes its own.
        module, registered = "builtins", "function"
    elif ">" in registered:  # register_keras_serializable: Keras 3 names it "package>name"
        return {"module": "builtins", "class_name": "function", "config": registered,
                "registered_name": "function"}
    return {
        "module": module or None,
        "class_name": "function",
        "config": getattr(fn, "__name__", str(fn)),
        "registered_name": registered,
    }


# --- deserialize ---------------------------------------------------------------------------------
def deserialize_keras_object(
    config: Any, custom_objects: Mapping[str, Any] | None = None, safe_mode: bool | None = None
) -> Any:
    """Rebuilds what :func:`serialize_keras_object` (or Keras 3) wrote.

    Args:
        config: a Keras 3 config dict (or a plain value, returned as is).
        custom_objects: ``{name: class_or_function}`` for user objects.
        safe_mode: refuse Python bytecode (lambdas); ``None`` keeps the surrounding scope's.

    Example:
        >>> import jnn
        >>> layer = deserialize_keras_object(serialize_keras_object(jnn.layers.Dense(2)))
        >>> layer.units
        2
    """
    if safe_mode is not None:
        with SafeModeScope(safe_mode):
            return deserialize_keras_object(config, custom_objects)
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects) for c in config]
    if not isinstance(config, Mapping) or "class_name" not in config:
        return config
    class_name = config["class_name"]
    inner = config.get("config")
    if class_name == "__lambda__":
        return load_lambda(inner)
    if class_name == "__numpy__":
        return np.asarray(inner["value"], dtype=inner.get("dtype"))
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(v, custom_objects) for v in inner["value"])
    if class_name == "function":
        return resolve_function(config, custom_objects)
    cls = find_class(config, custom_objects)
    if not isinstance(cls, type):
        return cls  # a registered function or object given under a class name
    return instantiate(cls, config, custom_objects)


def instantiate(cls: type, config: Mapping[str, Any], custom_objects: Any) -> Any:
    """``cls.from_config`` on the inner config, nested user objects resolved first."""
    inner = dict(config.get("config") or {})
    if cls is _DTypePolicy:
        return inner.get("name")
    if not (cls.__module__.startswith("jnn.") and getattr(cls, "_is_model", False)):
        inner = resolve_nested(inner, custom_objects)  # graph models resolve their layers
    from_config = getattr(cls, "from_config", None)
    params = _from_config_params(from_config)
    try:
        if from_config is None:
            obj = cls(**inner)
        elif "custom_objects" in params:
            obj = from_config(inner, custom_objects=registry.all_custom_objects(custom_objects))
        else:
            obj = from_config(inner)
    except DeserializationError:
        raise
    except TypeError as e:
        raise DeserializationError(
            f"Could not rebuild {cls.__name__} from its config: {e}. If it is a user class, "
            "make sure its `get_config()` returns every constructor argument (or override "
            "`from_config`)."
        ) from e
    build = config.get("build_config")
    if build and getattr(obj, "_is_model", False) and not obj.built:
        shape = build.get("input_shape")
        if shape is not None:
            obj.build(_shape_tuples(shape))
    return obj


def _shape_tuples(shape: Any) -> Any:
    if isinstance(shape, Mapping):
        return {k: _shape_tuples(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _from_config_params(fn: Any) -> Any:
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


class _DTypePolicy:
    """Stand-in for Keras's ``DTypePolicy`` configs: jnn layers take the policy's name."""


# Keras-3-only layer arguments whose None value means "the default" (dropped for jnn).
_KERAS_ONLY_NONE = ("quantization_config", "lora_rank", "lora_alpha", "build_config")


def resolve_nested(config: dict[str, Any], custom_objects: Any) -> dict[str, Any]:
    """Deserializes values of a layer config that built-in constructors cannot read alone.

    User classes and functions (registered or in ``custom_objects``), lambdas, numpy arrays,
    tuples and dtype policies become objects; built-in initializer / regularizer dicts are
    left for the layer's own constructor.
    """
    out = {}
    for key, value in config.items():
        if key in _KERAS_ONLY_NONE and value is None:
            continue
        out[key] = _resolve_value(value, custom_objects)
    return out


def _resolve_value(value: Any, custom_objects: Any) -> Any:
    if isinstance(value, list):
        return [_resolve_value(v, custom_objects) for v in value]
    if not isinstance(value, Mapping):
        return value
    if "class_name" not in value or not isinstance(value["class_name"], str):
        return {k: _resolve_value(v, custom_objects) for k, v in value.items()}
    name = value["class_name"]
    if name in ("__lambda__", "__numpy__", "__tuple__", "function"):
        return deserialize_keras_object(value, custom_objects)
    if name in _DTYPE_POLICIES:
        return (value.get("config") or {}).get("name")
    if _user_class(value, custom_objects) is not None:
        return deserialize_keras_object(value, custom_objects)
    if isinstance(value.get("config"), Mapping):  # a built-in object (a wrapped layer...)
        return {**value, "config": resolve_nested(dict(value["config"]), custom_objects)}
    return value


_DTYPE_POLICIES = ("DTypePolicy", "FloatDTypePolicy", "Policy", "DTypePolicyMap")


def _user_class(config: Mapping[str, Any], custom_objects: Any) -> Any:
    for key in (config.get("registered_name"), config.get("class_name")):
        if isinstance(key, str):
            found = registry.get_registered_object(key, custom_objects)
            if found is not None:
                return found
    return None


def find_class(config: Mapping[str, Any], custom_objects: Any = None) -> Any:
    """The class a config names: user objects first, then jnn's built-ins by Keras module."""
    found = _user_class(config, custom_objects)
    if found is not None:
        return found
    name = config["class_name"]
    module = str(config.get("module") or "")
    if name in _DTYPE_POLICIES:
        return _DTypePolicy
    builtin = _builtin_class(name, module)
    if builtin is not None:
        return builtin
    raise TypeError(
        f"Could not locate class '{name}' (module '{module or '?'}'). Make sure custom classes "
        "and functions are decorated with `@jnn.saving.register_serializable()` or passed to "
        "the loading call with `custom_objects={...}` (or a `custom_object_scope`)."
    )


def _public_namespace(name: str) -> Any:
    """A public namespace (``jnn.layers``, ...) looked up by name when a config is read.

    Configs name classes by Keras module (``keras.layers``), so the loader looks the name up
    in the matching public namespace at load time, the way Keras does by module path. This is
    a lookup, not a dependency of the shell on the facades: ``import jnn`` has already
    imported every public namespace by the time a config is read.
    """
    import importlib

    return importlib.import_module(name)


def _builtin_class(name: str, module: str) -> Any:

    if name in ("Sequential", "Functional", "Model"):
        return model_class(name)
    kinds = (
        ("jnn.ops", "jnn._shell.layers.symbolic_ops"),  # graph nodes of jnn.ops calls (Relu, Sum...)
        ("keras.optimizers.schedules", "jnn.optimizers.schedules"),
        ("keras.src.optimizers.schedules", "jnn.optimizers.schedules"),
        ("keras.initializers", "jnn.initializers"),
        ("keras.regularizers", "jnn.regularizers"),
        ("keras.constraints", "jnn.constraints"),
        ("keras.optimizers", "jnn.optimizers"),
        ("keras.losses", "jnn.losses"),
        ("keras.metrics", "jnn.metrics"),
        ("keras.layers", "jnn.layers"),
        ("keras.src.layers", "jnn.layers"),
    )
    for prefix, jnn_module in kinds:
        if module.startswith(prefix):
            found = getattr(_public_namespace(jnn_module), name, None)
            if isinstance(found, type):
                return found
    # Keras 2 configs carry no module: layers, then the other kinds.
    for jnn_module in (
        "jnn.layers",
        "jnn.initializers",
        "jnn.regularizers",
        "jnn.constraints",
        "jnn.optimizers",
        "jnn.losses",
        "jnn.metrics",
    ):
        found = getattr(_public_namespace(jnn_module), name, None)
        if isinstance(found, type):
            return found
    return None


def resolve_function(config: Mapping[str, Any], custom_objects: Any = None) -> Any:
    """A function config -> the function: user objects, jnn activations, jax.numpy / jax.nn.

    In safe mode (the default) a file may only name registered or custom objects and jnn's
    own functions by name: a ``numpy`` / ``jax`` module function is resolved only when its
    name is one of jnn's activations (``{"module": "numpy", "config": "savetxt"}`` is
    refused; it would otherwise be called while the model is built).
    """
    import importlib

    name = config.get("config")
    found = _user_class(config, custom_objects) or registry.get_registered_object(
        str(name), custom_objects
    )
    if found is not None:
        return found
    known = _activation(name)
    module = str(config.get("module") or "")
    if module.startswith(("jax.numpy", "jax.nn", "numpy")) and (
        known is not None or not in_safe_mode()
    ):
        try:
            fn = getattr(importlib.import_module(module.split("._")[0]), str(name), None)
        except ImportError:
            fn = None
        if callable(fn):
            return fn
    if known is not None:
        return known
    hint = (
        " In safe mode a file may only name jnn's own functions (activations, losses, "
        "metrics...) and registered custom objects; pass `safe_mode=False` only for a file "
        "you trust."
        if in_safe_mode()
        else ""
    )
    raise TypeError(
        f"Could not locate function '{name}' (module '{module or '?'}'). Register it with "
        f"`@jnn.saving.register_serializable()` or pass it in `custom_objects={{...}}`.{hint}"
    )


def _activation(name: Any) -> Any:
    from jnn._core import activations

    if not isinstance(name, str):
        return None
    try:
        return activations.get(name)
    except (ValueError, TypeError):
        return None


def load_lambda(inner: Mapping[str, Any]) -> Any:
    """Rebuilds a ``__lambda__`` function (refused in safe mode)."""
    if in_safe_mode():
        raise ValueError(UNSAFE_LAMBDA)
    raw = base64.b64decode(inner["code"].encode("ascii"))
    code = marshal.loads(raw)
    closure = inner.get("closure")
    cells = None
    if closure:
        cells = tuple(types.CellType(deserialize_keras_object(c)) for c in closure)
    defaults = inner.get("defaults")
    defaults = tuple(defaults) if defaults else None
    import builtins

    import jax.numpy as jnp

    # The names Keras users' lambdas commonly use (Keras resolves them in its own module).
    globs = {"__builtins__": builtins, "np": np, "jnp": jnp}
    return types.FunctionType(code, globs, code.co_name, defaults, cells)
