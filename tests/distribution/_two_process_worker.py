"""One process of the two-process data-parallel test (run by test_multi_process.py).

Usage: python _two_process_worker.py PROCESS_ID PORT OUT.npz
Each process owns 2 CPU devices and half of the data; the global batch is both halves' local
batches. Writes the initial and final weights and the loss history.
"""

import os
import sys

import numpy as np

LOCAL_ROWS, LOCAL_BATCH, PREDICT_ROWS = 12, 4, 10
UNAVAILABLE = 77  # exit status: no multi-process CPU collectives in this jax


def data():
    rs = np.random.RandomState(0)
    x = rs.randn(2 * LOCAL_ROWS, 5).astype("float32")
    y = (x @ rs.randn(5, 2)).astype("float32")
    return x, y


def main(pid: int, port: int, out: str) -> None:
    # Only here, never on import: the pytest process imports data() and keeps its one device.
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    os.environ.setdefault("JNN_COMPILATION_CACHE", "0")
    import jax

    import jnn
    from jnn import distribution

    try:  # a jax without CPU collectives fails here: the test skips on UNAVAILABLE
        distribution.initialize(f"127.0.0.1:{port}", 2, pid, initialization_timeout=60)
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("start")
    except Exception as exc:  # noqa: BLE001 - reported to the test as a skip reason
        print(f"UNAVAILABLE: {type(exc).__name__}: {exc}", flush=True)
        sys.exit(UNAVAILABLE)
    distribution.set_distribution(distribution.DataParallel())
    model = jnn.Sequential(
        [jnn.layers.Dense(8, input_dim=5, activation="tanh"), jnn.layers.Dense(2)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    initial = model.get_weights()
    x, y = data()
    mine = slice(pid * LOCAL_ROWS, (pid + 1) * LOCAL_ROWS)
    history = model.fit(
        x[mine], y[mine], batch_size=LOCAL_BATCH, epochs=3, shuffle=False, verbose=0
    )
    params = model._train_state.params
    sharded = [str(a.sharding.spec) for a in jax.tree.leaves(params)]
    ev = model.evaluate(x[mine], y[mine], batch_size=LOCAL_BATCH, verbose=0)
    # each process predicts its own rows (10: the last local batch is padded)
    pred = model.predict(x[mine][:PREDICT_ROWS], batch_size=LOCAL_BATCH, verbose=0)
    np.savez(
        out,
        *model.get_weights(),
        initial=np.array(initial, dtype=object),
        loss=np.array(history.history["loss"]),
        evaluate=np.array(ev),
        pred=pred,
        devices=np.array([jax.device_count(), jax.local_device_count()]),
        sharded=np.array(sharded),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
