"""Score a trained model on labelled data (:mod:`glassnet.runs.scores`: scikit-learn's metrics).

The data is a bundled data set (its features matched to the model's by name) or a CSV or
Parquet file, read in chunks by column name as :func:`glassnet.runs.predicting.predict_csv`
does, so only the predictions of a large file are held, not its rows.

Which rows: a run records its file's size and SHA-256. Given the same file, ``evaluate``
scores the part the run held out (``--part auto``, as for a bundled fixed set), so the
scores are of rows the model never saw, and says so; given another file, every row,
with a note that it is a different file (it may share rows with the training file).
"""

import inspect
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.cells import read_numbers
from glassnet.data.loading import DATASETS, load
from glassnet.data.reading import Rows, open_table
from glassnet.data.sources import file_fingerprint
from glassnet.errors import InputError
from glassnet.runs.config import GENERATOR_OPTIONS, config_from_record
from glassnet.runs.encoding import encode_for
from glassnet.runs.model import TrainedModel
from glassnet.runs.model_inputs import RowReader, check_columns, resolve_nan
from glassnet.runs.parts import PARTS, reload_data, split_run
from glassnet.runs.scores import Evaluation, classification_scores, regression_scores


def evaluate(
    model: TrainedModel,
    data: str,
    *,
    target: str | None = None,
    nan: str | None = None,
    seed: int | None = None,
    part: str = "auto",
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
) -> Evaluation:
    """Score ``model`` on a bundled data set or a CSV or Parquet file.

    Parameters
    ----------
    data
        A bundled data set's name, or a file's path.
    target
        The file's target column(s); default the model's own.
    nan
        ``"impute"``, ``"skip"`` or ``"error"``: what a missing cell does (see
        :func:`glassnet.runs.predicting.predict_csv`); a row without its target is
        skipped (``"error"``: refused).
    seed
        The seed of a generated data set; default the training run's seed + 1, so the
        points are new samples from the run's generator options, not the ones trained on.
    part
        ``"held-out"``: only the part the training run held out (its data, split again
        with its seed and test size), so the scores are of data the model never saw;
        ``"all"``: every row; ``"auto"``: held-out when ``data`` is the run's own fixed
        data (a bundled set like cancer, or the very file trained on: same size and
        SHA-256) and the run held a part out, else all rows.
    sep, encoding, decimal, thousands
        A CSV's delimiter (``None``: sniffed), encoding (``None``: UTF-8) and how it writes
        numbers (``None``: sniffed, :mod:`glassnet.data.number_format`).
    """
    if part not in PARTS:
        raise InputError(f"unknown part {part!r}: choose one of {', '.join(PARTS)}")
    same_file = None if data in DATASETS else _same_file(model, data)
    if part == "held-out" or (part == "auto" and _is_own_data(model, data, same_file)):
        if same_file is False:
            raise InputError(
                f"{data!r} is not the file the model was trained on (its size or SHA-256 "
                "differ): its held-out part is unknown; use --part all"
            )
        X, y = held_out_part(model, data)
        evaluation = evaluate_arrays(model, X, y)
        what = "the file the model was trained on (same size and SHA-256): " if same_file else ""
        evaluation.notes.append(
            f"{what}scored on the training run's held-out part ({len(y)} rows), never trained "
            "on; --part all scores every row"
        )
        return evaluation
    if data in DATASETS:
        if target is not None:
            raise InputError(f"--target applies to CSV files only, not to the {data} data set")
        X, y = _bundled(model, data, seed)
        return evaluate_arrays(model, X, y)
    if seed is not None:
        raise InputError("--seed applies to generated data sets only, not to a CSV file")
    targets = [target] if target is not None else model.target_names
    read = {"sep": sep, "encoding": encoding, "decimal": decimal, "thousands": thousands}
    evaluation = _score_file(model, data, targets, resolve_nan(model, nan), read)
    if same_file is False:
        trained_on = model.config.get("data_file", {}).get("file", "?")
        evaluation.notes.append(
            f"{Path(data).name} is not the file the model was trained on ({trained_on}: "
            "another size or SHA-256): every row is scored, and some may be rows it trained on"
        )
    elif same_file:
        evaluation.notes.append("the file the model was trained on: every row (--part all)")
    return evaluation


def _same_file(model: TrainedModel, data: str) -> bool | None:
    """Whether ``data`` is the file the model trained on; None when that is not recorded."""
    recorded = model.config.get("data_file")
    path = Path(data)
    if not isinstance(recorded, dict) or not path.is_file():
        return None
    found = file_fingerprint(path)
    return found["size"] == recorded.get("size") and found["sha256"] == recorded.get("sha256")


def evaluate_arrays(model: TrainedModel, X: NDArray[Any], y: NDArray[Any]) -> Evaluation:
    """Score ``model`` on raw features ``X`` and targets ``y`` (labels as the model knows them)."""
    A = model.output(X)  # A[L], (n, n_L): the one forward pass
    if model.label_codec is None:
        return regression_scores(y, model.predictions(A))
    true = model.label_codec.encode(y)  # class indices, (n,)
    predicted = model.label_codec.encode(model.predictions(A))
    return classification_scores(model, true, predicted, model.probabilities(A))


def _bundled(
    model: TrainedModel, name: str, seed: int | None
) -> tuple[NDArray[np.float64], NDArray[Any]]:
    """A bundled set's features in the model's order, and its labels."""
    config = model.config
    options = {}
    if config.get("data") == name:  # the run's own generator: the same distribution
        options = {key: config[key] for key in GENERATOR_OPTIONS if config.get(key) is not None}
    if seed is None:
        seed = int(config.get("seed", 0)) + 1
    dataset = load(name, random_state=seed, **options)
    return dataset.X[:, _indices(dataset.feature_names, model.feature_names, name)], dataset.y


def _indices(names: list[str], wanted: list[str], where: str) -> list[int]:
    check_columns(names, wanted, f"the {where} data")
    return [names.index(name) for name in wanted]


def _is_own_data(model: TrainedModel, data: str, same_file: bool | None) -> bool:
    """Whether ``data`` is the run's own fixed data (not a generator) with a held-out part."""
    config = model.config
    if not config.get("test_size"):
        return False
    if same_file is not None:  # a file whose fingerprint the run recorded
        return same_file
    generated = data in DATASETS and "random_state" in inspect.signature(DATASETS[data]).parameters
    return config.get("data") == data and not generated


def held_out_part(model: TrainedModel, data: str) -> tuple[Any, NDArray[Any]]:
    """The rows the training run held out: its data loaded again and split as the run split it.

    The features come in the model's order; a table's as its raw (typed) columns, what
    the model's preprocessor takes.
    """
    config = model.config
    if config.get("data") != data or not config.get("test_size"):
        raise InputError(
            f"the held-out part is only known for the run's own data ({config.get('data')!r}) "
            "with a test size above 0: use --part all"
        )
    run = config_from_record(config)
    dataset = reload_data(run)
    rows = split_run(dataset.y, run, model.label_codec)
    assert rows.test is not None  # test_size > 0
    if dataset.table is not None and model.preprocessor is not None:
        frame = dataset.table.frame.iloc[rows.test].reset_index(drop=True)
        return frame[model.input_columns], dataset.y[rows.test]
    dataset = encode_for(dataset, None)  # an older run's table: the first look's columns
    columns = _indices(dataset.feature_names, model.feature_names, data)
    return dataset.X[rows.test][:, columns], dataset.y[rows.test]


def _score_file(
    model: TrainedModel,
    path: str,
    targets: list[str],
    nan: str,
    read: dict[str, str | None],
) -> Evaluation:
    """Read the file in chunks (``read``: open_table's options), keeping only the targets and
    the predictions."""
    if not targets:
        raise InputError(f"the model names no target column: pass --target COLUMN for {path!r}")
    codec = model.label_codec
    true: list[NDArray[Any]] = []
    predicted: list[NDArray[Any]] = []
    probabilities: list[NDArray[np.floating]] = []
    n_unseen = 0
    with open_table(path, **read) as table:
        where = table.where
        reader = RowReader(model, nan, where, table.line_word, required=targets)
        reader.check(table.columns)
        for rows in table.chunks():
            inputs = reader.read(rows)
            if not inputs.kept.any():
                continue
            kept = rows.take(inputs.kept)
            n_unseen += int(inputs.unseen.sum())
            A = model.output(inputs.X)  # (m, n_L): the chunk's one forward pass
            if codec is None:
                true.append(_target_numbers(kept, targets, where, table.line_word))
                predicted.append(model.predictions(A))
                continue
            labels = _labels(codec.classes_, kept, targets[0], where, table.line_word)
            try:
                true.append(codec.encode(labels))
            except InputError as error:  # a label the model was not trained on
                raise InputError(f"{where}, column {targets[0]!r}: {error}") from None
            predicted.append(codec.encode(model.predictions(A)))
            probabilities.append(model.probabilities(A))
    if not true:
        raise InputError(f"{where} has no rows left to evaluate")
    if codec is None:
        evaluation = regression_scores(
            np.concatenate(true), np.concatenate(predicted), reader.skipped
        )
    else:
        evaluation = classification_scores(
            model,
            np.concatenate(true),
            np.concatenate(predicted),
            np.concatenate(probabilities),
            reader.skipped,
        )
    if n_unseen:
        evaluation.notes.append(
            f"{n_unseen} row(s) hold a category not seen in training: their one-hot columns "
            "are all zeros"
        )
    return evaluation


def _target_numbers(rows: Rows, targets: list[str], where: str, word: str) -> NDArray[Any]:
    """The regression target(s) of the rows, (m,) or (m, k); a cell that is no number refused."""
    columns = []
    for name in targets:
        values, _, bad = read_numbers(rows.frame[name])
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                f"{where}, {word} {rows.lines[row]}, column {name!r}: "
                f"{str(rows.frame[name].iloc[row])!r} is not a finite number: the target of "
                "a regression model must be"
            )
        columns.append(values)
    return columns[0] if len(columns) == 1 else np.column_stack(columns)


def _labels(classes: NDArray[Any], rows: Rows, target: str, where: str, word: str) -> NDArray[Any]:
    """The target cells in the type of the model's classes: text, or numbers."""
    cells = rows.frame[target]
    texts = [str(cell).strip() for cell in cells.tolist()]
    if classes.dtype.kind == "U":
        return np.array(texts, dtype=str)
    values, _, bad = read_numbers(cells)
    if bad.any() or np.isnan(values).any():
        row = int(np.argmax(bad | np.isnan(values)))
        shown = texts[row]
        known = ", ".join(str(label) for label in classes.tolist()[:10])
        raise InputError(
            f"{where}, {word} {rows.lines[row]}, column {target!r}: the label {shown!r} is not "
            f"a number, but the model's classes are numbers ({known})"
        )
    return values
