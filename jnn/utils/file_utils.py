"""``get_file``: download a file once, check it, cache it (Keras's ``keras.utils.get_file``).

Files are cached under ``$JNN_HOME`` (default ``~/.jnn``) in ``cache_subdir``. A download is
written to a temporary name next to its target, checked (length and hash) and only then renamed
into place, so an interrupted or corrupted download never leaves a file in the cache.
Transient network errors are retried; when every attempt fails the error names the URL and the
path where the file can be placed by hand.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any

__all__ = ["get_file", "hash_file", "jnn_home", "validate_file"]

_TRANSIENT_HTTP = {408, 429, 500, 502, 503, 504}


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


def _download(
    origin: str, target: str, file_hash: str | None, algorithm: str, timeout: float
) -> None:
    """One attempt: stream to a temporary file, check length and hash, rename into place."""
    fd, tmp = tempfile.mkstemp(
        dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".part"
    )
    try:
        hasher = _hasher(algorithm, file_hash)
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=timeout) as r:
            expected = r.headers.get("Content-Length")
            for block in iter(lambda: r.read(1 << 16), b""):
                out.write(block)
                hasher.update(block)
                received += len(block)
        if expected is not None and received != int(expected):
            raise http.client.IncompleteRead(b"", int(expected) - received)
        if file_hash is not None and hasher.hexdigest() != str(file_hash):
            raise ValueError(
                f"Incomplete or corrupted file downloaded from {origin}: its {hasher.name} hash "
                f"is {hasher.hexdigest()}, expected {file_hash}. The file was not saved."
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
    origin: str, target: str, file_hash: str | None, algorithm: str, retries: int, timeout: float
) -> None:
    print(f"Downloading data from {origin}")
    for attempt in range(retries + 1):
        try:
            _download(origin, target, file_hash, algorithm, timeout)
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
    tmp = tempfile.mkdtemp(dir=os.path.dirname(dest), prefix=f".{os.path.basename(dest)}.")
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
    timeout: float = 60.0,
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
        retries: Extra attempts after transient network errors (jnn extension).
        timeout: Seconds to wait on the network per attempt (jnn extension).

    Returns:
        The path of the downloaded file (or of the extraction directory).

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
    fname = os.fspath(fname) if given else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"get_file: can't parse a file name from origin {origin!r}; pass `fname`.")
    if os.sep in fname:
        raise ValueError(
            "get_file: `fname` must be a file name, not a path; use `cache_dir` for the "
            f"directory. Received: fname={fname}"
        )
    extract = extract or untar
    if untar:
        archive_format = "tar"
    if extract:
        stem = fname.split(".")[0]
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
    download = (
        force_download
        or not os.path.exists(target)
        or (file_hash is not None and not validate_file(target, file_hash, hash_algorithm))
    )
    if download:
        _fetch(origin, target, file_hash, hash_algorithm, int(retries), timeout)
    if not extract:
        return target
    if download or not os.path.isdir(extract_dir):
        if not _extract(target, extract_dir, archive_format):
            raise ValueError(f"get_file: could not extract {target} as {archive_format!r}.")
    return extract_dir
