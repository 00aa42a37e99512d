"""scikit-learn's MLPClassifier and MLPRegressor, computed by glassnet.

Change one import line and the rest of a scikit-learn script keeps working::

    from sklearn.neural_network import MLPClassifier   # before
    from glassnet import MLPClassifier                 # after

The parameters, defaults, fitted attributes, errors and warnings are scikit-learn's
(``docs/migration.md`` lists the few differences and the extras). The arithmetic is
glassnet's: ``coefs_[i]`` and ``intercepts_[i]`` are a :class:`~glassnet.Network`'s
``W[i+1]`` and ``b[i+1]``, predictions run :func:`~glassnet.forward`, and training
runs :func:`~glassnet.train` (solvers sgd, adam, gd) or L-BFGS-B on
:func:`~glassnet.cost` and :func:`~glassnet.backward` (lbfgs).

The targets the network sees, Y of shape (n, n_outputs_):

==============================  ==============  ===========================
task                            output          loss
==============================  ==============  ===========================
two classes                     1 sigmoid       binary cross-entropy
k > 2 classes                   k softmax       cross-entropy
multi-label (2-D 0/1 ``y``)     k sigmoid       binary cross-entropy
regression (1-D or 2-D ``y``)   k identity      squared error
``loss='poisson'`` (y >= 0)     k exp           half the Poisson deviance
==============================  ==============  ===========================
"""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import validate_data

from glassnet.errors import InputError
from glassnet.estimators._base import (
    FLOATS,
    SPARSE,
    Array,
    BaseMultilayerPerceptron,
    supports_partial_fit,
)
from glassnet.estimators._params import (
    ATTRIBUTES_DOC,
    CLASSIFIER_CONSTRAINTS,
    REGRESSOR_CONSTRAINTS,
    SHARED_PARAMETERS_DOC,
    store_arguments,
)


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    __doc__ = (
        """Multi-layer perceptron classifier: scikit-learn's, computed by glassnet.

    Two classes train one sigmoid output, k classes a softmax, a 0/1 indicator
    matrix (multi-label) one sigmoid per label; all with cross-entropy.
    """
        + SHARED_PARAMETERS_DOC
        + """    class_weight : dict, 'balanced' or None, default=None
        Weights per class, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or 'balanced' for n_samples / (n_classes * count(label)).
"""
        + ATTRIBUTES_DOC
        + """    classes_ : ndarray
        The class labels, sorted.
"""
    )

    _parameter_constraints: dict = CLASSIFIER_CONSTRAINTS

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        init="glorot",
        callbacks=None,
        dropout=0.0,
        weight_decay=0.01,
        clip_norm=None,
    ):
        store_arguments(self, locals())

    @available_if(supports_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
    ) -> "MLPClassifier":
        """One epoch over ``X``, ``y``, continuing from the current weights and optimizer.

        ``classes`` (every label the model will ever see) is required on the first call.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            multilabel = type_of_target(y).startswith("multilabel")
            self._label_binarizer.fit(y if multilabel else classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: ArrayLike) -> NDArray:
        """The most probable class of each row (for multi-label, every label above 0.5)."""
        A = self._output(X)
        return self._label_binarizer.inverse_transform(A.ravel() if self.n_outputs_ == 1 else A)

    def predict_proba(self, X: ArrayLike) -> Array:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        A = self._output(X)
        if self.n_outputs_ == 1:
            return np.column_stack([1 - A[:, 0], A[:, 0]])  # P(classes_[0]), P(classes_[1])
        return A

    def predict_log_proba(self, X: ArrayLike) -> Array:
        """The log of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[Array, NDArray, NDArray]:
        """Validate ``X`` and ``y``; return X, the binarised targets Y and the labels y."""
        X, y = validate_data(
            self, X, y, accept_sparse=SPARSE, multi_output=True, dtype=FLOATS, reset=reset
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (reset and not incremental):  # fit starting afresh
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self._settings.warm_start and set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {classes}"
                )
            if not self._settings.warm_start and np.setdiff1d(classes, self.classes_).size:
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(bool), y

    def _out_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _stratify(self) -> bool:
        return not self._label_binarizer.y_type_.startswith("multilabel")

    def _sample_weight(
        self, sample_weight: ArrayLike | None, X: Array, y: NDArray, incremental: bool
    ) -> Array | None:
        weights = super()._sample_weight(sample_weight, X, y, incremental)
        class_weight = self._settings.class_weight
        if class_weight is None:
            return weights
        if incremental and class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: one batch does not "
                "show the class frequencies. Compute them once with sklearn.utils.class_weight."
                "compute_class_weight('balanced', classes=classes, y=y) and pass a dict."
            )
        per_class = compute_sample_weight(class_weight, y).astype(X.dtype)
        combined = per_class if weights is None else weights * per_class
        if not combined.any():
            raise ValueError(
                "class_weight and sample_weight leave every sample with a weight of zero: "
                "at least one sample needs a non-zero weight"
            )
        return combined


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    __doc__ = (
        """Multi-layer perceptron regressor: scikit-learn's, computed by glassnet.

    Identity outputs and squared error (``loss='poisson'``: exp outputs and half the
    Poisson deviance), one output per target column; ``predict`` returns 1-D
    predictions for a 1-D ``y``.
    """
        + SHARED_PARAMETERS_DOC
        + """    loss : {'squared_error', 'poisson'}, default='squared_error'
        scikit-learn's first parameter. 'poisson' trains an exp output (a log link,
        ``out_activation_ = 'exp'``) on half the Poisson deviance, for counts or
        rates y >= 0 (negative targets raise scikit-learn's ``ValueError``).
"""
        + ATTRIBUTES_DOC
    )

    _parameter_constraints: dict = REGRESSOR_CONSTRAINTS

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="glorot",
        callbacks=None,
        dropout=0.0,
        weight_decay=0.01,
        clip_norm=None,
    ):
        store_arguments(self, locals())

    @available_if(supports_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> "MLPRegressor":
        """One epoch over ``X``, ``y``, continuing from the current weights and optimizer."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: ArrayLike) -> Array:
        """Predicted targets: shape (n_samples,) for one output, else (n_samples, n_outputs_)."""
        A = self._output(X)
        return A.ravel() if A.shape[1] == 1 else A

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"  # y >= 0, as PoissonRegressor
        return tags

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[Array, Array, Array]:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=SPARSE,
            multi_output=True,
            y_numeric=True,
            dtype=FLOATS,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self._settings.loss == "poisson" and (y < 0).any():
            raise InputError(  # scikit-learn's message for Poisson targets (PoissonRegressor)
                "Some value(s) of y are out of the valid range of the loss 'HalfPoissonLoss'. "
                f"loss='poisson' needs counts or rates y >= 0, got a minimum of {y.min():g}: "
                "use loss='squared_error' for targets that can be negative"
            )
        return X, y.reshape(-1, 1) if y.ndim == 1 else y, y

    def _out_activation(self) -> str:
        return "exp" if self._settings.loss == "poisson" else "identity"

    def _stratify(self) -> bool:
        return False
