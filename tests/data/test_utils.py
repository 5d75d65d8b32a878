"""jnn.utils data helpers: pad_sequences, split_dataset, *_dataset_from_directory."""

from __future__ import annotations

import numpy as np
import pytest

import jnn
from jnn.utils import (
    image_dataset_from_directory,
    pad_sequences,
    split_dataset,
    text_dataset_from_directory,
)

SEQS = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.conformance
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"maxlen": 2, "padding": "post"},
        {"maxlen": 3, "truncating": "post", "value": -1},
        {"dtype": "float32", "value": 0.5},
    ],
)
def test_pad_sequences_equals_keras(kw):
    keras = pytest.importorskip("keras")
    ours = pad_sequences(SEQS, **kw)
    theirs = keras.utils.pad_sequences(SEQS, **kw)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_golden_and_errors():
    assert pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist() == [[2, 3], [0, 4]]
    vec = pad_sequences([np.ones((1, 2)), np.ones((2, 2))], padding="post")
    assert vec.shape == (2, 2, 2) and vec[0, 1].tolist() == [0, 0]
    with pytest.raises(ValueError, match="`padding` must be 'pre' or 'post'"):
        pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="element 1 is int"):
        pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="x")


def test_split_dataset_sizes_and_structure():
    x, y = np.arange(10).reshape(10, 1), np.arange(10)
    (xl, yl), (xr, yr) = split_dataset((x, y), left_size=0.8)
    assert xl[:, 0].tolist() == list(range(8)) and yr.tolist() == [8, 9]
    left, right = split_dataset({"a": y}, right_size=3, shuffle=True, seed=1)
    assert sorted(left["a"].tolist() + right["a"].tolist()) == list(range(10))
    assert len(right["a"]) == 3 and left["a"].tolist() != list(range(7))
    left, right = split_dataset(y)  # half / half
    assert len(left) == len(right) == 5
    with pytest.raises(ValueError, match="must not exceed"):
        split_dataset(y, left_size=6, right_size=5)
    with pytest.raises(ValueError, match="same number of samples"):
        split_dataset((x, y[:5]), left_size=2)
    with pytest.raises(TypeError, match="`left_size` must be an int"):
        split_dataset(y, left_size="half")


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    from PIL import Image

    root = tmp_path_factory.mktemp("images")
    for c, name in enumerate(["cat", "dog"]):
        (root / name).mkdir()
        for i in range(3):
            arr = np.full((6, 4, 3), 40 * c + i, np.uint8)
            Image.fromarray(arr).save(root / name / f"{i}.png")
    (root / "dog" / "notes.txt").write_text("not an image")
    return root


def test_image_dataset_labels_shapes_and_fit(image_dir, capsys):
    ds = image_dataset_from_directory(image_dir, image_size=(3, 2), batch_size=4, shuffle=False)
    assert "Found 6 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cat", "dog"] and len(ds) == 2
    x, y = ds[0]
    assert x.shape == (4, 3, 2, 3) and x.dtype == np.float32 and y.dtype == np.int32
    assert y.tolist() == [0, 0, 0, 1] and x[1, 0, 0].tolist() == [1.0, 1.0, 1.0]
    x2, y2 = ds[1]
    assert x2.shape == (2, 3, 2, 3) and x2[1, 0, 0, 0] == 42.0
    model = jnn.Sequential([jnn.layers.Flatten(input_shape=(3, 2, 3)),
                            jnn.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert len(model.fit(ds, epochs=1, verbose=0).history["loss"]) == 1


def test_image_dataset_split_modes_and_errors(image_dir):
    train, val = image_dataset_from_directory(
        image_dir,
        image_size=(2, 2),
        validation_split=0.34,
        subset="both",
        seed=3,
        label_mode="categorical",
        color_mode="grayscale",
        verbose=False,
    )
    assert len(train.file_paths) == 4 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    x, y = val[0]
    assert x.shape == (2, 2, 2, 1) and y.shape == (2, 2) and y.sum() == 2.0
    binary = image_dataset_from_directory(
        image_dir, image_size=(2, 2), label_mode="binary", verbose=False
    )
    assert binary[0][1].shape == (6, 1) and binary[0][1].dtype == np.float32
    with pytest.raises(ValueError, match="`color_mode` must be"):
        image_dataset_from_directory(image_dir, color_mode="cmyk")
    with pytest.raises(ValueError, match="pass a `seed`"):
        image_dataset_from_directory(image_dir, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="does not exist"):
        image_dataset_from_directory(str(image_dir / "missing"))


def test_text_dataset_from_directory(tmp_path):
    for name, texts in (("neg", ["bad movie", "awful"]), ("pos", ["great fun"])):
        (tmp_path / name).mkdir()
        for i, t in enumerate(texts):
            (tmp_path / name / f"{i}.txt").write_text(t)
    ds = text_dataset_from_directory(tmp_path, shuffle=False, max_length=5, verbose=False)
    texts, labels = ds[0]
    assert texts.tolist() == ["bad m", "awful", "great"] and labels.tolist() == [0, 0, 1]
    assert ds.class_names == ["neg", "pos"]
