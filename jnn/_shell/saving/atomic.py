"""Atomic file writes: a temporary file in the destination's directory, fsync, rename.

Killing the process at any point leaves either the previous file or the complete new one,
never a torn file (``os.replace`` is atomic on POSIX and Windows).
"""

from __future__ import annotations

import contextlib
import os
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

    The temporary name keeps ``path``'s extensions (``.weights.h5``). In a multi-process run
    only process 0 (``jnn.distribution``'s writer) commits the file; the others discard theirs.

    Example:
        >>> with atomic_path("/tmp/x.bin") as tmp:  # doctest: +SKIP
        ...     open(tmp, "wb").write(b"data")
    """
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    suffix = base[base.index("."):] if "." in base else ""  # writers dispatch on it
    tmp = os.path.join(directory, f".tmp-{uuid.uuid4().hex}{suffix}")
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
        if os.path.exists(tmp):
            os.remove(tmp)


def _is_writer() -> bool:
    from jnn._shell import distribution

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
