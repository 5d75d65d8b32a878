"""Runtime configuration: the device-memory budget for resident data, the compilation cache.

Example:
    >>> import jnn
    >>> jnn.config.set_device_memory_budget(256 * 2**20)
    >>> jnn.config.device_memory_budget()
    268435456
"""

from __future__ import annotations

import os
import threading

import jax

_lock = threading.Lock()
_budget: int | None = None
_cache_enabled: bool | None = None


def _default_budget() -> int:
    dev = jax.devices()[0]
    try:
        stats = dev.memory_stats() or {}
    except Exception:  # noqa: BLE001 - not every backend reports memory
        stats = {}
    limit = stats.get("bytes_limit")
    if limit:
        return int(limit * 0.25)
    return 2 * 2**30


def device_memory_budget() -> int:
    """Bytes of device memory that fit may use to keep a dataset (or a chunk) on the device."""
    with _lock:
        global _budget
        if _budget is None:
            _budget = _default_budget()
        return _budget


def set_device_memory_budget(num_bytes: int | None) -> None:
    """Sets the budget in bytes (``None`` restores the default: 25% of the device memory
    where the backend reports it, else 2 GiB). Data larger than the budget is streamed to the
    device chunk by chunk."""
    global _budget
    if num_bytes is not None:
        if not isinstance(num_bytes, int) or num_bytes <= 0:
            raise ValueError(
                f"`num_bytes` must be a positive int (bytes) or None, received {num_bytes!r}."
            )
    with _lock:
        _budget = num_bytes


def enable_compilation_cache(path: str | None = None) -> str:
    """Turns on JAX's persistent compilation cache so a second run skips compilation.

    Returns the directory used (default ``~/.cache/jnn/jax``, or ``$JNN_CACHE_DIR``).
    """
    path = path or os.environ.get("JNN_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "jnn", "jax"
    )
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return path


def maybe_enable_default_cache() -> None:
    """On by default (off when ``JNN_COMPILATION_CACHE=0``, as the test-suite sets)."""
    global _cache_enabled
    if _cache_enabled is not None:
        return
    _cache_enabled = os.environ.get("JNN_COMPILATION_CACHE", "1") not in ("0", "false", "")
    if _cache_enabled:
        try:
            enable_compilation_cache()
        except OSError:
            _cache_enabled = False
