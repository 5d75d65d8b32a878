"""Keras 3's ``keras.ops`` as pure functions over JAX arrays (the core of ``jnn.ops``).

One module per family, as Keras: :mod:`numpy` (the NumPy API), ``nn``, ``math``, ``linalg``,
``image``, ``core``; :mod:`_dtypes` holds Keras's dtype rules they all share. Nothing here
knows about symbolic tensors: the public facade ``jnn.ops`` wraps these functions so that a
call on a ``KerasTensor`` becomes a node of a functional model.

Example:
    >>> from jnn._core.ops import numpy as jnp_ops
    >>> jnp_ops.arange(3).dtype
    dtype('int32')
"""
