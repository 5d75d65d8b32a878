"""fit is a function of the seed: the same seed gives bitwise-equal weights and History on CPU,
and a fit split into two calls with ``initial_epoch`` equals one uninterrupted fit
(shuffling and dropout included)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import jnn
from jnn import layers as L

X = np.random.default_rng(0).normal(size=(10, 3)).astype("float32")
Y = np.random.default_rng(1).integers(0, 2, 10)
EPOCHS = 3


def _model(seed: int) -> jnn.Sequential:
    jnn.utils.set_random_seed(seed)
    model = jnn.Sequential(
        [
            L.Input((3,)),
            L.Dense(4, activation="relu"),
            L.Dropout(0.3),
            L.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(seed: int, split_at: int | None):
    model = _model(seed)
    start = model.get_weights()
    kw = {"batch_size": 4, "shuffle": True, "verbose": 0}
    if split_at is None:
        history = model.fit(X, Y, epochs=EPOCHS, **kw).history
    else:
        first = model.fit(X, Y, epochs=split_at, **kw).history
        second = model.fit(X, Y, epochs=EPOCHS, initial_epoch=split_at, **kw).history
        history = {k: first[k] + second[k] for k in first}
    return start, model.get_weights(), history


@settings(max_examples=2, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), split_at=st.integers(1, EPOCHS - 1))
def test_same_seed_same_fit_and_split_fit_equals_one_fit(seed, split_at):
    start, whole, history = _fit(seed, None)
    start_again, split, split_history = _fit(seed, split_at)
    for a, b in zip(start, start_again):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(whole, split):
        np.testing.assert_array_equal(a, b)  # bitwise: same program, same keys, same order
    assert history == split_history
    assert len(history["loss"]) == EPOCHS
    assert any(not np.array_equal(a, b) for a, b in zip(start, whole))  # training happened


def test_another_seed_gives_other_initial_weights():
    a, b = _model(1).get_weights(), _model(2).get_weights()
    assert not np.array_equal(a[0], b[0])
