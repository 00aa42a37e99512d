"""MLPClassifier and MLPRegressor: scikit-learn's contract on top of the core and training.

Besides the two estimators, the names another driver of their fit needs
(:func:`glassnet.distributed.fit` is one): the base class with its three steps
(``begin_fit``, ``train_fit``, ``finish_fit``), what passes between them, and the
L-BFGS objective over a flat parameter vector. Nothing outside this package imports
its ``_private`` modules; ``tests/test_estimator_seam.py`` holds that.
"""

from glassnet.estimators._base import BaseMultilayerPerceptron
from glassnet.estimators._lbfgs import flat_objective, minimize, unflatten
from glassnet.estimators._multilayer_perceptron import MLPClassifier, MLPRegressor
from glassnet.estimators._stochastic import step_rows
from glassnet.estimators.fit_sequence import EpochsRun, FitStart, LbfgsResult, Trained

__all__ = [
    "BaseMultilayerPerceptron",
    "EpochsRun",
    "FitStart",
    "LbfgsResult",
    "MLPClassifier",
    "MLPRegressor",
    "Trained",
    "flat_objective",
    "minimize",
    "step_rows",
    "unflatten",
]
