"""Helpers shared by the tutorial replays: summary capture and golden tables."""

from __future__ import annotations

from typing import Any

import numpy as np

US65, EQ65 = "_" * 65, "=" * 65


def summary_lines(model: Any) -> list[str]:
    """The lines ``model.summary()`` prints, captured through ``print_fn``."""
    out: list[str] = []
    model.summary(print_fn=out.append)
    return "\n".join(out).split("\n")


def golden(text: str) -> list[str]:
    """A golden table whose lines end with ``|`` so their trailing spaces stay visible."""
    lines = text.split("\n")
    assert all(line.endswith("|") for line in lines), "every golden line must end with '|'"
    return [line[:-1] for line in lines]


def mnist_like(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Tiny MNIST-shaped data: uint8 images 28x28, labels 0..9 drawn as a bright band of rows."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 60, (n, 28, 28))
    rows = np.arange(28)[None, :] // 2 - 4 == y[:, None]  # class k lights rows 8+2k, 9+2k
    x = x + 190 * rows[:, :, None]
    return x.astype("uint8"), y.astype("uint8")


def table(name, rows, total, trainable=None, non_trainable=0):
    """The expected Keras 2.3 sequential-layout table (columns end at 29, 55 and 65)."""
    lines = [
        f'Model: "{name}"',
        "_" * 65,
        f"{'Layer (type)':<29}{'Output Shape':<26}{'Param #':<10}",
    ]
    lines.append("=" * 65)
    for i, (label, shape, params) in enumerate(rows):
        if i:
            lines.append("_" * 65)
        lines.append(f"{label:<29}{shape:<26}{params:<10}")
    lines.append("=" * 65)
    trainable = total if trainable is None else trainable
    lines += [
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {non_trainable:,}",
        "_" * 65,
    ]
    return lines
