"""The shell side of a layer: what a layer call does outside the pure core.

Holds: symbolic tensors and the layer-call graph (:mod:`.graph`), the apply context a model's
pure ``init`` / ``apply`` runs layers in (:mod:`.context`), the weight stores behind Keras-style
variables (:mod:`.binding`), the hooks that install all of it into the core's ``Layer``
(:mod:`.hooks`, imported by :mod:`jnn._shell` itself), and ``jnn.ops`` called on symbolic
tensors, recorded as graph nodes (:mod:`.symbolic_ops`).

May import: :mod:`jnn._shell.runtime`, :mod:`jnn._shell.protocol` and :mod:`jnn._core`.
"""
