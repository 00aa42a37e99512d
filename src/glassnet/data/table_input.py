"""A fitted preprocessor's input from what a user has: a DataFrame (text cells or typed) or rows.

    DataFrame | array ──the preprocessor's columns, by name──> typed frame ──transform──> X

The cells are read by the rule of :mod:`glassnet.data.cells`, so a table read as text (a
CSV) and one pandas typed give the same input. A missing cell is left for the
preprocessor's imputer; a numeric cell that is no finite number is an error naming it.
"""

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import parse_numbers
from glassnet.data.columns import listed
from glassnet.data.preprocessor import encoded, preprocessor_columns, typed_features
from glassnet.errors import InputError

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer


def frame_of(X_raw: Any, columns: list[str], where: str = "X") -> pd.DataFrame:
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
                f"{where} lacks the column(s) {', '.join(map(repr, lacking))}; the model needs "
                f"{listed(columns)}, {where} has {listed(names)}"
            )
        frame = X_raw.set_axis(names, axis=1)
        return frame[columns].reset_index(drop=True)
    array = np.asarray(X_raw, dtype=object)
    if array.ndim != 2 or array.shape[1] != len(columns):
        raise InputError(
            f"{where} has shape {array.shape} but the model reads {len(columns)} column(s) "
            f"({listed(columns)}): pass a DataFrame with those columns"
        )
    return pd.DataFrame(array, columns=columns)


def check_numbers(frame: pd.DataFrame, numeric: list[str], where: str = "X") -> None:
    """Refuse a numeric cell that is present but no finite number, naming its column and row."""
    for name in numeric:
        _, bad = parse_numbers(frame[name])
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                f"{where}, row {row}, column {name!r}: {str(frame[name].iloc[row])!r} is not a "
                "finite number: fix or drop the row"
            )


def preprocess(preprocessor: "ColumnTransformer", X_raw: Any) -> NDArray[np.float64]:
    """The network's input for raw rows: typed, checked, then ``preprocessor.transform``."""
    numeric, categorical = preprocessor_columns(preprocessor)
    frame = frame_of(X_raw, [*numeric, *categorical])
    check_numbers(frame, numeric)
    return encoded(preprocessor, typed_features(frame, numeric, categorical))
