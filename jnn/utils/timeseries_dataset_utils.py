"""``timeseries_dataset_from_array``: sliding windows over an array, batched.

Keras builds a ``tf.data.Dataset``; jnn returns a :class:`~jnn.utils.PyDataset` of numpy
batches with the same windows, targets and order, which ``fit`` / ``evaluate`` / ``predict``
and a plain ``for`` loop accept.

Example:
    >>> import numpy as np
    >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3, batch_size=4)
    >>> len(ds), ds[0].tolist()[:2]
    (2, [[0, 1, 2], [1, 2, 3]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jnn.utils.sequence import PyDataset


class _Windows(PyDataset):
    def __init__(self, data, targets, starts, sequence_length, sampling_rate, batch_size):
        super().__init__()
        self._data, self._targets, self._starts = data, targets, starts
        self._offsets = np.arange(sequence_length) * sampling_rate
        self._batch = len(starts) if batch_size is None else int(batch_size)

    def __len__(self) -> int:
        return -(-len(self._starts) // self._batch) if len(self._starts) else 0

    def __getitem__(self, i: int) -> Any:
        if not 0 <= i < len(self):
            raise IndexError(f"batch index {i} out of range for {len(self)} batches")
        starts = self._starts[i * self._batch:(i + 1) * self._batch]
        x = self._data[starts[:, None] + self._offsets[None, :]]
        if self._targets is None:
            return x
        return x, self._targets[starts]


def timeseries_dataset_from_array(
    data: Any, targets: Any, sequence_length: int, sequence_stride: int = 1,
    sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
    seed: int | None = None, start_index: int | None = None, end_index: int | None = None,
) -> PyDataset:
    """Windows ``data[s : s + sequence_length * sampling_rate : sampling_rate]`` with target
    ``targets[s]`` for every start ``s`` (every ``sequence_stride`` steps), in batches.

    Args:
        data: array of timesteps (first axis is time).
        targets: array aligned with ``data`` (target of the window starting at ``s`` is
            ``targets[s]``), or None for windows only.
        sequence_length: timesteps per window.
        sequence_stride: offset between consecutive window starts.
        sampling_rate: offset between timesteps inside a window.
        batch_size: windows per batch (None: one batch of all).
        shuffle: shuffle the window order (``seed`` makes it reproducible).
        start_index / end_index: use only ``data[start_index:end_index]``.
    """
    data = np.asarray(data)
    n = len(data)
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0 or value >= n:
            raise ValueError(f"`{name}` must be higher than 0 and lower than the length of the "
                             f"data ({n}). Received: {name}={value}")
    start = start_index or 0
    if start < 0 or start >= n:
        raise ValueError(f"`start_index` must be in [0, {n}). Received: start_index={start_index}")
    end = n if end_index is None else int(end_index)
    if end <= start or end > n:
        raise ValueError(f"`end_index` must be in ({start}, {n}]. Received: end_index={end_index}")
    data = data[start:end]
    num = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)[start:end]
        num = min(num, len(targets))
    starts = np.arange(0, max(num, 0), sequence_stride)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(starts)
    return _Windows(data, targets, starts, sequence_length, sampling_rate, batch_size)
