"""Callbacks: ``Callback``, ``CallbackList``, ``History``, the progress bar, monitors, TensorBoard.

Holds: the base machinery (:mod:`.base`), the Keras-2-style bar (:mod:`.progress`), callbacks that
watch a logged quantity (:mod:`.monitor`), the other built-ins (:mod:`.misc`) and TensorBoard
(:mod:`.tensorboard`, :mod:`.tensorboard_events`). A callback holds its model as an object and
only calls its methods.

May import: :mod:`jnn._shell.runtime`, :mod:`jnn._shell.protocol` and :mod:`jnn._core`.
"""
