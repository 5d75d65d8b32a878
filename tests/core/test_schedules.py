"""Tests for jnn.optimizers.schedules: values equal Keras 3's, jit-safe, configs, errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn.optimizers import schedules

STEPS = [0, 1, 2, 5, 9, 10, 11, 37, 100, 1000]

CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [10, 100], "values": [1.0, 0.5, 0.1]}),
    ("PiecewiseConstantDecay", {"boundaries": [5], "values": [0.3, 0.2]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "end_learning_rate": 0.01, "power": 2.0, "cycle": True}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 50, "warmup_target": 0.2, "warmup_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
]  # fmt: skip


def _ids(case):
    return str(case)


@pytest.mark.conformance
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=_ids)
def test_values_equal_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    steps = jnp.asarray(STEPS, jnp.int32)
    # Both vectorised and jitted: one compilation each (Keras's eager `ops.cond` compiles per call).
    expected = jax.jit(jax.vmap(theirs))(steps)
    np.testing.assert_allclose(jax.jit(jax.vmap(ours))(steps), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=_ids)
def test_jit_with_traced_step_and_config_round_trip(name, kwargs):
    sched = getattr(schedules, name)(**kwargs)
    steps = jnp.asarray(STEPS, jnp.int32)
    traced = jax.jit(jax.vmap(sched))(steps)
    eager = np.array([float(sched(int(s))) for s in STEPS], np.float32)
    # Under jit XLA may fuse pow/cos or turn x / c into x * (1 / c): a few float32 ulps.
    np.testing.assert_allclose(traced, eager, rtol=1e-5, atol=1e-8)
    assert traced.dtype == jnp.float32
    restored = type(sched).from_config(sched.get_config())
    assert restored == sched
    assert schedules.deserialize(schedules.serialize(sched)) == sched


def test_hand_computed_values():
    assert float(schedules.ExponentialDecay(1.0, 2, 0.5)(4)) == 0.25
    assert float(schedules.ExponentialDecay(1.0, 2, 0.5, staircase=True)(3)) == 0.5
    piecewise = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    values = [float(piecewise(s)) for s in (0, 10, 11, 20, 21)]
    assert values == [1.0, 1.0, 0.5, 0.5, float(np.float32(0.1))]
    poly = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0, power=2.0)
    assert float(poly(5)) == 0.25 and float(poly(50)) == 0.0
    assert float(schedules.InverseTimeDecay(1.0, 1, 1.0)(3)) == 0.25
    cosine = schedules.CosineDecay(1.0, 10, alpha=0.5)
    assert float(cosine(10)) == 0.5 and float(cosine(0)) == 1.0
    warm = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
    assert float(warm(2)) == 0.5 and float(warm(4)) == 1.0
    restarts = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0)
    assert float(restarts(10)) == 1.0 and float(restarts(30)) == 1.0
    np.testing.assert_allclose(restarts(20), 0.5, rtol=1e-6)  # halfway through the 2nd period


def test_serialized_form_is_keras_like():
    config = schedules.serialize(schedules.ExponentialDecay(0.1, 10, 0.9))
    assert config == {
        "module": "keras.optimizers.schedules",
        "class_name": "ExponentialDecay",
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.9,
            "staircase": False,
            "name": "ExponentialDecay",
        },
        "registered_name": None,
    }


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "`decay_steps`"),
        (lambda: schedules.PolynomialDecay(0.1, -1), "`decay_steps`"),
        (lambda: schedules.InverseTimeDecay(0.1, 0, 0.5), "`decay_steps`"),
        (lambda: schedules.CosineDecay(0.1, 0), "`decay_steps`"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), "`first_decay_steps`"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "1 less than"),
        (lambda: schedules.deserialize({"class_name": "Nope", "config": {}}), "Valid schedules"),
    ],
)
def test_errors(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_base_class_requires_call_and_config():
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError, match="get_config"):
        schedules.LearningRateSchedule().get_config()
