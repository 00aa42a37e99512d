"""A data set: its features, its targets, and what they mean."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features, targets and what they mean.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features, float64.
    y : ndarray of shape (n_samples,)
        Labels as given: ints for the bundled sets; strings or numbers from a CSV.
    feature_names : list of str
    target_name : str
    task : str
        ``"classification"`` or ``"regression"``.
    name : str
    description : str
        One line.
    """

    X: NDArray[np.float64]
    y: NDArray[Any]
    feature_names: list[str]
    target_name: str
    task: str
    name: str
    description: str

    @property
    def n_samples(self) -> int:
        """The number of rows of ``X``."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """The number of columns of ``X``."""
        return int(self.X.shape[1])

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, X: {self.X.shape}, "
            f"target={self.target_name!r})"
        )
