"""Recurrent layers (RNN, SimpleRNN, LSTM, GRU, their cells, Bidirectional, TimeDistributed,
Masking): harness, hand values, masks, dropout, one-scan tracing, bad input and Keras 3
conformance with copied weights."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core import regularizers
from jnn._core.layers.base import Layer
from jnn._core.layers.core import Dense
from jnn._core.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    GRUCell,
    LSTMCell,
    Masking,
    SimpleRNN,
    TimeDistributed,
)
from tests.harness import flat_names, flat_values, make_inputs, run_layer_test

KEY = jax.random.key(0, impl="rbg")
RNG = jax.random.key(7, impl="rbg")
B, T, F, U = 2, 5, 3, 4
X = make_inputs((B, T, F))
MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
NAMES = ["kernel", "recurrent_kernel", "bias"]


def _count(layer_cls, units, features, **kw):
    gates = {SimpleRNN: 1, LSTM: 4, GRU: 3}[layer_cls]
    bias = 0 if not kw.get("use_bias", True) else gates * units
    if layer_cls is GRU and kw.get("reset_after", True) and kw.get("use_bias", True):
        bias *= 2
    return features * gates * units + units * gates * units + bias


# --- harness --------------------------------------------------------------------------------
# Compiling a scan's gradient is the slow part on a shared CPU: one run checks gradients.
@pytest.mark.parametrize(
    "cls, kwargs, modes, grads",
    [
        (
            LSTM,
            {"return_state": True, "dropout": 0.3, "recurrent_dropout": 0.2, "seed": 1},
            (False, True),
            False,
        ),
        (
            GRU,
            {"return_sequences": True, "go_backwards": True, "reset_after": False},
            (False,),
            False,
        ),
        (SimpleRNN, {"use_bias": False, "activation": "relu"}, (False,), True),
    ],
)
def test_builtin_rnn_harness(cls, kwargs, modes, grads):
    n_states = 2 if cls is LSTM else 1
    out = (B, T, U) if kwargs.get("return_sequences") else (B, U)
    expected = [out] + [(B, U)] * n_states if kwargs.get("return_state") else out
    names = NAMES if kwargs.get("use_bias", True) else NAMES[:2]
    result = run_layer_test(
        cls,
        {"units": U, **kwargs},
        (B, T, F),
        expected_output_shape=expected,
        expected_num_params=_count(cls, U, F, **kwargs),
        expected_param_names=names,
        expected_state_names=[],
        training_modes=modes,
        check_grads=grads,
    )
    if cls is GRU:
        assert result.variables["params"]["bias"].shape == (3 * U,)
    if True in modes:  # dropout changes the training outputs only
        assert not np.allclose(result.outputs[False][0], result.outputs[True][0])


def test_generic_rnn_and_cell_harness():
    result = run_layer_test(
        RNN,
        {"cell": GRUCell(U), "return_sequences": True},
        (B, T, F),
        expected_output_shape=(B, T, U),
        expected_param_names=NAMES,
        training_modes=(False,),
        check_grads=False,
    )
    assert result.variables["params"]["bias"].shape == (2, 3 * U)
    assert result.layer.get_config()["cell"]["class_name"] == "GRUCell"
    result = run_layer_test(
        LSTMCell, {"units": U}, (B, F), expected_param_names=NAMES, training_modes=(False,)
    )
    out, states = result.outputs[False]
    assert out.shape == (B, U) and len(states) == 2


def test_bidirectional_harness():
    result = run_layer_test(
        Bidirectional,
        {"layer": LSTM(U, return_sequences=True, return_state=True), "merge_mode": None},
        (B, T, F),
        expected_output_shape=[(B, T, U)] * 2 + [(B, U)] * 4,
        expected_param_names=[f"{d}_{n}" for d in ("forward", "backward") for n in NAMES],
        expected_num_params=2 * _count(LSTM, U, F),
        training_modes=(False,),
        check_grads=False,
    )
    assert len(result.outputs[False]) == 6


def test_time_distributed_harness():
    result = run_layer_test(
        TimeDistributed,
        {"layer": Dense(U, activation="relu")},
        (B, T, F),
        expected_output_shape=(B, T, U),
        expected_param_names=["kernel", "bias"],
        expected_num_params=F * U + U,
    )
    kernel, bias = flat_values(result.variables["params"])
    want = jax.nn.relu(result.inputs @ kernel + bias[None, None, :])
    np.testing.assert_allclose(result.outputs[False], want, rtol=1e-6, atol=1e-6)


def test_masking_harness_and_mask():
    x = np.asarray(X).copy()
    x[0, 2] = 0.0
    x[1, 0] = 0.0
    x[1, 3, 0] = 0.0  # one zero feature does not mask the step
    result = run_layer_test(Masking, {}, (B, T, F), input_data=jnp.asarray(x))
    mask = result.layer.compute_mask(jnp.asarray(x))
    want = np.ones((B, T), bool)
    want[0, 2] = want[1, 0] = False
    np.testing.assert_array_equal(mask, want)
    np.testing.assert_array_equal(result.outputs[False], x)
    y, _ = Masking(mask_value=x[0, 0, 0]).apply({"params": {}, "state": {}}, jnp.asarray(x))
    assert y.shape == x.shape


# --- hand values ------------------------------------------------------------------------------
def _summing_rnn(**kwargs):
    """units=1, linear, kernel=recurrent=1, no bias: h_t = h_{t-1} + x_t (a running sum)."""
    layer = SimpleRNN(
        1,
        activation=None,
        use_bias=False,
        kernel_initializer="ones",
        recurrent_initializer="ones",
        **kwargs,
    )
    x = jnp.arange(1.0, 6.0).reshape(1, 5, 1)
    return layer, layer.init(KEY, x), x


def test_simple_rnn_running_sum_golden():
    layer, v, x = _summing_rnn(return_sequences=True)
    y, _ = layer.apply(v, x)
    np.testing.assert_allclose(y[0, :, 0], [1, 3, 6, 10, 15])
    y, _ = layer.apply(v, x, initial_state=[jnp.full((1, 1), 100.0)])
    np.testing.assert_allclose(y[0, :, 0], [101, 103, 106, 110, 115])


def test_simple_rnn_go_backwards_golden():
    layer, v, x = _summing_rnn(return_sequences=True, go_backwards=True)
    y, _ = layer.apply(v, x)
    # Processed 5, 4, 3, 2, 1, returned in processing order (Keras keeps it reversed).
    np.testing.assert_allclose(y[0, :, 0], [5, 9, 12, 14, 15])


@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_steps_keep_state_golden(zero_output):
    layer, v, x = _summing_rnn(
        return_sequences=True, return_state=True, zero_output_for_mask=zero_output
    )
    mask = jnp.array([[True, False, True, False, True]])
    (y, h), _ = layer.apply(v, x, mask=mask)
    masked_out = [0, 0] if zero_output else [1, 4]
    np.testing.assert_allclose(y[0, :, 0], [1, masked_out[0], 4, masked_out[1], 9])
    np.testing.assert_allclose(h[0, 0], 9.0)
    last, _ = _summing_rnn()[0].apply(v, x, mask=mask)
    np.testing.assert_allclose(last[0, 0], 9.0)


def test_lstm_unit_forget_bias_and_gate_order_golden():
    layer = LSTM(2, kernel_initializer="zeros", recurrent_initializer="zeros")
    x = jnp.ones((1, 3, 2))
    v = layer.init(KEY, x)
    np.testing.assert_array_equal(v["params"]["bias"], [0, 0, 1, 1, 0, 0, 0, 0])
    # Zero kernels: i = o = sigmoid(0) = 1/2, f = sigmoid(1), candidate = tanh(0) = 0.
    (out, h, c), _ = LSTM(2, return_state=True).apply(v, x)
    np.testing.assert_allclose(c, 0.0)
    np.testing.assert_allclose(out, 0.0)
    bias = jnp.zeros(8).at[4:6].set(1.0)  # candidate block (order i, f, c, o)
    (out, h, c), _ = LSTM(2, return_state=True).apply(
        {"params": {**v["params"], "bias": bias}, "state": {}}, x[:, :1]
    )
    c_want = 0.5 * np.tanh(1.0)
    np.testing.assert_allclose(c, c_want, rtol=1e-6)
    np.testing.assert_allclose(h, 0.5 * np.tanh(c_want), rtol=1e-6)


def test_gru_update_gate_golden():
    # Zero weights except bias on z (first block): h = z * h0 + (1 - z) * tanh(0).
    layer = GRU(1, reset_after=False, kernel_initializer="zeros", recurrent_initializer="zeros")
    x = jnp.ones((1, 1, 1))
    v = layer.init(KEY, x)
    params = {**v["params"], "bias": jnp.array([2.0, 0.0, 0.0])}
    y, _ = layer.apply({"params": params, "state": {}}, x, initial_state=[jnp.ones((1, 1))])
    np.testing.assert_allclose(y, [[jax.nn.sigmoid(2.0)]], rtol=1e-6)


# --- dropout ------------------------------------------------------------------------------------
def test_dropout_masks_are_fixed_over_time():
    layer = SimpleRNN(
        6,
        activation=None,
        use_bias=False,
        kernel_initializer="identity",
        recurrent_initializer="zeros",
        dropout=0.5,
        return_sequences=True,
    )
    x = jnp.ones((3, 7, 6))
    v = layer.init(KEY, x)
    y, _ = layer.apply(v, x, training=True, rng=RNG)
    np.testing.assert_array_equal(y, jnp.broadcast_to(y[:, :1], y.shape))
    assert set(np.unique(np.asarray(y)).tolist()) <= {0.0, 2.0}
    assert 0 < float(jnp.mean(y == 0)) < 1
    np.testing.assert_array_equal(layer.apply(v, x)[0], x)  # inference: no dropout
    y2, _ = layer.apply(v, x, training=True, rng=jax.random.key(8, impl="rbg"))
    assert not np.array_equal(y, y2)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_dropout_needs_rng_in_training(cls):
    layer = cls(U, recurrent_dropout=0.5)
    v = layer.init(KEY, X)
    with pytest.raises(ValueError, match=r"needs a random key.*rng="):
        layer.apply(v, X, training=True)


# --- one scan, compiled once ------------------------------------------------------------------
def _jaxpr_text(layer, steps):
    x = jnp.ones((2, steps, 3))
    v = layer.init(KEY, x)
    return str(jax.make_jaxpr(lambda v, x: layer.apply(v, x, mask=x[..., 0] > 0)[0])(v, x))


def test_lstm_over_100_steps_traces_one_scan():
    layer = LSTM(4, return_sequences=True)
    text = _jaxpr_text(layer, 100)
    assert text.count("scan[") == 1
    assert "length=100" in text
    # The program does not grow with the number of steps (nothing unrolled in Python).
    assert len(_jaxpr_text(layer, 10).splitlines()) == len(text.splitlines())


def test_bidirectional_traces_one_scan_per_direction():
    assert _jaxpr_text(Bidirectional(GRU(U)), 50).count("scan[") == 2


def test_lstm_jit_compiles_once_for_a_shape():
    layer = LSTM(U)
    v = layer.init(KEY, jnp.ones((2, 100, 3)))
    traces = []

    @jax.jit
    def f(v, x):
        traces.append(1)
        return layer.apply(v, x)[0]

    f(v, jnp.ones((2, 100, 3)))
    f(v, jnp.zeros((2, 100, 3)))
    assert len(traces) == 1


# --- masks and shapes ---------------------------------------------------------------------------
def test_rnn_compute_mask():
    mask = jnp.asarray(MASK)
    assert LSTM(U, return_sequences=True).compute_mask(X, mask) is mask
    assert LSTM(U).compute_mask(X, mask) is None
    assert LSTM(U, return_sequences=True, return_state=True).compute_mask(X, mask) == [
        mask,
        None,
        None,
    ]
    assert Bidirectional(GRU(U, return_sequences=True), merge_mode=None).compute_mask(X, mask) == (
        mask,
        mask,
    )
    assert TimeDistributed(Dense(2)).compute_mask(X, mask) is mask


def test_unknown_time_dimension_output_shape():
    assert LSTM(U, return_sequences=True).compute_output_shape((None, None, F)) == (None, None, U)
    shapes = GRU(U, return_state=True).compute_output_shape((None, T, F))
    assert tuple(shapes) == ((None, U), (None, U))
    assert Bidirectional(LSTM(U)).compute_output_shape((None, T, F)) == (None, 2 * U)
    assert TimeDistributed(Dense(2)).compute_output_shape((None, T, F)) == (None, T, 2)


def test_time_distributed_passes_folded_mask():
    seen = {}

    class Probe(Layer):
        supports_masking = True

        def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
            seen["mask"] = mask
            return inputs, {}

    TimeDistributed(Probe()).apply({"params": {}, "state": {}}, X, mask=MASK)
    np.testing.assert_array_equal(seen["mask"], MASK.reshape(B * T))


# --- user cells ----------------------------------------------------------------------------------
class MinimalCell(Layer):
    """A jnn-protocol cell with weights: h = tanh(x @ kernel + h @ recurrent)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def init(self, key, input_spec):
        k1, k2 = jax.random.split(key)
        n = input_spec.shape[-1]
        return {
            "params": {
                "kernel": jax.random.normal(k1, (n, self.units)),
                "recurrent_kernel": jax.random.normal(k2, (self.units, self.units)),
            },
            "state": {},
        }

    def apply(self, variables, inputs, *, training=False, rng=None, states=None):
        p = variables["params"]
        h = jnp.tanh(inputs @ p["kernel"] + states[0] @ p["recurrent_kernel"])
        return (h, [h]), {}


class KerasStyleCounter:
    """A weightless Keras-protocol cell: counts steps and sums inputs (two states)."""

    state_size = [1, 3]

    def call(self, inputs, states):
        count = states[0] + 1.0
        total = states[1] + inputs
        return total, [count, total]


def test_user_cell_with_weights_matches_a_python_loop():
    layer = RNN(MinimalCell(U), return_sequences=True)
    v = layer.init(KEY, X)
    y, _ = layer.apply(v, X)
    p = v["params"]
    h = jnp.zeros((B, U))
    for t in range(T):
        h = jnp.tanh(X[:, t] @ p["kernel"] + h @ p["recurrent_kernel"])
        np.testing.assert_allclose(y[:, t], h, rtol=1e-5, atol=1e-6)


def test_weightless_keras_protocol_cell():
    layer = RNN(KerasStyleCounter(), return_state=True)
    v = layer.init(KEY, X)
    assert v == {"params": {}, "state": {}}
    (out, count, total), _ = layer.apply(v, X, mask=MASK)
    np.testing.assert_allclose(count[:, 0], MASK.sum(axis=1))
    np.testing.assert_allclose(total, (X * MASK[..., None]).sum(axis=1), rtol=1e-6)
    # Masked steps output the previous first state (Keras's convention).
    assert out.shape == (B, 3)


def test_weightless_cell_in_bidirectional_and_config():
    bi = Bidirectional(RNN(KerasStyleCounter(), return_sequences=True), merge_mode=None)
    (fwd, bwd), _ = bi.apply(bi.init(KEY, X), X)
    np.testing.assert_allclose(fwd, jnp.cumsum(X, axis=1), rtol=1e-5, atol=1e-6)
    backward_sums = jnp.flip(jnp.cumsum(jnp.flip(X, axis=1), axis=1), axis=1)
    np.testing.assert_allclose(bwd, backward_sums, rtol=1e-5, atol=1e-6)
    config = RNN(KerasStyleCounter()).get_config()
    assert config["cell"] == {"class_name": "KerasStyleCounter", "config": {}}
    rebuilt = RNN.from_config(config, custom_objects={"KerasStyleCounter": KerasStyleCounter})
    assert rebuilt.state_size == [1, 3]


# --- regularizers, constraints, config -------------------------------------------------------------
def test_regularizers_and_constraints():
    layer = LSTM(
        U,
        kernel_regularizer=regularizers.L2(0.1),
        recurrent_regularizer="l1",
        recurrent_constraint="non_neg",
        activity_regularizer="l2",
    )
    v = layer.init(KEY, X)
    p = v["params"]
    assert list(layer.weight_regularizers()) == ["kernel", "recurrent_kernel"]
    want = 0.1 * jnp.sum(p["kernel"] ** 2) + 0.01 * jnp.sum(jnp.abs(p["recurrent_kernel"]))
    np.testing.assert_allclose(layer.regularization_penalty(p), want, rtol=1e-5)
    assert bool(jnp.all(layer.apply_constraints(p)["recurrent_kernel"] >= 0))
    assert layer.activity_regularizer is not None
    bi = Bidirectional(layer)
    vb = bi.init(KEY, X)
    assert list(bi.weight_regularizers()) == [
        "forward_kernel",
        "forward_recurrent_kernel",
        "backward_kernel",
        "backward_recurrent_kernel",
    ]
    pb = vb["params"]
    fwd = {k[8:]: a for k, a in pb.items() if k.startswith("forward_")}
    bwd = {k[9:]: a for k, a in pb.items() if k.startswith("backward_")}
    total = layer.regularization_penalty(fwd) + layer.regularization_penalty(bwd)
    np.testing.assert_allclose(bi.regularization_penalty(pb), total, rtol=1e-5)
    assert list(TimeDistributed(Dense(2, kernel_constraint="non_neg")).weight_constraints()) == [
        "kernel"
    ]


def test_layer_attributes_mirror_the_cell():
    layer = GRU(U, dropout=0.25, reset_after=False, name="g")
    assert (layer.units, layer.dropout, layer.reset_after) == (U, 0.25, False)
    assert layer.cell.name == "gru_cell" and layer.name == "g"
    bi = Bidirectional(layer)
    assert bi.forward_layer.name == "forward_g" and bi.backward_layer.name == "backward_g"
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert Bidirectional.from_config(bi.get_config()).get_config() == bi.get_config()


# --- bad input ----------------------------------------------------------------------------------
def test_wrong_rank_names_the_layer():
    layer = LSTM(U, name="lstm")
    with pytest.raises(ValueError, match=r'layer "lstm".*expected ndim=3, found ndim=2'):
        layer.init(KEY, jnp.zeros((B, F)))
    v = layer.init(KEY, X)
    with pytest.raises(ValueError, match=r'layer "lstm".*expected ndim=3, found ndim=4'):
        layer.apply(v, jnp.zeros((B, T, F, 1)))
    with pytest.raises(ValueError, match=r'"time_distributed".*min_ndim=3, found ndim=2'):
        TimeDistributed(Dense(2), name="time_distributed").init(KEY, jnp.zeros((B, F)))
    bi = Bidirectional(GRU(U), name="bidirectional")
    with pytest.raises(ValueError, match=r'"bidirectional".*expected ndim=3'):
        bi.init(KEY, jnp.zeros((B, F)))


def test_bad_initial_state():
    layer = LSTM(U, name="lstm")
    v = layer.init(KEY, X)
    with pytest.raises(ValueError, match=r'"lstm".*`initial_state`.*2 array.*received 1'):
        layer.apply(v, X, initial_state=[jnp.zeros((B, U))])
    with pytest.raises(ValueError, match=r"`initial_state`.*\(2, 4\).*\(2, 3\)"):
        layer.apply(v, X, initial_state=[jnp.zeros((B, U)), jnp.zeros((B, 3))])
    bi = Bidirectional(GRU(U), name="bi")
    vb = bi.init(KEY, X)
    with pytest.raises(ValueError, match=r'"bi".*`initial_state`.*even'):
        bi.apply(vb, X, initial_state=[jnp.zeros((B, U))] * 3)


def test_bad_mask_shape():
    layer = GRU(U, name="gru")
    v = layer.init(KEY, X)
    with pytest.raises(ValueError, match=r'"gru".*`mask`.*\(2, 5\).*\(2, 4\)'):
        layer.apply(v, X, mask=MASK[:, :4])
    with pytest.raises(ValueError, match=r'"gru".*`mask`.*\(2, 5, 1\)'):
        layer.apply(v, X, mask=MASK[..., None])
    td = TimeDistributed(Dense(2), name="td")
    vt = td.init(KEY, X)
    with pytest.raises(ValueError, match=r'"td".*`mask`.*\(2, 5\).*\(5, 2\)'):
        td.apply(vt, X, mask=MASK.T)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: LSTM(0), r"LSTMCell: argument `units` must be a positive int, received 0"),
        (lambda: GRU(U, dropout=1.5), r"GRUCell: argument `dropout` must be a float in \[0, 1\)"),
        (lambda: SimpleRNN(U, stateful=True), r"SimpleRNN: `stateful=True` is not supported"),
        (lambda: LSTM(U, return_sequences="yes"), r"LSTM: argument `return_sequences` must be"),
        (lambda: LSTM(U, use_cudnn="maybe"), r"LSTM: argument `use_cudnn` must be one of"),
        (lambda: LSTM(U, activation="nope"), r"nope"),
        (lambda: RNN(object()), r"RNN: the RNN cell should have a `state_size`"),
        (lambda: RNN([LSTMCell(2), LSTMCell(2)]), r"RNN: a list of cells"),
        (lambda: Bidirectional(Dense(2)), r"Bidirectional: argument `layer` must be a recurrent"),
        (lambda: Bidirectional("lstm"), r"Bidirectional: argument `layer` must be a jnn `Layer`"),
        (lambda: Bidirectional(LSTM(2), merge_mode="max"), r"`merge_mode` must be one of"),
        (
            lambda: Bidirectional(LSTM(2), backward_layer=LSTM(2)),
            r"different `go_backwards`",
        ),
        (
            lambda: Bidirectional(
                LSTM(2), backward_layer=LSTM(2, go_backwards=True, return_state=True)
            ),
            r'same value for attribute "return_state"',
        ),
        (lambda: TimeDistributed(3), r"TimeDistributed: argument `layer` must be a jnn `Layer`"),
        (lambda: Masking(mask_value="x"), r"Masking: argument `mask_value` must be a number"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --- conformance with Keras 3 --------------------------------------------------------------------
# Every Keras call on JAX compiles its own scan: few calls, each covering several options.
def _keras_outputs(keras_layer, weights, x, **call_kwargs):
    with jax.numpy_rank_promotion("allow"):
        keras_layer.build(x.shape)  # no call: each eager Keras call compiles a scan
        keras_layer.set_weights([np.asarray(w) for w in weights])
        out = keras_layer(x, **call_kwargs)
    return jax.tree.leaves(list(out) if isinstance(out, (list, tuple)) else out)


def _assert_conforms(layer, keras_layer, x=X, **call_kwargs):
    v = layer.init(KEY, jnp.asarray(x))
    weights = flat_values(v["params"])
    want = _keras_outputs(keras_layer, weights, np.asarray(x), **call_kwargs)
    got = jax.tree.leaves(layer.apply(v, jnp.asarray(x), **call_kwargs)[0])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-5, atol=1e-5)
    assert keras_layer.count_params() == sum(int(np.prod(w.shape)) for w in weights)
    assert [tuple(w.shape) for w in keras_layer.get_weights()] == [w.shape for w in weights]
    return v


# Keras's weights are overwritten with ours: zero initializers skip its QR / sampling work.
KZ = {"kernel_initializer": "zeros", "recurrent_initializer": "zeros"}


def _states(n, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((B, U)).astype("float32") for _ in range(n)]


_LAYERS = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}


@pytest.mark.conformance
@pytest.mark.parametrize("name", list(_LAYERS))
def test_builtin_rnn_matches_keras(name):
    # Masked last steps and a masked first step (the initial state is the previous output).
    keras = pytest.importorskip("keras")
    kwargs = {"go_backwards": True, "return_sequences": True, "return_state": True}
    initial_state = _states(2 if name == "LSTM" else 1, 3)
    layer = _LAYERS[name](U, **kwargs)
    keras_layer = getattr(keras.layers, name)(U, **kwargs, **KZ)
    _assert_conforms(layer, keras_layer, mask=MASK, initial_state=initial_state)


@pytest.mark.conformance
def test_gru_reset_before_and_generic_rnn_match_keras():
    keras = pytest.importorskip("keras")
    _assert_conforms(
        GRU(U, reset_after=False, return_sequences=True, activation="relu"),
        keras.layers.GRU(U, reset_after=False, return_sequences=True, activation="relu", **KZ),
    )
    _assert_conforms(
        RNN(LSTMCell(U, use_bias=False), return_sequences=True, zero_output_for_mask=True),
        keras.layers.RNN(
            keras.layers.LSTMCell(U, use_bias=False, **KZ),
            return_sequences=True,
            zero_output_for_mask=True,
        ),
        mask=MASK,
    )


@pytest.mark.conformance
@pytest.mark.parametrize(
    "merge_mode, kwargs, call_kwargs",
    [
        ("sum", {"return_sequences": True}, {"mask": MASK}),
        (None, {"return_sequences": True, "return_state": True}, {"initial_state": _states(4, 4)}),
    ],
)
def test_bidirectional_matches_keras(merge_mode, kwargs, call_kwargs):
    keras = pytest.importorskip("keras")
    layer = Bidirectional(LSTM(U, **kwargs), merge_mode=merge_mode)
    keras_layer = keras.layers.Bidirectional(
        keras.layers.LSTM(U, **kwargs, **KZ), merge_mode=merge_mode
    )
    _assert_conforms(layer, keras_layer, **call_kwargs)


@pytest.mark.conformance
def test_bidirectional_backward_layer_weight_order_and_config_match_keras():
    keras = pytest.importorskip("keras")
    layer = Bidirectional(GRU(U), backward_layer=GRU(U, go_backwards=True, activation="relu"))
    keras_layer = keras.layers.Bidirectional(
        keras.layers.GRU(U, **KZ),
        backward_layer=keras.layers.GRU(U, go_backwards=True, activation="relu", **KZ),
    )
    v = _assert_conforms(layer, keras_layer, mask=MASK)
    ours = [n.split("_", 1)[1] for n in flat_names(v["params"])]
    assert ours == [w.name for w in keras_layer.weights]
    assert set(layer.get_config()) == set(keras_layer.get_config())


def test_bidirectional_merge_modes():
    y, y_rev = jnp.arange(1.0, 5.0), jnp.array([2.0, 2.0, 4.0, 0.5])
    merged = {m: Bidirectional(GRU(2), merge_mode=m)._merge(y, y_rev) for m in _MERGES}
    np.testing.assert_allclose(merged["concat"], jnp.concatenate([y, y_rev]))
    np.testing.assert_allclose(merged["sum"], y + y_rev)
    np.testing.assert_allclose(merged["mul"], y * y_rev)
    np.testing.assert_allclose(merged["ave"], (y + y_rev) / 2)
    assert merged[None] == (y, y_rev)


_MERGES = ("concat", "sum", "mul", "ave", None)


@pytest.mark.conformance
def test_time_distributed_matches_keras():
    keras = pytest.importorskip("keras")
    _assert_conforms(
        TimeDistributed(Dense(U, activation="tanh")),
        keras.layers.TimeDistributed(keras.layers.Dense(U, activation="tanh")),
    )


@pytest.mark.conformance
def test_masking_then_lstm_matches_keras():
    keras = pytest.importorskip("keras")
    x = np.asarray(X).copy()
    x[0, 3:] = 0.0
    x[1, :2] = 0.0
    mask = Masking().compute_mask(jnp.asarray(x))
    y, _ = Masking().apply({"params": {}, "state": {}}, jnp.asarray(x))
    lstm = LSTM(U, return_sequences=True)
    v = lstm.init(KEY, jnp.asarray(x))
    with jax.numpy_rank_promotion("allow"):
        np.testing.assert_array_equal(mask, np.asarray(keras.layers.Masking().compute_mask(x)))
        np.testing.assert_array_equal(y, np.asarray(keras.layers.Masking()(x)))
        model = keras.Sequential(
            [
                keras.Input((T, F)),
                keras.layers.Masking(),
                keras.layers.LSTM(U, return_sequences=True, **KZ),
            ]
        )
        model.layers[-1].set_weights([np.asarray(w) for w in flat_values(v["params"])])
        want = model(x)
    got, _ = lstm.apply(v, y, mask=mask)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-5, atol=1e-5)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "ours, theirs, extra",
    [
        (lambda: LSTM(U), "LSTM", set()),
        (lambda: GRU(U), "GRU", set()),
        (lambda: SimpleRNN(U), "SimpleRNN", {"seed"}),  # Keras forgets SimpleRNN's seed
        (lambda: Masking(), "Masking", set()),
        (lambda: TimeDistributed(Dense(2)), "TimeDistributed", set()),
        (lambda: RNN(GRUCell(U)), "RNN", {"activity_regularizer"}),  # Keras drops it
    ],
)
def test_config_keys_match_keras(ours, theirs, extra):
    keras = pytest.importorskip("keras")
    args = {
        "TimeDistributed": (keras.layers.Dense(2),),
        "RNN": (keras.layers.GRUCell(U),),
        "Masking": (),
    }.get(theirs, (U,))
    keras_config = getattr(keras.layers, theirs)(*args).get_config()
    config = ours().get_config()
    assert set(config) == set(keras_config) | extra
    for key in ("units", "return_sequences", "reset_after", "unit_forget_bias", "mask_value"):
        if key in keras_config:
            assert config[key] == keras_config[key]


def test_equal_configurations_share_one_compiled_program():
    from jnn._core.layers.rnn import _run_rnn

    v = LSTM(U).init(KEY, X)
    base, _ = LSTM(U).apply(v, X)
    before = _run_rnn._cache_size()
    again, _ = LSTM(U, name="another").apply(v, X)  # same program, no new compilation
    assert _run_rnn._cache_size() == before
    np.testing.assert_array_equal(again, base)
    relu, _ = LSTM(U, activation="relu").apply(v, X)  # a different program
    assert _run_rnn._cache_size() == before + 1
    assert not np.allclose(relu, base)

    class MyLSTM(LSTM):  # subclasses never share (they may change behaviour)
        pass

    MyLSTM(U).apply(v, X)
    assert _run_rnn._cache_size() == before + 2


def test_mixed_precision_and_ignored_unroll():
    layer = LSTM(U, dtype="mixed_bfloat16", return_state=True, unroll=True, use_cudnn=False)
    v = layer.init(KEY, X)
    assert {a.dtype for a in jax.tree.leaves(v)} == {jnp.dtype("float32")}
    outputs, _ = layer.apply(v, X.astype(jnp.int32))  # integer inputs become the compute dtype
    assert [a.dtype for a in outputs] == [jnp.dtype("bfloat16")] * 3
    assert layer.get_config()["unroll"] is True
