"""A run's data: loaded (or generated from the seed), then split into its parts.

    load ──split──> training part, held-out part           (stratified for classes)
    training part ──split──> fit part, validation part     (only when asked)

:func:`split_run` is the one place a run's data is split, with
:func:`glassnet.training.split.hold_out` (the one hold-out of in-memory data): it chooses
rows, so a table's rows are chosen before its encoder is fitted on the training part;
:meth:`RowSplit.take` takes those rows of ``X`` and ``y``. ``glassnet train`` splits
with it, and ``glassnet plot`` and ``glassnet evaluate --part held-out`` split the data
again with it, from the saved config: the same seed and fractions give the same rows.
"""

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.array_encoders import LabelCodec
from glassnet.data.loading import DATASETS, Dataset, load
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig
from glassnet.training.split import hold_out

Array = NDArray[np.floating]
PARTS = ("auto", "held-out", "all")  # the rows evaluate --part scores


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


@dataclass(frozen=True)
class RowSplit:
    """The row indices of each part: fit, validation (or None), held-out (or None)."""

    fit: NDArray[np.intp]
    validation: NDArray[np.intp] | None
    test: NDArray[np.intp] | None

    @property
    def seen(self) -> NDArray[np.intp]:
        """The training part's rows: the fit part's, then the validation part's."""
        return self.fit if self.validation is None else np.concatenate([self.fit, self.validation])

    def take(self, X: Array, y: NDArray[Any]) -> Parts:
        """The parts of ``X`` and ``y``: these rows of each."""

        def rows(index: NDArray[np.intp] | None) -> tuple[Any, Any]:
            return (None, None) if index is None else (X[index], y[index])

        return Parts(*rows(self.fit), *rows(self.validation), *rows(self.test))


def load_data(config: RunConfig, *, encode: bool = True) -> Dataset:
    """Load (or generate, from the seed) the data set the config names; a file's ``X``
    encoded for a first look, or (``encode=False``) left to the run's own encoder."""
    return load(
        config.data,
        target=config.target,
        task=config.task,
        noise=config.noise,
        n_samples=config.n_samples,
        classes=config.classes,
        random_state=config.seed,
        features=config.features or None,
        drop=config.drop or None,
        categorical=config.categorical or None,
        nan=config.nan,
        sep=config.sep,
        encoding=config.encoding,
        decimal=config.decimal,
        thousands=config.thousands,
        dates=config.dates,
        encode=encode,
    )


def reload_data(config: RunConfig) -> Dataset:
    """The data of a finished run, from its resolved config (a named data set takes no task);
    a table not encoded yet (:func:`glassnet.runs.encoding.encode_for` encodes it)."""
    resolved = replace(config, task="auto") if config.data in DATASETS else config
    return load_data(resolved, encode=False)


def split_run(y: NDArray[Any], config: RunConfig, codec: LabelCodec | None) -> RowSplit:
    """Split as every run splits: the held-out part (``test_size``), then the validation part.

    Both splits use the config's seed and, for classes (a ``codec``), keep their
    proportions: stratified on the codec's indices, so the rows chosen do not depend on
    how the labels are spelled (the cancer set's "malignant"/"benign" split as its 0/1
    did). A fraction of 0 or ``None`` holds nothing out. The rows chosen depend only on
    the number of rows, the labels' indices (when stratified) and the seed.
    """
    stratify = codec is not None
    labels = np.arange(len(y)) if codec is None or y.ndim > 1 else codec.encode(y)
    if codec is not None:
        _check_rows_per_class(labels, codec, config)
    train, test = _hold_out(labels, config.test_size, stratify, config.seed)
    fit, validation = _hold_out(labels[train], config.validation, stratify, config.seed)
    return RowSplit(train[fit], None if validation is None else train[validation], test)


def _check_rows_per_class(labels: NDArray[Any], codec: LabelCodec, config: RunConfig) -> None:
    """Refuse classes too small for the stratified parts, in the command line's words."""
    options = [
        f"--{name.replace('_', '-')} {fraction:g}"
        for name, fraction in (("test_size", config.test_size), ("validation", config.validation))
        if fraction
    ]
    if not options:
        return
    counts = np.bincount(labels, minlength=len(codec.classes_))  # rows per class
    small = np.flatnonzero(counts < 1 + len(options))  # one row in each part, one to train on
    if small.size == 0:
        return
    names = ", ".join(repr(str(label)) for label in codec.classes_[small[:5]].tolist())
    more = ", ..." if small.size > 5 else ""
    raise InputError(
        f"{small.size} of the target's {counts.size} classes have fewer than "
        f"{1 + len(options)} rows ({names}{more}): {' and '.join(options)} keep each class's "
        "share in each part, and training keeps some of each class too. Is the target "
        "the column you mean (--target; a number to predict: --task regression)? Else drop "
        "those rows, or hold nothing out (--test-size 0)"
    )


def _hold_out(
    labels: NDArray[Any], fraction: float | None, stratify: bool, seed: int
) -> tuple[NDArray[np.intp], NDArray[np.intp] | None]:
    """``kept, held`` positions into ``labels``; nothing held when ``fraction`` is 0 or None."""
    if not fraction:
        return np.arange(labels.size), None
    return hold_out(labels, fraction, stratify=stratify, seed=seed)
