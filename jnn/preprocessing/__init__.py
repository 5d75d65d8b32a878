"""What Keras 3 keeps in ``keras.preprocessing``: ``image``, ``sequence`` and the dataset
builders. Keras 2's ``text.Tokenizer`` and ``image.ImageDataGenerator`` are gone (the error
names their replacements).

Example:
    >>> from jnn.preprocessing.sequence import pad_sequences
    >>> pad_sequences([[1, 2], [3]]).tolist()
    [[1, 2], [0, 3]]
"""

from typing import Any

from jnn.preprocessing import image, sequence
from jnn.utils.image_dataset_utils import image_dataset_from_directory
from jnn.utils.text_dataset_utils import text_dataset_from_directory
from jnn.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]


def __getattr__(name: str) -> Any:
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)
