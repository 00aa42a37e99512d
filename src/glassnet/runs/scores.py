"""The scores of predictions against the truth, with scikit-learn's metrics, ready for JSON.

    classification   accuracy; precision, recall, F1 (two classes: of the positive class,
                     ``classes_[1]``; more: macro and weighted averages); ROC AUC (two
                     classes: from P(positive); more: one-vs-rest, macro); confusion matrix
    regression       R², MAE, RMSE (several targets: averaged over them, as scikit-learn)

:class:`Evaluation` holds them, ready for a table or for JSON.
"""

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.runs.model import TrainedModel


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


def regression_scores(y_true: NDArray[Any], y_pred: NDArray[Any], n_skipped: int = 0) -> Evaluation:
    """R², mean absolute error and root mean squared error of the predictions ``y_pred``."""
    from sklearn import metrics as sk  # lazy: keeps `import glassnet` light

    scores = {
        "r2": sk.r2_score(y_true, y_pred),
        "mae": sk.mean_absolute_error(y_true, y_pred),
        "rmse": sk.root_mean_squared_error(y_true, y_pred),
    }
    return Evaluation("regression", len(y_true), n_skipped, _floats(scores))


def _floats(scores: Mapping[str, Any]) -> dict[str, float | None]:
    return {name: None if value is None else float(value) for name, value in scores.items()}
