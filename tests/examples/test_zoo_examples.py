"""Smoke tests for the layer-zoo examples: CNN, Embedding + Bidirectional(LSTM), tutorial 001's
experiments. Each runs ``main()`` with tiny settings and checks a result that a broken layer
would miss."""

from __future__ import annotations

import numpy as np
import pytest

import jnn
from tests.examples.test_examples import load_example


@pytest.fixture(autouse=True)
def _fresh_session():
    jnn.backend.clear_session()


def test_mnist_cnn_learns_digits(capsys):
    accuracy = load_example("mnist_cnn").main(epochs=4, filters=8)
    assert accuracy > 0.85  # chance is 0.1; default settings reach > 0.9
    out = capsys.readouterr().out
    assert "Conv2D" in out and "MaxPooling2D" in out and "Dropout" in out
    assert "Test accuracy" in out


def test_mnist_cnn_images_shape():
    (x_train, y_train), (x_test, _) = load_example("mnist_cnn").load_digits_images()
    assert x_train.shape[1:] == (8, 8, 1) and x_test.shape[1:] == (8, 8, 1)
    assert x_train.dtype == np.float32
    assert 0.0 <= x_train.min() and x_train.max() == 1.0
    assert len(x_train) == len(y_train)


def test_text_lstm_sequences_encode_order():
    module = load_example("text_lstm")
    x, y = module.make_sequences(64, max_len=12, seed=1)
    assert x.shape == (64, 12) and x.dtype == np.int32
    for row, label in zip(x, y):
        ids = list(row)
        assert ids.count(7) == 1 and ids.count(3) == 1
        assert (ids.index(7) < ids.index(3)) == bool(label)
        length = int(np.count_nonzero(row))
        assert not row[length:].any()  # right padding only
    assert 0 < y.sum() < 64


def test_text_lstm_texts_vectorize_back_to_the_sequences():
    module = load_example("text_lstm")
    x, _ = module.make_sequences(8, max_len=12, seed=2)
    texts = module.to_texts(x)
    assert texts[0].split()[0] == f"w{x[0, 0]}"
    vectorize = module.TextVectorization(output_sequence_length=12)
    vectorize.adapt(texts)
    vocab = vectorize.get_vocabulary()
    ids = vectorize(texts)
    # same padding, and each id names the original word
    assert ((ids == 0) == (x == 0)).all()
    assert all(vocab[i] == f"w{t}" for i, t in zip(ids[x > 0], x[x > 0]))


def test_text_lstm_learns_order(capsys):
    accuracy = load_example("text_lstm").main(samples=1000, epochs=8, max_len=10)
    # a bag-of-words model stays at ~0.5; the bidirectional LSTM must see the order
    assert accuracy > 0.75
    assert "Bidirectional" in capsys.readouterr().out


def test_batchnorm_dropout_experiments_plots(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    module = load_example("batchnorm_dropout_experiments")
    best = module.main(str(tmp_path), families=("batchnorm",), epochs=5)
    assert 0.5 < best <= 1.0
    for family in ("batchnorm",):
        png = tmp_path / f"{family}.png"
        assert png.exists() and png.stat().st_size > 5_000
    out = capsys.readouterr().out
    assert "batchnorm=0" in out and "batchnorm=1" in out


def test_batchnorm_dropout_experiments_zeros_initializer_cannot_learn():
    module = load_example("batchnorm_dropout_experiments")
    hist = module.run({"initializer": "zeros", "activation": "tanh"}, module.load_digits(), 2, 0)
    assert hist["val_accuracy"][-1] < 0.3  # all hidden units stay identical


def test_batchnorm_dropout_experiments_unknown_family(tmp_path):
    module = load_example("batchnorm_dropout_experiments")
    with pytest.raises(ValueError, match="Unknown experiment family: 'optimizers'"):
        module.main(str(tmp_path), families=("optimizers",))


@pytest.mark.slow
def test_transfer_learning_frozen_base_then_fine_tuning(capsys):
    module = load_example("transfer_learning")
    results = module.main(pretrain_epochs=3, head_epochs=2, tune_epochs=2, verbose=0)
    out = capsys.readouterr().out
    assert "Digits 5-9 test accuracy" in out and "Rescaling" in out
    # The weights file written after pretraining is what `weights=PATH` loaded: a fresh base
    # from it carries those weights, not new random ones.
    base = module.make_base(results["weights"])
    again = module.make_base(results["weights"])
    np.testing.assert_array_equal(base.get_weights()[0], again.get_weights()[0])
    assert not np.array_equal(base.get_weights()[0], module.make_base(None).get_weights()[0])
    assert 0.0 <= results["head"] <= 1.0 and 0.0 <= results["fine_tuned"] <= 1.0
