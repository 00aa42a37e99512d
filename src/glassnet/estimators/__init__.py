"""MLPClassifier and MLPRegressor: scikit-learn's contract on top of the core and training."""

from glassnet.estimators import _file_kind  # noqa: F401  registers the estimator, pipeline kinds
from glassnet.estimators._multilayer_perceptron import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
