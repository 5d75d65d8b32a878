"""The pure core of jnn: layers, initializers, activations, losses, metrics, optimizers,
regularizers, constraints and training steps. Nothing here imports ``jnn._shell``, performs I/O
or mutates its arguments (``tests/test_architecture.py`` enforces the import rule)."""
