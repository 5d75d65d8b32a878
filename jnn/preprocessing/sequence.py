"""``keras.preprocessing.sequence``: ``pad_sequences``.

Example:
    >>> from jnn.preprocessing.sequence import pad_sequences
    >>> pad_sequences([[1, 2, 3]], maxlen=2).tolist()
    [[2, 3]]
"""

from typing import Any

from jnn.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]


def __getattr__(name: str) -> Any:
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)
