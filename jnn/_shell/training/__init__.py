"""The Keras workflow on the fused engine: ``compile``, ``fit``, ``evaluate``, ``predict``.

``fit``'s data goes one way through this room: the driver (:mod:`.driver`) asks :mod:`.data`
for an adapter; the adapter hands out device chunks (:mod:`.data` for arrays, :mod:`.feeding`
for iterators, generators and ``PyDataset`` from :mod:`.pydataset`); the engine
(:mod:`.engine`) scans them with the core's pure steps; the callbacks hear about each chunk.
Keras 3's stateless training API and user-defined steps live in :mod:`.stateless` and
:mod:`.custom_steps`.

May import: :mod:`jnn._shell.callbacks`, :mod:`jnn._shell.runtime`, :mod:`jnn._shell.protocol`
and :mod:`jnn._core`. Never :mod:`jnn._shell.models` (the model is asked, through
:mod:`jnn._shell.protocol`) nor :mod:`jnn._shell.layers`.
"""
