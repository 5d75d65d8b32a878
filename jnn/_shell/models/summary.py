"""Keras-2-style `model.summary()` tables, as pure string formatting.

The model code computes one row per layer and calls `format_summary`. Two layouts:

- `show_connections=False` (Sequential models and functional chains): 65 columns,
  positions `[.45, .85, 1.]`, columns `Layer (type) | Output Shape | Param #`.
- `show_connections=True` (functional models with branches): 98 columns, positions
  `[.33, .55, .67, 1.]`, plus a `Connected to` column (`dense_1[0][0]`).

Two styles: `"keras2.3"` (the default; Keras 2.3 to TF 2.8: `_` rules between rows,
one inbound connection per line) and `"keras2.11"` (TF 2.9 to 2.11: a leading space,
blank rows between layers, wrapped cells, connections printed as a list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["STYLES", "format_summary", "summary_lines"]

STYLES = ("keras2.3", "keras2.11")
_HEADERS = ("Layer (type)", "Output Shape", "Param #", "Connected to")
_BREAKS = ("),", "},", "],", "',")  # keras2.11 wraps a cell after the end of a tuple/list


def _resolve_positions(
    line_length: int | None, positions: Sequence[float] | None, show_connections: bool
) -> tuple[int, list[int]]:
    columns = 4 if show_connections else 3
    line_length = line_length or (98 if show_connections else 65)
    if positions is None:
        positions = [0.33, 0.55, 0.67, 1.0] if show_connections else [0.45, 0.85, 1.0]
    positions = list(positions)
    if len(positions) != columns:
        raise ValueError(
            f"summary: argument `positions` must have {columns} entries (one per column), "
            f"received {positions!r}."
        )
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if any(b <= a for a, b in zip(positions, positions[1:])) or positions[0] <= 0:
        raise ValueError(
            f"summary: argument `positions` must be increasing and positive, received {positions!r}."
        )
    return line_length, [int(p) for p in positions]


def _row_keras23(fields: Sequence[Any], positions: Sequence[int]) -> list[str]:
    # Each cell is cut at its column's end; the last character before the next cell
    # is forced to a space (so a long name loses its last visible character).
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line = (line + str(field))[: positions[i]]
        line += " " * (positions[i] - len(line))
    return [line]


def _row_keras211(fields: Sequence[Any], positions: Sequence[int]) -> list[str]:
    # Cells that do not fit wrap onto extra lines, breaking after "),", "]," etc.
    remaining = [str(f) for f in fields]
    lines = []
    while any(remaining):
        line = ""
        for col, text in enumerate(remaining):
            start = positions[col - 1] if col > 0 else 0
            space = 2 if col != len(positions) - 1 else 0
            cutoff = positions[col] - start - space
            piece = text[:cutoff]
            breaks = [piece.find(b) + len(b) for b in _BREAKS if piece.find(b) >= 0]
            if breaks:
                cutoff = min(breaks)
                piece = piece[:cutoff]
            if col == 0:
                line += " "
            line += piece + " " * space
            remaining[col] = text[cutoff:]
            line += " " * (positions[col] - len(line))
        lines.append(line)
    return lines


def _layer_rows(row: Sequence[Any], show_connections: bool, style: str) -> list[list[Any]]:
    label, shape, params = row[0], row[1], row[2]
    if not show_connections:
        return [[label, shape, params]]
    connections = list(row[3]) if len(row) > 3 and row[3] else []
    if style == "keras2.11":
        return [[label, shape, params, connections]]
    first = connections[0] if connections else ""
    return [[label, shape, params, first]] + [["", "", "", c] for c in connections[1:]]


def summary_lines(
    model_name: str,
    rows: Sequence[Sequence[Any]],
    total_params: int,
    trainable_params: int,
    non_trainable_params: int,
    *,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    show_connections: bool = False,
    style: str = "keras2.3",
) -> list[str]:
    """Returns the lines of a Keras-2-style summary table (see `format_summary`).

    Example:
        >>> lines = summary_lines("sequential", [("dense (Dense)", "(None, 3)", 12, [])],
        ...                       12, 12, 0)
        >>> lines[4]
        'dense (Dense)                (None, 3)                 12        '
    """
    if style not in STYLES:
        raise ValueError(f"summary: unknown `style` {style!r}. Valid styles: {', '.join(STYLES)}.")
    line_length, positions = _resolve_positions(line_length, positions, show_connections)
    print_row = _row_keras211 if style == "keras2.11" else _row_keras23
    headers = _HEADERS[: len(positions)]
    lines = [f'Model: "{model_name}"', "_" * line_length]
    lines += print_row(headers, positions)
    lines.append("=" * line_length)
    for index, row in enumerate(rows):
        for fields in _layer_rows(row, show_connections, style):
            lines += print_row(fields, positions)
        if style == "keras2.11":
            lines.append(" " * line_length)
        elif index == len(rows) - 1:
            lines.append("=" * line_length)
        else:
            lines.append("_" * line_length)
    if style == "keras2.11":
        lines.append("=" * line_length)
    lines += [
        f"Total params: {total_params:,}",
        f"Trainable params: {trainable_params:,}",
        f"Non-trainable params: {non_trainable_params:,}",
        "_" * line_length,
    ]
    return lines


def format_summary(
    model_name: str,
    rows: Sequence[Sequence[Any]],
    total_params: int,
    trainable_params: int,
    non_trainable_params: int,
    *,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[[str], Any] | None = None,
    show_connections: bool = False,
    style: str = "keras2.3",
) -> None:
    """Prints a Keras-2-style model summary table, one `print_fn(line)` call per line.

    Args:
        model_name: Shown as `Model: "<name>"`.
        rows: One `(layer_label, output_shape_str, param_count, connected_to)` per layer,
            e.g. `("dense (Dense)", "(None, 3)", 12, ["input_1[0][0]"])`; `connected_to`
            may be omitted when `show_connections` is false.
        total_params: Printed with thousands separators, as are the next two.
        trainable_params: Number of trainable parameters.
        non_trainable_params: Number of non-trainable parameters.
        line_length: Table width (default 65, or 98 with connections).
        positions: Right edge of each column, as fractions of `line_length` (when the
            last one is <= 1) or as absolute character positions.
        print_fn: Receives each line; defaults to `print`.
        show_connections: Add the `Connected to` column (non-sequential functional models).
        style: `"keras2.3"` (default) or `"keras2.11"`.

    Example:
        >>> rows = [("dense (Dense)", "(None, 3)", 12, [])]
        >>> format_summary("sequential", rows, 12, 12, 0, print_fn=lambda s: print(s.rstrip()))
        Model: "sequential"
        _________________________________________________________________
        Layer (type)                 Output Shape              Param #
        =================================================================
        dense (Dense)                (None, 3)                 12
        =================================================================
        Total params: 12
        Trainable params: 12
        Non-trainable params: 0
        _________________________________________________________________
    """
    lines = summary_lines(
        model_name,
        rows,
        total_params,
        trainable_params,
        non_trainable_params,
        line_length=line_length,
        positions=positions,
        show_connections=show_connections,
        style=style,
    )
    print_fn = print if print_fn is None else print_fn
    for line in lines:
        print_fn(line)
