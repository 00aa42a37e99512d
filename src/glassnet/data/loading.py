"""Data sets to train on: the bundled ones by name, and your CSV or Parquet file.

- :data:`DATASETS`: the bundled sets (:mod:`glassnet.data.generators`): ``moons``,
  ``circles``, ``xor``, ``spiral``, ``cancer``.
- :func:`csv`: your own file with a header row (:func:`glassnet.data.tabular.read_tabular`).
- :func:`load`: a bundled set by name, or a file by path.
"""

import inspect
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from glassnet.data.dataset import Dataset
from glassnet.data.generators import RandomState, cancer, circles, moons, spiral, xor
from glassnet.errors import InputError

__all__ = [
    "DATASETS",
    "Dataset",
    "cancer",
    "circles",
    "csv",
    "load",
    "moons",
    "spiral",
    "xor",
]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".gz", ".bz2", ".xz", ".zip")


def csv(path: str | os.PathLike[str], target: str | Sequence[str], **options: Any) -> Dataset:
    """A CSV or Parquet file as a Dataset: :func:`glassnet.data.tabular.read_tabular`."""
    from glassnet.data.tabular import read_tabular  # lazy: pandas loads on first use

    return read_tabular(path, target, **options)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
    "cancer": cancer,
}


def load(
    name_or_path: str | os.PathLike[str],
    *,
    target: str | None = None,
    task: str = "auto",
    noise: float | None = None,
    n_samples: int | None = None,
    classes: int | None = None,
    random_state: RandomState = None,
    features: str | Sequence[str] | None = None,
    drop: str | Sequence[str] | None = None,
    categorical: str | Sequence[str] | None = None,
    nan: str = "impute",
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    dates: str | Sequence[str] | None = None,
    encode: bool = True,
) -> Dataset:
    """Load a built-in data set by name, or a CSV or Parquet file by path.

    Parameters
    ----------
    name_or_path
        One of :data:`DATASETS` (``moons``, ``circles``, ``xor``, ``spiral``,
        ``cancer``), or a path to a file (``.csv``, ``.parquet``, compressed ones, or any
        existing file).
    target, task
        The file's target column(s) (required for a file) and its task (see
        :func:`glassnet.data.tabular.read_tabular`).
    features, drop, categorical, nan, sep, encoding, decimal, thousands, dates
        A file's options (see :func:`~glassnet.data.tabular.read_tabular`); a bundled
        set takes none of them (``nan`` is ignored: its data has no missing cell).
    encode
        A file's ``X`` encoded for a first look (:func:`~glassnet.data.tabular.read_tabular`);
        ``False`` leaves it to a run, which encodes once, with an encoder fitted on its
        training rows.
    noise, n_samples, classes, random_state
        Passed to the generator when given (``None`` keeps its default). An option a
        data set does not take raises; ``random_state`` is ignored by data sets that
        involve no randomness (``cancer`` and CSV files), so one seed can serve a run.
    """
    if not isinstance(name_or_path, str | os.PathLike):
        raise InputError(
            f"data must be a data set name or a CSV path, got {type(name_or_path).__name__}"
        )
    options = {"noise": noise, "n_samples": n_samples, "classes": classes}
    given: dict[str, Any] = {key: value for key, value in options.items() if value is not None}
    name = os.fspath(name_or_path)
    table = {"features": features, "drop": drop, "categorical": categorical, "sep": sep}
    table.update(encoding=encoding, decimal=decimal, thousands=thousands, dates=dates)
    if isinstance(name_or_path, str) and name in DATASETS:
        if target is not None or task != "auto":
            raise InputError(
                f"target and task apply only to CSV files, not to the {name} data set: "
                "drop --target / --task"
            )
        return _bundled(name, options, table, random_state)
    if name.lower().endswith(TABLE_SUFFIXES) or Path(name).is_file():
        if given:
            raise InputError(
                f"{', '.join(given)}: only generated data sets take this option, not a CSV file"
            )
        if target is None:
            raise InputError(
                f"a CSV file needs a target column: pass --target COLUMN (target= in Python) "
                f"for {name!r}"
            )
        return csv(name, target, task=task, nan=nan, encode=encode, **table)
    raise InputError(
        f"unknown data set {name!r}: choose one of {', '.join(sorted(DATASETS))}, "
        "or pass the path to a CSV file"
    )


def _bundled(
    name: str, options: dict[str, Any], table: dict[str, Any], random_state: RandomState
) -> Dataset:
    """The bundled set ``name`` generated with the ``options`` given (a file's ``table``
    options refused)."""
    asked = [key for key, value in table.items() if value]
    if asked:
        raise InputError(f"{', '.join(asked)} apply only to CSV files, not to the {name} data set")
    loader = DATASETS[name]
    accepted = inspect.signature(loader).parameters
    given: dict[str, Any] = {key: value for key, value in options.items() if value is not None}
    wrong = [key for key in given if key not in accepted]
    if wrong:
        takes = ", ".join(key for key in options if key in accepted) or "no options"
        raise InputError(
            f"{', '.join(wrong)}: not an option of the {name} data set (it takes {takes})"
        )
    if "random_state" in accepted:
        given["random_state"] = random_state
    return loader(**given)
