"""Keras 3's ``keras.ops`` on JAX: ``jnn.ops.relu``, ``jnn.ops.matmul``, ``jnn.ops.numpy``...

The top level holds every op of the ``numpy``, ``nn``, ``math``, ``linalg`` and ``core``
families (and ``rearrange``), as ``keras.ops`` does; ``jnn.ops.image`` only in its submodule.
Ops take NumPy arrays, JAX arrays, Python numbers and symbolic ``KerasTensor`` s (then they
become nodes of a functional model), and work inside ``jax.jit`` / ``grad`` / ``vmap``.

Example:
    >>> from jnn import ops
    >>> ops.softmax(ops.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
"""

import importlib as _importlib

from jnn._shell.layers import symbolic_ops as _symbolic_ops

globals().update(_symbolic_ops.top_level())

_SUBMODULES = ("numpy", "nn", "math", "linalg", "image", "core")
for _family in _symbolic_ops.available_families():
    if _family in _SUBMODULES:
        globals()[_family] = _importlib.import_module(f"jnn.ops.{_family}")

del _family
__all__ = sorted(set(_symbolic_ops.top_level()) | {
    f for f in _symbolic_ops.available_families() if f in _SUBMODULES})
