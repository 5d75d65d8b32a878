"""Every public loss class passes ``jax.test_util.check_grads``.

The checks themselves live in tests/core/test_losses.py (``test_gradients`` on hand-picked
inputs, and the kinked losses away from their kinks). This guard fails when a public loss
class is added without joining one of them, so "every loss" stays every loss.
"""

from __future__ import annotations

import inspect
import re

import numpy as np

from jnn import losses
from tests.core import test_losses as core


def _public_loss_classes() -> set[str]:
    return {
        name
        for name, obj in vars(losses).items()
        if inspect.isclass(obj)
        and issubclass(obj, losses.Loss)
        and obj not in (losses.Loss, losses.LossFunctionWrapper)
        and name == obj.__name__
    }


def _classes_with_check_grads() -> set[str]:
    marks = [m for m in core.test_gradients.pytestmark if m.name == "parametrize"]
    cases = marks[0].args[1]
    smooth = {core._case(case, np.random.RandomState(0))[0] for case in cases}
    kinked = inspect.getsource(core.test_gradients_of_kinked_losses_away_from_kinks)
    return smooth | set(re.findall(r"losses\.(\w+)\(", kinked))


def test_every_public_loss_has_a_check_grads_test():
    public = _public_loss_classes()
    assert len(public) >= 17
    missing = public - _classes_with_check_grads()
    assert not missing, f"add check_grads cases in tests/core/test_losses.py for {sorted(missing)}"
