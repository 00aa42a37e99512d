"""MLPClassifier and MLPRegressor: scikit-learn's contract on top of the core and training."""

from glassnet.estimators._multilayer_perceptron import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
