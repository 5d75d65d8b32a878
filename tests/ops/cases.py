"""The table of ``jnn.ops`` conformance cases, shared by the tests and the report generator.

A case is ``Case(name, args, kwargs)``: ``jnn.ops.<name>(*args, **kwargs)`` must equal
``keras.ops.<name>(*args, **kwargs)`` (Keras 3, JAX backend) in structure, shapes, dtypes and
values (``rtol``/``atol`` per case). Arguments are plain NumPy arrays and Python values, so
both libraries see the same inputs. ``module`` names the submodule for names that live only
there (``"image"``: ``keras.ops.image.resize``).

How to add cases (H17ops2 and later contributors): put them in a module next to this one,
``tests/ops/cases_<family>.py`` (``nn``, ``math``, ``linalg``, ``image``, ``core``), defining

    from tests.ops.cases import Case, arr
    CASES = [Case("relu", (arr((2, 3)),)), Case("softmax", (arr((2, 3)),), {"axis": 0}), ...]
    NOT_COMPARED = {"ctc_decode": "why it is not compared with Keras, and where it is tested"}
    DIFFERS = {"sparsemax": "how and why jnn differs from Keras (documented difference)"}

(``NOT_COMPARED`` / ``DIFFERS`` optional). This module collects every ``cases_*.py``;
``tests/ops/test_conformance.py`` runs them and ``tests/conformance/report.py`` reports them
(status per name: equal / differs / not compared). Keep each case small (a few elements):
the whole table runs eagerly in seconds.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    """One comparison: ``ops.<name>(*args, **kwargs)`` in jnn and in Keras."""

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    module: str | None = None  # submodule for names outside the top level ("image")
    rtol: float = 1e-5
    atol: float = 1e-6
    check_values: bool = True  # False: compare structure, shapes and dtypes only

    @property
    def id(self) -> str:
        return f"{self.module + '.' if self.module else ''}{self.name}"


_rng = np.random.default_rng(0)


def arr(shape: tuple = (2, 3), dtype: str = "float32", low: float = -2.0,
        high: float = 2.0) -> np.ndarray:  # fmt: skip
    """A deterministic small array (uniform in [low, high), rounded for ints/bools)."""
    size = int(np.prod(shape))
    values = np.linspace(low, high, size, endpoint=False).reshape(shape)
    values = values[..., ::-1] if values.ndim and size > 1 else values
    if dtype == "bool":
        return (np.arange(size).reshape(shape) % 3 == 0)
    if "int" in dtype:
        return np.round(values).astype(dtype)
    return np.ascontiguousarray(values).astype(dtype)


def pos(shape: tuple = (2, 3), dtype: str = "float32") -> np.ndarray:
    """A deterministic strictly positive array in [0.25, 2.25)."""
    return arr(shape, dtype, 0.25, 2.25)


def unit(shape: tuple = (2, 3), dtype: str = "float32") -> np.ndarray:
    """A deterministic array in (-0.9, 0.9)."""
    return arr(shape, dtype, -0.9, 0.9)


def _collect() -> tuple[list[Case], dict[str, str], dict[str, str]]:
    cases: list[Case] = []
    not_compared: dict[str, str] = {}
    differs: dict[str, str] = {}
    here = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.startswith("cases_"):
            continue
        mod: Any = importlib.import_module(f"tests.ops.{info.name}")
        cases.extend(getattr(mod, "CASES", []))
        not_compared.update(getattr(mod, "NOT_COMPARED", {}))
        differs.update(getattr(mod, "DIFFERS", {}))
    return cases, not_compared, differs


CASES, NOT_COMPARED, DIFFERS = _collect()
