"""Keras-2-style progress bar (`1875/1875 [=====] - 2s 1ms/step - loss: 0.2901`).

The bar is redrawn in place with carriage returns only when its output is a terminal
(`file.isatty()`). Anywhere else (CI logs, files, captured notebooks) a `verbose=1` bar
writes a single line when it is finalized, so logs hold one line per epoch and no '\\r'.

In jnn every value the engine logs is already a running mean over the epoch, so
`ProgbarLogger` builds its bar with `stateless_metrics=set()` ("every value is stateful"):
values are displayed as given, never averaged again. Plain `Progbar` users get Keras's
default, where values not named in `stateful_metrics` are averaged over the steps seen.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

import numpy as np

__all__ = ["Progbar", "is_tty"]


def is_tty(stream: Any) -> bool:
    """Whether `stream` is an interactive terminal (safe on any file-like object).

    Example:
        >>> import io
        >>> is_tty(io.StringIO())
        False
    """
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (ValueError, OSError):  # closed or detached streams
        return False


def format_value(value: Any) -> str:
    """Formats one logged value as Keras 2 does: `%.4f`, or `%.4e` when |value| <= 1e-3.

    Example:
        >>> format_value(0.29011), format_value(1e-5)
        ('0.2901', '1.0000e-05')
    """
    try:
        number = float(np.mean(value))
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.4f}" if abs(number) > 1e-3 else f"{number:.4e}"


def format_time_per_unit(seconds: float, unit_name: str) -> str:
    """Formats a step duration as Keras does: `2s/step`, `13ms/step` or `870us/step`.

    Example:
        >>> format_time_per_unit(0.0013, "step")
        '1ms/step'
    """
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def format_eta(seconds: float) -> str:
    """Formats a remaining time as Keras does: `3s`, `1:05` or `1:01:05`.

    Example:
        >>> format_eta(65.0)
        '1:05'
    """
    hours, minutes, secs = int(seconds // 3600), int(seconds % 3600 // 60), int(seconds % 60)
    if seconds > 3600:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{secs:02d}"
    return f"{int(seconds)}s"


class Progbar:
    """Displays a Keras-2-style progress bar.

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Width of the bar in characters.
        verbose: 0 (silent), 1 (bar) or 2 (one line when finalized).
        interval: Minimum seconds between two redraws of a live bar.
        stateful_metrics: Names of values displayed as given. Other values are averaged
            over the steps seen (Keras's default). Do not combine with `stateless_metrics`.
        unit_name: Name of a step in the time display (`ms/step`).
        file: Stream to write to; `None` writes to the current `sys.stdout`.
        stateless_metrics: Keras 3 alternative: names of values to average; every other
            value is displayed as given. `set()` means "display everything as given".
        clock: Function returning the current time in seconds (injectable for tests).

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> bar = Progbar(10, file=out, clock=lambda: 0.0)
        >>> bar.update(10, [("loss", 0.25)])
        >>> out.getvalue()
        '10/10 [==============================] - 0s 0s/step - loss: 0.2500\\n'
    """

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
        file: IO[str] | None = None,
        *,
        stateless_metrics: Iterable[str] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar: pass only one of `stateful_metrics` or `stateless_metrics`, "
                "received both."
            )
        if verbose not in (0, 1, 2):
            raise ValueError(
                f"Progbar: argument `verbose` must be 0, 1 or 2, received {verbose!r}."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.file = file
        self.stateful_metrics = set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._clock = clock or time.monotonic
        self._dynamic_display = is_tty(self._stream())
        self._values: dict[str, list[Any]] = {}
        self._values_order: list[str] = []
        self._seen_so_far = 0
        self._start = self._clock()
        self._last_update = -math.inf
        self._prev_total_width = 0

    @property
    def dynamic_display(self) -> bool:
        """True when the bar is redrawn in place (its output is a terminal)."""
        return self._dynamic_display

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, Any]] | Mapping[str, Any] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Updates the bar to step `current` with this step's `(name, value)` pairs.

        Args:
            current: Index of the current step (1-based count of steps done).
            values: `(name, value)` pairs (or a dict). Stateful names are shown as given,
                the others averaged over the steps seen.
            finalize: Whether this is the last update; defaults to `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values)
        if self.verbose == 1:
            self._draw_bar(current, finalize)
        elif self.verbose == 2 and finalize:
            self._write(self._summary_line(current) + "\n")

    def add(self, n: int, values: Iterable[tuple[str, Any]] | Mapping[str, Any] | None = None):
        """Advances the bar by `n` steps (see `update`)."""
        self.update(self._seen_so_far + n, values)

    # -- bookkeeping -------------------------------------------------------------------

    def _is_stateful(self, name: str) -> bool:
        if self.stateless_metrics is not None:
            return name not in self.stateless_metrics
        return name in self.stateful_metrics

    def _record(self, current: int, values: Any) -> None:
        if isinstance(values, Mapping):
            values = values.items()
        for name, value in values or ():
            if name not in self._values:
                self._values_order.append(name)
            if self._is_stateful(name):
                self._values[name] = [value, 1]
                continue
            # Keras 2: weight each value by the steps it covers (at least one).
            base = max(current - self._seen_so_far, 1)
            if name in self._values:
                self._values[name][0] += value * base
                self._values[name][1] += base
            else:
                self._values[name] = [value * base, base]
        self._seen_so_far = current

    def _time_per_unit(self, current: int, now: float) -> float:
        # Elapsed / steps (Keras <= 2.3). jnn runs many steps per dispatch and calls the
        # hooks in a burst afterwards, so per-step timestamps would under-report.
        return (now - self._start) / current if current else 0.0

    # -- rendering -----------------------------------------------------------------------

    def _stream(self) -> IO[str]:
        return self.file if self.file is not None else sys.stdout

    def _write(self, text: str) -> None:
        stream = self._stream()
        stream.write(text)
        stream.flush()

    def _has_target(self) -> bool:
        return self.target is not None and self.target > 0

    def _count(self, current: int) -> str:
        digits = int(math.log10(self.target)) + 1
        return f"{current:{digits}d}/{self.target}"

    def _bar(self, current: int) -> str:
        if not self._has_target():
            return f"{current:7d}/Unknown"
        filled = int(self.width * current / self.target)
        bar = self._count(current) + " ["
        if filled > 0:
            bar += "=" * (filled - 1) + (">" if current < self.target else "=")
        return bar + "." * (self.width - filled) + "]"

    def _metrics(self) -> str:
        parts = []
        for name in self._values_order:
            total, count = self._values[name]
            value = total if count == 1 else np.asarray(total) / max(1, count)
            parts.append(f" - {name}: {format_value(value)}")
        return "".join(parts)

    def _line(self, current: int, finalize: bool) -> str:
        now = self._clock()
        time_per_unit = self._time_per_unit(current, now)
        if self._has_target() and not finalize:
            info = f" - ETA: {format_eta(time_per_unit * (self.target - current))}"
        else:
            info = f" - {now - self._start:.0f}s "
            info += format_time_per_unit(time_per_unit, self.unit_name)
        return self._bar(current) + info + self._metrics()

    def _draw_bar(self, current: int, finalize: bool) -> None:
        if not self._dynamic_display:
            if finalize:
                self._write(self._line(current, True) + "\n")
            return
        now = self._clock()
        if now - self._last_update < self.interval and not finalize:
            return
        line = self._line(current, finalize)
        padding = " " * max(self._prev_total_width - len(line), 0)
        self._prev_total_width = len(line)
        self._write("\r" + line + padding + ("\n" if finalize else ""))
        self._last_update = now

    def _summary_line(self, current: int) -> str:
        count = self._count(current) if self._has_target() else f"{current}"
        return f"{count} - {self._clock() - self._start:.0f}s" + self._metrics()
