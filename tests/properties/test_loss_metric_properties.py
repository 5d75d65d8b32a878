"""Loss and metric properties with chex: reduction identities, weights, permutations, merges.

* losses: ``sum`` == batch x ``sum_over_batch_size``; ``none`` averages to
  ``sum_over_batch_size``; a sample_weight of ones is no weight; permuting the batch changes
  nothing;
* metrics: ``update(a ++ b) == merge(update(a), update(b))`` (states and results), the basis of
  exact epoch means and of multi-device reduction; ``update`` does not retrace per batch.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn import losses, metrics
from jnn.testing import assert_no_retrace
from tests.harness import examples

B, C = 6, 3  # fixed shapes: each loss and metric compiles once


def _targets(kind: str, rng: np.random.Generator):
    if kind == "prob":  # one-hot targets, softmax predictions
        y_true = np.eye(C, dtype=np.float32)[rng.integers(0, C, B)]
        logits = rng.standard_normal((B, C)).astype(np.float32)
        y_pred = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    elif kind == "binary":
        y_true = (rng.random((B, C)) < 0.5).astype(np.float32)
        y_pred = rng.uniform(0.05, 0.95, (B, C)).astype(np.float32)
    elif kind == "positive":
        y_true = rng.uniform(0.1, 2.0, (B, C)).astype(np.float32)
        y_pred = rng.uniform(0.1, 2.0, (B, C)).astype(np.float32)
    else:
        y_true = rng.standard_normal((B, C)).astype(np.float32)
        y_pred = rng.standard_normal((B, C)).astype(np.float32)
    return y_true, y_pred


LOSSES = {
    "MeanSquaredError": "real",
    "MeanAbsoluteError": "real",
    "MeanAbsolutePercentageError": "positive",
    "MeanSquaredLogarithmicError": "positive",
    "Huber": "real",
    "LogCosh": "real",
    "BinaryCrossentropy": "binary",
    "CategoricalCrossentropy": "prob",
    "Hinge": "binary",
    "SquaredHinge": "binary",
    "CategoricalHinge": "prob",
    "KLDivergence": "prob",
    "Poisson": "positive",
    "CosineSimilarity": "real",
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_reduction_identities(name):
    cls = getattr(losses, name)
    by_reduction = {r: cls(reduction=r) for r in ("sum", "sum_over_batch_size", "none")}

    @jax.jit
    def all_forms(y_true, y_pred, perm):
        mean = by_reduction["sum_over_batch_size"]
        return {
            "sum": by_reduction["sum"](y_true, y_pred),
            "mean": mean(y_true, y_pred),
            "none": by_reduction["none"](y_true, y_pred),
            "ones": mean(y_true, y_pred, sample_weight=jnp.ones((B,), jnp.float32)),
            "permuted": mean(y_true[perm], y_pred[perm]),
        }

    @settings(max_examples=examples(3), deadline=None, database=None)
    @given(seed=st.integers(0, 2**16))
    def run(seed):
        rng = np.random.default_rng(seed)
        y_true, y_pred = _targets(LOSSES[name], rng)
        out = all_forms(y_true, y_pred, rng.permutation(B))
        chex.assert_shape(out["none"], (B,))
        chex.assert_tree_all_finite(out)
        close = dict(rtol=1e-5, atol=1e-6)
        chex.assert_trees_all_close(out["sum"], B * out["mean"], **close)
        chex.assert_trees_all_close(jnp.mean(out["none"]), out["mean"], **close)
        chex.assert_trees_all_close(out["ones"], out["mean"], **close)
        chex.assert_trees_all_close(out["permuted"], out["mean"], **close)

    run()


METRICS = {
    "MeanSquaredError": ("real", {}),
    "MeanAbsoluteError": ("real", {}),
    "RootMeanSquaredError": ("real", {}),
    "BinaryAccuracy": ("binary", {}),
    "CategoricalAccuracy": ("prob", {}),
    "Precision": ("binary", {}),
    "Recall": ("binary", {}),
    "TruePositives": ("binary", {}),
    "AUC": ("binary", {"num_thresholds": 20}),
    "CosineSimilarity": ("real", {}),
    "F1Score": ("prob", {}),
}


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_states_merge_like_one_update(name):
    kind, kwargs = METRICS[name]
    metric = getattr(metrics, name)(**kwargs)
    metric.build((B, C), (B, C))
    half = B // 2

    def both(y_true, y_pred, w):
        whole = metric.update(metric.init(), y_true, y_pred, w)
        a = metric.update(metric.init(), y_true[:half], y_pred[:half], w[:half])
        b = metric.update(metric.init(), y_true[half:], y_pred[half:], w[half:])
        merged = metric.merge(a, b)
        return whole, merged, metric.result(whole), metric.result(merged)

    rng = np.random.default_rng(0)
    calls = []
    for _ in range(examples(2)):
        y_true, y_pred = _targets(kind, rng)
        calls.append((y_true, y_pred, rng.uniform(0.0, 2.0, (B,)).astype(np.float32)))
    # One compilation for every batch: update is a pure function of fixed-shape state.
    for whole, merged, r_whole, r_merged in assert_no_retrace(both, *calls):
        chex.assert_trees_all_equal_structs(whole, merged)
        chex.assert_trees_all_close(whole, merged, rtol=1e-5, atol=1e-5)
        chex.assert_trees_all_close(r_whole, r_merged, rtol=1e-5, atol=1e-5)
        chex.assert_tree_all_finite(r_whole)
