"""Property tests for your own layer and model with jnn.testing, chex and hypothesis.

A custom layer (``Gated``: a learned gate on a linear projection) and a custom model built with
it go through the same checks as jnn's built-in layers:

* ``jnn.testing.check_layer``: declared shape, jit == eager, per-sample independence, finite
  gradients (also at zero and at edge values), config and weights round trips ...;
* ``jnn.testing.check_model``: the train step compiles once, is deterministic, lowers the loss,
  keeps a finite ``TrainState`` with a stable tree structure;
* a hypothesis property of our own, with chex assertions, on inputs from
  ``jnn.testing.strategies.arrays`` (edge values included).

``BrokenGated`` normalizes over the batch axis by mistake; the harness names the property it
breaks. Run it: ``python examples/property_tests_with_chex.py``; or with pytest, which collects
the ``test_*`` functions below.
"""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings

import jnn
from jnn.testing import PropertyFailure, check_layer, check_model, strategies


class Gated(jnn.layers.Layer):
    """``y = (x @ W) * sigmoid(x @ G)``, written the Keras way."""

    def __init__(self, units: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.g = self.add_weight(shape=(input_shape[-1], self.units), name="gate")

    def call(self, inputs):
        return (inputs @ self.w) * jax.nn.sigmoid(inputs @ self.g)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class BrokenGated(Gated):
    """The bug: standardizing with batch statistics at inference mixes samples."""

    def call(self, inputs):
        inputs = (inputs - jnp.mean(inputs, axis=0)) / (jnp.std(inputs, axis=0) + 1e-3)
        return super().call(inputs)


def make_model(features: int = 3) -> jnn.Model:
    return jnn.Sequential([jnn.Input((features,)), Gated(8), jnn.layers.Dense(1)])


def test_gated_layer_passes_the_harness():
    result = check_layer(Gated(4), (3, 5), smooth=True)
    chex.assert_shape(result.outputs[False], (3, 4))
    return result


def test_broken_layer_is_caught():
    try:
        check_layer(BrokenGated(4), (3, 5))
    except PropertyFailure as failure:
        assert failure.property == "batch_independence", failure
        return str(failure)
    raise AssertionError("the harness missed BrokenGated")


@settings(max_examples=5, deadline=None, database=None)
@given(x=strategies.arrays((2, 5), "float32"))
def test_gate_bounds_the_output(x):
    """|y| <= |x @ W| for any input, zeros / tiny / huge included (the gate is in [0, 1])."""
    layer = Gated(4)
    variables = layer.init(jax.random.key(0), x)
    y, _ = jax.jit(layer.apply)(variables, x)
    linear = x @ variables["params"]["kernel"]
    chex.assert_tree_all_finite(y)
    chex.assert_trees_all_equal_shapes(y, linear)
    assert np.all(np.abs(y) <= np.abs(linear) * (1 + 1e-6) + 1e-6)


def test_model_trains():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y = np.sin(x[:, :1]).astype(np.float32)
    return check_model(make_model(), x, y, optimizer="adam", steps=5)


def main() -> dict:
    """Runs the four checks and prints what each one saw."""
    result = test_gated_layer_passes_the_harness()
    print(f"Gated: {len(result.checked)} properties hold: {', '.join(result.checked)}")
    message = test_broken_layer_is_caught()
    print("BrokenGated is caught:\n" + message.splitlines()[0])
    test_gate_bounds_the_output()
    print("hypothesis: the gate bounds the output on 5 drawn inputs")
    trained = test_model_trains()
    print(f"model: loss {trained.losses[0]:.4f} -> {trained.losses[-1]:.4f}, compiled once")
    return {"checked": result.checked, "caught": message, "losses": trained.losses}


if __name__ == "__main__":
    main()
