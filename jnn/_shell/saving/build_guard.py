"""Loading builds only what the file can fill: weight sizes are checked before allocation.

A model file's config alone decides how large the model's weights are
(``InputLayer(batch_shape=[None, 500000000])`` then ``Dense(2)`` asks for a 4 GB kernel),
while the weights file decides what the loaded model will hold. While a file is loaded
(:func:`limit_builds`), every model build first traces its ``init`` abstractly
(``jax.make_jaxpr``: shapes only, nothing allocated) and refuses, naming the layer, when the
weights it would create exceed what the file holds, or when building would allocate one
array far larger than the file's weights (a huge dummy input or activation).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

_state = threading.local()
# Slack over the file's own bytes: jnn and Keras may keep a few variables the other does not.
SLACK_BYTES = 16 << 20
# One array (dummy input, activation) of this size is allowed whatever the file holds.
ARRAY_FLOOR_BYTES = 256 << 20
# Nested models build once each, then again inside their parent: all builds of one load
# together may create this many times the per-build budget (nesting 8 deep stays legal).
CUMULATIVE_FACTOR = 4


class BuildLimitError(ValueError):
    """Building the model a file describes would allocate more than the file can justify."""


@contextlib.contextmanager
def limit_builds(file_bytes: int, where: str) -> Iterator[None]:
    """Within the block, model builds may create at most ~``file_bytes`` of weights.

    Example:
        >>> with limit_builds(1024, "m.keras"):  # doctest: +SKIP
        ...     model = deserialize_keras_object(config)
    """
    previous = getattr(_state, "limit", None)
    _state.limit = (int(file_bytes), where, [0])
    try:
        yield
    finally:
        _state.limit = previous


def check_build(model: Any, key: Any, spec: Any) -> None:
    """Called by a model before it initialises its weights; a no-op outside a load."""
    limit = getattr(_state, "limit", None)
    if limit is None:
        return
    import jax

    file_bytes, where, used = limit
    _state.limit = None  # nested builds inside the trace are part of this one
    try:
        jaxpr, out = jax.make_jaxpr(model.init, return_shape=True)(key, spec)
    except Exception:  # noqa: BLE001 - not traceable abstractly: the later checks still run
        return
    finally:
        _state.limit = limit
    budget = 2 * file_bytes + SLACK_BYTES
    per_layer = _bytes_per_layer(out)
    total = sum(size for size, _ in per_layer.values())
    if total > budget:
        name, (size, detail) = max(per_layer.items(), key=lambda kv: kv[1][0])
        raise BuildLimitError(
            f"Refusing to build model '{model.name}' from '{where}': its config implies "
            f"{_human(total)} of weights, but the weights file holds only "
            f"{_human(file_bytes)}. Layer '{name}' alone would create {_human(size)} "
            f"({detail}). The config does not match the weights (a damaged or hostile file)."
        )
    used[0] += total
    if used[0] > CUMULATIVE_FACTOR * budget:
        raise BuildLimitError(
            f"Refusing to build model '{model.name}' from '{where}': the models its config "
            f"nests would create {_human(used[0])} of weights in all, but the weights file "
            f"holds only {_human(file_bytes)}."
        )
    largest, shape = _largest_array(jaxpr)
    if largest > max(ARRAY_FLOOR_BYTES, budget):
        raise BuildLimitError(
            f"Refusing to build model '{model.name}' from '{where}': building it would "
            f"allocate an array of shape {shape} ({_human(largest)}), far more than the "
            f"{_human(file_bytes)} of weights the file holds (check the input shapes in its "
            "config). Pass `safe_mode=False` only for a file you trust."
        )


def _bytes_per_layer(variables: Any) -> dict[str, tuple[int, str]]:
    import jax

    out: dict[str, tuple[int, str]] = {}
    for collection in ("params", "state"):
        for name, sub in dict(variables.get(collection, {}) or {}).items():
            leaves = jax.tree_util.tree_leaves_with_path(sub)
            size = sum(_nbytes(leaf) for _, leaf in leaves)
            biggest = max(leaves, key=lambda pl: _nbytes(pl[1]), default=None)
            detail = ""
            if biggest is not None:
                path = jax.tree_util.keystr(biggest[0])
                detail = f"{path} of shape {tuple(biggest[1].shape)}, {biggest[1].dtype}"
            prev = out.get(str(name), (0, detail))
            out[str(name)] = (prev[0] + size, prev[1] or detail)
    return out


def _largest_array(closed: Any) -> tuple[int, tuple[int, ...]]:
    best, shape = 0, ()
    jaxpr = closed.jaxpr
    for var in list(jaxpr.invars) + [v for eqn in jaxpr.eqns for v in eqn.outvars]:
        aval = getattr(var, "aval", None)
        if aval is None or not hasattr(aval, "shape"):
            continue
        size = _nbytes(aval)
        if size > best:
            best, shape = size, tuple(aval.shape)
    return best, shape


def _nbytes(aval: Any) -> int:
    try:
        itemsize = np.dtype(aval.dtype).itemsize
    except TypeError:  # PRNG key types
        itemsize = 8
    return int(np.prod(aval.shape, dtype=np.float64)) * itemsize


def _human(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} bytes"
