"""Normalization layers: harness, hand values, moving statistics, bad input, Keras conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from jnn._core.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from tests.harness import assert_matches_keras, flat_values, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, shape, dim",
    [({}, (4, 3), 3), ({"axis": 1}, (2, 3, 4, 2), 3), ({"center": False}, (3, 2, 5), 5)],
)
def test_batch_norm_harness(kwargs, shape, dim):
    names = (["gamma"] if kwargs.get("scale", True) else []) + (
        ["beta"] if kwargs.get("center", True) else []
    )
    result = run_layer_test(
        BatchNormalization,
        kwargs,
        shape,
        expected_output_shape=shape,
        expected_param_names=names,
        expected_state_names=["moving_mean", "moving_variance"],
        expected_num_params=dim * (2 + len(names)),
    )
    # Training updates the state, inference returns it unchanged.
    _assert_tree_equal(result.states[False], result.variables["state"])
    assert not np.allclose(result.states[True]["moving_mean"], 0.0)


@pytest.mark.parametrize(
    "cls, kwargs, shape, names, num",
    [
        (LayerNormalization, {}, (2, 3, 4), ["gamma", "beta"], 8),
        (LayerNormalization, {"axis": [1, 2]}, (2, 3, 4), ["gamma", "beta"], 24),
        (LayerNormalization, {"rms_scaling": True}, (2, 4), ["gamma"], 4),
        (LayerNormalization, {"scale": False}, (2, 4), ["beta"], 4),
        (GroupNormalization, {"groups": 2}, (2, 3, 4), ["gamma", "beta"], 8),
        (GroupNormalization, {"groups": -1, "axis": 1}, (2, 4, 3), ["gamma", "beta"], 8),
        (GroupNormalization, {"groups": 1, "center": False}, (2, 2, 2, 4), ["gamma"], 4),
        (RMSNormalization, {}, (2, 3, 4), ["scale"], 4),
        (UnitNormalization, {}, (2, 4), [], 0),
        (UnitNormalization, {"axis": [1, 2]}, (2, 3, 4), [], 0),
    ],
)
def test_normalization_harness(cls, kwargs, shape, names, num):
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=shape,
        expected_param_names=names,
        expected_state_names=[],
        expected_num_params=num,
    )


def _assert_tree_equal(a, b):
    for x, y in zip(flat_values(a), flat_values(b)):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


# --- hand values ----------------------------------------------------------------------------
def test_batch_norm_training_by_hand():
    bn = BatchNormalization(momentum=0.5, epsilon=0.0)
    x = jnp.array([[0.0, 2.0], [2.0, 6.0]])
    v = bn.init(jax.random.key(0), x)
    y, state = bn.apply(v, x, training=True)
    # Batch mean (1, 4), biased variance (1, 4): outputs are +-1.
    np.testing.assert_allclose(y, [[-1.0, -1.0], [1.0, 1.0]], atol=1e-6)
    np.testing.assert_allclose(state["moving_mean"], [0.5, 2.0])
    np.testing.assert_allclose(state["moving_variance"], [1.0, 2.5])
    # Inference uses the moving statistics: (x - 0.5) / 1 and (x - 2) / sqrt(2.5).
    v2 = {"params": v["params"], "state": state}
    y, same = bn.apply(v2, x, training=False)
    np.testing.assert_allclose(y[:, 0], [-0.5, 1.5], rtol=1e-6)
    np.testing.assert_allclose(y[:, 1], [0.0, 4 / np.sqrt(2.5)], rtol=1e-6)
    _assert_tree_equal(same, state)


def test_batch_norm_gamma_beta_and_frozen():
    bn = BatchNormalization(epsilon=0.0, gamma_initializer="ones", beta_initializer="ones")
    x = jnp.array([[0.0], [2.0]])
    v = bn.init(jax.random.key(0), x)
    v["params"] = {"gamma": jnp.array([3.0]), "beta": jnp.array([1.0])}
    y, _ = bn.apply(v, x, training=True)
    np.testing.assert_allclose(y, [[-2.0], [4.0]], atol=1e-6)
    # A frozen layer runs in inference mode even with training=True (Keras 3).
    bn.trainable = False
    y, state = bn.apply(v, x, training=True)
    np.testing.assert_allclose(y, [[1.0], [7.0]], atol=1e-6)
    _assert_tree_equal(state, v["state"])


def test_batch_norm_mask_weighs_statistics():
    bn = BatchNormalization(momentum=0.0, epsilon=0.0)
    x = jnp.array([[[1.0], [3.0], [100.0]]])
    v = bn.init(jax.random.key(0), x)
    _, state = bn.apply(v, x, training=True, mask=jnp.array([[True, True, False]]))
    np.testing.assert_allclose(state["moving_mean"], [2.0], rtol=1e-6)
    np.testing.assert_allclose(state["moving_variance"], [1.0], rtol=1e-6)


def test_batch_norm_bfloat16_policy_keeps_float32_state():
    bn = BatchNormalization(dtype="mixed_bfloat16")
    x = make_inputs((4, 3))
    v = bn.init(jax.random.key(0), x)
    y, state = bn.apply(v, x, training=True)
    assert y.dtype == jnp.bfloat16
    assert state["moving_mean"].dtype == jnp.float32


def test_layer_norm_by_hand():
    ln = LayerNormalization(epsilon=0.0)
    x = jnp.array([[1.0, 3.0], [0.0, 4.0]])
    v = ln.init(jax.random.key(0), x)
    y, _ = ln.apply(v, x)
    np.testing.assert_allclose(y, [[-1.0, 1.0], [-1.0, 1.0]], atol=1e-6)
    rms = LayerNormalization(epsilon=0.0, rms_scaling=True)
    y, _ = rms.apply(rms.init(jax.random.key(0), x), x)
    np.testing.assert_allclose(y[0], [1.0, 3.0], rtol=1e-6)


def test_group_norm_groups_by_hand():
    gn = GroupNormalization(groups=2, epsilon=0.0)
    x = jnp.array([[0.0, 2.0, 10.0, 30.0]])
    y, _ = gn.apply(gn.init(jax.random.key(0), x), x)
    np.testing.assert_allclose(y, [[-1.0, 1.0, -1.0, 1.0]], atol=1e-6)


def test_rms_and_unit_norm_by_hand():
    x = jnp.array([[3.0, 4.0]])
    rms = RMSNormalization(epsilon=0.0)
    y, _ = rms.apply(rms.init(jax.random.key(0), x), x)
    np.testing.assert_allclose(y, x / np.sqrt(12.5), rtol=1e-6)
    y, _ = UnitNormalization().apply(EMPTY, jnp.zeros((1, 2)))
    np.testing.assert_array_equal(y, 0.0)


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: BatchNormalization(axis=[1, 2]), "`axis` must be an int"),
        (lambda: BatchNormalization(momentum=2.0), "`momentum`"),
        (lambda: BatchNormalization(center="yes"), "`center` must be a bool"),
        (lambda: BatchNormalization(synchronized=True), "synchronized"),
        (lambda: BatchNormalization(renorm=True), "renorm"),
        (lambda: LayerNormalization(axis="x"), "`axis` must be an int or a list"),
        (lambda: GroupNormalization(groups=0), "`groups`"),
        (lambda: UnitNormalization(axis=1.5), "`axis`"),
    ],
)
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_shapes_are_clear():
    bn = BatchNormalization(axis=3, name="bn")
    with pytest.raises(ValueError, match='Layer "bn": axis 3 is out of bounds'):
        bn.init(jax.random.key(0), jnp.zeros((2, 3)))
    bn = BatchNormalization(name="bn")
    v = bn.init(jax.random.key(0), jnp.zeros((2, 3)))
    with pytest.raises(ValueError, match="expected axis 1 of input shape to have value 3"):
        bn.apply(v, jnp.zeros((2, 4)))
    gn = GroupNormalization(groups=4, name="gn")
    with pytest.raises(ValueError, match="multiple of the number of groups"):
        gn.init(jax.random.key(0), jnp.zeros((2, 6)))
    with pytest.raises(ValueError, match="cannot be more than"):
        gn.init(jax.random.key(0), jnp.zeros((2, 2)))


def test_regularizers_and_constraints_keys():
    bn = BatchNormalization(gamma_regularizer="l2", beta_constraint="non_neg", center=True)
    assert set(bn.weight_regularizers()) == {"gamma"}
    assert set(bn.weight_constraints()) == {"beta"}
    ln = LayerNormalization(rms_scaling=True, beta_regularizer="l2")
    assert ln.weight_regularizers() == {}


# --- conformance with Keras 3 ---------------------------------------------------------------
def _randomize(variables, seed=1):
    rng = np.random.default_rng(seed)

    def one(name, a):
        values = rng.uniform(0.5, 1.5, a.shape) if "variance" in name else rng.normal(size=a.shape)
        return jnp.asarray(values.astype(np.float32))

    return {kind: {k: one(k, a) for k, a in tree.items()} for kind, tree in variables.items()}


@pytest.mark.conformance
@pytest.mark.parametrize(
    "kwargs, shape", [({}, (4, 3)), ({"axis": 1, "momentum": 0.9}, (2, 3, 2, 2))]
)
def test_batch_norm_matches_keras(kwargs, shape):
    keras = pytest.importorskip("keras")
    layer = BatchNormalization(**kwargs)
    x = make_inputs(shape)
    variables = _randomize(layer.init(jax.random.key(0), x))
    kl = keras.layers.BatchNormalization(**kwargs)
    assert_matches_keras(layer, kl, x, variables=variables, rtol=1e-5, atol=1e-5)
    # Training mode: same outputs and same updated moving statistics.
    with jax.numpy_rank_promotion("allow"):
        expected = kl(np.asarray(x), training=True)
    got, state = layer.apply(variables, x, training=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state["moving_mean"], kl.moving_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(state["moving_variance"], kl.moving_variance.numpy(), rtol=1e-5)
    assert kl.count_params() == sum(a.size for a in jax.tree.leaves(variables))


@pytest.mark.conformance
@pytest.mark.parametrize(
    "name, kwargs, shape",
    [
        ("LayerNormalization", {}, (2, 3, 4)),
        ("LayerNormalization", {"axis": [1, 2], "epsilon": 1e-5}, (2, 3, 4)),
        ("GroupNormalization", {"groups": 2}, (2, 3, 4)),
        ("GroupNormalization", {"groups": -1, "axis": 1}, (2, 4, 3, 2)),
        ("RMSNormalization", {}, (2, 3, 4)),
        ("UnitNormalization", {"axis": [1, 2]}, (2, 3, 4)),
    ],
)
def test_normalization_matches_keras(name, kwargs, shape):
    keras = pytest.importorskip("keras")
    ours = globals()[name](**kwargs)
    x = make_inputs(shape)
    variables = _randomize(ours.init(jax.random.key(0), x))
    kl = getattr(keras.layers, name)(**kwargs)
    assert_matches_keras(ours, kl, x, variables=variables, rtol=1e-5, atol=1e-5)
    assert kl.count_params() == sum(a.size for a in jax.tree.leaves(variables))


def test_batch_norm_in_a_model_updates_and_freezes():
    jnn = pytest.importorskip("jnn")
    x = (np.random.default_rng(0).normal(size=(32, 3)) * 2 + 5).astype(np.float32)
    bn = BatchNormalization(momentum=0.5)
    model = jnn.Sequential([jnn.layers.Input((3,)), bn, jnn.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], epochs=1, batch_size=32, verbose=0)
    gamma, beta, mean, var = bn.get_weights()
    np.testing.assert_allclose(mean, 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, 0.5 + 0.5 * x.var(0), rtol=1e-4)
    assert [w.trainable for w in bn.weights] == [True, True, False, False]
    bn.trainable = False
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], epochs=1, batch_size=32, verbose=0)
    for before, after in zip((gamma, beta, mean, var), bn.get_weights()):
        np.testing.assert_array_equal(before, after)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "cls",
    [
        BatchNormalization,
        LayerNormalization,
        GroupNormalization,
        RMSNormalization,
        UnitNormalization,
    ],
)
def test_config_keys_match_keras(cls):
    keras = pytest.importorskip("keras")
    kwargs = {"groups": 2} if cls is GroupNormalization else {}
    ours, theirs = cls(**kwargs).get_config(), getattr(keras.layers, cls.__name__)(**kwargs)
    assert set(ours) == set(theirs.get_config())


# --- properties -----------------------------------------------------------------------------
_LN = LayerNormalization(epsilon=1e-6)
_LN_VARS = _LN.init(jax.random.key(0), jnp.zeros((1, 4)))
_apply_ln = jax.jit(lambda x: _LN.apply(_LN_VARS, x)[0])


@settings(max_examples=20, deadline=None)
@given(
    x=hnp.arrays(np.float32, (3, 4), elements=st.floats(-10, 10, width=32)),
    scale=st.floats(0.5, 20.0),
    shift=st.floats(-50.0, 50.0),
)
def test_layer_norm_is_invariant_to_affine_maps_of_each_row(x, scale, shift):
    assume(np.all(np.std(x, axis=1) > 0.5))
    a = _apply_ln(jnp.asarray(x))
    b = _apply_ln(jnp.asarray(x * np.float32(scale) + np.float32(shift)))
    np.testing.assert_allclose(a, b, atol=2e-3)
    np.testing.assert_allclose(np.mean(np.asarray(a), axis=1), 0.0, atol=1e-4)


def test_group_norm_with_one_group_is_layer_norm_over_all_axes():
    x = make_inputs((2, 3, 4))
    gn, ln = (
        GroupNormalization(groups=1),
        LayerNormalization(axis=[1, 2], scale=False, center=False),
    )
    y_gn, _ = gn.apply(gn.init(jax.random.key(0), x), x)
    y_ln, _ = ln.apply(ln.init(jax.random.key(0), x), x)
    np.testing.assert_allclose(y_gn, y_ln, rtol=1e-5, atol=1e-5)


def test_batch_norm_statistics_skip_positions_masked_by_embedding():
    jnn = pytest.importorskip("jnn")
    from jnn._core.layers.embedding import Embedding

    tokens = np.array([[1, 2, 0], [2, 0, 0]])
    bn = BatchNormalization(momentum=0.0)
    model = jnn.Sequential(
        [jnn.layers.Input((3,), dtype="int32"), Embedding(3, 2, mask_zero=True), bn]
    )
    model.compile("sgd", "mse")
    emb = model.layers[0].get_weights()[0]
    model.fit(tokens, np.zeros((2, 3, 2), np.float32), epochs=1, batch_size=2, verbose=0)
    rows = emb[[1, 2, 2]]  # the three unmasked positions
    np.testing.assert_allclose(bn.get_weights()[2], rows.mean(0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bn.get_weights()[3], rows.var(0), rtol=1e-3, atol=1e-6)
