"""Every public loss class passes ``jax.test_util.check_grads`` on random inputs kept away from
its kinks; a new loss without a family below fails the completeness check."""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.test_util import check_grads

from jnn import losses

B, K = 4, 3
# Offsets of predictions from targets: away from 0 (|e| kinks) and from 1 (Huber, hinge).
_OFFSETS = np.array([-1.6, -0.7, -0.3, 0.3, 0.7, 1.6], np.float32)

# family -> loss classes; the family decides the targets and how z maps to y_pred.
FAMILIES = {
    "regression": ["MeanSquaredError", "MeanAbsoluteError", "Huber", "LogCosh", "CosineSimilarity"],
    "positive": ["MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Poisson"],
    "hinge": ["Hinge", "SquaredHinge", "CategoricalHinge"],
    "binary": ["BinaryCrossentropy", "BinaryFocalCrossentropy"],
    "categorical": ["CategoricalCrossentropy", "CategoricalFocalCrossentropy", "KLDivergence"],
    "sparse": ["SparseCategoricalCrossentropy"],
}


def _public_loss_classes() -> set[str]:
    return {
        name
        for name, obj in vars(losses).items()
        if inspect.isclass(obj)
        and issubclass(obj, losses.Loss)
        and obj not in (losses.Loss, losses.LossFunctionWrapper)
        and name == obj.__name__
    }


def test_every_public_loss_has_a_gradient_check():
    covered = {name for names in FAMILIES.values() for name in names}
    assert _public_loss_classes() == covered


def _inputs(family: str, rng: np.random.Generator):
    """(y_true, z, transform): the loss is differentiated at ``z``, y_pred = transform(z)."""
    off = rng.choice(_OFFSETS, size=(B, K)) * rng.uniform(1.0, 1.1, size=(B, K)).astype("float32")
    normal = rng.normal(size=(B, K)).astype("float32")
    if family == "regression":
        return normal, normal + off, lambda z: z
    if family == "positive":
        y = 2.0 + np.abs(normal)
        return y, y + off, lambda z: z
    if family == "hinge":
        y = rng.choice(np.array([-1.0, 1.0], np.float32), size=(B, K))
        return y, y * (1.0 + off), lambda z: z
    if family == "binary":
        return rng.integers(0, 2, (B, K)).astype("float32"), normal, jax.nn.sigmoid
    if family == "categorical":
        y = jax.nn.softmax(rng.normal(size=(B, K)).astype("float32"))
        return np.asarray(y), normal, jax.nn.softmax
    return rng.integers(0, K, (B,)), normal, jax.nn.softmax


# One example: tests/core/test_losses.py already runs check_grads on hand-picked inputs; this
# adds inputs built per family (away from kinks) for every public loss, new ones included.
@settings(max_examples=1, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_loss_gradients_pass_check_grads(seed):
    # Eager on purpose: 17 losses x (f, vjp) compilations cost more than these tiny ops.
    rng = np.random.default_rng(seed)
    for family, names in FAMILIES.items():
        y_true, z, transform = _inputs(family, rng)
        for name in names:
            loss = getattr(losses, name)()

            def f(z, loss=loss, y_true=y_true, transform=transform):
                return loss(y_true, transform(z))

            check_grads(f, (jnp.asarray(z),), order=1, modes=["rev"], atol=2e-2, rtol=2e-2)
