"""Data sets to train on: four small 2-D toy problems, one real one, and your CSV.

- ``moons``: two interleaving half circles (scikit-learn's ``make_moons``); the
  reference experiment is ``make_moons(n_samples=500, noise=0.2)``.
- ``circles``: a small circle inside a large one (``make_circles``).
- ``xor``: points in the square [-1, 1]^2, class 1 in the quadrants where x1 * x2 > 0.
- ``spiral``: the CS231n spiral, ``classes`` arms winding out from the origin.
- ``cancer``: scikit-learn's bundled Wisconsin breast cancer data, 569 tumours x 30
  features, 0 = malignant, 1 = benign (no download).
- ``csv(path, target)``: your own comma-separated file with a header row.

Every generator takes ``noise`` and ``random_state``: the same seed gives the same
arrays. :func:`load` picks a data set by name or a CSV file by path.
"""

import csv as csvlib
import difflib
import inspect
import math
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.preprocessing import sklearn_seed
from glassnet.errors import InputError
from glassnet.validation import check_unit_interval

RandomState = int | np.random.Generator | None
TASKS = ("auto", "classification", "regression")
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is a regression target
MISSING = {"", "na", "n/a", "nan", "null", "none"}  # cells read as missing (any case)


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


def _check_count(value: int, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _check_noise(noise: float) -> float:
    if isinstance(noise, bool) or not isinstance(noise, int | float | np.number):
        raise InputError(f"noise must be a number of 0 or more, got {noise!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise InputError(f"noise must be a number of 0 or more, got {noise!r}")
    return float(noise)


def _toy(X: NDArray[Any], y: NDArray[Any], name: str, description: str) -> Dataset:
    return Dataset(
        X=np.ascontiguousarray(X, dtype=np.float64),
        y=np.asarray(y, dtype=np.int64),
        feature_names=["x1", "x2"],
        target_name="label",
        task="classification",
        name=name,
        description=description,
    )


def moons(n_samples: int = 500, noise: float = 0.2, random_state: RandomState = None) -> Dataset:
    """Two interleaving half circles, labels 0 and 1 (``sklearn.datasets.make_moons``).

    ``noise`` is the standard deviation of Gaussian noise added to the points. An int
    ``random_state`` is passed to scikit-learn as is, so the arrays equal
    ``make_moons(n_samples, noise=noise, random_state=random_state)``.
    """
    from sklearn.datasets import make_moons  # lazy: keeps `import glassnet` light

    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = _check_noise(noise)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=sklearn_seed(random_state))
    return _toy(X, y, "moons", f"two interleaving half moons, {n_samples} points, noise {noise}")


def circles(
    n_samples: int = 500, noise: float = 0.1, factor: float = 0.5, random_state: RandomState = None
) -> Dataset:
    """A circle of radius ``factor`` (label 1) inside one of radius 1 (label 0).

    Uses ``sklearn.datasets.make_circles``; ``noise`` is the standard deviation of
    Gaussian noise added to the points.
    """
    from sklearn.datasets import make_circles  # lazy: keeps `import glassnet` light

    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = _check_noise(noise)
    factor = check_unit_interval(factor, "factor")
    X, y = make_circles(
        n_samples=n_samples, noise=noise, factor=factor, random_state=sklearn_seed(random_state)
    )
    return _toy(X, y, "circles", f"two concentric circles, {n_samples} points, noise {noise}")


def xor(n_samples: int = 400, noise: float = 0.2, random_state: RandomState = None) -> Dataset:
    """Points uniform in [-1, 1]^2; label 1 where x1 * x2 > 0, then Gaussian noise.

    .. math:: y = [x_1 x_2 > 0], \\qquad X = x + \\varepsilon, \\quad
              \\varepsilon \\sim N(0, \\text{noise}^2)

    The label is decided before the noise moves the points, so noisy points near
    the axes can sit in the "wrong" quadrant.
    """
    n_samples = _check_count(n_samples, "n_samples", 1)
    noise = _check_noise(noise)
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))  # (n, 2)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)  # (n,)
    X = X + rng.normal(0.0, noise, size=X.shape)
    return _toy(X, y, "xor", f"XOR quadrants in [-1, 1]^2, {n_samples} points, noise {noise}")


def spiral(
    n_samples: int = 300, classes: int = 2, noise: float = 0.2, random_state: RandomState = None
) -> Dataset:
    """The CS231n spiral: ``classes`` arms winding out from the origin.

    Arm ``j`` of ``m`` points has radius ``r = linspace(0, 1, m)`` and angle
    ``t = linspace(4j, 4(j + 1), m) + N(0, noise^2)``; its points are
    ``(r sin t, r cos t)`` with label ``j``. The ``n_samples`` are split as evenly as
    possible over the arms (the first ``n_samples % classes`` arms get one more), and
    the rows are shuffled.
    """
    classes = _check_count(classes, "classes", 2)
    n_samples = _check_count(n_samples, "n_samples", classes)
    noise = _check_noise(noise)
    rng = np.random.default_rng(random_state)
    X_arms, y_arms = [], []
    for j in range(classes):
        m = n_samples // classes + (j < n_samples % classes)
        r = np.linspace(0.0, 1.0, m)  # (m,)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), m) + rng.normal(0.0, noise, m)  # (m,)
        X_arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))  # (m, 2)
        y_arms.append(np.full(m, j))
    order = rng.permutation(n_samples)
    X, y = np.concatenate(X_arms)[order], np.concatenate(y_arms)[order]
    description = f"{classes}-arm spiral, {n_samples} points, angle noise {noise}"
    return _toy(X, y, "spiral", description)


def cancer() -> Dataset:
    """Wisconsin diagnostic breast cancer data, bundled with scikit-learn (no download).

    569 tumours, 30 real-valued features (scikit-learn's names), target 0 = malignant
    (212), 1 = benign (357).
    """
    from sklearn.datasets import load_breast_cancer  # lazy: keeps `import glassnet` light

    data = load_breast_cancer()
    return Dataset(
        X=np.ascontiguousarray(data.data, dtype=np.float64),
        y=np.asarray(data.target, dtype=np.int64),
        feature_names=[str(name) for name in data.feature_names],
        target_name="diagnosis",
        task="classification",
        name="cancer",
        description="Wisconsin breast cancer, 569 tumours x 30 features; 0 = malignant, 1 = benign",
    )


def _columns(names: list[str], limit: int = 20) -> str:
    more = f" ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and ``(line number, cells)`` of each non-blank data row."""
    where = repr(str(path))
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"data file {where} {problem}: check the path")
    records: list[tuple[int, list[str]]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csvlib.reader(handle)
            start = 1
            for row in reader:
                if any(cell.strip() for cell in row) or len(row) > 1:  # skip blank lines
                    records.append((start, row))
                start = reader.line_num + 1  # a quoted cell may span lines
    except (OSError, UnicodeDecodeError, csvlib.Error) as error:
        raise InputError(f"could not read {where} as a UTF-8 CSV file: {error}") from None
    if not records:
        raise InputError(f"{where} is empty: a CSV needs a header row and data rows")
    (_, header), data = records[0], records[1:]
    header = [name.strip() for name in header]
    if all(is_number(name) for name in header):
        raise InputError(
            f"{where} has no header row (its first line is all numbers): "
            "add a first line with the column names"
        )
    for index, name in enumerate(header, start=1):
        if not name:
            raise InputError(
                f"{where}: column {index} of the header has no name: name every column "
                "(pandas writes an unnamed index column unless you pass index=False)"
            )
    duplicates = sorted(name for name, count in Counter(header).items() if count > 1)
    if duplicates:
        raise InputError(f"{where} has duplicate column names {', '.join(duplicates)}: rename them")
    if not data:
        raise InputError(f"{where} has a header but no data rows")
    for line, row in data:
        if len(row) != len(header):
            raise InputError(
                f"{where}, line {line}: {len(row)} fields but the header has "
                f"{len(header)}: check for stray commas or unquoted text"
            )
    return header, data


def is_number(cell: str) -> bool:
    """Whether a CSV cell's text reads as a number."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _missing(where: str, cell: str) -> InputError:
    return InputError(
        f"{where}: missing or non-finite value {cell!r}: drop or impute those rows first"
    )


def _parse_number(cell: str, where: str) -> float:
    """Return ``cell`` as a finite float, or raise naming the line and column."""
    if cell.strip().lower() in MISSING:
        raise _missing(where, cell)
    try:
        value = float(cell)
    except ValueError:
        raise InputError(
            f"{where}: {cell!r} is not a number: features must be numeric "
            "(encode categories as numbers first)"
        ) from None
    if not math.isfinite(value):
        raise _missing(where, cell)
    return value


def _parse_target(
    cells: list[str], lines: list[int], where: str, target: str, task: str
) -> NDArray[Any]:
    """Return the target as numbers when every cell is one, else as strings."""
    locations = [f"{where}, line {line}, column {target!r}" for line in lines]
    for location, cell in zip(locations, cells, strict=True):
        if cell.strip().lower() in MISSING:
            raise _missing(location, cell)
    for location, cell in zip(locations, cells, strict=True):
        if not is_number(cell):
            if task == "regression":
                raise InputError(
                    f"{location}: {cell!r} is not a number: regression needs a numeric target; "
                    "use task='classification'"
                )
            return np.array([cell.strip() for cell in cells])
        if not math.isfinite(float(cell)):
            raise _missing(location, cell)
    return np.array([float(cell) for cell in cells])


def _whole(y: NDArray[np.float64]) -> bool:
    """True if every value is an integer that int64 holds exactly."""
    return bool(np.all(y == np.round(y)) and np.abs(y).max() < 2**53)


def _infer_task(y: NDArray[Any]) -> str:
    if y.dtype.kind == "U":
        return "classification"
    few = np.unique(y).size <= MAX_AUTO_CLASSES
    return "classification" if _whole(y) and few else "regression"


def csv(path: str | os.PathLike[str], target: str, task: str = "auto") -> Dataset:
    """Load a comma-separated file with a header row; features are all other columns.

    Parameters
    ----------
    path
        The file: UTF-8, comma-separated, first line the column names.
    target
        The name of the column to predict.
    task
        ``"classification"``, ``"regression"`` or ``"auto"``: classification if
        the target is not numeric, or integer-valued with at most 20 distinct
        values; regression otherwise.

    Returns
    -------
    Dataset
        ``X`` float64; ``y`` strings for a non-numeric target, else numbers (int for
        an integer-valued classification target, float otherwise).

    Raises
    ------
    InputError
        On a missing or unreadable file, no header or data, an absent target,
        duplicate column names, ragged rows, or a non-numeric, empty, NaN or inf
        cell (naming its line in the file and its column).
    """
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    file = Path(path)
    where = repr(str(file))
    header, data = _read_rows(file)
    if target not in header:
        close = difflib.get_close_matches(target, header, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if any(is_number(name) for name in header):
            hint += " (a column name is a number: is the header row missing?)"
        raise InputError(
            f"target column {target!r} is not in {where}{hint}: "
            f"available columns are {_columns(header)}"
        )
    t = header.index(target)
    feature_names = [name for name in header if name != target]
    if not feature_names:
        delimiter = next((d for d in (";", "\t", "|") if d in target), None)
        hint = f" (the file looks {delimiter!r}-separated; use commas)" if delimiter else ""
        raise InputError(
            f"{where} has only the target column {target!r}: at least one feature "
            f"column is needed{hint}"
        )
    lines = [line for line, _ in data]
    X = np.array(
        [
            [
                _parse_number(cell, f"{where}, line {line}, column {name!r}")
                for name, cell in zip(header, row, strict=True)
                if name != target
            ]
            for line, row in data
        ],
        dtype=np.float64,
    )  # (n, d)
    y = _parse_target([row[t] for _, row in data], lines, where, target, task)
    task = _infer_task(y) if task == "auto" else task
    if task == "classification" and y.dtype.kind == "f" and _whole(y):
        y = y.astype(np.int64)
    return Dataset(
        X=X,
        y=y,
        feature_names=feature_names,
        target_name=target,
        task=task,
        name=file.stem,
        description=f"{len(data)} rows x {len(feature_names)} features from {file.name}, "
        f"target {target!r} ({task})",
    )


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
) -> Dataset:
    """Load a built-in data set by name, or a CSV file by path.

    Parameters
    ----------
    name_or_path
        One of :data:`DATASETS` (``moons``, ``circles``, ``xor``, ``spiral``,
        ``cancer``), or a path to a CSV file (ending in ``.csv``, or any existing file).
    target, task
        The CSV's target column (required for a CSV) and its task (see :func:`csv`).
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
    if isinstance(name_or_path, str) and name in DATASETS:
        if target is not None or task != "auto":
            raise InputError(
                f"target and task apply only to CSV files, not to the {name} data set: "
                "drop --target / --task"
            )
        loader = DATASETS[name]
        accepted = inspect.signature(loader).parameters
        wrong = [key for key in given if key not in accepted]
        if wrong:
            takes = ", ".join(key for key in options if key in accepted) or "no options"
            raise InputError(
                f"{', '.join(wrong)}: not an option of the {name} data set (it takes {takes})"
            )
        if "random_state" in accepted:
            given["random_state"] = random_state
        return loader(**given)
    if name.lower().endswith(".csv") or Path(name).is_file():
        if given:
            raise InputError(
                f"{', '.join(given)}: only generated data sets take this option, not a CSV file"
            )
        if target is None:
            raise InputError(
                f"a CSV file needs a target column: pass --target COLUMN (target= in Python) "
                f"for {name!r}"
            )
        return csv(name, target, task)
    raise InputError(
        f"unknown data set {name!r}: choose one of {', '.join(sorted(DATASETS))}, "
        "or pass the path to a CSV file"
    )
