"""``Sequence`` / ``PyDataset``: a dataset of whole batches indexed by position (Keras's).

``fit`` / ``evaluate`` / ``predict`` read a ``Sequence`` with ``len(ds)`` batches per epoch,
calling ``ds[i]`` (on ``workers`` background threads when ``workers > 1``), shuffling the
batch order when ``shuffle=True`` and calling ``on_epoch_end()`` after each epoch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PyDataset", "Sequence"]


class PyDataset:
    """Base class for datasets of batches: implement ``__len__`` and ``__getitem__``.

    ``__getitem__(i)`` returns batch ``i``: ``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)``; ``__len__`` returns the number of batches. Optionally override
    ``on_epoch_begin`` / ``on_epoch_end`` (e.g. to reshuffle between epochs).

    Args:
        workers: Number of threads that fetch batches in parallel during ``fit``.
        use_multiprocessing: Accepted for Keras compatibility; jnn fetches with threads
            (batches are numpy arrays, so the copies a process pool makes buy nothing here).
        max_queue_size: Most batches fetched ahead of the training step.

    Example:
        >>> import numpy as np
        >>> class Batches(PyDataset):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, i):
        ...         return np.full((4, 2), i, "float32"), np.zeros((4, 1), "float32")
        >>> ds = Batches(workers=2)
        >>> len(ds), ds[2][0][0].tolist(), ds.num_batches
        (3, [2.0, 2.0], 3)
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ):
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"PyDataset: argument `{name}` must be a positive int, received {value!r}."
                )
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return self.__dict__.get("_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return self.__dict__.get("_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return self.__dict__.get("_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__getitem__(index)` returning one batch."
        )

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__len__()` returning the number of batches."
        )

    @property
    def num_batches(self) -> int | None:
        """``len(self)``, or ``None`` when the subclass defines no ``__len__``."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""


Sequence = PyDataset
