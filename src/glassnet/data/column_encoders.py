"""The encoders of date columns and of text columns whose missing cells are a category.

    dates                 DateEncoder(formats) -> SimpleImputer("median") -> the numeric scaler
    missing as category   SimpleImputer("constant", "(missing)") -> OneHotEncoder(...)

A text column missing in at least :data:`MISSING_CATEGORY_SHARE` of its rows gets
"(missing)" as a category of its own: filling most of a column with its most frequent
value (penguins-raw's ``Comments``, 84 % missing) would invent a majority. A column
missing in fewer rows keeps the most frequent value (the categorical transformer).
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from glassnet.data.cells import missing_cells
from glassnet.data.date_encoder import DateEncoder

DATES, MISSING_AS_CATEGORY = "dates", "categorical_missing"  # names in the ColumnTransformer
MISSING_CATEGORY = "(missing)"
MISSING_CATEGORY_SHARE = 0.25  # missing in at least this share of rows: its own category


def date_pipeline(dates: Mapping[str, str], scaler: Any) -> Any:
    """Dates as year, day of year and day of week (:mod:`glassnet.data.date_encoder`), a
    missing part median-imputed, then scaled as numeric columns are."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline

    steps = [
        ("parse", DateEncoder(list(dates.values()))),
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("scale", scaler),
    ]
    return Pipeline(steps)


def missing_category_pipeline() -> Any:
    """A missing cell as the category "(missing)", then one-hot."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    imputer = SimpleImputer(
        strategy="constant", fill_value=MISSING_CATEGORY, keep_empty_features=True
    )
    onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return Pipeline([("impute", imputer), ("onehot", onehot)])


def missing_as_category(df: pd.DataFrame, categorical: Sequence[str]) -> list[str]:
    """The categorical columns missing in at least MISSING_CATEGORY_SHARE of the rows."""
    n = len(df)
    return [
        name for name in categorical if takes_missing_category(missing_cells(df[name]).sum(), n)
    ]


def takes_missing_category(missing: int, rows: int) -> bool:
    """A column with ``missing`` of its ``rows`` missing takes "(missing)" as a category."""
    return bool(rows and missing >= MISSING_CATEGORY_SHARE * rows)
