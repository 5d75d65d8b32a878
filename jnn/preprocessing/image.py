"""``keras.preprocessing.image``: load, convert, save and resize images.

Example:
    >>> import numpy as np
    >>> from jnn.preprocessing import image
    >>> image.img_to_array(image.array_to_img(np.zeros((2, 2, 3)))).shape
    (2, 2, 3)
"""

from typing import Any

from jnn.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


def __getattr__(name: str) -> Any:
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)
