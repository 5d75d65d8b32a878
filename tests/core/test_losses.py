"""Losses: Keras 3 conformance, golden values, gradients, reductions, masks, identifiers and
host-side target validation."""

from __future__ import annotations

import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from jnn import losses

B = 6
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None]


# --- inputs -------------------------------------------------------------------------------------
def _probs(rng, shape, low=0.05, high=0.95):
    return rng.uniform(low, high, shape).astype(np.float32)


def _onehot(rng, b, k):
    return np.eye(k, dtype=np.float32)[rng.randint(0, k, b)]


def _case(name, rng):
    """(jnn class, kwargs, y_true, y_pred) for a named case."""
    k = 4
    normal = rng.randn(B, 4).astype(np.float32)
    cases = {
        "bce": ("BinaryCrossentropy", {}, rng.randint(0, 2, (B, 4)), _probs(rng, (B, 4))),
        "bce_rank1_true": ("BinaryCrossentropy", {}, rng.randint(0, 2, (B,)), _probs(rng, (B, 1))),
        "bce_logits_smooth": (
            "BinaryCrossentropy",
            {"from_logits": True, "label_smoothing": 0.1},
            rng.randint(0, 2, (B, 4)),
            3 * normal,
        ),
        "bce_clipped": (
            "BinaryCrossentropy",
            {},
            rng.randint(0, 2, (B, 4)),
            rng.choice([0.0, 1.0, 0.5], (B, 4)).astype(np.float32),
        ),
        "focal": (
            "BinaryFocalCrossentropy",
            {"gamma": 1.5},
            rng.randint(0, 2, (B, 4)),
            _probs(rng, (B, 4)),
        ),
        "focal_balanced_logits": (
            "BinaryFocalCrossentropy",
            {
                "apply_class_balancing": True,
                "alpha": 0.3,
                "from_logits": True,
                "label_smoothing": 0.2,
            },
            rng.randint(0, 2, (B, 4)),
            normal,
        ),
        "cce": (
            "CategoricalCrossentropy",
            {},
            _onehot(rng, B, k),
            rng.uniform(0.1, 2.0, (B, k)).astype(np.float32),
        ),  # renormalised by the loss
        "cce_logits_smooth": (
            "CategoricalCrossentropy",
            {"from_logits": True, "label_smoothing": 0.2},
            _onehot(rng, B, k),
            2 * rng.randn(B, k).astype(np.float32),
        ),
        "cce_clipped": (
            "CategoricalCrossentropy",
            {},
            _onehot(rng, B, k),
            np.eye(k, dtype=np.float32)[rng.randint(0, k, B)],
        ),
        "cfocal": (
            "CategoricalFocalCrossentropy",
            {"alpha": 0.4, "gamma": 1.5, "from_logits": True, "label_smoothing": 0.1},
            _onehot(rng, B, k),
            rng.randn(B, k).astype(np.float32),
        ),
        "scce": (
            "SparseCategoricalCrossentropy",
            {},
            rng.randint(0, k, (B,)),
            rng.uniform(0.1, 2.0, (B, k)).astype(np.float32),
        ),
        "scce_b1_logits": (
            "SparseCategoricalCrossentropy",
            {"from_logits": True},
            rng.randint(0, k, (B, 1)),
            rng.randn(B, k).astype(np.float32),
        ),
        "scce_ignore": (
            "SparseCategoricalCrossentropy",
            {"ignore_class": 0, "from_logits": True},
            rng.randint(0, k, (B, 5)),
            rng.randn(B, 5, k).astype(np.float32),
        ),
        "mse": ("MeanSquaredError", {}, rng.randn(B, 4), normal),
        "bce_rank1_both": (  # per-"sample" values are a scalar: Keras broadcasts the weights
            "BinaryCrossentropy",
            {},
            rng.randint(0, 2, (B,)),
            _probs(rng, (B,)),
        ),
        "mse_3d": ("MeanSquaredError", {}, rng.randn(B, 5, 4), rng.randn(B, 5, 4)),
        "mse_rank1_true": ("MeanSquaredError", {}, rng.randn(B), rng.randn(B, 1)),
        "mae": ("MeanAbsoluteError", {}, rng.randn(B, 4), normal),
        "mape": ("MeanAbsolutePercentageError", {}, rng.randn(B, 4) + 0.1, normal),
        "msle": ("MeanSquaredLogarithmicError", {}, rng.rand(B, 4) * 3, normal),
        "huber": ("Huber", {"delta": 0.7}, rng.randn(B, 4), 2 * normal),
        "log_cosh": ("LogCosh", {}, rng.randn(B, 4), 3 * normal),
        "kld": ("KLDivergence", {}, _probs(rng, (B, 4)), _probs(rng, (B, 4))),
        "poisson": ("Poisson", {}, rng.poisson(2.0, (B, 4)), rng.rand(B, 4) * 3 + 0.1),
        "hinge01": ("Hinge", {}, rng.randint(0, 2, (B, 4)), normal),
        "hinge_pm1": ("Hinge", {}, 2 * rng.randint(0, 2, (B, 4)) - 1, normal),
        "squared_hinge": ("SquaredHinge", {}, rng.randint(0, 2, (B, 4)), normal),
        "categorical_hinge": (
            "CategoricalHinge",
            {},
            _onehot(rng, B, k),
            rng.randn(B, k).astype(np.float32),
        ),
        "cosine": ("CosineSimilarity", {"axis": -1}, rng.randn(B, 4), normal),
    }
    cls, kwargs, y_true, y_pred = cases[name]
    return cls, kwargs, np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32)


CASES = [
    "bce",
    "bce_rank1_true",
    "bce_logits_smooth",
    "bce_clipped",
    "focal",
    "focal_balanced_logits",
    "cce",
    "cce_logits_smooth",
    "cce_clipped",
    "cfocal",
    "scce",
    "scce_b1_logits",
    "scce_ignore",
    "mse",
    "mse_3d",
    "bce_rank1_both",
    "mse_rank1_true",
    "mae",
    "mape",
    "msle",
    "huber",
    "log_cosh",
    "kld",
    "poisson",
    "hinge01",
    "hinge_pm1",
    "squared_hinge",
    "categorical_hinge",
    "cosine",
]


def _weights(rng, kind, y_pred):
    if kind is None:
        return None
    if kind == "B":
        return rng.rand(B).astype(np.float32)
    if kind == "B1":
        return rng.rand(B, 1).astype(np.float32)
    if kind == "BT":  # per time step, for (B, T, K) predictions
        return rng.rand(*y_pred.shape[:-1]).astype(np.float32)
    if kind == "BT1":
        return rng.rand(*y_pred.shape[:-1], 1).astype(np.float32)
    if kind == "scalar":
        return np.float32(0.7)
    raise AssertionError(kind)


# The reduction code is shared by all losses: every reduction is checked on a few losses, the
# default and "none" reductions on all of them.
_ALL_REDUCTIONS = ("bce", "cce_logits_smooth", "scce_ignore", "mse_3d", "mse_rank1_true", "huber")


def _combos(case):
    kinds = {"scce_ignore": [None, "BT"], "mse_3d": ["scalar", "BT", "BT1"]}.get(
        case, [None, "B", "B1"]
    )
    reductions = REDUCTIONS if case in _ALL_REDUCTIONS else ["sum_over_batch_size", None]
    return [(k, r) for k in kinds for r in (reductions if k != "B1" else reductions[:1])]


def _all_values(module, cls, kwargs, combos, y_true, y_pred, weights):
    """Every (weights, reduction) combination in one jitted program (eager dispatch compiles
    each primitive separately, which is far slower)."""
    objs = {str(r): getattr(module, cls)(reduction=r, **kwargs) for r in REDUCTIONS}

    @jax.jit
    def run(y_true, y_pred, weights):
        return [objs[str(r)](y_true, y_pred, sample_weight=weights[str(k)]) for k, r in combos]

    with jax.numpy_rank_promotion("allow"):  # Keras relies on implicit rank promotion
        return run(y_true, y_pred, weights)


# --- Keras conformance --------------------------------------------------------------------------
@pytest.mark.conformance
@pytest.mark.parametrize("case", CASES)
def test_matches_keras_all_reductions_and_weights(case):
    keras = pytest.importorskip("keras")
    rng = np.random.RandomState(abs(hash(case)) % 2**31)
    cls, kwargs, y_true, y_pred = _case(case, rng)
    combos = _combos(case)
    weights = {str(k): _weights(rng, k, y_pred) for k, _ in combos}
    ours = _all_values(losses, cls, kwargs, combos, y_true, y_pred, weights)
    ref = _all_values(keras.losses, cls, kwargs, combos, y_true, y_pred, weights)
    for (kind, reduction), a, b in zip(combos, ours, ref):
        assert a.shape == b.shape, (kind, reduction)
        np.testing.assert_allclose(
            np.asarray(a),
            np.asarray(b),
            rtol=1e-6,
            atol=1e-6,
            err_msg=f"{case} reduction={reduction} sample_weight={kind}",
        )


FUNCTIONS = [
    ("binary_crossentropy", "bce"),
    ("binary_focal_crossentropy", "focal"),
    ("categorical_crossentropy", "cce"),
    ("categorical_focal_crossentropy", "cce"),
    ("sparse_categorical_crossentropy", "scce"),
    ("mean_squared_error", "mse"),
    ("mean_absolute_error", "mae"),
    ("mean_absolute_percentage_error", "mape"),
    ("mean_squared_logarithmic_error", "msle"),
    ("huber", "huber"),
    ("log_cosh", "log_cosh"),
    ("kl_divergence", "kld"),
    ("poisson", "poisson"),
    ("hinge", "hinge01"),
    ("squared_hinge", "squared_hinge"),
    ("categorical_hinge", "categorical_hinge"),
    ("cosine_similarity", "cosine"),
]


@pytest.mark.conformance
def test_function_forms_match_keras():
    keras = pytest.importorskip("keras")
    data = [_case(case, np.random.RandomState(1))[2:] for _, case in FUNCTIONS]

    def all_values(module):
        fns = [getattr(module, fn) for fn, _ in FUNCTIONS]
        run = jax.jit(lambda data: [f(y, p) for f, (y, p) in zip(fns, data)])
        with jax.numpy_rank_promotion("allow"):
            return run(data)

    for (fn, _), ours, ref in zip(FUNCTIONS, all_values(losses), all_values(keras.losses)):
        assert ours.shape == ref.shape, fn
        np.testing.assert_allclose(
            np.asarray(ours), np.asarray(ref), rtol=1e-6, atol=1e-6, err_msg=fn
        )


# --- golden values ------------------------------------------------------------------------------
def _a(*rows):
    return jnp.array(rows, jnp.float32)


GOLDEN = [
    (
        "bce of 0.5 is log 2",
        lambda: losses.binary_crossentropy(_a([1, 0]), _a([0.5, 0.5])),
        [math.log(2)],
    ),
    (
        "probabilities clipped at 1e-7",
        lambda: losses.binary_crossentropy(_a([1.0]), _a([0.0])),
        [-math.log(1e-7)],
    ),
    (
        "softmax output renormalised: [0.2, 0.6] -> [0.25, 0.75]",
        lambda: losses.categorical_crossentropy(_a([0, 1]), _a([0.2, 0.6])),
        [-math.log(0.75)],
    ),
    (
        "label smoothing 0.2 over 2 classes: targets [0.1, 0.9]",
        lambda: losses.categorical_crossentropy(_a([0, 1]), _a([0.25, 0.75]), label_smoothing=0.2),
        [-(0.1 * math.log(0.25) + 0.9 * math.log(0.75))],
    ),
    (
        "sparse labels",
        lambda: losses.SparseCategoricalCrossentropy()(
            jnp.array([1, 2]), _a([0.05, 0.95, 0.0], [0.1, 0.8, 0.1])
        ),
        (-math.log(0.95) - math.log(0.1)) / 2,
    ),
    (
        "huber: errors 0.5 -> 0.125 and 3 -> 2.5",
        lambda: losses.huber(_a([0, 0]), _a([0.5, 3.0])),
        [1.3125],
    ),
    (
        "sum_over_batch_size: (1*1 + 4*0) / 2 elements",
        lambda: losses.MeanSquaredError()(_a([0], [0]), _a([1], [2]), sample_weight=_a(1, 0)),
        0.5,
    ),
    (
        "mean_with_sample_weight: (3*1 + 1*4) / (3 + 1)",
        lambda: losses.MeanSquaredError(reduction="mean_with_sample_weight")(
            _a([0], [0]), _a([1], [2]), sample_weight=_a(3, 1)
        ),
        7 / 4,
    ),
    ("hinge converts {0,1} labels to {-1,1}", lambda: losses.hinge(_a([0.0]), _a([0.5])), [1.5]),
    ("categorical hinge", lambda: losses.categorical_hinge(_a([0, 1]), _a([0.3, 0.7])), [0.6]),
    ("mape", lambda: losses.mape(_a([2.0, 4.0]), _a([1.0, 4.0])), [25.0]),
]


def test_golden_values():
    got = jax.jit(lambda: [f() for _, f, _ in GOLDEN])()
    for (what, _, want), value in zip(GOLDEN, got):
        np.testing.assert_allclose(value, want, rtol=1e-5, err_msg=what)


def test_reduction_none_and_call_are_per_sample():
    y = np.random.RandomState(0).randint(0, 3, (4,))
    p = jax.nn.softmax(jnp.arange(12.0).reshape(4, 3))
    none = losses.SparseCategoricalCrossentropy(reduction=None)
    default = losses.SparseCategoricalCrossentropy()
    shapes = jax.eval_shape(lambda y, p: (none(y, p), none.call(y, p), default(y, p)), y, p)
    assert [s.shape for s in shapes] == [(4,), (4,), ()]


# --- gradients ----------------------------------------------------------------------------------
def _grad_case(name, rng):
    cls, kwargs, y_true, y_pred = _case(name, rng)
    return getattr(losses, cls)(**kwargs), y_true, y_pred


@pytest.mark.parametrize(
    "case",
    [
        "bce",
        "bce_logits_smooth",
        "focal",
        "focal_balanced_logits",
        "cce",
        "cce_logits_smooth",
        "cfocal",
        "scce",
        "scce_b1_logits",
        "scce_ignore",
        "mse",
        "mape",
        "msle",
        "log_cosh",
        "kld",
        "poisson",
        "cosine",
    ],
)
def test_gradients(case):
    loss, y_true, y_pred = _grad_case(case, np.random.RandomState(3))
    check_grads(
        jax.jit(lambda p: loss(y_true, p)),
        (jnp.asarray(y_pred),),
        order=1,
        modes=["rev"],
        atol=2e-2,
        rtol=2e-2,
    )


def test_gradients_of_kinked_losses_away_from_kinks():
    y = jnp.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = jnp.array([[0.3, 0.45, -0.8], [2.0, -0.6, 0.3]])  # no |error| at 0 / delta / hinge
    for loss in (
        losses.MeanAbsoluteError(),
        losses.Huber(delta=0.5),
        losses.Hinge(),
        losses.SquaredHinge(),
        losses.CategoricalHinge(),
    ):
        check_grads(
            jax.jit(lambda q, loss=loss: loss(y, q)),
            (p,),
            order=1,
            modes=["rev"],
            atol=2e-2,
            rtol=2e-2,
        )


# --- reductions and masks -----------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_padded_batch_with_mask_equals_unpadded(reduction):
    rng = np.random.RandomState(7)
    y = rng.randint(0, 4, (5, 3))
    p = jax.nn.softmax(jnp.asarray(rng.randn(5, 3, 4), jnp.float32))
    sw = jnp.asarray(rng.rand(5), jnp.float32)
    pad = 3
    y_pad = np.concatenate([y, np.zeros((pad, 3), y.dtype)])
    p_pad = jnp.concatenate([p, jnp.full((pad, 3, 4), jnp.nan)])  # garbage must not leak
    sw_pad = jnp.concatenate([sw, jnp.ones(pad)])
    mask = jnp.concatenate([jnp.ones(5), jnp.zeros(pad)])
    loss = losses.SparseCategoricalCrossentropy(reduction=reduction)

    ref = jax.jit(lambda y, p, sw: losses.compute_weighted_loss(loss.call(y, p), sw, reduction))(
        y, p, sw
    )
    step = jax.jit(
        lambda y, p, sw, m: losses.compute_weighted_loss(loss.call(y, p), sw, reduction, mask=m)
    )
    np.testing.assert_allclose(step(y_pad, p_pad, sw_pad, mask), ref, rtol=1e-7)
    call = jax.jit(lambda y, p, sw, m: loss(y, p, sw, mask=m))
    chex.assert_trees_all_close(call(y_pad, p_pad, sw_pad, mask), call(y, p, sw, None), rtol=1e-7)


def test_mask_combines_with_ignore_class():
    y = jnp.array([[1, 0], [2, 2], [0, 0]])
    p = jax.nn.softmax(jnp.arange(18.0).reshape(3, 2, 3) / 5)
    loss = losses.SparseCategoricalCrossentropy(ignore_class=0)

    @jax.jit
    def run(y, p):
        values = losses.sparse_categorical_crossentropy(y[:2], p[:2])
        hand = (values[0, 0] + values[1, 0] + values[1, 1]) / 3
        return loss(y[:2], p[:2]), loss(y, p, mask=jnp.array([1.0, 1.0, 0.0])), hand

    unpadded, padded, hand = run(y, p)
    np.testing.assert_allclose(padded, unpadded, rtol=1e-7)
    np.testing.assert_allclose(unpadded, hand, rtol=1e-6)


def test_compute_weighted_loss_shapes_and_errors():
    v = jnp.ones((4, 3))
    cwl = losses.compute_weighted_loss
    shapes = jax.eval_shape(
        lambda v: (cwl(v, jnp.ones(4)), cwl(v, jnp.ones((4, 1)), reduction="none")), v
    )
    assert [s.shape for s in shapes] == [(), (4, 3)]
    with pytest.raises(ValueError, match="reduction"):
        cwl(v, reduction="avg")
    with pytest.raises(ValueError, match="sample_weight"):
        cwl(v, jnp.ones(5))
    value, g = jax.jit(jax.value_and_grad(lambda x: cwl(x, mask=jnp.zeros(4))))(v)
    assert float(value) == 0.0 and np.all(np.isfinite(g))


# --- identifiers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "identifier,cls",
    [
        ("mse", "MeanSquaredError"),
        ("MSE", "MeanSquaredError"),
        ("mae", "MeanAbsoluteError"),
        ("mape", "MeanAbsolutePercentageError"),
        ("msle", "MeanSquaredLogarithmicError"),
        ("kld", "KLDivergence"),
        ("KLD", "KLDivergence"),
        ("logcosh", "LogCosh"),
        ("log_cosh", "LogCosh"),
        ("huber", "Huber"),
        ("bce", "BinaryCrossentropy"),
        ("binary_crossentropy", "BinaryCrossentropy"),
        ("categorical_crossentropy", "CategoricalCrossentropy"),
        ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
        ("SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy"),
        ("binary_focal_crossentropy", "BinaryFocalCrossentropy"),
        ("hinge", "Hinge"),
        ("cosine_similarity", "CosineSimilarity"),
        ("poisson", "Poisson"),
    ],
)
def test_get_spellings(identifier, cls):
    assert type(losses.get(identifier)).__name__ == cls


def test_get_other_identifiers_and_errors():
    inst = losses.Huber(delta=2.0)
    assert losses.get(inst) is inst
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)
    assert (
        losses.get(
            {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
        ).from_logits
        is True
    )

    def my_loss(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)

    wrapped = losses.get(my_loss)
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "my_loss"
    np.testing.assert_allclose(jax.jit(wrapped)(jnp.zeros((2, 2)), jnp.ones((2, 2))), 1.0)
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'msee'.*'mse'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


@pytest.mark.parametrize(
    "loss",
    [
        losses.Huber(delta=0.3, reduction="sum"),
        losses.BinaryFocalCrossentropy(gamma=3.0),
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1),
        losses.CategoricalCrossentropy(label_smoothing=0.1, name="cce"),
        losses.LossFunctionWrapper(losses.mean_absolute_error, name="m", reduction=None),
    ],
)
def test_serialize_round_trip(loss):
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss)
    assert again.get_config() == loss.get_config()


@pytest.mark.conformance
def test_serialized_form_loads_in_keras():
    keras = pytest.importorskip("keras")
    config = losses.serialize(losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1))
    restored = keras.losses.deserialize(config)
    assert restored.get_config()["label_smoothing"] == 0.1
    keras_config = keras.losses.serialize(keras.losses.CategoricalCrossentropy(axis=1, name="c"))
    ours = losses.deserialize(keras_config)
    assert isinstance(ours, losses.CategoricalCrossentropy)
    assert (ours.axis, ours.name) == (1, "c")


# --- host-side target validation ----------------------------------------------------------------
def test_validate_sparse_labels():
    loss = losses.SparseCategoricalCrossentropy()
    losses.validate_targets(loss, np.array([0, 9, 3]), (None, 10))
    losses.validate_targets(loss, np.array([[0], [9]]), (None, 10))
    with pytest.raises(ValueError) as err:
        losses.validate_targets(loss, np.array([0, 10, 3]), (None, 10))
    msg = str(err.value)
    assert "Received a label value of 10 which is outside the valid range of [0, 10)" in msg
    assert "sparse_categorical_crossentropy" in msg and "(None, 10)" in msg
    with pytest.raises(ValueError, match="label value of -1"):
        losses.validate_targets("sparse_categorical_crossentropy", np.array([-1, 2]), (None, 10))
    with pytest.raises(ValueError, match="non-integer"):
        losses.validate_targets(loss, np.array([0.5, 2.0]), (None, 10))
    with pytest.raises(ValueError, match="use categorical_crossentropy or pass integer labels"):
        losses.validate_targets(loss, np.eye(10)[[1, 2]], (None, 10))
    # ignore_class values are exempt from the range check.
    losses.validate_targets(
        losses.SparseCategoricalCrossentropy(ignore_class=255), np.array([1, 255]), (None, 10)
    )


def test_validate_categorical_and_elementwise():
    cce = losses.get("categorical_crossentropy")
    losses.validate_targets(cce, np.eye(3)[[0, 2]], (None, 3))
    for y in (np.array([0, 2]), np.array([[0], [2]])):
        with pytest.raises(
            ValueError, match="use sparse_categorical_crossentropy or jnn.utils.to_categorical"
        ):
            losses.validate_targets(cce, y, (None, 3))
    with pytest.raises(ValueError, match="do not match the model output shape"):
        losses.validate_targets(cce, np.eye(4)[[0, 2]], (None, 3))
    mse = losses.get("mse")
    losses.validate_targets(mse, np.zeros((5,)), (None, 1))
    losses.validate_targets(mse, np.zeros((5, 1)), (None,))
    losses.validate_targets("binary_crossentropy", np.zeros((5, 1)), (None, 1))
    with pytest.raises(ValueError, match=r"Loss `mean_squared_error`: targets of shape \(5, 1\)"):
        losses.validate_targets(mse, np.zeros((5, 1)), (None, 3))
    with pytest.raises(ValueError, match="do not match"):
        losses.validate_targets("binary_crossentropy", np.eye(3)[[0, 1]], (None, 1))


def test_check_logits_hint():
    logits = np.array([[-2.0, 3.0], [0.5, 1.0]])
    probs = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert "from_logits=True" in losses.check_logits_hint("categorical_crossentropy", logits)
    assert losses.check_logits_hint("categorical_crossentropy", probs) is None
    hint = losses.check_logits_hint(losses.CategoricalCrossentropy(from_logits=True), probs)
    assert "look like probabilities" in hint
    assert (
        losses.check_logits_hint(losses.CategoricalCrossentropy(from_logits=True), logits) is None
    )
    assert "sigmoid" in losses.check_logits_hint("binary_crossentropy", logits[:, :1])
    assert losses.check_logits_hint("mse", logits) is None


@pytest.mark.parametrize(
    "y_true,y_pred,cls",
    [
        ((None, 1), (None, 1), "BinaryCrossentropy"),
        ((None,), (None, 10), "SparseCategoricalCrossentropy"),
        ((None, 1), (None, 10), "SparseCategoricalCrossentropy"),
        ((None, 10), (None, 10), "CategoricalCrossentropy"),
    ],
)
def test_resolve_crossentropy_from_shapes(y_true, y_pred, cls):
    assert type(losses.resolve("crossentropy", y_true, y_pred)).__name__ == cls
    assert type(losses.resolve("CE", y_true, y_pred)).__name__ == cls
    assert type(losses.resolve("mse", y_true, y_pred)).__name__ == "MeanSquaredError"
