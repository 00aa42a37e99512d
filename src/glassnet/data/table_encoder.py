"""The features' preprocessing: one scikit-learn ``ColumnTransformer``, nothing written by hand.

    numeric      SimpleImputer(strategy="median")        -> StandardScaler()
    categorical  SimpleImputer(strategy="most_frequent") -> OneHotEncoder(handle_unknown="ignore")

A category not seen in fitting becomes all zeros in its one-hot columns. The output
columns are the numeric ones (their names), then each categorical column's categories
(``island_Biscoe``, ...), as ``get_feature_names_out()`` names them. ``glassnet train``
builds exactly this from a CSV, and :func:`make_preprocessor` builds it from a
DataFrame in a script, so both train on the same thing::

    preprocessor = glassnet.data.make_preprocessor(df.drop(columns="species"))
    X = preprocessor.fit_transform(df.drop(columns="species"))

A fitted encoder's input comes from what a user has, a DataFrame (text cells or typed) or
rows, by the encoder's columns; a missing cell is left for the imputer, a numeric cell that is
no finite number is an error naming it (:func:`preprocess`). The model file stores the fitted
transformer by its fitted attributes (never pickle).
"""

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import as_categories, missing_cells, number_share, read_numbers
from glassnet.data.column_encoders import (
    DATES,
    MISSING_AS_CATEGORY,
    date_pipeline,
    missing_as_category,
    missing_category_pipeline,
)
from glassnet.data.column_meaning import dates_format
from glassnet.data.column_summary import NUMERIC_SHARE, summarize
from glassnet.data.column_warnings import decimal_commas as decimal_commas_warning
from glassnet.data.column_warnings import many_categories, mostly_missing
from glassnet.data.listing import listed
from glassnet.data.number_format import decimal_commas
from glassnet.data.table_choices import CATEGORICAL, NUMERIC, SCALINGS
from glassnet.errors import InputError

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer


def build_preprocessor(
    numeric: Sequence[str],
    categorical: Sequence[str],
    *,
    standardize: bool = True,
    scaling: str = "standard",
    dates: Mapping[str, str] | None = None,
    missing_category: Sequence[str] = (),
) -> "ColumnTransformer":
    """The unfitted ColumnTransformer for these columns (``standardize=False``: no scaling).

    ``dates`` (a column: its format) are encoded as numbers, and the ``categorical``
    columns in ``missing_category`` take a missing cell as a category of its own
    (:mod:`glassnet.data.column_encoders`).

    Without standardising, the scaler is kept with ``with_mean=False, with_std=False``
    (it changes nothing), so every preprocessor has the same steps. ``scaling="robust"``
    scales numeric columns by :class:`~glassnet.data.robust_scaling.RobustScaling`
    (median, quartiles, smooth clipping) instead of the mean and standard deviation.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    if not numeric and not categorical and not dates:
        raise InputError("a preprocessor needs at least one numeric or categorical column")
    usual = [name for name in categorical if name not in missing_category]
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        steps = [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", _scaler(scaling, standardize)),
        ]
        transformers.append((NUMERIC, Pipeline(steps), list(numeric)))
    if usual:
        steps = [
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
        transformers.append((CATEGORICAL, Pipeline(steps), usual))
    if missing_category:
        transformers.append((MISSING_AS_CATEGORY, missing_category_pipeline(), [*missing_category]))
    if dates:
        transformers.append((DATES, date_pipeline(dates, _scaler(scaling, standardize)), [*dates]))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def make_preprocessor(
    df: pd.DataFrame,
    *,
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    standardize: bool = True,
    scaling: str = "standard",
) -> "ColumnTransformer":
    """The ColumnTransformer ``glassnet train`` uses, for the columns of ``df`` (unfitted).

    Parameters
    ----------
    df
        The feature columns (not the target). A column of a numeric dtype is numeric; a
        column of text is numeric when at least half its present cells are numbers, else
        categorical, as ``glassnet train`` decides.
    numeric, categorical
        The columns of each kind, to choose them yourself (``categorical=["year"]`` makes
        ``year`` categorical; every other column is then inferred: a column of dates
        (``dd.mm.yyyy``, ISO, ``mm/dd/yyyy``) is encoded as numbers). A categorical column
        missing in a quarter of the rows or more takes "(missing)" as a category.
    standardize
        Scale numeric columns to mean 0 and standard deviation 1 (after imputing).
    scaling
        ``"standard"`` (mean and standard deviation) or ``"robust"`` (median and
        quartiles, then smooth clipping: :mod:`glassnet.data.robust_scaling`).

    Warns
    -----
    UserWarning
        For a categorical column with more than 50 categories, one whose cells are mostly
        numbers written with a decimal comma, and for a column missing in 90 % of the rows
        or more, naming it and its count.

    Returns
    -------
    ColumnTransformer
        Unfitted: call ``fit`` or ``fit_transform`` on the training rows.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"make_preprocessor takes a pandas DataFrame, got {type(df).__name__}")
    named = {*(numeric or ()), *(categorical or ())}
    unknown = sorted(named - set(map(str, df.columns)))
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(map(repr, unknown))}: the DataFrame has "
            f"{', '.join(map(str, df.columns[:20]))}"
        )
    numeric_columns, categorical_columns, dates = _inferred(df, numeric or (), categorical or ())
    for message in column_warnings(df, categorical_columns):
        warnings.warn(message, UserWarning, stacklevel=2)
    return build_preprocessor(
        numeric_columns,
        categorical_columns,
        standardize=standardize,
        scaling=scaling,
        dates=dates,
        missing_category=missing_as_category(df, categorical_columns),
    )


def _inferred(
    df: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]
) -> tuple[list[str], list[str], dict[str, str]]:
    """The numeric, categorical and date columns: those named, the others by their cells."""
    numeric_columns = [str(c) for c in df.columns if c in numeric]
    categorical_columns = [str(c) for c in df.columns if c in categorical]
    named = {*numeric, *categorical}
    dates: dict[str, str] = {}
    for name in df.columns:
        if name in named:
            continue
        date_format = dates_format(summarize(df[name], np.arange(len(df)), str(name)))
        if date_format is not None:
            dates[str(name)] = date_format
        else:
            numbers = number_share(df[name]) >= NUMERIC_SHARE
            (numeric_columns if numbers else categorical_columns).append(str(name))
    return numeric_columns, categorical_columns, dates


def _scaler(scaling: str, standardize: bool) -> Any:
    """The numeric columns' scaler: StandardScaler, or RobustScaling (scaling="robust")."""
    from sklearn.preprocessing import StandardScaler

    if scaling not in SCALINGS:
        raise InputError(f"unknown scaling {scaling!r}: known are {', '.join(SCALINGS)}")
    if scaling == "robust" and standardize:
        from glassnet.data.robust_scaling import RobustScaling

        return RobustScaling()
    return StandardScaler(with_mean=standardize, with_std=standardize)


def column_warnings(df: pd.DataFrame, categorical: Sequence[str]) -> list[str]:
    """A warning for each column almost all missing, and each categorical column of decimal
    commas or of too many categories (worded by :mod:`glassnet.data.column_warnings`)."""
    found = [
        mostly_missing(name, int(missing_cells(df[name]).sum()), len(df)) for name in df.columns
    ]
    for name in categorical:
        found.append(decimal_commas_warning(name, *decimal_commas(df[name])))
        found.append(many_categories(name, pd.Series(as_categories(df[name])).nunique()))
    return [message for message in found if message is not None]


def typed_features(
    frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]
) -> pd.DataFrame:
    """The columns the preprocessor takes, typed: numbers as float64, categories as text.

    Missing cells become NaN in both; a numeric cell that is no finite number becomes NaN
    too (callers check those cells first, :func:`~glassnet.data.cells.read_numbers`).
    """
    columns: dict[str, Any] = {name: read_numbers(frame[name])[0] for name in numeric}
    columns.update({name: as_categories(frame[name]) for name in categorical})
    typed = pd.DataFrame(columns, index=frame.index)
    for name in categorical:
        typed[name] = typed[name].astype(object)
    return typed


def encoded(preprocessor: "ColumnTransformer", typed: pd.DataFrame) -> np.ndarray:
    """``preprocessor.transform(typed)`` as float64, shape (n, n_encoded)."""
    return np.asarray(preprocessor.transform(typed), dtype=np.float64)


def preprocessor_columns(preprocessor: "ColumnTransformer") -> tuple[list[str], list[str]]:
    """The raw columns a fitted preprocessor reads: ``(numeric, text)``; the text columns are
    the categorical ones, then those with a missing category, then the dates."""
    kinds = (NUMERIC, CATEGORICAL, MISSING_AS_CATEGORY, DATES)
    columns: dict[str, list[str]] = {kind: [] for kind in kinds}
    for name, _, names in preprocessor.transformers_:
        if name in columns:
            columns[name] = [str(column) for column in names]
    return columns[NUMERIC], [name for kind in kinds[1:] for name in columns[kind]]


def unseen_categories(
    preprocessor: "ColumnTransformer", typed: pd.DataFrame
) -> tuple[np.ndarray, dict[str, list[str]]]:
    """Rows holding a category the preprocessor never saw (one-hot: all zeros), and which.

    Returns a boolean mask over the rows and, per column, the unseen categories (a few).
    A missing cell is not unseen: the imputer fills it in.
    """
    rows = np.zeros(len(typed), dtype=bool)
    found: dict[str, list[str]] = {}
    one_hot = [
        (name, categories)
        for kind, transformer, names in preprocessor.transformers_
        if kind in (CATEGORICAL, MISSING_AS_CATEGORY)
        for name, categories in zip(
            names, transformer.named_steps["onehot"].categories_, strict=True
        )
    ]
    for name, known in one_hot:
        values = typed[name]
        unseen = values.notna().to_numpy() & ~values.isin(list(known)).to_numpy()
        if unseen.any():
            rows |= unseen
            found[name] = list(dict.fromkeys(values[unseen].astype(str)))[:5]
    return rows, found


def frame_of(X_raw: Any, columns: list[str]) -> pd.DataFrame:
    """``X_raw`` as a DataFrame holding ``columns``: a DataFrame's own, or an array's in order.

    Raises
    ------
    InputError
        Listing the columns a DataFrame lacks, or for an array of the wrong width.
    """
    if isinstance(X_raw, pd.DataFrame):
        names = [str(name) for name in X_raw.columns]
        lacking = [name for name in columns if name not in names]
        if lacking:
            raise InputError(
                f"X lacks the column(s) {', '.join(map(repr, lacking))}; the model needs "
                f"{listed(columns)}, X has {listed(names)}"
            )
        frame = X_raw.set_axis(names, axis=1)
        return frame[columns].reset_index(drop=True)
    array = np.asarray(X_raw, dtype=object)
    if array.ndim != 2 or array.shape[1] != len(columns):
        raise InputError(
            f"X has shape {array.shape} but the model reads {len(columns)} column(s) "
            f"({listed(columns)}): pass a DataFrame with those columns"
        )
    return pd.DataFrame(array, columns=columns)


def check_numbers(frame: pd.DataFrame, numeric: list[str], where: str = "X") -> None:
    """Refuse a numeric cell that is present but no finite number, naming its column and row."""
    for name in numeric:
        _, _, bad = read_numbers(frame[name])
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                f"{where}, row {row}, column {name!r}: {str(frame[name].iloc[row])!r} is not a "
                "finite number: fix or drop the row"
            )


def date_formats(preprocessor: "ColumnTransformer") -> dict[str, str]:
    """Each date column a fitted preprocessor reads, and the format its DateEncoder parses."""
    for name, pipeline, names in preprocessor.transformers_:
        if name == DATES:
            formats = pipeline.named_steps["parse"].formats
            return dict(zip(map(str, names), formats, strict=True))
    return {}


def dates_as_written(frame: pd.DataFrame, formats: Mapping[str, str]) -> pd.DataFrame:
    """Each datetime64 column of ``formats`` as the text of its dates in its format (a model
    read ``19.02.2023`` from its CSV is given ``pd.Timestamp("2023-02-19")``); NaT: missing."""
    written = {
        name: frame[name].dt.strftime(date_format).astype(object).where(frame[name].notna(), None)
        for name, date_format in formats.items()
        if pd.api.types.is_datetime64_any_dtype(frame[name].dtype)
    }
    return frame.assign(**written) if written else frame


def preprocess(preprocessor: "ColumnTransformer", X_raw: Any) -> NDArray[np.float64]:
    """The network's input for raw rows: typed, checked, then ``preprocessor.transform``."""
    numeric, categorical = preprocessor_columns(preprocessor)
    frame = frame_of(X_raw, [*numeric, *categorical])
    frame = dates_as_written(frame, date_formats(preprocessor))
    check_numbers(frame, numeric)
    return encoded(preprocessor, typed_features(frame, numeric, categorical))
