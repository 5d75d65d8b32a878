"""Keras-style utilities (``keras.utils``): label encoding, normalization, seeding.

Example:
    >>> import jnn
    >>> jnn.utils.set_random_seed(0)
    >>> jnn.utils.to_categorical([1, 0]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

import random

import numpy as np

from jnn._shell.models.flax_export import flax_init_apply, to_flax
from jnn._shell.runtime import rng as _rng
from jnn._shell.saving.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
)
from jnn._shell.saving.registry import register_serializable as register_keras_serializable
from jnn.utils.dataset_utils import split_dataset
from jnn.utils.file_utils import get_file
from jnn.utils.image_dataset_utils import image_dataset_from_directory
from jnn.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize
from jnn.utils.numerical_utils import normalize, to_categorical
from jnn.utils.plotting import model_to_dot, plot_history, plot_model
from jnn.utils.sequence import PyDataset, Sequence
from jnn.utils.sequence_utils import pad_sequences
from jnn.utils.text_dataset_utils import text_dataset_from_directory
from jnn.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = [
    "CustomObjectScope",
    "PyDataset",
    "Sequence",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
    "flax_init_apply",
    "get_file",
    "image_dataset_from_directory",
    "array_to_img",
    "img_to_array",
    "load_img",
    "save_img",
    "smart_resize",
    "timeseries_dataset_from_array",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "set_random_seed",
    "split_dataset",
    "text_dataset_from_directory",
    "to_categorical",
    "to_flax",
]


def set_random_seed(seed: int) -> None:
    """Sets all random seeds: Python's ``random``, NumPy's global one and jnn's.

    jnn's global seed drives the keys the shell draws when no key is given (model and
    standalone layer initialisation, ...), so a program becomes reproducible.

    Args:
        seed: An int in ``[0, 2**32)``.

    Example:
        >>> set_random_seed(1337)
        >>> a = np.random.rand()
        >>> set_random_seed(1337)
        >>> a == np.random.rand()
        True
    """
    _rng.set_seed(seed)  # validates first, so a bad seed changes nothing
    random.seed(seed)
    np.random.seed(seed)


def __getattr__(name: str):  # Keras names jnn leaves out say what to use instead
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)

from jnn.utils.batch_utils import (  # noqa: E402
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)

__all__ += ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]
