"""``assert_no_retrace``: a jitted function that fails when it is traced again."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import chex
import jax

from jnn.testing._trees import PropertyFailure, describe

_serial = itertools.count()


def guarded_jit(fn: Callable, max_traces: int = 1, **jit_kwargs: Any) -> Callable:
    """``jax.jit(chex.assert_max_traces(fn, max_traces))`` with a trace counter of its own.

    chex keys its counters on where and how a function was defined, so the same function
    guarded twice (two calls of a test helper) would share one; a fresh name keeps them apart.
    """
    name = getattr(fn, "__name__", type(fn).__name__)

    def traced(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    traced.__name__ = traced.__qualname__ = f"{name} (guard {next(_serial)})"
    return jax.jit(chex.assert_max_traces(traced, max_traces), **jit_kwargs)


def assert_no_retrace(fn: Callable, *calls: Any, max_traces: int = 1,
                      **jit_kwargs: Any) -> Any:
    """Jits ``fn`` so that tracing it more than ``max_traces`` times is an error.

    With no ``calls``, returns the guarded jitted function (use it as a decorator or call it
    yourself). With ``calls`` (argument tuples, or single arguments), calls it on each and
    returns the list of results, raising ``PropertyFailure`` (an ``AssertionError``) that names
    the call which retraced: a new shape, dtype, Python scalar or static argument.

    Args:
        fn: the function to jit.
        *calls: argument tuples to call it with, in order.
        max_traces: how many traces are allowed (1: compiled once).
        **jit_kwargs: passed to ``jax.jit`` (``static_argnums``, ``donate_argnums`` ...).

    Example:
        >>> import jax.numpy as jnp
        >>> from jnn.testing import assert_no_retrace
        >>> outs = assert_no_retrace(lambda x: x * 2, (jnp.ones(3),), (jnp.zeros(3),))
        >>> [float(o.sum()) for o in outs]
        [6.0, 0.0]
    """
    guarded = guarded_jit(fn, max_traces, **jit_kwargs)
    if not calls:
        return guarded
    results = []
    for i, args in enumerate(calls):
        args = args if isinstance(args, tuple) else (args,)
        try:
            results.append(guarded(*args))
        except AssertionError as err:
            name = getattr(fn, "__name__", type(fn).__name__)
            raise PropertyFailure(
                "no_retrace",
                f"assert_no_retrace: property 'no_retrace' failed: {name} was traced again at "
                f"call {i} (more than {max_traces} trace(s)).\n  arguments: "
                f"{describe([a for a in jax.tree.leaves(args) if hasattr(a, 'shape')])}\n  "
                f"{str(err).splitlines()[0]}\n  (a new shape, dtype, weak type or static "
                "argument compiles the function again)",
            ) from err
    return results
