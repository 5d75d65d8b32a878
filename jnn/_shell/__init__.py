"""The Keras-shaped, stateful ring, in rooms that import only the rooms below them.

``models`` (Model, Functional, Sequential, summary) on top; ``saving`` and ``training``
(compile / fit / evaluate / predict, data adapters, the fused engine) side by side, never
importing each other; ``callbacks``; ``layers`` (symbolic tensors and the layer graph, apply
context, weight stores, hooks); ``protocol`` (what the lower rooms may ask a model) and
``runtime`` (seed, names, memory budget, distribution, atomic writes) at the bottom. The
contracts are in ``pyproject.toml`` (``[tool.importlinter]``); docs/architecture.md explains them.

Importing any shell module installs the shell's hooks into the pure core (automatic names,
``layer(x)`` on symbolic tensors or data, ``add_loss``). The core itself never imports this
package, so ``import jnn._core...`` stays free of it.
"""

from jnn._shell.layers import hooks as _hooks  # noqa: F401  (installs the hooks)
