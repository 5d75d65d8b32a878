"""jnn.applications against Keras 3: same layer and weight names, shapes and order; the same
outputs from the same weights (copied through a Keras 3 ``.weights.h5`` file)."""

from __future__ import annotations

import os
import re

import jax
import numpy as np
import pytest

import jnn
from jnn import applications

pytestmark = pytest.mark.conformance

_X = np.random.RandomState(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")

# (constructor, kwargs): small input, logits (no softmax) so the comparison sees real numbers.
FAST = [
    ("VGG16", dict(include_top=False, pooling="avg")),
    ("ResNet50", dict(include_top=True, classes=7, classifier_activation=None)),
    ("ResNet50V2", dict(include_top=False, pooling="max")),
    ("MobileNet", dict(alpha=0.25, classes=5, classifier_activation=None)),
    ("MobileNetV2", dict(alpha=0.35, classes=5, classifier_activation=None)),
    ("DenseNet121", dict(include_top=False, pooling="avg")),
    ("EfficientNetB0", dict(classes=4, classifier_activation=None)),
    ("ConvNeXtTiny", dict(classes=4, classifier_activation=None)),
]
# One more variant per family in CI where it is cheap (deeper or wider than the fast one).
SLOW = [
    ("ResNet101", dict(include_top=False)),
    ("DenseNet169", dict(include_top=False)),
    ("MobileNetV2", dict(alpha=1.4, include_top=False, pooling="avg")),
]
# Every other variant: same blocks at other widths and depths, 10-50 s each to build twice on
# two cores, so they run on request (`JNN_TEST_ALL_APPLICATIONS=1`), e.g. before a release.
ALL_VARIANTS = [
    ("VGG19", dict(include_top=True, classes=3, classifier_activation=None)),
    ("ResNet101V2", dict(include_top=False)),
    ("ResNet152", dict(include_top=False)),
    ("ResNet152V2", dict(include_top=False)),
    ("DenseNet201", dict(include_top=False)),
] + [(f"EfficientNetB{i}", dict(include_top=False)) for i in range(1, 8)] + [
    (f"ConvNeXt{v}", dict(include_top=False, pooling="avg"))
    for v in ("Small", "Base", "Large", "XLarge")]


def _tail(path):
    """A weight path from its layer down; Keras numbers unnamed weights globally (`variable`,
    `variable_1`, ...), which only says how many were made before."""
    layer, name = path.split("/")[-2:]
    return layer, re.sub(r"^variable_\d+$", "variable", name)


def _calibrate_batchnorm(keras, km, x):
    """Sets every BatchNormalization's moving statistics from the test batch, so that each
    layer of a deep randomly initialised model works at a scale of about 1 (with Keras's
    initial statistics, activations of some families shrink to 1e-11 and a comparison with an
    absolute tolerance sees nothing)."""
    bns = [la for la in km._flatten_layers() if isinstance(la, keras.layers.BatchNormalization)]
    momenta = [la.momentum for la in bns]
    for la in bns:
        la.momentum = 0.0
    trainable = [v.value for v in km.trainable_variables]
    state = [v.value for v in km.non_trainable_variables]
    with jax.numpy_rank_promotion("allow"):
        _, state = jax.jit(lambda t, s, x: km.stateless_call(t, s, x, training=True))(
            trainable, state, x)
    for v, value in zip(km.non_trainable_variables, state):
        v.assign(value)
    for la, m in zip(bns, momenta):
        la.momentum = m
        # Divide by the root mean square rather than the standard deviation: deep in a
        # randomly initialised net, samples differ little, and (x - mean) / std would amplify
        # float rounding by |mean| / std.
        la.moving_variance.assign(la.moving_variance.value + la.moving_mean.value ** 2)


def _compare(keras, tmp_path, name, kwargs, size=32, calibrate=False):
    # Fresh name counters on both sides: unnamed layers (conv2d_7, add_3) must agree.
    keras.backend.clear_session()
    jnn.backend.clear_session()
    shape = (size, size, 3)
    with jax.numpy_rank_promotion("allow"):      # Keras's own layers broadcast weights
        km = getattr(keras.applications, name)(weights=None, input_shape=shape, **kwargs)
    jm = getattr(applications, name)(weights=None, input_shape=shape, **kwargs)
    assert jm.name == km.name
    # Names of the layers that hold weights (ops such as `x + y` on symbolic tensors are
    # layers in jnn, not in Keras 3), weight names and shapes, in Keras's order. A weight's
    # path is compared from its layer down (Keras also prefixes the nested model's name).
    assert [la.name for la in jm.layers if la.weights] == \
        [la.name for la in km.layers if la.weights]
    assert [tuple(w.shape) for w in jm.weights] == [tuple(w.shape) for w in km.weights]
    assert [_tail(w.path) for w in jm.weights] == [_tail(w.path) for w in km.weights]
    x = np.random.RandomState(0).uniform(0, 255, (2, *shape)).astype("float32")
    if calibrate:
        _calibrate_batchnorm(keras, km, x)
    path = os.path.join(tmp_path, f"{name}.weights.h5")
    km.save_weights(path)
    jm.load_weights(path)
    with jax.numpy_rank_promotion("allow"):
        expected = np.asarray(km.predict(x, verbose=0))
    got = np.asarray(jm.predict(x, verbose=0))
    assert got.shape == expected.shape
    # Relative to the output's own scale, however small (with Keras's initial BatchNorm
    # statistics some families output ~1e-11): a comparison that cannot fail sees nothing.
    scale = float(np.abs(expected).max())
    assert scale > 0 and float(np.ptp(expected)) > 1e-3 * scale, "degenerate reference output"
    np.testing.assert_allclose(got / scale, expected / scale, atol=1e-4)
    return km, jm


@pytest.mark.parametrize("name,kwargs", FAST, ids=[n for n, _ in FAST])
def test_matches_keras(keras_module, tmp_path, name, kwargs):
    _compare(keras_module, tmp_path, name, kwargs)


# Families with a larger minimum input size.
SIZED = [
    ("Xception", dict(include_top=False, pooling="avg"), 71),
    ("InceptionV3", dict(classes=6, classifier_activation=None), 75),
]


@pytest.mark.parametrize("name,kwargs,size", SIZED, ids=[n for n, _, _ in SIZED])
def test_matches_keras_sized(keras_module, tmp_path, name, kwargs, size):
    _compare(keras_module, tmp_path, name, kwargs, size)


@pytest.mark.slow
@pytest.mark.parametrize("name,kwargs", SLOW, ids=[n for n, _ in SLOW])
def test_matches_keras_large(keras_module, tmp_path, name, kwargs):
    _compare(keras_module, tmp_path, name, kwargs)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("JNN_TEST_ALL_APPLICATIONS") != "1",
                    reason="every variant on request: JNN_TEST_ALL_APPLICATIONS=1")
@pytest.mark.parametrize("name,kwargs", ALL_VARIANTS, ids=[n for n, _ in ALL_VARIANTS])
def test_matches_keras_every_variant(keras_module, tmp_path, name, kwargs):
    _compare(keras_module, tmp_path, name, kwargs)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_matches_keras(keras_module, mode, data_format):
    from keras.applications import imagenet_utils as kutils

    x = np.random.RandomState(1).randint(0, 256, (2, 4, 5, 3)).astype("float32")
    if data_format == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2)).copy()
    expected = kutils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    got_np = applications.imagenet_utils.preprocess_input(
        x.copy(), data_format=data_format, mode=mode)
    got_jax = applications.imagenet_utils.preprocess_input(
        jax.numpy.asarray(x), data_format=data_format, mode=mode)
    np.testing.assert_allclose(got_np, expected, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(np.asarray(got_jax), expected, rtol=1e-6, atol=1e-5)
    # A single image (3D) too.
    np.testing.assert_allclose(
        applications.imagenet_utils.preprocess_input(x[0].copy(), data_format=data_format,
                                                     mode=mode),
        kutils.preprocess_input(x[0].copy(), data_format=data_format, mode=mode),
        rtol=1e-6, atol=1e-5)


def test_family_preprocess_modes():
    x = np.full((1, 2, 2, 3), 255.0, "float32")
    assert applications.resnet_v2.preprocess_input(x.copy()).max() == 1.0       # tf
    assert applications.mobilenet.preprocess_input(x.copy()).max() == 1.0       # tf
    bgr = applications.resnet.preprocess_input(x.copy())                        # caffe
    np.testing.assert_allclose(bgr[0, 0, 0], [255 - 103.939, 255 - 116.779, 255 - 123.68],
                               rtol=1e-6)
    torch = applications.densenet.preprocess_input(x.copy())                    # torch
    np.testing.assert_allclose(torch[0, 0, 0], (1 - np.array([0.485, 0.456, 0.406]))
                               / np.array([0.229, 0.224, 0.225]), rtol=1e-5)


def test_integer_images_are_converted():
    out = applications.imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3), "uint8"))
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(weights="no/such/file.h5"), "weights"),
        (dict(weights="imagenet", include_top=True, classes=10), "classes"),
        (dict(weights=None, include_top=False, pooling="mean", input_shape=(32, 32, 3)),
         "pooling"),
        (dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "at least 32x32"),
        (dict(weights=None, include_top=False, input_shape=(32, 32)), "three integers"),
        (dict(weights=None, include_top=True, input_shape=(None, None, 3)), "static"),
        (dict(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
        (dict(weights=None, input_tensor=np.zeros((1, 32, 32, 3))), "symbolic tensor"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        applications.ResNet50(**kwargs)


def test_input_tensor_and_transfer_learning():
    import jnn

    inputs = jnn.Input(shape=(32, 32, 3))
    x = jnn.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    base = applications.MobileNetV2(weights=None, include_top=False, alpha=0.35,
                                    input_tensor=x, pooling="avg")
    assert base.inputs[0] is inputs               # the source input, as Keras's get_source_inputs
    base.trainable = False
    out = jnn.layers.Dense(3)(base.output)
    model = jnn.Model(inputs, out)
    assert len(model.trainable_weights) == 2
    assert model.predict(_X, verbose=0).shape == (2, 3)


def test_default_names_and_shapes():
    m = applications.MobileNetV2(weights=None, alpha=0.5, input_shape=(96, 96, 3),
                                 include_top=False)
    assert m.name == "mobilenetv2_0.50_96"
    assert m.output_shape == (None, 3, 3, 1280)
    v = applications.VGG16(weights=None, include_top=True, classes=4, input_shape=(32, 32, 3))
    assert v.output_shape == (None, 4)
    assert [la.name for la in v.layers][-4:] == ["flatten", "fc1", "fc2", "predictions"]


# MobileNetV3, EfficientNetV2, InceptionResNetV2, NASNet: (constructor, kwargs, input size,
# calibrate), every layer name checked, auto-named layers included. `calibrate`: compared with
# BatchNormalization statistics calibrated on the test batch (see `_calibrate_batchnorm`);
# MobileNetV3's raw outputs are ~1e-11. Not EfficientNetV2: its raw outputs are ~1e-2, and
# calibrated ones grow to 1e11 through the squeeze-excite gates.
CALIBRATED = [
    ("MobileNetV3Small", dict(classes=5, classifier_activation=None), 32, True),
]
# One variant per family: the others differ in width, depth or block tables only.
CALIBRATED_SLOW = [
    ("MobileNetV3Large", dict(minimalistic=True, include_top=False, pooling="avg"), 32, True),
    ("EfficientNetV2B0", dict(classes=4, classifier_activation=None), 32, False),
    ("InceptionResNetV2", dict(classes=3, classifier_activation=None), 75, True),
    ("NASNetMobile", dict(classes=3, classifier_activation=None), 32, True),
]


def _layer_names(model, keras_side):
    # Ops on symbolic tensors (`x + 3.0`) are graph nodes on both sides, but jnn lists them in
    # `model.layers` while Keras 3 shows them only in summary(). Input layers are named
    # `input_layer` by Keras 3 and `input_1` (Keras 2's name) by jnn.
    from jnn._shell.layers.symbolic_ops import OpLayer

    return [la.name for la in model.layers
            if type(la).__name__ != "InputLayer" and not isinstance(la, OpLayer)]


def _compare_all_names(keras, tmp_path, name, kwargs, size, calibrate):
    km, jm = _compare(keras, tmp_path, name, kwargs, size, calibrate=calibrate)
    assert _layer_names(jm, False) == _layer_names(km, True)


@pytest.mark.parametrize("name,kwargs,size,calibrate", CALIBRATED,
                         ids=[case[0] for case in CALIBRATED])
def test_matches_keras_calibrated(keras_module, tmp_path, name, kwargs, size, calibrate):
    _compare_all_names(keras_module, tmp_path, name, kwargs, size, calibrate)


@pytest.mark.slow
@pytest.mark.parametrize("name,kwargs,size,calibrate", CALIBRATED_SLOW,
                         ids=[case[0] for case in CALIBRATED_SLOW])
def test_matches_keras_calibrated_large(keras_module, tmp_path, name, kwargs, size, calibrate):
    _compare_all_names(keras_module, tmp_path, name, kwargs, size, calibrate)


def test_saves_and_loads_in_safe_mode(tmp_path):
    """`x + y` on symbolic tensors (ConvNeXt's residuals) are op nodes saved by name, so a
    `.keras` file of an application loads under safe_mode (no Lambda bytecode)."""
    model = applications.ConvNeXtTiny(weights=None, include_top=False, pooling="avg",
                                      input_shape=(32, 32, 3))
    assert not [la for la in model.layers if type(la).__name__ == "Lambda"]
    path = str(tmp_path / "convnext.keras")
    model.save(path)
    loaded = jnn.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(_X, verbose=0), model.predict(_X, verbose=0),
                               rtol=1e-5, atol=1e-5)
