"""Shared test configuration: strict numerics, no persistent compile cache, Keras on JAX."""

import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JNN_COMPILATION_CACHE", "0")
os.environ.setdefault("JNN_INIT_JIT_MIN_LAYERS", "0")  # many builds: op-by-op init
os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# jnn's persistent cache (the user's ~/.cache) stays off in tests; instead the test session
# shares one XLA cache in a temporary directory between its workers, so the many tests that
# compile the same small programs (identical HLO, metadata aside) compile them once. Set
# JNN_TEST_XLA_CACHE=0 to turn it off, or to a path to choose the directory.
_xla_cache = os.environ.get("JNN_TEST_XLA_CACHE") or os.path.join(
    tempfile.gettempdir(), f"jnn-test-xla-cache-{os.getuid()}")
if _xla_cache != "0":
    jax.config.update("jax_compilation_cache_dir", _xla_cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

# Property tests draw the same examples on every run: CI results do not depend on luck.
# Profiles: "ci" (default; "jnn" is its old name) keeps each test's own few examples;
# JNN_HYPOTHESIS_PROFILE=thorough (before a release) draws fresh, random examples, ten times as
# many where tests ask through tests.harness.examples(n), and never gives up on slow ones.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("jnn", derandomize=True, deadline=None)
settings.register_profile("thorough", derandomize=False, deadline=None, max_examples=500,
                          print_blob=True)
settings.load_profile(os.environ.get("JNN_HYPOTHESIS_PROFILE", "ci"))


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
