"""Dtype policies (Keras's mixed precision), as plain configuration.

A policy names the dtype of variables and the dtype of computation:
``float32`` (both float32), ``bfloat16`` / ``float16`` (both low), ``mixed_bfloat16`` and
``mixed_float16`` (float32 variables, low-precision compute).

Example:
    >>> from jnn._core.precision import Policy
    >>> Policy("mixed_bfloat16").compute_dtype
    'bfloat16'
"""

from __future__ import annotations

from typing import Any

_NAMES = ("float32", "float64", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16")


class Policy:
    """A dtype policy: ``variable_dtype`` and ``compute_dtype``."""

    def __init__(self, name: str) -> None:
        if isinstance(name, Policy):
            name = name.name
        if not isinstance(name, str) or name not in _NAMES:
            raise ValueError(
                f"Unknown dtype policy {name!r}; expected one of {list(_NAMES)}."
            )
        self.name = name
        if name.startswith("mixed_"):
            self.variable_dtype = "float32"
            self.compute_dtype = name[len("mixed_"):]
        else:
            self.variable_dtype = self.compute_dtype = name

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class _Global:
    policy = Policy("float32")


_global = _Global()


def global_policy() -> Policy:
    """The policy used by layers created without ``dtype=``."""
    return _global.policy


def set_global_policy(policy: str | Policy | None) -> None:
    """Sets the default policy for layers created afterwards (``None`` resets to float32)."""
    _global.policy = Policy("float32" if policy is None else policy)


def resolve_policy(dtype: Any) -> Policy:
    """A Policy from a layer's ``dtype=`` argument (None -> the global policy)."""
    if dtype is None:
        return _global.policy
    if isinstance(dtype, Policy):
        return dtype
    if isinstance(dtype, dict):  # a serialized policy
        return Policy(dtype.get("config", dtype).get("name", "float32"))
    import numpy as np

    try:
        name = np.dtype(dtype).name if not isinstance(dtype, str) or dtype not in _NAMES else dtype
    except TypeError:
        name = str(dtype)
    if name == "bfloat16" or name in _NAMES:
        return Policy(name)
    raise ValueError(f"Unsupported dtype {dtype!r}; expected one of {list(_NAMES)}.")
