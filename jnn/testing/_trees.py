"""Small pieces the checks share: failures that name their property, inputs, tree comparisons.

Every check raises ``PropertyFailure`` (an ``AssertionError``) whose message starts with the
property's name, says under which variant it failed and describes the inputs that show it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import chex
import jax
import jax.numpy as jnp
import numpy as np

# XLA compiles the "rbg" generator several times faster than threefry on CPU; a layer must not
# depend on its key's implementation, so the checks use the cheaper one.
KEY_IMPL = "rbg"


class PropertyFailure(AssertionError):
    """A layer or model broke one property of the contract.

    Attributes:
        property: the property's name (``"jit_vs_eager"``, ``"batch_independence"`` ...).
    """

    def __init__(self, prop: str, message: str) -> None:
        super().__init__(message)
        self.property = prop


def key(seed: int) -> jax.Array:
    """The checks' keys (``rbg`` implementation: cheap to compile on CPU)."""
    return jax.random.key(seed, impl=KEY_IMPL)


def is_shape(x: Any) -> bool:
    return isinstance(x, tuple) and all(isinstance(d, (int, np.integer)) for d in x)


def make_inputs(input_shape: Any, input_dtype: Any = "float32", seed: int = 0) -> Any:
    """Random host inputs: standard normal floats, ints in ``[0, 10)``, random bools.

    ``input_shape`` is one shape with its batch dimension or a list of them (multi-input
    layers); the result is a numpy array or a list of them.
    """
    rng = np.random.default_rng(seed)

    def one(shape: tuple[int, ...]) -> np.ndarray:
        dtype = np.dtype(jnp.dtype(input_dtype))
        if np.issubdtype(dtype, np.floating):
            return rng.standard_normal(shape).astype(dtype)
        if dtype == np.bool_:
            return rng.random(shape) < 0.5
        return rng.integers(0, 10, shape).astype(dtype)

    if is_shape(tuple(input_shape)) and not isinstance(input_shape, list):
        return one(tuple(int(d) for d in input_shape))
    return [one(tuple(int(d) for d in s)) for s in input_shape]


def edge_inputs(x: Any) -> dict[str, Any]:
    """Inputs shaped like ``x`` filled with edge values: zeros and ones always, the smallest
    normal float (``tiny``) and a large value for float inputs."""

    def fill(value: Any) -> Callable[[np.ndarray], np.ndarray]:
        return lambda a: np.full(a.shape, value, a.dtype)

    out = {"all-zeros": jax.tree.map(fill(0), x), "all-ones": jax.tree.map(fill(1), x)}
    leaves = jax.tree.leaves(x)
    if leaves and all(np.issubdtype(np.asarray(a).dtype, np.floating) for a in leaves):
        tiny = float(np.finfo(np.asarray(leaves[0]).dtype).tiny)
        out["all-tiny"] = jax.tree.map(fill(tiny), x)
        out["all-large"] = jax.tree.map(fill(1e4), x)
    return out


def describe(x: Any, kind: str = "") -> str:
    """One line per input array: what it is, shape, dtype and its first values."""
    parts = []
    for i, a in enumerate(jax.tree.leaves(x)):
        a = np.asarray(a)
        flat = a.reshape(-1)[:6]
        more = ", ..." if a.size > 6 else ""
        values = ", ".join(f"{v:.4g}" if a.dtype.kind == "f" else str(v) for v in flat.tolist())
        name = f"input {i}" if len(jax.tree.leaves(x)) > 1 else "input"
        parts.append(f"{name}: shape {a.shape} {a.dtype} [{values}{more}]")
    prefix = f"{kind} " if kind else ""
    return prefix + "; ".join(parts)


def to_host(tree: Any) -> Any:
    """``without_device``: numpy copies of every array leaf (keys stay as they are)."""

    def get(a: Any) -> Any:
        if isinstance(a, jax.Array) and not jnp.issubdtype(a.dtype, jax.dtypes.prng_key):
            return np.asarray(a)
        return a

    return jax.tree.map(get, tree)


def to_device(tree: Any) -> Any:
    """``with_device``: every leaf committed to the default device."""
    return jax.tree.map(jax.device_put, tree)


def comparable(tree: Any) -> Any:
    """Keys replaced by their raw data, so chex can compare trees holding them."""

    def one(a: Any) -> Any:
        if isinstance(a, jax.Array) and jnp.issubdtype(a.dtype, jax.dtypes.prng_key):
            return jax.random.key_data(a)
        return a

    return jax.tree.map(one, tree)


def assert_close(actual: Any, expected: Any, *, rtol: float, atol: float, what: str) -> None:
    """``chex.assert_trees_all_close`` after a structure / shape / dtype check, with ``what``
    in the message. Integer and bool leaves must be equal."""
    actual, expected = comparable(actual), comparable(expected)
    chex.assert_trees_all_equal_structs(actual, expected, custom_message=what)
    chex.assert_trees_all_equal_shapes_and_dtypes(actual, expected, custom_message=what)
    float_a, float_e, exact_a, exact_e = [], [], [], []
    for a, e in zip(jax.tree.leaves(actual), jax.tree.leaves(expected)):
        if jnp.issubdtype(jnp.asarray(a).dtype, jnp.inexact):
            float_a.append(np.asarray(a, np.float64))
            float_e.append(np.asarray(e, np.float64))
        else:
            exact_a.append(np.asarray(a))
            exact_e.append(np.asarray(e))
    chex.assert_trees_all_equal(exact_a, exact_e, custom_message=what)
    chex.assert_trees_all_close(float_a, float_e, rtol=rtol, atol=atol, custom_message=what)


def assert_equal(actual: Any, expected: Any, what: str) -> None:
    """Exact equality of two trees (``chex.assert_trees_all_equal``), ``what`` in the message."""
    actual, expected = comparable(actual), comparable(expected)
    chex.assert_trees_all_equal_structs(actual, expected, custom_message=what)
    chex.assert_trees_all_equal(
        jax.tree.map(np.asarray, actual), jax.tree.map(np.asarray, expected), custom_message=what
    )


def specs(tree: Any) -> Any:
    """``(shape, dtype)`` of every leaf."""
    return jax.tree.map(lambda a: (tuple(np.shape(a)), jnp.dtype(a.dtype)), tree)
