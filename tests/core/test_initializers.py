"""Tests for jnn.initializers: distributions, seeds, fans, identifiers, Keras 3 conformance."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn import initializers as I

KEY = jax.random.key(42)
BIG = (200, 300)  # 60k samples: sample mean/std within ~1% of the target.
TRUNC = 0.87962566103423978


def _stats(w):
    w = np.asarray(w, np.float64)
    return w.mean(), w.std(), w.min(), w.max()


# --- shapes, dtypes, constants -----------------------------------------------------------------
SMALL_INITS = [
    I.Zeros(), I.Ones(), I.Constant(3.0), I.RandomUniform(), I.RandomNormal(), I.TruncatedNormal(),
    I.VarianceScaling(), I.GlorotUniform(), I.GlorotNormal(), I.HeUniform(), I.HeNormal(),
    I.LecunUniform(), I.LecunNormal(), I.Orthogonal(),
]  # fmt: skip


def test_shape_and_default_dtype():
    for init in SMALL_INITS:
        w = init(KEY, (3, 2, 4))
        assert w.shape == (3, 2, 4) and w.dtype == jnp.float32, init


@pytest.mark.parametrize("dtype", [jnp.bfloat16, "float16"])
def test_half_precision_dtypes(dtype):
    for init in (I.RandomUniform(), I.TruncatedNormal(), I.Orthogonal(), I.Constant(2.0)):
        w = init(KEY, (3, 2, 4), dtype)
        assert w.shape == (3, 2, 4) and w.dtype == jnp.dtype(dtype), init
        assert bool(jnp.all(jnp.isfinite(w)))


def test_constant_values():
    np.testing.assert_array_equal(I.Zeros()(KEY, (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(I.Ones()(KEY, (2,), jnp.int32), np.ones(2, np.int32))
    np.testing.assert_array_equal(I.Constant(2.5)(KEY, (2, 2)), np.full((2, 2), 2.5))
    np.testing.assert_array_equal(I.Constant([1.0, 2.0])(KEY, (3, 2))[2], [1.0, 2.0])
    np.testing.assert_array_equal(I.Identity(gain=2.0)(KEY, (2, 3)), 2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="Identity: the shape must be 2D"):
        I.Identity()(KEY, (2, 2, 2))


def test_random_initializers_reject_int_dtype():
    with pytest.raises(ValueError, match="RandomNormal: argument `dtype` must be a float"):
        I.RandomNormal()(KEY, (2,), jnp.int32)


# --- distributions -----------------------------------------------------------------------------
def test_random_uniform_statistics():
    mean, std, lo, hi = _stats(I.RandomUniform(-1.0, 3.0)(KEY, BIG))
    assert -1.0 <= lo and hi < 3.0
    assert abs(mean - 1.0) < 0.03
    assert abs(std - 4.0 / math.sqrt(12)) < 0.02


def test_random_normal_statistics():
    mean, std, _, _ = _stats(I.RandomNormal(mean=1.0, stddev=2.0)(KEY, BIG))
    assert abs(mean - 1.0) < 0.03
    assert abs(std - 2.0) < 0.03


def test_truncated_normal_is_cut_at_two_stddev():
    mean, std, lo, hi = _stats(I.TruncatedNormal(mean=1.0, stddev=2.0)(KEY, BIG))
    assert -3.0 <= lo and hi <= 5.0
    assert lo < -2.9 and hi > 4.9  # the tails reach the cut
    assert abs(mean - 1.0) < 0.03
    assert abs(std - 2.0 * TRUNC) < 0.03


@pytest.mark.parametrize(
    "init, shape, expected_std",
    [
        (I.GlorotUniform(), (300, 200), math.sqrt(2 / 500)),
        (I.GlorotNormal(), (300, 200), math.sqrt(2 / 500)),
        (I.HeUniform(), (3, 4, 25, 200), math.sqrt(2 / 300)),
        (I.HeNormal(), (3, 4, 25, 200), math.sqrt(2 / 300)),
        (I.LecunUniform(), (400, 150), math.sqrt(1 / 400)),
        (I.LecunNormal(), (400, 150), math.sqrt(1 / 400)),
        (I.VarianceScaling(3.0, "fan_out", "untruncated_normal"), (150, 400), math.sqrt(3 / 400)),
        (I.VarianceScaling(0.5, "fan_avg", "normal"), (5, 5, 40, 60), math.sqrt(0.5 / 1250)),
    ],
)
def test_variance_scaling_statistics(init, shape, expected_std):
    w = init(KEY, shape)
    _, std, lo, hi = _stats(w)
    assert abs(std / expected_std - 1) < 0.02
    if init.distribution == "uniform":
        limit = math.sqrt(3) * expected_std
        assert -limit <= lo and hi <= limit and hi > 0.99 * limit
    if init.distribution == "truncated_normal":
        cut = 2 * expected_std / TRUNC
        assert -cut <= lo and hi <= cut * 1.0001


def test_compute_fans_by_hand():
    assert I.compute_fans(()) == (1, 1)
    assert I.compute_fans((7,)) == (7, 7)
    assert I.compute_fans((4, 5)) == (4, 5)
    assert I.compute_fans((3, 3, 8, 16)) == (72, 144)
    assert I.compute_fans((2, 3, 4), input_axes=(0, 1), output_axes=(2,)) == (6, 4)


def test_orthogonal():
    for shape in [(5, 5), (6, 4), (4, 6), (2, 3, 4)]:
        w = I.Orthogonal(gain=2.0)(KEY, shape)
        flat = np.asarray(w).reshape(-1, shape[-1])
        small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(small, 4.0 * np.eye(len(small)), atol=1e-4)
    with pytest.raises(ValueError, match="Orthogonal: the shape must be at least 2D"):
        I.Orthogonal()(KEY, (3,))


# --- keys and seeds ----------------------------------------------------------------------------
def test_seed_determinism_ignores_key():
    a = I.GlorotUniform(seed=7)(jax.random.key(0), (4, 6))
    b = I.GlorotUniform(seed=7)(jax.random.key(1), (4, 6))
    c = I.GlorotUniform(seed=8)(jax.random.key(0), (4, 6))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_array_equal(a, I.GlorotUniform()(jax.random.key(7), (4, 6)))


def test_unseeded_depends_on_key():
    init = I.RandomNormal()
    assert not np.allclose(init(jax.random.key(0), (24,)), init(jax.random.key(1), (24,)))
    np.testing.assert_array_equal(init(jax.random.key(3), (24,)), init(jax.random.key(3), (24,)))


def test_keras_style_call():
    init = I.HeNormal(seed=5)
    np.testing.assert_array_equal(init((4, 6)), init(jax.random.key(9), (4, 6)))
    np.testing.assert_array_equal(init([4, 6], "float32"), init(shape=(4, 6), dtype=None))
    unseeded = I.RandomUniform()
    np.testing.assert_array_equal(unseeded((24,)), unseeded(jax.random.key(0), (24,)))
    assert I.Zeros()(4).shape == (4,)


def test_flax_style_keywords_and_errors():
    w = I.Ones()(key=KEY, shape=(2, 1), dtype=jnp.float16)
    assert w.shape == (2, 1) and w.dtype == jnp.float16
    with pytest.raises(ValueError, match="argument `shape` must be a tuple of ints"):
        I.Ones()(KEY, "abc")
    with pytest.raises(TypeError, match="unexpected arguments"):
        I.Ones()(KEY, (2,), jnp.float32, 5)


def test_flax_modules_accept_them():
    nn = pytest.importorskip("flax.linen")
    layer = nn.Dense(6, kernel_init=I.get("glorot_uniform"), bias_init=I.Constant(0.5))
    params = layer.init(KEY, jnp.ones((1, 4)))["params"]
    assert params["kernel"].shape == (4, 6)
    np.testing.assert_array_equal(params["bias"], np.full(6, 0.5))


def test_jit_and_vmap_over_keys():
    init = I.GlorotUniform()
    sample = jax.jit(lambda k: init(k, (4, 6)))
    np.testing.assert_allclose(sample(KEY), init(KEY, (4, 6)), rtol=1e-6)
    keys = jax.random.split(KEY, 3)
    batch = jax.vmap(lambda k: init(k, (4, 6)))(keys)
    assert batch.shape == (3, 4, 6)
    assert not np.allclose(batch[0], batch[1])


# --- arguments, configs, identifiers -----------------------------------------------------------
def test_argument_validation():
    with pytest.raises(ValueError, match="argument `scale` must be a positive float"):
        I.VarianceScaling(scale=-1.0)
    with pytest.raises(ValueError, match="argument `mode` must be one of"):
        I.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="argument `distribution` must be one of"):
        I.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="argument `seed` must be an int or None"):
        I.RandomNormal(seed="x")
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert I.VarianceScaling(scale=np.float32(2.0)).get_config()["scale"] == 2.0
    with pytest.raises(ValueError, match="argument `scale` must be a positive float"):
        I.VarianceScaling(scale="2")


ALL_INITS = [
    I.Zeros(), I.Ones(), I.Constant(1.5), I.Identity(gain=0.5), I.RandomUniform(-1, 2, seed=1),
    I.RandomNormal(0.5, 2.0, seed=2), I.TruncatedNormal(stddev=0.1),
    I.VarianceScaling(2.0, "fan_out", "uniform", seed=3), I.GlorotUniform(seed=4),
    I.GlorotNormal(), I.HeUniform(), I.HeNormal(), I.LecunUniform(), I.LecunNormal(),
    I.Orthogonal(gain=1.5, seed=6),
]  # fmt: skip


@pytest.mark.parametrize("init", ALL_INITS, ids=lambda i: type(i).__name__)
def test_config_round_trip(init):
    clone = type(init).from_config(init.get_config())
    assert clone == init
    again = I.deserialize(I.serialize(init))
    assert again == init and type(again) is type(init)
    np.testing.assert_array_equal(again(KEY, (4, 6)), init(KEY, (4, 6)))


ALIASES = {
    "zeros": I.Zeros, "Zeros": I.Zeros, "zero": I.Zeros, "ones": I.Ones, "Ones": I.Ones,
    "one": I.Ones, "constant": I.Constant, "Constant": I.Constant,
    "random_uniform": I.RandomUniform, "RandomUniform": I.RandomUniform,
    "uniform": I.RandomUniform, "random_normal": I.RandomNormal, "RandomNormal": I.RandomNormal,
    "normal": I.RandomNormal, "truncated_normal": I.TruncatedNormal,
    "TruncatedNormal": I.TruncatedNormal, "glorot_uniform": I.GlorotUniform,
    "GlorotUniform": I.GlorotUniform, "glorot_normal": I.GlorotNormal,
    "GlorotNormal": I.GlorotNormal, "he_normal": I.HeNormal, "HeNormal": I.HeNormal,
    "he_uniform": I.HeUniform, "HeUniform": I.HeUniform, "lecun_normal": I.LecunNormal,
    "LecunNormal": I.LecunNormal, "lecun_uniform": I.LecunUniform,
    "LecunUniform": I.LecunUniform, "orthogonal": I.Orthogonal, "Orthogonal": I.Orthogonal,
    "OrthogonalInitializer": I.Orthogonal, "identity": I.Identity, "Identity": I.Identity,
    "IdentityInitializer": I.Identity, "variance_scaling": I.VarianceScaling,
    "VarianceScaling": I.VarianceScaling,
}  # fmt: skip


def test_every_alias_resolves():
    for name, cls in ALIASES.items():
        assert type(I.get(name)) is cls, name
    assert I.IdentityInitializer is I.Identity


def test_get_other_identifiers():
    assert I.get(None) is None
    init = I.HeNormal(seed=1)
    assert I.get(init) is init
    assert I.get(I.Ones) == I.Ones()
    fn = lambda key, shape, dtype=jnp.float32: jnp.full(shape, 7.0, dtype)  # noqa: E731
    assert I.get(fn) is fn
    got = I.get({"class_name": "GlorotUniform", "config": {"seed": 3}})
    assert got == I.GlorotUniform(seed=3)
    keras_form = {
        "module": "keras.initializers",
        "class_name": "Constant",
        "config": {"value": 2.0},
        "registered_name": None,
    }
    assert I.get(keras_form) == I.Constant(2.0)
    from_array = I.get(np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(from_array(KEY, (2, 2)), [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match=r"Expected `shape` to be \(2, 2\)"):
        from_array(KEY, (3, 2))


def test_get_unknown_lists_choices():
    with pytest.raises(ValueError, match=r"initializer identifier: 'glorot'\. Valid .*'zeros'"):
        I.get("glorot")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        I.get(3.5)


# --- Keras 3 conformance (statistics and configs, not bits) ------------------------------------
KERAS_CASES = [
    ("RandomUniform", {"minval": -0.5, "maxval": 1.0}),
    ("RandomNormal", {"mean": 0.3, "stddev": 0.7}),
    ("TruncatedNormal", {"mean": -0.2, "stddev": 1.5}),
    ("GlorotUniform", {}),
    ("GlorotNormal", {}),
    ("HeUniform", {}),
    ("HeNormal", {}),
    ("LecunUniform", {}),
    ("LecunNormal", {}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "untruncated_normal"}),
    ("Orthogonal", {"gain": 2.0}),
]


@pytest.mark.conformance
@pytest.mark.parametrize("name, kwargs", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_statistics_match_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    shape = (5, 5, 40, 60)
    ours = _stats(getattr(I, name)(seed=1, **kwargs)(shape))
    with jax.numpy_rank_promotion("allow"):  # Keras's Orthogonal relies on rank promotion
        theirs = _stats(getattr(keras.initializers, name)(seed=1, **kwargs)(shape))
    scale = theirs[1]
    # Bounded distributions share their bounds; a normal sample's extremes only roughly agree.
    bounded = "Uniform" in name or "TruncatedNormal" in name or name.endswith("Normal")
    bounded = bounded and "untruncated" not in str(kwargs) and name != "RandomNormal"
    slack = 0.15 if bounded else 1.5
    assert abs(ours[0] - theirs[0]) < 0.03 * scale  # mean
    assert abs(ours[1] / theirs[1] - 1) < 0.02  # std
    assert abs(ours[2] - theirs[2]) < slack * scale  # min
    assert abs(ours[3] - theirs[3]) < slack * scale  # max


@pytest.mark.conformance
@pytest.mark.parametrize("init", ALL_INITS, ids=lambda i: type(i).__name__)
def test_configs_match_keras(init):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.initializers, type(init).__name__).from_config(init.get_config())
    if isinstance(init, I.Identity):
        # Keras 3.15's Identity forgets `gain` in get_config; ours keeps it.
        assert theirs.gain == init.gain and theirs.get_config() == {}
        return
    assert theirs.get_config() == init.get_config()
    assert keras.initializers.serialize(theirs) == I.serialize(init)


@pytest.mark.conformance
def test_keras_names_resolve_here():
    pytest.importorskip("keras")
    from keras.src.initializers import ALL_OBJECTS_DICT

    for name in ALL_OBJECTS_DICT:
        if "STFT" in name.upper() or name in ("Initializer", "initializer"):
            continue
        assert isinstance(I.get(name), I.Initializer), name
