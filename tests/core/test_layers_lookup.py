"""StringLookup / TextVectorization: host-side, checked against Keras 3's documented outputs.

Keras 3 runs these layers through TensorFlow (not installed with the JAX backend), so the
golden values are the ones in Keras's docstrings and tests
(keras/src/layers/preprocessing/{string_lookup,text_vectorization}*.py), worked by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

import jnn
import jnn._shell  # noqa: F401  (installs layer(x) on data)
from jnn._core.layers.lookup import StringLookup, TextVectorization

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]
DATA4 = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
# farmhash::Fingerprint64(bytes(range(n))) from the C++ library (pyfarmhash), n in the test
FINGERPRINTS = [
    11160318154034397263,
    10709908609026466970,
    11736591675260184225,
    1080060857502750420,
    10220892904819695849,
    645241335607543436,
    17691551913807367243,
    14313328211205373374,
    525935771297148851,
]


# --- StringLookup ---------------------------------------------------------------------------------
def test_string_lookup_int_with_vocabulary():
    out = StringLookup(vocabulary=VOCAB)(DATA)
    np.testing.assert_array_equal(out, [[1, 3, 4], [4, 0, 2]])
    assert out.dtype == np.int32


def test_string_lookup_adapt_order_and_call():
    layer = StringLookup()
    layer.adapt(DATA)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["d", "z", "c", "b", "a"]
    assert layer.vocabulary_size() == 6
    np.testing.assert_array_equal(layer(np.array(DATA)), [[5, 3, 1], [1, 2, 4]])


def test_string_lookup_adapt_max_tokens_mask_and_batches():
    layer = StringLookup(max_tokens=4, mask_token="")
    layer.adapt(iter([np.array(["x", "y", "x", ""]), np.array(["y", "x", "w"])]))
    assert layer.get_vocabulary() == ["", "[UNK]", "x", "y"]
    np.testing.assert_array_equal(layer(["x", "", "w", "y"]), [2, 0, 1, 3])
    # bytes are decoded
    np.testing.assert_array_equal(layer(np.array([b"y", b"x"])), [3, 2])


@pytest.mark.parametrize(
    "mode, data, expected",
    [
        (
            "one_hot",
            ["a", "b", "c", "d", "z"],
            np.concatenate([np.eye(5)[1:], np.eye(5)[:1]]),
        ),
        ("multi_hot", DATA4, [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
        ("count", DATA4, [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    ],
)
def test_string_lookup_encodings(mode, data, expected):
    out = StringLookup(vocabulary=VOCAB, output_mode=mode)(data)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float32


def test_string_lookup_tf_idf_and_padding():
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    # OOV slot weighs the mean idf (0.5); "z" counted twice in row 2
    np.testing.assert_allclose(
        layer(DATA4), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6
    )
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(
        layer(DATA4), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6
    )
    padded = StringLookup(
        vocabulary=VOCAB, output_mode="multi_hot", max_tokens=8, pad_to_max_tokens=True
    )
    assert padded(DATA4).shape == (2, 8)
    assert padded.compute_output_shape((None, 4)) == (None, 8)


def test_string_lookup_adapt_tf_idf():
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "a", "b"], ["b", "c", "c"]])  # counts a2 b2 c2: ties by token, desc
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "a"]
    idf = np.log1p(2 / (1 + np.array([1.0, 2.0, 1.0])))  # document frequencies c1 b2 a1
    expected = np.concatenate([[idf.mean()], idf]) * np.array([0, 0, 1, 2])
    np.testing.assert_allclose(layer(["a", "a", "b"]), expected, rtol=1e-6)


def test_string_lookup_hashes_oov_tokens_like_keras():
    # Keras's docstring: with two OOV slots "m" -> 0 and "z" -> 1 (FarmHash64 buckets)
    layer = StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(layer([["a", "c", "d"], ["m", "z", "b"]]), [[2, 4, 5], [0, 1, 3]])
    assert layer.get_vocabulary()[:3] == ["[UNK]", "[UNK]", "a"]
    # the buckets of Keras's Hashing tests (tf.strings.to_hash_bucket_fast)
    three = StringLookup(vocabulary=["zz"], num_oov_indices=3)
    np.testing.assert_array_equal(three(list("ABCDE")), [1, 0, 1, 1, 2])
    np.testing.assert_array_equal(three(list("01234")), [1, 0, 1, 0, 2])
    two = StringLookup(vocabulary=["zz"], num_oov_indices=2, mask_token="")
    words = ["omar", "stringer", "marlo", "wire", "skywalker"]
    np.testing.assert_array_equal(two(words), np.array([0, 0, 1, 0, 0]) + 1)


def test_fingerprint64_length_paths():
    """Reference FarmHash Fingerprint64 values (C++ farmhashna) for each length branch."""
    from jnn._core.layers._farmhash import fingerprint64

    got = [fingerprint64(bytes(range(n))) for n in (0, 3, 7, 16, 20, 40, 64, 65, 200)]
    assert got == FINGERPRINTS


def test_string_lookup_invert_round_trip():
    ids = StringLookup(vocabulary=VOCAB)(DATA)
    back = StringLookup(vocabulary=VOCAB, invert=True)(ids)
    np.testing.assert_array_equal(back, [["a", "c", "d"], ["d", "[UNK]", "b"]])
    masked = StringLookup(vocabulary=VOCAB, mask_token="[PAD]", invert=True)
    np.testing.assert_array_equal(masked(np.array([0, 1, 2, 9])), ["[PAD]", "[UNK]", "a", "[UNK]"])


def test_string_lookup_special_tokens_in_vocabulary_are_recognised():
    layer = StringLookup(vocabulary=["", "[UNK]", "a"], mask_token="")
    assert layer.get_vocabulary() == ["", "[UNK]", "a"]
    np.testing.assert_array_equal(layer(["a", "", "q"]), [2, 0, 1])


def test_string_lookup_config_round_trip():
    layer = StringLookup(max_tokens=10, mask_token="", output_mode="count")
    layer.adapt(["x", "y", "y"])
    config = layer.get_config()
    clone = StringLookup.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone([["y", "x", "q"]]), layer([["y", "x", "q"]]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_tokens": 1}, "max_tokens"),
        ({"num_oov_indices": -1}, "num_oov_indices"),
        ({"salt": 7}, "salt"),
        ({"output_mode": "onehot"}, "output_mode.*one_hot"),
        ({"invert": True, "output_mode": "count"}, "invert"),
        ({"sparse": True}, "sparse"),
        ({"vocabulary": ["a", "a"]}, "repeated"),
        ({"vocabulary": ["a", ""], "mask_token": ""}, "mask token"),
        ({"vocabulary": ["a", "b"], "max_tokens": 2}, "max_tokens"),
        ({"vocabulary": "vocab.txt"}, "file path"),
        ({"vocabulary": ["a"], "output_mode": "tf_idf"}, "idf_weights"),
        ({"pad_to_max_tokens": True}, "max_tokens"),
    ],
)
def test_string_lookup_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        StringLookup(**kwargs)


def test_string_lookup_errors_at_call():
    with pytest.raises(ValueError, match="adapt"):
        StringLookup()(["a"])
    with pytest.raises(ValueError, match=r"out-of-vocabulary values \['z'\]"):
        StringLookup(vocabulary=VOCAB, num_oov_indices=0)(DATA)


def test_host_layers_refuse_symbolic_inputs():
    with pytest.raises(TypeError, match="runs on the host"):
        StringLookup(vocabulary=VOCAB)(jnn.Input((3,), dtype="int32"))


# --- TextVectorization ------------------------------------------------------------------------------
def test_text_vectorization_adapt_and_pad():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    np.testing.assert_array_equal(
        layer([["foo qux bar"], ["qux baz"]]), [[4, 1, 3, 0], [1, 2, 0, 0]]
    )
    assert layer.compute_output_shape((None, 1)) == (None, 4)


def test_text_vectorization_vocabulary_and_ragged_padding():
    layer = TextVectorization(vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert layer.vocabulary_size() == 6
    # no output_sequence_length: padded to the longest row
    np.testing.assert_array_equal(
        layer(["earth wind", "fire and water now"]), [[2, 3, 0, 0], [5, 4, 1, 1]]
    )
    trimmed = TextVectorization(vocabulary=["earth"], output_sequence_length=1)
    np.testing.assert_array_equal(trimmed(["x earth", "earth"]), [[1], [2]])


@pytest.mark.parametrize(
    "kwargs, text, expected",
    [
        (
            {"vocabulary": ["hello", "world", "this", "is", "nice", "test"]},
            "Hello, World!. This is just a nice test!",
            [2, 3, 4, 5, 1, 1, 6, 7],
        ),
        (
            {
                "standardize": "lower",
                "vocabulary": ["hello,", "hello", "world", "this", "is", "nice", "test"],
            },
            "Hello, World!. This is just a nice test!",
            [2, 1, 5, 6, 1, 1, 7, 1],
        ),
        (
            {"standardize": "strip_punctuation", "vocabulary": ["Hello", "World", "Test"]},
            "Hello, World! Test.",
            [2, 3, 4],
        ),
        ({"standardize": None, "vocabulary": ["Hello", "world"]}, "Hello hello", [2, 1]),
        ({"split": "character", "vocabulary": list("abcde")}, "abcf", [2, 3, 4, 1]),
        (
            {"split": lambda t: [s.split("|") for s in t], "vocabulary": ["foo", "bar", "foobar"]},
            "foo|bar",
            [4],  # the default standardization strips "|" before the split (Keras's test)
        ),
        (
            {
                "standardize": None,
                "split": lambda t: [s.split("|") for s in t],
                "vocabulary": ["foo", "bar"],
            },
            "foo|bar",
            [2, 3],
        ),
        (
            {"standardize": lambda t: np.char.replace(t, "-", " "), "vocabulary": ["foo", "bar"]},
            "foo-bar",
            [2, 3],
        ),
        ({"ngrams": 2, "vocabulary": ["a", "b", "a b"]}, "a b c", [2, 3, 1, 4, 1]),
        ({"vocabulary": ["ecole"]}, "ÉCOLE ecole", [1, 2]),  # tf.strings.lower: ASCII only
    ],
)
def test_text_vectorization_standardize_split_ngrams(kwargs, text, expected):
    np.testing.assert_array_equal(TextVectorization(**kwargs)([text]), [expected])


def test_text_vectorization_bag_of_words_modes():
    vocab = ["foo", "bar", "baz"]
    multi = TextVectorization(output_mode="multi_hot", vocabulary=vocab)
    np.testing.assert_array_equal(
        multi([["foo bar"], ["baz foo foo"]]), [[0, 1, 1, 0], [0, 1, 0, 1]]
    )
    count = TextVectorization(output_mode="count", vocabulary=vocab)
    np.testing.assert_array_equal(count(["foo bar", "baz foo foo"]), [[0, 1, 1, 0], [0, 2, 0, 1]])
    tfidf = TextVectorization(output_mode="tf_idf", vocabulary=vocab, idf_weights=[0.3, 0.5, 0.2])
    np.testing.assert_allclose(
        tfidf(["foo bar", "baz foo foo"]), [[0, 0.3, 0.5, 0], [0, 0.6, 0, 0.2]]
    )
    one_hot = TextVectorization(output_mode="one_hot", vocabulary=vocab)
    np.testing.assert_array_equal(one_hot(["foo qux"]), [[[0, 1, 0, 0], [1, 0, 0, 0]]])


def test_text_vectorization_adapt_steps_and_config():
    layer = TextVectorization(ngrams=(1, 2), output_mode="multi_hot", max_tokens=6)
    layer.adapt(iter([["a b", "a c"], ["b c"], ["unique"]]), steps=2)
    vocab = layer.get_vocabulary()
    assert vocab[0] == "[UNK]" and len(vocab) == 6 and "unique" not in vocab
    assert vocab[1:4] == ["c", "b", "a"]  # each twice, ties by token, descending
    config = layer.get_config()
    clone = TextVectorization.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(["a b c"]), layer(["a b c"]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"standardize": "upper"}, "standardize"),
        ({"split": "comma"}, "split"),
        ({"ngrams": "invalid"}, "ngrams"),
        ({"output_mode": "multi_hot", "output_sequence_length": 5}, "output_sequence_length"),
        ({"ragged": True}, "ragged"),
    ],
)
def test_text_vectorization_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TextVectorization(**kwargs)


def test_text_vectorization_feeds_a_model():
    vectorize = TextVectorization(output_sequence_length=3)
    vectorize.adapt(["good movie", "bad movie", "good good"])
    x = vectorize(["good movie", "bad"])
    model = jnn.Sequential(
        [jnn.layers.Embedding(vectorize.vocabulary_size(), 2), jnn.layers.GlobalAveragePooling1D()]
    )
    assert model.predict(x, verbose=0).shape == (2, 2)
    with pytest.raises(ValueError, match="rank 1 or a last dimension of 1"):
        vectorize(np.array([["a", "b"]]))
