"""Model.init as one jitted program for large models (``JNN_INIT_JIT_MIN_LAYERS``): the same
variables as op by op, and a fallback to op by op where the init can't be traced."""

import jax
import numpy as np

import jnn
from jnn._shell.models import model as model_module


def _build():
    jnn.backend.clear_session()
    jnn.utils.set_random_seed(3)
    x = jnn.Input((6, 6, 2))
    y = jnn.layers.Conv2D(4, 3)(x)
    y = jnn.layers.BatchNormalization()(y)
    y = jnn.layers.Dense(3)(jnn.layers.Flatten()(y))
    return jnn.Model(x, y)


def test_jitted_init_equals_op_by_op(monkeypatch):
    monkeypatch.setattr(model_module, "_JIT_INIT_MIN_LAYERS", 0)
    eager = _build()
    calls = []
    real_jit = jax.jit

    def spy(fn, *args, **kwargs):
        calls.append(fn.__name__)
        return real_jit(fn, *args, **kwargs)

    monkeypatch.setattr(model_module, "_JIT_INIT_MIN_LAYERS", 2)
    monkeypatch.setattr(model_module.jax, "jit", spy)
    jitted = _build()
    monkeypatch.undo()
    assert "run" in calls
    assert [w.path for w in jitted.weights] == [w.path for w in eager.weights]
    for a, b in zip(jitted.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_untraceable_init_falls_back_to_op_by_op(monkeypatch):
    monkeypatch.setattr(model_module, "_JIT_INIT_MIN_LAYERS", 2)

    def broken(fn, *args, **kwargs):
        def call(*a, **k):
            raise jax.errors.ConcretizationTypeError(jax.numpy.zeros(()), "host-side layer")

        return call

    monkeypatch.setattr(model_module.jax, "jit", broken)
    model = _build()
    monkeypatch.undo()
    assert len(model.weights) == 8 and model.predict(np.ones((1, 6, 6, 2)), verbose=0).shape == (
        1, 3)
