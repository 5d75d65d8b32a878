"""The fused fit / evaluate / predict loops (the hot path).

Data moves as DESIGN.md describes: host arrays -> device (the whole dataset when it fits the
device-memory budget, else chunk by chunk) -> one jitted ``lax.scan`` over K steps per dispatch,
with the train state donated -> one host sync per chunk -> callbacks and the progress bar on
the host. The last partial batch is padded and masked (never dropped, never recompiled).
Compiled functions are cached per model and shapes, so later epochs, evaluate after fit and
predict after evaluate reuse them.
"""

from __future__ import annotations

import math
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import steps as steps_lib
from jnn._shell.runtime import config, rng
from jnn._shell.runtime import distribution as distribution_lib
from jnn._shell.training import arrays

# --- batching plans --------------------------------------------------------------------------


def batch_plan(num_samples: int, batch_size: int, shuffle: Any, seed: int | None,
               num_steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(steps, batch)`` and mask ``(steps, batch)`` for one pass over the data.

    The last partial batch is padded with index 0 and mask 0. ``shuffle='batch'`` shuffles the
    order of whole batches (Keras's behaviour for HDF5-like data).
    """
    steps = math.ceil(num_samples / batch_size) if num_steps is None else num_steps
    order = np.arange(num_samples)
    if shuffle is True:
        order = np.random.default_rng(seed).permutation(num_samples)
    total = steps * batch_size
    reps = math.ceil(total / num_samples)
    if reps > 1:  # steps_per_epoch larger than one pass: keep cycling through the data
        order = np.concatenate([order] * reps)
    idx = np.zeros(total, np.int32)
    mask = np.zeros(total, np.float32)
    take = min(total, len(order))
    idx[:take] = order[:take]
    mask[:take] = 1.0
    if num_steps is None:
        mask[num_samples:] = 0.0
    idx = idx.reshape(steps, batch_size)
    mask = mask.reshape(steps, batch_size)
    if shuffle == "batch":
        perm = np.random.default_rng(seed).permutation(steps)
        idx, mask = idx[perm], mask[perm]
    return idx, mask


# On the CPU a numpy plan costs no compilation and shares the cores with nothing; tests flip
# this to exercise the accelerator path (plan traced into the epoch program, pipelined epochs).
PLAN_ON_CPU = False
_PLAN_STREAM = 0x5EED


def plan_on_device() -> bool:
    """Whether resident data is batched by a plan drawn on the device (accelerators)."""
    if distribution_lib.splits_batch():  # the plan must be sharded over the devices
        return False
    return PLAN_ON_CPU or jax.devices()[0].platform != "cpu"


def device_plan_fn(num_samples: int, batch_size: int, steps: int, shuffle: Any,
                   cycle: bool):
    """A jitted ``plan(key) -> (idx, mask)`` computing :func:`batch_plan` on the device.

    Keeps the per-epoch host work of resident data to one dispatch (no host permutation, no
    index transfer).
    """
    return jax.jit(device_plan(num_samples, batch_size, steps, shuffle, cycle))


def device_plan(num_samples: int, batch_size: int, steps: int, shuffle: Any, cycle: bool):
    """The pure ``plan(key) -> (idx, mask)`` behind :func:`device_plan_fn`.

    :func:`make_train_chunk` can trace it into the epoch's program (``plan=``), so a whole
    epoch on resident data is one dispatch: shuffle, gather, K steps.
    """
    total = steps * batch_size

    def plan(key):
        if shuffle is True:
            order = jax.random.permutation(key, num_samples).astype(jnp.int32)
        else:
            order = jnp.arange(num_samples, dtype=jnp.int32)
        pos = jnp.arange(total, dtype=jnp.int32)
        idx = order[pos % num_samples]
        mask = (jnp.ones((total,), jnp.float32) if cycle
                else (pos < num_samples).astype(jnp.float32))
        idx = jnp.where(mask > 0, idx, 0).reshape(steps, batch_size)
        mask = mask.reshape(steps, batch_size)
        if shuffle == "batch":
            perm = jax.random.permutation(key, steps)
            idx, mask = idx[perm], mask[perm]
        return idx, mask

    return plan


def _nbytes(tree: Any) -> int:
    return int(sum(a.nbytes for a in jax.tree.leaves(tree)))


# XLA:CPU runs convolutions inside a while loop (lax.scan) several times slower than at the
# top level of a program. jnn's convolution layers avoid XLA's convolution on the CPU backend
# (im2col matrix products, see jnn._core.layers.conv.convolve) except for grouped ones
# (``groups > 1``): a model holding one of those runs short, fully unrolled chunks there
# instead (same numerics, bounded compile time).
CPU_CONV_CHUNK = 8


def unrolled_conv_chunks(model: Any) -> bool:
    """True on the CPU backend for models holding a convolution XLA:CPU must run itself."""
    if jax.devices()[0].platform != "cpu":
        return False

    def walk(layers):
        for layer in layers:
            if getattr(layer, "_is_model", False):
                if walk(layer.layers):
                    return True
            elif "conv" in type(layer).__module__.rsplit(".", 1)[-1] and \
                    getattr(layer, "groups", 1) > 1:
                return True
        return False

    return walk(model.layers)


def chunk_steps(steps: int, bytes_per_step: int, steps_per_execution: Any,
                resident: bool) -> int:
    """K: how many steps run in one dispatch.

    'auto' runs the whole epoch in one dispatch when the data is resident; streamed data
    gets the largest K whose chunk, double-buffered, fits the device-memory budget.
    """
    if steps_per_execution == "auto":
        if resident:
            return steps
        budget = config.device_memory_budget()
        if 2 * bytes_per_step > budget:
            raise ValueError(
                f"The device memory budget ({budget:,} bytes) is smaller than two batches "
                f"of data ({2 * bytes_per_step:,} bytes; streaming keeps the current and the "
                "next batch on the device). Raise it with "
                "jnn.config.set_device_memory_budget(...) or use a smaller batch_size."
            )
        per_step = max(bytes_per_step, 1)
        return max(1, min(steps, budget // (2 * per_step), STREAM_CHUNK_BYTES // per_step))
    return max(1, min(steps, int(steps_per_execution)))


# Streamed array data moves in chunks of about this size (at least one step): host memory
# stays a few chunks whatever the budget, as with a generator (feeding.CHUNK_BYTES), while a
# chunk still fuses many small steps per dispatch.
STREAM_CHUNK_BYTES = 8 << 20


# --- compiled functions (cached on the model) ----------------------------------------------------


# On accelerators each loop iteration of a scan costs a little control overhead, which is
# visible when a step is tiny (an MLP at batch 32): unrolling 8 steps per iteration measured
# 1.2x faster MLP and CNN epochs at batch 32 on an H100 (benchmarks/bench_fit.py). The CPU
# keeps plain loops (its conv models already run fully unrolled short chunks).
ACCELERATOR_SCAN_UNROLL = int(os.environ.get("JNN_SCAN_UNROLL", "8"))


def _unroll(unroll: bool) -> Any:
    """``lax.scan``'s ``unroll`` for a chunk: full for CPU conv chunks, 8 on accelerators."""
    if unroll:
        return True
    return 1 if _on_cpu() else ACCELERATOR_SCAN_UNROLL


class DeviceMemoryError(MemoryError):
    """The device ran out of memory running a fused chunk (XLA's RESOURCE_EXHAUSTED)."""


class _GuardOOM:
    """A compiled chunk whose device out-of-memory errors say what to change.

    Everything else (``lower``, ``trace``, ...) is the wrapped jitted function's.
    """

    def __init__(self, fn: Any, what: str):
        self.__wrapped__ = fn
        self._what = what

    def __call__(self, *args: Any) -> Any:
        try:
            return self.__wrapped__(*args)
        except jax.errors.JaxRuntimeError as exc:
            if "RESOURCE_EXHAUSTED" not in str(exc) and "Out of memory" not in str(exc):
                raise
            raise DeviceMemoryError(
                f"The device ran out of memory during {self._what}. Use a smaller batch_size, "
                "fuse fewer steps per dispatch (compile(steps_per_execution=...)), or lower "
                "jnn.config.set_device_memory_budget(...) so the data streams in smaller "
                f"chunks instead of staying resident. XLA said: {str(exc).splitlines()[0]}"
            ) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)


def _guard_oom(fn: Any, what: str) -> _GuardOOM:
    """Re-raises a device out-of-memory error with what to change, keeping XLA's message."""
    return _GuardOOM(fn, what)


def _gather(data: Any, i: jax.Array) -> Any:
    return jax.tree.map(lambda a: a[i], data)


def make_train_chunk(model: Any, objectives: Any, tx: Any, *, per_step_logs: bool,
                     skip_empty: bool, jit: bool = True, scale_loss: Any = None,
                     unroll: bool = False, plan: Any = None):
    """``run(ts, data, idx, mask, reset) -> (ts, logs)``: K train steps in one ``lax.scan``.

    With ``plan`` (from :func:`device_plan`), ``idx`` / ``mask`` are ignored (pass None): the
    epoch's shuffled plan is drawn inside the program from a key split off ``ts.rng``.
    """
    step = steps_lib.train_step_fn(model, objectives, tx, scale_loss)

    def run(ts, data, idx, mask, reset):
        x, y, sw = data
        if plan is not None:  # a stream of its own: dropout keys stay fold_in(rng, step)
            idx, mask = plan(jax.random.fold_in(jax.random.fold_in(ts.rng, _PLAN_STREAM),
                                                ts.step))
        # Epoch start: fresh metric states, chosen inside the jitted function (no host work).
        fresh = objectives.init()
        ts = ts.replace(metrics=jax.tree.map(
            lambda f, m: jnp.where(reset, f, m), fresh, ts.metrics))
        scan = steps_lib.fused_train_fn(
            step, per_step_logs=per_step_logs, skip_empty=skip_empty, unroll=_unroll(unroll),
            make_batch=lambda im: steps_lib.Batch(
                _gather(x, im[0]), _gather(y, im[0]), _gather(sw, im[0]), im[1]))
        ts, logs = scan(ts, (idx, mask))
        return ts, (logs if per_step_logs else objectives.results(ts.metrics))

    if not jit:
        return _eager_chunk(step, objectives, per_step_logs)
    return _guard_oom(jax.jit(run, donate_argnums=0), "training")


def _eager_chunk(step, objectives, per_step_logs):
    """run_eagerly=True: the same computation, one un-jitted step at a time."""

    def run(ts, data, idx, mask, reset):
        x, y, sw = data
        logs_list = []
        if bool(reset):
            ts = ts.replace(metrics=objectives.init())
        with jax.disable_jit():
            for i, m in zip(idx, mask):
                if float(jnp.sum(m)) == 0:
                    continue
                batch = steps_lib.Batch(_gather(x, i), _gather(y, i), _gather(sw, i), m)
                ts, logs = step(ts, batch)
                logs_list.append(logs)
        if per_step_logs:
            return ts, jax.tree.map(lambda *a: jnp.stack(a), *logs_list)
        return ts, objectives.results(ts.metrics)

    return run


def make_eval_chunk(model: Any, objectives: Any, *, per_step_logs: bool, jit: bool = True,
                    unroll: bool = False):
    step = steps_lib.eval_step_fn(model, objectives)

    def run(metric_states, variables, data, idx, mask):
        x, y, sw = data
        scan = steps_lib.fused_eval_fn(
            step, per_step_logs=per_step_logs, unroll=_unroll(unroll),
            make_batch=lambda im: steps_lib.Batch(
                _gather(x, im[0]), _gather(y, im[0]), _gather(sw, im[0]), im[1]))
        ms, logs = scan(metric_states, variables, (idx, mask))
        return ms, (logs if per_step_logs else objectives.results(ms))

    if not jit:
        def eager(metric_states, variables, data, idx, mask):
            with jax.disable_jit():
                return run(metric_states, variables, data, idx, mask)
        return eager
    return _guard_oom(jax.jit(run), "evaluation")


def make_predict_chunk(model: Any, *, jit: bool = True, unroll: bool = False):
    step = steps_lib.predict_step_fn(model)

    def run(variables, x, idx):
        scan = steps_lib.fused_predict_fn(step, unroll=_unroll(unroll),
                                          make_input=lambda i: _gather(x, i))
        return scan(variables, idx)

    if not jit:
        def eager(variables, x, idx):
            with jax.disable_jit():
                return run(variables, x, idx)
        return eager
    return _guard_oom(jax.jit(run), "prediction")


def _spec_key(tree: Any) -> tuple:
    return tuple((tuple(a.shape[1:]), str(a.dtype)) for a in jax.tree.leaves(tree)) + (
        str(jax.tree.structure(tree)),
    )


class Engine:
    """Per-model cache of compiled chunk functions and the current train state."""

    def __init__(self, model: Any):
        self.model = model
        self.cache: dict[Any, Any] = {}
        self.trace_count = 0  # incremented when a new function is compiled (tests read it)

    def cached(self, key: Any, build: Any) -> Any:
        fn = self.cache.get(key)
        if fn is None:
            fn = build()
            self.cache[key] = fn
            self.trace_count += 1
        return fn


# --- device placement ---------------------------------------------------------------------------


@jax.jit
def _all_finite(tree: Any) -> jax.Array:
    ok = jnp.ones((), bool)
    for a in jax.tree.leaves(tree):
        if jnp.issubdtype(a.dtype, jnp.floating):
            ok = ok & jnp.all(jnp.isfinite(a))
    return ok


def _on_cpu() -> bool:
    return jax.devices()[0].platform == "cpu"


def _host_all_finite(tree: Any, mappings: tuple = ()) -> bool:
    """One float32 pass per array (a finite sum means finite entries, barring overflow).

    Memory-mapped data is read in blocks whose pages are released as it goes.
    """
    for a in jax.tree.leaves(tree):
        if a.dtype.kind != "f":
            continue
        block = max(1, STREAM_CHUNK_BYTES // max(a[:1].nbytes, 1)) if mappings else len(a)
        for i in range(0, len(a), block):
            part = a if block >= len(a) else a[i:i + block]
            if not np.isfinite(part.sum(dtype=np.float32)) and not np.isfinite(part).all():
                return False
            distribution_lib.release_pages(mappings)
    return True


class DeviceData:
    """Host arrays (x, y, sample_weight) and their device copy or device chunks."""

    def __init__(self, x: Any, y: Any, sw: Any):
        self.host = (x, y, sw)
        self.num_samples = jax.tree.leaves(x)[0].shape[0]
        self.row_bytes = _nbytes(self.host) // max(self.num_samples, 1)
        self.resident = (_nbytes(self.host) <= config.device_memory_budget()
                         and distribution_lib.may_be_resident())
        self._device = distribution_lib.put_resident(self.host) if self.resident else None
        # Streamed data is read chunk by chunk (memmaps from their file, never whole).
        self._mappings = () if self.resident else distribution_lib.file_mappings(self.host)
        self._readers = None if self.resident else jax.tree.map(
            distribution_lib.row_reader, self.host)

    def check_finite(self, names: tuple[str, str]) -> None:
        """Raises a clear error (via the host check) if x or y holds NaN / inf.

        Resident data is checked on the device with one reduction; the host only looks for the
        first bad index when that finds something.
        """
        x, y, sw = self.host
        if self.resident and not _on_cpu():
            if bool(_all_finite(self._device)):
                return
        elif _host_all_finite(self.host, self._mappings):
            return
        arrays.check_finite(x, names[0])
        arrays.check_finite(y, names[1])
        arrays.check_finite(sw, "`sample_weight`")


    def release(self) -> None:
        """The call using this data has synced: its staging copy may serve the next call."""
        if self._device is not None:
            distribution_lib.release_resident(self._device)
            self._device = None

    def chunk_all(self) -> Any:
        """The resident device copy (x, y, sw), for programs that plan their own epoch."""
        return self._device

    def chunks(self, idx: Any, mask: Any, k: int, start: int = 0):
        """Yields ``(data, idx_chunk, mask_chunk, first_step, n_real_steps)`` per dispatch.

        ``idx`` / ``mask`` are ``(steps, batch)`` plans, on the device for resident data.
        Streamed data gathers each chunk's rows on the host and starts its transfer before the
        previous chunk's compute is waited on (device_put is asynchronous). ``start`` skips
        the plan's first steps (an epoch resumed from a backup); ``first_step`` counts them.
        """
        if start:
            if start >= idx.shape[0]:
                return
            for *head, first, real in self.chunks(idx[start:], mask[start:], k):
                yield (*head, first + start, real)
            return
        if distribution_lib.distribution() is not None:  # sharded over a device mesh
            yield from distribution_lib.data_chunks(self, idx, mask, k)
            return
        steps = idx.shape[0]
        n_chunks = math.ceil(steps / k)
        pad = n_chunks * k - steps
        if pad:
            xp = jnp if isinstance(idx, jax.Array) else np
            idx = xp.concatenate([idx, xp.zeros((pad,) + idx.shape[1:], idx.dtype)])
            mask = xp.concatenate([mask, xp.zeros((pad,) + mask.shape[1:], mask.dtype)])
        if self.resident:
            idx_d = jax.device_put(idx)
            mask_d = jax.device_put(mask)
            if n_chunks == 1:
                yield self._device, idx_d, mask_d, 0, steps
                return
            for c in range(n_chunks):
                sl = slice(c * k, (c + 1) * k)
                yield self._device, idx_d[sl], mask_d[sl], c * k, min(k, steps - c * k)
            return
        idx, mask = np.asarray(idx), np.asarray(mask)
        local = np.arange(k * idx.shape[1], dtype=np.int32).reshape(k, idx.shape[1])
        local_d = jax.device_put(local)

        def transfer(c):  # chunked gathers: the whole (shuffled) dataset is never copied
            rows = idx[c * k:(c + 1) * k].reshape(-1)
            host = jax.tree.map(lambda read: read(rows), self._readers)
            return jax.device_put(host), jax.device_put(mask[c * k:(c + 1) * k])

        nxt = transfer(0)
        for c in range(n_chunks):
            cur = nxt
            if c + 1 < n_chunks:
                nxt = transfer(c + 1)
            yield cur[0], local_d, cur[1], c * k, min(k, steps - c * k)


def host_logs(logs: dict[str, Any], names: list[str]) -> dict[str, float]:
    """Device logs -> Python floats, in Keras's order (``loss`` first, then metrics)."""
    arrs = jax.device_get(logs)
    return {k: float(arrs[k]) for k in names}


def step_logs(stacked: dict[str, Any], n: int, names: list[str]) -> list[dict[str, float]]:
    arrs = jax.device_get(stacked)
    return [{k: float(arrs[k][i]) for k in names} for i in range(n)]


def new_seed() -> int:
    return int(jax.random.randint(rng.next_key(), (), 0, 2**31 - 1))
