"""Reading a table larger than memory with Dask: CSV files in blocks, or Parquet.

    CSV files (a glob; .gz .bz2 .xz .zip) ──header checks, delimiter sniffed──> blocks
    each block ──dd.read_csv (every cell as its text)──> a partition
    numbers written "1.234,5" (--decimal, --thousands, or sniffed) ──normalized──> "1234.5"

The rules are the single-machine reader's, and this module calls its code: the delimiter
sniffing and header checks of :mod:`glassnet.data.reading`, the number format of
:mod:`glassnet.data.number_format` (given, or sniffed from the first file with the
delimiter, and said in the same note). A CSV partition is one block of ``blocksize``
bytes (a compressed file is one block: it cannot be split), so a quoted cell must not
hold a line break.
"""

import contextlib
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd

from glassnet.data.number_format import NumberFormat, normalized
from glassnet.data.reading import delimiter_and_format
from glassnet.data.sniffing import SEPARATORS
from glassnet.data.sources import OPENERS, decode_error, open_source
from glassnet.distributed.data_paths import (
    check_parquet_path,
    csv_files,
    file_headers,
    header_runs,
    is_parquet,
)
from glassnet.errors import InputError

DEFAULT_BLOCKSIZE = 64 * 2**20  # bytes of CSV per partition


def read_frame(
    path: str | Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    blocksize: int | str | None = DEFAULT_BLOCKSIZE,
) -> dd.DataFrame:
    """A dask DataFrame of a CSV file or glob of them, or of a Parquet file or directory.

    Parameters
    ----------
    path
        A ``.csv`` (``.tsv``, ``.txt``; ``.gz``, ``.bz2``, ``.xz``, ``.zip``) file, a glob
        of such files with the same columns (a file with them in another order is read
        by name), a ``.parquet`` file or a directory of them.
    sep
        As ``glassnet train --sep``; ``None`` sniffs it from the first file's first lines.
    encoding
        The text's encoding; ``None`` is UTF-8 (a byte-order mark is dropped).
    decimal, thousands
        How a CSV writes its numbers, as ``glassnet train --decimal`` and ``--thousands``;
        ``None`` for both sniffs them from the first file with the delimiter
        (:mod:`glassnet.data.number_format`). :func:`read_frame_noted` says what it found.
    blocksize
        Bytes of CSV per partition (a compressed file is one partition).

    Returns
    -------
    dask.dataframe.DataFrame
        A CSV's cells as their text, as glassnet's own reader gives them (a number
        written ``1.234,5`` as ``1234.5``); Parquet's keep their types.

    Raises
    ------
    InputError
        A missing path, a glob matching nothing, an empty file, an unknown delimiter or
        encoding, text that does not decode, a header with a name twice, files of a glob
        with different columns (named, with the columns), an impossible number format.
    """
    frame, _ = read_frame_noted(
        path, sep=sep, encoding=encoding, decimal=decimal, thousands=thousands, blocksize=blocksize
    )
    return frame


def read_frame_noted(
    path: str | Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    blocksize: int | str | None = DEFAULT_BLOCKSIZE,
) -> tuple[dd.DataFrame, list[str]]:
    """:func:`read_frame`'s frame, and the notes of reading it (the number format sniffed,
    in the single-machine reader's words); :func:`prepare` takes them as its first notes."""
    where = repr(str(path))
    path = Path(path)
    if is_parquet(path):
        return _read_parquet(path, where), []
    files = csv_files(path)
    with contextlib.ExitStack() as stack:
        source = open_source(files[0], encoding, stack)
    delimiter, number = delimiter_and_format(source.sample, sep, decimal, thousands)
    runs = header_runs(files, file_headers(files, delimiter, encoding))
    first = runs[0][0]
    compressed = any(name.lower().endswith(tuple(OPENERS)) for name in files)
    options: dict[str, Any] = {
        "sep": SEPARATORS[delimiter], "dtype": object, "keep_default_na": False,
        "na_filter": False, "quotechar": '"', "header": 0,
        "encoding": "utf-8-sig" if source.encoding == "utf-8" else source.encoding,
        "blocksize": None if compressed else blocksize, "compression": "infer",
    }  # fmt: skip
    try:  # each run of files under its own header, its columns in the first file's order
        parts = [dd.read_csv(run, names=header, **options)[first] for header, run in runs]
        frame = parts[0] if len(parts) == 1 else dd.concat(parts)
    except UnicodeDecodeError as error:
        raise decode_error(where, source.asked, error) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(
            f"{where} could not be parsed as {delimiter!r}-separated text ({error}): pass the "
            "delimiter with --sep"
        ) from None
    notes = [number.note(delimiter)] if number.sniffed else []
    if number.plain:
        return frame, notes
    return frame.map_partitions(_plain_numbers, number, meta=frame._meta), notes


def _plain_numbers(part: pd.DataFrame, number: NumberFormat) -> pd.DataFrame:
    """A partition's cells written in ``number``'s format, written plainly (a copy)."""
    return normalized(part.copy(), number)


def _read_parquet(path: Path, where: str) -> dd.DataFrame:
    check_parquet_path(path)
    try:
        return dd.read_parquet(str(path))
    except (OSError, ValueError) as error:
        raise InputError(f"could not read {where} as Parquet: {error}") from None
