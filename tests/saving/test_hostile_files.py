"""Hostile and damaged model files (issue 16 items 2, 4, 6, 7): every file is crafted here.

* a weights file never reads another file (external storage, links, virtual datasets,
  plugin filters, references), in ``.weights.h5``, ``.keras`` and legacy ``.h5``;
* a config that implies more weights than the file holds is refused before allocating;
* zip bombs and duplicate members are refused early;
* safe mode resolves no arbitrary numpy / os / builtins function;
* damaged files raise ValueErrors naming the file (seeded fuzz);
* killed saves' temporaries are removed by the next save to the same target, and only those.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
import zipfile
from pathlib import Path

import h5py
import jax
import numpy as np
import pytest

import jnn
from jnn import layers
from jnn._shell.runtime import atomic

SECRET = np.arange(6, dtype=np.float32) + 1000.0  # bytes a crafted file tries to load


@pytest.fixture(scope="module")
def model():
    m = jnn.Sequential([layers.InputLayer(batch_shape=(None, 3)), layers.Dense(2, name="d")])
    m.set_weights([np.full((3, 2), 0.5, np.float32), np.zeros(2, np.float32)])
    return m


@pytest.fixture(scope="module")
def files(model, tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    paths = {"weights": d / "m.weights.h5", "keras": d / "m.keras", "h5": d / "m.h5"}
    model.save_weights(str(paths["weights"]))
    model.save(str(paths["keras"]))
    model.save(str(paths["h5"]))
    return paths


# --- crafting helpers -------------------------------------------------------------------------
def _kernel_path(f: h5py.File) -> tuple[h5py.Group, str]:
    """The group holding the Dense kernel (dataset '0' or the legacy weight name)."""
    if "model_weights" in f:
        group = f["model_weights/d"]
        return group, [n for n in _datasets(group) if "kernel" in n][0]
    return f["layers/dense/vars"], "0"


def _datasets(group: h5py.Group) -> list[str]:
    names = []
    group.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    return names


def _craft(files, kind: str, tmp_path: Path, edit) -> Path:
    """A copy of the saved ``kind`` file whose HDF5 part went through ``edit(h5py.File)``."""
    if kind != "keras":
        out = tmp_path / files[kind].name
        shutil.copy(files[kind], out)
        with h5py.File(out, "a") as f:
            edit(f)
        return out
    member = tmp_path / "member.h5"
    with zipfile.ZipFile(files["keras"]) as z:
        member.write_bytes(z.read("model.weights.h5"))
    with h5py.File(member, "a") as f:
        edit(f)
    out = tmp_path / "m.keras"
    _rezip(files["keras"], out, {"model.weights.h5": member.read_bytes()})
    return out


def _rezip(src: Path, dst: Path, replace: dict, compress=zipfile.ZIP_STORED, extra=()):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info))
            zout.writestr(info.filename, data, compress)
        for name, data in extra:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
                zout.writestr(name, data)


def _load(kind: str, path: Path, model):
    if kind == "weights":
        return model.load_weights(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jnn.models.load_model(str(path))


KINDS = ["weights", "keras", "h5"]


# --- item 2: nothing outside the file -----------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_external_storage_is_refused_and_never_read(model, files, tmp_path, kind):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET.tobytes())

    def edit(f):
        group, name = _kernel_path(f)
        del group[name]
        group.create_dataset(name, (3, 2), "f4", external=[(str(secret), 0, SECRET.nbytes)])

    path = _craft(files, kind, tmp_path, edit)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"stores its bytes in external file.*secret\.bin") as e:
        _load(kind, path, model)
    assert path.name in str(e.value) and "kernel" in str(e.value) or "vars/0" in str(e.value)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)  # the secret's values never reached the model


def test_external_storage_on_a_fifo_does_not_hang(model, files, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = threading.Event()
    unblocked = []

    def unblock():  # a regression would block in open(): give it a writer so the test ends
        while not done.wait(0.2):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                unblocked.append(True)
            except OSError:
                pass

    def edit(f):
        group, name = _kernel_path(f)
        del group[name]
        group.create_dataset(name, (3, 2), "f4", external=[(str(fifo), 0, 24)])

    path = _craft(files, "weights", tmp_path, edit)
    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    try:
        with pytest.raises(ValueError, match="external file"):
            model.load_weights(str(path))
    finally:
        done.set()
        thread.join(5)
    assert not unblocked  # nobody ever opened the FIFO for reading


def _soft_link(f):
    group, name = _kernel_path(f)
    f["elsewhere"] = group[name][()]
    del group[name]
    group[name] = h5py.SoftLink("/elsewhere")


def _virtual(f):
    group, name = _kernel_path(f)
    del group[name]
    layout = h5py.VirtualLayout(shape=(3, 2), dtype="f4")
    layout[:] = h5py.VirtualSource("/etc/other.h5", "data", shape=(3, 2))
    group.create_virtual_dataset(name, layout)


def _plugin_filter(f):
    group, name = _kernel_path(f)
    del group[name]
    group.create_dataset(
        name, data=np.ones((3, 2), "f4"), chunks=(3, 2), compression=32001,
        allow_unknown_filter=True,
    )


def _reference_attr(f):
    f.attrs["pointer"] = f["/"].ref


def _reference_dataset(f):
    f.create_dataset("refs", data=[f["/"].ref], dtype=h5py.ref_dtype)


def _external_link_elsewhere(f):
    f["unused"] = h5py.ExternalLink("/etc/passwd.h5", "/x")  # even outside the weight groups


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_soft_link, "is a soft link"),
        (_virtual, "virtual dataset"),
        (_plugin_filter, "filter 32001"),
        (_reference_attr, "attribute 'pointer'.*references"),
        (_reference_dataset, "'/refs' holds object or region references"),
        (_external_link_elsewhere, "'/unused' is an external link"),
    ],
)
@pytest.mark.parametrize("kind", ["weights", "keras"])
def test_features_reaching_outside_the_file_are_refused(model, files, tmp_path, kind, edit,
                                                        message):
    path = _craft(files, kind, tmp_path, edit)
    with pytest.raises(ValueError, match=message):
        _load(kind, path, model)


def test_legacy_h5_with_an_external_link_is_refused(files, tmp_path):
    path = _craft(files, "h5", tmp_path, _external_link_elsewhere)
    with pytest.raises(ValueError, match="'/unused' is an external link"):
        jnn.models.load_model(str(path))


def test_multi_file_drivers_are_not_opened(model, tmp_path):
    """A split-driver file needs its sibling file: the default driver refuses it."""
    with h5py.File(tmp_path / "s", "w", driver="split") as f:
        f["x"] = np.ones(3)
    meta = tmp_path / "s.weights.h5"
    os.rename(tmp_path / "s-m.h5", meta)
    with pytest.raises(ValueError, match="not a valid HDF5"):
        model.load_weights(str(meta))


# --- item 4a: weights implied by the config are checked before they exist ---------------------
def _hostile_keras(files, tmp_path: Path, name: str, patch) -> Path:
    with zipfile.ZipFile(files["keras"]) as z:
        config = json.loads(z.read("config.json"))
    patch(config["config"]["layers"])
    out = tmp_path / name
    _rezip(files["keras"], out, {"config.json": json.dumps(config).encode()})
    return out


def _wide_input(layer_list):
    layer_list[0]["config"]["batch_shape"] = [None, 500_000_000]


def _huge_conv(layer_list):
    layer_list[0]["config"]["batch_shape"] = [None, 8, 8, 3]
    layer_list[1] = {
        "module": "keras.layers", "class_name": "Conv2D", "registered_name": None,
        "config": {"name": "conv", "filters": 50_000_000, "kernel_size": [3, 3]},
    }


def _wide_pooled_input(layer_list):
    layer_list[0]["config"]["batch_shape"] = [None, 500_000_000, 1]
    layer_list.insert(1, {
        "module": "keras.layers", "class_name": "GlobalAveragePooling1D",
        "registered_name": None, "config": {"name": "gap"},
    })


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (_wide_input, r"implies 4\.0 GB of weights.*Layer 'd' alone.*\(500000000, 2\)"),
        (_huge_conv, r"Layer 'conv' alone would create 5\.6 GB"),
        (_wide_pooled_input, r"allocate an array of shape \(1, 500000000, 1\)"),
    ],
)
def test_config_larger_than_its_weights_is_refused_before_allocating(
    files, tmp_path, monkeypatch, patch, message
):
    from jnn._shell.models.model import Model

    path = _hostile_keras(files, tmp_path, "big.keras", patch)
    assert path.stat().st_size < 50_000
    inits = []
    real_init = Model.init

    def spy(self, key, spec):
        if not isinstance(key, jax.core.Tracer):  # abstract traces allocate nothing
            inits.append(self)
        return real_init(self, key, spec)

    monkeypatch.setattr(Model, "init", spy)
    with pytest.raises(ValueError, match=message) as e:
        jnn.models.load_model(str(path))
    assert "big.keras" in str(e.value)
    assert not inits  # refused from abstract shapes: no weight was ever initialised


def test_many_nested_models_are_refused_in_all(files, tmp_path):
    """Each nested model fits the slack alone (8 MB); 12 of them do not (100 MB)."""

    def sub(i):
        return {
            "module": "keras", "class_name": "Sequential", "registered_name": None,
            "build_config": {"input_shape": [None, 1024]},
            "config": {"name": f"sub{i}", "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                 "config": {"batch_shape": [None, 1024], "name": f"in{i}"}},
                {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
                 "config": {"name": f"d{i}", "units": 2048}},
            ]},
        }

    def patch(layer_list):
        layer_list[0]["config"]["batch_shape"] = [None, 1024]
        layer_list[1:] = [sub(i) for i in range(12)]

    path = _hostile_keras(files, tmp_path, "nested.keras", patch)
    with pytest.raises(ValueError, match=r"the models its config nests would create") as e:
        jnn.models.load_model(str(path))
    assert "'sub7'" in str(e.value)  # the 8th of 12, long before their parent is built


def test_declared_but_unwritten_datasets_do_not_raise_the_limit(files, tmp_path):
    """A 4 TB dataset declared in a few bytes (chunks never written) holds no weights."""
    member = tmp_path / "member.h5"
    with zipfile.ZipFile(files["keras"]) as z:
        member.write_bytes(z.read("model.weights.h5"))
        config = json.loads(z.read("config.json"))
    with h5py.File(member, "a") as f:
        f.create_dataset("padding", shape=(10**12,), dtype="f4", chunks=(4096,))
    _wide_input(config["config"]["layers"])
    out = tmp_path / "padded.keras"
    _rezip(files["keras"], out, {
        "model.weights.h5": member.read_bytes(), "config.json": json.dumps(config).encode(),
    })
    with pytest.raises(ValueError, match=r"implies 4\.0 GB of weights.*holds only 32 bytes"):
        jnn.models.load_model(str(out))


_RSS_CHILD = textwrap.dedent(
    """
    import sys
    import jnn
    for path in sys.argv[1:]:
        try:
            jnn.models.load_model(path)
            print("LOADED", path)
        except ValueError as e:
            print("refused:", str(e)[:80])
    # VmHWM is this process image's own peak; ru_maxrss would also count the peak of the
    # pytest worker that spawned us (Linux carries it across exec).
    with open("/proc/self/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM:"))
    print("peak_mb", int(hwm.split()[1]) / 1024)
    """
)


def test_hostile_configs_keep_peak_memory_small(files, tmp_path):
    """In a fresh process: three hostile 40 KB files (4 GB Dense kernel, 5.6 GB Conv2D
    kernel, 2 GB dummy input) load with the interpreter's own footprint (was 2.5-18 GB)."""
    paths = [
        str(_hostile_keras(files, tmp_path, f"{p.__name__}.keras", p))
        for p in (_wide_input, _huge_conv, _wide_pooled_input)
    ]
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, *paths], capture_output=True, text=True, env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("refused:") == 3, out.stdout
    peak = float(out.stdout.split("peak_mb")[1])
    assert peak < 1000, out.stdout  # jax + jnn alone: ~250 MB


# --- item 4b: zip bombs ---------------------------------------------------------------------------
def test_zip_bomb_weights_member_is_refused_early(files, tmp_path):
    """72 MiB of zeros deflated to ~70 KB (ratio ~1000): refused from the header."""
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(files["keras"]) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for info in zin.infolist():
            if info.filename != "model.weights.h5":
                zout.writestr(info.filename, zin.read(info))
        info = zipfile.ZipInfo("model.weights.h5")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w") as member:
            zeros = bytes(1 << 20)
            for _ in range(72):
                member.write(zeros)
    assert bomb.stat().st_size < 1 << 20
    start = time.perf_counter()
    with pytest.raises(ValueError, match="ratio above 100"):
        jnn.models.load_model(str(bomb))
    assert time.perf_counter() - start < 2.0


def test_deflated_weights_member_still_loads(model, files, tmp_path):
    """A re-zipped (deflated) but genuine file loads: the member is inflated to a temp file."""
    out = tmp_path / "deflated.keras"
    _rezip(files["keras"], out, {}, compress=zipfile.ZIP_DEFLATED)
    loaded = jnn.models.load_model(str(out))
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# --- item 6: duplicates, safe mode, fuzz -------------------------------------------------------
def test_duplicate_members_are_refused(files, tmp_path):
    with zipfile.ZipFile(files["keras"]) as z:
        config = json.loads(z.read("config.json"))
    config["config"]["layers"][1]["config"]["units"] = 7
    out = tmp_path / "dup.keras"
    _rezip(files["keras"], out, {}, extra=[("config.json", json.dumps(config))])
    with pytest.raises(ValueError, match="holds member 'config.json' more than once"):
        jnn.models.load_model(str(out))


@pytest.mark.parametrize(
    ("module", "name", "target"),
    [("numpy", "savetxt", (np, "savetxt")), ("os", "system", (os, "system")),
     ("builtins", "eval", (__import__("builtins"), "eval")),
     ("numpy.lib.npyio", "savetxt", (np, "savetxt"))],
)
def test_safe_mode_resolves_no_arbitrary_function(files, tmp_path, monkeypatch, module, name,
                                                  target):
    calls = []
    monkeypatch.setattr(*target, lambda *a, **k: calls.append(a))
    if module == "numpy.lib.npyio":
        import numpy.lib.npyio as npyio

        monkeypatch.setattr(npyio, "savetxt", lambda *a, **k: calls.append(a), raising=False)

    def patch(layer_list):
        layer_list[1]["config"]["activation"] = {
            "module": module, "class_name": "function", "config": name, "registered_name": name,
        }

    path = _hostile_keras(files, tmp_path, "fn.keras", patch)
    with pytest.raises(ValueError, match=f"Could not locate function '{name}'.*safe mode"):
        jnn.models.load_model(str(path))
    assert not calls


def test_safe_mode_still_resolves_activations_by_module(files, tmp_path):
    def patch(layer_list):
        layer_list[1]["config"]["activation"] = {
            "module": "jax.nn", "class_name": "function", "config": "relu",
            "registered_name": None,
        }

    path = _hostile_keras(files, tmp_path, "relu.keras", patch)
    loaded = jnn.models.load_model(str(path))
    assert loaded.layers[-1].activation.__name__ == "relu"


def _mutations(good: bytes, seed: int, count: int):
    rng = np.random.default_rng(seed)
    for case in range(count):
        data = bytearray(good)
        if case % 4 == 0:
            data = data[: int(rng.integers(0, len(data)))]
        else:
            for pos in rng.integers(0, len(data), size=int(rng.integers(1, 9))):
                data[pos] ^= int(rng.integers(1, 256))
        yield case, bytes(data)


@pytest.mark.parametrize(("kind", "count"), [("weights", 200), ("h5", 120)])
def test_fuzzed_hdf5_files_raise_only_clear_errors(model, files, tmp_path, kind, count):
    """HDF5 has no checksums: a damaged file loads or raises a ValueError naming it; never
    OverflowError, RuntimeError ('Object visitation failed'), TypeError..."""
    good = files[kind].read_bytes()
    errors = 0
    for case, data in _mutations(good, 16, count):
        path = tmp_path / f"fuzz_{case}{'.weights.h5' if kind == 'weights' else '.h5'}"
        path.write_bytes(data)
        try:
            _load(kind, path, model)
        except ValueError as e:
            assert path.name in str(e), f"case {case}: {e}"
            errors += 1
        finally:
            path.unlink()
    assert errors >= count // 4  # every truncation at least


# --- item 7: temporaries of killed saves ---------------------------------------------------------
def _temp_name(target: str, pid: int, start: str, host: str | None = None) -> str:
    host = host or atomic._HOST
    suffix = target[target.index("."):]
    return f".{target}.tmp-{pid}-{start}-0123456789ab-{host}{suffix}"


def test_a_save_removes_dead_writers_temporaries_only(model, tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    reaped = subprocess.Popen([sys.executable, "-c", "pass"])
    reaped.wait()
    try:
        me = os.getpid()
        names = {
            "dead_pid": _temp_name("m.keras", 99_999_999, "0"),
            "reaped_child": _temp_name("m.keras", reaped.pid, "12345"),
            "reused_pid": _temp_name("m.keras", me, "1"),  # our pid, another start time
            "live_self": _temp_name("m.keras", me, atomic._start_time(me)),
            "live_child": _temp_name("m.keras", sleeper.pid, atomic._start_time(sleeper.pid)),
            "other_host": _temp_name("m.keras", 99_999_999, "0", host="elsewhere"),
            "other_target": _temp_name("n.keras", 99_999_999, "0"),
            "old_format": ".tmp-0123456789abcdef0123456789abcdef.keras",
            "unrelated": "notes.txt",
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b"partial")
        model.save(str(tmp_path / "m.keras"))
        left = set(os.listdir(tmp_path))
    finally:
        sleeper.kill()
        sleeper.wait()
    gone = {k for k, n in names.items() if n not in left}
    assert gone == {"dead_pid", "reaped_child", "reused_pid"}
    assert "m.keras" in left


def test_nested_atomic_writes_use_one_temporary(model, tmp_path, monkeypatch):
    """ModelCheckpoint wraps model.save in atomic_write: one `.tmp-` name, not two."""
    from jnn._shell.callbacks.monitor import atomic_write

    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: replaced.append(a) or real_replace(a, b))
    target = tmp_path / "ckpt.keras"
    atomic_write(str(target), lambda p: model.save(p, overwrite=True))
    assert len(replaced) == 1
    name = os.path.basename(replaced[0])
    assert name.startswith(".ckpt.keras.tmp-") and name.count(".tmp-") == 1, name
    assert os.listdir(tmp_path) == ["ckpt.keras"]


def test_temporaries_of_long_names_fit_the_file_system(model, tmp_path):
    target = tmp_path / ("x" * 150 + "." + "v" * 60 + ".weights.h5")
    dead = atomic._prefix(target.name) + f"99999999-0-0123456789ab-{atomic._HOST}"
    (tmp_path / (dead + atomic._suffix(target.name))).write_bytes(b"partial")
    model.save_weights(str(target))
    assert os.listdir(tmp_path) == [target.name]


_KILLED_WRITER = textwrap.dedent(
    """
    import importlib.util, sys, time
    spec = importlib.util.spec_from_file_location("atomic", sys.argv[1])
    atomic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(atomic)
    with atomic.atomic_path(sys.argv[2]) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"half a model")
            f.flush()
        print(tmp, flush=True)
        time.sleep(120)
    """
)


def test_sigkill_mid_save_then_a_save_cleans_up(model, tmp_path):
    target = tmp_path / "m.keras"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, atomic.__file__, str(target)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        tmp = child.stdout.readline().strip()
        assert os.path.exists(tmp) and os.path.basename(tmp).startswith(".m.keras.tmp-")
        model.save(str(target))  # the writer is alive: its temporary stays
        assert os.path.exists(tmp)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert os.path.exists(tmp)  # what a killed save leaves
    model.save(str(target))
    assert os.listdir(tmp_path) == ["m.keras"]
    jnn.models.load_model(str(target))
