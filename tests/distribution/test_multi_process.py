"""Two processes on 127.0.0.1 (jax.distributed, CPU collectives) train one data-parallel model.

Each process holds 2 CPU devices and half of the data; both must end with the same weights,
equal to one process training on the whole data with the same global batches.
"""

import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.distribution import _two_process_worker as worker

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("two_process")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("XLA_FLAGS", None)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_two_process_worker.py"),
                str(pid),
                str(port),
                str(out / f"w{pid}.npz"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for pid in (0, 1)
    ]
    logs = []
    try:
        for p in procs:
            logs.append(p.communicate(timeout=TIMEOUT_S)[0])
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        pytest.fail(f"two-process training did not finish within {TIMEOUT_S} s")
    if any(p.returncode == worker.UNAVAILABLE for p in procs):
        reason = next(line for log in logs for line in log.splitlines() if "UNAVAILABLE" in line)
        pytest.skip(f"multi-process CPU collectives are unavailable in this jax: {reason}")
    if any(p.returncode for p in procs):
        pytest.fail("a worker failed:\n" + "\n".join(log[-3000:] for log in logs))
    return [np.load(out / f"w{pid}.npz", allow_pickle=True) for pid in (0, 1)]


def _weights(npz):
    return [npz[f"arr_{i}"] for i in range(4)]


def test_both_processes_end_with_identical_weights(results):
    a, b = results
    assert a["devices"].tolist() == [4, 2]  # 4 global devices, 2 per process
    for wa, wb in zip(_weights(a), _weights(b)):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(a["loss"], b["loss"])
    np.testing.assert_array_equal(a["evaluate"], b["evaluate"])
    # initialize() gave both processes process 0's seed: identical initial weights
    for wa, wb in zip(a["initial"], b["initial"]):
        np.testing.assert_array_equal(wa, wb)
    assert set(a["sharded"].tolist()) <= {"P()", "P(None,)", "P(None, None)"}  # replicated


def test_equals_single_process_training(results):
    import jnn

    a = results[0]
    x, y = worker.data()
    n, b = worker.LOCAL_ROWS, worker.LOCAL_BATCH
    # global batch s = process 0's local batch s, then process 1's
    order = np.concatenate([np.r_[s : s + b, n + s : n + s + b] for s in range(0, n, b)])
    model = jnn.Sequential(
        [jnn.layers.Dense(8, input_dim=5, activation="tanh"), jnn.layers.Dense(2)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.set_weights(list(a["initial"]))
    history = model.fit(x[order], y[order], batch_size=2 * b, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(a["loss"], history.history["loss"], rtol=1e-5)
    for got, want in zip(_weights(a), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a["evaluate"], model.evaluate(x, y, verbose=0), rtol=1e-5)
    for pid, res in enumerate(results):  # predict: each process gets its own rows, in order
        rows = x[pid * n:(pid + 1) * n][: worker.PREDICT_ROWS]
        assert res["pred"].shape == (worker.PREDICT_ROWS, 2)
        np.testing.assert_allclose(res["pred"], model.predict(rows, verbose=0), rtol=1e-5,
                                   atol=1e-6)
