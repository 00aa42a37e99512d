"""A finished run: its resolved config, its data and parts, the network and what it scores.

:class:`RunResult` answers in the data's own terms: :meth:`~RunResult.predict` and
:meth:`~RunResult.score` take raw features (standardised here when the run standardises)
and give classes or values in the targets' units; :meth:`~RunResult.training_targets`
are what the network was trained against (regression targets standardised).
:func:`compute_metrics` scores every part once training has ended.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.data.datasets import Dataset
from glassnet.data.preprocessing import LabelCodec, Standardizer
from glassnet.files.trained_model import TrainedModel, json_safe
from glassnet.runs.config import RunConfig
from glassnet.runs.encoding import scaled_targets, table_record, unscaled
from glassnet.runs.parts import Parts
from glassnet.training.history import History
from glassnet.training.metrics import metric_name, predicted_indices, score

Array = NDArray[np.floating]


@dataclass
class RunResult:
    """A finished run: the resolved config, the data and its parts, the network and its scores."""

    config: RunConfig
    dataset: Dataset
    parts: Parts
    network: Network
    standardizer: Standardizer | None
    codec: LabelCodec | None
    history: History = field(default_factory=History)
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    checkpoint: Path | None = None
    preprocessor: Any = None  # a table's fitted ColumnTransformer; X in parts is its output
    target_scaler: Any = None  # a regression target's fitted StandardScaler

    @property
    def is_classification(self) -> bool:
        """True when the network predicts classes (its labels go through ``codec``)."""
        return self.codec is not None

    @property
    def class_names(self) -> list[str]:
        """The labels, as text, in the order of the class indices."""
        return [] if self.codec is None else [str(label) for label in self.codec.classes_]

    def features(self, X: ArrayLike) -> Array:
        """The network's input for raw features: standardised when the run standardises."""
        return np.asarray(X) if self.standardizer is None else self.standardizer.transform(X)

    def targets(self, y: ArrayLike) -> NDArray[Any]:
        """Labels as class indices 0..k-1, or regression targets as floats (their units)."""
        if self.codec is None:
            return np.asarray(y, dtype=np.float64)
        return self.codec.encode(y)

    def training_targets(self, y: ArrayLike) -> NDArray[Any]:
        """What the network is trained against: :meth:`targets`, regression ones standardised."""
        if self.codec is None:
            return scaled_targets(self.target_scaler, np.asarray(y))
        return self.codec.encode(y)

    def regression_output(self, X: ArrayLike) -> NDArray[np.float64]:
        """A regression network's output for ``X`` in the targets' units, shape (m, n_L)."""
        A = self.network.predict_output(self.features(X))  # A[L], (m, n_L)
        return unscaled(self.target_scaler, A)  # y = A * scale + mean

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Class indices (threshold 0.5 or argmax) or regression values for raw ``X``."""
        if self.codec is None:
            values = self.regression_output(X)
            return values[:, 0] if values.shape[1] == 1 else values
        A = self.network.predict_output(self.features(X))  # A[L], (m, n_L)
        return predicted_indices(self.network.output, A)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy for classification, R^2 for regression (``glassnet.training.metrics.score``)."""
        targets = self.targets(y)
        if self.codec is None:  # R^2 in the targets' units (scaling would not change it)
            Y = targets.reshape(len(targets), -1)
            return score(self.network.output, self.regression_output(X), Y)
        A = self.network.predict_output(self.features(X)).astype(np.float64)  # A[L], (m, n_L)
        return score(self.network.output, A, encode_targets(self.network, targets))

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The loss (without the L2 term) of the trained network on raw ``X``, ``y``, against
        the targets it was trained on (standardised regression targets)."""
        inputs = np.asarray(self.features(X), dtype=self.network.dtype)
        trace = forward(self.network, inputs)
        Y = encode_targets(self.network, self.training_targets(y))
        return cost(self.network, trace, Y)

    def trained_model(
        self, network: Network | None = None, metrics: dict[str, Any] | None = None
    ) -> TrainedModel:
        """The network (or ``network``) with its standardizer, labels, names, config, metrics."""
        return TrainedModel(
            self.network if network is None else network,
            self.config.task,
            standardizer=self.standardizer,
            label_codec=self.codec,
            preprocessor=self.preprocessor,
            target_scaler=self.target_scaler,
            feature_names=self.dataset.feature_names,
            target_name=self.dataset.target_name,
            config=json_safe(self.config_record(), "config"),
            metrics=json_safe(self.metrics if metrics is None else metrics, "metrics"),
        )

    def config_record(self) -> dict[str, Any]:
        """The resolved config, and for a table its file's fingerprint, columns and task."""
        return {**asdict(self.config), **(table_record(self.dataset) or {})}

    def evaluation_part(self) -> tuple[Array, NDArray[Any], str]:
        """The held-out part ``(X, y, "held-out")``, or the training part without one."""
        parts = self.parts
        if parts.X_test is None or parts.y_test is None:
            return parts.X_train, parts.y_train, "training"
        return parts.X_test, parts.y_test, "held-out"


def compute_metrics(result: RunResult) -> dict[str, Any]:
    """Final cost, train / validation / held-out scores, stop reason, time; confusion matrix."""
    history, config, parts = result.history, result.config, result.parts
    name = metric_name(result.network.output)  # "accuracy" or "r2"
    metrics: dict[str, Any] = {
        "task": config.task,
        "metric": name,
        "final_cost": history.last("cost"),
        f"train_{name}": result.score(parts.X_train, parts.y_train),
        f"validation_{name}": None,
        f"test_{name}": None,
        "validation_cost": None,
        "test_cost": None,
        "epochs_run": len(history),
        "epochs_requested": config.epochs,
        "stop_reason": history.stop_reason,
        "interrupted": history.interrupted,
        "best_epoch": history.best_epoch,
        "seconds": result.seconds,
        **parts.sizes(),
    }
    held = {"validation": (parts.X_val, parts.y_val), "test": (parts.X_test, parts.y_test)}
    for part, (X, y) in held.items():
        if X is not None and y is not None:
            metrics[f"{part}_{name}"] = result.score(X, y)
            metrics[f"{part}_cost"] = result.loss(X, y)
    if result.codec is not None:
        metrics.update(_confusion(result))
    else:
        metrics.update(_regression_units(result))
    return metrics


def _regression_units(result: RunResult) -> dict[str, Any]:
    """Whether the cost is of standardised targets, and each part's RMSE in the targets' units."""
    scaler = result.target_scaler
    found: dict[str, Any] = {
        "cost_of": "standardised targets" if scaler is not None else "targets",
        "target_scale": None if scaler is None else [float(v) for v in scaler.scale_],
    }
    parts = result.parts
    held = {"train": parts.X_train, "validation": parts.X_val, "test": parts.X_test}
    targets = {"train": parts.y_train, "validation": parts.y_val, "test": parts.y_test}
    for part, X in held.items():
        y = targets[part]
        if X is None or y is None:
            found[f"{part}_rmse"] = None
            continue
        Y = result.targets(y).reshape(len(y), -1)
        error = result.regression_output(X) - Y  # in the targets' units, (m, n_L)
        found[f"{part}_rmse"] = float(np.sqrt(np.mean(error**2)))
    return found


def _confusion(result: RunResult) -> dict[str, Any]:
    """The confusion matrix (rows: true class, columns: predicted) of the evaluation part."""
    from sklearn.metrics import confusion_matrix

    X, y, part = result.evaluation_part()
    k = len(result.class_names)
    matrix = confusion_matrix(result.targets(y), result.predict(X), labels=list(range(k)))
    return {
        "classes": result.class_names,
        "confusion_matrix": matrix.tolist(),
        "confusion_matrix_part": part,
    }
