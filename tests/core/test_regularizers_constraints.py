"""Tests for jnn.regularizers and jnn.constraints: hand values, purity, identifiers, Keras 3."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from jax.test_util import check_grads

from jnn import constraints as C
from jnn import regularizers as R

RNG = np.random.default_rng(0)
W = RNG.normal(size=(5, 4)).astype(np.float32)
KERNEL = RNG.normal(size=(3, 3, 2, 4)).astype(np.float32)


# === regularizers ==============================================================================
def test_regularizer_values_by_hand():
    x = jnp.array([-2.0, 2.0, 1.0])
    np.testing.assert_allclose(R.L1(0.5)(x), 2.5)
    np.testing.assert_allclose(R.L2(0.1)(x), 0.9, rtol=1e-6)
    np.testing.assert_allclose(R.L1L2(l1=0.1, l2=0.2)(x), 0.1 * 5 + 0.2 * 9, rtol=1e-6)
    np.testing.assert_allclose(R.l1_l2()(x), 0.01 * 5 + 0.01 * 9, rtol=1e-6)
    assert float(R.L1L2()(x)) == 0.0
    assert R.L1()(x).shape == () and R.L1()(x).dtype == jnp.float32
    assert float(R.Regularizer()(x)) == 0.0


def test_orthogonal_regularizer_by_hand():
    # Rows (1, 0) and (1, 1)/sqrt(2): one pair, |cos| = 1/sqrt(2) counted twice, halved.
    w = jnp.array([[1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(R.OrthogonalRegularizer(1.0)(w), 1 / np.sqrt(2), rtol=1e-6)
    # Columns (1, 1)/sqrt(2) and (0, 1): same cosine.
    cols = R.OrthogonalRegularizer(2.0, mode="columns")(w)
    np.testing.assert_allclose(cols, 2 / np.sqrt(2), rtol=1e-6)
    np.testing.assert_allclose(R.OrthogonalRegularizer(1.0)(jnp.eye(3)), 0.0, atol=1e-7)


def test_regularizer_gradients_and_jit():
    x = jnp.asarray(W)
    np.testing.assert_allclose(jax.grad(R.L2(0.3))(x), 0.6 * W, rtol=1e-6)
    np.testing.assert_allclose(jax.grad(R.L1(0.3))(x), 0.3 * np.sign(W), rtol=1e-6)
    for reg in (R.L2(0.3), R.L1L2(0.1, 0.2), R.OrthogonalRegularizer(0.5, "columns")):
        check_grads(reg, (x,), order=1, modes=["rev"], atol=1e-2, rtol=1e-2)
        np.testing.assert_allclose(jax.jit(reg)(x), reg(x), rtol=1e-6)


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: R.L1(-0.1), "l1"),
        (lambda: R.L2(-1), "l2"),
        (lambda: R.L1L2(l1=0.1, l2=-0.2), "l2"),
        (lambda: R.l1_l2(l1=-0.1), "l1"),
        (lambda: R.OrthogonalRegularizer(factor=-0.5), "factor"),
        (lambda: R.L2(float("nan")), "l2"),
        (lambda: R.L1("0.1"), "l1"),
    ],
)
def test_bad_factors_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"argument `{arg}` must be a non-negative float"):
        make()


def test_orthogonal_regularizer_errors():
    with pytest.raises(ValueError, match="argument `mode` must be one of"):
        R.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="inputs must have rank 2"):
        R.OrthogonalRegularizer()(jnp.ones((2, 2, 2)))


def test_none_factors_take_defaults():
    assert R.L1(None).l1 == 0.01 and R.L2(None).l2 == 0.01
    assert R.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}


def test_regularizer_identifiers():
    assert R.get(None) is None
    assert R.get("l1") == R.L1() and R.get("L1") == R.L1()
    assert R.get("l2") == R.L2() and R.get("L2") == R.L2()
    assert R.get("L1L2") == R.L1L2() and R.get("l1l2") == R.L1L2()
    assert R.get("l1_l2") == R.L1L2(0.01, 0.01)
    assert R.get("orthogonal_regularizer") == R.OrthogonalRegularizer()
    assert R.get("OrthogonalRegularizer") == R.OrthogonalRegularizer()
    assert R.get(R.L2) == R.L2()
    reg = R.L2(0.5)
    assert R.get(reg) is reg
    fn = lambda w: jnp.sum(w)  # noqa: E731
    assert R.get(fn) is fn
    assert R.get({"class_name": "L1L2", "config": {"l1": 0.2, "l2": 0.0}}) == R.L1L2(0.2)
    assert R.l1 is R.L1 and R.l2 is R.L2
    with pytest.raises(ValueError, match=r"regularizer identifier: 'l3'\. Valid .*'l1'"):
        R.get("l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        R.get(1.0)


@pytest.mark.parametrize(
    "reg", [R.L1(0.3), R.L2(0.2), R.L1L2(0.1, 0.4), R.OrthogonalRegularizer(0.5, "columns")]
)
def test_regularizer_config_round_trip(reg):
    assert type(reg).from_config(reg.get_config()) == reg
    again = R.deserialize(R.serialize(reg))
    assert again == reg
    np.testing.assert_allclose(again(W), reg(W), rtol=1e-6)


# === constraints ===============================================================================
def test_constraint_values_by_hand():
    w = jnp.array([[3.0, 0.3], [4.0, 0.4]])  # column norms 5 and 0.5
    np.testing.assert_allclose(C.MaxNorm(1.0)(w), [[0.6, 0.3], [0.8, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(C.UnitNorm()(w), [[0.6, 0.6], [0.8, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(C.UnitNorm(axis=1)(w[:1]), [[3 / np.hypot(3, 0.3), 0.3 / np.hypot(3, 0.3)]], rtol=1e-6)  # fmt: skip
    # min 1, max 2: norm 5 -> 2, norm 0.5 -> 1; rate 0.5 goes half way (3.5 and 0.75).
    np.testing.assert_allclose(C.MinMaxNorm(1.0, 2.0)(w), [[1.2, 0.6], [1.6, 0.8]], rtol=1e-6)
    half = C.MinMaxNorm(1.0, 2.0, rate=0.5)(w)
    np.testing.assert_allclose(half, [[2.1, 0.45], [2.8, 0.6]], rtol=1e-6)
    np.testing.assert_array_equal(C.NonNeg()(jnp.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(C.Constraint()(w), w)


def test_epsilon_in_denominator():
    # Keras divides by (epsilon + norm): a zero slice stays zero and norms land just under.
    zero = jnp.zeros((3, 2))
    for c in (C.MaxNorm(1.0), C.UnitNorm(), C.MinMaxNorm(0.5, 1.0)):
        np.testing.assert_array_equal(c(zero), zero)
    w = jnp.array([[1e-3], [0.0]])
    np.testing.assert_allclose(C.UnitNorm()(w)[0, 0], 1e-3 / (1e-7 + 1e-3), rtol=1e-6)


def test_conv_kernel_axes():
    c = C.MaxNorm(0.5, axis=[0, 1, 2])
    out = np.asarray(c(KERNEL))
    norms = np.sqrt((out**2).sum(axis=(0, 1, 2)))
    assert np.all(norms <= 0.5 + 1e-6)
    unit = np.asarray(C.UnitNorm(axis=(0, 1, 2))(KERNEL))
    np.testing.assert_allclose(np.sqrt((unit**2).sum(axis=(0, 1, 2))), 1.0, rtol=1e-5)


def test_constraints_are_pure_and_jittable():
    x = jnp.asarray(W)
    before = np.array(x)
    for c in (C.MaxNorm(1.0), C.NonNeg(), C.UnitNorm(1), C.MinMaxNorm(0.5, 1.5, 0.3)):
        np.testing.assert_allclose(jax.jit(c)(x), c(x), rtol=1e-6)
        np.testing.assert_array_equal(x, before)


_PROJECT = jax.jit(
    lambda w: (C.MaxNorm(1.5)(w), C.UnitNorm()(w), C.NonNeg()(w), C.MinMaxNorm(0.5, 2.0)(w))
)


@settings(max_examples=30, deadline=None)
# XLA flushes subnormal floats to zero, so they are not generated.
@given(hnp.arrays(np.float32, (4, 3),
                  elements=st.floats(-10, 10, width=32, allow_subnormal=False)))
def test_constraint_properties(w):
    max_norm, unit, non_neg, min_max = (np.asarray(a, np.float64) for a in _PROJECT(w))
    norms = np.sqrt((w.astype(np.float64) ** 2).sum(axis=0))
    assert np.all(np.sqrt((max_norm**2).sum(axis=0)) <= 1.5 + 1e-5)
    big = norms > 1e-1  # away from the epsilon (1e-7) in the denominator
    np.testing.assert_allclose(np.sqrt((unit**2).sum(axis=0))[big], 1.0, rtol=1e-5)
    assert np.all(non_neg >= 0) and np.all(non_neg[w > 0] == w[w > 0])
    mm = np.sqrt((min_max**2).sum(axis=0))[big]
    assert np.all(mm <= 2.0 + 1e-5) and np.all(mm >= 0.5 - 1e-5)
    # Slices already inside the max norm are (up to epsilon) unchanged.
    inside = norms < 1.5
    np.testing.assert_allclose(max_norm[:, inside], w[:, inside], rtol=1e-5, atol=1e-6)


def test_constraint_identifiers():
    assert C.get(None) is None
    for name, cls in [("max_norm", C.MaxNorm), ("MaxNorm", C.MaxNorm), ("non_neg", C.NonNeg),
                      ("NonNeg", C.NonNeg), ("unit_norm", C.UnitNorm), ("UnitNorm", C.UnitNorm),
                      ("min_max_norm", C.MinMaxNorm), ("MinMaxNorm", C.MinMaxNorm)]:  # fmt: skip
        assert type(C.get(name)) is cls
    assert C.get(C.NonNeg) == C.NonNeg()
    c = C.MaxNorm(3)
    assert C.get(c) is c
    fn = lambda w: w  # noqa: E731
    assert C.get(fn) is fn
    assert C.get({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 1}}) == C.MaxNorm(
        3, 1
    )
    with pytest.raises(ValueError, match=r"constraint identifier: 'maxnorm'\. Valid .*'max_norm'"):
        C.get("maxnorm")


@pytest.mark.parametrize(
    "c", [C.MaxNorm(3, axis=1), C.NonNeg(), C.UnitNorm(axis=[0, 1]), C.MinMaxNorm(0.1, 2, 0.5, 1)]
)
def test_constraint_config_round_trip(c):
    assert type(c).from_config(c.get_config()) == c
    again = C.deserialize(C.serialize(c))
    assert again == c
    np.testing.assert_allclose(again(KERNEL), c(KERNEL), rtol=1e-6)


# === Keras 3 conformance =======================================================================
KERAS_REGS = [
    ("L1", {"l1": 0.3}),
    ("L2", {"l2": 0.2}),
    ("L1L2", {"l1": 0.1, "l2": 0.4}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "rows"}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
]


@pytest.mark.conformance
@pytest.mark.parametrize("name, kwargs", KERAS_REGS)
def test_regularizers_match_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    ours = getattr(R, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    w = W.copy()
    w[1] = 0.0  # a zero row exercises the normalisation floor
    # A jax array: Keras's NumPy path of `normalize` fails for columns.
    np.testing.assert_allclose(ours(w), np.asarray(theirs(jnp.asarray(w))), rtol=1e-6)
    ours_cfg, theirs_cfg = ours.get_config(), theirs.get_config()
    assert ours_cfg.keys() == theirs_cfg.keys()
    for key, value in ours_cfg.items():
        # Keras keeps some factors as float32 tensors, so compare them approximately.
        expected = theirs_cfg[key] if key == "mode" else pytest.approx(theirs_cfg[key], rel=1e-6)
        assert value == expected
    assert R.serialize(ours)["class_name"] == keras.regularizers.serialize(theirs)["class_name"]


KERAS_CONSTRAINTS = [
    ("MaxNorm", {"max_value": 1.5, "axis": 0}),
    ("MaxNorm", {"max_value": 0.7, "axis": [0, 1, 2]}),
    ("NonNeg", {}),
    ("UnitNorm", {"axis": 1}),
    ("UnitNorm", {"axis": -1}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.2, "rate": 0.7, "axis": 0}),
    ("MinMaxNorm", {"min_value": 2.0, "max_value": 3.0, "rate": 1.0, "axis": [0, 1, 2]}),
]


@pytest.mark.conformance
@pytest.mark.parametrize("name, kwargs", KERAS_CONSTRAINTS)
def test_constraints_match_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    ours = getattr(C, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    np.testing.assert_allclose(ours(KERNEL), np.asarray(theirs(KERNEL)), rtol=1e-6, atol=1e-7)
    assert ours.get_config() == theirs.get_config()
    assert C.serialize(ours) == keras.constraints.serialize(theirs)
