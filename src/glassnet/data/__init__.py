"""Data in: the bundled data sets, reading CSV files, and preprocessing."""

from glassnet.data.datasets import Dataset, load
from glassnet.data.preprocessing import LabelCodec, Standardizer

__all__ = ["Dataset", "LabelCodec", "Standardizer", "load"]
