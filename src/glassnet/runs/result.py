"""A finished run: :class:`RunResult` holds the run's one TrainedModel beside what only the run
has (its data, parts and history); :func:`compute_metrics` scores every part once training ends,
and :func:`metrics_record` writes metrics.json's record from each part's numbers, found in memory
or summed over a cluster's chunks.
"""

import contextlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.data.loading import Dataset
from glassnet.files.model_file import save
from glassnet.files.typed_json import json_safe
from glassnet.runs.config import RunConfig
from glassnet.runs.encoding import scaled_targets, table_record, unscaled
from glassnet.runs.model import TrainedModel, network_output
from glassnet.runs.parts import Parts
from glassnet.training.callbacks import Callback
from glassnet.training.checkpoint import Checkpoint
from glassnet.training.history import History
from glassnet.training.metrics import metric_name, predicted_indices, score

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

Array = NDArray[np.floating]

CHECKPOINT = "checkpoint.npz"  # the best epoch's model, written while training runs
PARTS = ("train", "validation", "test")  # metrics.json's parts, in its order


@dataclass
class RunResult:
    """A finished run: the resolved config, the data and its parts, the model and its scores."""

    config: RunConfig
    dataset: Dataset
    parts: Parts
    model: TrainedModel
    history: History = field(default_factory=History)
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    checkpoint: Path | None = None
    out_is_new: bool = False  # --out did not exist when training began: a diverged run removes it

    @classmethod
    def begin(
        cls,
        config: RunConfig,
        dataset: Dataset,
        parts: Parts,
        network: Network,
        *,
        standardizer: Standardizer | None = None,
        label_codec: LabelCodec | None = None,
        preprocessor: "ColumnTransformer | None" = None,
        target_scaler: "StandardScaler | None" = None,
        **fields: Any,
    ) -> Self:
        """A run about to train ``network`` (new, or resumed) on ``dataset``'s ``parts``.

        The config takes the data's task and the network's output; the model holds the
        network, the preprocessing and the labels given, and :meth:`config_record`.
        ``fields`` are a subclass's own (a cluster run's ``cluster``).
        """
        config = replace(config, task=dataset.task, output=network.output)
        model = TrainedModel(
            network,
            dataset.task,
            standardizer=standardizer,
            label_codec=label_codec,
            preprocessor=preprocessor,
            target_scaler=target_scaler,
            feature_names=dataset.feature_names,
            target_name=dataset.target_name,
        )
        result = cls(config, dataset, parts, model, **fields)
        result.record_config()
        return result

    @property
    def network(self) -> Network:
        """The model's network."""
        return self.model.network

    @property
    def is_classification(self) -> bool:
        """True when the network predicts classes (the model has a ``label_codec``)."""
        return self.model.label_codec is not None

    @property
    def class_names(self) -> list[str]:
        """The labels, as text, in the order of the class indices."""
        classes = self.model.classes_
        return [] if classes is None else [str(label) for label in classes]

    def features(self, X: ArrayLike) -> Array:
        """The network's input for the dataset's rows: standardised when the run standardises."""
        standardizer = self.model.standardizer
        return np.asarray(X) if standardizer is None else standardizer.transform(X)

    def output(self, X: ArrayLike) -> Array:
        """The network's output ``A[L]`` (m, n_L) for the dataset's rows ``X``."""
        return network_output(self.network, self.features(X).astype(self.network.dtype))

    def targets(self, y: ArrayLike) -> NDArray[Any]:
        """Labels as class indices 0..k-1, or regression targets as floats (their units)."""
        codec = self.model.label_codec
        return np.asarray(y, dtype=np.float64) if codec is None else codec.encode(y)

    def training_targets(self, y: ArrayLike) -> NDArray[Any]:
        """What the network is trained against: :meth:`targets`, regression ones standardised."""
        codec = self.model.label_codec
        return (
            scaled_targets(self.model.target_scaler, np.asarray(y))
            if codec is None
            else codec.encode(y)
        )

    def config_record(self) -> dict[str, Any]:
        """The resolved config, and for a table its file's fingerprint, columns and task."""
        return run_record(self.config, self.dataset)

    def record_config(self) -> None:
        """The model's config set to :meth:`config_record`, JSON-safe, as its file saves it."""
        self.model.config = json_safe(self.config_record(), "config")

    def add_checkpoint(self, callbacks: list[Callback]) -> None:
        """With an ``out`` folder (glassnet train), append to ``callbacks`` the one that writes
        the best model so far to ``out/checkpoint.npz``, so it survives a crash; call it
        before training, as it notes whether the folder is new."""
        if self.config.out is None:
            return
        out = Path(self.config.out)
        self.out_is_new = not out.exists()
        self.checkpoint = out / CHECKPOINT
        callbacks.append(Checkpoint(self.checkpoint, save, wrap=self.model.with_weights))

    def forget_checkpoint(self) -> None:
        """A diverged run leaves no model behind: its checkpoint goes, and its folder too when
        the run made it and it is left empty (a folder the user made is kept)."""
        if self.checkpoint is not None:
            self.checkpoint.unlink(missing_ok=True)
            if self.out_is_new:
                with contextlib.suppress(OSError):
                    self.checkpoint.parent.rmdir()  # only if empty: nothing else was ours

    def evaluation_part(self) -> tuple[Array, NDArray[Any], str]:
        """The held-out part ``(X, y, "held-out")``, or the training part without one."""
        parts = self.parts
        if parts.X_test is None or parts.y_test is None:
            return parts.X_train, parts.y_train, "training"
        return parts.X_test, parts.y_test, "held-out"


def run_record(config: RunConfig, dataset: Dataset) -> dict[str, Any]:
    """The resolved config, and for a table its file's fingerprint, columns and task."""
    return {**asdict(config), **(table_record(dataset) or {})}


@dataclass(frozen=True)
class PartScores:
    """One part's numbers for metrics.json, however they were found (in memory, or summed over
    a cluster's chunks)."""

    n: int  # its rows
    score: float  # accuracy, or R^2 in the targets' units
    cost: float | None = None  # the mean loss, without the L2 term (validation and held-out)
    rmse: float | None = None  # regression: in the targets' units
    confusion: NDArray[np.int64] | None = None  # classification: rows true class, columns predicted


def metrics_record(result: RunResult, scores: Mapping[str, PartScores | None]) -> dict[str, Any]:
    """metrics.json's record: how the run ended, and each part's numbers.

    ``scores`` maps "train", "validation" and "test" to the part's numbers, or None for a
    part the run has not. The confusion matrix is the held-out part's, else the training
    part's (:meth:`RunResult.evaluation_part`).
    """
    history, config = result.history, result.config
    name = metric_name(result.network.output)  # "accuracy" or "r2"
    found = {part: scores.get(part) for part in PARTS}
    validation, test = found["validation"], found["test"]
    metrics: dict[str, Any] = {
        "task": config.task,
        "metric": name,
        "final_cost": history.last("cost"),
        **{
            f"{part}_{name}": None if numbers is None else numbers.score
            for part, numbers in found.items()
        },
        "validation_cost": None if validation is None else validation.cost,
        "test_cost": None if test is None else test.cost,
        "epochs_run": len(history),
        "epochs_requested": config.epochs,
        "stop_reason": history.stop_reason,
        "interrupted": history.interrupted,
        "best_epoch": history.best_epoch,
        "seconds": result.seconds,
        **{f"n_{part}": 0 if numbers is None else numbers.n for part, numbers in found.items()},
    }
    if result.is_classification:
        evaluated, part = (test, "held-out") if test is not None else (found["train"], "training")
        assert evaluated is not None and evaluated.confusion is not None
        return metrics | {
            "classes": result.class_names,
            "confusion_matrix": evaluated.confusion.tolist(),
            "confusion_matrix_part": part,
        }
    scaler = result.model.target_scaler
    return metrics | {
        "cost_of": "standardised targets" if scaler is not None else "targets",
        "target_scale": None if scaler is None else [float(v) for v in scaler.scale_],
        **{
            f"{part}_rmse": None if numbers is None else numbers.rmse
            for part, numbers in found.items()
        },
    }


def compute_metrics(result: RunResult) -> dict[str, Any]:
    """Final cost, train / validation / held-out scores, stop reason, time; confusion matrix."""
    parts = result.parts
    held = {
        "train": (parts.X_train, parts.y_train),
        "validation": (parts.X_val, parts.y_val),
        "test": (parts.X_test, parts.y_test),
    }
    return metrics_record(
        result,
        {
            part: None if X is None or y is None else _part_scores(result, X, y, part != "train")
            for part, (X, y) in held.items()
        },
    )


def _part_scores(result: RunResult, X: Array, y: NDArray[Any], with_cost: bool) -> PartScores:
    """A part's score and its RMSE or confusion counts from one output; its loss if asked."""
    from sklearn.metrics import confusion_matrix

    network, targets = result.network, result.targets(y)  # class indices, or the targets' units
    A = result.output(X)  # A[L], (m, n_L)
    cost = _loss(result, X, y) if with_cost else None
    if result.model.label_codec is None:  # R^2 in the targets' units (scaling would not change it)
        Y = targets.reshape(len(targets), -1)  # (m, n_L)
        predicted = unscaled(result.model.target_scaler, A)  # y = z * scale + mean, (m, n_L)
        rmse = float(np.sqrt(np.mean((predicted - Y) ** 2)))  # sqrt(mean (yhat - y)^2)
        return PartScores(len(y), score(network.output, predicted, Y), cost, rmse=rmse)
    accuracy = score(network.output, A.astype(np.float64), encode_targets(network, targets))
    k = len(result.class_names)
    counts = confusion_matrix(targets, predicted_indices(network.output, A), labels=list(range(k)))
    return PartScores(len(y), accuracy, cost, confusion=counts)


def _loss(result: RunResult, X: Array, y: NDArray[Any]) -> float:
    """The loss (without the L2 term) against the targets the network was trained on."""
    inputs = np.asarray(result.features(X), dtype=result.network.dtype)
    Y = encode_targets(result.network, result.training_targets(y))
    return cost(result.network, forward(result.network, inputs), Y)
