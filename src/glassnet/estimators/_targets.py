"""Checks of what ``fit`` is given beside X: missing labels, and weights that no longer fit."""

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse

from glassnet.core.network import Network


def check_no_missing_labels(y: Any) -> None:
    """Refuse a target with missing values (None, NaN, pandas' NA), saying how many.

    Raises
    ------
    ValueError
        Starting with scikit-learn's own words for it ("Input y contains NaN.").
    """
    if y is None or scipy.sparse.issparse(y):
        return
    values = np.asarray(y)
    if values.dtype.kind == "f":
        n_missing = int(np.isnan(values).sum())
    elif values.dtype.kind == "O":
        import pandas as pd  # its isna knows None, NaN, NA and NaT

        n_missing = int(pd.isna(values.reshape(-1)).sum())
    else:
        return
    if n_missing:
        raise ValueError(
            f"Input y contains NaN. The target has {n_missing} missing value(s) (None or NaN) "
            f"among {values.size} labels: drop those rows or fill them in before fit."
        )


def refit_if_resized(network: Network, hidden: Sequence[int], incremental: bool) -> bool:
    """Whether a warm start must start afresh: ``hidden_layer_sizes`` is no longer the fitted
    network's. Warns when it does; ``partial_fit`` cannot start afresh and refuses.

    Raises
    ------
    ValueError
        From ``partial_fit``, when the sizes differ.
    """
    fitted = list(network.layer_sizes[1:-1])
    if fitted == list(hidden):
        return False
    message = f"hidden_layer_sizes is {tuple(hidden)} but the fitted network has {tuple(fitted)}"
    if incremental:
        raise ValueError(f"{message}: partial_fit continues the fitted network; call fit instead")
    warnings.warn(
        f"{message}: warm_start cannot continue it, so fit starts from new weights",
        UserWarning,
        stacklevel=4,
    )
    return True
