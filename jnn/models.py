"""Models: ``Sequential``, ``Model`` (functional and subclassed), as ``keras.models``."""

from jnn._shell.models.functional import Functional as Functional
from jnn._shell.models.functional import Input as Input
from jnn._shell.models.model import Model as Model
from jnn._shell.models.sequential import Sequential as Sequential
from jnn._shell.saving.api import clone_model as clone_model
from jnn._shell.saving.api import load_model as load_model
from jnn._shell.saving.api import model_from_json as model_from_json
from jnn._shell.saving.api import save_model as save_model

__all__ = [
    "Functional",
    "Input",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]
