"""A table's run: the preprocessor fitted on the training part, the rows encoded, targets scaled.

    table's typed columns ──make_preprocessor, fit on the training part──> ColumnTransformer
    every row ──transform──> X (n, n_encoded): what the network sees, parts taken from it
    regression targets ──StandardScaler, fit on the training part──> (y - mean) / scale

The held-out part is never seen by either fit. A regression run trains on standardised
targets (so the cost does not sit at the target's variance) and its predictions are
mapped back, ``y = A * scale + mean``.
"""

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.dataset import Dataset

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler


def fit_preprocessor(
    dataset: Dataset, seen: NDArray[np.intp], *, standardize: bool, scaling: str = "standard"
) -> "ColumnTransformer":
    """The table's ColumnTransformer, fitted on the training part's rows ``seen`` only."""
    from glassnet.data.table_encoder import make_preprocessor

    table = dataset.table
    assert table is not None
    rows = table.frame.iloc[seen]
    preprocessor = make_preprocessor(
        rows,
        numeric=table.numeric,
        categorical=table.categorical,
        standardize=standardize,
        scaling=scaling,
    )
    return preprocessor.fit(rows)


def encode_table(dataset: Dataset, preprocessor: "ColumnTransformer") -> Dataset:
    """The data set with ``X`` the preprocessor's output for every row, and its column names."""
    from glassnet.data.table_encoder import encoded

    assert dataset.table is not None
    X = encoded(preprocessor, dataset.table.frame)  # (n, n_encoded)
    names = [str(name) for name in preprocessor.get_feature_names_out()]
    return replace(dataset, X=X, feature_names=names)


def encode_for(dataset: Dataset, preprocessor: "ColumnTransformer | None") -> Dataset:
    """A table's rows encoded once, by a saved model's ``preprocessor``; a model saved
    without one (an older run) took the first look's encoding. Other data passes through."""
    from glassnet.data.tabular import first_look

    if dataset.table is None:
        return dataset
    return first_look(dataset) if preprocessor is None else encode_table(dataset, preprocessor)


def fit_target_scaler(y_seen: NDArray[Any]) -> "StandardScaler":
    """A StandardScaler of the regression target(s), fitted on the training part."""
    from sklearn.preprocessing import StandardScaler

    Y = np.asarray(y_seen, dtype=np.float64)
    return StandardScaler().fit(Y.reshape(len(Y), -1))  # (n, n_targets)


def scaled_targets(scaler: "StandardScaler | None", y: NDArray[Any]) -> NDArray[np.float64]:
    """``(y - mean) / scale`` in the targets' shape; ``y`` as floats without a scaler."""
    values = np.asarray(y, dtype=np.float64)
    if scaler is None:
        return values
    scaled = scaler.transform(values.reshape(len(values), -1))  # (n, n_targets)
    return scaled[:, 0] if values.ndim == 1 else scaled


def unscaled(scaler: "StandardScaler | None", A: NDArray[np.floating]) -> NDArray[np.float64]:
    """A regression output in the targets' units: ``A * scale + mean``, shape (n, n_L)."""
    values = np.asarray(A, dtype=np.float64)
    return values if scaler is None else scaler.inverse_transform(values)


def table_record(dataset: Dataset) -> dict[str, Any] | None:
    """What config.json and the model's config record of a table: its file, columns, task."""
    table = dataset.table
    if table is None:
        return None
    number_format = (table.decimal, table.thousands) != (".", None)
    return {
        "data_file": table.fingerprint,
        "columns": {
            "targets": list(table.targets),
            "numeric": list(table.numeric),
            "categorical": list(table.categorical),
            "dates": dict(table.dates),  # each date column and the format its cells are in
            "left_out": table.left_out,
        },
        "task_reason": table.task_reason,
        "sep": table.sep,
        # the number format read, given or sniffed: a resumed run reads the file alike
        **({"decimal": table.decimal, "thousands": table.thousands} if number_format else {}),
    }
