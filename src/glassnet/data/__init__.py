"""Data in: the bundled data sets, reading CSV and Parquet files, and preprocessing.

``make_preprocessor`` (scikit-learn's ColumnTransformer for a DataFrame) and
``read_tabular`` load pandas and scikit-learn on first use.
"""

from typing import Any

from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.data.loading import Dataset, load

_LAZY = {
    "make_preprocessor": "glassnet.data.table_encoder",
    "read_tabular": "glassnet.data.tabular",
    "open_table": "glassnet.data.reading",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'glassnet.data' has no attribute {name!r}")


__all__ = [
    "Dataset",
    "LabelCodec",
    "Standardizer",
    "load",
    "make_preprocessor",
    "open_table",
    "read_tabular",
]
