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
    """Tiny MNIST-shaped data: uint8 images 28x28 and labels 0..9 (learnable: label = mean)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 50, (n, 28, 28)) + (y * 20)[:, None, None]
    return x.astype("uint8"), y.astype("uint8")
