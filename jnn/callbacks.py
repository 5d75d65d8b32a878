"""Callbacks: hooks into `fit`, `evaluate` and `predict` (mirrors `keras.callbacks`).

Example:
    >>> import jnn
    >>> history = jnn.callbacks.History()
    >>> history.on_train_begin(); history.on_epoch_end(0, {"loss": 0.5})
    >>> history.history
    {'loss': [0.5]}
"""

from jnn._shell.callbacks.base import (
    Callback,
    CallbackList,
    History,
    LambdaCallback,
    ProgbarLogger,
)
from jnn._shell.callbacks.misc import (
    BackupAndRestore,
    CSVLogger,
    LearningRateScheduler,
    TerminateOnNaN,
)
from jnn._shell.callbacks.monitor import (
    EarlyStopping,
    ModelCheckpoint,
    MonitorCallback,
    ReduceLROnPlateau,
)
from jnn._shell.callbacks.tensorboard import TensorBoard

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]


def __getattr__(name: str):  # Keras names jnn leaves out say what to use instead
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)
