"""Very deep functional graphs: building, ordering, config, summary and predict never recurse.

A chain of 1,500 layers used to fail with ``RecursionError`` (the graph walks were recursive);
every walk is now iterative, so the depth of a model is bounded by memory, not by Python's
recursion limit.
"""

from __future__ import annotations

import sys

import numpy as np

import jnn
from jnn import layers as L

DEPTH = 5000


def test_chain_of_5000_layers_builds_configures_summarises_and_predicts():
    assert sys.getrecursionlimit() < DEPTH  # the test is meaningful only below the depth
    x = jnn.Input(shape=(3,), name="x")
    out = x
    for i in range(DEPTH):
        # A few Dense layers carry weights; the identity activations keep the test cheap.
        layer = L.Dense(3, name=f"d{i}") if i % 1000 == 0 else L.Activation("linear", name=f"a{i}")
        out = layer(out)
    model = jnn.Model(x, out, name="deep")
    assert len(model.layers) == DEPTH + 1
    assert [la.name for la in model.layers[:3]] == ["x", "d0", "a1"]

    config = model.get_config()
    assert len(config["layers"]) == DEPTH + 1
    clone = jnn.Model.from_config(config)
    assert [la.name for la in clone.layers] == [la.name for la in model.layers]
    assert clone.count_params() == model.count_params() == 5 * 12

    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert sum("(Activation)" in line for line in lines) == DEPTH - 5
    assert "Total params: 60" in "\n".join(lines)

    data = np.arange(6, dtype="float32").reshape(2, 3)
    expected = data
    for w in model.get_weights()[::2]:
        expected = expected @ w  # biases are zero-initialised
    np.testing.assert_allclose(model.predict(data, verbose=0), expected, rtol=1e-4, atol=1e-4)
