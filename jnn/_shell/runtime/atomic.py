"""Atomic file writes: a temporary file in the destination's directory, fsync, rename.

Killing the process at any point leaves either the previous file or the complete new one,
never a torn file (``os.replace`` is atomic on POSIX and Windows).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import uuid
from collections.abc import Iterator


def check_destination(path: str, overwrite: bool, caller: str) -> str:
    """Absolute destination path; clear errors for a missing directory or a kept file."""
    path = os.path.abspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(
            f"{caller}: the file '{path}' already exists and `overwrite=False`. Pass "
            "`overwrite=True` to replace it, or choose another `filepath`."
        )
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"{caller}: the directory '{directory}' of `filepath` does not exist; create it first."
        )
    return path


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temporary path next to ``path``; on success it replaces ``path`` durably.

    The temporary is ``.<name>.tmp-<pid>-<start>-<random>-<host><ext>``: hidden, specific to
    ``path``, and keeping ``path``'s extensions (``.weights.h5``: writers dispatch on them).
    The writer's host, pid and process start time let a later save to the same ``path`` tell
    a killed writer's leftover from a live writer's file: each save removes the temporaries
    of dead writers to its own ``path`` (never a live process's, never other names). Nested
    calls on a temporary this thread is writing (``ModelCheckpoint`` around ``model.save``)
    write it directly instead of adding another temporary. In a multi-process run only
    process 0 (``jnn.distribution``'s writer) commits the file; the others discard theirs.

    Example:
        >>> with atomic_path("/tmp/x.bin") as tmp:  # doctest: +SKIP
        ...     open(tmp, "wb").write(b"data")
    """
    path = os.path.abspath(path)
    active = _active()
    if path in active:
        yield path  # the outer atomic_path commits it
        return
    directory, base = os.path.split(path)
    suffix = _suffix(base)  # writers dispatch on it
    host = _HOST
    pid = os.getpid()
    tmp = os.path.join(
        directory,
        f"{_prefix(base)}{pid}-{_start_time(pid)}-{uuid.uuid4().hex[:12]}-{host}{suffix}",
    )
    remove_dead_temporaries(path)
    active.add(tmp)
    try:
        yield tmp
        if not _is_writer():
            return  # multi-process: every process serializes (and gathers), process 0 writes
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(directory)
    finally:
        active.discard(tmp)
        if os.path.exists(tmp):
            os.remove(tmp)


def remove_dead_temporaries(path: str) -> list[str]:
    """Removes the temporaries that killed writers left for ``path``; their names.

    Only files named as :func:`atomic_path` names ``path``'s temporaries are considered, and
    only those of a process of this host that no longer runs (its pid is gone, or now belongs
    to a process started at another time) are removed.

    Example:
        >>> remove_dead_temporaries("/tmp/model.keras")  # doctest: +SKIP
        ['/tmp/.model.keras.tmp-4242-1234-0f3a9c1b2d4e-myhost.keras']
    """
    path = os.path.abspath(path)
    directory, base = os.path.split(path)
    prefix = _prefix(base)
    suffix = _suffix(base)
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        fields = name[len(prefix) : len(name) - len(suffix)].split("-", 3)
        if len(fields) != 4 or not fields[0].isdigit() or fields[3] != _HOST:
            continue
        if _alive(int(fields[0]), fields[1]) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            os.remove(entry.path)
            removed.append(entry.path)
        except OSError:
            pass  # another save removed it first
    return removed


def _prefix(base: str) -> str:
    if len(base) > 96:  # keep the whole name under the file systems' 255 bytes
        digest = hashlib.sha1(base.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        base = f"{base[:64]}~{digest}"
    return f".{base}.tmp-"


def _suffix(base: str) -> str:
    """The extensions writers dispatch on (``.keras``, ``.weights.h5``), kept short."""
    suffix = base[base.index(".") :] if "." in base else ""
    if len(suffix) > 24:
        suffix = "." + ".".join(base.rsplit(".", 2)[-2:])[-23:]
    return suffix


def _sanitize(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._" else "_" for c in text)[:64] or "host"


_HOST = _sanitize(socket.gethostname())
_local = threading.local()


def _active() -> set[str]:
    if not hasattr(_local, "active"):
        _local.active = set()
    return _local.active


def _stat(pid: int) -> list[bytes]:
    """``/proc/<pid>/stat``'s fields after the command name (Linux), else ``[]``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return []
    return stat[stat.rfind(b")") + 2 :].split()


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), else ``"0"``."""
    fields = _stat(pid)
    return fields[19].decode() if len(fields) > 19 else "0"


def _alive(pid: int, start: str) -> bool:
    if pid <= 0:
        return False
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True  # exists, another user's
    fields = _stat(pid)
    if fields and fields[0] == b"Z":
        return False  # killed, not yet reaped
    if start != "0" and len(fields) > 19 and fields[19].decode() != start:
        return False  # the pid now belongs to a later process
    return True


def _is_writer() -> bool:
    from jnn._shell.runtime import distribution

    return distribution.is_writer()


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not supported (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
