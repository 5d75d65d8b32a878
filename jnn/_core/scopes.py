"""``name_scope`` and ``device``: Keras 3's top-level context managers.

Example:
    >>> with name_scope("block1"):
    ...     current_path()
    'block1'
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import jax

__all__ = ["current_path", "device", "name_scope"]

_local = threading.local()


def _stack() -> list[str]:
    stack = getattr(_local, "names", None)
    if stack is None:
        stack = _local.names = []
    return stack


def current_path() -> str:
    """The ``/``-joined names of the active name scopes ('' when none).

    Example:
        >>> current_path()
        ''
    """
    return "/".join(_stack())


class name_scope:  # noqa: N801 - Keras's name
    """Prefixes the paths of the layers (and their variables) created inside.

    Also a ``jax.named_scope``, so an XLA profile groups the operations traced inside.

    Args:
        name: the scope's name (no '/').

    Example:
        >>> import jnn
        >>> with jnn.name_scope("encoder"):
        ...     layer = jnn.layers.Dense(2, name="proj")
        >>> layer.build((None, 3))
        >>> layer.kernel.path
        'encoder/proj/kernel'
    """

    def __init__(self, name: str, **kwargs: Any) -> None:
        del kwargs  # caller / deduplicate / override_parent: Keras options with no effect here
        if not isinstance(name, str) or not name:
            raise ValueError(f"jnn.name_scope: `name` must be a non-empty string, received {name!r}.")
        self.name = name
        self._jax_scope: Any = None

    def __enter__(self) -> name_scope:
        _stack().append(self.name)
        self._jax_scope = jax.named_scope(self.name)
        self._jax_scope.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._jax_scope.__exit__(*exc)
        _stack().pop()


@contextlib.contextmanager
def device(device_name: str) -> Iterator[None]:
    """Places the arrays created inside on ``device_name`` (``"cpu"``, ``"gpu:1"``, ``"tpu:0"``).

    Example:
        >>> import jax.numpy as jnp
        >>> with device("cpu:0"):
        ...     x = jnp.ones(2)
        >>> x.devices().pop().platform
        'cpu'
    """
    name = str(device_name).lower()
    kind, _, index = name.partition(":")
    kind = {"cuda": "gpu"}.get(kind, kind)
    try:
        idx = int(index or 0)
        devices = jax.devices(kind)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"jnn.device: no device {device_name!r}; expected 'cpu', 'gpu:N' or 'tpu:N' among "
            f"{[f'{d.platform}:{d.id}' for d in jax.devices()]}."
        ) from None
    if not 0 <= idx < len(devices):
        raise ValueError(
            f"jnn.device: {device_name!r} is out of range; there are {len(devices)} {kind} "
            "device(s)."
        )
    with jax.default_device(devices[idx]):
        yield
