"""The files ``--data`` names, checked before Dask reads them (and before a cluster starts).

    a path or glob ──csv_files──> the CSV files, sorted; none is an InputError
    every file's header ──file_headers──> one header (its names) per file
    the headers ──header_runs──> runs of files sharing a header, or an InputError that
                                 names the files and the columns that differ

A glob's files are read under their own headers: a file whose columns are the first
file's in another order is read by name, and a file with other columns is refused
(reading it by position under the first file's names would mix up its columns).
Nothing here imports Dask, so the command line checks the path before it starts one.
"""

import contextlib
import glob
import itertools
from pathlib import Path

from glassnet.data.reading import PARQUET_SUFFIXES
from glassnet.data.rows import check_header, column_names
from glassnet.data.sniffing import header_of
from glassnet.data.sources import open_source
from glassnet.errors import InputError

SHOWN_COLUMNS = 5  # columns named in a message about a file's header, at most


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` is a Parquet file or a folder (read as Parquet)."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in PARQUET_SUFFIXES


def check_data_path(path: str | Path) -> None:
    """Refuse a missing file, a glob matching nothing, a folder without Parquet files."""
    if is_parquet(path):
        check_parquet_path(Path(path))
    else:
        csv_files(path)


def check_parquet_path(path: Path) -> None:
    """Refuse a Parquet path that does not exist, or a folder without ``.parquet`` files."""
    where = repr(str(path))
    if not path.exists():
        raise InputError(f"data file {where} does not exist: check the path")
    if path.is_dir() and not any(path.rglob("*.parquet")) and not any(path.rglob("*.pq")):
        raise InputError(f"{where} is a directory without .parquet files: check the path")


def csv_files(path: str | Path) -> list[str]:
    """The files a CSV path or glob names, sorted; an InputError when there are none."""
    files = sorted(glob.glob(str(path)))
    if not files:
        problem = "matches no file" if glob.has_magic(str(path)) else "does not exist"
        raise InputError(f"data file {str(path)!r} {problem}: check the path")
    return files


def file_headers(files: list[str], delimiter: str, encoding: str | None) -> list[list[str]]:
    """Each file's column names (its header row, stripped), each header checked."""
    headers = []
    for name in files:
        with contextlib.ExitStack() as stack:
            sample = open_source(name, encoding, stack).sample
        header, _, _ = header_of(sample, delimiter)
        if header is None:
            raise InputError(f"{name!r} is empty: a CSV needs a header row and data rows")
        check_header(header, repr(name))
        headers.append(column_names(header))
    return headers


def header_runs(files: list[str], headers: list[list[str]]) -> list[tuple[list[str], list[str]]]:
    """``(header, files)`` for each run of consecutive files sharing a header, in file order.

    Raises an InputError naming the first file whose columns are not the first file's
    (missing or extra ones), and those columns.
    """
    first = headers[0]
    for name, header in zip(files, headers, strict=True):
        missing = [column for column in first if column not in header]
        extra = [column for column in header if column not in first]
        if missing or extra:
            differences = [
                f"{what} {_listed(columns)}"
                for what, columns in (("lacks", missing), ("has extra", extra))
                if columns
            ]
            raise InputError(
                f"the files of the glob do not share their columns: against {files[0]!r} "
                f"({_listed(first)}), {name!r} ({_listed(header)}) "
                f"{' and '.join(differences)}. Give every file the same columns (in any "
                "order), or leave the others out of the glob"
            )
    paired = zip(headers, files, strict=True)
    return [
        (list(header), [name for _, name in run])
        for header, run in itertools.groupby(paired, key=lambda pair: tuple(pair[0]))
    ]


def _listed(columns: list[str]) -> str:
    shown = ", ".join(columns[:SHOWN_COLUMNS])
    more = len(columns) - SHOWN_COLUMNS
    return f"{shown} and {more} more" if more > 0 else shown
