"""TabularClassifier and TabularRegressor: the tabular recipe as scikit-learn estimators.

They take what a practitioner has, a DataFrame with text columns and missing cells (or a
plain array of numbers, NaN allowed), and train it exactly as ``glassnet train --recipe
tabular`` trains a CSV: :func:`glassnet.runs.run.run_training` on the frame in memory, so
the same pieces run and nothing is restated::

    X ──the column rules of a CSV (glassnet.estimators.tabular_frame): numeric, categorical,
        dates; row ids and free text left out, with a note
      ──the recipe's table (glassnet.runs.recipe.TABULAR), read from the rows, inputs, task
      ──split: a stratified validation part (200 rows or more), the best epoch kept
      ──ColumnTransformer: impute, robust scaling + smooth clipping, one-hot
      ──Network with the numeric embedding ──AdamW (beta2 0.95), warm-up + cosine, label
        smoothing, dropout, weight decay, mini-batches (the training engine)

Every parameter left at ``None`` takes the recipe's value for the data; a parameter given
is kept, as an option given on the command line is. The choices are fitted attributes:
``recipe_`` (each option's value) and ``recipe_reasons_`` (why, or ``"given"``). The whole
fitted model is ``model_``, a :class:`~glassnet.runs.model.TrainedModel`; ``glassnet.save``
writes it with the parameters (:mod:`glassnet.estimators.tabular_file`).
"""

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d, validate_data

from glassnet.data.table_encoder import date_formats, dates_as_written
from glassnet.estimators._params import store_arguments
from glassnet.estimators.tabular_frame import frame_cells, frame_dataset
from glassnet.runs.config import RunConfig
from glassnet.runs.model import TrainedModel
from glassnet.runs.recipe import TABULAR
from glassnet.runs.run import run_training
from glassnet.training.history import History

# each parameter -> the RunConfig option it sets (None: the recipe's value for the data)
OPTIONS = {
    "hidden_layer_sizes": "hidden",
    "learning_rate_init": "lr",
    "max_iter": "epochs",
    "batch_size": "batch_size",
    "dropout": "dropout",
    "weight_decay": "weight_decay",
    "beta_2": "beta2",
    "embedding": "embedding",
    "validation_fraction": "validation",
    "n_iter_no_change": "early_stopping",
    "scaling": "scaling",
    "label_smoothing": "label_smoothing",
}
OFF_AT_ZERO = ("embedding", "validation_fraction", "n_iter_no_change")  # 0: none at all
MAX_SEED = 2**31 - 1


class TabularEstimator(BaseEstimator):
    """The recipe's fit, predict and fitted attributes, shared by the two estimators.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default None
        Units per hidden layer; None: 64 x 2 under 1,000 rows, 128 x 2 under 10,000,
        256 x 3 above.
    learning_rate_init, max_iter, batch_size : default None
        AdamW's peak rate (0.002), the epochs (about 2,500 steps, 30 to 200), the rows of
        a mini-batch (a sixteenth of the rows, 32 to 256).
    dropout, weight_decay, beta_2 : float, default None
        The hidden layers' dropout rate and AdamW's decoupled weight decay (both fewer rows,
        more; a regressor of 200 to 2,000 rows decays by 1.0), AdamW's beta2 (0.95).
    embedding : int, default None
        K sines per numeric input, A[0] = [X, sin(2 pi F x + P)]; 0: no embedding.
    validation_fraction : float, default None
        The share of the rows that scores each epoch, the best epoch being kept (0.2 from
        200 rows on, none below); 0: none.
    n_iter_no_change : int, default None
        Stop after that many epochs without a better validation cost; 0: never.
    scaling : {"robust", "standard"}, default None
        The numeric columns' scaling ("robust": median, quartiles, then
        x / sqrt(1 + (x/3)^2)).
    ensemble : int, default 1
        Networks trained from the seeds seed, seed + 1, ... and merged into one that averages
        their logits (:mod:`glassnet.runs.ensemble`).
    random_state : int, RandomState or None, default None
        The seed of the split, the weights, the batches and dropout.

    Attributes
    ----------
    model_ : TrainedModel
        The network, the fitted ColumnTransformer, the labels or the target's scaler.
    network_ : Network
        ``model_.network``.
    history_ : History
        One row per epoch (the first network's, in an ensemble).
    recipe_ : dict
        Each recipe option's value in this fit (``hidden``, ``embedding``, ``dropout``, ...).
    recipe_reasons_ : dict
        Why each option has its value for these data, or ``"given"``.
    numeric_columns_, categorical_columns_, date_columns_ : list of str
        The columns read as numbers, those one-hot encoded, and the dates (each as year,
        day of year and day of week), decided as ``glassnet train`` decides for a CSV.
    left_out_columns_ : dict of str to str
        The columns left out (row ids, free text), and why.
    column_notes_ : list of str
        One line per column rule that acted (a row id left out, ...), as ``glassnet train``
        prints them.
    n_iter_ : int
        Epochs run (before early stopping ended the run, if it did).
    best_epoch_ : int or None
        The epoch whose weights were kept (None without validation).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Set when ``X`` was a DataFrame with text column names.
    """

    _task = "regression"

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] | None = None,
        learning_rate_init: float | None = None,
        max_iter: int | None = None,
        batch_size: int | None = None,
        dropout: float | None = None,
        weight_decay: float | None = None,
        beta_2: float | None = None,
        embedding: int | None = None,
        validation_fraction: float | None = None,
        n_iter_no_change: int | None = None,
        scaling: str | None = None,
        ensemble: int = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        store_arguments(self, locals())

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # a missing cell is imputed (median, most frequent)
        return tags

    def fit(self, X: "ArrayLike | pd.DataFrame", y: ArrayLike) -> "TabularEstimator":
        """Train the recipe's network on ``X`` (rows; text and missing cells allowed) and ``y``.

        Returns
        -------
        self
        """
        frame = self._frame(X, reset=True)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        y = self._targets(y)
        if len(y) != len(frame):
            raise ValueError(f"X has {len(frame)} rows but y has {len(y)}: give one y per row")
        dataset = frame_dataset(frame, y, self._task, type(self).__name__)
        result = run_training(self._config(), dataset=dataset)
        self.model_: TrainedModel = result.model
        self.network_ = result.model.network
        self.history_: History = result.history
        config = result.config
        self.recipe_ = {default.field: getattr(config, default.field) for default in TABULAR}
        self.recipe_reasons_ = dict(config.recipe_reasons)
        table = result.dataset.table
        assert table is not None
        self.numeric_columns_ = list(table.numeric)
        self.categorical_columns_ = list(table.categorical)
        self.date_columns_ = list(table.dates)
        self.left_out_columns_ = dict(table.left_out)
        self.column_notes_ = list(table.notes)
        self.n_iter_ = len(self.history_)
        best = self.history_.best_epoch
        self.best_epoch_ = None if best is None else int(best)
        return self

    def predict(self, X: "ArrayLike | pd.DataFrame") -> NDArray[Any]:
        """Labels (a classifier) or values (a regressor) for the rows of ``X``."""
        return self._fitted_model().predict(self._frame(X, reset=False))

    def _fitted_model(self) -> TrainedModel:
        check_is_fitted(self)
        return self.model_

    def _frame(self, X: Any, reset: bool) -> pd.DataFrame:
        """``X`` as a DataFrame of its columns (an array's named x0, x1, ...), checked."""
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, skip_check_array=True, reset=reset)  # names and widths
            if X.shape[0] < 1 or X.shape[1] < 1:
                raise ValueError(f"X has shape {X.shape}: give at least one row and one column")
            frame = X.set_axis([str(name) for name in X.columns], axis=1).reset_index(drop=True)
            fitted = None if reset else getattr(self, "model_", None)
            preprocessor = None if fitted is None else fitted.preprocessor
            if preprocessor is not None:  # the fitted date columns in their encoders' formats
                frame = dates_as_written(frame, date_formats(preprocessor))
            return frame_cells(frame)  # other dates and truth values as a CSV writes them
        values = validate_data(
            self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=reset
        )
        if not reset and hasattr(self, "feature_names_in_"):
            names = list(self.feature_names_in_)  # fitted on a DataFrame: the same columns
        else:
            names = [f"x{j}" for j in range(values.shape[1])]
        return pd.DataFrame(values, columns=names)

    def _targets(self, y: ArrayLike) -> NDArray[Any]:
        return check_array(y, ensure_2d=False, dtype=np.float64)  # NaN or inf refused

    def _config(self) -> RunConfig:
        """The run's options: the recipe's, but for the parameters given (pinned)."""
        given: dict[str, Any] = {}
        for name, option in OPTIONS.items():
            value: Any = getattr(self, name, None)
            if value is None:
                continue
            if name in OFF_AT_ZERO and value == 0:
                value = None
            if name == "hidden_layer_sizes":
                value = (value,) if isinstance(value, int) else tuple(value)
            given[option] = value
        if "beta2" in given or "weight_decay" in given:
            given["optimizer"] = "adamw"  # the recipe's optimizer: the one these options take
        if isinstance(self.random_state, Integral):
            seed = int(self.random_state)  # the seed itself, as glassnet train takes it
        else:  # None or a RandomState: scikit-learn's rule, a seed drawn from it
            seed = int(check_random_state(self.random_state).randint(MAX_SEED))
        return RunConfig(
            **given,
            data="DataFrame",
            task=self._task,
            test_size=0.0,  # every row trains (or validates); a user holds out their own
            seed=seed,
            recipe="tabular",
            pinned=tuple(given),
            ensemble=self.ensemble,
        )


class TabularClassifier(ClassifierMixin, TabularEstimator):
    """The tabular recipe as a classifier: a DataFrame (text, missing cells) in, labels out.

    Parameters are :class:`TabularEstimator`'s, and:

    label_smoothing : float, default None
        eps: train on (1 - eps) Y + eps / K (0.1 for the recipe).

    Attributes
    ----------
    classes_ : ndarray
        The labels, sorted; ``predict_proba``'s columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from glassnet import TabularClassifier
    >>> X = pd.DataFrame({"size": [1.0, None, 3.0, 4.0] * 10, "colour": ["red", "blue"] * 20})
    >>> y = ["small", "small", "big", "big"] * 10
    >>> TabularClassifier(random_state=0).fit(X, y).predict(X[:2]).tolist()
    ['small', 'small']
    """

    _task = "classification"

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] | None = None,
        learning_rate_init: float | None = None,
        max_iter: int | None = None,
        batch_size: int | None = None,
        dropout: float | None = None,
        weight_decay: float | None = None,
        beta_2: float | None = None,
        embedding: int | None = None,
        validation_fraction: float | None = None,
        n_iter_no_change: int | None = None,
        scaling: str | None = None,
        label_smoothing: float | None = None,
        ensemble: int = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        store_arguments(self, locals())

    def fit(self, X: "ArrayLike | pd.DataFrame", y: ArrayLike) -> "TabularClassifier":
        """Train on ``X`` and the labels ``y`` (two classes or more); returns self."""
        super().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: "ArrayLike | pd.DataFrame") -> NDArray[np.floating]:
        """P(class | row), (n, n_classes), columns in the order of ``classes_``."""
        return self._fitted_model().predict_proba(self._frame(X, reset=False))

    def _targets(self, y: ArrayLike) -> NDArray[Any]:
        labels = column_or_1d(y, warn=True)
        check_classification_targets(labels)
        if labels.dtype == object:  # text labels, as NumPy strings (the label codec's kinds)
            labels = labels.astype(str)
        if len(labels) and np.unique(labels).size < 2:
            raise ValueError(
                f"y holds one class ({labels[0]!r}): a classifier needs two classes or more"
            )
        return labels


class TabularRegressor(RegressorMixin, TabularEstimator):
    """The tabular recipe as a regressor: a DataFrame (text, missing cells) in, numbers out.

    Parameters are :class:`TabularEstimator`'s. ``y`` may hold several targets (columns);
    the network learns them standardised, ``(y - mean) / sd``, and predicts in their units.
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
