"""User classes and functions known to the loader: ``register_serializable`` and scopes.

Lookup order when a config names a class: the ``custom_objects`` passed to the loading call,
then any active :func:`custom_object_scope` (innermost first), then the global registry
filled by :func:`register_serializable`. Names are Keras's: ``"package>Name"``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from jnn._core import activations as _core_activations

# The process-wide registry (as Keras's GLOBAL_CUSTOM_OBJECTS); scopes are per thread.
_GLOBAL: dict[str, Any] = {}
_GLOBAL_NAMES: dict[Any, str] = {}
_local = threading.local()


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a class or function under ``"package>name"`` for loading.

    Args:
        package: prefix of the registered name (keeps names of different packages apart).
        name: the name to register under (default: the object's ``__name__``).

    Example:
        >>> import jnn
        >>> @jnn.saving.register_serializable(package="demo")
        ... def my_activation(x):
        ...     return x
        >>> jnn.saving.get_registered_name(my_activation)
        'demo>my_activation'
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(
            f"register_serializable: argument `package` must be a string without '>', "
            f"received {package!r}."
        )

    def decorator(obj: Any) -> Any:
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"register_serializable: class {obj.__name__} must implement `get_config()` "
                "to be serializable."
            )
        _GLOBAL[registered] = obj
        _GLOBAL_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under, else its ``__name__``."""
    try:
        if obj in _GLOBAL_NAMES:
            return _GLOBAL_NAMES[obj]
    except TypeError:  # unhashable
        pass
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: Mapping[str, Any] | None = None) -> Any | None:
    """The object for ``name`` from ``custom_objects``, the active scopes or the registry."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for scope in reversed(_scopes()):
        if name in scope:
            return scope[name]
    return _GLOBAL.get(name)


def get_custom_objects() -> dict[str, Any]:
    """The global registry (a live dict, as Keras's ``get_custom_objects``)."""
    return _GLOBAL


def _scopes() -> list[dict[str, Any]]:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class custom_object_scope:  # noqa: N801 - Keras's name
    """Makes ``custom_objects`` visible to every load inside a ``with`` block.

    Example:
        >>> import jnn
        >>> def swish2(x):
        ...     return x
        >>> with jnn.saving.custom_object_scope({"swish2": swish2}):
        ...     jnn.saving.get_registered_object("swish2") is swish2
        True
    """

    def __init__(self, custom_objects: Mapping[str, Any] | None = None) -> None:
        if custom_objects is not None and not isinstance(custom_objects, Mapping):
            raise TypeError(
                "custom_object_scope: argument `custom_objects` must be a dict of name -> "
                f"object, received {type(custom_objects).__name__}."
            )
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self) -> custom_object_scope:
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes().pop()


CustomObjectScope = custom_object_scope


def all_custom_objects(custom_objects: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every visible custom object, the innermost winning (for core ``deserialize`` calls)."""
    out = dict(_GLOBAL)
    for scope in _scopes():
        out.update(scope)
    out.update(custom_objects or {})
    return out


# Core configs (a layer's ``activation``) name registered functions "package>name" and find
# them again through this registry; the core itself never imports the shell.
_core_activations.hooks.registered_name = get_registered_name
_core_activations.hooks.lookup = get_registered_object
