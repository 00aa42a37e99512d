"""The estimators' fit as three steps another driver can call: begin, train, finish.

:class:`~glassnet.estimators._base.BaseMultilayerPerceptron` names them::

    start = estimator.begin_fit(X, y)        parameters, labels, first weights -> FitStart
    trained = estimator.train_fit(start)     the solver, in this process -> EpochsRun | LbfgsResult
    estimator.finish_fit(start, trained)     fitted attributes, warnings, finite weights

The estimator's own ``fit`` and ``partial_fit`` are those three calls.
:func:`glassnet.distributed.fit` calls ``begin_fit`` and ``finish_fit`` around its
own training on a cluster. This module holds what passes between the steps, and the
estimator state the solvers share (:class:`SolverState`).
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.preprocessing import LabelBinarizer

from glassnet.core.network import Network
from glassnet.core.optimizers import Optimizer
from glassnet.training.history import History

Array = NDArray[np.floating]
FLOATS = (np.float64, np.float32)  # float32 input stays float32; anything else becomes float64


@dataclass
class FitStart:
    """What ``begin_fit`` set up: the network to train and everything training reads.

    ``network`` is the estimator's own: its arrays are ``coefs_`` and ``intercepts_``,
    which training moves in place.
    """

    network: Network
    X: Array  # the checked rows, (n, n_features), the network's dtype: an array, or CSR
    Y: Array  # their targets, encoded for the output layer, (n, n_outputs_)
    weights: Array | None  # sample_weight times class_weight, (n,); None for all equal
    settings: SimpleNamespace  # the validated parameters, as Python numbers
    rng: np.random.Generator  # from random_state: the first weights drew from it
    optimizer: Optimizer | None  # what the stochastic solvers step; None for lbfgs
    label_binarizer: LabelBinarizer | None  # a classifier's labels -> Y; None for a regressor
    incremental: bool  # partial_fit: one epoch, and no convergence warning


@dataclass
class LbfgsResult:
    """What L-BFGS-B returned: the final cost, the iterations, the cost after each.

    ``status`` and ``message`` are scipy's: 0 means converged (the largest gradient
    component fell below ``tol``); anything else names why it stopped.
    """

    loss: float
    n_iter: int
    status: int
    message: str
    loss_curve: list[float] = field(default_factory=list)


@dataclass
class EpochsRun:
    """What a stochastic solver's epochs left: their History, and whether a rule stopped them."""

    history: History
    stopped: bool


Trained = EpochsRun | LbfgsResult  # what train_fit (or another driver) hands to finish_fit


class SolverState:
    """What the solvers' methods read and write on the estimator: ``_settings`` (this fit's
    parameters as Python numbers) and the fitted attributes every solver sets."""

    _settings: SimpleNamespace
    n_iter_: int
    loss_: float
    loss_curve_: list[float]
    best_loss_: float | None
    history_: History


def generator(random_state: Any) -> np.random.Generator:
    """A Generator from scikit-learn's ``random_state``: None, an int or a RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)
