"""Iterators, generators, ``Sequence`` objects and foreign pipelines -> device chunks.

A *source* hands out raw batches (Python generators and iterators, ``jnn.utils.Sequence``,
objects with ``as_numpy_iterator()`` such as ``tf.data``, torch ``DataLoader``-like and
grain-like iterables). :class:`IteratorAdapter` peeks the first batch (to build the model and
check targets). :class:`Feed` then plays the role of ``engine.DeviceData`` for the fused loops:
a background thread pulls batches, checks them against the first one, pads every batch to the
first batch's size (mask 0 on padded rows, so ONE compiled chunk function serves batches of any
smaller size), stacks ``k`` of them, starts their transfer to the device and puts the chunk in
a bounded queue, while the device trains on the previous chunk.
"""

from __future__ import annotations

import itertools
import queue
import random
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jax
import numpy as np

from jnn._shell.runtime import config
from jnn._shell.runtime import distribution as distribution_lib
from jnn._shell.training import arrays

_RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches."
)


# --- sources -------------------------------------------------------------------------------------


def _is_sequence(x: Any) -> bool:
    from jnn._shell.training.pydataset import PyDataset

    if isinstance(x, PyDataset):
        return True
    names = {c.__name__ for c in type(x).__mro__}
    if names & {"PyDataset", "Sequence"} and "keras" in type(x).__module__ + "".join(
        c.__module__ for c in type(x).__mro__
    ):
        return True
    return hasattr(x, "__getitem__") and hasattr(x, "__len__") and not hasattr(x, "__iter__")


def is_iterator_input(x: Any) -> bool:
    """True for data that is read batch by batch (not an in-memory array structure)."""
    if isinstance(x, (list, tuple, dict, str, bytes, np.ndarray, jax.Array)) or arrays._is_pandas(x):
        return False
    return (
        _is_sequence(x)
        or hasattr(x, "as_numpy_iterator")
        or hasattr(x, "__next__")
        or hasattr(x, "__iter__")
    )


class Source:
    """Raw batches of one input object, pass by pass.

    ``kind`` is 'generator' (one shot: one iterator across all epochs), 'sequence'
    (indexed batches), 'tf' (``as_numpy_iterator()`` per pass) or 'iterable'
    (``iter(x)`` per pass: torch DataLoader-like, grain-like).
    """

    def __init__(self, x: Any):
        self.obj = x
        if _is_sequence(x):
            self.kind = "sequence"
        elif hasattr(x, "as_numpy_iterator"):
            self.kind = "tf"
        elif hasattr(x, "__next__"):
            self.kind = "generator"
        else:
            self.kind = "iterable"
        self.one_shot = self.kind == "generator"
        self.num_batches = self._length()
        self.workers = int(getattr(x, "workers", 1) or 1)
        self.max_queue_size = int(getattr(x, "max_queue_size", 10) or 10)
        self._persistent: Iterator | None = None
        self.first = self._peek()

    def _length(self) -> int | None:
        if self.kind == "generator":
            return None
        try:
            n = len(self.obj)
        except (TypeError, NotImplementedError):
            return None
        return int(n) if n >= 0 else None

    def _peek(self) -> Any:
        if self.kind == "sequence":
            if self.num_batches == 0:
                raise ValueError(f"The {type(self.obj).__name__} is empty: `len()` is 0 batches.")
            return self.obj[0]
        it = iter(self.obj.as_numpy_iterator()) if self.kind == "tf" else iter(self.obj)
        try:
            first = next(it)
        except StopIteration:
            raise ValueError(
                f"The {type(self.obj).__name__} passed as data yielded no batch: it is empty "
                "(or already exhausted). A generator or dataset must yield at least one batch."
            ) from None
        if self.one_shot:
            self._persistent = itertools.chain([first], it)
        return first

    def new_pass(self, shuffle: Any, seed: int) -> Iterator:
        """An iterator over one pass (the same live iterator for one-shot generators)."""
        if self.kind == "generator":
            return self._persistent
        if self.kind == "tf":
            return iter(self.obj.as_numpy_iterator())
        if self.kind == "iterable":
            return iter(self.obj)
        order = list(range(self.num_batches or 0))
        if shuffle in (True, "batch"):
            random.Random(seed).shuffle(order)
        return self._indexed(order)

    def _indexed(self, order: list[int]) -> Iterator:
        seq = self.obj
        if self.workers <= 1:
            return (seq[i] for i in order)
        return _threaded_map(seq.__getitem__, order, self.workers, self.max_queue_size)

    def on_epoch_begin(self) -> None:
        getattr(self.obj, "on_epoch_begin", lambda: None)()

    def on_epoch_end(self) -> None:
        if self.kind == "sequence":
            getattr(self.obj, "on_epoch_end", lambda: None)()


def _threaded_map(fn: Callable, items: list, workers: int, window: int) -> Iterator:
    """``map(fn, items)`` in order, at most ``window`` calls ahead, on ``workers`` threads."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: list = []
        it = iter(items)
        for item in itertools.islice(it, max(window, workers)):
            pending.append(pool.submit(fn, item))
        while pending:
            result = pending.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(fn, nxt))
            yield result


# --- one batch: unpack, convert, check -----------------------------------------------------------


def _leaf_to_numpy(a: Any, what: str) -> np.ndarray:
    if not isinstance(a, (np.ndarray, jax.Array)) and hasattr(a, "numpy"):
        if hasattr(a, "detach"):  # torch: leave autograd and the GPU first
            a = a.detach().cpu()
        a = a.numpy()
    return arrays.to_numpy(a, what)


def unpack(batch: Any, index: int) -> tuple[Any, Any, Any]:
    """``x`` / ``(x,)`` / ``(x, y)`` / ``(x, y, sample_weight)`` -> numpy ``(x, y, sw)``."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        batch = (batch,)
    if len(batch) not in (1, 2, 3):
        raise ValueError(
            "Each batch must be `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; batch "
            f"{index} is a tuple of {len(batch)} elements."
        )
    x, y, sw = (tuple(batch) + (None, None))[:3]
    names = ("Input data `x`", "Target data `y`", "`sample_weight`")
    return tuple(
        part
        if isinstance(part, np.ndarray) and part.dtype in _READY and part.ndim
        else arrays.map_arrays(part, lambda a, w=w: _leaf_to_numpy(a, f"{w} (batch {index})"))
        for part, w in zip((x, y, sw), names)
    )


# Arrays the engine takes as they are (the common case; skips the per-leaf conversion).
_READY = (np.dtype(np.float32), np.dtype(np.int32))


def describe(tree: Any) -> str:
    """A short structure/shape description of a batch for error messages."""
    shapes = jax.tree.map(lambda a: f"{a.dtype}{list(a.shape)}", tree)
    return str(shapes).replace("'", "")


def _rows(tree: Any) -> int:
    sizes = {a.shape[0] for a in jax.tree.leaves(tree)}
    if len(sizes) != 1:
        raise ValueError(
            f"All arrays of a batch must have the same number of rows; received {describe(tree)}."
        )
    return sizes.pop()


class IteratorAdapter:
    """Batch-by-batch data; ``x`` / ``y`` / ``sample_weight`` are the FIRST batch's."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None):
        self.source = Source(x)
        name = {
            "generator": "generator",
            "sequence": "PyDataset",
            "tf": "tf.data.Dataset",
            "iterable": "iterable dataset",
        }[self.source.kind]
        for arg, value, desc in (
            ("y", y, "the targets"),
            ("sample_weight", sample_weight, "the sample weights"),
        ):
            if value is not None:
                raise ValueError(
                    f"When providing `x` as a {name}, `{arg}` should not be passed. Instead, "
                    f"{desc} should be included as part of the {name}."
                )
        self.kind_name = name
        self.x, self.y, self.sample_weight = unpack(self.source.first, 0)
        self.num_samples = _rows((self.x, self.y, self.sample_weight))
        if self.num_samples == 0:
            raise ValueError(f"The first batch of the {name} has 0 samples.")


# --- the feed: chunks for the engine -------------------------------------------------------------


_DONE = object()
CHUNK_BYTES = 4 << 20


class Feed:
    """Streams a source into the fused engine; the interface of ``engine.DeviceData``.

    ``chunks(idx, mask, k)`` runs one epoch (``idx`` / ``mask`` are ignored: the source decides
    the order) and yields ``(data, local_idx, mask, first_step, n_real_steps)``.
    """

    resident = False

    def __init__(
        self,
        adapter: IteratorAdapter,
        prepare: Callable,
        *,
        steps: int | None,
        shuffle: Any = False,
        seed: int = 0,
    ):
        self.source = adapter.source
        self.prepare = prepare
        self.steps = None if steps is None else int(steps)
        self.shuffle = shuffle
        self._seed = seed
        self.host = prepare(adapter.x, adapter.y, adapter.sample_weight)
        self.batch_size = _rows(self.host)
        self.num_samples = self.batch_size
        self.row_bytes = sum(a.nbytes for a in jax.tree.leaves(self.host)) // self.batch_size
        self._spec = (
            jax.tree.structure(self.host),
            [(a.shape[1:], a.dtype) for a in jax.tree.leaves(self.host)],
        )
        self.exhausted = False
        self.batches_seen = 0
        self._local: dict[int, Any] = {}
        # Padded steps at the end of a pass of unknown length must change nothing (a `where`
        # per step); chunk_size decides.
        self.skip_empty = True
        self._iter: Iterator | None = None
        self._pass_seen = 0

    @property
    def num_batches(self) -> int | None:
        """Steps per epoch when known (``steps``, ``len(source)``, or a finished first pass)."""
        return self.steps or self.source.num_batches

    def chunk_size(self, steps_per_execution: Any) -> int:
        """K for streamed batches: enough to hide dispatch, small enough to overlap input.

        'auto' targets chunks of about ``CHUNK_BYTES`` (at most 32 steps), so the first chunk
        is ready quickly and host copies stay small. With a known number of batches, a pass
        ending inside a chunk gets a shorter chunk (one more trace) instead of padded steps.
        """
        if steps_per_execution != "auto":
            k = int(steps_per_execution)
        else:
            step_bytes = max(self.row_bytes * self.batch_size, 1)
            budget = config.device_memory_budget() // (2 * step_bytes)
            k = max(1, min(32, CHUNK_BYTES // step_bytes, budget))
        k = max(1, min(k, self.num_batches or k))
        self.skip_empty = not self.num_batches
        return k

    def check_finite(self, names: tuple[str, str]) -> None:
        x, y, sw = self.host
        arrays.check_finite(x, names[0] + " (batch 0)")
        arrays.check_finite(y, names[1] + " (batch 0)")
        arrays.check_finite(sw, "`sample_weight` (batch 0)")

    # -- one epoch --------------------------------------------------------------------------

    def _epoch_batches(self) -> Iterator:
        """Raw batches of this epoch, following Keras's EpochIterator rules."""
        src = self.source
        if src.one_shot:
            it = src.new_pass(False, 0)
            return itertools.islice(it, self.steps) if self.steps else it
        if self.steps is None:
            self._seed += 1
            return src.new_pass(self.shuffle, self._seed)
        # steps_per_epoch with a re-iterable: keep reading the same pass across epochs.
        if self._iter is None:
            self._seed += 1
            self._iter = src.new_pass(self.shuffle, self._seed)
        return itertools.islice(self._iter, self.steps)

    def chunks(self, idx: Any, mask: Any, k: int, start: int = 0):
        """One epoch's chunks; ``start`` batches of the pass are read and skipped (an epoch
        resumed from a backup taken after that many steps)."""
        del idx, mask
        self.source.on_epoch_begin()
        q: queue.Queue = queue.Queue(maxsize=max(2, self.source.max_queue_size // k))
        stop = threading.Event()
        batches = self._epoch_batches()
        if start:
            batches = itertools.islice(batches, start, None)
        worker = threading.Thread(
            target=self._produce, args=(batches, k, q, stop), daemon=True
        )
        worker.start()
        first_step, n_batches = start, start
        try:
            while True:
                item = q.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                dev, local, mask_d, real = item
                n_batches += real
                yield dev, local, mask_d, first_step, real
                first_step += real
        finally:
            stop.set()
            worker.join(timeout=5)
        self._end_epoch(n_batches)

    def _end_epoch(self, n_batches: int) -> None:
        src = self.source
        short = n_batches == 0 or (self.steps is not None and n_batches < self.steps)
        if short:
            warnings.warn(_RAN_OUT, UserWarning, stacklevel=3)
            self.exhausted = src.one_shot
        if self._iter is not None:  # a re-iterable read across epochs (steps_per_epoch)
            self._pass_seen += n_batches
            if short or (src.num_batches is not None and self._pass_seen >= src.num_batches):
                self._iter, self._pass_seen = None, 0  # Keras starts a fresh pass
        src.on_epoch_end()

    # -- the producer thread ----------------------------------------------------------------

    def _produce(self, batches: Iterator, k: int, q: queue.Queue, stop: threading.Event):
        def put(item) -> bool:
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            group: list = []
            for raw in batches:
                group.append(self._batch(raw))
                if len(group) == k:
                    if not put(self._assemble(group, k)):
                        return
                    group = []
                if stop.is_set():
                    return
            if group:
                put(self._assemble(group, k))
            put(_DONE)
        except BaseException as exc:  # re-raised in the consuming thread
            put(exc)

    def _batch(self, raw: Any) -> tuple[int, Any]:
        index = self.batches_seen
        self.batches_seen += 1
        x, y, sw = unpack(raw, index)
        try:
            tree = self.prepare(x, y, sw)
        except ValueError as exc:
            raise ValueError(f"Batch {index}: {exc}") from None
        leaves = jax.tree.leaves(tree)
        if jax.tree.structure(tree) != self._spec[0] or [a.shape[1:] for a in leaves] != [
            s for s, _ in self._spec[1]
        ]:
            raise ValueError(
                f"Batch {index} does not match the first batch: every batch must have the same "
                f"structure and the same shapes (except the batch size).\n  first batch: "
                f"{describe(self.host)}\n  batch {index}: {describe(tree)}"
            )
        n = _rows(tree)
        if n > self.batch_size:
            raise ValueError(
                f"Batch {index} has {n} samples, more than the first batch ({self.batch_size}). "
                "Batches after the first may be smaller (the last one usually is), not larger."
            )
        return index, leaves

    def _assemble(self, group: list, k: int) -> tuple:
        b = self.batch_size
        if not self.skip_empty and len(group) < k:
            k = len(group)  # a pass that ran out early: a shorter chunk (one more trace)
        out = []
        for j, (shape, dtype) in enumerate(self._spec[1]):
            buf = np.empty((k * b,) + tuple(shape), dtype)
            for s, (_, leaves) in enumerate(group):
                arr = leaves[j]
                buf[s * b : s * b + arr.shape[0]] = arr
                buf[s * b + arr.shape[0] : (s + 1) * b] = 0
            buf[len(group) * b :] = 0
            out.append(buf)
        self._check_finite(group, out)
        mask = np.zeros((k, b), np.float32)
        for s, (_, leaves) in enumerate(group):
            mask[s, : leaves[0].shape[0]] = 1.0
        host = jax.tree.unflatten(self._spec[0], out)
        if distribution_lib.splits_batch():  # each batch split over the devices
            dev, steps, mask_d = distribution_lib.place_feed_chunk(host, mask, k, b)
            return dev, steps, mask_d, len(group)
        if k not in self._local:
            self._local[k] = jax.device_put(np.arange(k * b, dtype=np.int32).reshape(k, b))
        dev, mask_d = jax.device_put((host, mask))
        return dev, self._local[k], mask_d, len(group)

    def _check_finite(self, group: list, bufs: list) -> None:
        """One float32 pass per chunk; the offending batch is looked up only on failure."""
        n_checked = len(jax.tree.leaves(self.host[:2]))  # x and y, not sample weights
        if all(
            a.dtype.kind != "f" or np.isfinite(a.sum(dtype=np.float32)) for a in bufs[:n_checked]
        ):
            return
        for index, leaves in group:
            tree = jax.tree.unflatten(self._spec[0], leaves)
            arrays.check_finite(tree[0], f"Input data `x` (batch {index})")
            arrays.check_finite(tree[1], f"Target data `y` (batch {index})")


def steps_or_none(steps: Any) -> int | None:
    """``None`` or a positive int (``steps_per_epoch``, ``validation_steps``, ``steps``)."""
    if steps is None:
        return None
    if not isinstance(steps, (int, np.integer)) or steps <= 0:
        raise ValueError(f"The number of steps must be a positive int, received {steps!r}.")
    return int(steps)


__all__ = ["Feed", "IteratorAdapter", "Source", "is_iterator_input"]
