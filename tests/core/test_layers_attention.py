"""Attention, AdditiveAttention and MultiHeadAttention: harness, hand values, masks, bad
input, Keras conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from tests.harness import assert_matches_keras, flat_values, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs, shapes, names",
    [
        (Attention, {}, [(2, 3, 4), (2, 5, 4)], []),
        (
            Attention,
            {"use_scale": True, "score_mode": "concat", "dropout": 0.5},
            [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
            ["scale", "concat_score_weight"],
        ),
        (AdditiveAttention, {}, [(2, 3, 4), (2, 5, 4)], ["scale"]),
    ],
)
def test_single_head_harness(cls, kwargs, shapes, names):
    result = run_layer_test(
        cls, kwargs, shapes, expected_output_shape=shapes[0], expected_param_names=names
    )
    assert result.outputs[False].shape == (2, 3, 4)


MHA_NAMES = [
    "query/kernel",
    "query/bias",
    "key/kernel",
    "key/bias",
    "value/kernel",
    "value/bias",
    "attention_output/kernel",
    "attention_output/bias",
]


@pytest.mark.parametrize(
    "kwargs, shapes, out",
    [
        ({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 6, 7)], (2, 4, 5)),
        (
            {"num_heads": 1, "key_dim": 2, "value_dim": 3, "output_shape": (2, 3), "dropout": 0.3},
            [(2, 4, 5), (2, 6, 5), (2, 6, 4)],
            (2, 4, 2, 3),
        ),
    ],
)
def test_mha_harness(kwargs, shapes, out):
    result = run_layer_test(
        MultiHeadAttention,
        kwargs,
        shapes,
        expected_output_shape=out,
        expected_param_names=MHA_NAMES,
    )
    heads, key_dim = kwargs["num_heads"], kwargs["key_dim"]
    assert result.variables["params"]["query/kernel"].shape == (5, heads, key_dim)


# --- hand values ----------------------------------------------------------------------------
def test_attention_by_hand_with_masks():
    q = jnp.array([[[1.0, 0.0], [0.0, 1.0]]])
    v = jnp.array([[[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]])
    e = np.e
    y, _ = Attention().apply(
        EMPTY, [q, v], mask=[jnp.array([[True, False]]), jnp.array([[True, True, False]])]
    )
    # Row 0: weights softmax([1, 0]) over the two unmasked values; row 1 masked out.
    np.testing.assert_allclose(y[0, 0], [e / (e + 1), 1 / (e + 1)], rtol=1e-6)
    np.testing.assert_array_equal(y[0, 1], [0.0, 0.0])
    (out, w), _ = Attention().apply(
        EMPTY, [q, q], use_causal_mask=True, return_attention_scores=True
    )
    np.testing.assert_allclose(w[0], [[1.0, 0.0], [1 / (e + 1), e / (e + 1)]], rtol=1e-6)
    np.testing.assert_allclose(out[0, 0], [1.0, 0.0])


def test_mha_identity_weights_by_hand():
    mha = MultiHeadAttention(1, 2, use_bias=False, kernel_initializer="zeros")
    x = jnp.array([[[1.0, 0.0], [0.0, 1.0]]])
    v = mha.init(jax.random.key(0), [x, x])
    v["params"] = jax.tree.map(lambda w: jnp.reshape(jnp.eye(2), w.shape), v["params"])
    (y, scores), _ = mha.apply(v, x, value=x, return_attention_scores=True)
    s = np.exp(1 / np.sqrt(2))
    np.testing.assert_allclose(
        scores[0, 0], [[s / (s + 1), 1 / (s + 1)], [1 / (s + 1), s / (s + 1)]], rtol=1e-6
    )
    np.testing.assert_allclose(y[0], scores[0, 0], rtol=1e-6)
    causal, _ = mha.apply(v, [x, x], use_causal_mask=True)
    np.testing.assert_allclose(causal[0, 0], [1.0, 0.0], atol=1e-6)


def test_mha_fused_path_matches_explicit_and_uses_is_causal(monkeypatch):
    """The fused path (jax.nn.dot_product_attention) equals the explicit one for every mask
    kind, and a causal mask alone reaches it as ``is_causal`` with no dense mask."""
    from jnn._core.layers import attention

    mha = MultiHeadAttention(2, 4)
    x = jax.random.normal(jax.random.key(1), (2, 5, 6))
    v = mha.init(jax.random.key(0), [x, x])
    seen = []
    real = attention._dot_product_attention

    def spy(*args, **kwargs):
        seen.append((kwargs["mask"] is None, kwargs["is_causal"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(attention, "_dot_product_attention", spy)
    v_mask = np.array([[True] * 4 + [False]] * 2)
    for call in ({}, {"use_causal_mask": True}, {"use_causal_mask": True, "value_mask": v_mask}):
        fused, _ = mha.apply(v, [x, x], **call)
        (explicit, _), _ = mha.apply(v, [x, x], return_attention_scores=True, **call)
        np.testing.assert_allclose(fused, explicit, rtol=1e-5, atol=1e-6)
    assert seen == [(True, False), (True, True), (False, False)]


def test_mha_regularizer_and_constraints_reach_every_projection():
    mha = MultiHeadAttention(2, 2, kernel_regularizer="l2", bias_constraint="non_neg")
    x = make_inputs((1, 3, 4))
    params = mha.init(jax.random.key(0), [x, x])["params"]
    expected = sum(0.01 * jnp.sum(w**2) for n, w in params.items() if n.endswith("kernel"))
    np.testing.assert_allclose(mha.regularization_penalty(params), expected, rtol=1e-6)
    negative = {n: -jnp.ones_like(w) for n, w in params.items()}
    projected = mha.apply_constraints(negative)
    for n, w in projected.items():
        assert np.all(np.asarray(w) == (0 if n.endswith("bias") else -1)), n


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: Attention(score_mode="add"), "`score_mode`"),
        (lambda: Attention(dropout=2.0), "`dropout`"),
        (lambda: MultiHeadAttention(0, 2), "`num_heads` must be a positive int"),
        (lambda: MultiHeadAttention(2, "a"), "`key_dim`"),
        (lambda: MultiHeadAttention(2, 2, sliding_window=3), "sliding_window"),
        (lambda: MultiHeadAttention(2, 2, attention_axes="x"), "`attention_axes`"),
    ],
)
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_inputs_are_clear():
    x = jnp.zeros((1, 2, 3))
    with pytest.raises(ValueError, match=r"expects `inputs` to be a list \[query, value\]"):
        Attention(name="att").apply(EMPTY, x)
    mha = MultiHeadAttention(1, 2, name="mha")
    v = mha.init(jax.random.key(0), [x, x])
    with pytest.raises(ValueError, match="needs a `value`"):
        mha.apply(v, x)
    with pytest.raises(ValueError, match="except the last one"):
        mha.init(jax.random.key(0), [x, jnp.zeros((1, 2, 3)), jnp.zeros((1, 4, 3))])
    with pytest.raises(ValueError, match="needs a random key"):
        MultiHeadAttention(1, 2, dropout=0.5).apply(v, x, value=x, training=True)


# --- conformance with Keras 3 ---------------------------------------------------------------
def _random_params(variables, seed=0):
    rng = np.random.default_rng(seed)

    def fill(tree):  # keeps the (Keras) insertion order, which jax.tree.map would sort
        if isinstance(tree, dict):
            return {k: fill(v) for k, v in tree.items()}
        return jnp.asarray(rng.normal(size=tree.shape).astype(np.float32))

    return {"params": fill(variables["params"]), "state": {}}


@pytest.mark.conformance
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Attention", {"use_scale": True}),
        ("Attention", {"use_scale": True, "score_mode": "concat"}),
        ("AdditiveAttention", {}),
    ],
)
def test_single_head_matches_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    ours = globals()[name](**kwargs)
    q, v, k = make_inputs([(2, 3, 4), (2, 5, 4), (2, 5, 4)])
    variables = _random_params(ours.init(jax.random.key(0), [q, v, k]))
    masks = [
        jnp.array([[True, True, False]] * 2),
        jnp.array([[True, False, True, True, False]] * 2),
    ]
    kl = getattr(keras.layers, name)(**kwargs)
    calls = [{"mask": masks}]
    if name == "Attention" and kwargs == {"use_scale": True}:
        calls += [{}, {"use_causal_mask": True, "return_attention_scores": True}]
    for call in calls:
        with jax.numpy_rank_promotion("allow"):
            kl([np.asarray(q), np.asarray(v), np.asarray(k)])
            kl.set_weights([np.asarray(w) for w in flat_values(variables["params"])])
            expected = kl([np.asarray(q), np.asarray(v), np.asarray(k)], **call)
        got, _ = ours.apply(variables, [q, v, k], **call)
        for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
            np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-5, atol=1e-5)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "kwargs, shapes",
    [
        ({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 6, 7), (2, 6, 3)]),
        (
            {
                "num_heads": 3,
                "key_dim": 2,
                "value_dim": 4,
                "output_shape": (2, 3),
                "use_bias": False,
                "dropout": 0.1,  # Keras's fused path fails when value_dim != key_dim
            },
            [(2, 4, 5), (2, 6, 5), (2, 6, 5)],
        ),
        (
            {"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)},
            [(2, 3, 2, 5), (2, 2, 3, 5), (2, 2, 3, 5)],
        ),
        ({"num_heads": 2, "key_dim": 2, "use_gate": True}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ],
)
def test_mha_matches_keras(kwargs, shapes):
    keras = pytest.importorskip("keras")
    ours = MultiHeadAttention(**kwargs)
    q, v, k = make_inputs(shapes)
    variables = _random_params(ours.init(jax.random.key(0), [q, v, k]))
    kl = keras.layers.MultiHeadAttention(**kwargs)
    with jax.numpy_rank_promotion("allow"):
        kl(np.asarray(q), np.asarray(v), np.asarray(k))
    keras_names = [w.path.split("/", 1)[1] for w in kl.weights]
    ours_names = list(variables["params"])
    assert ours_names == keras_names
    kl.set_weights([np.asarray(w) for w in flat_values(variables["params"])])
    assert kl.count_params() == sum(a.size for a in jax.tree.leaves(variables))
    t, s = q.shape[1], v.shape[1]
    calls = [({}, {})]
    if kwargs == {"num_heads": 2, "key_dim": 3}:  # the masks once (each Keras call is slow)
        calls.append(({"return_attention_scores": True}, {}))
        att = np.random.default_rng(1).random((2, t, s)) < 0.7
        att[:, :, 0] = True
        q_mask = np.array([[True] * (t - 1) + [False]] * 2)
        v_mask = np.array([[True] * (s - 1) + [False]] * 2)
        # Keras 3.15 takes the query mask from the query tensor's Keras mask (its
        # `query_mask` argument is overwritten), which plain arrays cannot carry: compare with
        # the attention mask Keras builds from the two masks.
        combined = q_mask[:, :, None] & v_mask[:, None, :]
        calls += [
            ({"attention_mask": att}, {}),
            ({"use_causal_mask": True}, {}),
            ({"query_mask": q_mask, "value_mask": v_mask}, {"attention_mask": combined}),
            (
                {"query_mask": q_mask, "return_attention_scores": True},
                {
                    "attention_mask": np.broadcast_to(q_mask[:, :, None], (2, t, s)),
                    "return_attention_scores": True,
                },
            ),
        ]
    for call, keras_call in calls:
        with jax.numpy_rank_promotion("allow"):
            expected = kl(np.asarray(q), np.asarray(v), np.asarray(k), **(keras_call or call))
        got, _ = ours.apply(variables, q, value=v, key=k, **call)
        assert len(jax.tree.leaves(got)) == len(jax.tree.leaves(expected))
        for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
            np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-4, atol=1e-5)


@pytest.mark.conformance
def test_mha_assert_matches_keras_helper_with_list_inputs():
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 3, 4))

    class KerasListMHA(keras.layers.MultiHeadAttention):
        def call(self, inputs, **kwargs):  # adapts Keras's (query, value) call to a list
            return super().call(inputs[0], inputs[1], **kwargs)

        def build(self, input_shape):
            super().build(input_shape[0], input_shape[1])

        def compute_output_spec(self, inputs, **kwargs):
            return super().compute_output_spec(inputs[0], inputs[1], **kwargs)

    assert_matches_keras(MultiHeadAttention(2, 2), KerasListMHA(2, 2), [x, x], rtol=1e-5)


def test_mha_in_a_functional_model():
    jnn = pytest.importorskip("jnn")
    inp = jnn.Input((3, 4))
    mha = MultiHeadAttention(2, 2)
    model = jnn.Model(inp, mha([inp, inp]))
    assert model.count_params() == 3 * (4 * 2 * 2 + 2 * 2) + 2 * 2 * 4 + 4
    x = make_inputs((2, 3, 4))
    variables = {"params": {n: w.numpy() for n, w in _named(mha)}, "state": {}}
    expected, _ = mha.apply(variables, x, value=x)
    np.testing.assert_allclose(model.predict(np.asarray(x), verbose=0), expected, rtol=1e-5)


def _named(layer):
    return [(w.path.split("/", 1)[1], w) for w in layer.weights]


@pytest.mark.conformance
@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (Attention, {}),
        (AdditiveAttention, {}),
        (MultiHeadAttention, {"num_heads": 2, "key_dim": 2}),
    ],
)
def test_config_keys_match_keras(cls, kwargs):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.layers, cls.__name__)(**kwargs).get_config()
    assert set(cls(**kwargs).get_config()) == set(theirs)


def test_mha_takes_the_implicit_masks_of_its_inputs():
    jnn = pytest.importorskip("jnn")
    from jnn._core.layers.embedding import Embedding

    tokens = np.array([[3, 1, 0, 0], [2, 2, 5, 0]])
    inp = jnn.Input((4,), dtype="int32")
    emb, mha = Embedding(6, 4, mask_zero=True), MultiHeadAttention(2, 2)
    e = emb(inp)
    model = jnn.Model(inp, mha([e, e]))
    got = model.predict(tokens, verbose=0)
    table = {"params": {"embeddings": emb.embeddings.numpy()}, "state": {}}
    x, _ = emb.apply(table, jnp.asarray(tokens))
    variables = {"params": {n: w.numpy() for n, w in _named(mha)}, "state": {}}
    m = tokens != 0
    expected, _ = mha.apply(variables, x, value=x, query_mask=m, value_mask=m)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    unmasked, _ = mha.apply(variables, x, value=x)
    assert not np.allclose(got, unmasked)
    np.testing.assert_array_equal(mha.compute_mask([x, x], [m, m]), m)
