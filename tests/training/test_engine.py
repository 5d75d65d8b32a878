"""The fused engine: chunking, streaming under a memory budget, compile counts, equivalence."""

import jax
import numpy as np
import pytest

import jnn
from jnn import layers
from jnn._shell.training import engine


@pytest.fixture
def budget():
    yield jnn.config.set_device_memory_budget
    jnn.config.set_device_memory_budget(None)


def _data(n=100, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x[:, :3].sum(1) > 0).astype(np.int32)
    return x, y


def _model(seed=0, dropout=0.0):
    jnn.utils.set_random_seed(seed)
    model = jnn.Sequential([layers.Dense(8, activation="relu", input_shape=(6,)),
                            layers.Dropout(dropout),
                            layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit_weights(x, y, *, epochs=2, batch_size=16, dropout=0.0, **compile_kw):
    model = _model(dropout=dropout)
    if compile_kw:
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
                      **compile_kw)
    hist = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    return model, model.get_weights(), hist.history


def test_batch_plan_pads_and_masks_the_last_batch():
    idx, mask = engine.batch_plan(10, 4, False, None)
    assert idx.shape == (3, 4)
    np.testing.assert_array_equal(mask.sum(1), [4, 4, 2])
    np.testing.assert_array_equal(idx[mask > 0], np.arange(10))


def test_device_plan_equals_host_plan_without_shuffle():
    plan = engine.device_plan_fn(10, 4, 3, False, False)
    idx, mask = plan(jax.random.key(0))
    h_idx, h_mask = engine.batch_plan(10, 4, False, None)
    np.testing.assert_array_equal(np.asarray(mask), h_mask)
    # padding rows may hold any index: only the real rows must agree
    np.testing.assert_array_equal(np.asarray(idx)[h_mask > 0], h_idx[h_mask > 0])
    idx, mask = engine.device_plan_fn(10, 4, 3, True, False)(jax.random.key(1))
    assert sorted(np.asarray(idx)[np.asarray(mask) > 0].tolist()) == list(range(10))


def test_steps_per_execution_and_eager_give_the_same_weights():
    x, y = _data(n=40)  # 3 steps per epoch, the last one padded
    _, ref, hist = _fit_weights(x, y)
    for kw in ({"steps_per_execution": 1}, {"steps_per_execution": 3},
               {"run_eagerly": True}):
        _, got, other = _fit_weights(x, y, **kw)
        for a, b in zip(ref, got):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(hist["loss"], other["loss"], rtol=1e-5)


def test_fused_equals_eager_with_dropout():
    """Same seed -> same dropout masks in the fused and the step-by-step path."""
    x, y = _data()
    _, ref, _ = _fit_weights(x, y, dropout=0.3)
    _, got, _ = _fit_weights(x, y, dropout=0.3, run_eagerly=True)
    for a, b in zip(ref, got):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_streaming_matches_resident_and_stays_within_budget(budget):
    x, y = _data(n=96)
    _, ref, _ = _fit_weights(x, y, batch_size=8)
    row_bytes = x[0].nbytes + y[0].nbytes
    limit = row_bytes * 8 * 2 * 3  # three double-buffered batches per chunk
    budget(limit)
    seen = []

    class LiveBytes(jnn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(sum(a.nbytes for a in jax.live_arrays()
                            if a.shape and a.shape[0] == 24))  # data chunks in flight

    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=[LiveBytes()])
    for a, b in zip(ref, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    data_bytes = x.nbytes + y.nbytes
    assert max(seen) <= limit < data_bytes


def test_budget_smaller_than_a_batch_is_a_clear_error(budget):
    x, y = _data()
    budget(64)
    model = _model()
    with pytest.raises(ValueError, match="device memory budget .* smaller than two batches"):
        model.fit(x, y, batch_size=16, verbose=0)


def test_no_recompilation_across_epochs_fits_evaluate_predict():
    x, y = _data(n=50)
    model = _model()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.evaluate(x, y, batch_size=16, verbose=0)
    model.predict(x, batch_size=16, verbose=0)
    count = model._engine.trace_count
    compiles = []
    with jax.log_compiles(True):
        import logging

        handler = logging.Handler()
        handler.emit = lambda record: compiles.append(record.getMessage())
        logger = logging.getLogger("jax._src.dispatch")
        logger.addHandler(handler)
        try:
            model.fit(x, y, epochs=3, batch_size=16, verbose=0)
            model.evaluate(x, y, batch_size=16, verbose=0)
            model.predict(x, batch_size=16, verbose=0)
        finally:
            logger.removeHandler(handler)
    assert model._engine.trace_count == count
    # not a single XLA compilation in the second round (jitted chunks, plans, checks)
    compiled = [c for c in compiles if "XLA compilation" in str(c)]
    assert compiled == [], compiled


def test_compilation_cache_switch(tmp_path):
    old = jax.config.jax_compilation_cache_dir
    old_min = jax.config.jax_persistent_cache_min_compile_time_secs
    try:
        path = jnn.config.enable_compilation_cache(str(tmp_path / "cache"))
        assert jax.config.jax_compilation_cache_dir == path
    finally:
        jax.config.update("jax_compilation_cache_dir", old)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", old_min)


def test_setting_the_learning_rate_between_fits_takes_effect_without_recompiling():
    model = jnn.Sequential([layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
    model.compile(jnn.optimizers.SGD(0.1), "mse")
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(x, y, batch_size=4, verbose=0)
    w1 = model.get_weights()[0].copy()
    np.testing.assert_allclose(w1, np.full((2, 1), 0.6), rtol=1e-6)  # 1 - 0.1 * 2 * 2
    count = model._engine.trace_count
    model.optimizer.learning_rate = 0.0
    model.fit(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], w1)
    assert model._engine.trace_count == count


def test_conv_models_on_cpu_chunking_keeps_the_result():
    """On the CPU, plain convolutions are im2col products (whole-epoch scans stay fast);
    grouped ones are XLA convolutions, slow inside while loops, so 'auto' unrolls short chunks
    for them. The numbers equal another chunking's."""
    rng = np.random.default_rng(0)
    x = rng.random((40, 6, 6, 2), dtype=np.float32)
    y = rng.integers(0, 3, 40)

    def model(groups):
        jnn.utils.set_random_seed(0)
        model = jnn.Sequential([layers.Conv2D(4, 3, activation="relu", groups=groups,
                                              input_shape=(6, 6, 2)),
                                layers.Flatten(), layers.Dense(3, activation="softmax")])
        return model

    def fit(spe):
        m = model(groups=2)
        m.compile("adam", "sparse_categorical_crossentropy", steps_per_execution=spe)
        m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        return m

    auto, scanned = fit("auto"), fit(5)
    if jax.devices()[0].platform == "cpu":
        assert engine.unrolled_conv_chunks(auto) and not engine.unrolled_conv_chunks(model(1))
        unrolled = [key[-1] for key in auto._engine.cache if key[0] == "train"]
        assert unrolled and all(u is True for u in unrolled)
    for a, b in zip(auto.get_weights(), scanned.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.fixture
def plan_on_device(monkeypatch):
    """The accelerator path on the CPU: plan traced into the epoch program, pipelined epochs."""
    monkeypatch.setattr(engine, "PLAN_ON_CPU", True)


def _fit_run(x, y, verbose=0, callbacks=None, shuffle=False, epochs=3):
    import contextlib
    import io

    jnn.utils.set_random_seed(0)
    model = _model(dropout=0.3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=verbose,
                            shuffle=shuffle, callbacks=callbacks)
    return model, history.history, buf.getvalue()


def _planned(model) -> bool:
    return any("planned" in key for key in model._engine.cache)


def test_pipelined_epochs_equal_the_step_by_epoch_loop(plan_on_device, monkeypatch):
    x, y = _data()
    m_pipe, h_pipe, out_pipe = _fit_run(x, y, verbose=2)
    assert _planned(m_pipe)  # History + progress bar only: the pipelined path ran
    monkeypatch.setattr(engine, "PLAN_ON_CPU", False)
    m_ref, h_ref, out_ref = _fit_run(x, y, verbose=2)
    assert not _planned(m_ref)
    for a, b in zip(m_pipe.get_weights(), m_ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert h_pipe.keys() == h_ref.keys()
    for k in h_ref:
        np.testing.assert_allclose(h_pipe[k], h_ref[k], rtol=1e-5)
    strip = [line.split(" - ", 2)[-1] for line in out_ref.splitlines()]  # drop timings
    assert [line.split(" - ", 2)[-1] for line in out_pipe.splitlines()] == strip
    assert out_pipe.count("Epoch ") == 3


def test_pipelined_epochs_shuffle_differently_each_epoch(plan_on_device):
    x, y = _data()
    model, history, _ = _fit_run(x, y, shuffle=True, epochs=2)
    assert _planned(model) and len(history["loss"]) == 2
    plan = engine.device_plan(len(x), 16, 7, True, False)
    a, _ = plan(jax.random.key(1))
    b, _ = plan(jax.random.key(2))
    assert sorted(np.asarray(a).ravel()[:100].tolist()) == list(range(100))
    assert not np.array_equal(np.asarray(a), np.asarray(b))


def test_a_user_callback_gets_every_epoch_in_order_without_pipelining(plan_on_device):
    x, y = _data()
    seen = []
    cb = jnn.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs=None: seen.append(("begin", e)),
        on_epoch_end=lambda e, logs=None: seen.append(("end", e, round(logs["loss"], 6))))
    model, history, _ = _fit_run(x, y, callbacks=[cb])
    assert not _planned(model)
    assert [s[:2] for s in seen] == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1),
                                     ("begin", 2), ("end", 2)]
    assert [s[2] for s in seen[1::2]] == [round(v, 6) for v in history["loss"]]


def test_jax_array_inputs_train_in_place_like_numpy():
    import jax.numpy as jnp

    x, y = _data()
    _, ref, _ = _fit_weights(x, y)
    _, on_device, _ = _fit_weights(jnp.asarray(x), jnp.asarray(y))
    for a, b in zip(ref, on_device):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_device_out_of_memory_is_a_clear_error(monkeypatch):
    """XLA's RESOURCE_EXHAUSTED becomes an error that says what to change (simulated OOM)."""
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    for build in (lambda: engine.make_predict_chunk(model),
                  lambda: engine.make_eval_chunk(model, model._compiled.objectives,
                                                 per_step_logs=False)):
        assert hasattr(build(), "__wrapped__")  # every compiled chunk is guarded

    def exhausted(*args):
        raise jax.errors.JaxRuntimeError(
            "RESOURCE_EXHAUSTED: Out of memory while trying to allocate 81.00GiB.")

    def other(*args):
        raise jax.errors.JaxRuntimeError("INTERNAL: something else")

    with monkeypatch.context() as m:
        m.setattr(model._engine, "cached",
                  lambda key, build: engine._guard_oom(exhausted, "training"))
        with pytest.raises(engine.DeviceMemoryError,
                           match=r"ran out of memory during training.*smaller batch_size.*"
                                 r"steps_per_execution.*set_device_memory_budget.*81.00GiB"):
            model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(jax.errors.JaxRuntimeError, match="something else"):
        engine._guard_oom(other, "training")()
    model.fit(x, y, epochs=1, verbose=0)  # the model is still usable afterwards


def test_guarded_chunks_still_lower_like_jitted_functions():
    model = _model()
    run = engine.make_predict_chunk(model)
    x = np.zeros((4, 6), np.float32)
    idx = np.arange(4, dtype=np.int32).reshape(1, 4)
    assert "dot" in run.lower(model.variables_tree, x, idx).as_text()


def test_resident_host_data_is_aligned_for_the_cpu_backend():
    """Large numpy inputs reach XLA:CPU 64-byte aligned (aliased, not copied by XLA); the
    values are untouched and small arrays pass through as they are."""
    from jnn._shell.runtime import distribution

    raw = np.arange(2**19 + 16, dtype=np.float32)  # 2 MB
    misaligned = raw[4:4 + 2**19] if raw.ctypes.data % 64 == 0 else raw[: 2**19]
    if misaligned.ctypes.data % 64 == 0:  # make sure the input is really misaligned
        misaligned = raw[1:1 + 2**19]
    out = distribution._cpu_aliasable(misaligned)
    assert out is not misaligned and out.ctypes.data % 64 == 0
    np.testing.assert_array_equal(out, misaligned)
    assert distribution._cpu_aliasable(out) is out  # already aligned: used in place
    small = np.ones((3, 4), np.float32)
    assert distribution._cpu_aliasable(small) is small
    x, y = _data(n=2048, d=600)  # ~4.9 MB: aligned path, then trained on
    model = jnn.Sequential([layers.Dense(2, activation="softmax", input_shape=(600,))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = x.copy()
    model.fit(x, y, epochs=1, batch_size=512, verbose=0)
    np.testing.assert_array_equal(x, before)
    assert np.isfinite(model.evaluate(x, y, verbose=0))


def test_cpu_staging_copies_are_reused_and_never_shared():
    """Misaligned inputs are copied into aligned staging buffers that later calls reuse once
    free; data in use at the same time (train + same-shaped validation) gets its own."""
    from jnn._shell.runtime import distribution

    if jax.devices()[0].platform != "cpu":
        pytest.skip("CPU staging")
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(2 * 1024 * 300 + 16,)).astype(np.float32)  # > 1 MB per array
    off = 4 if raw.ctypes.data % 64 == 0 else 0
    x1 = raw[off:off + 1024 * 300].reshape(1024, 300)
    x2 = raw[off + 1024 * 300:off + 2 * 1024 * 300].reshape(1024, 300)
    assert x1.ctypes.data % 64 and x2.ctypes.data % 64  # both misaligned
    y1, y2 = (x1[:, 0] > 0).astype(np.int32), (x2[:, 0] > 0).astype(np.int32)
    model = jnn.Sequential([layers.Dense(2, activation="softmax", input_shape=(300,))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    distribution._staged.clear()
    hist = model.fit(x1, y1, validation_data=(x2, y2), epochs=1, batch_size=256, verbose=0)
    key = ((1024, 300), np.dtype(np.float32).str)
    assert key in distribution._staged and not distribution._staged[key][1]  # released
    buf = distribution._staged[key][0]
    assert np.array_equal(buf, x1)  # the train copy is the one kept (validation was fresh)
    np.testing.assert_allclose(hist.history["val_loss"][0], model.evaluate(x2, y2, verbose=0),
                               rtol=1e-6)  # ... and x2 was not read from x1's buffer
    assert distribution._staged[key][0] is buf and np.array_equal(buf, x2)  # reused
    np.testing.assert_allclose(model.predict(x1, verbose=0),
                               model.predict(jax.numpy.asarray(x1), verbose=0), rtol=1e-6)
    assert distribution._staged[key][0] is buf and not distribution._staged[key][1]
