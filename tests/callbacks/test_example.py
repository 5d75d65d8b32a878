"""examples/callbacks_and_plots.py runs and writes non-trivial files."""

import csv
import importlib.util
import pathlib
import shutil

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "callbacks_and_plots.py"
PNG = b"\x89PNG\r\n\x1a\n"


def test_callbacks_and_plots_example(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location("jnn_example_callbacks_and_plots", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(str(tmp_path), epochs=3)
    assert written["epochs"] == 3 and "test accuracy" in capsys.readouterr().out
    with open(written["csv"]) as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"] and "val_accuracy" in rows[0]
    assert pathlib.Path(written["weights"]).stat().st_size > 1000
    pngs = ["history_png"] + (["model_png"] if shutil.which("dot") else [])
    for key in pngs:
        data = pathlib.Path(written[key]).read_bytes()
        assert data.startswith(PNG) and len(data) > 5_000, key
