"""jnn.testing.check_layer: good layers of each style pass; each kind of broken layer is caught
by the property that names it."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn import layers
from jnn.testing import PROPERTIES, PropertyFailure, check_layer

pytestmark = pytest.mark.user_code


# --- layers written the three ways ----------------------------------------------------------------
class Scale(layers.Layer):
    """Keras style, no compute_output_shape: y = x * w + b, with a fixed `offset`."""

    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.b = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="b")

    def call(self, inputs):
        return inputs * self.w + self.b + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


class Project(layers.Layer):
    """Keras style with its own compute_output_shape."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, inputs):
        return jnp.tanh(inputs @ self.kernel)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Noisy(layers.Layer):
    """The pure protocol: init / apply, Gaussian noise only while training, a step counter."""

    def __init__(self, stddev=0.1, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev

    def init(self, key, input_spec):
        return {"params": {}, "state": {"calls": jnp.zeros((), jnp.int32)}}

    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        calls = variables["state"]["calls"]
        if training and rng is not None:
            noise = self.stddev * jax.random.normal(rng, jnp.shape(inputs))
            return inputs + noise, {"calls": calls + 1}
        return inputs, {"calls": calls}

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


@pytest.mark.parametrize("make", [lambda: Scale(offset=0.5), lambda: Project(4), Noisy],
                         ids=["keras_style", "keras_style_with_shape", "pure"])
def test_well_behaved_layers_pass_every_property(make):
    result = check_layer(make(), (3, 5), smooth=True)
    assert set(result.checked) | set(result.skipped) == set(PROPERTIES)
    assert "jit_vs_eager" in result.checked and "batch_independence" in result.checked
    chex.assert_shape(jax.tree.leaves(result.outputs[False]), (3, None))
    chex.assert_tree_all_finite(result.outputs)


# --- one broken layer per kind ---------------------------------------------------------------------
class WrongShape(Project):
    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units + 1)


class HostRandom(Scale):
    def call(self, inputs):
        return inputs * self.w + np.float32(np.random.default_rng().normal())


class PythonBranch(Scale):
    def call(self, inputs):
        if jnp.sum(inputs) > 0:  # a Python branch on a traced value
            return inputs * self.w
        return inputs


class MixesSamples(Scale):
    def call(self, inputs):
        return (inputs - jnp.mean(inputs, axis=0)) * self.w


class NanGradAtZero(Scale):
    def call(self, inputs):
        return jnp.sqrt(jnp.square(inputs)) * self.w  # |x|, but d/dx sqrt(0) = inf


class ForgetsConfig(Scale):
    def get_config(self):
        return layers.Layer.get_config(self)  # `offset` is lost


class DropsAtInference(Noisy):
    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        if rng is not None:  # ignores `training`
            keep = jax.random.bernoulli(rng, 0.5, jnp.shape(inputs))
            return jnp.where(keep, inputs * 2.0, 0.0), variables["state"]
        return inputs, variables["state"]


class CountsAtInference(Noisy):
    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        return inputs, {"calls": variables["state"]["calls"] + 1}


class WrongMask(Scale):
    supports_masking = True

    def call(self, inputs, mask=None):
        return inputs * self.w

    def compute_mask(self, inputs, mask=None):
        return jnp.ones(inputs.shape[:1], bool)  # (batch,) for a (batch, time, features) output


BROKEN = [
    (WrongShape, (2, 5), "output_shape", "declares"),
    (HostRandom, (2, 5), "jit_vs_eager", "host randomness"),
    (PythonBranch, (2, 5), "jit_vs_eager", "traced value"),
    (MixesSamples, (3, 5), "batch_independence", "mixes samples"),
    (NanGradAtZero, (2, 5), "gradients", "all-zeros"),
    (lambda: ForgetsConfig(offset=1.5), (2, 5), "config", "get_config"),
    (DropsAtInference, (2, 5), "training", "depends on the rng|different outputs"),
    (CountsAtInference, (2, 5), "state", "inference"),
    (WrongMask, (2, 4, 5), "mask", "mask of shape (2,)"),
]


@pytest.mark.parametrize("make, shape, prop, detail", BROKEN,
                         ids=[b[2] + "-" + getattr(b[0], "__name__", "lambda") for b in BROKEN])
def test_each_kind_of_broken_layer_is_caught_by_its_property(make, shape, prop, detail):
    with pytest.raises(PropertyFailure, match=f"property '{prop}' failed") as info:
        check_layer(make(), shape)
    assert info.value.property == prop
    message = str(info.value)
    assert "inputs: " in message and f"{shape}" in message.replace("np.", "")
    assert any(part in message for part in detail.split("|")) or pytest.fail(message)


def test_failure_is_an_assertion_error_naming_the_variant():
    with pytest.raises(AssertionError, match=r"under with_jit, with_device") as info:
        check_layer(PythonBranch(), (2, 5))
    assert "PythonBranch" in str(info.value)


def test_properties_and_skip_choose_what_runs():
    result = check_layer(MixesSamples(), (3, 5), skip=("batch_independence",))
    assert "batch_independence" not in result.checked
    result = check_layer(Scale(), (2, 5), properties=("init", "output_shape"))
    assert result.checked == ["init", "jit_vs_eager", "output_shape"]
    with pytest.raises(ValueError, match="unknown properties"):
        check_layer(Scale(), (2, 5), properties=("shapes",))
