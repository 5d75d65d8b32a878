"""Metrics: Keras 3 conformance over several weighted batches, merge, zero-weight (padding)
rows, jit / lax.scan, the stateful conveniences, identifiers and compile's ``resolve``."""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn import metrics

B, K, PAD = 8, 4, 3


# --- data ---------------------------------------------------------------------------------------
def _probs(rng, shape):
    return rng.uniform(0.0, 1.0, shape).astype(np.float32)


def _softmax(rng, shape):
    return np.asarray(jax.nn.softmax(jnp.asarray(2 * rng.randn(*shape), jnp.float32)))


def _onehot(rng):
    return np.eye(K, dtype=np.float32)[rng.randint(0, K, B)]


DATA = {
    "values": lambda r: (r.randn(B).astype(np.float32),),
    "values_2d": lambda r: (r.randn(B, 3).astype(np.float32),),
    "exact": lambda r: (
        r.randint(0, 3, (B, 1)).astype(np.float32),
        r.randint(0, 3, (B, 1)).astype(np.float32),
    ),
    "binary": lambda r: (r.randint(0, 2, (B, 1)).astype(np.float32), _probs(r, (B, 1))),
    "binary_rank1_true": lambda r: (r.randint(0, 2, (B,)).astype(np.float32), _probs(r, (B, 1))),
    "multilabel": lambda r: (r.randint(0, 2, (B, 3)).astype(np.float32), _probs(r, (B, 3))),
    "logits": lambda r: (
        r.randint(0, 2, (B, 3)).astype(np.float32),
        3 * r.randn(B, 3).astype(np.float32),
    ),
    "onehot": lambda r: (_onehot(r), _softmax(r, (B, K))),
    "sparse": lambda r: (r.randint(0, K, (B,)), _softmax(r, (B, K))),
    "sparse_b1": lambda r: (r.randint(0, K, (B, 1)), _softmax(r, (B, K))),
    "sparse_logits": lambda r: (r.randint(0, K, (B,)), r.randn(B, K).astype(np.float32)),
    "regression": lambda r: (r.randn(B, 3).astype(np.float32), r.randn(B, 3).astype(np.float32)),
    "positive": lambda r: (
        r.rand(B, 3).astype(np.float32) * 3 + 0.1,
        r.rand(B, 3).astype(np.float32) * 3 + 0.1,
    ),
    "distributions": lambda r: (_softmax(r, (B, K)), _softmax(r, (B, K))),
}

# (id, jnn/keras class name, kwargs, data kind, tolerance)
CASES = [
    ("mean_2d", "Mean", {}, "values_2d", 1e-6),
    ("sum", "Sum", {}, "values", 1e-5),
    ("accuracy", "Accuracy", {}, "exact", 1e-6),
    ("binary_accuracy", "BinaryAccuracy", {"threshold": 0.3}, "binary", 1e-6),
    ("binary_accuracy_rank1", "BinaryAccuracy", {}, "binary_rank1_true", 1e-6),
    ("categorical_accuracy", "CategoricalAccuracy", {}, "onehot", 1e-6),
    ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", {}, "sparse", 1e-6),
    ("sparse_categorical_accuracy_b1", "SparseCategoricalAccuracy", {}, "sparse_b1", 1e-6),
    ("top_k", "TopKCategoricalAccuracy", {"k": 2}, "onehot", 1e-6),
    ("sparse_top_k", "SparseTopKCategoricalAccuracy", {"k": 2}, "sparse", 1e-6),
    ("mse", "MeanSquaredError", {}, "regression", 1e-6),
    ("mae", "MeanAbsoluteError", {}, "regression", 1e-6),
    ("rmse", "RootMeanSquaredError", {}, "regression", 1e-6),
    ("mape", "MeanAbsolutePercentageError", {}, "positive", 1e-6),
    ("msle", "MeanSquaredLogarithmicError", {}, "positive", 1e-6),
    ("cosine", "CosineSimilarity", {}, "regression", 1e-6),
    ("logcosh", "LogCoshError", {}, "regression", 1e-6),
    ("kld", "KLDivergence", {}, "distributions", 1e-6),
    ("poisson", "Poisson", {}, "positive", 1e-6),
    ("bce", "BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits", 1e-6),
    ("cce", "CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot", 1e-6),
    ("scce", "SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits", 1e-6),
    ("scce_ignore", "SparseCategoricalCrossentropy", {"ignore_class": 0}, "sparse", 1e-6),
    ("hinge", "Hinge", {}, "logits", 1e-6),
    ("squared_hinge", "SquaredHinge", {}, "logits", 1e-6),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot", 1e-6),
    ("auc", "AUC", {}, "binary", 1e-5),
    ("auc_pr", "AUC", {"curve": "PR"}, "multilabel", 1e-5),
    (
        "auc_prgain_majoring",
        "AUC",
        {"curve": "PRGAIN", "summation_method": "majoring"},
        "binary",
        1e-5,
    ),
    (
        "auc_thresholds_label_weights",
        "AUC",
        {"thresholds": [0.2, 0.5, 0.9], "label_weights": [0.2, 0.3, 0.5]},
        "multilabel",
        1e-5,
    ),
    (
        "auc_multi_label_weights",
        "AUC",
        {"multi_label": True, "num_labels": 3, "label_weights": [0.2, 0.3, 0.5]},
        "multilabel",
        1e-5,
    ),
    (
        "auc_logits_minoring",
        "AUC",
        {"from_logits": True, "num_thresholds": 50, "summation_method": "minoring"},
        "logits",
        1e-5,
    ),
    ("precision", "Precision", {}, "binary", 1e-6),
    ("precision_thresholds", "Precision", {"thresholds": [0.3, 0.5, 0.7]}, "multilabel", 1e-6),
    ("precision_even_thresholds", "Precision", {"thresholds": [0.0, 0.5, 1.0]}, "multilabel", 1e-6),
    ("precision_top_k", "Precision", {"top_k": 2}, "multilabel", 1e-6),
    ("precision_class_id", "Precision", {"class_id": 1}, "multilabel", 1e-6),
    ("recall", "Recall", {}, "binary_rank1_true", 1e-6),
    ("recall_top_k_class", "Recall", {"top_k": 2, "class_id": 2}, "multilabel", 1e-6),
    ("recall_thresholds", "Recall", {"thresholds": [0.25, 0.75]}, "multilabel", 1e-6),
    ("true_positives", "TruePositives", {}, "binary", 1e-5),
    ("false_positives", "FalsePositives", {"thresholds": [0.2, 0.7]}, "multilabel", 1e-5),
    ("true_negatives", "TrueNegatives", {"thresholds": [0.0, 0.5, 1.0]}, "multilabel", 1e-5),
    ("false_negatives", "FalseNegatives", {}, "binary_rank1_true", 1e-5),
    ("f1", "F1Score", {}, "onehot", 1e-6),
    ("f1_micro", "F1Score", {"average": "micro", "threshold": 0.5}, "multilabel", 1e-6),
    ("f1_weighted", "F1Score", {"average": "weighted"}, "onehot", 1e-6),
    (
        "fbeta",
        "FBetaScore",
        {"beta": 2.0, "average": "macro", "threshold": 0.5},
        "multilabel",
        1e-6,
    ),
]
IDS = [c[0] for c in CASES]


def _batches(kind, seed, n=3):
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(n):
        arrays = DATA[kind](rng)
        weight = rng.uniform(0.0, 2.0, B).astype(np.float32)
        weight[rng.randint(0, B)] = 0.0
        out.append((*arrays, weight))
    return out


def _pad(batch, seed):
    """The batch plus PAD rows of weight 0, as the engine pads a last batch: targets copied
    from real rows (labels stay valid), predictions replaced by garbage."""
    rng = np.random.RandomState(seed)
    *arrays, weight = batch
    *targets, pred = arrays
    garbage = (np.abs(rng.randn(PAD, *pred.shape[1:])) * 7).astype(pred.dtype)
    padded = [np.concatenate([t, t[:PAD]]) for t in targets] + [np.concatenate([pred, garbage])]
    return (*padded, np.concatenate([weight, np.zeros(PAD, np.float32)]))


def _build(m, batch):
    if len(batch) == 3:
        m.build(batch[0].shape, batch[1].shape)
    return m


def _run_ours(m, batches, padded=None):
    """One jitted program: one pass; with ``padded``, also the merge of two halves and the
    padded pass."""

    def run_all(state, batches):
        for b in batches:
            state = m.update(state, *b)
        return state

    @jax.jit
    def go(batches, padded):
        first_two = run_all(m.init(), batches[:2])
        whole = run_all(first_two, batches[2:])
        if padded is None:
            return m.result(whole), None, None
        halves = m.merge(first_two, run_all(m.init(), batches[2:]))
        return m.result(whole), m.result(halves), m.result(run_all(m.init(), padded))

    return go(batches, padded)


# Merging and padding rows are checked on one case of each kind of state (compiling every
# variant takes time and adds no coverage: states are sums either way).
MERGE_AND_PAD = {
    "mean_2d",
    "sum",
    "sparse_categorical_accuracy_b1",
    "rmse",
    "scce_ignore",
    "hinge",
    "auc",
    "auc_pr",
    "auc_multi_label_weights",
    "auc_thresholds_label_weights",
    "precision_top_k",
    "recall_thresholds",
    "f1_weighted",
    "f1_micro",
}


def _run_keras(km, batches):
    with jax.numpy_rank_promotion("allow"):  # Keras relies on implicit rank promotion

        @jax.jit
        def go(variables, batches):
            for b in batches:
                variables = km.stateless_update_state(variables, *b[:-1], sample_weight=b[-1])
            return km.stateless_result(variables)

        return go([v.value for v in km.variables], batches)


# --- conformance, merge, padding ----------------------------------------------------------------
@pytest.mark.conformance
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_keras_and_merges_and_ignores_zero_weight_rows(case):
    keras = pytest.importorskip("keras")
    _, cls, kwargs, kind, tol = case
    batches = _batches(kind, seed=IDS.index(case[0]))
    padded = [_pad(b, i) for i, b in enumerate(batches)] if case[0] in MERGE_AND_PAD else None
    m = _build(getattr(metrics, cls)(**kwargs), batches[0])
    one, merged, padded_result = _run_ours(m, batches, padded)

    km = getattr(keras.metrics, cls)(**kwargs)
    if cls in ("F1Score", "FBetaScore"):
        km._build(batches[0][0].shape, batches[0][1].shape)
    ref = _run_keras(km, batches)
    np.testing.assert_allclose(np.asarray(one), np.asarray(ref), rtol=tol, atol=tol)
    if padded is not None:
        chex.assert_trees_all_close(merged, one, rtol=1e-6, atol=1e-6)
        chex.assert_trees_all_close(padded_result, one, rtol=1e-6, atol=1e-6)


def test_stateful_api_matches_pure_path():
    batches = _batches("binary", seed=5)
    for m in (metrics.Precision(), metrics.BinaryAccuracy(), metrics.F1Score(threshold=0.5)):
        for y, p, w in batches:
            m.update_state(y, p, sample_weight=w)

        @jax.jit
        def pure(batches, m=m):
            state = m.init()
            for b in batches:
                state = m.update(state, *b)
            return m.result(state), m.result(m.update(state, *batches[0]))

        after_three, after_four = pure(batches)
        np.testing.assert_allclose(m.result(), after_three, rtol=1e-6)
        np.testing.assert_allclose(m(*batches[0]), after_four, rtol=1e-6)
        m.reset_state()
        np.testing.assert_allclose(m.result(), np.zeros_like(after_three))


# --- golden values ------------------------------------------------------------------------------
def test_golden_values():
    y = jnp.array([[0.0], [1.0], [1.0], [0.0]])
    p = jnp.array([[0.2], [0.9], [0.4], [0.7]])
    w = jnp.array([1.0, 2.0, 1.0, 0.0])

    @jax.jit
    def run(y, p, w):
        out = []
        for m in (
            metrics.BinaryAccuracy(),
            metrics.Precision(),
            metrics.Recall(),
            metrics.AUC(),
            metrics.Mean(),
            metrics.RootMeanSquaredError(),
        ):
            args = (p, w) if type(m) is metrics.Mean else (y, p, w)
            out.append(m.result(m.update(m.init(), *args)))
        return out

    acc, prec, rec, auc, mean, rmse = run(y, p, w)
    # Row 4 has weight 0. Correct: rows 1, 2 (weights 1 + 2) of 4 total weight.
    np.testing.assert_allclose(acc, 3 / 4)
    np.testing.assert_allclose(prec, 1.0)  # only row 2 predicted positive (weight 2)
    np.testing.assert_allclose(rec, 2 / 3)  # positives: rows 2 (w 2, hit) and 3 (w 1, miss)
    np.testing.assert_allclose(auc, 1.0)  # every weighted positive outranks every negative
    np.testing.assert_allclose(mean, (0.2 + 1.8 + 0.4) / 4, rtol=1e-6)
    np.testing.assert_allclose(rmse, np.sqrt((0.04 + 2 * 0.01 + 0.36) / 4), rtol=1e-6)


# --- jit and scan -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["AUC", "F1Score"])
def test_lax_scan_over_update_equals_loop(name):
    kind = {"SparseCategoricalAccuracy": "sparse", "F1Score": "onehot"}.get(name, "binary")
    batches = _batches(kind, seed=11, n=4)
    m = _build(getattr(metrics, name)(), batches[0])
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *batches)

    @jax.jit
    def both(stacked, batches):
        def body(state, batch):
            return m.update(state, *batch), None

        scanned, _ = jax.lax.scan(body, m.init(), stacked)
        looped = m.init()
        for b in batches:
            looped = m.update(looped, *b)
        return m.result(scanned), m.result(looped)

    scanned, looped = both(stacked, batches)
    np.testing.assert_allclose(scanned, looped, rtol=1e-6)
    state = m.init()
    assert all(a.dtype == jnp.float32 for a in jax.tree.leaves(state))


def test_zero_weight_rows_with_non_finite_values_do_not_count():
    m = metrics.MeanSquaredError()

    @jax.jit
    def run(y, p, w):
        return m.result(m.update(m.init(), y, p, w))

    y = jnp.zeros((3, 1))
    p = jnp.array([[1.0], [3.0], [jnp.nan]])
    np.testing.assert_allclose(run(y, p, jnp.array([1.0, 1.0, 0.0])), 5.0)


# --- identifiers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "identifier,cls,name",
    [
        ("accuracy", "Accuracy", "accuracy"),
        ("acc", "Accuracy", "accuracy"),
        ("mse", "MeanSquaredError", "mean_squared_error"),
        ("MAE", "MeanAbsoluteError", None),
        ("AUC", "AUC", None),
        ("auc", "AUC", None),
        ("Precision", "Precision", None),
        ("binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy"),
        ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", None),
        ("top_k_categorical_accuracy", "TopKCategoricalAccuracy", None),
        ("F1Score", "F1Score", "f1_score"),
        ("root_mean_squared_error", "RootMeanSquaredError", None),
        ("huber", "MeanMetricWrapper", "huber"),
        ("logcosh", "LogCoshError", "logcosh"),
    ],
)
def test_get_spellings(identifier, cls, name):
    m = metrics.get(identifier)
    assert type(m).__name__ == cls
    if name is not None:
        assert m.name == name


def test_get_callables_and_errors():
    def my_metric(y_true, y_pred):
        return jnp.abs(y_true - y_pred)

    m = metrics.get(my_metric)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "my_metric"
    inst = metrics.AUC(num_thresholds=10)
    assert metrics.get(inst) is inst
    assert metrics.get(metrics.Recall).__class__ is metrics.Recall
    with pytest.raises(
        ValueError, match="Could not interpret metric identifier: 'acuracy'.*'accuracy'"
    ):
        metrics.get("acuracy")


@pytest.mark.parametrize(
    "metric",
    [
        metrics.AUC(curve="PR", num_thresholds=17, name="pr"),
        metrics.AUC(thresholds=[0.3, 0.6]),
        metrics.Precision(thresholds=[0.3, 0.6], class_id=1),
        metrics.F1Score(average="macro"),
        metrics.BinaryAccuracy(threshold=0.7),
        metrics.SparseTopKCategoricalAccuracy(k=3),
        metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2),
        metrics.MeanMetricWrapper(metrics.binary_accuracy, name="ba", threshold=0.2),
    ],
)
def test_config_round_trip(metric):
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric)
    assert again.get_config() == metric.get_config()


@pytest.mark.conformance
def test_configs_match_keras():
    keras = pytest.importorskip("keras")
    for name, kwargs in [
        ("AUC", {"curve": "PR", "num_thresholds": 17}),
        ("Precision", {"top_k": 2, "class_id": 1}),
        ("F1Score", {"average": "weighted"}),
        ("BinaryAccuracy", {}),
        ("SparseTopKCategoricalAccuracy", {"k": 3}),
    ]:
        ours = getattr(metrics, name)(name="m", **kwargs).get_config()
        theirs = getattr(keras.metrics, name)(name="m", **kwargs).get_config()
        assert ours == theirs, name


# --- resolve (compile's choice) -----------------------------------------------------------------
@pytest.mark.parametrize(
    "identifier,y_true,y_pred,cls",
    [
        ("accuracy", (None, 1), (None, 1), "BinaryAccuracy"),
        ("accuracy", (None,), (None, 1), "BinaryAccuracy"),
        ("acc", (None,), (None, 10), "SparseCategoricalAccuracy"),
        ("accuracy", (None, 1), (None, 10), "SparseCategoricalAccuracy"),
        ("Accuracy", (None, 10), (None, 10), "CategoricalAccuracy"),
        ("accuracy", (None, 5, 1), (None, 5, 7), "SparseCategoricalAccuracy"),
        ("crossentropy", (None, 1), (None, 1), "BinaryCrossentropy"),
        ("ce", (None,), (None, 10), "SparseCategoricalCrossentropy"),
        ("crossentropy", (None, 10), (None, 10), "CategoricalCrossentropy"),
    ],
)
def test_resolve_follows_keras_compile(identifier, y_true, y_pred, cls):
    m = metrics.resolve(identifier, y_true, y_pred)
    assert type(m).__name__ == cls
    assert m.name == identifier


@pytest.mark.conformance
@pytest.mark.parametrize(
    "shapes", [((4, 1), (4, 1)), ((4,), (4, 1)), ((4,), (4, 3)), ((4, 1), (4, 3)), ((4, 3), (4, 3))]
)
def test_resolve_agrees_with_keras_compile_utils(shapes):
    pytest.importorskip("keras")
    from keras.src.trainers import compile_utils

    y_true, y_pred = (np.zeros(s, np.float32) for s in shapes)
    theirs = compile_utils.get_metric("accuracy", y_true, y_pred)
    ours = metrics.resolve("accuracy", *shapes)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name == "accuracy"


def test_resolve_builds_shape_dependent_metrics_and_keeps_names():
    f1 = metrics.resolve("F1Score", (None, 3), (None, 3))
    assert f1.init()["tp"].shape == (3,)
    auc = metrics.resolve(metrics.AUC(multi_label=True), (None, 4), (None, 4))
    assert auc.init()["tp"].shape == (200, 4)
    assert metrics.resolve("mse", (None, 1), (None, 1)).name == "mse"
    assert (
        metrics.resolve("accuracy", None, None, loss="sparse_categorical_crossentropy").name
        == "accuracy"
    )
    with pytest.raises(ValueError, match="number of classes is unknown"):
        metrics.F1Score().init()


@pytest.mark.conformance
def test_rank1_outputs_with_all_ones_mask_match_unweighted_keras():
    keras = pytest.importorskip("keras")
    y = np.array([0.0, 1.0, 1.0])
    batches = [(y, np.array([0.2, 0.7, 0.6])), (y, np.array([0.1, 0.35, 0.3]))]
    m = metrics.BinaryCrossentropy()

    @jax.jit
    def run(batches):
        state = m.init()
        for yt, yp in batches:
            state = m.update(state, yt, yp, jnp.ones(3))  # the training step's padding mask
        return m.result(state)

    km = keras.metrics.BinaryCrossentropy()
    for yt, yp in batches:
        km.update_state(yt, yp)
    np.testing.assert_allclose(run(batches), km.result(), rtol=1e-6)
