"""Robust scaling with smooth clipping: the tabular recipe's scaler of numeric columns.

For each column j, fitted on the training rows (RealMLP-TD's preprocessing, Holzmueller
et al. 2024)::

    center_j = median(x_j)
    scale_j  = (q75(x_j) - q25(x_j)) / 1.349       the interquartile range of N(0, 1) is 1.349
               or std(x_j) when the quartiles agree, or 1 when the column is constant
    u        = (x - center_j) / scale_j             a normal column gets mean 0, sd 1
    z        = u / sqrt(1 + (u / 3)^2)              smooth clipping into (-3, 3)

The median and quartiles ignore outliers, and the smooth clip bounds what is left
(z ~ u near 0, |z| < 3 always), so one extreme row cannot swamp a column. The
transformation is fixed after fitting; it has no gradient to check (it comes before the
network). A model file stores it by its fitted attributes, ``center_`` and ``scale_``
(:mod:`glassnet.files.transformer_leaves`).
"""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

IQR_OF_NORMAL = 1.349  # q75 - q25 of the standard normal distribution


class RobustScaling(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale by the median and interquartile range, then clip smoothly: z = u / sqrt(1 + (u/c)^2).

    Parameters
    ----------
    clip
        c: the bound of the output, |z| < c; z = u / sqrt(1 + (u / c)^2) with u the
        robustly scaled value. 3 by default (RealMLP's).

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Each column's median.
    scale_ : ndarray of shape (n_features,)
        Each column's interquartile range / 1.349 (its standard deviation, or 1, when that is 0).
    """

    def __init__(self, clip: float = 3.0) -> None:
        self.clip = clip

    def fit(self, X: ArrayLike, y: Any = None) -> "RobustScaling":
        """Fit ``center_`` and ``scale_`` on the rows of ``X`` (NaN cells are ignored)."""
        X = np.asarray(validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan"))
        if not self.clip > 0:
            raise ValueError(f"clip must be a number above 0, got {self.clip!r}")
        q25, center, q75 = np.nanpercentile(X, [25, 50, 75], axis=0)  # (n_features,) each
        scale = (q75 - q25) / IQR_OF_NORMAL  # a normal column's standard deviation
        spread = np.nanstd(X, axis=0)
        scale = np.where(scale > 0, scale, np.where(spread > 0, spread, 1.0))
        self.center_ = np.nan_to_num(center)  # an all-NaN column: centred at 0
        self.scale_ = np.nan_to_num(scale, nan=1.0)
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """z = u / sqrt(1 + (u / clip)^2) with u = (x - center_) / scale_, (n, n_features)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        u = (X - self.center_) / self.scale_  # robustly scaled, (n, n_features)
        return u / np.sqrt(1 + (u / self.clip) ** 2)  # z = u / sqrt(1 + (u/3)^2), |z| < 3
