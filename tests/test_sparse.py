"""Sparse X: SciPy CSR (csr_matrix and csr_array) through forward, backward, train, the
estimators and the model files, equal to the same matrix densified, and never densified.

Only the first layer touches X, by ``X @ W[1]`` and ``X^T dZ[1]``, which CSR computes
as it is; mini-batches take CSR rows. :func:`never_densified` makes every way of
densifying a SciPy matrix raise while training runs, so a test passing under it shows
the whole matrix was never made dense.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import glassnet
from glassnet.core.gradcheck import check_gradients
from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.errors import InputError
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.training.inspection import GradientNorms
from glassnet.training.loop import run_epochs, train
from glassnet.training.prepare import prepare
from glassnet.validation import check_X, is_sparse

FORMATS = {"csr_matrix": scipy.sparse.csr_matrix, "csr_array": scipy.sparse.csr_array}
SPARSE_CLASSES = (
    scipy.sparse.csr_matrix,
    scipy.sparse.csr_array,
    scipy.sparse.csc_matrix,
    scipy.sparse.csc_array,
)

pytestmark = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.ConvergenceWarning"
)


N_FEATURES = 37  # no label matrix scikit-learn densifies has 37 columns or rows


def sparse_data(n=120, n_features=N_FEATURES, density=0.1, seed=0):
    """A sparse X (as a dense array) and binary labels that depend on a few of its columns."""
    rng = np.random.default_rng(seed)
    X = np.where(rng.random((n, n_features)) < density, rng.uniform(0.5, 2.0, (n, n_features)), 0)
    y = (X[:, :5].sum(axis=1) > X[:, 5:10].sum(axis=1)).astype(int)
    return X, y


@pytest.fixture
def never_densified(monkeypatch):
    """Densifying X (or any of its rows, or its transpose) raises: ``toarray`` and
    ``todense`` of a SciPy CSR or CSC matrix or array with N_FEATURES columns (or rows).
    Others pass: scikit-learn's label binarizer densifies its own small sparse labels."""
    originals = {cls: (cls.toarray, cls.todense) for cls in SPARSE_CLASSES}

    def guard(cls, index):
        def refuse(self, *args, **kwargs):
            if N_FEATURES in self.shape:
                raise AssertionError(f"a {type(self).__name__} of shape {self.shape} was densified")
            return originals[cls][index](self, *args, **kwargs)

        return refuse

    for cls in SPARSE_CLASSES:
        monkeypatch.setattr(cls, "toarray", guard(cls, 0))
        monkeypatch.setattr(cls, "todense", guard(cls, 1))


def test_the_guard_catches_a_densification(never_densified):
    X, _ = sparse_data()
    with pytest.raises(AssertionError, match="densified"):
        scipy.sparse.csr_array(X).toarray()
    with pytest.raises(AssertionError, match="densified"):
        scipy.sparse.csr_matrix(X)[:5].T.todense()
    np.testing.assert_array_equal(scipy.sparse.csr_array(np.eye(3)).toarray(), np.eye(3))


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [*FORMATS.values(), scipy.sparse.csc_array, scipy.sparse.coo_matrix]
)
def test_check_X_returns_csr_of_the_dtype_without_densifying(make, never_densified):
    X, _ = sparse_data()
    checked = check_X(make(X.astype(np.float32)), dtype="float64", accept_sparse=True)
    assert is_sparse(checked) and checked.format == "csr" and checked.dtype == np.float64
    assert checked.nnz == np.count_nonzero(X)


def test_check_X_keeps_float32_csr_as_it_is():
    X = scipy.sparse.csr_array(sparse_data()[0].astype(np.float32))
    assert check_X(X, accept_sparse=True) is X  # CSR of the right dtype: not copied


def test_a_sparse_matrix_with_nan_is_an_input_error():
    X = scipy.sparse.csr_array(np.array([[0.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(InputError, match="NaN or inf"):
        check_X(X, accept_sparse=True)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_an_empty_sparse_matrix_is_an_input_error(shape):
    with pytest.raises(InputError, match=r"0 samples|0 features"):
        check_X(scipy.sparse.csr_array(shape), accept_sparse=True)


def test_where_sparse_is_not_taken_the_error_says_what_to_do():
    with pytest.raises(InputError, match=r"sparse matrix.*X.toarray\(\)"):
        check_X(scipy.sparse.csr_array(np.eye(3)))


def test_is_sparse_duck_types_without_scipy_in_the_core():
    assert is_sparse(scipy.sparse.csr_matrix(np.eye(2)))
    assert is_sparse(scipy.sparse.coo_array(np.eye(2)))
    assert not is_sparse(np.eye(2)) and not is_sparse([[1.0]])


# --- forward and backward -------------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("weighted", [False, True])
def test_forward_and_backward_equal_the_dense_ones(kind, weighted):
    X, y = sparse_data()
    network = Network([X.shape[1], 6, 4, 1], hidden=["tanh", "relu"], random_state=0)
    Y = encode_targets(network, y)
    weights = np.random.default_rng(1).uniform(0, 2, len(y)) if weighted else None
    dense = forward(network, X)
    sparse = forward(network, FORMATS[kind](X))
    for l in network.W:
        assert type(sparse.Z[l]) is np.ndarray  # the product of CSR and W[1] is dense
        np.testing.assert_allclose(sparse.Z[l], dense.Z[l], rtol=1e-13, atol=1e-14)
    assert cost(network, sparse, Y, weights) == pytest.approx(cost(network, dense, Y, weights))
    g_sparse = backward(network, sparse, Y, weights, l2=0.1)
    g_dense = backward(network, dense, Y, weights, l2=0.1)
    for mine, theirs in zip(g_sparse.as_list(), g_dense.as_list(), strict=True):
        assert type(mine) is np.ndarray
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_the_gradient_check_passes_on_csr():
    X, y = sparse_data(n=15, n_features=6, density=0.4)
    network = Network([6, 4, 1], hidden="tanh", random_state=2)
    assert check_gradients(network, scipy.sparse.csr_matrix(X), y).passed


# --- train, full batch and mini-batches -------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize(
    "options",
    [
        {"batch_size": None, "optimizer": "gd", "learning_rate": 0.5},
        {"batch_size": 16, "optimizer": "adam", "learning_rate": 0.01, "alpha": 0.1},
        {"batch_size": 7, "optimizer": "momentum", "dropout": 0.3, "validation": 0.2},
    ],
    ids=["full-batch", "mini-batch-adam", "mini-batch-dropout-validation"],
)
def test_training_on_sparse_X_equals_training_on_the_dense_copy(kind, options, never_densified):
    X, y = sparse_data()
    sparse_net = Network([X.shape[1], 8, 1], random_state=0)
    dense_net = sparse_net.copy()
    weights = np.random.default_rng(3).uniform(0.5, 1.5, len(y))
    run = {"epochs": 15, "random_state": 0, "sample_weight": weights, **options}
    history = train(sparse_net, FORMATS[kind](X), y, **run)
    expected = train(dense_net, X, y, **run)
    np.testing.assert_allclose(history.cost, expected.cost, rtol=1e-11)
    for mine, theirs in zip(sparse_net.parameters(), dense_net.parameters(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


def test_mini_batches_of_sparse_X_are_csr_rows():
    X, y = sparse_data()
    seen = []

    class Watch(glassnet.Callback):
        def on_step_end(self, state):
            seen.append(state.step)

    network = Network([X.shape[1], 4, 1], random_state=0)
    plan = prepare(network, scipy.sparse.csr_array(X), y, batch_size=32, epochs=1)
    shapes = [(type(batch.X).__name__, batch.X.shape) for batch in plan.batches()]
    assert shapes == [("csr_array", (32, N_FEATURES))] * 3 + [("csr_array", (24, N_FEATURES))]
    run_epochs(network, plan, [Watch()])
    assert seen == [1, 2, 3, 4]


def test_gradient_norms_probe_sparse_X(never_densified):
    X, y = sparse_data()
    network = Network([X.shape[1], 4, 1], random_state=0)
    history = train(
        network,
        scipy.sparse.csr_array(X),
        y,
        epochs=3,
        callbacks=[GradientNorms(scipy.sparse.csr_array(X), y)],
    )
    dense = Network([X.shape[1], 4, 1], random_state=0)
    expected = train(dense, X, y, epochs=3, callbacks=[GradientNorms(X, y)])
    np.testing.assert_allclose(history["grad_norm_W1"], expected["grad_norm_W1"], rtol=1e-12)


def test_network_predict_output_takes_sparse_X():
    X, _ = sparse_data()
    network = Network([X.shape[1], 4, 1], random_state=0)
    np.testing.assert_allclose(
        network.predict_output(scipy.sparse.csr_matrix(X)), network.predict_output(X), rtol=1e-13
    )


# --- the estimators, partial_fit and model files ------------------------------------------------


@pytest.mark.parametrize("make", [*FORMATS.values(), scipy.sparse.csc_matrix])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs", "gd"])
def test_estimators_fit_and_predict_sparse_X_as_dense(make, solver, never_densified):
    X, y = sparse_data()
    settings = {"hidden_layer_sizes": (6,), "solver": solver, "max_iter": 20, "random_state": 0}
    ours = MLPClassifier(**settings).fit(make(X), y)
    dense = MLPClassifier(**settings).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, dense.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(make(X)), dense.predict_proba(X), rtol=1e-10)
    assert (ours.predict(make(X)) == dense.predict(X)).all()


def test_regressor_early_stopping_and_partial_fit_on_sparse_X(never_densified):
    X, y = sparse_data()
    target = X[:, :5].sum(axis=1)
    sparse = scipy.sparse.csr_array(X)
    settings = {"hidden_layer_sizes": (6,), "max_iter": 15, "random_state": 0}
    early = MLPRegressor(**settings, early_stopping=True).fit(sparse, target)
    dense = MLPRegressor(**settings, early_stopping=True).fit(X, target)
    np.testing.assert_allclose(early.validation_scores_, dense.validation_scores_, rtol=1e-10)
    ours, theirs = MLPRegressor(**settings), MLPRegressor(**settings)
    for start in range(0, len(y), 40):
        ours.partial_fit(sparse[start : start + 40], target[start : start + 40])
        theirs.partial_fit(X[start : start + 40], target[start : start + 40])
    np.testing.assert_allclose(ours.predict(sparse), theirs.predict(X), rtol=1e-10)


def test_a_model_file_of_a_sparse_fit_predicts_sparse_X(tmp_path):
    X, y = sparse_data()
    sparse = scipy.sparse.csr_matrix(X)
    model = MLPClassifier((6,), max_iter=10, random_state=0).fit(sparse, y)
    loaded = glassnet.load(glassnet.save(model, tmp_path / "model.npz"))
    np.testing.assert_array_equal(loaded.predict_proba(sparse), model.predict_proba(sparse))
    network = glassnet.load(glassnet.save(model.network_, tmp_path / "network.npz"))
    np.testing.assert_allclose(
        network.predict_output(sparse)[:, 0], model.predict_proba(X)[:, 1], rtol=1e-13
    )


# --- a text pipeline -------------------------------------------------------------------------

TOPICS = {
    "space": ["orbit", "rocket", "planet", "star", "galaxy", "launch", "astronaut", "comet"],
    "cooking": ["recipe", "oven", "flour", "butter", "simmer", "garlic", "sauce", "bake"],
    "football": ["goal", "striker", "referee", "league", "penalty", "keeper", "match", "coach"],
}
SHARED = ["the", "a", "and", "of", "to", "in", "is", "it", "that", "with", "for", "today"]


def corpus(n_per_topic: int, seed: int) -> tuple[list[str], list[str]]:
    """Seeded documents and their topics: 4 to 8 of the topic's words, 6 to 14 shared
    words, and 0 to 3 words of the other topics, shuffled."""
    rng = np.random.default_rng(seed)
    documents, labels = [], []
    for topic, words in TOPICS.items():
        others = [word for name, theirs in TOPICS.items() if name != topic for word in theirs]
        for _ in range(n_per_topic):
            own = rng.choice(words, size=int(rng.integers(4, 9)))
            shared = rng.choice(SHARED, size=int(rng.integers(6, 15)))
            stray = rng.choice(others, size=int(rng.integers(0, 4)))
            documents.append(" ".join(rng.permutation([*own, *shared, *stray])))
            labels.append(topic)
    return documents, labels


def test_a_tfidf_pipeline_predicts_as_on_the_densified_matrix():
    """TfidfVectorizer hands MLPClassifier a CSR matrix; densifying it changes nothing."""
    train_docs, train_labels = corpus(80, seed=0)
    test_docs, test_labels = corpus(40, seed=1)
    settings = {"hidden_layer_sizes": (16,), "max_iter": 60, "random_state": 0}
    sparse = make_pipeline(TfidfVectorizer(), MLPClassifier(**settings))
    densified = make_pipeline(
        TfidfVectorizer(),
        FunctionTransformer(lambda X: X.toarray(), accept_sparse=True),
        MLPClassifier(**settings),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sparse.fit(train_docs, train_labels)
        densified.fit(train_docs, train_labels)
    assert scipy.sparse.issparse(sparse[0].transform(test_docs))
    predicted = sparse.predict(test_docs)
    assert (predicted == densified.predict(test_docs)).all()
    np.testing.assert_allclose(
        sparse.predict_proba(test_docs), densified.predict_proba(test_docs), rtol=1e-9, atol=1e-12
    )
    accuracy = float((predicted == np.array(test_labels)).mean())
    assert accuracy > 0.9, accuracy
