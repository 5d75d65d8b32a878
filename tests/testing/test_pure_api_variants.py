"""The pure API (init / apply / make_train_step) under chex variants, and data parallelism
over fake CPU devices equal to one device on the whole batch."""

import json
import os
import pathlib
import subprocess
import sys

import chex
import jax
import numpy as np
from absl import flags

import jnn
from jnn import training

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((4, 3)).astype(np.float32)
Y = _RNG.standard_normal((4, 1)).astype(np.float32)


def _setup():
    model = jnn.Sequential([jnn.Input((3,)), jnn.layers.Dense(4, activation="tanh"),
                            jnn.layers.Dense(1)])
    variables = model.init(jax.random.key(0), X)
    step = training.make_train_step(model, "mse", "sgd")
    ts = training.TrainState.create(variables, step.optimizer, step.objectives)
    return model, variables, step, ts


class PureApiVariantsTest(chex.TestCase):
    """with_pmap runs on the available devices (one CPU here), arguments broadcast to them."""

    def setUp(self):
        super().setUp()
        # chex skips with_pmap on one device unless told otherwise; a 1-device pmap still
        # checks that the step maps over a device axis (the fake-device test below splits).
        flag = flags.FLAGS["chex_skip_pmap_variant_if_single_device"]
        self._skip_flag, flag.value = flag.value, False

    def tearDown(self):
        flags.FLAGS["chex_skip_pmap_variant_if_single_device"].value = self._skip_flag
        super().tearDown()

    @chex.variants(with_jit=True, without_jit=True, with_pmap=True)
    def test_apply_and_train_step_agree_with_the_eager_reference(self):
        model, variables, step, ts = _setup()
        want_y, _ = model.apply(variables, X), None
        want_ts, want_logs = step(ts, training.Batch(X, [Y]))

        got_y = self.variant(lambda v, x: model.apply(v, x))(variables, X)
        chex.assert_trees_all_close(got_y, want_y, rtol=1e-6, atol=1e-6)
        got_ts, got_logs = self.variant(lambda t, x, y: step(t, training.Batch(x, [y])))(
            ts, X, Y)
        chex.assert_trees_all_close(got_ts.params, want_ts.params, rtol=1e-6, atol=1e-6)
        chex.assert_trees_all_close(got_logs, want_logs, rtol=1e-6, atol=1e-6)
        chex.assert_trees_all_equal_structs(got_ts.opt_state, ts.opt_state)
        chex.assert_tree_all_finite(got_ts.params)

    @chex.variants(with_jit=True, without_jit=True)
    def test_init_is_deterministic_and_traceable(self):
        model, variables, _, _ = _setup()
        again = self.variant(model.init)(jax.random.key(0), X)
        chex.assert_trees_all_close(again, variables)
        chex.assert_trees_all_equal_shapes_and_dtypes(again, variables)


def test_data_parallel_step_over_fake_devices_equals_one_device():
    """chex.set_n_cpu_devices must run before JAX starts, so a fresh process does it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    env.pop("XLA_FLAGS", None)
    proc = subprocess.run([sys.executable, str(HERE / "_fake_devices.py")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["devices"] == 4 and seen["batch_devices"] == 4
    np.testing.assert_allclose(seen["loss_parallel"], seen["loss_single"], rtol=1e-5)
