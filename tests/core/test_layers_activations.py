"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax): harness, hand values, bad input,
Keras conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn.layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from tests.harness import assert_matches_keras, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}
X = jnp.array([[-10.0, -5.0, -0.5, 0.0, 0.5, 5.0, 10.0]])


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (ReLU, {}),
        (ReLU, {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.5}),
        (LeakyReLU, {"negative_slope": 0.2}),
        (ELU, {"alpha": 0.5}),
        (Softmax, {}),
        (Softmax, {"axis": (1, 2)}),
    ],
)
def test_stateless_activation_layers_harness(cls, kwargs):
    shape = (2, 3, 4)
    result = run_layer_test(cls, kwargs, shape, expected_output_shape=shape, expected_num_params=0)
    assert result.outputs[False].shape == shape


@pytest.mark.parametrize(
    "shape, shared_axes, alpha_shape",
    [((2, 3), None, (3,)), ((2, 3, 4), [1], (1, 4)), ((2, 3, 3, 4), [1, 2], (1, 1, 4))],
)
def test_prelu_harness(shape, shared_axes, alpha_shape):
    result = run_layer_test(
        PReLU,
        {"shared_axes": shared_axes, "alpha_initializer": "ones"},
        shape,
        expected_param_names=["alpha"],
        expected_num_params=int(np.prod(alpha_shape)),
    )
    assert result.variables["params"]["alpha"].shape == alpha_shape


# --- hand values ----------------------------------------------------------------------------
def test_relu_values_by_hand():
    y, _ = ReLU().apply(EMPTY, X)
    np.testing.assert_allclose(y, [[0, 0, 0, 0, 0.5, 5, 10]])
    y, _ = ReLU(max_value=5.0).apply(EMPTY, X)
    np.testing.assert_allclose(y, [[0, 0, 0, 0, 0.5, 5, 5]])
    y, _ = ReLU(threshold=5.0).apply(EMPTY, X)
    np.testing.assert_allclose(y, [[0, 0, 0, 0, 0, 0, 10]])
    # Below the threshold: negative_slope * (x - threshold).
    y, _ = ReLU(negative_slope=0.5, threshold=1.0).apply(EMPTY, X)
    np.testing.assert_allclose(y, [[-5.5, -3.0, -0.75, -0.5, -0.25, 5, 10]])


def test_leaky_relu_values_and_legacy_alpha():
    y, _ = LeakyReLU().apply(EMPTY, X)
    np.testing.assert_allclose(y, [[-3.0, -1.5, -0.15, 0, 0.5, 5, 10]], rtol=1e-6)
    layer = LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    y, _ = layer.apply(EMPTY, X)
    np.testing.assert_allclose(y, [[-1.0, -0.5, -0.05, 0, 0.5, 5, 10]], rtol=1e-6)
    assert layer.get_config()["negative_slope"] == 0.1


def test_elu_values_by_hand():
    y, _ = ELU(alpha=2.0).apply(EMPTY, jnp.array([[-1.0, 0.0, 3.0]]))
    np.testing.assert_allclose(y, [[2.0 * (np.exp(-1.0) - 1.0), 0.0, 3.0]], rtol=1e-6)


def test_prelu_values_by_hand():
    layer = PReLU(alpha_initializer="ones")
    x = jnp.array([[-2.0, 3.0], [4.0, -1.0]])
    variables = {"params": {"alpha": jnp.array([0.5, 0.25])}, "state": {}}
    y, _ = layer.apply(variables, x)
    np.testing.assert_allclose(y, [[-1.0, 3.0], [4.0, -0.25]])
    # Default alpha is zeros: PReLU starts as ReLU.
    default = PReLU().init(jax.random.key(0), x)
    np.testing.assert_array_equal(default["params"]["alpha"], [0.0, 0.0])


def test_softmax_values_and_mask():
    x = jnp.array([[0.0, jnp.log(3.0), 5.0]])
    mask = jnp.array([[True, True, False]])
    y, _ = Softmax().apply(EMPTY, x, mask=mask)
    np.testing.assert_allclose(y, [[0.25, 0.75, 0.0]], rtol=1e-6)
    # A float mask (> 0.5 kept) broadcast from one row over the batch.
    x2 = jnp.stack([x[0], x[0]])
    y2, _ = Softmax().apply(EMPTY, x2, mask=jnp.array([1.0, 1.0, 0.0]))
    np.testing.assert_allclose(y2, [[0.25, 0.75, 0.0]] * 2, rtol=1e-6)
    y3, _ = Softmax(axis=(1, 2)).apply(EMPTY, jnp.zeros((1, 2, 2)))
    np.testing.assert_allclose(y3, jnp.full((1, 2, 2), 0.25))


def test_prelu_regularizer_and_constraint():
    layer = PReLU(alpha_regularizer="l1", alpha_constraint="non_neg")
    params = {"alpha": jnp.array([-1.0, 2.0])}
    np.testing.assert_allclose(layer.regularization_penalty(params), 0.01 * 3.0, rtol=1e-6)
    np.testing.assert_array_equal(layer.apply_constraints(params)["alpha"], [0.0, 2.0])
    config = layer.get_config()
    assert PReLU.from_config(config).get_config() == config


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: ReLU(max_value=-1.0), "max_value"),
        (lambda: ReLU(negative_slope=-0.1), "negative_slope"),
        (lambda: ReLU(threshold=None), "threshold"),
        (lambda: LeakyReLU(negative_slope=-1), "negative_slope"),
        (lambda: ELU(alpha="big"), "alpha"),
        (lambda: PReLU(shared_axes=[0]), "shared_axes"),
        (lambda: PReLU(shared_axes="1"), "shared_axes"),
        (lambda: Softmax(axis=1.5), "axis"),
    ],
)
def test_bad_arguments_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


def test_prelu_wrong_input_shape_names_layer():
    layer = PReLU(name="prelu_x")
    variables = layer.init(jax.random.key(0), jnp.zeros((1, 3)))
    with pytest.raises(ValueError, match='layer "prelu_x"'):
        layer.apply(variables, jnp.zeros((2, 4)))


def test_softmax_rejects_unbroadcastable_mask():
    with pytest.raises(ValueError, match="mask"):
        Softmax().apply(EMPTY, jnp.zeros((2, 3)), mask=jnp.ones((2, 2), bool))


# --- conformance with Keras 3 ---------------------------------------------------------------
@pytest.mark.conformance
def test_activation_layers_match_keras():
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 3, 4)) * 3.0
    cases = [
        (ReLU(), keras.layers.ReLU()),
        (
            ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5),
            keras.layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5),
        ),
        (ReLU(max_value=6.0), keras.layers.ReLU(max_value=6.0)),
        (LeakyReLU(), keras.layers.LeakyReLU()),
        (ELU(alpha=0.7), keras.layers.ELU(alpha=0.7)),
        (Softmax(), keras.layers.Softmax()),
        (Softmax(axis=1), keras.layers.Softmax(axis=1)),
        (Softmax(axis=(1, 2)), keras.layers.Softmax(axis=(1, 2))),
    ]
    for ours, theirs in cases:
        assert_matches_keras(ours, theirs, x)
    mask = np.asarray(make_inputs((2, 3, 4), seed=1) > 0)
    assert_matches_keras(Softmax(), keras.layers.Softmax(), x, call_kwargs={"mask": mask})


@pytest.mark.conformance
@pytest.mark.parametrize("shared_axes", [None, [1], [1, 2]])
def test_prelu_matches_keras(shared_axes):
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 3, 4))
    layer = PReLU(shared_axes=shared_axes)
    variables = layer.init(jax.random.key(0), x)
    alpha = jax.random.uniform(jax.random.key(5), variables["params"]["alpha"].shape)
    assert_matches_keras(
        layer,
        keras.layers.PReLU(shared_axes=shared_axes),
        x,
        variables={"params": {"alpha": alpha}, "state": {}},
    )


@pytest.mark.conformance
def test_activation_layer_configs_match_keras_keys():
    keras = pytest.importorskip("keras")
    for ours, theirs in [
        (ReLU(), keras.layers.ReLU()),
        (LeakyReLU(), keras.layers.LeakyReLU()),
        (PReLU(), keras.layers.PReLU()),
        (Softmax(), keras.layers.Softmax()),
        (Softmax(axis=(1, 2)), keras.layers.Softmax(axis=(1, 2))),
    ]:
        ours_cfg, theirs_cfg = ours.get_config(), theirs.get_config()
        assert set(theirs_cfg) <= set(ours_cfg), set(theirs_cfg) - set(ours_cfg)
        for key in set(theirs_cfg) - {"name", "dtype", "trainable"}:
            assert ours_cfg[key] == theirs_cfg[key] or (
                isinstance(theirs_cfg[key], dict)
                and ours_cfg[key]["class_name"] == theirs_cfg[key]["class_name"]
            ), key
