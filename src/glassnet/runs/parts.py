"""A run's data: loaded (or generated from the seed), then split into its parts.

    load ──split──> training part, held-out part           (stratified for classes)
    training part ──split──> fit part, validation part     (only when asked)

:func:`split_parts` is the one place a run's data is split. ``glassnet train`` splits
with it, and ``glassnet plot`` and ``glassnet evaluate --part held-out`` split the data
again with it, from the saved config: the same seed and fractions give the same rows.
"""

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.datasets import DATASETS, Dataset, load
from glassnet.data.preprocessing import split
from glassnet.runs.config import RunConfig

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Parts:
    """The rows of a run's data: the fit part, the validation part, the held-out part.

    ``X_*`` hold raw features and ``y_*`` the labels as the data gave them; ``X_val``
    and ``X_test`` are ``None`` when no validation or held-out part was asked for.
    """

    X_train: Array
    y_train: NDArray[Any]
    X_val: Array | None = None
    y_val: NDArray[Any] | None = None
    X_test: Array | None = None
    y_test: NDArray[Any] | None = None

    def sizes(self) -> dict[str, int]:
        """``n_train``, ``n_validation`` and ``n_test``: the rows of each part."""
        return {
            "n_train": len(self.y_train),
            "n_validation": 0 if self.y_val is None else len(self.y_val),
            "n_test": 0 if self.y_test is None else len(self.y_test),
        }


def load_data(config: RunConfig) -> Dataset:
    """Load (or generate, from the seed) the data set the config names."""
    return load(
        config.data,
        target=config.target,
        task=config.task,
        noise=config.noise,
        n_samples=config.n_samples,
        classes=config.classes,
        random_state=config.seed,
    )


def reload_data(config: RunConfig) -> Dataset:
    """The data of a finished run, from its resolved config (a named data set takes no task)."""
    return load_data(replace(config, task="auto") if config.data in DATASETS else config)


def split_parts(X: Array, y: NDArray[Any], config: RunConfig, *, stratify: bool) -> Parts:
    """Split as every run splits: the held-out part (``test_size``), then the validation part.

    Both splits use the config's seed and, for classes, keep their proportions
    (``stratify``); a fraction of 0 or ``None`` holds nothing out.
    """
    seed = config.seed
    X_train, X_test, y_train, y_test = _hold_out(X, y, config.test_size, stratify, seed)
    X_fit, X_val, y_fit, y_val = _hold_out(X_train, y_train, config.validation, stratify, seed)
    return Parts(X_fit, y_fit, X_val, y_val, X_test, y_test)


def _hold_out(
    X: Array, y: NDArray[Any], fraction: float | None, stratify: bool, seed: int
) -> tuple[Array, Array | None, NDArray[Any], NDArray[Any] | None]:
    """``X_kept, X_held, y_kept, y_held``; nothing held when ``fraction`` is 0 or None."""
    if not fraction:
        return X, None, y, None
    return split(X, y, test_size=fraction, stratify=stratify, random_state=seed)
