"""``weights="imagenet"`` / ``weights=PATH`` and ``decode_predictions`` without the network:
Keras 2-format weight files (the layout of Keras's published ImageNet files) made in the test
and served from a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading

import h5py
import numpy as np
import pytest

import jnn
from jnn import applications

_MOBILENET = "mobilenet/mobilenet_2_5_224_tf_no_top.h5"


def write_keras2_weights(path: str, model) -> None:
    """A Keras 2 weights file (``layer_names`` / ``weight_names`` attributes, a group per layer
    with weights): what Keras 2's ``save_weights("w.h5")`` wrote and Keras's ImageNet files
    are."""
    with h5py.File(path, "w") as f:
        names = [la.name for la in model.layers]
        f.attrs["layer_names"] = [n.encode() for n in names]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for layer in model.layers:
            g = f.create_group(layer.name)
            weight_names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            g.attrs["weight_names"] = [n.encode() for n in weight_names]
            for name, w in zip(weight_names, layer.weights):
                g.create_dataset(name, data=np.asarray(w.numpy() if hasattr(w, "numpy") else w))


@pytest.fixture
def server(tmp_path):
    """Serves ``tmp_path/www`` on 127.0.0.1; yields (base URL, root, list of requested paths)."""
    root = tmp_path / "www"
    root.mkdir()
    requested: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            requested.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root, requested
    finally:
        httpd.shutdown()
        httpd.server_close()


def _small_mobilenet(weights):
    with pytest.warns(UserWarning, match="224") if weights == "imagenet" else _nullcontext():
        return applications.MobileNet(weights=weights, include_top=False, alpha=0.25,
                                      input_shape=(32, 32, 3))


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_imagenet_weights_download_once_from_the_mirror(server, tmp_path, monkeypatch):
    base_url, root, requested = server
    monkeypatch.setenv("JNN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JNN_APPLICATIONS_BASE_URL", base_url)
    source = _small_mobilenet(None)
    (root / "mobilenet").mkdir()
    write_keras2_weights(str(root / _MOBILENET), source)

    model = _small_mobilenet("imagenet")
    assert requested == ["/" + _MOBILENET]
    assert os.path.exists(tmp_path / "home" / "models" / os.path.basename(_MOBILENET))
    for got, want in zip(model.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, want)
    _small_mobilenet("imagenet")                       # cached: no second request
    assert len(requested) == 1


def test_imagenet_weights_with_a_wrong_hash_are_refused(server, tmp_path, monkeypatch):
    base_url, root, _ = server
    monkeypatch.setenv("JNN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JNN_APPLICATIONS_BASE_URL", base_url)
    model = applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
    (root / "resnet").mkdir()
    write_keras2_weights(
        str(root / "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"), model)
    with pytest.raises(Exception, match="(?i)hash"):
        applications.ResNet50(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert not os.listdir(tmp_path / "home" / "models") or all(
        not n.endswith("_notop.h5") for n in os.listdir(tmp_path / "home" / "models"))


def test_keras2_weights_file_by_path_and_mismatch(tmp_path):
    source = _small_mobilenet(None)
    path = str(tmp_path / "digits.h5")
    write_keras2_weights(path, source)
    loaded = _small_mobilenet(path)
    for got, want in zip(loaded.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, want)
    other = applications.MobileNet(weights=None, include_top=False, alpha=0.5,
                                   input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="shape"):
        other.load_weights(path)
    with open(tmp_path / "not.h5", "wb") as f:
        f.write(b"not hdf5")
    with pytest.raises(ValueError, match="not a valid HDF5"):
        other.load_weights(str(tmp_path / "not.h5"))


@pytest.mark.conformance
def test_keras_legacy_writer_is_read(keras_module, tmp_path):
    """A file written by Keras's own legacy (Keras 2 layout) writer loads into jnn's model."""
    import jax
    from keras.src.legacy.saving import legacy_h5_format

    keras_module.backend.clear_session()
    jnn.backend.clear_session()
    with jax.numpy_rank_promotion("allow"):
        km = keras_module.applications.MobileNetV2(weights=None, alpha=0.35, classes=3,
                                                   input_shape=(32, 32, 3))
    path = str(tmp_path / "keras2.h5")
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, km)
    jm = applications.MobileNetV2(weights=None, alpha=0.35, classes=3, input_shape=(32, 32, 3))
    jm.load_weights(path)
    for got, want in zip(jm.get_weights(), km.get_weights()):
        np.testing.assert_array_equal(got, np.asarray(want))


def test_decode_predictions_reads_the_class_index_from_the_mirror(server, tmp_path,
                                                                  monkeypatch):
    base_url, root, _ = server
    monkeypatch.setenv("JNN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JNN_IMAGENET_CLASS_INDEX_URL", base_url + "index.json")
    monkeypatch.setattr(applications.imagenet_utils, "_class_index", None)
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (root / "index.json").write_text(json.dumps(index))
    preds = np.zeros((2, 1000), "float32")
    preds[0, [3, 7]] = [0.9, 0.1]
    preds[1, 999] = 1.0
    decoded = applications.imagenet_utils.decode_predictions(
        preds, top=2)
    assert decoded[0] == [("n00000003", "class_3", pytest.approx(0.9)),
                          ("n00000007", "class_7", pytest.approx(0.1))]
    assert decoded[1][0][:2] == ("n00000999", "class_999")
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        applications.imagenet_utils.decode_predictions(np.zeros((2, 10)))
