"""get_file and the downloadable data sets over REAL local HTTP (a server on 127.0.0.1).

The fixture files are built here; the data-set tests swap Keras's hashes for the fixtures'.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import os
import pickle
import subprocess
import sys
import tarfile
import threading
import time

import numpy as np
import pytest

from jnn.datasets import (
    _remote,
    boston_housing,
    california_housing,
    cifar10,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from jnn.utils import file_utils


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    hits: dict = {}

    def do_GET(self):  # noqa: N802 - http.server's name
        name = self.path.lstrip("/")
        self.hits[name] = self.hits.get(name, 0) + 1
        body, mode = self.routes.get(name, (None, "404"))
        if mode == "404" or (mode == "503-once" and self.hits[name] == 1):
            self.send_error(404 if mode == "404" else 503)
            return
        self.send_response(200)
        if mode in ("endless", "cut-no-length"):  # HTTP/1.0: the body ends when the socket does
            self.end_headers()
            try:
                if mode == "cut-no-length":
                    self.wfile.write(body[: len(body) // 2])
                    return
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:  # a server that never ends its body
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "trickle":  # one byte every 50 ms: every read gets something, slowly
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            return
        if mode == "truncate":  # the connection drops half way
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("JNN_HOME", str(tmp_path / "home"))
    _Handler.routes.clear()
    _Handler.hits.clear()
    return tmp_path / "home"


def _serve(name, body, mode="ok"):
    _Handler.routes[name] = (body, mode)
    return hashlib.sha256(body).hexdigest()


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _leftovers(directory):
    return sorted(p for p in os.listdir(directory) if p.endswith(".part"))


def test_download_then_cache_hit_makes_no_second_request(server, home, capsys):
    sha = _serve("a.bin", b"hello jnn" * 100)
    path = file_utils.get_file("a.bin", origin=server + "a.bin", file_hash=sha)
    assert path == str(home / "datasets" / "a.bin")
    assert _read(path) == b"hello jnn" * 100
    assert f"Downloading data from {server}a.bin" in capsys.readouterr().out
    again = file_utils.get_file("a.bin", origin=server + "a.bin", file_hash=sha)
    assert again == path and _Handler.hits["a.bin"] == 1
    assert _leftovers(home / "datasets") == []


def test_checksum_mismatch_rejects_the_file(server, home):
    _serve("b.bin", b"tampered")
    with pytest.raises(
        ValueError, match="sha256 hash is .* expected 0{64}. The file was not saved"
    ):
        file_utils.get_file("b.bin", origin=server + "b.bin", file_hash="0" * 64)
    assert os.listdir(home / "datasets") == []


def test_interrupted_download_leaves_no_partial_file(server, home):
    _serve("c.bin", b"x" * 10000, mode="truncate")
    with pytest.raises(OSError, match=r"c\.bin.*after 2 attempt.*place it at .*c\.bin"):
        file_utils.get_file("c.bin", origin=server + "c.bin", retries=1)
    assert os.listdir(home / "datasets") == []
    assert _Handler.hits["c.bin"] == 2  # retried once


def test_transient_error_is_retried(server, home):
    sha = _serve("d.bin", b"payload", mode="503-once")
    path = file_utils.get_file("d.bin", origin=server + "d.bin", file_hash=sha)
    assert _read(path) == b"payload" and _Handler.hits["d.bin"] == 2


def test_offline_error_names_url_and_manual_path(home):
    url = "http://127.0.0.1:9/mnist.npz"  # the discard port: connection refused
    with pytest.raises(OSError) as info:
        file_utils.get_file("mnist.npz", origin=url, retries=0)
    msg = str(info.value)
    assert url in msg and str(home / "datasets" / "mnist.npz") in msg and "by hand" in msg


def test_missing_file_is_not_retried(server, home):
    with pytest.raises(OSError, match="HTTP 404"):
        file_utils.get_file("nope.bin", origin=server + "nope.bin")
    assert _Handler.hits["nope.bin"] == 1


def test_bad_cached_file_is_downloaded_again(server, home):
    sha = _serve("e.bin", b"good")
    os.makedirs(home / "datasets")
    (home / "datasets" / "e.bin").write_bytes(b"stale")
    path = file_utils.get_file("e.bin", origin=server + "e.bin", file_hash=sha)
    assert _read(path) == b"good"


# --- bounded downloads: size, time, integrity, temporaries, names ------------------------------


def test_endless_body_without_length_stops_at_max_size(server, home, monkeypatch):
    _serve("endless.bin", b"", mode="endless")
    start = time.monotonic()
    with pytest.raises(ValueError, match=r"exceeds 1,048,576 bytes without announcing"):
        file_utils.get_file("endless.bin", origin=server + "endless.bin", file_hash="0" * 64,
                            max_size=1 << 20)
    monkeypatch.setenv("JNN_MAX_DOWNLOAD_SIZE", str(1 << 19))  # the configurable default
    with pytest.raises(ValueError, match=r"exceeds 524,288 bytes.*JNN_MAX_DOWNLOAD_SIZE"):
        file_utils.get_file("endless.bin", origin=server + "endless.bin")
    assert time.monotonic() - start < 10
    assert os.listdir(home / "datasets") == [] and _Handler.hits["endless.bin"] == 2  # no retry


def test_announced_length_over_max_size_is_refused_before_reading(server, home):
    _serve("big.bin", b"x" * 10_000)
    with pytest.raises(ValueError, match=r"announces 10,000 bytes.*at most 1,000"):
        file_utils.get_file("big.bin", origin=server + "big.bin", max_size=1000)
    assert os.listdir(home / "datasets") == []


def test_dataset_downloads_are_bounded_by_their_expected_size(server, home, monkeypatch):
    _serve("mnist.npz", b"", mode="endless")
    monkeypatch.setitem(_remote.MAX_SIZES, "mnist.npz", 1 << 18)
    with pytest.raises(ValueError, match=r"exceeds 262,144 bytes"):
        mnist.load_data(base_url=server)
    assert _leftovers(home / "datasets") == []


def _tar(gz: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tar:
        for i in range(4):
            raw = os.urandom(3000)
            info = tarfile.TarInfo(f"member{i}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


_FORMATS = {
    "a.gz": lambda: gzip.compress(os.urandom(20_000)),
    "a.npz": lambda: _npz(x=np.arange(5000)),
    "a.tar": lambda: _tar(gz=False),
    "a.tar.gz": lambda: _tar(gz=True),
}


@pytest.mark.parametrize("name", sorted(_FORMATS))
def test_body_cut_short_without_length_is_never_cached(server, home, name):
    body = _FORMATS[name]()
    assert file_utils.integrity_error  # the check exists; the good file passes it:
    _serve(name, body)
    path = file_utils.get_file(name, origin=server + name, cache_subdir="good")
    assert _read(path) == body
    _serve(name, body, mode="cut-no-length")
    with pytest.raises(OSError, match=r"incomplete or corrupt: .*after 2 attempt"):
        file_utils.get_file(name, origin=server + name, retries=1)
    assert os.listdir(home / "datasets") == []


def test_corrupt_cached_file_is_downloaded_again_once(server, home, capsys):
    body = gzip.compress(b"\0" * 8 + bytes(range(10)))
    _serve("train-labels-idx1-ubyte.gz", body)
    cached = home / "datasets" / "labels.gz"
    os.makedirs(cached.parent)
    cached.write_bytes(body[:-6])  # a body cut short, cached by an older version
    path = file_utils.get_file("labels.gz", origin=server + "train-labels-idx1-ubyte.gz")
    assert _read(path) == body and _Handler.hits["train-labels-idx1-ubyte.gz"] == 1
    out = capsys.readouterr().out
    assert f"The cached file {cached} is corrupt (EOFError" in out
    assert "downloading it again" in out
    _serve("train-labels-idx1-ubyte.gz", body[:-6])  # the server's copy is bad too: an error
    cached.write_bytes(body[:-6])
    with pytest.raises(OSError, match="incomplete or corrupt.*EOFError"):
        file_utils.get_file("labels.gz", origin=server + "train-labels-idx1-ubyte.gz", retries=0)


def test_fashion_mnist_recovers_from_a_truncated_cached_file(server, home, capsys):
    images = np.arange(2 * 784).astype(np.uint8)
    for split in ("train", "t10k"):
        _serve(f"{split}-labels-idx1-ubyte.gz", gzip.compress(b"\0" * 8 + bytes([1, 2])))
        _serve(f"{split}-images-idx3-ubyte.gz", gzip.compress(b"\0" * 16 + images.tobytes()))
    fashion_mnist.load_data(base_url=server)
    cached = home / "datasets" / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    cached.write_bytes(_read(cached)[:-100])
    (xt, yt), _ = fashion_mnist.load_data(base_url=server)  # was: a raw EOFError, every time
    assert xt.shape == (2, 28, 28) and yt.tolist() == [1, 2]
    assert "is corrupt" in capsys.readouterr().out
    assert _Handler.hits["train-images-idx3-ubyte.gz"] == 2


def test_timeout_bounds_a_trickling_server(server, home):
    _serve("slow.bin", b"s" * 400, mode="trickle")  # 20 s at one byte per 50 ms
    start = time.monotonic()
    with pytest.raises(OSError, match=r"stalled: \d+ bytes in the last .*timeout=0.5"):
        file_utils.get_file("slow.bin", origin=server + "slow.bin", timeout=0.5, retries=0)
    assert time.monotonic() - start < 1.5  # was: the whole body, 40x the timeout
    assert os.listdir(home / "datasets") == []


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(os.name != "posix", reason="pid liveness is checked on POSIX only")
def test_temporaries_of_dead_downloads_are_removed_live_ones_kept(server, home):
    datasets = home / "datasets"
    os.makedirs(datasets)
    host = file_utils._host()
    dead = datasets / f".x.bin.{host}.{_dead_pid()}.abc_12.part"
    live = datasets / f".x.bin.{host}.{os.getpid()}.def34.part"  # this process: alive
    dead_dir = datasets / f".y.{host}.{_dead_pid()}.zz.extract"
    other_host_recent = datasets / f".x.bin.otherhost.{_dead_pid()}.gh5.part"
    old_unknown = datasets / ".x.bin.k2j3h4.part"  # an older naming, untouched for two days
    fresh_unknown = datasets / ".x.bin.m9n8b7.part"
    foreign = datasets / "notes.part"  # not a temporary of ours
    for path in (dead, live, other_host_recent, old_unknown, fresh_unknown, foreign):
        path.write_bytes(b"partial")
    os.makedirs(dead_dir / "inner")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_unknown, (two_days_ago, two_days_ago))
    sha = _serve("x.bin", b"complete")
    file_utils.get_file("x.bin", origin=server + "x.bin", file_hash=sha)
    assert sorted(os.listdir(datasets)) == sorted(
        p.name for p in (live, other_host_recent, fresh_unknown, foreign)
    ) + ["x.bin"]


@pytest.mark.parametrize(
    ("fname", "url"),
    [
        ("..", "a.bin"),
        (".", "a.bin"),
        ("...", "a.bin"),
        ("../escape.bin", "a.bin"),
        ("sub/a.bin", "a.bin"),
        ("sub\\a.bin", "a.bin"),
        (None, "dir/.."),
        (None, "dir/."),
        (None, ".."),
        (None, "dir/"),
    ],
)
def test_names_that_are_not_plain_files_are_refused(server, home, fname, url):
    _serve("a.bin", b"data")
    with pytest.raises(ValueError, match=r"get_file: .*(not a file name|not a path|parse a file)"):
        file_utils.get_file(fname, origin=server + url)
    assert not os.path.exists(home / "escape.bin")
    assert not any(_Handler.hits.values())


def test_extracting_a_dotted_name_never_targets_the_cache_directory(server, home):
    body = _tar(gz=True)
    _serve(".tar.gz", body)
    out = file_utils.get_file(origin=server + ".tar.gz", extract=True)
    assert os.path.basename(out) == "tar" and sorted(os.listdir(out)) == [
        f"member{i}" for i in range(4)
    ]


# --- the data sets, from fixture files, through JNN_DATASETS_BASE_URL or base_url ---------------


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _fixture(monkeypatch, name, body):
    monkeypatch.setitem(_remote.HASHES, name, _serve(name, body))


def test_mnist_from_env_base_url(server, home, monkeypatch):
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    _fixture(
        monkeypatch,
        "mnist.npz",
        _npz(
            x_train=x,
            y_train=np.array([3, 4], np.uint8),
            x_test=x[:1],
            y_test=np.array([7], np.uint8),
        ),
    )
    monkeypatch.setenv("JNN_DATASETS_BASE_URL", server)
    (xt, yt), (xs, ys) = mnist.load_data()
    assert xt.shape == (2, 28, 28) and xt.dtype == np.uint8 and yt.tolist() == [3, 4]
    assert xs.shape == (1, 28, 28) and ys.tolist() == [7]
    assert os.path.exists(home / "datasets" / "mnist.npz")


def test_fashion_mnist_idx_files(server, home):
    images = np.arange(3 * 784, dtype=np.uint32).astype(np.uint8)
    for split, n in (("train", 3), ("t10k", 3)):
        _serve(f"{split}-labels-idx1-ubyte.gz", gzip.compress(b"\0" * 8 + bytes([1, 2, 9][:n])))
        _serve(f"{split}-images-idx3-ubyte.gz", gzip.compress(b"\0" * 16 + images.tobytes()))
    (xt, yt), _ = fashion_mnist.load_data(base_url=server)
    assert xt.shape == (3, 28, 28) and yt.tolist() == [1, 2, 9]
    assert fashion_mnist.class_names[yt[2]] == "Ankle boot"


def test_cifar10_archive_is_extracted_and_unpickled(server, home, monkeypatch):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            d = {b"data": np.full((2, 3072), len(name), np.uint8), b"labels": [1, 2]}
            raw = pickle.dumps(d)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    _fixture(monkeypatch, "cifar-10-python.tar.gz", buf.getvalue())
    (xt, yt), (xs, ys) = cifar10.load_data(base_url=server)
    assert xt.shape == (10, 32, 32, 3) and yt.shape == (10, 1) and yt.dtype == np.uint8
    assert xs.shape == (2, 32, 32, 3) and ys[:, 0].tolist() == [1, 2]


def test_imdb_indexing_matches_keras_rules(server, home, monkeypatch):
    seqs = np.empty(3, dtype=object)
    seqs[:] = [[1, 2, 3], [4, 5], [6]]
    _fixture(
        monkeypatch,
        "imdb.npz",
        _npz(x_train=seqs, y_train=np.array([0, 1, 0]), x_test=seqs, y_test=np.array([1, 1, 0])),
    )
    (xt, yt), (xs, ys) = imdb.load_data(num_words=7, base_url=server)
    assert xt.dtype == object and len(xt) == 3 and len(xs) == 3
    # start_char 1, index_from 3, words >= num_words=7 become oov_char 2
    flat = {tuple(s) for s in xt}
    assert flat == {(1, 4, 5, 6), (1, 2, 2), (1, 2)}
    (xt, _), _ = imdb.load_data(maxlen=4, base_url=server)  # drops sequences of >= 4 words
    assert {tuple(s) for s in xt} == {(1, 7, 8), (1, 2)}  # num_words = max kept index 9
    _fixture(monkeypatch, "imdb_word_index.json", json.dumps({"the": 1}).encode())
    assert imdb.get_word_index(base_url=server) == {"the": 1}


def test_reuters_and_housing_splits(server, home, monkeypatch):
    seqs = np.empty(5, dtype=object)
    seqs[:] = [[i] for i in range(5)]
    _fixture(monkeypatch, "reuters.npz", _npz(x=seqs, y=np.arange(5)))
    (xt, yt), (xs, ys) = reuters.load_data(base_url=server)
    assert (len(xt), len(xs)) == (4, 1) and reuters.get_label_names()[3] == "earn"
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    for mod, name in (
        (boston_housing, "boston_housing.npz"),
        (california_housing, "california_housing.npz"),
    ):
        _fixture(monkeypatch, name, _npz(x=x, y=y))
        (xt, yt), (xs, ys) = mod.load_data(test_split=0.3, seed=113, base_url=server)
        order = np.arange(10)
        np.random.RandomState(113).shuffle(order)
        np.testing.assert_array_equal(yt, y[order[:7]])
        np.testing.assert_array_equal(xs, x[order[7:]])
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium", base_url=server)
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_restricted_unpickler_refuses_code():
    evil = pickle.dumps(os.system)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        _remote.RestrictedUnpickler(io.BytesIO(evil)).load()


@pytest.mark.conformance
@pytest.mark.parametrize(
    "kw",
    [{}, {"num_words": 6, "skip_top": 1}, {"maxlen": 4, "oov_char": None}, {"start_char": None}],
)
def test_imdb_and_reuters_equal_keras_on_the_same_file(server, home, monkeypatch, kw):
    pytest.importorskip("keras")
    from keras.src.datasets import imdb as k_imdb
    from keras.src.datasets import reuters as k_reuters

    rng = np.random.default_rng(0)
    seqs = np.empty(12, dtype=object)
    seqs[:] = [rng.integers(1, 9, rng.integers(1, 6)).tolist() for _ in range(12)]
    files = {
        "imdb.npz": _npz(
            x_train=seqs[:6], y_train=np.arange(6) % 2, x_test=seqs[6:], y_test=np.arange(6) % 2
        ),
        "reuters.npz": _npz(x=seqs, y=np.arange(12) % 4),
    }
    for name, body in files.items():
        _fixture(monkeypatch, name, body)
    for ours, theirs, name in ((imdb, k_imdb, "imdb.npz"), (reuters, k_reuters, "reuters.npz")):
        path = file_utils.get_file(name, origin=server + name)
        monkeypatch.setattr(theirs, "get_file", lambda *a, path=path, **k: path)
        got, want = ours.load_data(base_url=server, **kw), theirs.load_data(**kw)
        for g, w in zip(got, want):
            assert [list(s) for s in g[0]] == [list(s) for s in w[0]]
            np.testing.assert_array_equal(g[1], w[1])
