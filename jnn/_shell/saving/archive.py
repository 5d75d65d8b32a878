"""Reading untrusted files safely: bounded zip members, clear errors naming the file."""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any

# Largest member we agree to inflate, and the most a deflated member may grow (the deflate
# format cannot exceed ~1032:1, so a larger declared ratio is a forged header).
MAX_MEMBER_BYTES = 1 << 34
MAX_DEFLATE_RATIO = 1032
MAX_JSON_BYTES = 64 << 20


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
    except ValueError:
        zf.close()
        raise
    return zf


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
        and info.file_size > max(info.compress_size, 1) * MAX_DEFLATE_RATIO
    ):
        raise ValueError(
            f"Refusing to read '{path}': archive member {name!r} declares {info.file_size} "
            f"bytes from {info.compress_size} compressed bytes (a forged or bomb archive)."
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
    import h5py

    try:
        return h5py.File(io.BytesIO(data), "r")
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
