"""HDF5 files that read nothing else: every object is checked before any data is read.

An HDF5 file can make its reader open other files or run code. A weights or model file
(``.weights.h5``, the ``model.weights.h5`` inside a ``.keras``, a legacy ``.h5``) may use
none of these, and :func:`check_self_contained` refuses, naming the object:

* links other than hard links (external links open another file; soft and user-defined
  links are never written by Keras or jnn);
* datasets whose bytes live in external raw files (``external=``, ``H5Pset_external``):
  reading one would read any local file, or block forever on a FIFO;
* virtual datasets (they map datasets of other files);
* filters other than HDF5's and h5py's built-ins (deflate, shuffle, fletcher32, szip,
  n-bit, scale-offset, LZF): any other is a plugin, a shared library loaded at read time;
* object and region references, in datasets or attributes (HDF5 2.0 references may name
  other files).

Multi-file drivers (family, split, multi) need the caller to choose them: jnn opens files
with the default single-file driver, which refuses them. User blocks are harmless.
"""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np

# HDF5's built-in filters and the LZF filter h5py registers itself; anything else is a plugin.
_BUILTIN_FILTERS = {
    1: "deflate",
    2: "shuffle",
    3: "fletcher32",
    4: "szip",
    5: "nbit",
    6: "scaleoffset",
    32000: "lzf",
}
_LINK_KINDS = {h5py.h5l.TYPE_SOFT: "a soft link", h5py.h5l.TYPE_EXTERNAL: "an external link"}
# Deflate cannot shrink data more than ~1032 times.
_MAX_FILTER_RATIO = 1032
# Far more objects than any model's weights file holds; walking more is a hostile file.
MAX_OBJECTS = 1_000_000


class UnsafeHDF5Error(ValueError):
    """An HDF5 file uses a feature that reaches outside the file (or loads a plugin)."""


def check_self_contained(f: h5py.File, where: str) -> int:
    """Refuses any object of ``f`` that reaches outside the file; returns its data bytes.

    The walk follows hard links only, visits each object once and reads no dataset.

    Args:
        f: An open HDF5 file (or group).
        where: The file's name for messages.

    Returns:
        The bytes of data the file's datasets hold: their logical size, but no more than
        what is stored (times deflate's largest ratio for compressed chunks), so a declared
        huge, unwritten dataset does not count.

    Raises:
        UnsafeHDF5Error: naming the first offending object.

    Example:
        >>> with h5py.File("model.weights.h5", "r") as f:  # doctest: +SKIP
        ...     check_self_contained(f, "model.weights.h5")
    """
    seen: set[tuple[int, int]] = set()
    stack = [f]
    total = 0
    while stack:
        group = stack.pop()
        _check_attrs(group, where)
        for name in _names(group):
            path = f"{group.name.rstrip('/')}/{name.decode('utf-8', 'replace')}"
            kind = group.id.links.get_info(name).type
            if kind != h5py.h5l.TYPE_HARD:
                what = _LINK_KINDS.get(kind, "a user-defined link")
                raise UnsafeHDF5Error(
                    f"Refusing to read '{where}': '{path}' is {what}; a weights file may only "
                    "hold its own groups and datasets (links could make the reader open "
                    "other files)."
                )
            oid = h5py.h5o.open(group.id, name)
            info = h5py.h5o.get_info(oid)
            key = (info.fileno, info.addr)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_OBJECTS:
                raise UnsafeHDF5Error(
                    f"Refusing to read '{where}': it holds more than {MAX_OBJECTS} objects."
                )
            if info.type == h5py.h5o.TYPE_GROUP:
                stack.append(h5py.Group(oid))
            elif info.type == h5py.h5o.TYPE_DATASET:
                ds = h5py.Dataset(oid)
                filtered = _check_dataset(ds, path, where)
                _check_attrs(ds, where)
                total += _held_bytes(ds, filtered)
    return total


def _names(group: h5py.Group) -> list[bytes]:
    names: list[bytes] = []
    group.id.links.iterate(names.append)
    return names


def _held_bytes(ds: h5py.Dataset, filtered: bool) -> int:
    logical = int(np.prod(ds.shape or (), dtype=np.float64)) * ds.dtype.itemsize
    stored = int(ds.id.get_storage_size())
    return min(logical, stored * (_MAX_FILTER_RATIO if filtered else 1))


def _check_dataset(ds: h5py.Dataset, path: str, where: str) -> bool:
    """Refuses a dataset reaching outside the file; whether its chunks are filtered."""
    dcpl = ds.id.get_create_plist()
    if dcpl.get_external_count() > 0:
        files = [e[0].decode("utf-8", "replace") for e in _externals(dcpl)]
        raise UnsafeHDF5Error(
            f"Refusing to read '{where}': dataset '{path}' stores its bytes in external "
            f"file(s) {files}; a weights file must hold its own data (reading it would read "
            "other files of this machine)."
        )
    if dcpl.get_layout() == h5py.h5d.VIRTUAL:
        raise UnsafeHDF5Error(
            f"Refusing to read '{where}': dataset '{path}' is a virtual dataset (it maps "
            "datasets of other files)."
        )
    for i in range(dcpl.get_nfilters()):
        code, _, _, name = dcpl.get_filter(i)
        if code not in _BUILTIN_FILTERS:
            raise UnsafeHDF5Error(
                f"Refusing to read '{where}': dataset '{path}' uses HDF5 filter {code} "
                f"({name.decode('utf-8', 'replace')!r}), which is not built into HDF5 or "
                "h5py: reading it would load a plugin (a shared library)."
            )
    if _has_reference(ds.dtype):
        raise UnsafeHDF5Error(
            f"Refusing to read '{where}': dataset '{path}' holds object or region "
            "references; weights are numbers."
        )
    return dcpl.get_nfilters() > 0


def _externals(dcpl: Any) -> list[tuple[bytes, int, int]]:
    return [dcpl.get_external(i) for i in range(min(dcpl.get_external_count(), 8))]


def _check_attrs(obj: Any, where: str) -> None:
    for i in range(h5py.h5a.get_num_attrs(obj.id)):
        attr = h5py.h5a.open(obj.id, index=i)
        if _has_reference(attr.dtype):
            name = attr.name.decode("utf-8", "replace")
            raise UnsafeHDF5Error(
                f"Refusing to read '{where}': attribute '{name}' of '{obj.name}' holds object "
                "or region references."
            )


def _has_reference(dtype: np.dtype) -> bool:
    pending = [dtype]
    while pending:
        dt = pending.pop()
        if h5py.check_dtype(ref=dt) is not None:
            return True
        base = h5py.check_dtype(vlen=dt)
        if base is not None and base not in (str, bytes):
            pending.append(np.dtype(base))
        if dt.fields:
            pending += [field[0] for field in dt.fields.values()]
        if dt.subdtype is not None:
            pending.append(dt.subdtype[0])
    return False
