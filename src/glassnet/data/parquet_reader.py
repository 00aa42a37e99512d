"""A Parquet file as a table: pyarrow reads it, its cells keep Parquet's types.

A list, struct or map cell is read as its JSON text (``[1, 2]``, ``{"a": 1}``), whole or in
batches, so training and predicting read it alike; rows are numbered from 1 for messages.
"""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from glassnet.data.rows import Rows, TableReader, check_header, column_names
from glassnet.errors import InputError


def open_parquet(path: Path, stack: contextlib.ExitStack) -> TableReader:
    """Open a Parquet file (pyarrow reads it, its cells keep their types): its header now,
    its rows in batches of ``chunksize`` later, numbered from 1 for messages."""
    where = repr(str(path))
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"data file {where} {problem}: check the path")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            f"reading the Parquet file {where} needs pyarrow: pip install 'glassnet[parquet]'"
        ) from None
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as error:
        raise InputError(f"could not read {where} as a Parquet file: {error}") from None
    stack.callback(parquet.close)
    header = list(parquet.schema_arrow.names)
    check_header(header, where)
    nested = [field.name for field in parquet.schema_arrow if pa.types.is_nested(field.type)]

    def rows(chunksize: int | None) -> Iterator[Rows]:
        start = 1
        batches = (
            [parquet.read()] if chunksize is None else parquet.iter_batches(batch_size=chunksize)
        )
        for batch in batches:
            frame = batch.to_pandas()
            for name in nested:  # a list, struct or map cell as its JSON text, in every read
                cells = [_as_json(cell) for cell in batch.column(name).to_pylist()]
                frame[name] = pd.Series(cells, index=frame.index, dtype=object)
            frame.columns = column_names([str(name) for name in frame.columns])
            yield Rows(frame, np.arange(start, start + len(frame), dtype=np.int64))
            start += len(frame)

    return TableReader(where, header, "parquet", "row", rows, stack)


def _as_json(cell: Any) -> str | None:
    """A nested Parquet cell (lists, dicts of plain values) as JSON text; None stays missing."""
    return None if cell is None else json.dumps(cell, default=str, ensure_ascii=False)
