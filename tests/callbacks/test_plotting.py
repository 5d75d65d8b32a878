"""plot_history (matplotlib, Agg) and plot_model / model_to_dot (Graphviz)."""

import re
import shutil
import sys

import numpy as np
import pytest

import jnn
from jnn.utils import plotting

HISTORY = {
    "loss": [1.0, 0.6, 0.4],
    "accuracy": [0.5, 0.7, 0.8],
    "val_loss": [1.1, 0.7, 0.5],
    "val_accuracy": [0.4, 0.6, 0.75],
    "learning_rate": [0.1, 0.1, 0.05],
}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_plot_history_panels_and_file(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "history.png"
    fig = jnn.utils.plot_history(HISTORY, to_file=path)
    assert [a.get_title() for a in fig.axes] == ["model loss", "model accuracy"]
    ax = fig.axes[1]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "accuracy"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "val"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), HISTORY["val_accuracy"])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [1, 2, 3])
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000


def test_plot_history_options():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    class FakeHistory:
        history = HISTORY

    _, ax = plt.subplots()
    fig = jnn.utils.plot_history(FakeHistory(), metrics="accuracy", validation=False, ax=ax)
    assert fig is ax.figure and len(ax.lines) == 1
    with pytest.raises(ValueError, match=r"\['acc'\] are not in the history"):
        jnn.utils.plot_history(HISTORY, metrics=["acc"])
    with pytest.raises(ValueError, match="one Axes per metric"):
        jnn.utils.plot_history(HISTORY, ax=ax)
    with pytest.raises(TypeError, match="History"):
        jnn.utils.plot_history([1.0, 2.0])


@pytest.fixture(scope="module")
def functional():
    inp = jnn.Input(shape=(4,))
    a = jnn.layers.Dense(2, name="left")(inp)
    b = jnn.layers.Dense(2, name="right")(inp)
    joined = jnn.layers.Concatenate(name="join")([a, b])
    inner = jnn.Sequential(
        [jnn.layers.Dense(5, input_dim=4, name="in1"), jnn.layers.Dense(4, name="in2")],
        name="inner",
    )
    out = jnn.layers.Dense(1, name="head", activation="sigmoid")(inner(joined))
    return jnn.Model(inp, out)


def _edges(source):
    names = dict(re.findall(r'"(\d+)" \[label=<.*?<b>(\w+)</b>', source))
    return {(names[a], names[b]) for a, b in re.findall(r'"(\d+)" -> "(\d+)"', source)}


def test_dot_source_structure(functional):
    opts = dict(show_shapes=True, show_dtype=False, show_layer_names=True,
                show_layer_activations=True, show_trainable=False)  # fmt: skip
    flat = plotting._dot_source(functional, "TB", 96, "ortho", opts, expand_nested=False)
    assert _edges(flat) == {
        (functional.layers[0].name, "left"), (functional.layers[0].name, "right"),
        ("left", "join"), ("right", "join"), ("join", "inner"), ("inner", "head"),
    }  # fmt: skip
    assert "Input shape: <b>(None, 2), (None, 2)</b>" in flat  # the Concatenate box
    assert "Output shape: <b>(None, 1)</b>" in flat and "Activation: <b>sigmoid</b>" in flat
    nested = plotting._dot_source(functional, "LR", 96, "ortho", opts, expand_nested=True)
    edges = _edges(nested)
    assert {("join", "in1"), ("in1", "in2"), ("in2", "head")} <= edges
    assert "inner" not in {name for edge in edges for name in edge}
    assert 'rankdir="LR"' in nested and "cluster_" in nested


def test_model_to_dot_and_errors(functional, monkeypatch):
    pytest.importorskip("pydot")
    dot = jnn.utils.model_to_dot(functional, show_shapes=True)
    assert "join" in dot.to_string()
    with pytest.raises(ValueError, match="not yet been built"):
        jnn.utils.model_to_dot(jnn.Sequential([jnn.layers.Dense(1)]))
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"install pydot \(`pip install pydot`\)"):
        jnn.utils.model_to_dot(functional)
    monkeypatch.setattr(plotting.shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match="install graphviz \\(the `dot` program"):
        jnn.utils.plot_model(functional)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_plot_model_writes_png(functional, tmp_path):
    path = tmp_path / "model.png"
    jnn.utils.plot_model(functional, to_file=path, show_shapes=True, dpi=48)
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 5_000
    jnn.utils.plot_model(functional, to_file=tmp_path / "model.svg", expand_nested=True)
    assert "<svg" in (tmp_path / "model.svg").read_text()
