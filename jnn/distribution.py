"""Multi-device and multi-host training, with Keras 3's ``keras.distribution`` API.

Set a distribution before ``fit`` and the fused loops shard over a ``jax.sharding.Mesh``:
the batch axis is split over the mesh's batch axis (a batch that does not divide is padded
with masked rows), variables are replicated or split by :class:`LayoutMap` rules, and XLA
inserts the collectives (gradient all-reduce, tensor-parallel gathers). Across hosts, call
:func:`initialize` first; every process then passes its own shard of the data to ``fit``.

Example:
    >>> import jax, numpy as np, jnn
    >>> from jnn import distribution
    >>> distribution.set_distribution(distribution.DataParallel(devices=jax.devices()[:1]))
    >>> model = jnn.Sequential([jnn.layers.Dense(2, input_dim=3)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> _ = model.fit(np.ones((5, 3)), np.ones((5, 2)), batch_size=4, verbose=0)
    >>> distribution.set_distribution(None)
"""

from jnn._shell.runtime.distribution import (
    DataParallel,
    DeviceMesh,
    Distribution,
    LayoutMap,
    ModelParallel,
    TensorLayout,
    distribute_tensor,
    distribution,
    get_device_count,
    initialize,
    list_devices,
    set_distribution,
)

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "Distribution",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "set_distribution",
]
