"""Model files: ``.npz`` arrays plus JSON metadata, closed tables, atomic writes, no pickle."""

from glassnet.files.model_file import load, save

__all__ = ["load", "save"]
