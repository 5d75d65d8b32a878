"""Shared test configuration: strict numerics, no persistent compile cache, Keras on JAX."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JNN_COMPILATION_CACHE", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402

# Strict by default: implicit rank promotion is a bug in library code.
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def keras_module():
    """Real Keras 3 on JAX (the oracle); skips when not installed."""
    keras = pytest.importorskip("keras")
    return keras
