"""The weight files, hashes and architecture tables of MobileNetV3, EfficientNetV2, NASNet and
InceptionResNetV2 equal Keras 3's (read from the installed Keras; nothing is downloaded)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from jnn import applications
from jnn.applications import (
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    mobilenet_v3,
    nasnet,
)

pytestmark = pytest.mark.conformance


def test_mobilenet_v3_weight_files(keras_module):
    from keras.src.applications import mobilenet_v3 as k

    assert mobilenet_v3._HASHES == k.WEIGHTS_HASHES
    assert imagenet_utils.weights_url("mobilenet_v3/") == k.BASE_WEIGHT_PATH


def test_efficientnet_v2_weight_files_and_stages(keras_module):
    from keras.src.applications import efficientnet_v2 as k

    assert {key.lstrip("-"): v for key, v in k.WEIGHTS_HASHES.items()} == \
        efficientnet_v2._HASHES
    assert imagenet_utils.weights_url("efficientnet_v2/") == k.BASE_WEIGHTS_PATH
    for variant in efficientnet_v2._SCALING:
        ours = efficientnet_v2._STAGES[variant[0] if variant.startswith("b") else variant]
        theirs = [(a["conv_type"] == 1, a["num_repeat"], a["input_filters"],
                   a["output_filters"], a["expand_ratio"], a["strides"], a["se_ratio"])
                  for a in k.DEFAULT_BLOCKS_ARGS[f"efficientnetv2-{variant}"]]
        assert [tuple(s) for s in ours] == theirs
        assert all(a["kernel_size"] == 3 for a in k.DEFAULT_BLOCKS_ARGS[
            f"efficientnetv2-{variant}"])


def test_nasnet_and_inception_resnet_v2_weight_files(keras_module):
    from keras.src.applications import inception_resnet_v2 as kirv2
    from keras.src.applications import nasnet as k

    urls = {k.NASNET_MOBILE_WEIGHT_PATH, k.NASNET_MOBILE_WEIGHT_PATH_NO_TOP,
            k.NASNET_LARGE_WEIGHT_PATH, k.NASNET_LARGE_WEIGHT_PATH_NO_TOP}
    ours = [entry for pair in nasnet._FILES.values() for entry in pair]
    assert {imagenet_utils.weights_url(rel) for _, rel, _ in ours} == urls
    source = inspect.getsource(k.NASNet)
    for fname, _, md5 in ours:
        assert f'"{fname}"' in source and md5 in source
    source = inspect.getsource(kirv2.InceptionResNetV2)
    for rel, md5 in (inception_resnet_v2._FILES.top, inception_resnet_v2._FILES.no_top):
        assert imagenet_utils.weights_url(rel).startswith(kirv2.BASE_WEIGHT_URL)
        assert md5 in source


@pytest.mark.parametrize("module", [mobilenet_v3, efficientnet_v2])
def test_preprocessing_is_in_the_model(module):
    x = np.full((1, 2, 2, 3), 200.0, "float32")
    assert module.preprocess_input(x) is x


@pytest.mark.parametrize("module", [nasnet, inception_resnet_v2])
def test_tf_mode_preprocessing(module):
    out = module.preprocess_input(np.array([[[[0.0, 127.5, 255.0]]]], "float32"))
    np.testing.assert_allclose(out, [[[[-1.0, 0.0, 1.0]]]])


def test_argument_errors():
    with pytest.raises(ValueError, match="alpha"):
        applications.MobileNetV3Small(weights="imagenet", alpha=0.5)
    with pytest.raises(ValueError, match="alpha"):
        applications.MobileNetV3Large(weights="imagenet", minimalistic=True, alpha=0.75)
    with pytest.raises(ValueError, match="at least 32x32"):
        applications.EfficientNetV2B0(weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="static"):
        applications.NASNetMobile(weights="imagenet", include_top=False,
                                  input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="penultimate_filters"):
        nasnet.nasnet((32, 32, 3), penultimate_filters=1000, weights=None)
    with pytest.raises(ValueError, match="at least 75x75"):
        applications.InceptionResNetV2(weights=None, include_top=False,
                                       input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="block type"):
        inception_resnet_v2.inception_resnet_block(None, 0.1, "block99", 1)
