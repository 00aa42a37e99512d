"""What MLPClassifier and MLPRegressor share: fit, the Network, and the solvers.

:class:`BaseMultilayerPerceptron` is scikit-learn's ``BaseMultilayerPerceptron`` on
glassnet's arithmetic. ``fit`` is three public steps, ``begin_fit``, ``train_fit`` and
``finish_fit`` (:mod:`.fit_sequence`), which another driver (:func:`glassnet.distributed.fit`)
calls too. The solvers are mixed in: :mod:`._stochastic` (sgd, adam, adamw, gd, on
glassnet's training engine) and :mod:`._lbfgs` (scipy's L-BFGS-B).
"""

from types import SimpleNamespace
from typing import Any

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from sklearn import get_config
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from glassnet.core.network import Network, encode_targets
from glassnet.errors import DivergenceError, InputError
from glassnet.estimators._lbfgs import LbfgsSolverMixin
from glassnet.estimators._params import (
    ACTIVATIONS,
    OUTPUTS,
    PARAMETER_CONSTRAINTS,
    STOCHASTIC_SOLVERS,
    python_params,
)
from glassnet.estimators._stochastic import StochasticSolversMixin
from glassnet.estimators._targets import check_no_missing_labels, refit_if_resized
from glassnet.estimators.fit_sequence import FLOATS, EpochsRun, FitStart, Trained, generator
from glassnet.runs.model import network_output
from glassnet.validation import all_finite, lookup

Array = NDArray[np.floating]
SPARSE = ["csr", "csc"]  # the sparse formats validate_data keeps (others become CSR)


def as_rows(X: Any) -> Any:
    """``X`` as the network multiplies it: a dense array as it is, a sparse matrix as CSR."""
    return X.tocsr() if scipy.sparse.issparse(X) else X


class BaseMultilayerPerceptron(StochasticSolversMixin, LbfgsSolverMixin, BaseEstimator):
    """What the classifier and the regressor share: fit, the solvers, the Network.

    A subclass supplies ``_validate_input`` (X, the network's targets Y, the labels y),
    ``_out_activation`` (scikit-learn's name for the output layer) and ``_stratify``
    (whether the early-stopping split keeps the class proportions).
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR and CSC X: the first layer multiplies it as CSR
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Any:
        """Fit the model to ``X`` (n_samples, n_features) and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A SciPy sparse X (CSR, CSC) is trained on as CSR, a mini-batch's rows at a
            time, and never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (classifier: any hashable labels, or a 0/1 indicator
            matrix for multi-label) or real targets (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the cost becomes their weighted mean, and integer
            weights are equivalent to repeating rows.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @property
    def network_(self) -> Network:
        """The fitted model as a glassnet Network that shares its arrays.

        ``network_.W[l]`` is ``coefs_[l-1]`` and ``network_.b[l]`` is ``intercepts_[l-1]``
        (the same objects), so glassnet's tools (``forward``, ``check_gradients``, ...)
        see exactly the fitted model. Built once; built again only when ``coefs_``,
        ``intercepts_`` or the activations are no longer the ones it holds.
        """
        check_is_fitted(self)
        return self._current_network()

    def _current_network(self) -> Network:
        """:attr:`network_` for a fitted model, rebuilt if the cached one is stale."""
        hidden = self._activations_per_layer(len(self.coefs_) - 1)
        output = OUTPUTS[self.out_activation_]
        network: Network | None = getattr(self, "_network", None)
        if network is None or not _holds(network, self.coefs_, self.intercepts_, hidden, output):
            init = self.init if network is None else network.init  # the first weights' draw
            network = Network.from_weights(
                self.coefs_, self.intercepts_, hidden, output, init=init, copy=False
            )
            self._network = network
        return network

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        """``fit`` and ``partial_fit``: the three steps, in this process."""
        start = self.begin_fit(X, y, sample_weight, incremental=incremental)
        trained = self.train_fit(start)
        self.finish_fit(start, trained, warn_at=4)  # the user's fit, past _fit_context
        return self

    def validated_settings(self) -> SimpleNamespace:
        """The parameters checked against the table, then as Python numbers.

        Inside ``fit`` and ``partial_fit`` scikit-learn's ``_fit_context`` has checked
        them already (and turned checking off for what they call), so they are checked
        once; a driver calling the steps directly gets them checked here.
        """
        if not get_config()["skip_parameter_validation"]:
            self._validate_params()
        return python_params(self.get_params(deep=False))

    def begin_fit(
        self,
        X: Any,
        y: Any,
        sample_weight: ArrayLike | None = None,
        *,
        incremental: bool = False,
        settings: SimpleNamespace | None = None,
    ) -> FitStart:
        """The first step of a fit: everything set up before training.

        The parameters validated (unless ``settings`` holds them already, from
        :meth:`validated_settings`), ``X`` and ``y`` checked, the labels recorded
        (``classes_``), the first weights drawn from ``random_state`` (or, with
        ``warm_start`` or ``partial_fit``, the fitted ones kept), and the solver's
        optimizer (partial_fit keeps its state). A driver that trains elsewhere (a
        cluster) passes a few rows that stand for its data: they fix
        ``n_features_in_`` and the labels.

        Parameters
        ----------
        X, y, sample_weight
            As :meth:`fit` takes them.
        incremental : bool, default=False
            ``partial_fit``: one epoch from the current weights and optimizer.
        settings : SimpleNamespace, default=None
            The validated parameters, when the caller took them with
            :meth:`validated_settings`.

        Returns
        -------
        FitStart
            The network to train (its arrays are ``coefs_`` and ``intercepts_``), the
            checked arrays, the settings, the Generator and the optimizer.
        """
        p = self._settings = self.validated_settings() if settings is None else settings
        hidden = self._hidden_layer_sizes()
        first_pass = not hasattr(self, "coefs_") or (not p.warm_start and not incremental)
        if not first_pass:  # warm_start or partial_fit: only onto weights of the asked sizes
            first_pass = refit_if_resized(self.network_, hidden, incremental)
        check_no_missing_labels(y)
        X, Y, y = self._validate_input(X, y, incremental, reset=first_pass)
        weights = self._sample_weight(sample_weight, X, y, incremental)
        rng = generator(p.random_state)
        if first_pass:
            self._initialize(X, Y, hidden, rng)
        network = self.network_
        self.coefs_ = list(network.W.values())  # the arrays training moves in place
        self.intercepts_ = list(network.b.values())
        optimizer = None
        if p.solver == "lbfgs":
            self._check_lbfgs_options(network)
        else:
            optimizer = self._start_epochs(incremental)
        return FitStart(
            network=network,
            X=as_rows(X).astype(network.dtype, copy=False),  # CSR for sparse X
            Y=encode_targets(network, Y),
            weights=weights,
            settings=p,
            rng=rng,
            optimizer=optimizer,
            label_binarizer=getattr(self, "_label_binarizer", None),
            incremental=incremental,
        )

    def train_fit(self, start: FitStart) -> Trained:
        """The second step: train ``start.network`` in place, in this process.

        The stochastic solvers run ``max_iter`` epochs of glassnet's training engine (one
        for ``partial_fit``) under scikit-learn's end-of-epoch rules (:meth:`end_epoch`);
        ``lbfgs`` runs scipy's L-BFGS-B on the cost over the flattened parameters.

        Returns
        -------
        EpochsRun or LbfgsResult
            What :meth:`finish_fit` records.
        """
        if start.optimizer is None:
            return self._fit_lbfgs(start)
        return self._fit_stochastic(start)

    def finish_fit(self, start: FitStart, trained: Trained, *, warn_at: int = 2) -> None:
        """The last step: record what training did, and refuse weights it left non-finite.

        Sets ``history_`` (and for ``lbfgs`` ``n_iter_``, ``loss_``, ``loss_curve_``,
        ``best_loss_``); the stochastic solvers have set the others epoch by epoch.
        Warns as scikit-learn does (``ConvergenceWarning``) when the iterations ran out
        (not after ``partial_fit``'s one epoch).

        Parameters
        ----------
        start : FitStart
            What :meth:`begin_fit` returned.
        trained : EpochsRun or LbfgsResult
            What training returned.
        warn_at : int, default=2
            The frame the warning points at: 1 is the caller of ``finish_fit``, 2 its caller.

        Raises
        ------
        DivergenceError
            When a weight is NaN or inf.
        """
        stacklevel = warn_at + 2  # past finish_fit and the helper that warns
        if isinstance(trained, EpochsRun):
            self.history_ = trained.history
            if not start.incremental:
                self._warn_unconverged(trained.stopped, stacklevel)
        else:
            self._record_lbfgs(start.network, trained, stacklevel)
        self._check_finite_weights(start.network)

    def _check_finite_weights(self, network: Network) -> None:
        """A DivergenceError when the fit left NaN or inf weights, as scikit-learn's MLP raises."""
        if not all(np.isfinite(param).all() for param in network.parameters()):
            raise DivergenceError(
                f"solver {self._settings.solver!r} produced non-finite weights: the input data "
                "may contain large values and need to be preprocessed (e.g. StandardScaler), "
                "or learning_rate_init is too large"
            )

    def _initialize(self, X: Array, Y: Array, hidden: list[int], rng: np.random.Generator) -> None:
        """Draw the first weights and reset everything a fit records."""
        p = self._settings
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(hidden) + 2  # scikit-learn counts the input and output layers
        self.out_activation_ = self._out_activation()
        self._network = Network(
            [X.shape[1], *hidden, self.n_outputs_],
            hidden=self._activations_per_layer(len(hidden)),
            output=OUTPUTS[self.out_activation_],
            init=p.init,
            random_state=rng,
            dtype=X.dtype,
        )
        self.coefs_ = list(self._network.W.values())
        self.intercepts_ = list(self._network.b.values())
        self._best_params = [param.copy() for param in self._network.parameters()]
        self._no_improvement_count = 0
        self.loss_curve_ = []
        validating = p.early_stopping and p.solver != "lbfgs"
        self.best_loss_ = None if validating else np.inf
        self.validation_scores_ = [] if validating else None
        self.validation_loss_curve_ = [] if validating else None
        self.best_validation_score_ = -np.inf if validating else None

    def _hidden_layer_sizes(self) -> list[int]:
        """The table allows an int or any array-like: here, a list of positive whole numbers."""
        sizes = self._settings.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(size, int) and not isinstance(size, bool) for size in sizes):
            raise InputError(f"hidden_layer_sizes must hold whole numbers, got {sizes}")
        if any(size <= 0 for size in sizes):
            raise InputError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return sizes

    def _activations_per_layer(self, n_hidden: int) -> list[str]:
        """glassnet's activation names, one per hidden layer."""
        names = (
            [self.activation] * n_hidden if isinstance(self.activation, str) else self.activation
        )
        if len(names) != n_hidden:
            raise InputError(
                f"activation lists {len(names)} name(s) but hidden_layer_sizes has "
                f"{n_hidden} hidden layer(s): give one name per hidden layer, or one name"
            )
        return [lookup(ACTIVATIONS, name, "activation") for name in names]

    def _sample_weight(
        self, sample_weight: ArrayLike | None, X: Array, y: NDArray, incremental: bool
    ) -> Array | None:
        if sample_weight is None:
            return None
        return _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)

    def _output(self, X: Any) -> Array:
        """A[L], the output layer for ``X``: shape (n_samples, n_outputs_).

        A NumPy array that ``validate_data`` would hand back as it is (2-D, float32 or
        float64, the fitted width, finite, a model fitted without feature names) skips it:
        its checks cost more than the forward pass of one row. Anything else, or an array
        that fails those checks, goes through ``validate_data`` and gets its errors.
        """
        if not self._takes_as_is(X):
            check_is_fitted(self)
            X = as_rows(validate_data(self, X, reset=False, dtype=FLOATS, accept_sparse=SPARSE))
        return network_output(self._current_network(), X)

    def _takes_as_is(self, X: Any) -> bool:
        """Whether ``X`` is an array that ``validate_data`` would accept and return unchanged."""
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in FLOATS
            and hasattr(self, "coefs_")
            and not hasattr(self, "feature_names_in_")
            and X.shape[0] > 0
            and X.shape[1] == getattr(self, "n_features_in_", None)
            and all_finite(X)
        )

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple:
        """X, the network's targets Y of shape (n, n_outputs_), and the labels y."""
        raise NotImplementedError

    def _out_activation(self) -> str:
        """scikit-learn's name of the output activation: 'logistic', 'softmax', 'identity'."""
        raise NotImplementedError


def _holds(network: Network, coefs: list, intercepts: list, hidden: list[str], output: str) -> bool:
    """Whether ``network`` is the model: the arrays of coefs_ and intercepts_, its activations."""
    ours = [*network.W.values(), *network.b.values()]
    theirs = [*coefs, *intercepts]
    return (
        len(network.W) == len(coefs)
        and len(ours) == len(theirs)
        and all(mine is given for mine, given in zip(ours, theirs, strict=True))
        and network.hidden == hidden
        and network.output == output
    )


def supports_partial_fit(estimator: BaseMultilayerPerceptron) -> bool:
    """``available_if``'s test: partial_fit exists for the stochastic solvers only."""
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers ('sgd', 'adam', "
            f"'adamw', 'gd'). {estimator.solver} is not stochastic: use fit."
        )
    return True
