"""examples/property_tests_with_chex.py runs as a test (its checks and its main())."""

import importlib.util
import pathlib
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "property_tests_with_chex.py"

pytestmark = pytest.mark.user_code


def _load():
    spec = importlib.util.spec_from_file_location("jnn_example_property_tests", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_property_example_main(capsys):
    seen = _load().main()
    out = capsys.readouterr().out
    assert "BrokenGated is caught" in out and "batch_independence" in seen["caught"]
    assert "gradients" in seen["checked"] and "save_load" in seen["checked"]
    assert seen["losses"][-1] < seen["losses"][0]
