"""Reading untrusted files safely: bounded zip members, clear errors naming the file."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

# Largest member we agree to inflate. Above SMALL_MEMBER_BYTES a compressed member may grow at
# most MAX_DEFLATE_RATIO times: Keras and jnn store weights uncompressed, and real weight files
# barely compress (measured with zlib -9: trained models 1.1-1.3x, a compiled but untrained
# model with zero Adam slots 5.6x); only all-zero tensors reach deflate's ~1000x, which is
# what a zip bomb uses (Keras 3 itself refuses large members above 100x).
MAX_MEMBER_BYTES = 1 << 34
MAX_DEFLATE_RATIO = 100
SMALL_MEMBER_BYTES = 64 << 20
MAX_JSON_BYTES = 64 << 20
_CHUNK = 1 << 20


def open_zip(path: str) -> zipfile.ZipFile:
    """Opens ``path`` as a zip archive, checking every member's name and declared sizes."""
    try:
        zf = zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise ValueError(
            f"Could not read '{path}': it is not a valid `.keras` zip archive (corrupted, "
            f"truncated or another format). {e}"
        ) from e
    try:
        for info in zf.infolist():
            check_member(path, info)
        _check_unique(zf, path)
    except ValueError:
        zf.close()
        raise
    return zf


def _check_unique(zf: zipfile.ZipFile, path: str) -> None:
    """Two members of one name: readers disagree on which counts (zipfile takes the last)."""
    seen: set[str] = set()
    for info in zf.infolist():
        key = info.filename.replace("\\", "/")
        if key in seen:
            raise ValueError(
                f"Refusing to read '{path}': the archive holds member {info.filename!r} more "
                "than once (a tampered file: which copy counts is ambiguous)."
            )
        seen.add(key)


def check_member(path: str, info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise ValueError(
            f"Refusing to read '{path}': archive member {name!r} has an absolute path or "
            "'..' (a path traversal)."
        )
    if info.file_size > MAX_MEMBER_BYTES or info.file_size < 0:
        raise ValueError(
            f"Refusing to read '{path}': archive member {name!r} declares {info.file_size} "
            "bytes, more than the limit."
        )
    if (
        info.compress_type != zipfile.ZIP_STORED
        and info.file_size > SMALL_MEMBER_BYTES
        and info.file_size > max(info.compress_size, 1) * MAX_DEFLATE_RATIO
    ):
        raise ValueError(
            f"Refusing to read '{path}': archive member {name!r} declares {info.file_size} "
            f"bytes from {info.compress_size} compressed bytes, a ratio above "
            f"{MAX_DEFLATE_RATIO} (real weight files barely compress): a forged or bomb "
            "archive. If you trust the file, re-zip it with its members stored "
            "(uncompressed), as Keras and jnn write them."
        )


def read_member(zf: zipfile.ZipFile, path: str, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """The bytes of member ``name``: exactly its declared size, CRC checked."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ValueError(
            f"Could not read '{path}': the archive has no '{name}' (members: "
            f"{zf.namelist()[:10]}); it is not a Keras 3 `.keras` file."
        ) from None
    if info.file_size > limit:
        raise ValueError(
            f"Refusing to read '{path}': '{name}' declares {info.file_size} bytes (limit {limit})."
        )
    try:
        with zf.open(info) as member:
            data = member.read(info.file_size + 1)
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as e:
        raise ValueError(f"Could not read '{name}' in '{path}': corrupted archive. {e}") from e
    except Exception as e:  # zlib.error and friends
        raise ValueError(f"Could not read '{name}' in '{path}': corrupted archive. {e}") from e
    if len(data) != info.file_size:
        raise ValueError(
            f"Could not read '{path}': '{name}' holds {len(data)} bytes but declares "
            f"{info.file_size}."
        )
    return data


@contextlib.contextmanager
def open_h5_member(zf: zipfile.ZipFile, path: str, name: str) -> Iterator[Any]:
    """A read-only ``h5py.File`` over member ``name``, never inflated whole into memory.

    A stored member (what Keras and jnn write) is read in place through a window on the
    archive, after a streaming CRC check; a compressed one is inflated chunk by chunk into an
    anonymous temporary file, at most its declared (already bounded) size.
    """
    info = _info(zf, path, name)
    with contextlib.ExitStack() as stack:
        if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 1:
            raw = stack.enter_context(open(path, "rb"))
            start = _data_offset(raw, info, path, name)
            fileobj: Any = _Window(raw, start, info.file_size)
            _check_crc(fileobj, info, path, name)
        else:
            fileobj = stack.enter_context(tempfile.TemporaryFile())
            _inflate_to(zf, info, fileobj, path, name)
        fileobj.seek(0)
        yield stack.enter_context(h5_from_fileobj(fileobj, path, name))


def _info(zf: zipfile.ZipFile, path: str, name: str) -> zipfile.ZipInfo:
    try:
        return zf.getinfo(name)
    except KeyError:
        raise ValueError(
            f"Could not read '{path}': the archive has no '{name}' (members: "
            f"{zf.namelist()[:10]}); it is not a Keras 3 `.keras` file."
        ) from None


def _data_offset(raw: Any, info: zipfile.ZipInfo, path: str, name: str) -> int:
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ValueError(f"Could not read '{name}' in '{path}': corrupted archive (bad header).")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    if start + info.file_size > os.fstat(raw.fileno()).st_size:
        raise ValueError(
            f"Could not read '{path}': '{name}' declares {info.file_size} bytes, past the "
            "end of the file (truncated?)."
        )
    return start


def _check_crc(fileobj: Any, info: zipfile.ZipInfo, path: str, name: str) -> None:
    crc = 0
    while chunk := fileobj.read(_CHUNK):
        crc = zlib.crc32(chunk, crc)
    if crc != info.CRC:
        raise ValueError(f"Could not read '{name}' in '{path}': corrupted archive (bad CRC).")


def _inflate_to(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: Any, path: str, name: str
) -> None:
    try:
        with zf.open(info) as member:
            shutil.copyfileobj(member, out, _CHUNK)  # stops at the declared size; CRC checked
    except Exception as e:  # noqa: BLE001 - zlib.error, BadZipFile, EOFError...
        raise ValueError(f"Could not read '{name}' in '{path}': corrupted archive. {e}") from e
    if out.tell() != info.file_size:
        raise ValueError(
            f"Could not read '{path}': '{name}' holds {out.tell()} bytes but declares "
            f"{info.file_size}."
        )


class _Window(io.RawIOBase):
    """Read-only view of ``size`` bytes of ``raw`` from ``start`` (a stored zip member)."""

    def __init__(self, raw: Any, start: int, size: int) -> None:
        super().__init__()
        self._raw, self._start, self._size, self._pos = raw, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        n = max(0, min(len(buffer), self._size - self._pos))
        if n == 0:
            return 0
        self._raw.seek(self._start + self._pos)
        got = self._raw.readinto(memoryview(buffer)[:n])
        self._pos += got
        return got


def read_json(data: bytes, path: str, name: str) -> Any:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"Could not read '{path}': '{name}' is not valid JSON. {e}") from e
    if not isinstance(value, dict):
        raise ValueError(f"Could not read '{path}': '{name}' must hold a JSON object.")
    return value


def h5_from_bytes(data: bytes, path: str, name: str) -> Any:
    """An in-memory read-only ``h5py.File`` over ``data``."""
    return h5_from_fileobj(io.BytesIO(data), path, name)


def h5_from_fileobj(fileobj: Any, path: str, name: str) -> Any:
    """A read-only ``h5py.File`` over a seekable binary file object."""
    import h5py

    try:
        return h5py.File(fileobj, "r")
    except (OSError, ValueError) as e:
        raise ValueError(
            f"Could not read '{path}': '{name}' is not a valid HDF5 file (corrupted or "
            f"truncated?). {e}"
        ) from e


def check_exists(path: str, caller: str) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{caller}: no such file: '{path}'.")
    if os.path.isdir(path):
        raise ValueError(
            f"{caller}: '{path}' is a directory; jnn reads `.keras` and `.h5` files (the "
            "TensorFlow SavedModel directory format is not supported)."
        )
