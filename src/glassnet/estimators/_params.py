"""The estimators' parameters: scikit-learn's table of constraints, plus glassnet's extras.

scikit-learn's ``_fit_context`` checks every parameter against
:data:`PARAMETER_CONSTRAINTS` at the start of ``fit`` and ``partial_fit`` and raises
its ``InvalidParameterError`` (a ``ValueError``) naming the parameter and what it
accepts, so the messages read exactly as scikit-learn's own. That is the only check
of a parameter's type and range; :func:`python_params` then hands the training code
the same values as Python numbers.
"""

from collections.abc import Mapping
from numbers import Integral, Real
from types import SimpleNamespace
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

# scikit-learn's names for the hidden activations, and glassnet's extra 'sigmoid' and 'leaky_relu'
ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}

# scikit-learn's out_activation_ names -> glassnet's output activations
OUTPUTS = {"logistic": "sigmoid", "softmax": "softmax", "identity": "identity", "exp": "exp"}

SOLVERS = ("lbfgs", "sgd", "adam", "adamw", "gd")
STOCHASTIC_SOLVERS = ("sgd", "adam", "adamw", "gd")  # the ones that run glassnet.train
ADAM_SOLVERS = ("adam", "adamw")  # scikit-learn's learning-rate schedules do not apply to them


class Number(Interval):
    """scikit-learn's ``Interval``, without the booleans: ``alpha=True`` is a slip, not 1.

    ``Interval(Real, ...)`` accepts ``True`` (a Python bool is an ``Integral``); this
    refuses it with the same ``InvalidParameterError`` and message. NumPy integers and
    floats are numbers here, as there.
    """

    def is_satisfied_by(self, val: Any) -> bool:
        return not isinstance(val, bool | np.bool_) and super().is_satisfied_by(val)


PARAMETER_CONSTRAINTS: dict = {
    "hidden_layer_sizes": ["array-like", Number(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS)), list, tuple],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Number(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Number(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Number(Real, 0, None, closed="neither")],
    "power_t": [Number(Real, 0, None, closed="left")],
    "max_iter": [Number(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Number(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Number(Real, 0, 1, closed="left")],  # scikit-learn also allows 1, which diverges
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Number(Real, 0, 1, closed="left")],
    "beta_1": [Number(Real, 0, 1, closed="left")],
    "beta_2": [Number(Real, 0, 1, closed="left")],
    "epsilon": [Number(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Number(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "max_fun": [Number(Integral, 1, None, closed="left")],
    "init": [StrOptions({"glorot", "he", "small"})],
    "callbacks": [list, tuple, None],
    "dropout": [Number(Real, 0, 1, closed="left"), list, tuple],  # one rate, or one per layer
    "weight_decay": [Number(Real, 0, None, closed="left")],
    "clip_norm": [Number(Real, 0, None, closed="neither"), None],
}

# the parameters that are real numbers: the training code gets them as Python floats
REAL_PARAMETERS = frozenset(
    name
    for name, constraints in PARAMETER_CONSTRAINTS.items()
    if any(
        isinstance(constraint, Interval) and constraint.type is Real for constraint in constraints
    )
)


def python_value(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays as Python numbers, inside lists and tuples too.

    ``np.int64(3)`` -> 3, ``np.float32(0.5)`` -> 0.5, ``np.bool_(True)`` -> True,
    ``np.array([8, 4])`` -> [8, 4]; anything else (strings, callbacks, dicts) is returned as is.
    """
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()  # a scalar's tolist() is its Python number
    if isinstance(value, list | tuple):
        return type(value)(python_value(item) for item in value)
    return value


def python_params(params: Mapping[str, Any]) -> SimpleNamespace:
    """The validated parameters as the training code and scikit-learn's helpers take them.

    Every value goes through :func:`python_value`, and the parameters declared as real
    numbers (:data:`REAL_PARAMETERS`) become floats: ``alpha=np.int64(0)`` -> 0.0,
    ``validation_fraction=np.float32(0.5)`` -> 0.5. Run it after the validation.
    """
    plain = {name: python_value(value) for name, value in params.items()}
    for name in REAL_PARAMETERS & plain.keys():
        if isinstance(plain[name], int | float):  # not None (clip_norm) nor a list (dropout)
            plain[name] = float(plain[name])
    return SimpleNamespace(**plain)


def store_arguments(estimator: Any, arguments: dict[str, Any]) -> None:
    """Keep ``__init__``'s arguments (its ``locals()``) as they are: ``fit`` validates them."""
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)


CLASSIFIER_CONSTRAINTS: dict = {
    **PARAMETER_CONSTRAINTS,
    "class_weight": [StrOptions({"balanced"}), dict, None],
}

REGRESSOR_CONSTRAINTS: dict = {
    **PARAMETER_CONSTRAINTS,
    "loss": [StrOptions({"squared_error", "poisson"})],
}

SHARED_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate,
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        scikit-learn's parameters of the same names, with its defaults and meanings,
        except:

        - ``activation`` may also be ``'sigmoid'`` (= ``'logistic'``), ``'leaky_relu'``,
          or a list with one name per hidden layer.
        - ``solver`` may also be ``'gd'``: plain full-batch gradient descent
          (W <- W - lr dW, the tutorials'); ``batch_size``, ``momentum`` and
          ``shuffle`` do not apply to it. Or ``'adamw'``: Adam with decoupled weight
          decay (``weight_decay``), as ``torch.optim.AdamW``.
        - ``alpha`` is glassnet's L2 strength: the cost adds
          (alpha / (2 n)) sum_l ||W[l]||^2 with n the total sample weight of the
          training set, whatever the batch size. Under full batches this is
          scikit-learn's; under mini-batches of B samples scikit-learn's ``alpha``
          corresponds to glassnet's ``alpha * n / B``.
        - ``momentum`` must lie in [0, 1).
    init : {'glorot', 'he', 'small'}, default='glorot'
        How the first weights are drawn (:mod:`glassnet.core.initializers`); biases start at 0.
    callbacks : list of glassnet.Callback, default=None
        Passed to :func:`glassnet.train` for the sgd, adam, adamw and gd solvers (after
        the callback that applies scikit-learn's ``tol`` rule): progress printing,
        schedules, checkpoints, your own.
    dropout : float or list of float, default=0.0
        The probability of dropping each hidden unit at each training step, for every
        hidden layer or one per hidden layer, each in [0, 1). Inverted dropout: the
        kept units are scaled by 1/(1 - p) while training, and ``predict`` uses every
        unit unscaled. Drawn from ``random_state``. Not with ``solver='lbfgs'``.
    weight_decay : float, default=0.01
        ``solver='adamw'``'s decoupled weight decay, W <- W - lr weight_decay W per step
        on the weight matrices (not the biases); ``alpha`` stays the L2 term.
    clip_norm : float, default=None
        Clip each step's gradients to this global norm (as
        ``torch.nn.utils.clip_grad_norm_``); ``history_`` then records
        ``clipped_steps`` and ``max_grad_norm`` per epoch. Not with ``solver='lbfgs'``.
"""

ATTRIBUTES_DOC = """
    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        ``coefs_[i]`` has shape (n_in, n_out) and is glassnet's ``W[i+1]``;
        ``intercepts_[i]`` is ``b[i+1]``. Same orientation as scikit-learn.
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_,
    n_iter_, n_layers_, n_outputs_, out_activation_, n_features_in_, feature_names_in_
        As in scikit-learn. ``loss_curve_`` is glassnet's cost per epoch (for
        ``'lbfgs'`` per iteration, which scikit-learn does not record).
    validation_loss_curve_ : list of float or None
        The validation cost per epoch with ``early_stopping=True``, else None.
    history_ : glassnet.History
        The last call to ``fit`` or ``partial_fit``, one row per epoch.
    network_ : glassnet.Network
        The model as a glassnet Network whose arrays *are* ``coefs_`` and
        ``intercepts_``: use it with ``glassnet.forward``, ``glassnet.check_gradients``.
"""
