"""Shared test configuration: strict numerics, no persistent compile cache, Keras on JAX."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JNN_COMPILATION_CACHE", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests draw the same examples on every run: CI results do not depend on luck.
settings.register_profile("jnn", derandomize=True, deadline=None)
settings.load_profile("jnn")


@pytest.fixture(autouse=True)
def _strict_rank_promotion(request):
    """Strict by default: implicit rank promotion is a bug in library code.

    Tests that replay user code (tutorials, examples, custom layers written the way Keras users
    write them, e.g. ``x @ w + b``) opt out with ``@pytest.mark.user_code``.
    """
    if request.node.get_closest_marker("user_code"):
        yield
        return
    with jax.numpy_rank_promotion("raise"):
        yield


@pytest.fixture
def keras_module():
    """Real Keras 3 on JAX (the oracle); skips when not installed."""
    keras = pytest.importorskip("keras")
    return keras
