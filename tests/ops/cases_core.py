"""Conformance cases for Keras's core ops (top-level ``keras.ops`` names from
``keras.src.ops.core``, plus ``rearrange``; collected by ``tests/ops/cases.py``).

Control-flow ops take plain Python functions built from ``jax.numpy``, the same callable for
both libraries.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from tests.ops.cases import Case, arr

_x = arr((2, 3))


def _step(carry, x):
    return carry + x, carry * x


CASES = [
    Case("shape", (_x,)),
    Case("dtype", (arr((2,), "int8"),)),
    Case("dtype", (_x,)),
    Case("cast", (_x, "int32")),
    Case("cast", (arr((3,), "int32"), "bfloat16")),
    Case("cast", ([1, 2], "float16")),
    Case("saturate_cast", (arr((5,), low=-300.0, high=300.0), "uint8")),
    Case("saturate_cast", (arr((5,), "int32", low=-40000.0, high=40000.0), "int16")),
    Case("saturate_cast", (arr((4,), low=-1e10, high=1e10), "int32")),
    Case("convert_to_tensor", ([[1.0, 2.0]],)),
    Case("convert_to_tensor", (np.arange(3, dtype="int64"),)),
    Case("convert_to_tensor", (_x, "float16")),
    Case("convert_to_tensor", (3,)),
    Case("convert_to_numpy", (_x,)),
    Case("is_tensor", (_x,)),
    Case("stop_gradient", (_x,)),
    Case("slice", (arr((3, 4)), (1, 0), (2, 3))),
    Case("slice", (arr((3, 4)), (0, 1), (-1, 2))),
    Case("slice_update", (arr((3, 4)), (1, 1), np.ones((2, 2), "float32"))),
    Case("scatter", (np.array([[0, 1], [2, 2], [0, 1]]), np.array([1.0, 2.0, 3.0], "float32"),
                     (3, 3))),
    Case("scatter", (np.array([[1], [0]]), arr((2, 3)), (3, 3))),
    Case("scatter_update", (np.zeros((3, 3), "float32"), np.array([[0, 1], [2, 2]]),
                            np.array([5.0, 6.0], "float32"))),
    *(Case("scatter_update", (arr((3, 3)), np.array([[0, 1], [2, 2]]),
                              np.array([5.0, -6.0], "float32")), {"reduction": r})
      for r in ("add", "max", "min", "mul")),
    Case("unstack", (arr((3, 2)),)),
    Case("unstack", (arr((3, 2)),), {"axis": 1, "num": 2}),
    Case("cond", (np.array(True), lambda: jnp.ones(2), lambda: jnp.zeros(2))),
    Case("cond", (np.array(False), lambda: jnp.ones(2), lambda: jnp.zeros(2))),
    Case("switch", (1, [lambda a: a + 1, lambda a: a * 2], _x)),
    Case("switch", (5, [lambda a: a + 1, lambda a: a * 2], _x)),
    Case("scan", (_step, np.float32(1.0), arr((4,)))),
    Case("scan", (_step, np.float32(1.0), arr((4,))), {"reverse": True, "unroll": 2}),
    Case("scan", (lambda c, _: (c * 2.0, c), np.float32(1.0)), {"length": 3}),
    Case("associative_scan", (jnp.add, arr((5,)))),
    Case("associative_scan", (jnp.maximum, arr((2, 4))), {"reverse": True, "axis": 1}),
    Case("map", (lambda v: v * 2.0 + 1.0, arr((3, 2)))),
    Case("vectorized_map", (lambda v: jnp.sum(v * v), arr((3, 2)))),
    Case("fori_loop", (0, 5, lambda i, v: v + i, np.float32(0.5))),
    Case("while_loop", (lambda i, s: i < 5, lambda i, s: (i + 1, s * 2.0),
                        (np.int32(0), np.float32(1.0)))),
    Case("while_loop", (lambda v: v < 100.0, lambda v: v * 3.0, np.float32(1.0)),
         {"maximum_iterations": 2}),
    Case("rearrange", (arr((2, 4, 6, 3)), "b h w c -> b c h w")),
    Case("rearrange", (arr((2, 4, 6, 3)), "b h w c -> h (b w) c")),
    Case("rearrange", (arr((2, 4, 6, 3)), "b (h1 h) (w1 w) c -> (b h1 w1) h w c"),
         {"h1": 2, "w1": 3}),
    Case("rearrange", (arr((2, 4, 6, 3)), "b (h h1) (w w1) c -> b h w (c h1 w1)"),
         {"h1": 2, "w1": 2}),
]

NOT_COMPARED = {
    "custom_gradient": "a decorator (it returns a function, not a tensor): values and "
                       "gradients of a decorated function are compared with Keras in "
                       "tests/ops/test_core.py.",
}
