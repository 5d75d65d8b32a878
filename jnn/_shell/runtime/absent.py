"""Keras names jnn leaves out on purpose, and what to use instead.

A public module's ``__getattr__`` ends in :func:`missing`, so ``jnn.layers.TFSMLayer`` says
why it is absent and what does the job in jnn, instead of a bare AttributeError.

Example:
    >>> missing("jnn.preprocessing.text", "Tokenizer")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AttributeError: module 'jnn.preprocessing.text' has no attribute 'Tokenizer': ...
"""

from __future__ import annotations

from typing import NoReturn

_TEXT = ("Keras 3 removed `keras.preprocessing.text`; use jnn.layers.TextVectorization "
         "(or StringLookup) on your strings.")
_IMAGE_GEN = ("Keras 3 removed ImageDataGenerator; load images with "
              "jnn.utils.image_dataset_from_directory and augment with layers (RandomFlip, "
              "RandomRotation, RandomZoom, ...).")

# module -> name -> what to use instead.
ABSENT: dict[str, dict[str, str]] = {
    "jnn": {
        "export": "exporting a TensorFlow SavedModel / TFLite needs TensorFlow; save with "
                  "model.save('model.keras') or hand the pure functions to JAX "
                  "(jnn.utils.flax_init_apply / to_flax).",
        "legacy": "Keras's legacy namespace is Keras 2 on TensorFlow; jnn's public modules "
                  "already accept Keras 2 names and arguments.",
        "src": "keras.src is Keras's private code; use jnn's public modules (jnn.layers, ...).",
        "quantizers": "quantization (int8 / float8) is not supported; use "
                      "jnn.mixed_precision.set_global_policy('mixed_bfloat16') to cut memory.",
        "remat": "use jax.checkpoint around the function inside a custom layer's call.",
        "RematScope": "use jax.checkpoint around the function inside a custom layer's call.",
    },
    "jnn.layers": {
        "TFSMLayer": "it wraps a TensorFlow SavedModel; load a .keras / .h5 file with "
                     "jnn.models.load_model instead.",
        "TorchModuleWrapper": "it wraps a PyTorch module; write the computation as a jnn Layer "
                              "(its call runs on JAX arrays).",
        "JaxLayer": "a jnn custom Layer's call is JAX already; use jnn.layers.Lambda or "
                    "subclass jnn.layers.Layer.",
    },
    "jnn.layers.experimental.preprocessing": {
        "CategoryCrossing": "Keras 3 replaced it by layers.HashedCrossing.",
        "PreprocessingLayer": "subclass jnn.layers.Layer.",
        "RandomHeight": "Keras 3 removed it; use jnn.layers.RandomZoom(height_factor=..., "
                        "width_factor=0.0) or jnn.layers.Resizing.",
        "RandomWidth": "Keras 3 removed it; use jnn.layers.RandomZoom(height_factor=0.0, "
                       "width_factor=...) or jnn.layers.Resizing.",
    },
    "jnn.preprocessing": {
        "text": _TEXT,
        "ImageDataGenerator": _IMAGE_GEN,
    },
    "jnn.preprocessing.image": {
        "ImageDataGenerator": _IMAGE_GEN,
        "DirectoryIterator": _IMAGE_GEN,
        "NumpyArrayIterator": _IMAGE_GEN,
        "Iterator": _IMAGE_GEN,
        "apply_affine_transform": "use jnn.layers.RandomRotation / RandomTranslation / "
                                  "RandomZoom (or jnn.ops.image.affine_transform).",
        "random_rotation": "use jnn.layers.RandomRotation.",
        "random_shift": "use jnn.layers.RandomTranslation.",
        "random_zoom": "use jnn.layers.RandomZoom.",
    },
    "jnn.preprocessing.sequence": {
        "TimeseriesGenerator": "Keras 3 removed it; use "
                               "jnn.utils.timeseries_dataset_from_array or a jnn.utils.Sequence.",
        "make_sampling_table": "Keras 3 removed it (with skipgrams); compute the table with numpy.",
        "skipgrams": "Keras 3 removed it; build (target, context) pairs with numpy.",
    },
    "jnn.callbacks": {
        "RemoteMonitor": "jnn sends nothing over the network; use CSVLogger, TensorBoard or a "
                         "LambdaCallback.",
        "OrbaxCheckpoint": "use ModelCheckpoint or BackupAndRestore.",
    },
    "jnn.optimizers": {
        "legacy": "Keras 2 optimizers: jnn.optimizers.<Name> takes the same arguments "
                  "(lr=, decay=, ...).",
    },
    "jnn.utils": {
        "legacy": "Keras 2 names are accepted by jnn's public modules directly.",
    },
}


def missing(module: str, name: str) -> NoReturn:
    """Raises the AttributeError for ``module.name``, with a hint when jnn has one."""
    hint = ABSENT.get(module, {}).get(name)
    suffix = f": {hint}" if hint else ""
    raise AttributeError(f"module {module!r} has no attribute {name!r}{suffix}")
