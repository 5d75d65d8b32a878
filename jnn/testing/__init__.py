"""Test your layers and models the way jnn tests its own: ``check_layer``, ``check_model``.

``check_layer`` runs the layer contract (declared shapes, jit == eager, per-sample
independence, finite gradients, config and weights round trips, training / state / mask
behaviour) on a custom layer; ``check_model`` checks a model's train step (compiled once,
deterministic, decreases the loss, finite state). ``jnn.testing.strategies`` has hypothesis
strategies for inputs, built-in layer configurations and small models. The chex assertions
that read naturally next to them are re-exported. See ``docs/testing.md``.

Example:
    >>> import jnn
    >>> from jnn.testing import check_layer
    >>> check_layer(jnn.layers.Dense(3), (2, 4)).checked[:3]
    ['init', 'jit_vs_eager', 'output_shape']
"""

from chex import assert_max_traces as assert_max_traces
from chex import assert_shape as assert_shape
from chex import assert_tree_all_finite as assert_tree_all_finite
from chex import assert_trees_all_close as assert_trees_all_close
from chex import assert_trees_all_equal as assert_trees_all_equal
from chex import assert_trees_all_equal_structs as assert_trees_all_equal_structs

from jnn.testing._layer import PROPERTIES as PROPERTIES
from jnn.testing._layer import VARIANTS as VARIANTS
from jnn.testing._layer import LayerCheck as LayerCheck
from jnn.testing._layer import check_layer as check_layer
from jnn.testing._model import MODEL_PROPERTIES as MODEL_PROPERTIES
from jnn.testing._model import ModelCheck as ModelCheck
from jnn.testing._model import check_model as check_model
from jnn.testing._retrace import assert_no_retrace as assert_no_retrace
from jnn.testing._trees import PropertyFailure as PropertyFailure
from jnn.testing._trees import make_inputs as make_inputs

__all__ = [
    "MODEL_PROPERTIES",
    "PROPERTIES",
    "VARIANTS",
    "LayerCheck",
    "ModelCheck",
    "PropertyFailure",
    "assert_max_traces",
    "assert_no_retrace",
    "assert_shape",
    "assert_tree_all_finite",
    "assert_trees_all_close",
    "assert_trees_all_equal",
    "assert_trees_all_equal_structs",
    "check_layer",
    "check_model",
    "make_inputs",
    "strategies",
]


def __getattr__(name: str):
    # hypothesis is a test dependency, not one of jnn's: strategies load on first use.
    if name == "strategies":
        import importlib

        module = importlib.import_module("jnn.testing.strategies")
        globals()["strategies"] = module
        return module
    raise AttributeError(f"module 'jnn.testing' has no attribute {name!r}")
