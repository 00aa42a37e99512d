"""Many models on Dask: dask-ml and joblib drive glassnet's estimators as they are.

- dask-ml's ``Incremental`` calls ``partial_fit`` on each block in turn: the result
  equals calling ``partial_fit`` on the same blocks, in the same order, by hand.
- ``HyperbandSearchCV`` searches glassnet's estimator: its best estimator scores on
  the search's own validation rows (dask-ml's split, rebuilt here) what it reports.
  dask-ml 2025.1 needs one setting to run on dask 2026 (:func:`persisting_on`).
- ``GridSearchCV`` under joblib's Dask backend gives the cv_results_ scores of the
  same search run without Dask (one BLAS thread for both).
"""

import contextlib
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
pytest.importorskip("dask_ml")

import dask  # noqa: E402
import joblib  # noqa: E402
from dask_ml.model_selection import HyperbandSearchCV, train_test_split  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import glassnet  # noqa: E402
from distributed_cluster import running_client  # noqa: E402

ROWS, BLOCK = 800, 100


@pytest.fixture(scope="module")
def client():
    """A two-worker LocalCluster in this process (the shared one of distributed_cluster.py)."""
    yield from running_client()


@pytest.fixture(scope="module")
def classification():
    X, y = make_classification(ROWS, 6, n_informative=4, random_state=0)
    return X, y


@contextlib.contextmanager
def persisting_on(client):
    """dask-ml 2025.1's searches call ``dask.persist`` inside the client's event loop, which
    dask 2026 refuses ("Attempting to use an asynchronous Client in a synchronous context").
    Its fallback, set to the client's own ``get``, sends them to ``client.persist`` again."""
    with dask.config.set({"admin.async-client-fallback": client.get}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Distributed Client detected", UserWarning)
        yield


def blocks(X, y):
    return da.from_array(X, chunks=(BLOCK, -1)), da.from_array(y, chunks=BLOCK)


def classifier(**params):
    settings = {"hidden_layer_sizes": (8,), "random_state": 0, "batch_size": 50}
    return glassnet.MLPClassifier(**{**settings, "learning_rate_init": 0.01, **params})


def test_incremental_equals_partial_fit_on_the_same_blocks_by_hand(client, classification):
    X, y = classification
    wrapped = Incremental(classifier(), shuffle_blocks=False).fit(*blocks(X, y), classes=[0, 1])
    by_hand = classifier()
    for start in range(0, ROWS, BLOCK):
        rows = slice(start, start + BLOCK)
        by_hand.partial_fit(X[rows], y[rows], classes=[0, 1])
    fitted = wrapped.estimator_
    assert len(fitted.loss_curve_) == ROWS // BLOCK  # one partial_fit call per block
    assert fitted.loss_curve_ == by_hand.loss_curve_
    parameters = zip(
        [*fitted.coefs_, *fitted.intercepts_], [*by_hand.coefs_, *by_hand.intercepts_], strict=True
    )
    for got, want in parameters:
        np.testing.assert_array_equal(got, want)
    assert wrapped.score(*blocks(X, y)) == by_hand.score(X, y)


def test_incremental_drives_the_regressor_too(client):
    X, y = make_regression(ROWS, 5, noise=1.0, random_state=1)
    y = y / y.std()
    regressor = glassnet.MLPRegressor(hidden_layer_sizes=(8,), random_state=0, batch_size=50)
    wrapped = Incremental(regressor, shuffle_blocks=False).fit(*blocks(X, y))
    by_hand = glassnet.MLPRegressor(hidden_layer_sizes=(8,), random_state=0, batch_size=50)
    for start in range(0, ROWS, BLOCK):
        by_hand.partial_fit(X[start : start + BLOCK], y[start : start + BLOCK])
    np.testing.assert_array_equal(wrapped.estimator_.coefs_[0], by_hand.coefs_[0])
    np.testing.assert_array_equal(
        wrapped.predict(da.from_array(X, chunks=BLOCK)).compute(), by_hand.predict(X)
    )


def test_hyperband_best_estimator_scores_what_it_reports(client, classification):
    X_dask, y_dask = blocks(*classification)
    space = {"alpha": np.logspace(-5, -1, 8), "hidden_layer_sizes": [(4,), (8,), (16,)]}
    search = HyperbandSearchCV(classifier(), space, max_iter=9, random_state=0)
    with persisting_on(client):
        search.fit(X_dask, y_dask, classes=[0, 1])
    assert len(search.cv_results_["params"]) == search.metadata["n_models"] > 1
    # dask-ml's rules: each bracket b > 0 splits off its validation rows with the seed
    # randint(2**31) of the search's random_state, plus b; bracket 0 with random_state
    bracket = search.cv_results_["bracket"][search.best_index_]
    seed = 0 if bracket == 0 else check_random_state(0).randint(2**31) + bracket
    test_size = min(0.2, 1 / X_dask.numblocks[0])
    _, X_val, _, y_val = train_test_split(
        X_dask, y_dask, test_size=test_size, random_state=seed, shuffle=True
    )
    best = search.best_estimator_
    assert isinstance(best, glassnet.MLPClassifier)
    assert best.score(X_val.compute(), y_val.compute()) == search.best_score_
    assert best.get_params()["alpha"] == search.best_params_["alpha"]
    assert search.best_score_ == max(search.cv_results_["test_score"])


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # 30 epochs, on purpose
def test_grid_search_on_the_dask_backend_scores_as_in_this_process(client, classification):
    X, y = classification
    grid = {"alpha": [1e-4, 1e-2], "hidden_layer_sizes": [(4,), (8,)]}
    estimator = glassnet.MLPClassifier(random_state=0, max_iter=30, learning_rate_init=0.01)
    with joblib.parallel_backend("dask"), threadpool_limits(1):  # the workers are threads here
        on_dask = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)
    with threadpool_limits(1):
        here = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    for key in ("mean_test_score", "split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], here.cv_results_[key])
    assert on_dask.best_params_ == here.best_params_
