"""The Keras 3 distribution API in one process (one device): layouts, rules, padding."""

import types

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn import distribution as dist
from jnn._shell.runtime import distribution as impl


@pytest.fixture
def mesh():
    return dist.DeviceMesh((1, 1), ("batch", "model"), jax.devices()[:1])


def test_layout_map_regex_rules(mesh):
    layout_map = dist.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    layout_map["dense/bias"] = dist.TensorLayout(("model",))
    assert layout_map["dense_1/kernel"].axes == (None, "model")
    assert layout_map["sequential/dense_3/kernel"].axes == (None, "model")
    assert layout_map["dense/bias"].axes == ("model",)
    assert layout_map["dense_1/bias"] is None  # exact key only; no pattern matches
    assert layout_map["dense/bias"].device_mesh is mesh
    assert len(layout_map) == 2 and list(layout_map) == [".*dense.*kernel", "dense/bias"]
    layout_map[".*kernel"] = (None, None)
    with pytest.raises(ValueError, match="matches several LayoutMap keys"):
        layout_map["dense/kernel"]
    with pytest.raises(ValueError, match="already set"):
        layout_map[".*kernel"] = (None, None)


def test_clear_errors(mesh):
    with pytest.raises(ValueError, match=r"axis names \['modle'\] are not in the mesh"):
        dist.TensorLayout((None, "modle"), mesh)
    with pytest.raises(ValueError, match=r"needs 4 devices, received 1"):
        dist.DeviceMesh((2, 2), ("batch", "model"), jax.devices()[:1])
    with pytest.raises(ValueError, match="must be a LayoutMap"):
        dist.ModelParallel(layout_map={"dense.*": (None,)})
    with pytest.raises(ValueError, match="`batch_dim_name` 'data' is not a mesh axis"):
        dist.ModelParallel(layout_map=dist.LayoutMap(mesh), batch_dim_name="data")
    with pytest.raises(ValueError, match="expected a Distribution"):
        dist.set_distribution("data_parallel")
    with pytest.raises(ValueError, match="a layout must be a TensorLayout"):
        dist.LayoutMap(mesh)["x"] = "model"


def test_indivisible_layout_names_the_variable():
    mesh = types.SimpleNamespace(shape={"model": 2})  # only the axis sizes are read
    with pytest.raises(ValueError, match=r"'dense/kernel' of shape \(4, 3\) splits dimension 1"):
        impl._check_divisible("dense/kernel", (4, 3), (None, "model"), mesh)
    impl._check_divisible("dense/kernel", (3, 4), (None, "model"), mesh)


def test_scope_and_defaults(mesh):
    data_parallel = dist.DataParallel(devices=jax.devices()[:1])
    assert data_parallel.batch_dim_name == "batch"
    assert data_parallel.num_model_replicas == 1
    assert dist.distribution() is None
    with data_parallel.scope():
        assert dist.distribution() is data_parallel
    assert dist.distribution() is None
    model_parallel = dist.ModelParallel(layout_map=dist.LayoutMap(mesh))
    assert model_parallel.batch_dim_name == "batch"
    with pytest.warns(UserWarning, match="expects a 1-D mesh"):
        two_d = dist.DataParallel(mesh.backend_mesh)  # a jax.sharding.Mesh is accepted
    assert two_d.device_mesh.axis_names == ("batch", "model")
    assert dist.list_devices() == [f"{d.platform}:{d.id}" for d in jax.devices()]
    assert dist.get_device_count() == jax.device_count()
    by_name = dist.DataParallel(devices=dist.list_devices()[:1])  # 'cpu:0' strings
    assert by_name.device_mesh.devices.tolist() == jax.devices()[:1]


def test_distribute_tensor(mesh):
    layout = dist.TensorLayout((None, "model"), mesh)
    placed = dist.distribute_tensor(np.ones((2, 4), np.float32), layout)
    assert placed.sharding == layout.backend_layout
    traced = jax.jit(lambda a: dist.distribute_tensor(a * 2, layout))(placed)
    np.testing.assert_array_equal(traced, 2 * np.ones((2, 4)))


@settings(max_examples=40)
@given(
    steps=st.integers(1, 4),
    batch=st.integers(1, 9),
    shards=st.integers(1, 8),
    extra=st.integers(0, 8),
)
def test_pad_plan_keeps_rows(steps, batch, shards, extra):
    """Training keeps each batch's rows (padding masked); prediction keeps row order."""
    n = max(1, steps * batch - min(extra, batch - 1))
    from jnn._shell.training import engine

    idx, mask = engine.batch_plan(n, batch, False, None)
    for keep in (True, False):
        pidx, pmask = impl.pad_plan(idx, mask, shards, keep_batches=keep)
        assert pidx.shape[1] % shards == 0 and pidx.shape == pmask.shape
        real = pidx[pmask > 0]
        np.testing.assert_array_equal(real, idx[mask > 0])  # same rows, same order
        if keep:
            assert pidx.shape[0] == idx.shape[0]
            for s in range(idx.shape[0]):
                np.testing.assert_array_equal(pidx[s][pmask[s] > 0], idx[s][mask[s] > 0])
        else:  # all padding at the end: outputs read back in row order
            flat = pmask.reshape(-1)
            assert flat[: int(flat.sum())].all()


def test_compile_distribution_argument_scopes_fit_evaluate_predict():
    import jnn
    from jnn import distribution

    dist = distribution.DataParallel()
    seen = []
    probe = jnn.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs=None: seen.append(distribution.distribution()))
    model = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,), activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", distribution=dist)
    x, y = np.zeros((8, 3), np.float32), np.zeros(8, np.int32)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[probe])
    assert seen == [dist, dist]  # fit ran inside dist.scope()
    assert distribution.distribution() is None  # and left the global setting alone
    assert model.predict(x, verbose=0).shape == (8, 2)
    assert np.isfinite(model.evaluate(x, y, verbose=0))
    assert distribution.distribution() is None
