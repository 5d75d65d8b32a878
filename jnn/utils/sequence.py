"""``Sequence`` / ``PyDataset`` (defined in :mod:`jnn._shell.training.pydataset`)."""

from jnn._shell.training.pydataset import PyDataset as PyDataset
from jnn._shell.training.pydataset import Sequence as Sequence

__all__ = ["PyDataset", "Sequence"]
