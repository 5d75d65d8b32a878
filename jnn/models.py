"""Models: ``Sequential``, ``Model`` (functional and subclassed), as ``keras.models``."""

from jnn._shell.functional import Functional as Functional
from jnn._shell.functional import Input as Input
from jnn._shell.model import Model as Model
from jnn._shell.sequential import Sequential as Sequential

__all__ = ["Functional", "Input", "Model", "Sequential"]
