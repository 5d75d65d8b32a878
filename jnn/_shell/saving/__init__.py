"""Saving and loading: Keras 3 ``.keras`` files, legacy ``.h5``, configs, JAX-native exports."""
