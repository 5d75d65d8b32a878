"""In a multi-process run only process 0 commits files; the others serialize and discard."""

import os

import numpy as np
import pytest

import jnn
from jnn._shell.runtime import distribution as distribution_lib


@pytest.fixture
def model():
    jnn.utils.set_random_seed(0)
    m = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,), activation="softmax")])
    m.compile("sgd", "sparse_categorical_crossentropy")
    return m


@pytest.mark.parametrize("process_index", [0, 1])
def test_only_process_zero_writes(model, tmp_path, monkeypatch, process_index):
    monkeypatch.setattr(distribution_lib.jax, "process_index", lambda: process_index)
    x = np.zeros((8, 3), np.float32)
    y = np.zeros(8, np.int32)
    ck = jnn.callbacks.ModelCheckpoint(str(tmp_path / "ck.weights.h5"),
                                       save_weights_only=True)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[ck])
    model.save_weights(str(tmp_path / "w.weights.h5"))
    model.save(str(tmp_path / "m.keras"))
    written = sorted(os.listdir(tmp_path))
    if process_index == 0:
        assert written == ["ck.weights.h5", "m.keras", "w.weights.h5"]
    else:
        assert written == []  # nothing committed, no temporary left behind
