"""The Keras-shaped, stateful ring: models, graph, engine, callbacks, data, saving.

Importing any shell module installs the shell's hooks into the pure core (automatic names,
``layer(x)`` on symbolic tensors or data, ``add_loss``). The core itself never imports this
package, so ``import jnn._core...`` stays free of it.
"""

from jnn._shell.layers import hooks as _hooks  # noqa: F401  (installs the hooks)
