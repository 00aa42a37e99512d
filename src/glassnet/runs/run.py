"""One training run, start to finish: data in, a trained network and a run folder out.

    load ──split_parts──> fit, validation, held-out parts  (glassnet.runs.parts)
    training part ──Standardizer.fit──> mean, scale        (the held-out part is never seen)
    labels ──LabelCodec──> indices 0..k-1                  (binary: 0/1 for a sigmoid output)
    Network ──train──> History ──> metrics, run folder (model.npz, CSV, JSON, PNGs)

:class:`RunConfig` holds every choice; :func:`run_training` does the run and returns a
:class:`RunResult` whose config has everything resolved; :func:`write_run_folder`
writes it to disk. The command line (:mod:`glassnet.cli`) is a thin layer over these.
One seed drives everything random: the generated data, both splits, the initial
weights and the shuffling, so the same config gives the same run.
"""

import contextlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.data.datasets import Dataset
from glassnet.data.preprocessing import LabelCodec, Standardizer
from glassnet.errors import DivergenceError, InputError
from glassnet.files.model_file import save
from glassnet.files.trained_model import TrainedModel, json_safe
from glassnet.runs.config import RunConfig, check_config, make_run_optimizer, training_callbacks
from glassnet.runs.parts import Parts, load_data, split_parts
from glassnet.runs.resuming import check_start_model, load_start_model
from glassnet.training.callbacks import Callback
from glassnet.training.checkpoint import Checkpoint
from glassnet.training.history import History
from glassnet.training.inspection import GradientNorms
from glassnet.training.loop import run_epochs
from glassnet.training.metrics import metric_name, predicted_indices, score
from glassnet.training.prepare import prepare

Array = NDArray[np.floating]
CHECKPOINT = "checkpoint.npz"  # the best epoch's model, written while training runs


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
        """Labels as class indices 0..k-1, or regression targets as floats."""
        if self.codec is None:
            return np.asarray(y, dtype=np.float64)
        return self.codec.encode(y)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Class indices (threshold 0.5 or argmax) or regression values for raw ``X``."""
        A = self.network.predict_output(self.features(X))  # A[L], (m, n_L)
        if self.codec is None:
            return A[:, 0].astype(np.float64)
        return predicted_indices(self.network.output, A)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy for classification, R^2 for regression (``glassnet.training.metrics.score``)."""
        A = self.network.predict_output(self.features(X)).astype(np.float64)  # A[L], (m, n_L)
        targets = self.targets(y)
        Y = targets[:, None] if self.codec is None else encode_targets(self.network, targets)
        return score(self.network.output, A, Y)

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The loss (without the L2 term) of the trained network on raw ``X``, ``y``."""
        inputs = np.asarray(self.features(X), dtype=self.network.dtype)
        trace = forward(self.network, inputs)
        return cost(self.network, trace, encode_targets(self.network, self.targets(y)))

    def trained_model(
        self, network: Network | None = None, metrics: dict[str, Any] | None = None
    ) -> TrainedModel:
        """The network (or ``network``) with its standardizer, labels, names, config, metrics."""
        return TrainedModel(
            self.network if network is None else network,
            self.config.task,
            standardizer=self.standardizer,
            label_codec=self.codec,
            feature_names=self.dataset.feature_names,
            target_name=self.dataset.target_name,
            config=json_safe(asdict(self.config), "config"),
            metrics=json_safe(self.metrics if metrics is None else metrics, "metrics"),
        )

    def evaluation_part(self) -> tuple[Array, NDArray[Any], str]:
        """The held-out part ``(X, y, "held-out")``, or the training part without one."""
        parts = self.parts
        if parts.X_test is None or parts.y_test is None:
            return parts.X_train, parts.y_train, "training"
        return parts.X_test, parts.y_test, "held-out"


def fit_label_codec(dataset: Dataset) -> LabelCodec | None:
    if dataset.task == "regression":
        return None
    codec = LabelCodec().fit(dataset.y)
    if codec.n_classes < 2:
        raise InputError(
            f"the target {dataset.target_name!r} has a single class {codec.classes_[0]!r}: "
            "classification needs at least 2"
        )
    return codec


def infer_output(task: str, n_classes: int, requested: str | None) -> str:
    """sigmoid for 2 classes, softmax for more, identity for regression."""
    inferred = "sigmoid" if n_classes == 2 else "softmax"
    if task == "regression":
        inferred = "identity"
    if requested is None:
        return inferred
    if requested == inferred or (requested == "softmax" and task == "classification"):
        return requested
    raise InputError(
        f"output {requested!r} does not fit a {task} target with {n_classes} class(es): "
        f"use {inferred!r} (leave output unset to infer it)"
    )


def new_network(config: RunConfig, dataset: Dataset, codec: LabelCodec | None) -> Network:
    """The network a run starts from: the config's layers, initialised from its seed.

    Its output is inferred from the target (sigmoid for 2 classes, softmax for
    more, identity for regression) unless the config names one that fits.
    """
    n_classes = 0 if codec is None else codec.n_classes
    output = infer_output(dataset.task, n_classes, config.output)
    return Network(
        [dataset.n_features, *config.hidden, n_classes if output == "softmax" else 1],
        hidden=list(config.activation),
        output=output,
        init=config.init,
        random_state=config.seed,
        dtype=config.dtype,
    )


def run_training(config: RunConfig, callbacks: Sequence[Callback] = ()) -> RunResult:
    """Load the data, split, standardise, encode, build the network and train it.

    Parameters
    ----------
    config
        The run's choices; checked before any data is loaded.
    callbacks
        Extra callbacks (a progress bar, say), run after the config's own.

    Returns
    -------
    RunResult
        With the config resolved (output, task, defaults) and the metrics computed.

    Raises
    ------
    InputError
        On a bad option or bad data, before training starts.
    DivergenceError
        When the cost or the weights become NaN or inf; nothing has been written.
    """
    config = check_config(config)
    optimizer = make_run_optimizer(config)
    own_callbacks = training_callbacks(config)
    start = None if config.resume_from is None else load_start_model(config.resume_from)
    dataset = load_data(config)
    if start is not None:
        check_start_model(start, config, dataset)
    codec = fit_label_codec(dataset) if start is None else start.label_codec
    parts = split_parts(dataset.X, dataset.y, config, stratify=codec is not None)
    X_train, X_val, y_train, y_val = parts.X_train, parts.X_val, parts.y_train, parts.y_val
    if start is None:
        standardizer = _fit_standardizer(config, X_train, X_val)
        network = new_network(config, dataset, codec)
    else:  # the saved weights and preprocessing, in the layout just checked
        standardizer, network = start.standardizer, start.network
    config = replace(config, task=dataset.task, output=network.output)
    result = RunResult(config, dataset, parts, network, standardizer, codec)
    folder_is_new = config.out is not None and not Path(config.out).exists()
    if config.out is not None:  # glassnet train: the best model so far survives a crash
        result.checkpoint = Path(config.out) / CHECKPOINT
        own_callbacks.append(Checkpoint(result.checkpoint, save, wrap=result.trained_model))
    validation = None
    if X_val is not None and y_val is not None:
        validation = (result.features(X_val), result.targets(y_val))
    began = time.perf_counter()
    try:
        plan = prepare(  # X is checked here, once; the probe and the loop take it as checked
            network,
            result.features(X_train),
            result.targets(y_train),
            optimizer=optimizer,
            epochs=config.epochs,
            batch_size=config.batch_size,
            alpha=config.alpha,
            validation=validation,
            random_state=config.seed,
        )
        if config.record_gradients:  # ||dW[l]|| and ||W[l]|| every epoch, probed on the fit part
            own_callbacks.append(
                GradientNorms.from_checked(plan.X, plan.Y, random_state=config.seed)
            )
        result.history = run_epochs(network, plan, [*own_callbacks, *callbacks])
    except DivergenceError:
        if result.checkpoint is not None:  # a diverged run leaves no model behind
            result.checkpoint.unlink(missing_ok=True)
            if folder_is_new:
                with contextlib.suppress(OSError):
                    result.checkpoint.parent.rmdir()  # only if empty: nothing else was ours
        raise
    result.seconds = time.perf_counter() - began
    result.metrics = compute_metrics(result)
    return result


def _fit_standardizer(
    config: RunConfig, X_train: Array, X_val: Array | None
) -> Standardizer | None:
    """Fit on the training part (fit and validation parts), never on the held-out part."""
    if not config.standardize:
        return None
    seen = X_train if X_val is None else np.vstack([X_train, X_val])
    return Standardizer().fit(seen)


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
    return metrics


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
