"""Smoke tests: every example script runs its ``main()`` and reaches a sensible result."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest

import jnn

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str):
    """Imports ``examples/<name>.py`` as a module (examples are scripts, not a package)."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"jnn_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _fresh_session():
    jnn.backend.clear_session()


def test_quickstart_reaches_95_percent(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "curves.png"
    accuracy = load_example("quickstart").main(plot_path=str(plot))  # its default 30 epochs
    assert accuracy >= 0.95
    assert plot.exists()
    assert "Test accuracy" in capsys.readouterr().out


def test_iris(capsys):
    accuracy = load_example("iris").main()
    assert accuracy > 0.8
    out = capsys.readouterr().out
    assert out.count(" -> ") == 3  # one line per new flower
    assert "[5.3, 3.4, 1.9, 0.6] -> setosa" in out


def test_perceptron(capsys):
    assert load_example("perceptron").main() == 1.0
    assert "accuracy: 100.0" in capsys.readouterr().out


def test_perceptron_without_pandas(monkeypatch):
    module = load_example("perceptron")
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    X, y = module.load_gate()
    assert X.shape == (4, 2) and X.dtype.kind == "i"
    assert y.tolist() == [1, 1, 1, 0]


def test_regression_mlp(capsys):
    mse = load_example("regression_mlp").main(epochs=20)
    assert 0.0 < mse < 0.8  # standardized: 1.0 is predicting the mean
    assert "Test MSE" in capsys.readouterr().out


def test_pure_jax_loop():
    accuracy = load_example("pure_jax_loop").main(epochs=5)
    assert accuracy > 0.85


def test_wide_and_deep(capsys):
    worst_main_mse = load_example("wide_and_deep").main(epochs=10)
    assert 0.0 < worst_main_mse < 0.8
    out = capsys.readouterr().out
    assert "wide_and_deep_model: test loss" in out and "model: test loss" in out
