"""The one fitted model: a trained network with all it needs to be used on raw data.

    X_raw ──check_X──> (X - mean) / scale ──forward──> A[L] ──threshold / argmax──> labels
    table ──preprocessor (impute, scale, one-hot)──> X ──forward──> A[L] ──target_scaler⁻¹──> y

:class:`TrainedModel` holds those pieces, the names, the training config and the final
metrics; ``glassnet.save`` writes it into one file (:mod:`glassnet.runs.model_payload`) and
``glassnet.load`` brings back a model that predicts exactly as before.
"""

import copy
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, forward
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.errors import InputError
from glassnet.files.model_file import load
from glassnet.runs import model_checks
from glassnet.training.metrics import predicted_indices
from glassnet.validation import check_X

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

OUTPUT_CHUNK_ROWS = 2_048  # rows one forward pass of network_output takes at a time


def network_output(network: Network, X: Any) -> NDArray[np.floating]:
    """The output ``A[L]`` of :func:`forward` for ``X``, ``OUTPUT_CHUNK_ROWS`` rows at a time.

    One pass over a million rows keeps every ``Z[l]`` and ``A[l]`` of every row (3 GB for a
    50-256-128-1 network in float32); a chunk's arrays stay in cache and are freed for the
    next. The last chunk takes half a chunk or more (a shorter rest joins the one before), so
    no product runs on a handful of rows: with one BLAS thread the output equals one pass over
    ``X`` bit for bit in float64 (with several, BLAS splits a product by its size, and the last
    bit of a row can change with the rows beside it, in one pass too). ``X``: a checked array
    or CSR matrix, as :func:`forward` takes.
    """
    n = X.shape[0]
    stops = list(range(OUTPUT_CHUNK_ROWS, n, OUTPUT_CHUNK_ROWS))
    if stops and n - stops[-1] < OUTPUT_CHUNK_ROWS // 2:
        stops.pop()  # a short rest joins the chunk before it
    if not stops:
        return forward(network, X).output
    bounds = zip([0, *stops], [*stops, n], strict=True)
    return np.concatenate([forward(network, X[start:stop]).output for start, stop in bounds])


class TrainedModel:
    """A network plus the preprocessing and label mapping it was trained with.

    Parameters
    ----------
    network
        The trained network; it sees standardised (or preprocessed) features.
    task
        ``"classification"`` (sigmoid output with 1 unit and 2 classes, or softmax
        with k units and k classes) or ``"regression"`` (identity output).
    standardizer
        The fitted :class:`Standardizer` applied to raw features, or ``None`` when
        the network was trained on raw features.
    label_codec
        The fitted :class:`LabelCodec` mapping output columns to labels; required
        for classification, ``None`` for regression.
    preprocessor
        For a model trained on a table: the fitted ``ColumnTransformer`` of
        :func:`glassnet.data.make_preprocessor`, which turns the table's raw columns
        (text and missing cells included) into the network's input; ``None`` otherwise.
        A model has a standardizer or a preprocessor, not both.
    target_scaler
        A regression model's fitted ``StandardScaler`` of its target(s): the network
        predicts standardised targets, mapped back by ``inverse_transform``; or ``None``.
    feature_names
        One name per input of the network; default ``["x0", "x1", ...]`` (with a
        preprocessor, its ``get_feature_names_out()``).
    target_name
        The name of the predicted column (several joined by commas), or ``None``.
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
        preprocessor: "ColumnTransformer | None" = None,
        target_scaler: "StandardScaler | None" = None,
        feature_names: Sequence[str] | None = None,
        target_name: str | None = None,
        config: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(network, Network):
            raise InputError(f"network must be a glassnet Network, got {type(network).__name__}")
        self.network = network
        self.task = model_checks.check_task(task, network, label_codec)
        self.standardizer = model_checks.check_standardizer(standardizer, self.n_features)
        self.preprocessor = model_checks.check_preprocessor(
            preprocessor, standardizer, self.n_features
        )
        self.label_codec = label_codec
        self.target_scaler = model_checks.check_target_scaler(target_scaler, self.task, network)
        if feature_names is None and preprocessor is not None:
            feature_names = [str(name) for name in preprocessor.get_feature_names_out()]
        self.feature_names = model_checks.check_feature_names(feature_names, self.n_features)
        if target_name is not None and not isinstance(target_name, str):
            raise InputError(f"target_name must be a string or None, got {target_name!r}")
        self.target_name = target_name
        self.config = model_checks.check_json_dict(config, "config")
        self.metrics = model_checks.check_json_dict(metrics, "metrics")

    def with_weights(
        self, network: Network, metrics: Mapping[str, Any] | None = None
    ) -> "TrainedModel":
        """This model around ``network`` (same layout: a checkpoint's best epoch), its
        preprocessing, labels and config shared, its metrics replaced by ``metrics``."""
        twin = copy.copy(self)
        twin.network, twin.metrics = network, model_checks.check_json_dict(metrics, "metrics")
        return twin

    @property
    def n_features(self) -> int:
        """The number of inputs of the network (a preprocessor's output columns)."""
        return self.network.layer_sizes[0]

    @property
    def input_columns(self) -> list[str]:
        """The raw columns the model reads: the preprocessor's, else ``feature_names``."""
        if self.preprocessor is None:
            return list(self.feature_names)
        from glassnet.data.table_encoder import preprocessor_columns

        numeric, categorical = preprocessor_columns(self.preprocessor)
        return [*numeric, *categorical]

    @property
    def target_names(self) -> list[str]:
        """The predicted column(s): ``target_name`` split at commas when the model has several
        outputs; ``[]`` without a target name."""
        if self.target_name is None:
            return []
        n_outputs = self.network.layer_sizes[-1]
        if self.task == "regression" and n_outputs > 1:
            names = [name.strip() for name in self.target_name.split(",")]
            return names if len(names) == n_outputs else [self.target_name]
        return [self.target_name]

    @property
    def classes_(self) -> NDArray[Any] | None:
        """The class labels in output-column order, or ``None`` for regression."""
        return None if self.label_codec is None else self.label_codec.classes_

    def transform_features(self, X_raw: "ArrayLike | pd.DataFrame") -> NDArray[np.floating]:
        """Return the network's input for raw features: ``(X - mean) / scale``, or the
        preprocessor's output for a table.

        The standardisation runs in float64 with the saved statistics; the result
        has the network's dtype. Without a standardizer the features pass through.

        Parameters
        ----------
        X_raw
            Raw features, shape (n_samples, n_features), finite numbers; for a model with
            a preprocessor, a DataFrame holding :attr:`input_columns` (others are
            ignored; cells may be text, as a CSV has them, and missing), or an array with
            those columns in that order.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        if self.preprocessor is not None:
            from glassnet.data.table_encoder import preprocess

            return preprocess(self.preprocessor, X_raw).astype(self.network.dtype, copy=False)
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
        """The network's output ``A[L]`` for raw features, shape (n_samples, n_L): one forward
        pass (over chunks of rows for a large input, :func:`network_output`).

        :meth:`predictions` and :meth:`probabilities` read labels and probabilities
        from it, so a caller that needs both runs the network once.
        """
        return network_output(self.network, self.transform_features(X_raw))

    def predictions(self, A: NDArray[np.floating]) -> NDArray[Any]:
        """What :meth:`predict` returns, from the output ``A[L]`` (n, n_L).

        A regression model with a target scaler maps ``A`` back to the target's units:
        ``y = A * scale + mean``.
        """
        if self.label_codec is None:
            if self.target_scaler is not None:  # y = A * scale + mean, (n, n_L)
                A = self.target_scaler.inverse_transform(np.asarray(A, dtype=np.float64))
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
            f"preprocessor={'yes' if self.preprocessor is not None else 'no'}, "
            f"target={self.target_name!r})"
        )


def load_trained_model(
    path: str | os.PathLike[str],
    hint: str = "use the model.npz of a glassnet train run",
) -> TrainedModel:
    """Load a model file that must hold a :class:`TrainedModel`, not a bare network.

    Raises
    ------
    ModelFileError
        If the file is missing or damaged.
    InputError
        If it holds a bare network, which has no feature names, scaling or labels;
        the message ends with ``hint``.
    """
    model = load(path)
    if isinstance(model, Network):
        raise InputError(
            f"{os.fspath(path)!r} holds a {type(model).__name__}, not a trained model with its "
            f"feature names, scaling and labels: {hint}"
        )
    if not isinstance(model, TrainedModel):  # an estimator or a Pipeline, saved from Python
        raise InputError(
            f"{os.fspath(path)!r} holds a scikit-learn {type(model).__name__} saved from Python, "
            "which the command line does not run: use it in Python (model = glassnet.load(path); "
            f"model.predict(X)), or {hint}"
        )
    return model
