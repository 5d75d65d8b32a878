"""Keras 2 / Keras 3 names older and newer tutorials use: ``layers.experimental.preprocessing``,
``jnn.preprocessing``, and a helpful error for names jnn leaves out on purpose."""

import numpy as np
import pytest

import jnn
from jnn._shell.runtime import absent


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def test_layers_experimental_preprocessing_are_todays_layers():
    pre = jnn.layers.experimental.preprocessing
    layer = pre.Rescaling(1 / 255)
    assert isinstance(layer, jnn.layers.Rescaling)
    for name in ("Normalization", "Resizing", "RandomFlip", "TextVectorization"):
        assert getattr(pre, name) is getattr(jnn.layers, name)
    assert "Rescaling" in dir(pre)
    with pytest.raises(AttributeError, match="RandomZoom"):
        pre.RandomHeight  # noqa: B018


def test_preprocessing_has_what_keras3_keeps(keras):
    for module in ("", ".image", ".sequence"):
        kmod = eval(f"keras.preprocessing{module}")
        jmod = eval(f"jnn.preprocessing{module}")
        names = [n for n in dir(kmod) if not n.startswith("_")]
        assert names and [n for n in names if not hasattr(jmod, n)] == []
    seqs = [[1, 2, 3], [4], [5, 6]]
    for kw in ({}, {"maxlen": 2, "padding": "post", "truncating": "post"}):
        np.testing.assert_array_equal(jnn.preprocessing.sequence.pad_sequences(seqs, **kw),
                                      keras.preprocessing.sequence.pad_sequences(seqs, **kw))


def test_image_helpers_match_keras(keras, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((9, 14, 3)).astype("float32")
    kimg, jimg = keras.preprocessing.image, jnn.preprocessing.image
    np.testing.assert_array_equal(jimg.img_to_array(jimg.array_to_img(x)),
                                  kimg.img_to_array(kimg.array_to_img(x)))
    jimg.save_img(tmp_path / "a.png", x)
    kimg.save_img(tmp_path / "b.png", x)
    for kw in ({}, {"target_size": (5, 6)}, {"color_mode": "grayscale"},
               {"target_size": (4, 4), "keep_aspect_ratio": True}):
        np.testing.assert_array_equal(
            jimg.img_to_array(jimg.load_img(tmp_path / "a.png", **kw)),
            kimg.img_to_array(kimg.load_img(tmp_path / "b.png", **kw)))
    for size in ((5, 5), (12, 4)):
        got = jimg.smart_resize(x, size)
        assert isinstance(got, np.ndarray)
        np.testing.assert_allclose(got, kimg.smart_resize(x, size), rtol=1e-5, atol=1e-6)
    assert jnn.utils.img_to_array is jimg.img_to_array


@pytest.mark.parametrize("module", sorted(absent.ABSENT))
def test_deliberately_absent_names_say_what_to_use(module):
    import importlib

    mod = importlib.import_module(module)
    for name, hint in absent.ABSENT[module].items():
        with pytest.raises(AttributeError, match=r"has no attribute") as info:
            getattr(mod, name)
        assert hint in str(info.value)


def test_unknown_names_still_raise_attribute_error():
    assert not hasattr(jnn.layers, "NoSuchLayer")
    with pytest.raises(AttributeError, match="NoSuchLayer'$"):
        jnn.layers.NoSuchLayer  # noqa: B018


def test_timeseries_windows_match_keras_definition():
    data, targets = np.arange(20) * 10, np.arange(20)
    ds = jnn.preprocessing.timeseries_dataset_from_array(
        data, targets, sequence_length=4, sequence_stride=2, sampling_rate=2, batch_size=3,
        start_index=1)
    xs, ys = zip(*[ds[i] for i in range(len(ds))])
    x, y = np.concatenate(xs), np.concatenate(ys)
    starts = np.arange(0, 19 - 3 * 2, 2)  # windows of data[1:], every 2nd start
    np.testing.assert_array_equal(x, data[1:][starts[:, None] + np.arange(4) * 2])
    np.testing.assert_array_equal(y, targets[1:][starts])
    assert [len(b) for b in xs] == [3, 3, 0 + len(starts) - 6]
