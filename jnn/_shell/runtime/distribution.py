"""Keras 3's distribution API on ``jax.sharding``, and where the engine places arrays.

A :class:`Distribution` names a device mesh, the mesh axis the batch is split over, and (for
:class:`ModelParallel`) regex rules from variable paths (``'dense/kernel'``) to
``PartitionSpec`` axes. The engine asks this module, at two points only, where arrays go:

- :func:`place_train_state`: parameters and their optimizer slots get their layout
  (replicated unless a rule matches), everything else is replicated;
- :func:`data_chunks`: batch index plans and masks (resident data) or gathered batches
  (streamed data, and all multi-process data) are sharded over the batch axis. Batches whose
  size does not divide the number of batch shards are padded with masked rows.

XLA inserts every collective (the gradient all-reduce, tensor-parallel gathers): there is no
communication code here. With no distribution set, both helpers leave arrays as they were.
"""

from __future__ import annotations

import collections.abc
import contextlib
import math
import mmap
import os
import re
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

DEFAULT_BATCH_DIM_NAME = "batch"
_current: Distribution | None = None


# --- devices and meshes ----------------------------------------------------------------------


def list_devices(device_type: str | None = None) -> list[str]:
    """All (global) devices of one type as ``'cpu:0'``-style strings, accelerators first."""
    devices = jax.devices(device_type.lower() if device_type else None)
    return [f"{d.platform}:{d.id}" for d in devices]


def get_device_count(device_type: str | None = None) -> int:
    """Number of (global) devices of one type."""
    return jax.device_count(device_type.lower() if device_type else None)


def _to_device(device: Any) -> jax.Device:
    if isinstance(device, jax.Device):
        return device
    name = str(device)
    platform, _, index = name.partition(":")
    for d in jax.devices(platform or None):
        if d.id == int(index or 0):
            return d
    raise ValueError(f"Device not found: {name!r}. Available devices: {list_devices()}.")


class DeviceMesh:
    """A named grid of devices (Keras's ``DeviceMesh``; a ``jax.sharding.Mesh`` underneath).

    Args:
        shape: mesh shape, e.g. ``(8,)`` for data parallelism or ``(2, 4)`` for data + model.
        axis_names: one name per mesh axis, e.g. ``('batch', 'model')``.
        devices: devices (``jax.Device`` or ``'gpu:0'`` strings); defaults to all devices.

    Example:
        >>> mesh = DeviceMesh((1,), ["batch"], devices=jax.devices()[:1])
        >>> mesh.backend_mesh.axis_names
        ('batch',)
    """

    def __init__(self, shape: Any, axis_names: Any, devices: Any = None):
        if not shape or not axis_names:
            raise ValueError(
                f"DeviceMesh: `shape` and `axis_names` cannot be empty, received shape={shape}, "
                f"axis_names={axis_names}."
            )
        if len(shape) != len(axis_names):
            raise ValueError(
                f"DeviceMesh: `shape` and `axis_names` must have the same length, received "
                f"shape={shape}, axis_names={axis_names}."
            )
        devices = np.array(
            jax.devices()
            if devices is None
            else [_to_device(d) for d in np.ravel(np.array(devices, dtype=object))],
            dtype=object,
        )
        if math.prod(shape) != devices.size:
            raise ValueError(
                f"DeviceMesh: `shape` {tuple(shape)} needs {math.prod(shape)} devices, "
                f"received {devices.size}."
            )
        self._shape = tuple(shape)
        self._axis_names = tuple(axis_names)
        self._devices = devices.reshape(self._shape)
        self._mesh = Mesh(self._devices, self._axis_names)

    @classmethod
    def from_mesh(cls, mesh: Mesh) -> DeviceMesh:
        """Wraps an existing ``jax.sharding.Mesh``."""
        return cls(tuple(mesh.devices.shape), tuple(mesh.axis_names), mesh.devices)

    shape = property(lambda self: self._shape)
    axis_names = property(lambda self: self._axis_names)
    devices = property(lambda self: self._devices)
    backend_mesh = property(lambda self: self._mesh, doc="The ``jax.sharding.Mesh``.")

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """Mesh axis names per tensor dimension (``None``: not split), Keras's ``TensorLayout``.

    Example:
        >>> layout = TensorLayout((None, "model"))
        >>> layout.axes
        (None, 'model')
    """

    def __init__(self, axes: Any, device_mesh: DeviceMesh | None = None):
        self._axes = tuple(axes)
        self._device_mesh = None
        if device_mesh is not None:
            self.device_mesh = device_mesh

    axes = property(lambda self: self._axes)

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, mesh: DeviceMesh) -> None:
        if self._device_mesh is not None:
            raise ValueError(f"TensorLayout: the device mesh is already {self._device_mesh}.")
        unknown = {a for a in _flat_axes(self._axes)} - set(mesh.axis_names)
        if unknown:
            raise ValueError(
                f"TensorLayout: axis names {sorted(unknown)} are not in the mesh; valid axis "
                f"names are {list(mesh.axis_names)}."
            )
        self._device_mesh = mesh

    @property
    def backend_layout(self) -> NamedSharding:
        """The ``jax.sharding.NamedSharding``."""
        if self._device_mesh is None:
            raise ValueError("TensorLayout: cannot build a sharding without a device mesh.")
        return NamedSharding(self._device_mesh.backend_mesh, PartitionSpec(*self._axes))

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self.axes}, device_mesh={self.device_mesh}>"


def _flat_axes(axes: tuple) -> list[str]:
    out = []
    for a in axes:
        if isinstance(a, (tuple, list)):
            out.extend(a)
        elif a is not None:
            out.append(a)
    return out


class LayoutMap(collections.abc.MutableMapping):
    """Regex rules from variable paths to layouts (Keras's ``LayoutMap``).

    Paths are ``'<layer>/<weight>'`` (``'dense_1/kernel'``; nested models prefix their name).
    A key matches a path exactly or as a ``re.fullmatch`` pattern; two matching patterns are
    an error; no match means replicated.

    Example:
        >>> layout_map = LayoutMap(DeviceMesh((1,), ["model"], jax.devices()[:1]))
        >>> layout_map[".*dense.*kernel"] = (None, "model")
        >>> layout_map["dense_1/kernel"].axes
        (None, 'model')
    """

    def __init__(self, device_mesh: DeviceMesh | Mesh):
        if isinstance(device_mesh, Mesh):
            device_mesh = DeviceMesh.from_mesh(device_mesh)
        self._device_mesh = device_mesh
        self._rules: dict[str, TensorLayout] = {}

    device_mesh = property(lambda self: self._device_mesh)

    def __getitem__(self, key: str) -> TensorLayout | None:
        if key in self._rules:
            return self._rules[key]
        matches = [p for p in self._rules if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Path '{key}' matches several LayoutMap keys: {matches}. Make each variable "
                "path match at most one key."
            )
        return self._rules[matches[0]] if matches else None

    def __setitem__(self, key: str, layout: Any) -> None:
        if key in self._rules:
            raise ValueError(f"LayoutMap: key {key!r} is already set to {self._rules[key]}.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(
                f"LayoutMap: a layout must be a TensorLayout or a tuple of axis names, received "
                f"{layout!r} for key {key!r}."
            )
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._rules[key] = layout

    def __delitem__(self, key: str) -> None:
        del self._rules[key]

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)


# --- distributions -----------------------------------------------------------------------------


class Distribution:
    """Base class: a device mesh and the mesh axis the batch is split over."""

    def __init__(
        self,
        device_mesh: DeviceMesh,
        batch_dim_name: str | None = None,
        auto_shard_dataset: bool = True,
    ):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self._num_processes = jax.process_count()
        self._process_id = jax.process_index()

    device_mesh = property(lambda self: self._device_mesh)
    batch_dim_name = property(lambda self: self._batch_dim_name)
    num_processes = property(lambda self: self._num_processes)

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = value

    @property
    def num_model_replicas(self) -> int:
        return self._device_mesh.shape[self._device_mesh.axis_names.index(self._batch_dim_name)]

    def get_data_layout(self, data_shape: Any) -> TensorLayout:
        """Batch (first) dimension split over the batch axis, the rest replicated."""
        axes = [None] * len(data_shape)
        axes[0] = self._batch_dim_name
        return TensorLayout(axes, self._device_mesh)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        """Replicated unless a subclass has a rule for ``variable.path``."""
        return TensorLayout([None] * len(variable.shape), self._device_mesh)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return None

    def distribute_dataset(self, dataset: Any) -> Any:
        """Returned unchanged: each process passes its own shard of the data to ``fit``."""
        return dataset

    @contextlib.contextmanager
    def scope(self):
        """Makes this distribution current inside a ``with`` block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: the batch split over the devices, variables replicated.

    Gradients are averaged over the devices by XLA (an all-reduce inside the jitted step).

    Args:
        device_mesh: a ``DeviceMesh`` or ``jax.sharding.Mesh``; its first axis splits the
            batch. Default: a 1-D mesh ``('batch',)`` over ``devices``.
        devices: devices for the default mesh (default: all devices).
        auto_shard_dataset: kept for Keras compatibility (numpy data is always per process).

    Example:
        >>> dist = DataParallel(devices=jax.devices()[:1])
        >>> dist.batch_dim_name
        'batch'
    """

    def __init__(
        self, device_mesh: Any = None, devices: Any = None, auto_shard_dataset: bool = True
    ):
        if isinstance(device_mesh, Mesh):
            device_mesh = DeviceMesh.from_mesh(device_mesh)
        if device_mesh is None:
            devs = (
                jax.devices()
                if devices is None
                else list(np.ravel(np.array(devices, dtype=object)))
            )
            device_mesh = DeviceMesh((len(devs),), [DEFAULT_BATCH_DIM_NAME], devs)
        elif not isinstance(device_mesh, DeviceMesh):
            raise ValueError(
                "DataParallel: `device_mesh` must be a DeviceMesh or jax.sharding.Mesh, received "
                f"{type(device_mesh).__name__}."
            )
        elif len(device_mesh.shape) != 1:
            warnings.warn(
                f"DataParallel expects a 1-D mesh, received shape {device_mesh.shape}; the first "
                "axis splits the batch.",
                UserWarning,
                stacklevel=2,
            )
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)

    @property
    def num_model_replicas(self) -> int:
        return int(self.device_mesh.devices.size)


class ModelParallel(Distribution):
    """Variables split by ``layout_map`` rules, the batch split over ``batch_dim_name``.

    Args:
        layout_map: a :class:`LayoutMap` (its mesh is the distribution's mesh).
        batch_dim_name: mesh axis splitting the batch (default: the mesh's first axis).
        auto_shard_dataset: kept for Keras compatibility.

    Example:
        >>> mesh = DeviceMesh((1, 1), ["batch", "model"], jax.devices()[:1])
        >>> layout_map = LayoutMap(mesh)
        >>> layout_map["dense.*kernel"] = (None, "model")
        >>> ModelParallel(layout_map=layout_map, batch_dim_name="batch").batch_dim_name
        'batch'
    """

    def __init__(
        self,
        *,
        layout_map: LayoutMap | None = None,
        batch_dim_name: str | None = None,
        auto_shard_dataset: bool = True,
        **kwargs: Any,
    ):
        kwargs.pop("device_mesh", None)
        if kwargs:
            raise TypeError(f"ModelParallel got unexpected keyword argument(s) {sorted(kwargs)}.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(
                "ModelParallel: argument `layout_map` must be a LayoutMap instance, received "
                f"{layout_map!r}."
            )
        mesh = layout_map.device_mesh
        batch_dim_name = batch_dim_name or mesh.axis_names[0]
        if batch_dim_name not in mesh.axis_names:
            raise ValueError(
                f"ModelParallel: `batch_dim_name` {batch_dim_name!r} is not a mesh axis; the "
                f"axes are {list(mesh.axis_names)}."
            )
        super().__init__(mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return super().get_variable_layout(variable)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return self._layout_map[path]


def distribution() -> Distribution | None:
    """The current global distribution (``None``: one device, nothing sharded)."""
    return _current


def set_distribution(value: Distribution | None) -> None:
    """Sets the global distribution used by ``fit`` / ``evaluate`` / ``predict``.

    Example:
        >>> set_distribution(DataParallel(devices=jax.devices()[:1]))
        >>> set_distribution(None)
    """
    global _current
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(
            "set_distribution: expected a Distribution (DataParallel, ModelParallel) or None, "
            f"received {type(value).__name__}."
        )
    _current = value


def distribute_tensor(tensor: Any, layout: TensorLayout | jax.sharding.Sharding) -> Any:
    """Places ``tensor`` with ``layout`` (a sharding constraint when traced under jit)."""
    sharding = layout.backend_layout if isinstance(layout, TensorLayout) else layout
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, sharding)
    return _to_global(tensor, sharding)


def initialize(
    job_addresses: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    **kwargs: Any,
) -> None:
    """Joins a multi-process cluster (``jax.distributed.initialize``) and syncs the seed.

    Arguments default to the environment variables ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
    ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID`` (or, when all
    are absent, to JAX's cluster auto-detection). Extra keyword arguments go to
    ``jax.distributed.initialize`` (e.g. ``initialization_timeout``, ``local_device_ids``).
    Without ``jnn.utils.set_random_seed``, every process takes process 0's seed so that model
    initialisation is identical everywhere.
    """
    env = os.environ
    if job_addresses is None:
        job_addresses = env.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in env:
        num_processes = int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in env:
        process_id = int(env["KERAS_DISTRIBUTION_PROCESS_ID"])
    coordinator = job_addresses
    if job_addresses and "," in job_addresses:
        addresses = job_addresses.split(",")
        if num_processes is not None and num_processes != len(addresses):
            raise ValueError(
                f"initialize: `job_addresses` lists {len(addresses)} jobs, but `num_processes` "
                f"is {num_processes}."
            )
        coordinator = addresses[0]
    jax.distributed.initialize(
        coordinator_address=coordinator,
        num_processes=num_processes,
        process_id=process_id,
        **kwargs,
    )
    _sync_seed()


def _sync_seed() -> None:
    from jax.experimental import multihost_utils

    from jnn._shell.runtime import rng

    if rng.get_seed() is not None or jax.process_count() == 1:
        return
    mine = np.array(int.from_bytes(os.urandom(4), "little") >> 1, np.int32)
    rng.set_seed(int(multihost_utils.broadcast_one_to_all(mine)))


# --- placement (the engine's hooks) --------------------------------------------------------------


def _to_global(value: Any, sharding: NamedSharding) -> Any:
    """``value`` as an array with ``sharding`` (no copy when it already has it)."""
    if isinstance(value, jax.Array):
        if value.sharding == sharding or value.sharding.is_equivalent_to(sharding, value.ndim):
            return value
        if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
            data = _to_global(jax.random.key_data(value), sharding)
            return jax.random.wrap_key_data(data, impl=jax.random.key_impl(value))
    if jax.process_count() == 1:
        return jax.device_put(value, sharding)
    host = np.asarray(value)  # identical in every process (same seed, same updates)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def _path_str(path: tuple) -> str:
    return "/".join(str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path)


def _variable_shardings(dist: Distribution, tree: Any) -> dict[str, NamedSharding]:
    mesh = dist.device_mesh.backend_mesh
    out = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        name = _path_str(path)
        layout = dist.get_variable_layout(_Var(name, np.shape(leaf)))
        if len(layout.axes) != np.ndim(leaf):
            raise ValueError(
                f"Layout {layout.axes} for variable '{name}' has {len(layout.axes)} axes, but "
                f"the variable has shape {np.shape(leaf)}."
            )
        _check_divisible(name, np.shape(leaf), layout.axes, mesh)
        out[name] = NamedSharding(mesh, PartitionSpec(*layout.axes))
    return out


def _check_divisible(name: str, shape: tuple, axes: tuple, mesh: Mesh) -> None:
    for dim, (size, axis) in enumerate(zip(shape, axes)):
        parts = math.prod(mesh.shape[a] for a in _flat_axes((axis,)))
        if size % parts:
            raise ValueError(
                f"Layout {axes} for variable '{name}' of shape {shape} splits dimension {dim} "
                f"(size {size}) over mesh axis {axis!r} ({parts} devices), which does not "
                "divide it. Change the layout rule or the mesh shape."
            )


class _Var:
    """What ``get_variable_layout`` reads from a Keras variable: ``path`` and ``shape``."""

    def __init__(self, path: str, shape: tuple):
        self.path, self.shape = path, shape


def _slot_sharding(
    path: tuple,
    leaf: Any,
    shardings: dict[str, NamedSharding],
    shapes: dict[str, tuple],
    replicated: NamedSharding,
) -> NamedSharding:
    """An optimizer slot (Adam's ``mu`` ...) takes the sharding of the parameter it mirrors."""
    keys = [str(k.key) for k in path if isinstance(k, jax.tree_util.DictKey)]
    for start in range(len(keys)):
        name = "/".join(keys[start:])
        if name in shardings and shapes[name] == np.shape(leaf):
            return shardings[name]
    return replicated


_placements: dict[Any, tuple[Distribution, list[NamedSharding]]] = {}


def place_train_state(ts: Any) -> Any:
    """The train state laid out for the current distribution (unchanged without one).

    Parameters and non-trainable state follow the layout rules (replicated by default),
    optimizer slots follow their parameter, metric states, rng and step are replicated.
    The shardings are worked out once per distribution and train-state structure.
    """
    dist = distribution()
    if dist is None:
        return ts
    leaves, treedef = jax.tree_util.tree_flatten(ts)
    key = (id(dist), treedef, tuple(np.shape(a) for a in leaves))
    hit = _placements.get(key)
    if hit is None or hit[0] is not dist:
        if len(_placements) > 64:
            _placements.clear()
        hit = (dist, jax.tree.leaves(_train_state_shardings(dist, ts)))
        _placements[key] = hit
    return treedef.unflatten([_to_global(a, s) for a, s in zip(leaves, hit[1])])


def _train_state_shardings(dist: Distribution, ts: Any) -> Any:
    """A tree like ``ts`` holding each leaf's ``NamedSharding``."""
    replicated = NamedSharding(dist.device_mesh.backend_mesh, PartitionSpec())
    shardings = _variable_shardings(dist, ts.params)
    shardings.update(_variable_shardings(dist, ts.state))
    flat = jax.tree_util.tree_flatten_with_path({"params": ts.params, "state": ts.state})[0]
    shapes = {_path_str(p).split("/", 1)[1]: np.shape(v) for p, v in flat}

    def by_path(path, leaf):
        return shardings[_path_str(path)]

    def slot(path, leaf):
        return _slot_sharding(path, leaf, shardings, shapes, replicated)

    return ts.replace(
        params=jax.tree_util.tree_map_with_path(by_path, ts.params),
        state=jax.tree_util.tree_map_with_path(by_path, ts.state),
        opt_state=jax.tree_util.tree_map_with_path(slot, ts.opt_state),
        metrics=jax.tree.map(lambda a: replicated, ts.metrics),
        rng=replicated,
        step=replicated,
    )


def local_batch_shards(dist: Distribution) -> int:
    """How many batch shards this process feeds (the batch must divide by it)."""
    mesh = dist.device_mesh.backend_mesh
    axis = mesh.axis_names.index(dist.batch_dim_name)
    me = jax.process_index()
    coords = {idx[axis] for idx, d in np.ndenumerate(mesh.devices) if d.process_index == me}
    return max(len(coords), 1)


def is_writer() -> bool:
    """Whether this process writes files (checkpoints, logs): process 0 of a cluster."""
    return jax.process_index() == 0


def to_host_local(tree: Any) -> Any:
    """Outputs of a multi-process run -> this process's own rows (its block of the batch axis).

    Chunk outputs are ``(steps, global_batch, ...)`` arrays sharded over the batch axis, each
    process holding the rows it fed; ``predict`` returns those, as each process passed its own
    shard of the data. Single-process values pass through unchanged.
    """
    dist = distribution()
    if dist is None or jax.process_count() == 1:
        return tree
    from jax.experimental import multihost_utils

    mesh = dist.device_mesh.backend_mesh

    def one(a: Any) -> Any:
        if not isinstance(a, jax.Array) or a.is_fully_addressable or a.ndim < 2:
            return a
        spec = PartitionSpec(None, dist.batch_dim_name, *([None] * (a.ndim - 2)))
        return multihost_utils.global_array_to_host_local_array(a, mesh, spec)

    return jax.tree.map(one, tree)


def splits_batch() -> bool:
    """Whether the current distribution splits batches over devices (a batch axis of size
    > 1, or several processes): then index plans must be sharded, not drawn unsplit."""
    dist = distribution()
    if dist is None:
        return False
    mesh = dist.device_mesh.backend_mesh
    return jax.process_count() > 1 or mesh.shape[dist.batch_dim_name] > 1


def may_be_resident() -> bool:
    """Whether whole datasets may live on the devices (not across processes: each process
    holds only its own shard, so batches are gathered on the host and sharded per chunk)."""
    return distribution() is None or jax.process_count() == 1


def put_resident(host: Any) -> Any:
    """A resident dataset on the device, or replicated on every mesh device when distributed
    (each device then gathers its part of each batch locally)."""
    dist = distribution()
    if dist is None:
        if jax.devices()[0].platform == "cpu":
            host = jax.tree.map(_cpu_aliasable, host)
        return jax.device_put(host)
    return jax.device_put(host, NamedSharding(dist.device_mesh.backend_mesh, PartitionSpec()))


# XLA:CPU aliases a host buffer that is C-contiguous and aligned to this many bytes instead of
# copying it (jax.device_put of a 94 MB array: ~60 ms copied, ~0 aliased).
_CPU_ALIGN = 64
# Aligned staging copies of misaligned inputs are kept for the next call with the same shape:
# a fresh buffer costs page faults (and, with transparent huge pages, compaction stalls of up
# to ~0.3 s) on every fit / evaluate / predict call; a reused one is a plain memory copy.
STAGING_MAX_BYTES = 1 << 30  # total kept between calls
_staged: dict[tuple, list] = {}  # (shape, dtype) -> [aligned array, in use]
_staged_lock = threading.Lock()


def _aligned_empty(shape: tuple, dtype: Any) -> np.ndarray:
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buf = np.empty(nbytes + _CPU_ALIGN, np.uint8)
    start = -buf.ctypes.data % _CPU_ALIGN
    return buf[start:start + nbytes].view(dtype).reshape(shape)


def gather_rows(a: Any, rows: np.ndarray) -> Any:
    """``a[rows]`` for one streamed chunk; on the CPU into an aligned buffer the device
    aliases (no second copy by ``device_put``)."""
    if not isinstance(a, np.ndarray):
        return a[rows]
    out = _host_buffer((len(rows),) + a.shape[1:], a.dtype)
    np.take(a, rows, axis=0, out=out)
    return out


def _host_buffer(shape: tuple, dtype: Any) -> np.ndarray:
    if jax.devices()[0].platform == "cpu":
        return _aligned_empty(shape, dtype)
    return np.empty(shape, dtype)


def row_reader(a: Any) -> Any:
    """``read(rows) -> a[rows]`` for streaming ``a`` chunk by chunk.

    Rows of a memory-mapped array (``np.memmap``, ``np.load(mmap_mode=...)``) are read from
    its file with ``preadv`` (runs of consecutive rows in one call), not through the map:
    touching a map brings whole page-cache folios (2 MB on this kind of file system) into the
    process's resident set, so a shuffled pass over a map would hold the whole file. Other
    arrays are gathered with :func:`gather_rows`.
    """
    source = _file_rows(a)
    if source is None or not hasattr(os, "preadv"):
        return lambda rows: gather_rows(a, rows)
    path, base, stride = source
    row_bytes = a[:1].nbytes
    fd = os.open(path, os.O_RDONLY)

    def read(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, np.int64).reshape(-1)
        out = _host_buffer((len(rows),) + a.shape[1:], a.dtype)
        flat = out.reshape(len(rows), -1).view(np.uint8)
        if len(rows) == 0:
            return out
        if (rows < 0).any() or (rows >= len(a)).any():
            raise IndexError(f"row index out of range for {len(a)} rows")
        cuts = (np.flatnonzero(np.diff(rows) != 1) + 1 if stride == row_bytes
                else np.arange(1, len(rows)))
        for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(rows)]):
            want = (hi - lo) * row_bytes
            got = os.preadv(fd, [memoryview(flat[lo:hi])], base + int(rows[lo]) * stride)
            if got != want:
                raise OSError(f"short read from {path}: {got} of {want} bytes")
        return out

    weakref.finalize(read, os.close, fd)  # the file closes with the reader
    return read


def _file_rows(a: Any) -> tuple[str, int, int] | None:
    """(file, byte offset of row 0, row stride) when ``a``'s rows are contiguous in a file."""
    if not isinstance(a, np.ndarray) or a.ndim == 0 or a.strides[0] <= 0 or len(a) == 0:
        return None
    if not a[:1].flags.c_contiguous:
        return None
    root = a
    while root is not None and not isinstance(getattr(root, "base", None), mmap.mmap):
        root = getattr(root, "base", None)
    if not isinstance(root, np.memmap) or not getattr(root, "filename", None):
        return None
    if getattr(root, "mode", "r") == "c":  # copy-on-write: the caller's edits are not on disk
        return None
    base = int(root.offset) + (a.ctypes.data - root.ctypes.data)
    return root.filename, base, int(a.strides[0])


def file_mappings(tree: Any) -> list[Any]:
    """The shared memory maps (``np.memmap`` / ``np.load(mmap_mode='r')``) behind ``tree``.

    Private copy-on-write maps (``mode='c'``) are left out: dropping their pages would drop
    the caller's edits.
    """
    found: dict[int, Any] = {}
    for leaf in jax.tree.leaves(tree):
        a = leaf
        while a is not None:
            m = getattr(a, "_mmap", None)
            if m is not None:
                if getattr(a, "mode", "r") != "c":
                    found[id(m)] = m
                break
            a = getattr(a, "base", None)
    return list(found.values())


def release_pages(mappings: list[Any]) -> None:
    """Drops the file pages read so far from this process's resident set (they stay in the
    page cache): streaming a memory-mapped dataset then holds only a chunk's pages at a time,
    as a generator would."""
    for m in mappings:
        try:
            m.madvise(mmap.MADV_DONTNEED)
        except (AttributeError, OSError, ValueError):  # no madvise here, or a closed map
            pass


def _staging_buffer(shape: tuple, dtype: Any) -> np.ndarray:
    """An aligned array to copy into, reused from an earlier call when one is free."""
    key = (tuple(shape), np.dtype(dtype).str)
    with _staged_lock:
        entry = _staged.get(key)
        if entry is not None and not entry[1]:
            entry[1] = True
            _staged[key] = _staged.pop(key)  # most recently used last
            return entry[0]
        out = _aligned_empty(shape, dtype)
        if entry is None and out.nbytes <= STAGING_MAX_BYTES:
            _staged[key] = [out, True]
            total = sum(e[0].nbytes for e in _staged.values())
            for k in list(_staged):  # least recently used first; never one in use
                if total <= STAGING_MAX_BYTES:
                    break
                if not _staged[k][1]:
                    total -= _staged.pop(k)[0].nbytes
        return out


def release_resident(device: Any) -> None:
    """Marks the staging copies behind ``device`` (from :func:`put_resident`) free for reuse.

    Call it only once nothing will read ``device`` again (the call that used it has synced).
    """
    if not _staged:
        return
    pointers = {a.unsafe_buffer_pointer() for a in jax.tree.leaves(device)
                if isinstance(a, jax.Array) and not a.is_deleted()
                and len(a.devices()) == 1 and a.devices().pop().platform == "cpu"}
    with _staged_lock:
        for entry in _staged.values():
            if entry[1] and entry[0].ctypes.data in pointers:
                entry[1] = False


def _cpu_aliasable(a: Any) -> Any:
    """A numpy array the CPU backend can alias: itself when aligned, else an aligned copy.

    Copying into an aligned buffer with numpy is ~4x faster than XLA's own copy of a misaligned
    array. The data is only read (never donated), like Keras reading batches lazily from the
    caller's array.
    """
    if not isinstance(a, np.ndarray) or a.nbytes < (1 << 20):
        return a
    if a.flags.c_contiguous and a.ctypes.data % _CPU_ALIGN == 0:
        return a
    out = _staging_buffer(a.shape, a.dtype)
    np.copyto(out, a)
    return out


def pad_plan(
    idx: np.ndarray, mask: np.ndarray, shards: int, keep_batches: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Makes the batch size a multiple of ``shards``.

    ``keep_batches`` (training, evaluation) pads each batch with masked rows, so batches keep
    their rows; otherwise (prediction, where outputs are read back in row order) the real
    rows are re-batched into larger batches, padding only at the end.
    """
    steps, batch = idx.shape
    wide = -(-batch // shards) * shards
    if wide == batch:
        return idx, mask
    if keep_batches:
        pad = ((0, 0), (0, wide - batch))
        return np.pad(idx, pad), np.pad(mask, pad)
    real = idx.reshape(-1)[mask.reshape(-1) > 0]
    steps = max(1, -(-real.size // wide))
    new_idx = np.zeros(steps * wide, idx.dtype)
    new_mask = np.zeros(steps * wide, mask.dtype)
    new_idx[: real.size], new_mask[: real.size] = real, 1
    return new_idx.reshape(steps, wide), new_mask.reshape(steps, wide)


def _global_batch(local: Any, sharding: NamedSharding) -> Any:
    """This process's rows -> the global array (an asynchronous device_put on one host)."""
    if jax.process_count() == 1:
        return jax.device_put(local, sharding)
    return jax.make_array_from_process_local_data(sharding, np.asarray(local))


def place_feed_chunk(host: Any, mask: np.ndarray, k: int, batch: int) -> tuple:
    """A generator-fed chunk (``k * batch`` rows on the host) -> ``(data, steps, mask)``
    sharded over the batch axis, like :func:`data_chunks`'s streamed chunks.

    The batch is padded with masked rows to a multiple of this process's batch shards.
    """
    dist = distribution()
    mesh = dist.device_mesh.backend_mesh
    shards = local_batch_shards(dist)
    padded = -(-batch // shards) * shards

    def place(a: np.ndarray) -> Any:
        a = a.reshape((k, batch) + a.shape[1:])
        if padded > batch:
            a = np.pad(a, ((0, 0), (0, padded - batch)) + ((0, 0),) * (a.ndim - 2))
        spec = PartitionSpec(None, dist.batch_dim_name, *([None] * (a.ndim - 2)))
        return _global_batch(a, NamedSharding(mesh, spec))

    mask = np.pad(mask, ((0, 0), (0, padded - batch)))
    by_batch = NamedSharding(mesh, PartitionSpec(None, dist.batch_dim_name))
    steps = _global_batch(np.arange(k, dtype=np.int32), NamedSharding(mesh, PartitionSpec()))
    return jax.tree.map(place, host), steps, _global_batch(mask, by_batch)


def data_chunks(device_data: Any, idx: Any, mask: Any, k: int):
    """:meth:`DeviceData.chunks` under a distribution; yields the same 5-tuples.

    Resident data (one process) is replicated and the index plan is sharded over the batch
    axis. Otherwise each chunk's rows are gathered on the host into ``(k, batch, ...)`` arrays
    sharded over the batch axis (``jax.make_array_from_process_local_data``: every process
    passes its own rows), and the chunk's index plan is simply the step number.
    """
    dist = distribution()
    mesh = dist.device_mesh.backend_mesh
    by_batch = NamedSharding(mesh, PartitionSpec(None, dist.batch_dim_name))
    predicting = device_data.host[1] is None
    idx, mask = pad_plan(
        np.asarray(idx), np.asarray(mask), local_batch_shards(dist), keep_batches=not predicting
    )
    steps = idx.shape[0]
    k = min(k, steps)
    n_chunks = -(-steps // k)
    if n_chunks * k > steps:
        pad = ((0, n_chunks * k - steps), (0, 0))
        idx, mask = np.pad(idx, pad), np.pad(mask, pad)
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.assert_equal(
            np.array([steps, idx.shape[1]]),
            "every process must run the same number of steps with the same per-process batch size",
        )
    replicated = NamedSharding(mesh, PartitionSpec())
    steps_d = (
        None if device_data.resident else _global_batch(np.arange(k, dtype=np.int32), replicated)
    )

    def place(c):
        sl = slice(c * k, (c + 1) * k)
        mask_d = _global_batch(mask[sl], by_batch)
        if device_data.resident:
            return device_data._device, _global_batch(idx[sl], by_batch), mask_d
        rows = idx[sl]
        chunk = jax.tree.map(
            lambda a: _global_batch(
                a[rows],
                NamedSharding(
                    mesh, PartitionSpec(None, dist.batch_dim_name, *([None] * (a.ndim - 1)))
                ),
            ),
            device_data.host,
        )
        return chunk, steps_d, mask_d

    nxt = place(0)
    for c in range(n_chunks):
        cur = nxt
        if c + 1 < n_chunks:  # start the next transfer before this chunk's compute is awaited
            nxt = place(c + 1)
        yield (*cur, c * k, min(k, steps - c * k))


__all__ = [
    "DataParallel",
    "DeviceMesh",
    "Distribution",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "data_chunks",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "may_be_resident",
    "place_train_state",
    "put_resident",
    "release_resident",
    "set_distribution",
]
