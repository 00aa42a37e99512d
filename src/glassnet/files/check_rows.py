"""Check rows: a few raw rows and their transformed values, saved with a fitted transformer.

Rebuilding a fitted transformer from its attributes leans on scikit-learn's
internals, which may move between versions. So :func:`make_check` stores, beside
the attributes, up to :data:`MAX_ROWS` raw rows and the transformer's output for
them, and :func:`verify` transforms those rows again with the rebuilt transformer
on load. A different output stops the load with an error naming the scikit-learn
that saved the file and the one installed, instead of predicting wrongly.

The rows are drawn from what the transformer learned
(:mod:`glassnet.files.check_candidates`), so they exercise it without keeping any
training data: its categories and an unseen one, missing cells, its means. The
comparison is exact for one-hot and imputed columns and within 1e-12 (relative, or
absolute below 1) for scaled ones.
"""

import math
import warnings
from typing import Any, NoReturn

import numpy as np
import sklearn
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.errors import InputError
from glassnet.files.check_candidates import candidates, inputs, is_missing
from glassnet.files.metadata import only_keys
from glassnet.files.npz_reader import BadFileError
from glassnet.files.transformer_leaves import columns_input
from glassnet.files.typed_json import decode_array, encode_array

MAX_ROWS = 5
RTOL = 1e-12  # |got - saved| <= RTOL * max(1, |saved|) for scaled columns
COLUMN_DTYPES = ("float64", "int64", "bool", "object")
CHECK_FIELDS = {"columns", "dtypes", "rows", "output", "sparse"}


def make_check(obj: Any, where: str) -> dict[str, Any]:
    """Raw rows for ``obj``, as typed JSON (missing cells null), and its output for them."""
    _, names = inputs(obj)
    values = [column[:MAX_ROWS] for column in candidates(obj)]
    try:
        rows, dtypes, output = _rows_and_output(obj, values, names)
    except (ValueError, TypeError):  # a value some step refuses: keep the ones it takes
        try:
            rows, dtypes, output = _rows_and_output(obj, _accepted(obj, values, names), names)
        except (ValueError, TypeError) as error:
            raise InputError(
                f"cannot save {where}: it cannot transform its check rows ({error})"
            ) from None
    return {
        "columns": names,
        "dtypes": dtypes,
        "rows": [[None if is_missing(v) else v for v in row] for row in rows],
        "output": encode_array(_dense(output), f"{where}.check.output"),
        "sparse": sparse.issparse(output),
    }


def _rows_and_output(
    obj: Any, candidates: list[list[Any]], names: list[str] | None
) -> tuple[list[list[Any]], list[str], np.ndarray]:
    """Row i takes each column's candidate i (cycling), then the rows go through ``obj``."""
    rows = [[column[i % len(column)] for column in candidates] for i in range(MAX_ROWS)]
    dtypes = [_column_dtype([row[j] for row in rows]) for j in range(len(candidates))]
    return rows, dtypes, _transform(obj, input_frame(rows, dtypes, names))


def _accepted(obj: Any, candidates: list[list[Any]], names: list[str] | None) -> list[list[Any]]:
    """Each column's candidates that ``obj`` transforms beside the other columns' first ones.

    (A missing cell in a column whose imputer fills a category the encoder never saw,
    with handle_unknown="error", is refused by the transformer itself.)
    """
    first = [values[:1] for values in candidates]
    accepted = []
    for j, values in enumerate(candidates):
        kept = values[:1]
        for value in values[1:]:
            try:
                _rows_and_output(obj, [*first[:j], [value], *first[j + 1 :]], names)
                kept.append(value)
            except (ValueError, TypeError):
                continue
        accepted.append(kept)
    return accepted


def verify(obj: Any, check: dict[str, Any], saved_version: str, where: str) -> None:
    """Transform the saved rows with the rebuilt ``obj``; a different output is refused."""
    only_keys(check, CHECK_FIELDS, f"{where}.check")
    n, names = inputs(obj)
    if check.get("columns") != names:
        raise BadFileError(f"{where}.check.columns do not match the transformer's columns")
    dtypes, rows = check.get("dtypes"), check.get("rows")
    if (
        not isinstance(dtypes, list)
        or len(dtypes) != n
        or not all(d in COLUMN_DTYPES for d in dtypes)
    ):
        raise BadFileError(f"{where}.check.dtypes must list {n} of {', '.join(COLUMN_DTYPES)}")
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
        raise BadFileError(f"{where}.check.rows must list 1 to {MAX_ROWS} rows")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n or not all(_is_cell(v) for v in row):
            raise BadFileError(f"{where}.check.rows[{i}] must list {n} plain values or null")
    want = decode_array(check.get("output"), f"{where}.check.output")
    was_sparse = check.get("sparse")
    if not isinstance(was_sparse, bool):
        raise BadFileError(f"{where}.check.sparse must be true or false")
    try:
        output = _transform(obj, input_frame(rows, dtypes, names))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as error:
        _mismatch(
            f"it fails on its check rows ({type(error).__name__}: {error})", saved_version, where
        )
    if sparse.issparse(output) != was_sparse:
        kinds = {True: "a sparse matrix", False: "a dense array"}
        _mismatch(
            f"it gives {kinds[not was_sparse]}, it gave {kinds[was_sparse]}", saved_version, where
        )
    problem = _difference(_dense(output), want, _exact_columns(obj, want))
    if problem:
        _mismatch(problem, saved_version, where)


def versions_note(saved_version: str) -> str:
    """The sentence about scikit-learn versions a failed rebuild ends with."""
    installed, saved_version = sklearn.__version__, saved_version[:40]
    if saved_version == installed:
        return f"; it was saved with this same scikit-learn {installed}, so the file was altered"
    return (
        f". Rebuilding a fitted transformer from its attributes depends on scikit-learn's "
        f"internals: this file was saved with scikit-learn {saved_version}, and "
        f"scikit-learn {installed} is installed. Install the version that saved it "
        f"(pip install scikit-learn=={saved_version}) to use this model"
    )


def _mismatch(problem: str, saved_version: str, where: str) -> NoReturn:
    raise BadFileError(
        f"{where} does not reproduce its check rows: {problem}" + versions_note(saved_version)
    )


# --- the rows as a frame ---------------------------------------------------------------


def _is_cell(value: Any) -> bool:
    plain = value is None or isinstance(value, bool | int | str)
    return plain or (isinstance(value, float) and math.isfinite(value))


def _column_dtype(values: list[Any]) -> str:
    present = [v for v in values if not is_missing(v)]
    gaps = len(present) < len(values)
    if all(isinstance(v, bool) for v in present) and present:
        return "object" if gaps else "bool"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float64" if gaps or any(isinstance(v, float) for v in present) else "int64"
    return "object"


def input_frame(rows: list[list[Any]], dtypes: list[str], names: list[str] | None) -> Any:
    """The rows as a DataFrame with ``names`` (else a 2-D array), missing cells as NaN."""
    columns = []
    for j, dtype in enumerate(dtypes):
        cells = [math.nan if is_missing(row[j]) else row[j] for row in rows]
        column = np.empty(len(cells), dtype=object)
        column[:] = cells
        columns.append(column.astype(dtype))
    return columns_input(columns, names)


# --- the comparison --------------------------------------------------------------------


def _transform(obj: Any, frame: Any) -> Any:
    with warnings.catch_warnings():  # handle_unknown="warn" on the unseen category
        warnings.simplefilter("ignore")
        return obj.transform(frame)


def _dense(output: Any) -> np.ndarray:
    return np.asarray(output.toarray() if sparse.issparse(output) else output)


def _exact_columns(obj: Any, want: np.ndarray) -> np.ndarray:
    """Which output columns must match exactly: all but a StandardScaler's."""
    if isinstance(obj, Pipeline):
        return _exact_columns(obj.steps[-1][1], want)
    width = want.shape[1] if want.ndim == 2 else 0
    if isinstance(obj, StandardScaler):
        return np.zeros(width, dtype=bool)
    exact = np.ones(width, dtype=bool)
    if isinstance(obj, ColumnTransformer):
        for name, transformer, _ in obj.transformers_:
            part = obj.output_indices_.get(name, slice(0, 0))
            if not isinstance(transformer, str) and part.stop <= width:
                exact[part] = _exact_columns(transformer, want[:, part])
    return exact


def _difference(got: np.ndarray, want: np.ndarray, exact: np.ndarray) -> str:
    if got.shape != want.shape or got.dtype != want.dtype:
        return (
            f"it gives output of shape {got.shape} and dtype {got.dtype}, the saved output "
            f"has {want.shape} and {want.dtype}"
        )
    if want.dtype.kind != "f":
        same = encode_array(got, "output")["values"] == encode_array(want, "output")["values"]
        return "" if same else "its output differs from the saved output"
    got = got.astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(want)
    close = np.abs(got - want) <= RTOL * np.maximum(1.0, np.abs(want))
    ok = both_nan | np.where(exact, got == want, close)
    if ok.all():
        return ""
    row, column = np.argwhere(~ok)[0]
    return (
        f"row {row}, output column {column} is {float(got[row, column])!r}, "
        f"the saved output is {float(want[row, column])!r}"
    )
