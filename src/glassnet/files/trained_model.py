"""A trained network together with everything needed to use it on raw data.

A :class:`Network` maps standardised features to output activations. To predict
from the numbers a user actually has, it also needs the preprocessing it was
trained with and the meaning of its outputs:

    X_raw ──check_X──> (X - mean) / scale ──forward──> A[L] ──threshold / argmax──> labels

:class:`TrainedModel` bundles those pieces (the network, the :class:`Standardizer`,
the :class:`LabelCodec`, the feature and target names, the training config and the
final metrics) so that :func:`glassnet.files.model_file.save` writes them into one file and
:func:`glassnet.files.model_file.load` brings back a model that predicts exactly as before.
"""

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, forward
from glassnet.data.preprocessing import LabelCodec, Standardizer
from glassnet.errors import InputError
from glassnet.training.metrics import predicted_indices
from glassnet.validation import check_X

TASKS = ("classification", "regression")
LABEL_KINDS = "biufU"  # label dtypes a model can carry: bool, int, uint, float, str


class TrainedModel:
    """A network plus the preprocessing and label mapping it was trained with.

    Parameters
    ----------
    network
        The trained network; it sees standardised features.
    task
        ``"classification"`` (sigmoid output with 1 unit and 2 classes, or softmax
        with k units and k classes) or ``"regression"`` (identity output).
    standardizer
        The fitted :class:`Standardizer` applied to raw features, or ``None`` when
        the network was trained on raw features.
    label_codec
        The fitted :class:`LabelCodec` mapping output columns to labels; required
        for classification, ``None`` for regression.
    feature_names
        One name per input feature; default ``["x0", "x1", ...]``.
    target_name
        The name of the predicted column, or ``None``.
    config
        The training configuration, JSON-safe (NumPy scalars are converted).
    metrics
        The final metrics, JSON-safe (NumPy scalars are converted).

    Raises
    ------
    InputError
        If the pieces do not fit together: the output layer against the task and
        the classes, the standardizer or the names against the number of features.
    """

    def __init__(
        self,
        network: Network,
        task: str,
        *,
        standardizer: Standardizer | None = None,
        label_codec: LabelCodec | None = None,
        feature_names: Sequence[str] | None = None,
        target_name: str | None = None,
        config: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(network, Network):
            raise InputError(f"network must be a glassnet Network, got {type(network).__name__}")
        self.network = network
        self.task = _check_task(task, network, label_codec)
        self.standardizer = _check_standardizer(standardizer, self.n_features)
        self.label_codec = label_codec
        self.feature_names = _check_feature_names(feature_names, self.n_features)
        if target_name is not None and not isinstance(target_name, str):
            raise InputError(f"target_name must be a string or None, got {target_name!r}")
        self.target_name = target_name
        self.config = _check_json_dict(config, "config")
        self.metrics = _check_json_dict(metrics, "metrics")

    @property
    def n_features(self) -> int:
        """The number of raw input features the model expects."""
        return self.network.layer_sizes[0]

    @property
    def classes_(self) -> NDArray[Any] | None:
        """The class labels in output-column order, or ``None`` for regression."""
        return None if self.label_codec is None else self.label_codec.classes_

    def transform_features(self, X_raw: ArrayLike) -> NDArray[np.floating]:
        """Return the network's input for raw features: ``(X - mean) / scale``.

        The standardisation runs in float64 with the saved statistics; the result
        has the network's dtype. Without a standardizer the features pass through.

        Parameters
        ----------
        X_raw
            Raw features, shape (n_samples, n_features), finite numbers.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        X = check_X(X_raw, dtype="float64")
        if X.shape[1] != self.n_features:
            raise InputError(
                f"X has {X.shape[1]} feature(s) but the model was trained on "
                f"{self.n_features}: {', '.join(self.feature_names[:20])}"
            )
        if self.standardizer is not None:
            X = self.standardizer.transform(X)  # X_std = (X - mean) / scale, (n, d)
        return X.astype(self.network.dtype, copy=False)

    def predict_proba(self, X_raw: ArrayLike) -> NDArray[np.floating]:
        """Return class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order.

        A single sigmoid output p = P(class 1) gives the columns ``[1 - p, p]``.
        """
        self._require_classes()  # before the forward pass
        return self.probabilities(self.output(X_raw))

    def predict(self, X_raw: ArrayLike) -> NDArray[Any]:
        """Return predictions for raw features.

        Classification: the labels, in the labels' original type (strings stay
        strings, ints stay ints); class 1 where a sigmoid output is > 0.5, the
        argmax of a softmax. Regression: the values, shape (n,) for one output,
        (n, n_outputs) otherwise.
        """
        return self.predictions(self.output(X_raw))

    def output(self, X_raw: ArrayLike) -> NDArray[np.floating]:
        """The network's output ``A[L]`` for raw features, shape (n_samples, n_L): one forward pass.

        :meth:`predictions` and :meth:`probabilities` read labels and probabilities
        from it, so a caller that needs both runs the network once.
        """
        return forward(self.network, self.transform_features(X_raw)).output

    def predictions(self, A: NDArray[np.floating]) -> NDArray[Any]:
        """What :meth:`predict` returns, from the output ``A[L]`` (n, n_L)."""
        if self.label_codec is None:
            return A[:, 0] if A.shape[1] == 1 else A
        return self.label_codec.decode(predicted_indices(self.network.output, A))

    def probabilities(self, A: NDArray[np.floating]) -> NDArray[np.floating]:
        """What :meth:`predict_proba` returns, from the output ``A[L]`` (n, n_L)."""
        self._require_classes()
        if self.network.output == "sigmoid":
            return np.column_stack([1 - A[:, 0], A[:, 0]])  # [P(class 0), P(class 1)], (n, 2)
        return A

    def _require_classes(self) -> None:
        if self.task != "classification":
            raise InputError("predict_proba needs a classification model; this is a regression one")

    def __repr__(self) -> str:
        return (
            f"TrainedModel({self.task}, {self.network!r}, "
            f"standardizer={'yes' if self.standardizer is not None else 'no'}, "
            f"target={self.target_name!r})"
        )


def _check_task(task: str, network: Network, label_codec: LabelCodec | None) -> str:
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    n_out = network.layer_sizes[-1]
    if task == "regression":
        if label_codec is not None:
            raise InputError("a regression model takes no label_codec: pass label_codec=None")
        if network.output != "identity":
            raise InputError(f"a regression model needs an identity output, got {network.output!r}")
        return task
    if not isinstance(label_codec, LabelCodec) or not hasattr(label_codec, "classes_"):
        raise InputError("a classification model needs a fitted LabelCodec as label_codec")
    if label_codec.classes_.dtype.kind not in LABEL_KINDS:
        raise InputError(
            f"class labels must be numbers, strings or booleans, got dtype "
            f"{label_codec.classes_.dtype}"
        )
    n_classes = label_codec.n_classes
    binary = network.output == "sigmoid" and n_out == 1 and n_classes == 2
    multiclass = network.output == "softmax" and n_out == n_classes >= 2
    if not (binary or multiclass):
        raise InputError(
            f"a classification model needs a sigmoid output with 1 unit for 2 classes or a "
            f"softmax output with one unit per class; got {network.output!r} with {n_out} "
            f"unit(s) for {n_classes} class(es)"
        )
    return task


def _check_standardizer(standardizer: Standardizer | None, n_features: int) -> Standardizer | None:
    if standardizer is None:
        return None
    if not isinstance(standardizer, Standardizer) or not hasattr(standardizer, "mean_"):
        raise InputError("standardizer must be a fitted Standardizer or None")
    if standardizer.mean_.shape != (n_features,) or standardizer.scale_.shape != (n_features,):
        raise InputError(
            f"the standardizer holds statistics for {standardizer.mean_.size} feature(s) "
            f"but the network takes {n_features}"
        )
    return standardizer


def _check_feature_names(names: Sequence[str] | None, n_features: int) -> list[str]:
    if names is None:
        return [f"x{i}" for i in range(n_features)]
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise InputError(f"feature_names must be a list of strings, got {names!r}")
    result = list(names)
    if len(result) != n_features:
        raise InputError(
            f"feature_names lists {len(result)} name(s) but the network takes {n_features} "
            "feature(s)"
        )
    return result


def _check_json_dict(value: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"{name} must be a dict, got {type(value).__name__}")
    return json_safe(value, name)


def json_safe(value: Any, where: str) -> Any:
    """Return ``value`` as plain JSON types: dict (str keys), list, str, int, float, bool, None.

    NumPy scalars and arrays become Python numbers and lists, tuples become lists,
    paths become strings, NaN and inf become None (strict JSON has neither); anything else raises
    :class:`InputError` naming where it was found.
    """
    if isinstance(value, np.generic | np.ndarray):  # before float: np.float64 is a float
        return json_safe(value.tolist(), where)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [json_safe(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise InputError(f"{where} must have string keys, got {list(value)!r}")
        return {key: json_safe(item, f"{where}[{key!r}]") for key, item in value.items()}
    raise InputError(
        f"{where} holds a {type(value).__name__}, which a model file cannot store: "
        "use numbers, strings, booleans, None, lists and dicts"
    )
