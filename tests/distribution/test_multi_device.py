"""DataParallel and ModelParallel on 8 forced CPU devices, against single-device training.

One subprocess (the main pytest process keeps its single CPU device) runs
``_eight_devices.py``; the tests read what it saw.
"""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TIMEOUT_S = 300


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    path = tmp_path_factory.mktemp("eight") / "out.npz"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run(
            [sys.executable, str(HERE / "_eight_devices.py"), str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the 8-device script did not finish within {TIMEOUT_S} s")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return np.load(path)


def _weights(seen, tag):
    return [seen[f"{tag}_w{i}"] for i in range(4)]


@pytest.mark.parametrize("tag", ["dp", "stream", "gen", "mp"])
def test_trains_like_one_device(seen, tag):
    """Same losses, weights, predictions and evaluation as single-device fit."""
    assert int(seen["devices"]) == 8
    np.testing.assert_allclose(seen[f"{tag}_loss"], seen["single_loss"], rtol=1e-5)
    for got, want in zip(_weights(seen, tag), _weights(seen, "single")):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(seen[f"{tag}_pred"], seen["single_pred"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(seen[f"{tag}_eval"], seen["single_eval"], rtol=1e-5)


def test_data_parallel_replicates_params_and_splits_the_padded_batch(seen):
    assert seen["single_ndev"].tolist() == [1, 1, 1, 1]
    for tag in ("dp", "stream", "gen"):
        assert seen[f"{tag}_ndev"].tolist() == [8, 8, 8, 8]
        assert all(s in ("P()", "P(None,)", "P(None, None)") for s in seen[f"{tag}_specs"])
    # batch 10 padded with masked rows to 16 = 2 rows on each of the 8 devices
    assert str(seen["dp_mask_shape"]) == "(4, 16)"
    assert str(seen["dp_mask_spec"]) == "P(None, 'batch')"
    assert bool(seen["dp_all_reduce"])  # XLA averages the gradients across devices


def test_model_parallel_shards_as_the_layout_says(seen):
    # leaves in tree order: dense/bias, dense/kernel, dense_1/bias, dense_1/kernel
    expected = ["P('model',)", "P(None, 'model')"] * 2
    assert seen["mp_specs"].tolist() == expected
    assert seen["mp_mu_specs"].tolist() == expected  # Adam's slots follow their parameter
    assert seen["mp_ndev"].tolist() == [8, 8, 8, 8]
