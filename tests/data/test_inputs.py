"""Every data form trains the same model to the same weights as the equivalent arrays.

One SGD model is shared (weights reset between fits), so the streamed chunk function compiles
once for all the batch-by-batch forms.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import jnn
from jnn.layers import Dense

N, B, D = 37, 8, 3  # 5 batches, the last one of 5 rows
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, D)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
SW = RNG.uniform(0.5, 2.0, size=(N,)).astype(np.float32)


def _batches(*arrays):
    return [tuple(a[i : i + B] for a in arrays) for i in range(0, N, B)]


@pytest.fixture(scope="module")
def model():
    jnn.utils.set_random_seed(1)
    m = jnn.Sequential([Dense(4, input_dim=D, activation="tanh"), Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    m.initial = m.get_weights()
    return m


@pytest.fixture(scope="module")
def reference(model):
    model.set_weights(model.initial)
    h = model.fit(X, Y, batch_size=B, epochs=2, shuffle=False, verbose=0)
    return model.get_weights(), h.history["loss"]


def _fit(model, data, **kw):
    model.set_weights(model.initial)
    h = model.fit(data, epochs=2, verbose=0, **kw)
    return model.get_weights(), h.history["loss"]


def _same(got, ref):
    for a, b in zip(got[0], ref[0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-5)


class Seq(jnn.utils.Sequence):
    def __init__(self, batches, **kw):
        super().__init__(**kw)
        self.batches, self.ends = batches, 0

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        return self.batches[i]

    def on_epoch_end(self):
        self.ends += 1


class FakeTfDataset:  # tf.data duck type: as_numpy_iterator() per pass
    def __init__(self, batches):
        self.batches = batches

    def as_numpy_iterator(self):
        return iter(self.batches)


class FakeTensor:  # torch duck type: .detach().cpu().numpy()
    def __init__(self, a):
        self.a, self.shape = a, a.shape

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


class FakeLoader:  # DataLoader duck type: re-iterable, has len
    def __init__(self, batches):
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        return iter([tuple(FakeTensor(a) for a in b) for b in self.batches])


class FakeGrain:  # grain duck type: re-iterable, no len
    def __init__(self, batches):
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)


def _forever(batches):
    while True:
        yield from batches


@pytest.mark.parametrize(
    "make, kw",
    [
        (lambda b: _forever(b), {"steps_per_epoch": 5}),
        (lambda b: Seq(b, workers=2, max_queue_size=3), {"shuffle": False}),
        (lambda b: FakeTfDataset(b), {}),
        (lambda b: FakeLoader(b), {}),
        (lambda b: FakeGrain(b), {}),
    ],
    ids=["infinite-generator", "sequence-2-workers", "tf-like", "torch-like", "grain-like"],
)
def test_streamed_forms_train_like_arrays(model, reference, make, kw):
    _same(_fit(model, make(_batches(X, Y)), **kw), reference)


def test_sample_weights_in_batches_equal_array_sample_weight(model):
    model.set_weights(model.initial)
    ref = model.fit(X, Y, sample_weight=SW, batch_size=B, epochs=2, shuffle=False, verbose=0)
    ref = model.get_weights(), ref.history["loss"]
    _same(_fit(model, Seq(_batches(X, Y, SW)), shuffle=False), ref)


def test_finite_generator_runs_one_pass_then_stops_with_warning(model, reference):
    def finite():
        yield from _batches(X, Y)

    model.set_weights(model.initial)
    with pytest.warns(UserWarning, match="ran out of data"):
        h = model.fit(finite(), epochs=3, verbose=0)
    assert len(h.history["loss"]) == 2  # epoch 2 found the generator empty and stopped
    np.testing.assert_allclose(h.history["loss"][0], reference[1][0], rtol=1e-5)


def test_sequence_epoch_end_and_shuffle(model):
    seq = Seq(_batches(X, Y))
    model.set_weights(model.initial)
    model.fit(seq, epochs=2, verbose=0, shuffle=True)
    assert seq.ends == 2


def test_evaluate_predict_and_validation_from_generators(model):
    model.set_weights(model.initial)
    h = model.fit(
        X[:16],
        Y[:16],
        batch_size=B,
        epochs=1,
        verbose=0,
        validation_data=_forever(_batches(X, Y)),
        validation_steps=5,
    )
    ref_eval = model.evaluate(X, Y, batch_size=B, verbose=0, return_dict=True)
    assert h.history["val_loss"][0] == pytest.approx(ref_eval["loss"], rel=1e-5)
    got_eval = model.evaluate(Seq(_batches(X, Y)), verbose=0, return_dict=True)
    assert got_eval == pytest.approx(ref_eval, rel=1e-5)
    np.testing.assert_allclose(
        model.predict(FakeGrain([(b[0],) for b in _batches(X)]), verbose=0),
        model.predict(X, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_class_weight_on_a_sequence_equals_arrays():
    jnn.utils.set_random_seed(2)
    m = jnn.Sequential([Dense(3, input_dim=D, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    w0 = m.get_weights()
    labels = (np.arange(N) % 3).astype(np.int32)
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    m.fit(X, labels, batch_size=B, epochs=1, shuffle=False, class_weight=cw, verbose=0)
    ref = m.get_weights()
    m.set_weights(w0)
    m.fit(Seq(_batches(X, labels)), epochs=1, shuffle=False, class_weight=cw, verbose=0)
    for a, b in zip(m.get_weights(), ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_named_inputs_from_a_generator_of_dicts_and_pandas():
    pd = pytest.importorskip("pandas")
    a, b = jnn.Input(shape=(2,), name="a"), jnn.Input(shape=(1,), name="b")
    jnn.utils.set_random_seed(3)
    concat = jnn.layers.Concatenate()([a, b])
    m = jnn.Model([a, b], Dense(1)(concat))
    m.compile(optimizer="sgd", loss="mse")
    w0 = m.get_weights()
    df = pd.DataFrame(X, columns=["c0", "c1", "c2"])
    m.fit(
        {"a": df[["c0", "c1"]], "b": df[["c2"]]},
        pd.Series(Y[:, 0]),
        batch_size=B,
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    ref = m.get_weights()
    m.set_weights(w0)
    gen = (({"a": x[:, :2], "b": x[:, 2:]}, y) for x, y in _batches(X, Y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        m.fit(gen, epochs=1, verbose=0)
    for u, v in zip(m.get_weights(), ref):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def test_real_torch_dataloader(model, reference):
    torch = pytest.importorskip("torch")
    ds = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(ds, batch_size=B, shuffle=False)
    _same(_fit(model, loader), reference)
