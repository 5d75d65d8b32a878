"""Bad data gets a clear error (or Keras's warning) naming what is wrong, before training."""

from __future__ import annotations

import numpy as np
import pytest

import jnn
from jnn.layers import Dense

X = np.ones((8, 2), np.float32)
Y = np.zeros((8, 1), np.float32)


@pytest.fixture(scope="module")
def model():
    m = jnn.Sequential([Dense(1, input_dim=2)])
    m.compile(optimizer="sgd", loss="mse")
    return m


@pytest.fixture(scope="module")
def classifier():
    m = jnn.Sequential([Dense(3, input_dim=2, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return m


def _gen(*batches):
    yield from batches


def test_inconsistent_structure_shows_first_and_offending_batch(model):
    gen = _gen((X, Y), (X, Y), (X,))
    with pytest.raises(ValueError, match=r"Batch 2 does not match the first batch") as info:
        model.fit(gen, verbose=0)
    assert "first batch: " in str(info.value) and "batch 2: " in str(info.value)


def test_inconsistent_shapes(model):
    gen = _gen((X, Y), (np.ones((8, 3), np.float32), Y))
    with pytest.raises(ValueError, match=r"float32\[8, 2\].*\n.*batch 1: .*float32\[8, 3\]"):
        model.fit(gen, verbose=0)


def test_batch_larger_than_the_first(model):
    gen = _gen((X[:4], Y[:4]), (X, Y))
    with pytest.raises(ValueError, match="Batch 1 has 8 samples, more than the first batch"):
        model.fit(gen, verbose=0)


def test_generator_exhausted_before_steps_per_epoch_warns_and_stops(model):
    with pytest.warns(UserWarning, match="ran out of data"):
        h = model.fit(_gen((X, Y), (X, Y)), steps_per_epoch=3, epochs=4, verbose=0)
    assert len(h.history["loss"]) == 1


def test_labels_out_of_range(classifier):
    with pytest.raises(ValueError, match="3"):
        classifier.fit(X, np.array([0, 1, 2, 3, 0, 1, 2, 0]), verbose=0)
    with pytest.raises(ValueError, match="3"):
        classifier.fit(_gen((X, np.array([0, 1, 2, 3, 0, 1, 2, 0]))), verbose=0)
    good, bad = np.zeros(8, np.int32), np.array([0, 1, 2, 5, 0, 1, 2, 0], np.int32)
    with pytest.raises(ValueError, match="Batch 2: Received a label value of 5"):
        classifier.fit(_gen((X, good), (X, good), (X, bad)), verbose=0)


@pytest.mark.parametrize("where", ["x", "y"])
def test_nan_or_inf_rejected_before_training(model, where):
    bad = X.copy() if where == "x" else Y.copy()
    bad[3, 0] = np.nan if where == "x" else np.inf
    args = (bad, Y) if where == "x" else (X, bad)
    w0 = model.get_weights()
    with pytest.raises(ValueError, match="NaN or infinite values, first at index \\(3, 0\\)"):
        model.fit(*args, verbose=0)
    with pytest.raises(ValueError, match=r"\(batch 1\) contains NaN or infinite"):
        model.fit(_gen((X, Y), args), verbose=0)
    for a, b in zip(model.get_weights(), w0):
        np.testing.assert_array_equal(a, b)  # the arrays case trained nothing


def test_mismatched_lengths(model):
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous.*x sizes: \[8\]"):
        model.fit(X, Y[:5], verbose=0)
    with pytest.raises(ValueError, match="same number of rows"):
        model.fit(_gen((X, Y[:5])), verbose=0)


def test_object_and_string_arrays(model):
    with pytest.raises(ValueError, match="must be numeric, but it has dtype <U1"):
        model.fit(np.array([["a", "b"]] * 8), Y, verbose=0)
    with pytest.raises(ValueError, match=r"\(batch 0\) must be numeric.*object"):
        model.fit(_gen((X.astype(object), Y)), verbose=0)


def test_empty_datasets(model):
    with pytest.raises(ValueError, match="0 samples"):
        model.fit(np.zeros((0, 2), np.float32), np.zeros((0, 1), np.float32), verbose=0)
    with pytest.raises(ValueError, match="yielded no batch"):
        model.fit(_gen(), verbose=0)

    class Empty(jnn.utils.Sequence):
        def __len__(self):
            return 0

    with pytest.raises(ValueError, match="is empty"):
        model.fit(Empty(), verbose=0)


def test_arguments_that_do_not_go_with_generators(model, classifier):
    with pytest.raises(ValueError, match="`y` should not be passed"):
        model.fit(_gen((X, Y)), Y, verbose=0)
    with pytest.raises(ValueError, match="`validation_split` is only supported for array"):
        model.fit(_gen((X, Y)), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="`class_weight` is not supported for generator"):
        classifier.fit(_gen((X, np.zeros(8, np.int32))), class_weight={0: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="cannot `class_weight` and `sample_weight`"):
        classifier.fit(
            X, np.zeros(8, np.int32), sample_weight=np.ones(8), class_weight={0: 2.0}, verbose=0
        )
    with pytest.raises(ValueError, match=r"`x`, `\(x,\)`, `\(x, y\)`"):
        model.fit(_gen((X, Y, None, Y)), verbose=0)
    with pytest.raises(ValueError, match="`validation_data` must be"):
        model.fit(X, Y, validation_data=X, verbose=0)
