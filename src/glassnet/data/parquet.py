"""A Parquet file's rows, as :mod:`glassnet.data.reading` gives a CSV's (pyarrow reads it).

The cells keep Parquet's types (numbers, text, nulls); rows are numbered from 1, for
messages. ``pip install 'glassnet[parquet]'`` installs pyarrow.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from glassnet.data.rows import Rows, TableReader, check_header, column_names
from glassnet.errors import InputError


def open_parquet(path: Path, stack: contextlib.ExitStack) -> TableReader:
    """Open a Parquet file: its header now, its rows in batches of ``chunksize`` later."""
    where = repr(str(path))
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"data file {where} {problem}: check the path")
    try:
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

    def rows(chunksize: int | None) -> Iterator[Rows]:
        start = 1
        batches = (
            [parquet.read()] if chunksize is None else parquet.iter_batches(batch_size=chunksize)
        )
        for batch in batches:
            frame = batch.to_pandas()
            frame.columns = column_names([str(name) for name in frame.columns])
            yield Rows(frame, np.arange(start, start + len(frame), dtype=np.int64))
            start += len(frame)

    return TableReader(where, header, "parquet", "row", rows, stack)
