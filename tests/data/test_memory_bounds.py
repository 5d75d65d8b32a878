"""Host memory stays bounded under hostile arguments and large data (issue 16, item 4).

- ``batch_size`` far beyond the data (``10**9`` on 64 rows) is capped at the dataset size, as
  in Keras: no padded giant batch, same results as ``batch_size=64``.
- Array data just over the device-memory budget streams chunk by chunk like a generator: a
  memory-mapped dataset is never copied or gathered whole, its pages are released as it is
  read, and training sees the resident path's batches (same weights).

Both run in one fresh subprocess so its peak resident set (``VmHWM``, what ``ru_maxrss``
reports; reset between phases) measures these calls alone.
"""

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    r"""
    import json, resource, sys
    import numpy as np

    resource.setrlimit(resource.RLIMIT_DATA, (6 << 30, 6 << 30))  # a regression fails, not OOMs
    import jax
    import jnn

    def rss(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) << 10
        raise KeyError(field)

    def reset_peak():
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass

    def growth(fn):
        reset_peak()
        before = rss("VmRSS")
        out = fn()
        return out, rss("VmHWM") - before

    def model(d):
        jnn.utils.set_random_seed(0)
        m = jnn.Sequential([jnn.layers.Dense(4, activation="relu", input_dim=d),
                            jnn.layers.Dense(1)])
        m.compile(optimizer=jnn.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        m.initial = [np.array(w, copy=True) for w in m.get_weights()]
        return m

    def fresh(m):
        jnn.utils.set_random_seed(1)
        m.set_weights(m.initial)
        m.__dict__["_train_state"] = None
        m.__dict__["_opt_state_keep"] = None

    def weights(m):
        return [np.array(w, copy=True) for w in m.get_weights()]

    out = {}
    # -- batch_size far beyond the data -------------------------------------------------------
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 3)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")
    xv, yv = x[:40] + 1, y[:40]
    small = model(3)

    def run(b):
        fresh(small)
        h = small.fit(x, y, batch_size=b, epochs=2, verbose=0, validation_data=(xv, yv),
                      validation_batch_size=b)
        return (h.history, weights(small), small.evaluate(x, y, batch_size=b, verbose=0),
                small.predict(x, batch_size=b, verbose=0))

    ref = run(64)
    huge, grown = growth(lambda: run(10**9))
    out["batch"] = dict(growth=grown, same_history=huge[0] == ref[0],
                        weights=max(float(np.abs(a - b).max()) for a, b in zip(huge[1], ref[1])),
                        evaluate=abs(huge[2][0] - ref[2][0]),
                        predict=float(np.abs(huge[3] - ref[3]).max()))

    # -- a memmap just over the device-memory budget --------------------------------------------
    path, d = sys.argv[1], 256
    rows = int(sys.argv[2]) // (4 * d)
    mm = np.memmap(path, np.float32, "w+", shape=(rows, d))
    for i in range(0, rows, 8192):
        mm[i:i + 8192] = rng.normal(size=(min(8192, rows - i), d))
    mm.flush()
    del mm
    X = np.memmap(path, np.float32, "r", shape=(rows, d))
    Y = np.asarray(X[:, :1] * 0.5)
    big = model(d)
    jnn.config.set_device_memory_budget(X.nbytes - (4 << 20))
    fit = lambda: big.fit(X, Y, batch_size=256, epochs=1, verbose=0, shuffle=True)
    fresh(big)
    fit()  # compiles the streamed chunk programs outside the measurement
    fresh(big)
    _, grown = growth(fit)
    streamed = weights(big)
    jnn.config.set_device_memory_budget(None)  # default budget: the same data is resident
    fresh(big)
    fit()
    out["stream"] = dict(growth=grown, nbytes=int(X.nbytes), weights=max(
        float(np.abs(a - b).max()) for a, b in zip(streamed, weights(big))))
    print("RESULT " + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    path = tmp_path_factory.mktemp("memmap") / "x.f32"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), str(96 << 20)],
        capture_output=True, text=True, timeout=300,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_batch_size_beyond_the_data_is_capped(measured):
    got = measured["batch"]
    assert got["growth"] < 64 << 20, got  # a padded 10**9-row batch would be gigabytes
    assert got["same_history"], got
    assert got["weights"] < 1e-6 and got["evaluate"] < 1e-6 and got["predict"] < 1e-6, got


def test_array_data_over_the_budget_streams_with_bounded_memory(measured):
    got = measured["stream"]
    # A few 8 MB chunks, not the 96 MB dataset (or 2.6x of it); the file is read, not mapped.
    assert got["growth"] < got["nbytes"] // 4, got
    assert got["weights"] < 1e-6, got  # same batches, same order as the resident path


def test_streamed_memmap_rows_are_read_from_the_file(tmp_path):
    import numpy as np

    from jnn._shell.runtime import distribution

    path = tmp_path / "small.f32"
    w = np.memmap(path, np.float32, "w+", shape=(1000, 7))
    w[:] = np.arange(7000, dtype=np.float32).reshape(1000, 7)
    w.flush()
    r = np.memmap(path, np.float32, "r", shape=(1000, 7))
    rows = np.array([0, 1, 2, 7, 3, 4, 5, 99, 98, 97])  # runs and single rows
    for view in (np.asarray(r), r[10:], r[::3], r[5:500:2, 1:4], r[:, 2]):
        assert distribution._file_rows(view) is not None  # read with preadv, not the map
        np.testing.assert_array_equal(distribution.row_reader(view)(rows), view[rows])
    # Copy-on-write maps may hold edits that are not on disk: they are gathered in memory.
    c = np.memmap(path, np.float32, "c", shape=(1000, 7))
    c[3] = -1
    assert distribution._file_rows(c) is None
    np.testing.assert_array_equal(distribution.row_reader(c)(rows), c[rows])


def test_a_float64_memmap_over_the_budget_warns_before_its_copy(tmp_path):
    import numpy as np

    import jnn

    path = tmp_path / "x.f64"
    np.memmap(path, np.float64, "w+", shape=(8192, 64)).flush()  # 4 MiB, 2 MiB as float32
    x = np.memmap(path, np.float64, "r", shape=(8192, 64))
    model = jnn.Sequential([jnn.layers.Dense(1, input_dim=64)])
    model.compile("sgd", "mse")
    jnn.config.set_device_memory_budget(1 << 20)
    try:
        with pytest.warns(UserWarning, match="Store it as float32"):
            model.predict(x, verbose=0)
        jnn.config.set_device_memory_budget(4 << 20)  # its float32 copy fits: no warning
        model.predict(x, verbose=0)
    finally:
        jnn.config.set_device_memory_budget(None)
