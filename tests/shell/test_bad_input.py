"""Bad input: every error names what was expected and what was received."""

import numpy as np
import pytest

import jnn
from jnn import layers

RNG = np.random.default_rng(4)
X = RNG.uniform(size=(6, 2)).astype(np.float32)
Y = np.array([0, 1, 2, 0, 1, 2], np.int32)


@pytest.fixture(scope="module")
def clf():
    """A compiled 3-class classifier; tests check that failed calls leave it untouched."""
    model = jnn.Sequential([layers.Dense(3, input_dim=2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def _unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_fit_before_compile():
    model = jnn.Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(RuntimeError, match=r"must compile.*model\.compile\(optimizer, loss\)"):
        model.fit(X, Y, verbose=0)
    with pytest.raises(RuntimeError, match="must compile"):
        model.evaluate(X, Y, verbose=0)


def test_x_and_y_of_different_lengths(clf):
    with pytest.raises(ValueError, match=r"x sizes: \[6\], y sizes: \[5\]"):
        clf.fit(X, Y[:5], verbose=0)
    with pytest.raises(ValueError, match=r"sample_weight sizes: \[4\]"):
        clf.fit(X, Y, sample_weight=np.ones(4), verbose=0)


def test_sparse_labels_at_or_above_units(clf):
    before = clf.get_weights()
    with pytest.raises(ValueError, match=r"label value of 3.*\[0, 3\).*at least 4 units"):
        clf.fit(X, np.array([0, 1, 2, 3, 0, 1]), verbose=0)
    with pytest.raises(ValueError, match=r"label value of -1.*non-negative"):
        clf.fit(X, np.array([0, 1, -1, 0, 1, 0]), verbose=0)
    assert _unchanged(clf, before)


def test_one_hot_labels_with_sparse_loss(clf):
    one_hot = np.eye(3, dtype=np.float32)[Y]
    with pytest.raises(ValueError, match=r"shape \(6, 3\).*one-hot.*categorical_crossentropy"):
        clf.fit(X, one_hot, verbose=0)


def test_nan_in_inputs_is_an_error_before_training(clf):
    before = clf.get_weights()
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains NaN.*index \(2, 1\)"):
        clf.fit(bad, Y, verbose=0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        clf.predict(np.full((2, 2), np.inf, np.float32), verbose=0)
    with pytest.raises(ValueError, match="non-integer values such as \\[nan\\]"):
        clf.fit(X, np.array([0, 1, np.nan, 0, 1, 0]), verbose=0)
    assert _unchanged(clf, before)


def test_nan_in_validation_data_is_an_error_before_training(clf):
    before = clf.get_weights()
    bad = X.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(X, Y, validation_data=(bad, Y), epochs=2, verbose=0)
    assert _unchanged(clf, before)


def test_nan_in_sample_weight_is_an_error():
    model = jnn.Sequential([layers.Dense(3, input_dim=2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    sw = np.array([1, np.nan, 1, 1, 1, 1], np.float32)
    with pytest.raises(ValueError, match="sample_weight.*NaN"):
        model.fit(X, Y, sample_weight=sw, verbose=0)


@pytest.mark.parametrize(
    "data, dtype",
    [
        (np.array([["a", "b"]] * 6), "<U1"),
        (np.array([[1.0, None]] * 6, dtype=object), "object"),
    ],
    ids=["strings", "objects"],
)
def test_string_and_object_inputs(clf, data, dtype):
    with pytest.raises(ValueError, match=f"`x` must be numeric, but it has dtype {dtype}"):
        clf.fit(data, Y, verbose=0)
    with pytest.raises(ValueError, match="must be numeric"):
        clf.predict(data, verbose=0)


def test_string_targets(clf):
    with pytest.raises(ValueError, match="Target data `y` must be numeric.*<U3"):
        clf.fit(X, np.array(["cat", "dog", "cow", "cat", "dog", "cow"]), verbose=0)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5, "0.2"])
def test_validation_split_outside_unit_interval(clf, split):
    with pytest.raises(
        ValueError,
        match=rf"`validation_split` must be a float in \[0, 1\), "
        rf"received {split!r}",
    ):
        clf.fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_leaving_no_training_samples(clf):
    with pytest.raises(ValueError, match="leaves no samples"):
        clf.fit(X[:1], Y[:1], validation_split=0.5, verbose=0)


def test_validation_data_of_wrong_arity(clf):
    with pytest.raises(ValueError, match=r"\(x_val, y_val\).*received tuple of length 1"):
        clf.fit(X, Y, validation_data=(X,), verbose=0)


def test_duplicate_layer_names():
    with pytest.raises(ValueError, match="unique names.*'a'"):
        jnn.Sequential([layers.Dense(2, name="a", input_dim=2), layers.Dense(2, name="a")])
    inp = jnn.Input(shape=(2,))
    out = layers.Dense(1, name="b")(layers.Dense(2, name="b")(inp))
    with pytest.raises(ValueError, match="'b' is used 2 times"):
        jnn.Model(inp, out)


def test_set_weights_wrong_count_and_shape(clf):
    before = clf.get_weights()
    with pytest.raises(ValueError, match=r"length 1, but it expected 2 weights"):
        clf.set_weights(before[:1])
    with pytest.raises(ValueError, match=r"length 3, but it expected 2 weights"):
        clf.set_weights(before + before[:1])
    wrong = [np.zeros((w.shape[0] + 1,) + w.shape[1:], np.float32) for w in before]
    with pytest.raises(
        ValueError,
        match=r"has shape \([\d, ]+\), but the value provided "
        r"has shape",
    ):
        clf.set_weights(wrong)
    with pytest.raises(ValueError, match=r"length 3, but it expected 2"):
        clf.layers[0].set_weights(before + before[:1])
    with pytest.raises(ValueError, match=r"Cannot assign a value of shape \(5,\)"):
        clf.layers[0].bias.assign(np.zeros(5))
    assert _unchanged(clf, before)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5])
def test_batch_size_must_be_positive_int(clf, batch_size):
    msg = rf"`batch_size` must be a positive int, received {batch_size}"
    with pytest.raises(ValueError, match=msg):
        clf.fit(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match=msg):
        clf.evaluate(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match=msg):
        clf.predict(X, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("spe", [0, -2, 1.5])
def test_steps_per_execution_must_be_positive(spe):
    model = jnn.Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match=rf"`steps_per_execution`.*positive int, received {spe}"):
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=spe)


def test_epoch_typo(clf):
    with pytest.raises(TypeError, match="'epoch'.*did you mean epochs"):
        clf.fit(X, Y, epoch=3, verbose=0)
    with pytest.raises(TypeError, match=r"\['batchsize'\]"):
        clf.evaluate(X, Y, batchsize=2, verbose=0)


def test_epochs_must_be_non_negative_int(clf):
    with pytest.raises(ValueError, match=r"`epochs` must be a non-negative int, received -1"):
        clf.fit(X, Y, epochs=-1, verbose=0)


def test_unknown_optimizer_lists_valid_choices():
    model = jnn.Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match=r"optimizer identifier: 'adamm'.*'adam'.*'sgd'"):
        model.compile(optimizer="adamm", loss="mse")


def test_unknown_loss_lists_valid_choices():
    model = jnn.Sequential([layers.Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss="msee")  # resolved lazily, as Keras 3 does
    with pytest.raises(ValueError, match=r"loss identifier: 'msee'.*'MSE'"):
        model.fit(X, Y, verbose=0)


def test_wrong_input_width(clf):
    with pytest.raises(ValueError, match=r"expected shape=\(None, 2\), found shape=\(None, 5\)"):
        clf.predict(np.zeros((2, 5), np.float32), verbose=0)


def test_missing_targets_and_missing_x(clf):
    with pytest.raises(ValueError, match="No targets `y`"):
        clf.evaluate(X, verbose=0)
    with pytest.raises(ValueError, match="`x` is None"):
        clf.predict(None, verbose=0)
    with pytest.raises(ValueError, match="0 samples"):
        clf.predict(np.zeros((0, 2), np.float32), verbose=0)


def test_batch_size_larger_than_the_data_is_one_batch():
    """Documented behaviour (as Keras): one batch holding every sample, nothing dropped."""
    def trained(batch_size):
        jnn.utils.set_random_seed(3)
        model = jnn.Sequential([layers.Dense(3, input_shape=(2,), activation="softmax")])
        model.compile("sgd", "sparse_categorical_crossentropy")
        model.fit(X, Y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0)
        return model

    big, exact = trained(1000), trained(6)
    for a, b in zip(big.get_weights(), exact.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert big.evaluate(X, Y, batch_size=1000, verbose=0) == pytest.approx(
        exact.evaluate(X, Y, batch_size=6, verbose=0), rel=1e-6)
    assert big.predict(X, batch_size=1000, verbose=0).shape == (6, 3)
