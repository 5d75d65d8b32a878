"""jnn: the Keras workflow on JAX, as pure functions over explicit parameter pytrees.

Example:
    >>> import jnn as keras
    >>> model = keras.Sequential([keras.layers.Dense(3, input_dim=4)])
    >>> model.count_params()
    15
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from jnn._version import __version__ as __version__

_SUBMODULES = (
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distribution",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "random",
    "regularizers",
    "saving",
    "testing",
    "training",
    "tree",
    "utils",
    "wrappers",
)
_TOP_LEVEL = {
    "Sequential": "jnn.models",
    "Model": "jnn.models",
    "Input": "jnn.models",
    "Layer": "jnn.layers",
    "Variable": "jnn._core.variables",
    "KerasTensor": "jnn._shell.layers.graph",
    "name_scope": "jnn._core.scopes",
    "device": "jnn._core.scopes",
}

__all__ = list(_SUBMODULES) + list(_TOP_LEVEL)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        if importlib.util.find_spec(f"jnn.{name}") is None:
            raise AttributeError(
                f"jnn.{name} is not available yet in this version of jnn (planned; see the "
                "README's feature list)."
            )
        module = importlib.import_module(f"jnn.{name}")
        globals()[name] = module
        return module
    if name in _TOP_LEVEL:
        value = getattr(importlib.import_module(_TOP_LEVEL[name]), name)
        globals()[name] = value
        return value
    from jnn._shell.runtime import absent

    absent.missing("jnn", name)


def __dir__() -> list[str]:
    return sorted(__all__)
