"""What a setup trains on: the 2-D points, their targets, the train/test parts and the features.

    setup ──generator (or the uploaded CSV's two columns)──> points P (n, 2), targets y
          ──+ the clicked points──> ──split_rows──> train, test
    P ──features (x1, x2, x1^2, ..., sin x2)──> X (n, d): what the network reads

The points stay 2-D so that the page can draw them and the heatmap: the network sees
``X = features(P)``. An uploaded CSV goes through glassnet's own reader
(:func:`glassnet.data.load`, as ``glassnet train --data FILE.csv``) and its two
feature columns are standardised, so every data set sits near [-3, 3]^2.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network, encode_targets
from glassnet.data import Standardizer
from glassnet.data import load as load_data
from glassnet.data.generators import gaussian_bumps, gaussians, plane
from glassnet.errors import InputError
from glassnet.playground.schema import Setup
from glassnet.training.split import split_rows

Array = NDArray[np.float64]

FEATURES: dict[str, Callable[[Array], Array]] = {
    "x1": lambda P: P[:, 0],
    "x2": lambda P: P[:, 1],
    "x1^2": lambda P: P[:, 0] ** 2,
    "x2^2": lambda P: P[:, 1] ** 2,
    "x1*x2": lambda P: P[:, 0] * P[:, 1],
    "sin(x1)": lambda P: np.sin(P[:, 0]),
    "sin(x2)": lambda P: np.sin(P[:, 1]),
}
"""Each input feature the page offers, computed from the points P (n, 2)."""

GENERATED = {"gaussians": gaussians, "plane": plane, "bumps": gaussian_bumps}


@dataclass(frozen=True)
class Problem:
    """The data of one setup: points, targets, the parts, the features and the view."""

    P: Array  # every point, (n, 2)
    y: NDArray[np.generic]  # class indices 0..k-1, or values for regression, (n,)
    train: NDArray[np.intp]  # the rows trained on
    test: NDArray[np.intp]  # the rows held out
    features: tuple[str, ...]
    task: str  # "classification" or "regression"
    n_classes: int  # 0 for regression
    output: str  # sigmoid, softmax or identity
    domain: tuple[float, float, float, float]  # the view: x1 from, x1 to, x2 from, x2 to
    names: tuple[str, str, str]  # the two axes' names and the target's
    classes: tuple[Any, ...]  # the labels of the classes, in index order (as the data has them)
    loss: str | None = None  # None: the output's own loss; "squared_error" on a sigmoid, to teach

    def X(self, P: Array) -> Array:
        """The network's input for points ``P`` (m, 2): one column per feature, (m, d)."""
        return np.column_stack([FEATURES[name](P) for name in self.features])

    def layer_sizes(self, hidden: tuple[int, ...]) -> list[int]:
        """Input size, the hidden sizes, output size (1, or one per class under softmax)."""
        n_out = self.n_classes if self.output == "softmax" else 1
        return [len(self.features), *hidden, n_out]


def build_problem(setup: Setup, upload: Path | None) -> Problem:
    """The points, targets and parts of ``setup``; ``upload`` is the session's CSV, if any.

    Raises
    ------
    InputError
        For a CSV the reader refuses, a column that is missing, or an output that does not
        suit the task (softmax for a regression, sigmoid for three classes).
    """
    P, y, task, names = _dataset(setup, upload)
    domain = _domain(P)  # from the data set alone: a clicked point never moves the view
    if task == "classification":
        classes, y = np.unique(y, return_inverse=True)  # labels -> 0..k-1
        labels = tuple(classes.tolist())
    else:
        labels = ()
        y = y.astype(np.float64)
    if setup.added:
        added = np.asarray(setup.added, dtype=np.float64)  # (m, 3): x1, x2, label
        P = np.vstack([P, added[:, :2]])
        extra = np.clip(np.rint(added[:, 2]), 0, max(len(labels) - 1, 0)) if labels else added[:, 2]
        y = np.concatenate([y, extra.astype(y.dtype)])
    n_classes = len(labels)
    output, loss = _output_and_loss(setup.output, task, n_classes)
    probe = Network([2, 1 if output != "softmax" else n_classes], output=output)
    held, kept = split_rows(
        probe, encode_targets(probe, y), 1 - setup.train_ratio, np.random.default_rng(setup.seed)
    )
    return Problem(
        P=np.ascontiguousarray(P, dtype=np.float64),
        y=y,
        train=kept,
        test=held,
        features=setup.features,
        task=task,
        n_classes=n_classes,
        output=output,
        domain=domain,
        names=names,
        classes=labels,
        loss=loss,
    )


def _dataset(
    setup: Setup, upload: Path | None
) -> tuple[Array, NDArray[np.generic], str, tuple[str, str, str]]:
    """The points (n, 2), the targets as read, the task, and the axes' and target's names."""
    if setup.data != "csv":
        options: dict[str, Any] = {
            "n_samples": setup.points,
            "noise": setup.noise,
            "random_state": setup.seed,
        }
        if setup.data in GENERATED:
            dataset = GENERATED[setup.data](**options)
        else:
            if setup.data == "spiral":
                options["classes"] = setup.classes
            dataset = load_data(setup.data, **options)
        return dataset.X, dataset.y, dataset.task, ("x1", "x2", dataset.target_name)
    if upload is None:
        raise InputError("no CSV uploaded in this tab: upload one first, or pick a data set")
    columns = [setup.csv_x1, setup.csv_x2]
    if len(set(columns)) < 2 or setup.csv_target in columns:
        raise InputError("csv: choose two different feature columns and a third as the target")
    dataset = load_data(upload, target=setup.csv_target, features=columns)
    if dataset.X.shape[1] != 2:
        raise InputError(
            f"csv: {setup.csv_x1!r} and {setup.csv_x2!r} must both be numeric columns "
            f"(they give {dataset.X.shape[1]} inputs once encoded)"
        )
    P = np.asarray(Standardizer().fit(dataset.X).transform(dataset.X), dtype=np.float64)  # (n, 2)
    return P, dataset.y, dataset.task, (setup.csv_x1, setup.csv_x2, setup.csv_target)


TEACHING_OUTPUTS = {"sigmoid_squared_error": ("sigmoid", "squared_error")}
"""The TensorFlow Playground's pairing, to show why cross-entropy learns faster: (output, loss)."""


def _output_and_loss(asked: str, task: str, n_classes: int) -> tuple[str, str | None]:
    """The network's output and loss (None: the output's own) for the page's output choice."""
    if asked not in TEACHING_OUTPUTS:
        return _output(asked, task, n_classes), None
    if task != "classification" or n_classes != 2:
        raise InputError(f"output {asked} is for two classes: choose auto (or softmax)")
    return TEACHING_OUTPUTS[asked]


def _output(asked: str, task: str, n_classes: int) -> str:
    if asked == "auto":
        return "identity" if task == "regression" else "sigmoid" if n_classes == 2 else "softmax"
    fits = {
        "identity": task == "regression",
        "sigmoid": task == "classification" and n_classes == 2,
        "softmax": task == "classification",
    }
    if not fits[asked]:
        what = f"{n_classes} classes" if task == "classification" else "a regression"
        hint = "identity" if task == "regression" else "softmax" if n_classes > 2 else "sigmoid"
        raise InputError(f"output {asked} does not suit {what}: choose {hint} (or auto)")
    return asked


def _domain(P: Array) -> tuple[float, float, float, float]:
    """A square view around every point, with a tenth of margin."""
    low, high = np.percentile(P, 0.5, axis=0), np.percentile(P, 99.5, axis=0)  # (2,)
    centre, half = (low + high) / 2, float((high - low).max()) * 0.6 + 1e-3
    x1, x2 = float(centre[0]), float(centre[1])
    return (x1 - half, x1 + half, x2 - half, x2 + half)
