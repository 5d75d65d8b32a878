"""fit with every Keras optimizer equals Keras 3: History, weights, evaluate, parameter counts.

Keras's numbers for all cases are recorded in ``fit_golden.json`` (``make_golden.py``) so CI
does not pay for 11 Keras compilations; when the installed Keras is not the version that wrote
the file, every case is re-run live against it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import jnn
from tests.conformance import fit_cases
from tests.conformance.make_golden import GOLDEN

pytestmark = [pytest.mark.conformance]
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


def _assert_same(got: dict, expected: dict, case_id: str) -> None:
    # Keras 3.15 lists History keys alphabetically; jnn keeps Keras 2's order (loss first).
    assert set(got["history"]) == set(expected["history"]), case_id
    for key, values in expected["history"].items():
        np.testing.assert_allclose(got["history"][key], values, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case_id}: History[{key!r}]")  # fmt: skip
    assert set(got["evaluate"]) == set(expected["evaluate"]), case_id
    for key, value in expected["evaluate"].items():
        np.testing.assert_allclose(got["evaluate"][key], value, rtol=RTOL,
                                   err_msg=f"{case_id}: evaluate[{key!r}]")  # fmt: skip
    for i, (a, b) in enumerate(zip(got["weights"], expected["weights"])):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"{case_id}: weight {i}")
    assert got["count_params"] == expected["count_params"], case_id


@pytest.mark.parametrize("case", fit_cases.CASES, ids=[c[0] for c in fit_cases.CASES])
def test_fit_matches_keras_golden(case, golden):
    _assert_same(fit_cases.run(jnn, case), golden[case[0]], case[0])


def test_training_moved_the_weights(golden):
    # Guards the comparison itself: every case trains far enough for 1e-5 to mean something.
    start = fit_cases.initial_weights()
    for case_id, _, _, _ in fit_cases.CASES:
        moved = max(
            np.max(np.abs(np.asarray(w) - s)) for w, s in zip(golden[case_id]["weights"], start)
        )
        assert moved > 1e-3, case_id


@pytest.mark.user_code  # Keras itself relies on implicit rank promotion
def test_golden_file_is_current(golden):
    """The golden numbers come from the installed Keras; with another version, re-run live."""
    keras = pytest.importorskip("keras")
    if keras.__version__ == golden["keras_version"]:  # cheap check: same model, same weights
        model = fit_cases.build(keras)
        assert model.count_params() == golden["adam"]["count_params"]
        assert [tuple(w.shape) for w in model.get_weights()] == [
            w.shape for w in fit_cases.initial_weights()
        ]
        return
    for case in fit_cases.CASES:  # a different Keras: every case live (regenerate the file)
        _assert_same(
            fit_cases.run(keras, case), golden[case[0]], f"{case[0]} (Keras {keras.__version__})"
        )


def test_summary_reports_keras_param_counts(golden, capsys):
    model = fit_cases.build(jnn)
    model.summary()
    text = capsys.readouterr().out
    total = golden["adam"]["count_params"]
    assert f"Total params: {total}" in text
    assert f"Trainable params: {total}" in text
    assert "Non-trainable params: 0" in text
