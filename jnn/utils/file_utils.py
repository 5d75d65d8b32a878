"""``get_file``: download a file once, check it, cache it (Keras's ``keras.utils.get_file``).

Files are cached under ``$JNN_HOME`` (default ``~/.jnn``) in ``cache_subdir``. A download is
written to a temporary name next to its target, checked and only then renamed into place, so an
interrupted or corrupted download never leaves a file in the cache. The checks: the length the
server announced (``Content-Length``), the hash when one is given, and otherwise the format's
own end markers (gzip's CRC and length trailer, a zip's central directory and member CRCs, a
tar's end-of-archive blocks). A download is bounded: by its expected size (``max_size``, or
the announced length; a body of unannounced length stops at ``$JNN_MAX_DOWNLOAD_SIZE`` bytes,
default 2 GiB) and in time (``timeout`` bounds each read and any stall: less than 16 KiB in
``timeout`` seconds ends the attempt). Temporary files of downloads whose process died are
removed by the next download into the same directory. A cached file that fails its check is
downloaded again, once, with a message. Transient network errors are retried; when every
attempt fails the error names the URL and the path where the file can be placed by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import re
import shutil
import socket
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from typing import Any

__all__ = ["get_file", "hash_file", "jnn_home", "validate_file"]

_TRANSIENT_HTTP = {408, 429, 500, 502, 503, 504}
_CHUNK = 1 << 16
_PROGRESS_BYTES = 1 << 14  # a stall: fewer bytes than this within `timeout` seconds
_DEFAULT_MAX_SIZE = 2 << 30  # bodies of unannounced length (no Content-Length)
_MAX_SIZE_ENV = "JNN_MAX_DOWNLOAD_SIZE"
_FULL_CHECK_LIMIT = 256 << 20  # cached files up to this size are re-checked in full
_STALE_AGE_S = 24 * 3600  # temporaries of other hosts / unknown writers: by age
_TEMP = re.compile(r"^\.(?P<base>.+)\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+"
                   r"\.(?:part|extract)$")


class _IncompleteDownload(OSError):
    """The body ended early or its format's end markers are missing (retried)."""


def jnn_home() -> str:
    """The cache root: ``$JNN_HOME`` if set, else ``~/.jnn``."""
    return os.path.expanduser(os.environ.get("JNN_HOME") or os.path.join("~", ".jnn"))


def _hasher(algorithm: str, file_hash: str | None) -> Any:
    if algorithm == "sha256" or (
        algorithm == "auto" and file_hash is not None and len(file_hash) == 64
    ):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(
        f"get_file: argument `hash_algorithm` must be 'auto', 'sha256' or 'md5', received "
        f"{algorithm!r}."
    )


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex sha256 (or md5) of a file.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "empty")
        >>> open(path, "wb").close()
        >>> hash_file(path)[:16]
        'e3b0c44298fc1c14'
    """
    hasher = _hasher(algorithm, None)
    with open(fpath, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            hasher.update(block)
    return hasher.hexdigest()


def validate_file(
    fpath: str, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535
) -> bool:
    """True if the file's hash equals ``file_hash`` (sha256 for 64 hex digits, else md5)."""
    algorithm = "sha256" if _hasher(algorithm, file_hash).name == "sha256" else "md5"
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname() or "host")[:64] or "host"


def _temp_prefix(target: str) -> str:
    """``.<name>.<host>.<pid>.``: a later download can tell a dead writer's temporary."""
    return f".{os.path.basename(target)[:120]}.{_host()}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, owned by someone else
        return True
    return True


def _remove_dead_temporaries(directory: str) -> None:
    """Removes the ``.part`` files (and extraction directories) of downloads that died.

    A temporary of this host whose process is gone is removed at once; one of another host
    (a shared file system) or of an older naming is removed when untouched for a day (a live
    download writes to it at least every ``timeout`` seconds). Never a live process's.
    """
    try:
        names = os.listdir(directory)
    except OSError:
        return
    host, now = _host(), time.time()
    for name in names:
        if not name.startswith(".") or not name.endswith((".part", ".extract")):
            continue
        path = os.path.join(directory, name)
        match = _TEMP.match(name)
        try:
            if match and match["host"] == host and os.name == "posix":
                dead = not _pid_alive(int(match["pid"]))
            else:
                dead = now - os.lstat(path).st_mtime > _STALE_AGE_S
            if dead:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.remove(path)
        except (OSError, ValueError):
            continue


def _max_size(max_size: int | None) -> int:
    if max_size is not None:
        return int(max_size)
    env = os.environ.get(_MAX_SIZE_ENV)
    if env:
        try:
            return int(float(env))
        except ValueError:
            raise ValueError(
                f"${_MAX_SIZE_ENV} must be a number of bytes, received {env!r}."
            ) from None
    return _DEFAULT_MAX_SIZE


def _content_length(response: Any) -> int | None:
    value = response.headers.get("Content-Length") if hasattr(response, "headers") else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _tar_error(tar: tarfile.TarFile) -> str | None:
    """Walks the members' headers; None when the two zero blocks that end a tar are there."""
    for _ in tar:
        pass
    tar.fileobj.seek(tar.offset)
    end = tar.fileobj.read(tarfile.BLOCKSIZE)
    if len(end) < tarfile.BLOCKSIZE or end.count(0) != tarfile.BLOCKSIZE:
        return "the tar archive has no end-of-archive marker (it was cut short)"
    return None


def integrity_error(path: str, full: bool = True) -> str | None:
    """Why the file at ``path`` is incomplete or corrupt, judged by its format; None if fine.

    gzip (its CRC and length trailer; a tar inside it), zip / npz (the central directory and,
    with ``full``, every member's CRC) and tar (the end-of-archive blocks) are checked; a
    name ending in .gz/.tgz, .zip/.npz or .tar whose bytes are not that format is an error.
    Other files pass. ``full=False`` skips the checks that read a compressed file whole.

    Example:
        >>> import gzip, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a.gz")
        >>> data = gzip.compress(b"x" * 1000)
        >>> _ = open(path, "wb").write(data[:-4])
        >>> integrity_error(path)
        'EOFError: Compressed file ended before the end-of-stream marker was reached'
    """
    name = path.lower()
    with open(path, "rb") as f:
        head = f.read(tarfile.BLOCKSIZE)
    try:
        if head[:2] == b"\x1f\x8b":
            if not full:
                return None
            with gzip.open(path, "rb") as g:
                while g.read(1 << 20):
                    pass
            if name.endswith((".tar.gz", ".tgz")) or tarfile.is_tarfile(path):
                with tarfile.open(path, "r:gz") as tar:
                    return _tar_error(tar)
        elif head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip() if full else None
            if bad is not None:
                return f"zip member {bad!r} fails its CRC check"
        elif head[257:262] == b"ustar":
            with tarfile.open(path, "r:") as tar:
                return _tar_error(tar)
        elif name.endswith((".gz", ".tgz")):
            return "not a gzip file"
        elif name.endswith((".zip", ".npz")):
            return "not a zip file (no zip header)"
        elif name.endswith(".tar"):
            return "not a tar file"
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile, tarfile.TarError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _download(
    origin: str,
    target: str,
    file_hash: str | None,
    algorithm: str,
    timeout: float | None,
    max_size: int | None,
) -> None:
    """One attempt: stream to a temporary file, check it, rename it into place."""
    fd, tmp = tempfile.mkstemp(
        dir=os.path.dirname(target), prefix=_temp_prefix(target), suffix=".part"
    )
    try:
        hasher = _hasher(algorithm, file_hash)
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=timeout) as r:
            declared = _content_length(r)
            if declared is not None and max_size is not None and declared > max_size:
                raise ValueError(
                    f"get_file: {origin} announces {declared:,} bytes, more than the expected "
                    f"size of at most {max_size:,} bytes (`max_size`). Nothing was saved."
                )
            limit = declared if declared is not None else _max_size(max_size)
            read = getattr(r, "read1", r.read)  # what has arrived, not a full 64 KiB
            window_start, window_bytes = time.monotonic(), 0
            while block := read(_CHUNK):
                received += len(block)
                if received > limit:
                    raise ValueError(
                        f"get_file: the download from {origin} exceeds {limit:,} bytes without "
                        "announcing its length (no Content-Length); it was stopped and not "
                        f"saved. Pass `max_size=` (or set ${_MAX_SIZE_ENV}) for larger files."
                    )
                out.write(block)
                hasher.update(block)
                window_bytes += len(block)
                now = time.monotonic()
                if window_bytes >= _PROGRESS_BYTES:
                    window_start, window_bytes = now, 0
                elif timeout is not None and now - window_start > timeout:
                    raise TimeoutError(
                        f"the download stalled: {window_bytes} bytes in the last "
                        f"{now - window_start:.1f} s (timeout={timeout} s), {received:,} "
                        "bytes in all"
                    )
        if declared is not None and received != declared:
            raise http.client.IncompleteRead(b"", declared - received)
        if file_hash is not None:
            if hasher.hexdigest() != str(file_hash):
                raise ValueError(
                    f"Incomplete or corrupted file downloaded from {origin}: its {hasher.name} "
                    f"hash is {hasher.hexdigest()}, expected {file_hash}. The file was not saved."
                )
        else:
            problem = integrity_error(tmp)
            if problem is not None:
                raise _IncompleteDownload(
                    f"the downloaded file ({received:,} bytes) is incomplete or corrupt: "
                    f"{problem}"
                )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in _TRANSIENT_HTTP
    return isinstance(
        exc,
        (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException, OSError),
    ) and not isinstance(exc, (FileNotFoundError, PermissionError))


def _fetch(
    origin: str,
    target: str,
    file_hash: str | None,
    algorithm: str,
    retries: int,
    timeout: float | None,
    max_size: int | None,
) -> None:
    print(f"Downloading data from {origin}")
    _remove_dead_temporaries(os.path.dirname(target))
    for attempt in range(retries + 1):
        try:
            _download(origin, target, file_hash, algorithm, timeout, max_size)
            return
        except ValueError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified just below
            if not _is_transient(exc) or attempt == retries:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                code = f"HTTP {exc.code} " if isinstance(exc, urllib.error.HTTPError) else ""
                raise OSError(
                    f"URL fetch failure on {origin}: {code}{reason} (after {attempt + 1} "
                    f"attempt(s)). If you are offline or behind a firewall, download the file "
                    f"by hand and place it at {target}"
                ) from exc
            time.sleep(min(0.25 * 2**attempt, 4.0))


def _extract(archive: str, dest: str, archive_format: Any) -> bool:
    formats = (
        ["tar", "zip"]
        if archive_format == "auto"
        else ([archive_format] if isinstance(archive_format, str) else list(archive_format or []))
    )
    tmp = tempfile.mkdtemp(dir=os.path.dirname(dest), prefix=_temp_prefix(dest), suffix=".extract")
    try:
        if "tar" in formats and tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tar:
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(tmp, filter="data")
                else:  # pragma: no cover - Python < 3.11.4
                    tar.extractall(tmp)  # noqa: S202
        elif "zip" in formats and zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        else:
            return False
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.replace(tmp, dest)
        return True
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: str | None = None,
    force_download: bool = False,
    *,
    retries: int = 3,
    timeout: float | None = 60.0,
    max_size: int | None = None,
) -> str:
    """Downloads ``origin`` into the cache unless a valid copy is there; returns its path.

    Args:
        fname: File name in the cache (default: the last part of the URL's path).
        origin: URL of the file.
        untar: Deprecated Keras alias of ``extract=True`` for tar archives.
        md5_hash: Deprecated; use ``file_hash``.
        file_hash: Expected sha256 (64 hex digits) or md5 of the file; a cached file that
            does not match is downloaded again, a download that does not match is rejected.
        cache_subdir: Sub-directory of the cache directory.
        hash_algorithm: 'auto', 'sha256' or 'md5'.
        extract: Extract a tar/zip archive; returns the extraction directory.
        archive_format: 'auto', 'tar', 'zip' or a list of them.
        cache_dir: Cache root (default ``$JNN_HOME`` or ``~/.jnn``).
        force_download: Download even if the file is cached.
        retries: Extra attempts after transient network errors and incomplete downloads
            (jnn extension).
        timeout: Seconds one read may wait, and the longest stall of an attempt (less than
            16 KiB received in ``timeout`` seconds ends it); None waits forever (jnn extension).
        max_size: Largest size in bytes the file may have: a server announcing more is
            refused, a body of unannounced length is stopped past it (jnn extension; default:
            the announced length, and ``$JNN_MAX_DOWNLOAD_SIZE`` or 2 GiB without one).

    Returns:
        The path of the downloaded file (or of the extraction directory).

    Raises:
        ValueError: ``fname`` (or the URL's last part) is not a plain file name (``..``, a
            path), the file fails its hash, or it exceeds ``max_size``.
        OSError: every attempt failed (network, HTTP status, incomplete body, stall).

    Example:
        >>> path = get_file("data.csv", origin="https://example.com/data.csv")  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError('get_file: please specify the "origin" argument (URL of the file).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _hasher(hash_algorithm, file_hash)  # validates the algorithm name early
    datadir = os.path.join(os.path.expanduser(cache_dir or jnn_home()), cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    given = fname is not None
    fname = os.fspath(fname) if given else urllib.parse.urlsplit(origin).path.rsplit("/", 1)[-1]
    _check_file_name(fname, origin, given)
    extract = extract or untar
    if untar:
        archive_format = "tar"
    if extract:
        stem = fname.split(".")[0] or fname.strip(".").split(".")[0]
        if given and "." in fname:
            target, extract_dir = (
                os.path.join(datadir, fname),
                os.path.join(datadir, f"{stem}_extracted"),
            )
        else:
            target, extract_dir = (
                os.path.join(datadir, f"{stem}_archive"),
                os.path.join(datadir, stem),
            )
    else:
        target = os.path.join(datadir, fname)
    download = force_download or not os.path.exists(target)
    if not download:
        problem = _cached_file_problem(target, file_hash, hash_algorithm)
        if problem is not None:
            print(f"The cached file {target} {problem}; downloading it again.")
            download = True
    if download:
        _fetch(origin, target, file_hash, hash_algorithm, int(retries), timeout, max_size)
    if not extract:
        return target
    if download or not os.path.isdir(extract_dir):
        if not _extract(target, extract_dir, archive_format):
            raise ValueError(f"get_file: could not extract {target} as {archive_format!r}.")
    return extract_dir


def _check_file_name(fname: str, origin: str, given: bool) -> None:
    """Refuses names that are not one plain file inside the cache directory."""
    what = f"`fname` {fname!r}" if given else f"the last part of origin {origin!r} ({fname!r})"
    if not fname:
        raise ValueError(f"get_file: can't parse a file name from origin {origin!r}; pass `fname`.")
    if "/" in fname or "\\" in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            f"get_file: {what} must be a file name, not a path; use `cache_dir` / "
            "`cache_subdir` for the directory."
        )
    if fname in (".", "..") or "\0" in fname or not fname.strip("."):
        raise ValueError(
            f"get_file: {what} is not a file name (it would name the cache directory or its "
            "parent); pass `fname=` with a plain file name."
        )


def _cached_file_problem(target: str, file_hash: str | None, algorithm: str) -> str | None:
    """Why the cached ``target`` must be downloaded again (None: it is good)."""
    if os.path.isdir(target):
        return "is a directory"
    if file_hash is not None:
        if not validate_file(target, file_hash, algorithm):
            return "does not match its hash"
        return None
    full = os.path.getsize(target) <= _FULL_CHECK_LIMIT
    problem = integrity_error(target, full=full)
    return None if problem is None else f"is corrupt ({problem})"
