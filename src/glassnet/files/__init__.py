"""Model files: ``.npz`` arrays plus JSON metadata, closed tables, atomic writes, no pickle."""

from glassnet.files.model_file import load, save
from glassnet.files.trained_model import TrainedModel

__all__ = ["TrainedModel", "load", "save"]
