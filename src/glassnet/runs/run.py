"""One training run, start to finish: data in, a trained network and a run folder out.

    load ──split──> training part, held-out part           (stratified for classes)
    training part ──split──> fit part, validation part     (only when asked)
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
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.data.datasets import Dataset, load
from glassnet.data.preprocessing import LabelCodec, Standardizer, split
from glassnet.errors import DivergenceError, InputError
from glassnet.files.model_file import save
from glassnet.files.trained_model import TrainedModel
from glassnet.runs.config import RunConfig, check_config, make_run_optimizer, training_callbacks
from glassnet.runs.resuming import check_start_model, load_start_model
from glassnet.training.callbacks import Callback
from glassnet.training.checkpoint import Checkpoint
from glassnet.training.history import History
from glassnet.training.loop import train
from glassnet.training.metrics import metric_name, predicted_indices, r2

Array = NDArray[np.floating]
CHECKPOINT = "checkpoint.npz"  # the best epoch's model, written while training runs


@dataclass
class RunResult:
    """A finished run: the resolved config, the data's parts, the network and its scores.

    ``X_*`` hold raw features and ``y_*`` the labels as the data gave them; ``X_val``
    and ``X_test`` are ``None`` when no validation or held-out part was asked for.
    """

    config: RunConfig
    dataset: Dataset
    network: Network
    standardizer: Standardizer | None
    codec: LabelCodec | None
    X_train: Array
    y_train: NDArray[Any]
    X_val: Array | None
    y_val: NDArray[Any] | None
    X_test: Array | None
    y_test: NDArray[Any] | None
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
        """Accuracy for classification, R^2 for regression."""
        predicted, actual = self.predict(X), self.targets(y)
        if self.codec is None:
            return r2(predicted[:, None], actual[:, None])
        return float((predicted == actual).mean())

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
            config=jsonable(asdict(self.config)),
            metrics=jsonable(self.metrics if metrics is None else metrics),
        )

    def evaluation_part(self) -> tuple[Array, NDArray[Any], str]:
        """The held-out part ``(X, y, "held-out")``, or the training part without one."""
        if self.X_test is None or self.y_test is None:
            return self.X_train, self.y_train, "training"
        return self.X_test, self.y_test, "held-out"


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


def split_part(
    X: Array, y: NDArray[Any], fraction: float | None, stratify: bool, seed: int
) -> tuple[Array, Array | None, NDArray[Any], NDArray[Any] | None]:
    """``X_kept, X_held, y_kept, y_held``; nothing held when ``fraction`` is 0 or None."""
    if not fraction:
        return X, None, y, None
    return split(X, y, test_size=fraction, stratify=stratify, random_state=seed)


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
    stratify = codec is not None
    X_train, X_test, y_train, y_test = split_part(
        dataset.X, dataset.y, config.test_size, stratify, config.seed
    )
    X_train, X_val, y_train, y_val = split_part(
        X_train, y_train, config.validation, stratify, config.seed
    )
    if start is None:
        standardizer = _fit_standardizer(config, X_train, X_val)
    else:
        standardizer = start.standardizer
    n_classes = 0 if codec is None else codec.n_classes
    requested = config.output if start is None else start.network.output
    output = infer_output(dataset.task, n_classes, requested)
    config = replace(config, task=dataset.task, output=output)
    n_outputs = n_classes if output == "softmax" else 1
    network = Network(
        [dataset.n_features, *config.hidden, n_outputs],
        hidden=list(config.activation),
        output=output,
        init=config.init,
        random_state=config.seed,
        dtype=config.dtype,
    )
    if start is not None:
        network = start.network  # the saved weights, in the layout just checked
    result = RunResult(
        config=config,
        dataset=dataset,
        network=network,
        standardizer=standardizer,
        codec=codec,
        X_train=X_train,
        y_train=y_train,
        X_val=X_val,
        y_val=y_val,
        X_test=X_test,
        y_test=y_test,
    )
    folder_is_new = config.out is not None and not Path(config.out).exists()
    if config.out is not None:  # glassnet train: the best model so far survives a crash
        result.checkpoint = Path(config.out) / CHECKPOINT
        own_callbacks.append(Checkpoint(result.checkpoint, save, wrap=result.trained_model))
    validation = None
    if X_val is not None and y_val is not None:
        validation = (result.features(X_val), result.targets(y_val))
    if config.record_gradients:  # ||dW[l]|| and ||W[l]|| every epoch, probed on the fit part
        from glassnet.training.inspection import GradientNorms

        X_probe, y_probe = result.features(X_train), result.targets(y_train)
        own_callbacks.append(GradientNorms(X_probe, y_probe, random_state=config.seed))
    began = time.perf_counter()
    try:
        result.history = train(
            network,
            result.features(X_train),
            result.targets(y_train),
            optimizer=optimizer,
            epochs=config.epochs,
            batch_size=config.batch_size,
            alpha=config.alpha,
            validation=validation,
            callbacks=[*own_callbacks, *callbacks],
            random_state=config.seed,
        )
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
    history, config = result.history, result.config
    name = metric_name(result.network.output)  # "accuracy" or "r2"
    metrics: dict[str, Any] = {
        "task": config.task,
        "metric": name,
        "final_cost": history.last("cost"),
        f"train_{name}": result.score(result.X_train, result.y_train),
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
        "n_train": len(result.y_train),
        "n_validation": 0 if result.y_val is None else len(result.y_val),
        "n_test": 0 if result.y_test is None else len(result.y_test),
    }
    for part, X, y in (
        ("validation", result.X_val, result.y_val),
        ("test", result.X_test, result.y_test),
    ):
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


def jsonable(value: Any) -> Any:
    """NumPy scalars to Python, tuples to lists, NaN and inf to None (JSON has neither)."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value
