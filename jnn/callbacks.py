"""Callbacks: hooks into `fit`, `evaluate` and `predict` (mirrors `keras.callbacks`).

Example:
    >>> import jnn
    >>> history = jnn.callbacks.History()
    >>> history.on_train_begin(); history.on_epoch_end(0, {"loss": 0.5})
    >>> history.history
    {'loss': [0.5]}
"""

from jnn._shell.callbacks import (
    Callback,
    CallbackList,
    History,
    LambdaCallback,
    ProgbarLogger,
)

__all__ = ["Callback", "CallbackList", "History", "LambdaCallback", "ProgbarLogger"]
