"""Score a trained model on labelled data with scikit-learn's metrics.

    classification   accuracy; precision, recall, F1 (two classes: of the positive class,
                     ``classes_[1]``; more: macro and weighted averages); ROC AUC (two
                     classes: from P(positive); more: one-vs-rest, macro); confusion matrix
    regression       R², MAE, RMSE

The data is a bundled data set (its features matched to the model's by name) or a
CSV file, read in chunks by column name as :func:`glassnet.runs.predicting.predict_csv`
does, so only the predictions of a large file are held, not its rows.
"""

import inspect
import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.csv_chunks import CsvChunks, column_indices
from glassnet.data.datasets import DATASETS, is_number, load
from glassnet.errors import InputError
from glassnet.files.trained_model import TrainedModel
from glassnet.runs.config import GENERATOR_OPTIONS, config_from_record
from glassnet.runs.parts import reload_data, split_parts


@dataclass
class Evaluation:
    """The scores of a model on some data, ready for a table or for JSON.

    ``metrics`` maps a metric's name to its value (``None`` where it is not defined,
    with the reason in ``notes``); ``classes``, ``positive_class`` and
    ``confusion_matrix`` (rows: true class, columns: predicted) are ``None`` for
    regression.
    """

    task: str
    n_samples: int
    n_skipped: int
    metrics: dict[str, float | None]
    classes: list[Any] | None = None
    positive_class: Any = None
    confusion_matrix: list[list[int]] | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of everything above."""
        return asdict(self)


PARTS = ("auto", "held-out", "all")


def evaluate(
    model: TrainedModel,
    data: str,
    *,
    target: str | None = None,
    nan: str = "error",
    seed: int | None = None,
    part: str = "auto",
) -> Evaluation:
    """Score ``model`` on a bundled data set or a CSV file.

    Parameters
    ----------
    data
        A bundled data set's name, or a CSV path.
    target
        The CSV's target column; default the model's own target name.
    nan
        ``"error"`` or ``"skip"``: what a missing or non-numeric cell does.
    seed
        The seed of a generated data set; default the training run's seed + 1, so the
        points are new samples from the run's generator options, not the ones trained on.
    part
        ``"held-out"``: only the part the training run held out (its data, split again
        with its seed and test size), so the scores are of data the model never saw;
        ``"all"``: every row; ``"auto"``: held-out when ``data`` is the run's own
        bundled, non-generated data (cancer) or CSV file and the run held a part out,
        else all rows.
    """
    if part not in PARTS:
        raise InputError(f"unknown part {part!r}: choose one of {', '.join(PARTS)}")
    if part == "held-out" or (part == "auto" and _is_own_data(model, data)):
        X, y = held_out_part(model, data)
        evaluation = evaluate_arrays(model, X, y)
        evaluation.notes.append(
            f"scored on the training run's held-out part ({len(y)} rows), never trained on"
        )
        return evaluation
    if data in DATASETS:
        if target is not None:
            raise InputError(f"--target applies to CSV files only, not to the {data} data set")
        X, y = _bundled(model, data, seed)
        return evaluate_arrays(model, X, y)
    if seed is not None:
        raise InputError("--seed applies to generated data sets only, not to a CSV file")
    return _score_csv(model, Path(data), target or model.target_name, nan)


def evaluate_arrays(
    model: TrainedModel, X: NDArray[Any], y: NDArray[Any], n_skipped: int = 0
) -> Evaluation:
    """Score ``model`` on raw features ``X`` and targets ``y`` (labels as the model knows them)."""
    A = model.output(X)  # A[L], (n, n_L): the one forward pass
    if model.label_codec is None:
        y_pred = model.predictions(A)
        return Evaluation("regression", len(y), n_skipped, regression_metrics(y, y_pred))
    true = model.label_codec.encode(y)  # class indices, (n,)
    predicted = model.label_codec.encode(model.predictions(A))
    return classification_scores(model, true, predicted, model.probabilities(A), n_skipped)


def classification_scores(
    model: TrainedModel,
    true: NDArray[np.int64],
    predicted: NDArray[np.int64],
    probabilities: NDArray[np.floating],
    n_skipped: int = 0,
) -> Evaluation:
    """The classification metrics of class indices and probabilities ``(n, k)``."""
    from sklearn import metrics as sk  # lazy: keeps `import glassnet` light

    classes = [] if model.classes_ is None else model.classes_.tolist()
    k = len(classes)
    scores: dict[str, float | None] = {"accuracy": sk.accuracy_score(true, predicted)}
    averages = {"": "binary"} if k == 2 else {"_macro": "macro", "_weighted": "weighted"}
    for suffix, average in averages.items():
        for name, function in (
            ("precision", sk.precision_score),
            ("recall", sk.recall_score),
            ("f1", sk.f1_score),
        ):
            value = function(true, predicted, labels=range(k), average=average, zero_division=0)
            scores[f"{name}{suffix}"] = value
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns, then raises or returns NaN
        try:
            if k == 2:
                auc = sk.roc_auc_score(true, probabilities[:, 1])  # from P(positive class)
            else:
                auc = sk.roc_auc_score(
                    true, probabilities, multi_class="ovr", average="macro", labels=range(k)
                )
        except ValueError as error:
            auc = math.nan
            notes.append(f"ROC AUC is not defined here: {error}")
    if math.isnan(auc) and not notes:
        notes.append("ROC AUC is not defined here: the data holds a single class")
    scores["roc_auc" if k == 2 else "roc_auc_ovr_macro"] = None if math.isnan(auc) else auc
    matrix = sk.confusion_matrix(true, predicted, labels=range(k))
    return Evaluation(
        "classification",
        len(true),
        n_skipped,
        _floats(scores),
        classes=classes,
        positive_class=classes[1] if k == 2 else None,
        confusion_matrix=matrix.tolist(),
        notes=notes,
    )


def regression_metrics(y_true: NDArray[Any], y_pred: NDArray[Any]) -> dict[str, float | None]:
    """R², mean absolute error and root mean squared error."""
    from sklearn import metrics as sk  # lazy: keeps `import glassnet` light

    return _floats(
        {
            "r2": sk.r2_score(y_true, y_pred),
            "mae": sk.mean_absolute_error(y_true, y_pred),
            "rmse": sk.root_mean_squared_error(y_true, y_pred),
        }
    )


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
    columns = column_indices(dataset.feature_names, model.feature_names, f"the {name} data set")
    return dataset.X[:, columns], dataset.y


def _is_own_data(model: TrainedModel, data: str) -> bool:
    """Whether ``data`` is the run's own fixed data (not a generator) with a held-out part."""
    config = model.config
    generated = data in DATASETS and "random_state" in inspect.signature(DATASETS[data]).parameters
    return config.get("data") == data and not generated and bool(config.get("test_size"))


def held_out_part(model: TrainedModel, data: str) -> tuple[NDArray[np.floating], NDArray[Any]]:
    """The rows the training run held out: its data loaded again and split as the run split it.

    The features come in the model's order.
    """
    config = model.config
    if config.get("data") != data or not config.get("test_size"):
        raise InputError(
            f"the held-out part is only known for the run's own data ({config.get('data')!r}) "
            "with a test size above 0: use --part all"
        )
    run = config_from_record(config)
    dataset = reload_data(run)
    parts = split_parts(dataset.X, dataset.y, run, stratify=model.label_codec is not None)
    assert parts.X_test is not None and parts.y_test is not None  # test_size > 0
    columns = column_indices(dataset.feature_names, model.feature_names, f"the {data} data")
    return parts.X_test[:, columns], parts.y_test


def _score_csv(model: TrainedModel, path: Path, target: str | None, nan: str) -> Evaluation:
    """Read the CSV in chunks, keeping only the targets and the predictions."""
    where = repr(str(path))
    if target is None:
        raise InputError(f"the model names no target column: pass --target COLUMN for {where}")
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"data file {where} {problem}: check the path")
    codec, d = model.label_codec, model.n_features
    numeric = [*model.feature_names, target] if codec is None else model.feature_names
    true: list[NDArray[Any]] = []
    predicted: list[NDArray[Any]] = []
    probabilities: list[NDArray[np.floating]] = []
    with path.open(newline="", encoding="utf-8-sig") as stream:
        text = [] if codec is None else [target]
        chunks = CsvChunks(stream, where, numeric, text=text, nan=nan)
        for chunk in chunks:
            A = model.output(chunk.X[:, :d])  # (m, n_L): features first, a regression target at d
            if codec is None:
                true.append(chunk.X[:, d])
                predicted.append(model.predictions(A))
                continue
            labels = _labels(
                codec.classes_, [row[chunks.text[0]] for row in chunk.rows], where, target
            )
            try:
                true.append(codec.encode(labels))
            except InputError as error:  # a label the model was not trained on
                raise InputError(f"{where}, column {target!r}: {error}") from None
            predicted.append(codec.encode(model.predictions(A)))
            probabilities.append(model.probabilities(A))
    if not true:
        raise InputError(f"{where} has no rows left to evaluate")
    if codec is None:
        y_true, y_pred = np.concatenate(true), np.concatenate(predicted)
        return Evaluation(
            "regression", len(y_true), chunks.skipped, regression_metrics(y_true, y_pred)
        )
    return classification_scores(
        model,
        np.concatenate(true),
        np.concatenate(predicted),
        np.concatenate(probabilities),
        chunks.skipped,
    )


def _labels(classes: NDArray[Any], cells: list[str], where: str, target: str) -> NDArray[Any]:
    """The target cells in the type of the model's classes: text, or numbers."""
    texts = [cell.strip() for cell in cells]
    if classes.dtype.kind == "U":
        return np.array(texts, dtype=str)
    try:
        return np.array(texts, dtype=np.float64)
    except ValueError:
        shown = next(text for text in texts if not is_number(text))
        known = ", ".join(str(label) for label in classes.tolist()[:10])
        raise InputError(
            f"{where}, column {target!r}: the label {shown!r} is not a number, but the model's "
            f"classes are numbers ({known})"
        ) from None


def _floats(scores: Mapping[str, Any]) -> dict[str, float | None]:
    return {name: None if value is None else float(value) for name, value in scores.items()}
