"""Every configurable object survives serialize -> JSON -> deserialize with the same config."""

import inspect
import json

import pytest

import jnn
from jnn.saving import deserialize_keras_object, serialize_keras_object

S = jnn.optimizers.schedules
SCHEDULES = [
    S.ExponentialDecay(0.1, 10, 0.9),
    S.PiecewiseConstantDecay([10], [0.1, 0.01]),
    S.CosineDecay(0.1, 100),
    S.CosineDecayRestarts(0.1, 10),
    S.InverseTimeDecay(0.1, 10, 0.5),
    S.PolynomialDecay(0.1, 10),
]


def _defaults(module):
    for name in sorted(dir(module)):
        cls = getattr(module, name)
        if inspect.isclass(cls) and not name.startswith("_"):
            try:
                yield cls()
            except (TypeError, ValueError, NotImplementedError):
                continue  # needs arguments


def _all_objects():
    for module in (jnn.losses, jnn.metrics, jnn.optimizers, jnn.initializers,
                   jnn.regularizers, jnn.constraints, jnn.layers):  # fmt: skip
        yield from _defaults(module)
    yield from SCHEDULES
    yield jnn.optimizers.Adam(S.ExponentialDecay(0.1, 10, 0.9), clipnorm=1.0)
    yield jnn.layers.Dense(3, activation="relu", kernel_regularizer=jnn.regularizers.L2(0.1))


def _canonical(obj):
    return json.dumps(serialize_keras_object(obj.get_config()), sort_keys=True, default=str)


def test_config_round_trips():
    seen = 0
    for obj in _all_objects():
        if obj.__class__.__name__ in ("InputLayer", "Layer"):
            continue
        text = json.dumps(serialize_keras_object(obj))
        back = deserialize_keras_object(json.loads(text))
        assert type(back) is type(obj), text
        assert _canonical(back) == _canonical(obj), type(obj).__name__
        seen += 1
    assert seen > 100


def test_unknown_class_and_function_errors_name_them():
    with pytest.raises(TypeError, match="Could not locate class 'Nope'"):
        deserialize_keras_object({"module": "mine", "class_name": "Nope", "config": {}})
    with pytest.raises(TypeError, match="Could not locate function 'nope_fn'"):
        deserialize_keras_object(
            {
                "module": "mine",
                "class_name": "function",
                "config": "nope_fn",
                "registered_name": None,
            }  # fmt: skip
        )


def test_registered_function_round_trip():
    @jnn.saving.register_serializable(package="cfgtest")
    def halve(x):
        return x / 2

    config = serialize_keras_object(halve)
    # Keras 3's format for a registered function: the "package>name" is the config
    assert (config["config"], config["registered_name"]) == ("cfgtest>halve", "function")
    assert deserialize_keras_object(config) is halve


KERAS2_FUNCTIONAL = {
    "class_name": "Functional",
    "config": {
        "name": "model",
        "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 8], "dtype": "float32", "sparse": False,
                        "ragged": False, "name": "input_1"}},
            {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]],
             "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 3,
                        "activation": "relu", "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform",
                                               "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None, "bias_regularizer": None,
                        "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}},
            {"class_name": "Concatenate", "name": "concatenate",
             "inbound_nodes": [[["input_1", 0, 0, {}], ["dense", 0, 0, {}]]],
             "config": {"name": "concatenate", "trainable": True, "dtype": "float32",
                        "axis": -1}},
        ],
        "input_layers": [["input_1", 0, 0]],
        "output_layers": [["concatenate", 0, 0]],
    },
    "keras_version": "2.4.0",
    "backend": "tensorflow",
}  # fmt: skip


def test_keras2_functional_config_is_read():
    model = jnn.models.model_from_json(json.dumps(KERAS2_FUNCTIONAL))
    assert [la.name for la in model.layers] == ["input_1", "dense", "concatenate"]
    assert model.output_shape == (None, 11)
    assert model.count_params() == 8 * 3 + 3
