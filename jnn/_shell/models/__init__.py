"""Models, the top room: ``Model``, ``Functional``, ``Sequential``, ``summary()``, Flax export.

A model object binds the rooms below it into Keras's methods: ``compile`` / ``fit`` / ...
(:mod:`jnn._shell.training`), ``save`` / ``save_weights`` (:mod:`jnn._shell.saving`), callbacks
(:mod:`jnn._shell.callbacks`). Importing this package registers the model classes with
:mod:`jnn._shell.protocol`, through which the rooms below build and recognise models without
importing this one.

May import: every room of :mod:`jnn._shell` and :mod:`jnn._core`.
"""

from jnn._shell import protocol as _protocol
from jnn._shell.models.functional import Functional, Input
from jnn._shell.models.model import Model
from jnn._shell.models.sequential import Sequential

_protocol.register_model_classes(Model=Model, Functional=Functional, Sequential=Sequential, Input=Input)
