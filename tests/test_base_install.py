"""The base install (``pip install jnn``, no extras) is the whole Keras workflow.

CI also installs the package without extras in a fresh venv and runs
``.ci/base_install_smoke.py``; these tests keep the same promise inside the suite: h5py is a
core dependency, and nothing but saving imports it (a model is built, trained and summarised
in a process where importing h5py fails).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _core_dependencies() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    return [re.split(r"[<>=!~ \[]", d)[0] for d in re.findall(r'"([^"]+)"', block)]


def test_h5py_is_a_core_dependency():
    assert "h5py" in _core_dependencies()


_NO_H5PY = textwrap.dedent(
    """
    import sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "h5py" or name.startswith("h5py."):
                raise ImportError("h5py is blocked in this test")

    sys.meta_path.insert(0, Block())
    import numpy as np
    import jnn

    x = jnn.Input(shape=(3,))
    h = jnn.layers.Dense(4, activation="relu")(x)
    model = jnn.Model(x, jnn.layers.Dense(2)(h))
    model.compile("adam", "mse")
    model.fit(np.ones((8, 3)), np.ones((8, 2)), epochs=1, verbose=0)
    model.summary(print_fn=lambda line: None)
    jnn.Model.from_config(model.get_config())
    jnn.models.model_from_json(model.to_json())
    assert "h5py" not in sys.modules
    print("ok")
    """
)


def test_functional_models_train_without_importing_h5py():
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    done = subprocess.run([sys.executable, "-c", _NO_H5PY], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_readme_quickstart_installs_what_the_quickstart_uses():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, re.S)
    assert len(commands) == 2 and all(c.count("\n") == 1 for c in commands)
    assert commands[0].startswith('pip install -e ".[plot]"')  # matplotlib draws the plot
    assert "examples/quickstart.py" in commands[0]
    assert "minutes" in quick and "not slow and not conformance" in quick
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci
    assert ci.index("base_install_smoke.py") < ci.index(commands[1].strip())


@pytest.mark.parametrize("text", ["README.md", "jnn/_shell/saving/pickling.py", "Model.__reduce__"])
def test_pickle_docs_warn_that_unpickling_runs_code(text):
    if text == "Model.__reduce__":
        import jnn

        doc = jnn.Model.__reduce__.__doc__
        assert "PicklingError" not in doc  # Lambda layers pickle (with their bytecode)
    else:
        doc = (ROOT / text).read_text()
    assert re.search(r"[Uu]npickling\s+runs\s+code", doc)
    assert "untrusted" in doc or "do not trust" in doc
    assert "bytecode" in doc
