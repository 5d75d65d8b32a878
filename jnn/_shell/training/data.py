"""Data adapters: turn what users pass to fit / evaluate / predict into host arrays.

The adapter seam: :func:`get_adapter` returns an object with ``x``, ``y``, ``sample_weight``
(numpy arrays in the model's input / flattened-output structure) and ``num_samples``.
Arrays, lists, pandas objects and dicts are handled here; iterators, generators,
``Sequence`` objects and foreign pipelines plug in behind the same seam (``feeding.py``).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from jnn._shell.training import feeding
from jnn._shell.training.arrays import leaves, map_arrays, to_numpy


class ArrayAdapter:
    """In-memory arrays (numpy, jax, lists, pandas, dicts of them)."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None):
        self.x = map_arrays(x, lambda a: to_numpy(a, "Input data `x`"))
        self.y = map_arrays(y, lambda a: to_numpy(a, "Target data `y`"))
        self.sample_weight = map_arrays(
            sample_weight, lambda a: to_numpy(a, "`sample_weight`").astype(np.float32)
        )
        sizes = {}
        for name, part in (("x", self.x), ("y", self.y), ("sample_weight", self.sample_weight)):
            for arr in leaves(part):
                sizes.setdefault(name, []).append(arr.shape[0])
        all_sizes = {n for v in sizes.values() for n in v}
        if len(all_sizes) > 1:
            detail = ", ".join(f"{k} sizes: {v}" for k, v in sizes.items())
            raise ValueError(
                "Data cardinality is ambiguous: make sure all arrays contain the same number of "
                f"samples. Received {detail}."
            )
        if not all_sizes:
            raise ValueError("No input data was provided (`x` is empty).")
        self.num_samples = all_sizes.pop()
        if self.num_samples == 0:
            raise ValueError("The dataset is empty: `x` has 0 samples.")

    def take(self, start: int, stop: int) -> ArrayAdapter:
        sl = slice(start, stop)
        new = object.__new__(ArrayAdapter)
        new.x = jax.tree.map(lambda a: a[sl], self.x)
        new.y = jax.tree.map(lambda a: a[sl], self.y)
        new.sample_weight = jax.tree.map(lambda a: a[sl], self.sample_weight)
        new.num_samples = stop - start
        return new


def get_adapter(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Chooses the adapter for ``x``.

    Arrays and structures of arrays give an :class:`ArrayAdapter`; generators, iterators,
    ``Sequence`` objects and foreign pipelines give a ``feeding.IteratorAdapter``.
    """
    if x is None:
        raise ValueError("`x` is None: pass the input data to fit / evaluate / predict.")
    if feeding.is_iterator_input(x):
        return feeding.IteratorAdapter(x, y, sample_weight)
    return ArrayAdapter(x, y, sample_weight)


def split_validation(adapter: ArrayAdapter, validation_split: float) -> tuple:
    """Keras's validation_split: the LAST fraction of the samples, taken before shuffling."""
    if not isinstance(adapter, ArrayAdapter):
        raise ValueError(
            "`validation_split` is only supported for array inputs (numpy, lists, pandas, "
            f"dicts of them); received `x` as a {adapter.kind_name}. Pass `validation_data` "
            "instead (arrays, a generator or a Sequence)."
        )
    if not isinstance(validation_split, (int, float)) or not 0.0 <= validation_split < 1.0:
        raise ValueError(
            f"`validation_split` must be a float in [0, 1), received {validation_split!r}."
        )
    n = adapter.num_samples
    split_at = int(n * (1.0 - validation_split))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"`validation_split={validation_split}` leaves no samples for "
            f"{'training' if split_at == 0 else 'validation'} out of {n}."
        )
    return adapter.take(0, split_at), adapter.take(split_at, n)
