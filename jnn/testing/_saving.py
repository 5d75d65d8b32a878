"""The ``save_load`` property: a layer's weights through ``save_weights`` / ``load_weights``.

A layer has no file format of its own; as in Keras, weights files belong to models. Two fresh
copies of the layer (``from_config``), each in a one-layer functional model: the first gets the
checked variables and saves them, the second loads them back.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np


def _one_layer_model(layer_cls: type, config: dict[str, Any], x: Any) -> Any:
    from jnn._shell.models.functional import Input
    from jnn._shell.models.model import Model

    layer = layer_cls.from_config(dict(config))
    if isinstance(x, (list, tuple)):
        inputs = [Input(batch_shape=(None, *np.shape(a)[1:]), dtype=np.asarray(a).dtype)
                  for a in x]
    else:
        inputs = Input(batch_shape=(None, *np.shape(x)[1:]), dtype=np.asarray(x).dtype)
    return Model(inputs, layer(inputs)), layer


def weights_round_trip(layer_cls: type, config: dict[str, Any], x: Any,
                       variables: dict[str, Any]) -> dict[str, Any]:
    """Saves ``variables`` of a ``layer_cls(**config)`` layer and loads them into another copy;
    returns the loaded ``{"params", "state"}``."""
    source, layer = _one_layer_model(layer_cls, config, x)
    tree = {
        "params": {layer.name: variables["params"]} if variables["params"] else {},
        "state": {layer.name: variables["state"]} if variables["state"] else {},
    }
    source.set_variables(tree)
    target, layer2 = _one_layer_model(layer_cls, config, x)
    with tempfile.TemporaryDirectory(prefix="jnn-check-layer-") as tmp:
        path = os.path.join(tmp, "layer.weights.h5")
        source.save_weights(path)
        target.load_weights(path)
    loaded = target.variables_tree
    return {
        "params": loaded["params"].get(layer2.name, {}),
        "state": loaded["state"].get(layer2.name, {}),
    }
