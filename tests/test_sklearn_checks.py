"""scikit-learn's own estimator checks, every one of them, with no expected failures.

Small networks and few epochs keep them fast; the learning rate is raised so that
the checks that demand a good score on easy data (``check_classifiers_train``,
``check_regressors_train``) pass on merit within ``max_iter``. Each solver family
is checked once: adam (the default), lbfgs, sgd with momentum, and gd.
"""

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassnet.estimators import MLPClassifier, MLPRegressor

SMALL = {"hidden_layer_sizes": (5,), "max_iter": 200, "random_state": 0}

pytestmark = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.ConvergenceWarning"
)


@parametrize_with_checks(
    [
        MLPClassifier(**SMALL, learning_rate_init=0.01),
        MLPRegressor(**SMALL, learning_rate_init=0.01),
        MLPClassifier(**SMALL, solver="lbfgs"),
        MLPRegressor(**SMALL, solver="sgd", learning_rate_init=0.001),
        MLPClassifier(**SMALL, solver="gd", learning_rate_init=0.5),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
