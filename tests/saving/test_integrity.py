"""Untrusted and damaged files: clear ValueErrors naming the file, atomic saves."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import jnn
from jnn import layers

X = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = jnn.Sequential([layers.Dense(2, input_shape=(3,), name="only")])
    path = str(tmp_path_factory.mktemp("integrity") / "good.keras")
    model.save(path)
    with open(path, "rb") as f:
        return model, path, f.read()


def _rewrite(src: str, dst: str, rename=None, extra=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            info.filename = (rename or {}).get(info.filename, info.filename)
            zout.writestr(info, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "assets/../../x"])
def test_path_traversal_members_are_refused(saved, tmp_path, member):
    _, path, _ = saved
    bad = str(tmp_path / "bad.keras")
    _rewrite(path, bad, extra={member: b"x"})
    with pytest.raises(ValueError, match="absolute path or '..'"):
        jnn.models.load_model(bad)


def test_forged_declared_size_is_refused(saved, tmp_path):
    _, path, _ = saved
    bad = str(tmp_path / "bomb.keras")
    _rewrite(path, bad)
    data = bytearray(Path(bad).read_bytes())
    # Central directory entry of config.json: patch its uncompressed size to 4 GiB.
    cd = data.find(b"PK\x01\x02")
    while cd != -1:
        name_len = int.from_bytes(data[cd + 28 : cd + 30], "little")
        name = bytes(data[cd + 46 : cd + 46 + name_len])
        if name == b"config.json":
            data[cd + 24 : cd + 28] = (2**32 - 1).to_bytes(4, "little")
        cd = data.find(b"PK\x01\x02", cd + 4)
    Path(bad).write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bomb.keras"):
        jnn.models.load_model(bad)


def test_wrong_format_and_missing_member(saved, tmp_path):
    _, path, _ = saved
    text = tmp_path / "notes.keras"
    text.write_text("hello")
    with pytest.raises(ValueError, match="neither a `.keras` zip archive nor an HDF5"):
        jnn.models.load_model(str(text))
    bad = str(tmp_path / "nocfg.keras")
    _rewrite(path, bad, rename={"config.json": "other.json"})
    with pytest.raises(ValueError, match="no 'config.json'"):
        jnn.models.load_model(bad)


def _mutations(good: bytes, seed: int, count: int):
    rng = np.random.default_rng(seed)
    for case in range(count):
        data = bytearray(good)
        if case % 3 == 0:
            data = data[: int(rng.integers(0, len(data)))]
        else:
            for pos in rng.integers(0, len(data), size=int(rng.integers(1, 9))):
                data[pos] ^= int(rng.integers(1, 256))
        yield case, bytes(data)


def test_fuzzed_keras_files_raise_clear_errors(saved, tmp_path):
    """Seeded byte flips and truncations: a ValueError naming the file, or identical weights
    (the zip's CRCs catch every change to a member's bytes)."""
    model, _, good = saved
    expected = model.get_weights()
    errors = 0
    for case, data in _mutations(good, 1234, 36):
        path = tmp_path / f"fuzz_{case}.keras"
        path.write_bytes(data)
        try:
            loaded = jnn.models.load_model(str(path))
        except ValueError as e:
            assert f"fuzz_{case}.keras" in str(e), str(e)
            errors += 1
            continue
        # Flips in bytes nobody reads (zip comments, padding) may leave a valid file.
        for a, b in zip(loaded.get_weights(), expected, strict=True):
            np.testing.assert_array_equal(a, b)
    assert errors >= 30


def test_fuzzed_h5_files_raise_clear_errors(saved, tmp_path):
    """Legacy HDF5 has no checksums: a damaged file raises a ValueError naming it, or loads
    (possibly with changed values); never another exception."""
    model, _, _ = saved
    good_path = tmp_path / "good.h5"
    model.save(str(good_path))
    errors = 0
    for case, data in _mutations(good_path.read_bytes(), 99, 24):
        path = tmp_path / f"fuzz_{case}.h5"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged compile config only warns
            try:
                jnn.models.load_model(str(path))
            except ValueError as e:
                assert f"fuzz_{case}.h5" in str(e), str(e)
                errors += 1
    assert errors >= 8  # every truncation at least


_CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    import jnn
    model = jnn.Sequential([jnn.layers.Dense(64, input_shape=(256,), name="big")])
    model.set_weights([np.full((256, 64), 1.0, "f"), np.zeros(64, "f")])
    model.save(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        model.set_weights([np.full((256, 64), float(i % 7 + 1), "f"), np.zeros(64, "f")])
        model.save(sys.argv[1])
    """
)


@pytest.mark.slow
def test_sigkill_during_save_leaves_a_complete_file(tmp_path):
    path = str(tmp_path / "atomic.keras")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, path], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.4)  # many saves in flight
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        child.stdout.close()
    loaded = jnn.models.load_model(path)
    kernel = loaded.get_weights()[0]
    assert kernel.shape == (256, 64)
    assert np.all(kernel == kernel[0, 0]) and 1.0 <= kernel[0, 0] <= 7.0
    leftovers = [n for n in os.listdir(tmp_path) if n != "atomic.keras"]
    assert all(n.startswith(".atomic.keras.tmp-") for n in leftovers)  # killed writes


def test_external_links_in_weights_are_refused(tmp_path):
    """A weights file must not make the reader open other files (HDF5 external links)."""
    import h5py

    model = jnn.Sequential([layers.Dense(2, input_shape=(3,), name="only")])
    path = tmp_path / "linked.weights.h5"
    model.save_weights(str(path))
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["data"] = np.ones((3, 2), np.float32)
    with h5py.File(path, "a") as f:
        group = f[f"layers/{next(iter(f['layers']))}/vars"]
        del group["0"]
        group["0"] = h5py.ExternalLink(str(secret), "data")
    with pytest.raises(ValueError, match="is an external link"):
        model.load_weights(str(path))
