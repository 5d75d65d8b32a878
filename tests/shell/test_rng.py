"""jnn._shell.runtime.rng: the global seed and the key counter."""

import subprocess
import sys
import threading

import jax
import numpy as np
import pytest

from jnn._shell.runtime import rng


def _data(key):
    return np.asarray(jax.random.key_data(key)).tolist()


def test_next_key_is_fold_in_of_seed_and_counter():
    rng.set_seed(42)
    keys = [rng.next_key() for _ in range(3)]
    base = jax.random.key(42)
    assert [_data(k) for k in keys] == [_data(jax.random.fold_in(base, i)) for i in range(3)]
    assert len({tuple(_data(k)) for k in keys}) == 3


def test_set_seed_restarts_the_sequence():
    rng.set_seed(3)
    first = [_data(rng.next_key()) for _ in range(2)]
    rng.set_seed(3)
    assert [_data(rng.next_key()) for _ in range(2)] == first
    rng.set_seed(4)
    assert _data(rng.next_key()) != first[0]
    assert rng.get_seed() == 4


def test_keys_are_typed_keys():
    rng.set_seed(0)
    key = rng.next_key()
    assert jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) and key.shape == ()
    jax.random.normal(key, (2,))  # usable as is


def test_make_key():
    assert _data(rng.make_key(5)) == _data(jax.random.key(5))
    assert _data(rng.make_key(np.int64(5))) == _data(jax.random.key(5))
    assert _data(rng.make_key(5)) == _data(rng.make_key(5))
    typed = jax.random.key(9)
    assert rng.make_key(typed) is typed
    assert _data(rng.make_key(jax.random.PRNGKey(9))) == _data(typed)
    rng.set_seed(11)
    assert _data(rng.make_key(None)) == _data(jax.random.fold_in(jax.random.key(11), 0))
    assert _data(rng.make_key(None)) == _data(jax.random.fold_in(jax.random.key(11), 1))


@pytest.mark.parametrize("bad", [1.5, "3", True, -1, 2**32, jax.numpy.zeros(3)])
def test_bad_seeds(bad):
    with pytest.raises(ValueError, match=r"`seed`"):
        rng.make_key(bad)
    with pytest.raises(ValueError, match=r"`seed`"):
        rng.set_seed(bad)


def test_threads_get_distinct_keys():
    rng.set_seed(1)
    keys, lock = [], threading.Lock()

    def draw():
        for _ in range(25):
            key = _data(rng.next_key())
            with lock:
                keys.append(tuple(key))

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = {tuple(_data(jax.random.fold_in(jax.random.key(1), i))) for i in range(100)}
    assert len(keys) == 100 and set(keys) == expected


def test_unseeded_processes_differ():
    code = (
        "import jax; from jnn._shell.runtime import rng; "
        "print(rng.get_seed(), jax.random.key_data(rng.next_key()).tolist())"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert outs[0].startswith("None ") and outs[0] != outs[1]
