"""Tests for jnn.optimizers: Keras 3 trajectories, convergence, live learning rate, configs."""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jnn import optimizers
from jnn.optimizers import schedules

# --- Keras trajectories ---------------------------------------------------------------------------
_RNG = np.random.default_rng(0)
_SHAPES = [(3, 2), (4,)]
_INIT = [_RNG.normal(size=s).astype("float32") for s in _SHAPES]
_GRADS = [[2 * _RNG.normal(size=s).astype("float32") for s in _SHAPES] for _ in range(10)]

# Each common option rides along with a different optimizer, so every one is covered once.
CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9, "clipnorm": 1.0}),
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "clipvalue": 0.5}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "rho": 0.8}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "global_clipnorm": 1.0}),
    ("Adam", {"use_ema": True, "ema_momentum": 0.9}),
    ("Adam", {"gradient_accumulation_steps": 2, "use_ema": True, "ema_momentum": 0.8}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {"loss_scale_factor": 4.0}),
    ("Nadam", {}),
    ("Lion", {}),
    ("Ftrl", {"learning_rate": 0.1}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.01,
            "l2_shrinkage_regularization_strength": 0.01,
            "beta": 0.1,
            "weight_decay": 0.1,
        },
    ),
]

SCHEDULE_CASES = [
    ("SGD", {"momentum": 0.9}, "ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5}),
    ("RMSprop", {"momentum": 0.5}, "PiecewiseConstantDecay", {"boundaries": [2, 5], "values": [0.1, 0.01, 0.001]}),
    ("SGD", {"gradient_accumulation_steps": 3, "momentum": 0.9, "clipnorm": 0.5, "weight_decay": 0.1}, "ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
    ("Adam", {"weight_decay": 0.1}, "CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 8, "warmup_target": 0.2, "warmup_steps": 3}),
]  # fmt: skip


def _assert_close(actual, expected):
    # 1e-6 relative; the absolute floor covers float32 rounding of entries that cross zero.
    chex.assert_trees_all_close(actual, expected, rtol=1e-6, atol=1e-6)


def _stack(grads):
    return [jnp.stack([jnp.asarray(step[i]) for step in grads]) for i in range(len(_INIT))]


def _keras_trajectory(keras, opt, grads=_GRADS):
    """Keras's own stateless apply, scanned over the gradient sequence (one compilation)."""
    variables = [keras.Variable(v) for v in _INIT]
    opt.build(variables)

    def body(carry, g):
        values, opt_values = opt.stateless_apply(carry[1], list(g), carry[0])
        return (values, opt_values), values

    run = jax.jit(lambda v, o, gs: jax.lax.scan(body, (v, o), gs))
    start = ([v.value for v in variables], [v.value for v in opt.variables])
    (_, opt_values), traj = run(*start, _stack(grads))
    for variable, value in zip(opt.variables, opt_values):
        variable.assign(value)
    return [[np.asarray(t[i]) for t in traj] for i in range(len(grads))]


def _jnn_trajectory(opt, grads=_GRADS):
    params = [jnp.asarray(v) for v in _INIT]
    state = opt.tx.init(params)
    # Eager is cheapest here, except around lax.cond (accumulation, loss scaling): jit once.
    conditional = opt.gradient_accumulation_steps or hasattr(opt, "inner_optimizer")
    update = jax.jit(opt.tx.update) if conditional else opt.tx.update
    out = []
    for g in grads:
        updates, state = update([jnp.asarray(x) for x in g], state, params)
        params = optax.apply_updates(params, updates)
        out.append([np.asarray(p) for p in params])
    return out, state


def _compare(keras_traj, jnn_traj):
    for step, (k_vars, j_vars) in enumerate(zip(keras_traj, jnn_traj)):
        for k, j in zip(k_vars, j_vars):
            try:
                _assert_close(j, k)
            except AssertionError as exc:
                raise AssertionError(f"trajectories differ at step {step + 1}") from exc


@pytest.mark.conformance
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=lambda x: str(x))
def test_matches_keras_trajectory(name, kwargs):
    keras = pytest.importorskip("keras")
    keras_opt = getattr(keras.optimizers, name)(**kwargs)
    opt = getattr(optimizers, name)(**kwargs)
    traj, state = _jnn_trajectory(opt)
    _compare(_keras_trajectory(keras, keras_opt), traj)
    assert int(opt.get_iterations(state)) == int(np.asarray(keras_opt.iterations))
    if kwargs.get("use_ema") and not kwargs.get("ema_overwrite_frequency"):
        keras_ema = [np.asarray(v.numpy()) for v in keras_opt._model_variables_moving_average]
        for k, j in zip(keras_ema, opt.ema_params(state)):
            _assert_close(j, k)


@pytest.mark.conformance
@pytest.mark.parametrize(("name", "kwargs", "sched", "sched_kwargs"), SCHEDULE_CASES)
def test_matches_keras_trajectory_with_schedule(name, kwargs, sched, sched_kwargs):
    keras = pytest.importorskip("keras")
    keras_sched = getattr(keras.optimizers.schedules, sched)(**sched_kwargs)
    keras_opt = getattr(keras.optimizers, name)(learning_rate=keras_sched, **kwargs)
    opt = getattr(optimizers, name)(
        learning_rate=getattr(schedules, sched)(**sched_kwargs), **kwargs
    )
    traj, state = _jnn_trajectory(opt)
    _compare(_keras_trajectory(keras, keras_opt), traj)
    np.testing.assert_allclose(
        opt.get_learning_rate(state), np.asarray(keras_opt.learning_rate), rtol=1e-6
    )


@pytest.mark.conformance
def test_loss_scale_optimizer_matches_keras():
    keras = pytest.importorskip("keras")
    grads = [[g.copy() for g in step] for step in _GRADS]
    grads[4][0][0, 0] = np.inf
    grads[7][1][2] = np.nan
    keras_opt = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.Adam(), initial_scale=4.0, dynamic_growth_steps=3
    )
    keras_traj = _keras_trajectory(keras, keras_opt, grads)
    opt = optimizers.LossScaleOptimizer(
        optimizers.Adam(), initial_scale=4.0, dynamic_growth_steps=3
    )
    traj, state = _jnn_trajectory(opt, grads)
    _compare(keras_traj, traj)
    assert float(opt.get_scale(state)) == float(np.asarray(keras_opt.dynamic_scale))
    assert int(opt.get_iterations(state)) == 8  # two non-finite steps were skipped


# --- convergence, jitted once -------------------------------------------------------------------
def _quadratic(x):
    return jnp.sum(jnp.array([1.0, 10.0]) * jnp.square(x))


def _rosenbrock(x):
    return jnp.square(1 - x[0]) + 100 * jnp.square(x[1] - jnp.square(x[0]))


_DECAY = schedules.ExponentialDecay

CONVERGENCE = {
    # name: (constructor kwargs for the quadratic, for Rosenbrock, Rosenbrock tolerance)
    "SGD": ({"learning_rate": 0.04}, {"learning_rate": 5e-4, "momentum": 0.9}, 1e-3),
    "RMSprop": ({"learning_rate": 0.003}, {"learning_rate": _DECAY(0.01, 1000, 0.3)}, 1e-2),
    "Adagrad": ({"learning_rate": 0.5}, {"learning_rate": 0.3}, 1e-2),
    "Adadelta": ({"learning_rate": _DECAY(100.0, 200, 0.5)}, {"learning_rate": _DECAY(100.0, 2000, 0.5)}, 0.1),
    "Adam": ({"learning_rate": 0.05}, {"learning_rate": 0.05}, 1e-3),
    "AdamW": ({"learning_rate": 0.05, "weight_decay": 0.01}, {"learning_rate": 0.05, "weight_decay": 1e-4}, 1e-2),
    "Adamax": ({"learning_rate": 0.05}, {"learning_rate": 0.05}, 1e-3),
    "Nadam": ({"learning_rate": 0.05}, {"learning_rate": 0.01}, 1e-2),
    "Lion": ({"learning_rate": _DECAY(0.02, 200, 0.3)}, {"learning_rate": _DECAY(0.01, 1000, 0.3)}, 1e-3),
    "Ftrl": ({"learning_rate": 0.5}, {"learning_rate": 0.3}, 1e-2),
}  # fmt: skip


def _minimize(opt, loss, x0, steps, chunk=500):
    traces = []

    @jax.jit
    def run(x, state):
        traces.append(1)  # runs only while tracing

        def body(_, carry):
            x, state = carry
            updates, state = opt.tx.update(jax.grad(loss)(x), state, x)
            return optax.apply_updates(x, updates), state

        return jax.lax.fori_loop(0, chunk, body, (x, state))

    x = jnp.asarray(x0)
    state = opt.tx.init(x)
    for _ in range(steps // chunk):
        x, state = run(x, state)
    assert len(traces) == 1, "the update was retraced"
    assert int(opt.get_iterations(state)) == steps
    return np.asarray(x)


@pytest.mark.parametrize("name", sorted(CONVERGENCE))
def test_converges_on_quadratic(name):
    kwargs = CONVERGENCE[name][0]
    x = _minimize(getattr(optimizers, name)(**kwargs), _quadratic, [1.0, -1.5], 1000)
    np.testing.assert_allclose(x, [0.0, 0.0], atol=5e-3)


@pytest.mark.parametrize("name", sorted(CONVERGENCE))
def test_converges_on_rosenbrock(name):
    _, kwargs, tol = CONVERGENCE[name]
    x = _minimize(getattr(optimizers, name)(**kwargs), _rosenbrock, [-1.0, 1.5], 10000, 1000)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=tol)


# --- the learning rate lives in the state ---------------------------------------------------------
def test_set_learning_rate_between_jitted_steps_without_recompiling():
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.5)
    traces = []

    @jax.jit
    def step(params, state):
        traces.append(1)
        updates, state = opt.tx.update(jnp.ones_like(params), state, params)
        return optax.apply_updates(params, updates), state

    params = jnp.zeros(2)
    state = opt.tx.init(params)
    params, state = step(params, state)
    np.testing.assert_allclose(params, [-0.1, -0.1], rtol=1e-6)
    state = opt.set_learning_rate(state, 1.0)
    assert float(opt.get_learning_rate(state)) == 1.0
    params, state = step(params, state)
    # m = 0.5 * (-0.1) - 1.0 * 1 = -1.05
    np.testing.assert_allclose(params, [-1.15, -1.15], rtol=1e-6)
    state = opt.set_learning_rate(state, jnp.float32(0.0))
    params, state = step(params, state)
    np.testing.assert_allclose(params, [-1.675, -1.675], rtol=1e-6)
    assert len(traces) == 1
    assert opt.learning_rate == 0.1  # the configuration is unchanged


def test_schedule_learning_rate_is_current_and_not_settable():
    opt = optimizers.Adam(learning_rate=schedules.ExponentialDecay(1.0, 1, 0.5))
    state = opt.tx.init(jnp.zeros(2))
    assert float(opt.get_learning_rate(state)) == 1.0
    for _ in range(3):
        _, state = opt.tx.update(jnp.ones(2), state, jnp.zeros(2))
    assert float(opt.get_learning_rate(state)) == 0.125
    with pytest.raises(TypeError, match="not settable"):
        opt.set_learning_rate(state, 0.1)


def test_legacy_decay_is_keras2_inverse_time_decay():
    opt = optimizers.SGD(learning_rate=0.5, decay=1.0)
    params = jnp.zeros(())
    state = opt.tx.init(params)
    for _ in range(3):
        updates, state = opt.tx.update(jnp.ones(()), state, params)
        params = optax.apply_updates(params, updates)
    # lr / (1 + decay * iterations) for iterations 0, 1, 2.
    np.testing.assert_allclose(params, -(0.5 + 0.25 + 0.5 / 3), rtol=1e-6)
    np.testing.assert_allclose(opt.get_learning_rate(state), 0.125, rtol=1e-6)


def test_state_found_inside_wrapping_transforms():
    opt = optimizers.Adam(0.01)
    tx = optax.masked(opt.tx, {"a": True, "b": False})
    state = tx.init({"a": jnp.zeros(2), "b": jnp.zeros(1)})
    state = opt.set_learning_rate(state, 0.5)
    assert float(opt.get_learning_rate(state)) == 0.5
    with pytest.raises(ValueError, match="no jnn optimizer state"):
        opt.get_learning_rate(optax.sgd(0.1).init(jnp.zeros(1)))


def test_gradient_accumulation_updates_every_k_steps():
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    params = jnp.zeros(())
    state = opt.tx.init(params)
    seen = []
    for g in (1.0, 3.0, 5.0, 7.0):
        updates, state = opt.tx.update(jnp.float32(g), state, params)
        params = optax.apply_updates(params, updates)
        seen.append(float(params))
    assert seen == [0.0, -2.0, -2.0, -8.0]
    assert int(opt.get_iterations(state)) == 2


def test_ema_params_and_errors():
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    params = jnp.zeros(())
    state = opt.tx.init(params)
    for _ in range(2):
        updates, state = opt.tx.update(jnp.ones(()), state, params)
        params = optax.apply_updates(params, updates)
    # first step copies the new params (-1), then 0.5 * -1 + 0.5 * -2
    assert float(opt.ema_params(state)) == -1.5
    assert float(opt.finalize_params(params, state)) == -1.5
    assert float(optimizers.SGD().finalize_params(params, state)) == -2.0
    with pytest.raises(ValueError, match="use_ema"):
        optimizers.SGD().ema_params(state)
    with pytest.raises(ValueError, match="params"):
        opt.tx.update(jnp.ones(()), state)


def test_loss_scale_optimizer_dynamics():
    opt = optimizers.LossScaleOptimizer(
        optimizers.SGD(1.0), initial_scale=8.0, dynamic_growth_steps=2
    )
    params = jnp.zeros(())
    state = opt.tx.init(params)
    assert float(opt.scale_loss(jnp.float32(2.0), state)) == 16.0
    updates, state = opt.tx.update(jnp.float32(jnp.inf), state, params)
    assert float(updates) == 0.0 and float(opt.get_scale(state)) == 4.0
    for expected_scale in (4.0, 8.0):
        updates, state = opt.tx.update(jnp.float32(4.0), state, params)
        assert float(opt.get_scale(state)) == expected_scale
    assert float(updates) == -1.0  # 8 / 8 ... the update used the scale before growing
    assert int(opt.get_iterations(state)) == 2
    restored = optimizers.deserialize(optimizers.serialize(opt))
    assert restored.get_config() == opt.get_config()


def test_loss_scale_optimizer_wraps_raw_optax():
    inner = optimizers.get(optax.inject_hyperparams(optax.sgd)(learning_rate=0.5))
    opt = optimizers.LossScaleOptimizer(inner, initial_scale=4.0)
    params = jnp.zeros(())
    state = opt.tx.init(params)
    updates, state = opt.tx.update(jnp.float32(4.0), state, params)
    assert float(updates) == -0.5
    assert float(opt.get_learning_rate(state)) == 0.5


# --- raw optax transformations --------------------------------------------------------------------
def test_get_wraps_raw_optax():
    opt = optimizers.get(optax.inject_hyperparams(optax.sgd)(learning_rate=0.1))
    assert isinstance(opt, optimizers.OptaxOptimizer)
    assert opt.learning_rate == pytest.approx(0.1)
    params = jnp.zeros(())
    state = opt.tx.init(params)
    state = opt.set_learning_rate(state, 2.0)
    updates, state = opt.tx.update(jnp.ones(()), state, params)
    assert float(updates) == -2.0
    assert float(opt.get_learning_rate(state)) == 2.0
    assert int(opt.get_iterations(state)) == 1

    opt.learning_rate = 0.5  # an inject_hyperparams rate is settable, like Keras's
    assert opt.learning_rate == 0.5
    assert float(opt.get_learning_rate(opt.tx.init(params))) == 0.5  # a new state starts there
    with pytest.raises(TypeError, match="must be a number"):
        opt.learning_rate = "fast"
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        optimizers.deserialize(optimizers.serialize(opt))

    plain = optimizers.get(optax.adam(1e-3))
    state = plain.tx.init(params)
    with pytest.raises(ValueError, match="inject_hyperparams"):
        plain.get_learning_rate(state)
    with pytest.raises(TypeError, match="fixed at construction.*inject_hyperparams"):
        plain.learning_rate = 0.5
    scheduled = optimizers.get(optax.inject_hyperparams(optax.sgd)(
        learning_rate=optax.linear_schedule(1.0, 0.1, 10)))
    with pytest.raises(TypeError, match="schedule"):
        scheduled.learning_rate = 0.5
    assert int(plain.get_iterations(plain.tx.update(jnp.ones(()), state)[1])) == 1


# --- configuration --------------------------------------------------------------------------------
def test_rmsprop_config_as_in_the_tutorial():
    config = optimizers.RMSprop().get_config()
    expected = {
        "name": "RMSprop",
        "learning_rate": 0.001,
        "decay": 0.0,
        "rho": 0.9,
        "momentum": 0.0,
        "epsilon": 1e-07,
        "centered": False,
    }
    assert list(config)[:7] == list(expected)
    assert {k: config[k] for k in expected} == expected
    assert type(config["learning_rate"]) is float
    assert optimizers.RMSprop(learning_rate=1.0).get_config()["learning_rate"] == 1.0


DEFAULTS = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "Adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False},
    "Adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "AdamW": {"learning_rate": 0.001, "weight_decay": 0.004, "amsgrad": False},
    "Lion": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99},
    "Ftrl": {"learning_rate": 0.001, "learning_rate_power": -0.5, "beta": 0.0},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults_and_config_round_trip(name):
    opt = getattr(optimizers, name)()
    config = opt.get_config()
    assert {k: config[k] for k in DEFAULTS[name]} == DEFAULTS[name]
    assert list(config)[:3] == ["name", "learning_rate", "decay"]
    assert list(config)[-9:] == [
        "weight_decay",
        "clipnorm",
        "global_clipnorm",
        "clipvalue",
        "use_ema",
        "ema_momentum",
        "ema_overwrite_frequency",
        "loss_scale_factor",
        "gradient_accumulation_steps",
    ]
    assert type(opt).from_config(config).get_config() == config
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config() == config


@pytest.mark.conformance
@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_keras_config_loads_and_has_same_args(name):
    keras = pytest.importorskip("keras")
    keras_config = getattr(keras.optimizers, name)().get_config()
    opt = getattr(optimizers, name).from_config(keras_config)
    ours = opt.get_config()
    for key, value in keras_config.items():
        if key != "name":
            assert ours[key] == pytest.approx(value), key


def test_schedule_config_round_trip():
    sched = schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])
    opt = optimizers.SGD(learning_rate=sched, momentum=0.9)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "PiecewiseConstantDecay"
    restored = optimizers.SGD.from_config(config)
    assert restored.learning_rate == sched
    assert optimizers.get({"class_name": "SGD", "config": config}).learning_rate == sched


def test_pickle_and_deepcopy_rebuild_the_transformation():
    import copy
    import pickle

    opt = optimizers.Adam(0.1, use_ema=True)
    state = opt.tx.init(jnp.zeros(2))
    for clone in (pickle.loads(pickle.dumps(opt)), copy.deepcopy(opt)):
        assert clone.get_config() == opt.get_config()
        updates, _ = clone.tx.update(jnp.ones(2), state, jnp.zeros(2))
        np.testing.assert_allclose(updates, opt.tx.update(jnp.ones(2), state, jnp.zeros(2))[0])


def test_keras2_config_with_legacy_keys():
    config = {"name": "Adam", "lr": 0.01, "decay": 0.0, "is_legacy_optimizer": False}
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = optimizers.Adam.from_config(config)
    assert opt.learning_rate == 0.01


# --- get() and errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("sgd", "SGD"),
        ("rmsprop", "RMSprop"),
        ("RMSprop", "RMSprop"),
        ("adam", "Adam"),
        ("Adam", "Adam"),
        ("adamw", "AdamW"),
        ("adagrad", "Adagrad"),
        ("adadelta", "Adadelta"),
        ("adamax", "Adamax"),
        ("nadam", "Nadam"),
        ("lion", "Lion"),
        ("ftrl", "Ftrl"),
        ("SGD", "SGD"),
    ],
)
def test_get_strings(identifier, cls):
    assert type(optimizers.get(identifier)).__name__ == cls


def test_public_namespace():
    import jnn

    assert jnn.optimizers.Adam is optimizers.Adam
    assert jnn.optimizers.schedules.CosineDecay is schedules.CosineDecay


def test_get_instances_dicts_and_unknown():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    from_dict = optimizers.get({"class_name": "Adam", "config": {"learning_rate": 0.1}})
    assert from_dict.learning_rate == 0.1
    with pytest.raises(ValueError, match=r"Could not interpret optimizer identifier: 'adamm'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match=r"Valid identifiers: \['adadelta'"):
        optimizers.get(3)


def test_legacy_lr_warns():
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        opt = optimizers.SGD(lr=0.0001)
    assert opt.learning_rate == 0.0001
    assert opt.get_config()["learning_rate"] == 0.0001


@pytest.mark.parametrize(
    ("factory", "error", "match"),
    [
        (lambda: optimizers.SGD(foo=1), TypeError, r"SGD: unrecognized keyword.*'foo'"),
        (lambda: optimizers.Adam(learning_rate=-0.1), ValueError, "`learning_rate`"),
        (lambda: optimizers.Adam(learning_rate="fast"), ValueError, "`learning_rate`"),
        (lambda: optimizers.RMSprop(rho=1.5), ValueError, "RMSprop: argument `rho`"),
        (lambda: optimizers.SGD(momentum=-0.1), ValueError, "`momentum`"),
        (lambda: optimizers.Adam(beta_1=1.0), ValueError, "`beta_1`"),
        (lambda: optimizers.Adam(epsilon=-1.0), ValueError, "`epsilon`"),
        (lambda: optimizers.Lion(beta_1=0.0), ValueError, "`beta_1`"),
        (lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0), ValueError, "only one of"),
        (lambda: optimizers.Adam(weight_decay=-1.0), ValueError, "`weight_decay`"),
        (lambda: optimizers.Adam(gradient_accumulation_steps=1), ValueError, "accumulation"),
        (lambda: optimizers.Adam(ema_momentum=2.0), ValueError, "`ema_momentum`"),
        (lambda: optimizers.Adam(decay=-1.0), ValueError, "`decay`"),
        (lambda: optimizers.AdamW(weight_decay=None), ValueError, "weight_decay"),
        (lambda: optimizers.Ftrl(learning_rate_power=0.5), ValueError, "learning_rate_power"),
        (lambda: optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0), ValueError, "clipnorm"),
        (lambda: optimizers.LossScaleOptimizer("sgd"), ValueError, "inner_optimizer"),
    ],
)  # fmt: skip
def test_argument_errors(factory, error, match):
    with pytest.raises(error, match=match):
        factory()


def test_weight_decay_exclusion_by_param_path():
    opt = optimizers.SGD(learning_rate=1.0, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    params = {"dense": {"kernel": jnp.ones(()), "bias": jnp.ones(())}}
    state = opt.tx.init(params)
    zero = jax.tree.map(jnp.zeros_like, params)
    updates, _ = opt.tx.update(zero, state, params)
    assert float(updates["dense"]["kernel"]) == -0.5
    assert float(updates["dense"]["bias"]) == 0.0
