"""The training loop: batching, reproducibility, L2, validation, divergence, input checks."""

import math
import warnings

import numpy as np
import pytest

from glassnet import (
    Adam,
    Callback,
    DivergenceError,
    GradientDescent,
    InputError,
    Network,
    train,
)

N = 53  # not a multiple of the batch sizes used below


@pytest.fixture
def data():
    """Two noisy Gaussian blobs, N samples, labels 0/1."""
    rng = np.random.default_rng(42)
    y = (rng.random(N) < 0.5).astype(np.int64)
    X = rng.normal(size=(N, 2)) + np.where(y[:, None] == 1, 1.0, -1.0)
    return X, y


def net(layers=(2, 4, 1), **options):
    options.setdefault("random_state", 0)
    return Network(list(layers), **options)


def weights(network):
    return [p.copy() for p in network.parameters()]


def assert_same_weights(a, b):
    for p, q in zip(a, b, strict=True):
        np.testing.assert_array_equal(p, q)


class StepCounter(Callback):
    """Counts on_step_end calls per epoch."""

    def on_train_begin(self, state):
        self.per_epoch = []

    def on_epoch_begin(self, state):
        self.per_epoch.append(0)

    def on_step_end(self, state):
        self.per_epoch[-1] += 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce(y, a):
    """-mean(y log a + (1 - y) log(1 - a)), by hand."""
    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


def logistic_descent_by_hand(X, y, W, b, lr, batch, epochs):
    """Mini-batch gradient descent of logistic regression on batches taken in order."""
    W, b, costs = W.copy(), b.copy(), []
    y = y.reshape(-1, 1).astype(float)
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            Xb, yb = X[start : start + batch], y[start : start + batch]
            a = sigmoid(Xb @ W + b)  # (m, 1)
            costs.append(bce(yb, a))
            W -= lr * Xb.T @ (a - yb) / len(Xb)  # dW = X^T (a - y) / m
            b -= lr * (a - yb).mean(axis=0)  # db = mean(a - y)
    return W, b, costs


# --- batching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "steps"),
    [(None, 1), (10, math.ceil(N / 10)), (16, math.ceil(N / 16)), (1, N), (N, 1)],
    ids=["full", "mini10", "mini16", "stochastic", "exact"],
)
def test_steps_per_epoch(data, batch_size, steps):
    counter = StepCounter()
    history = train(
        net(), *data, epochs=3, batch_size=batch_size, callbacks=[counter], record_steps=True
    )
    assert counter.per_epoch == [steps] * 3
    assert len(history.step_cost) == 3 * steps
    assert len(history) == 3 and history["epoch"] == [0, 1, 2]


def test_steps_are_not_recorded_unless_asked(data):
    assert train(net(), *data, epochs=2, batch_size=10).step_cost == []


def test_full_batch_cost_is_the_cost_before_each_update(data):
    X, y = data
    network = net((2, 1))
    W, b = network.W[1].copy(), network.b[1].copy()
    history = train(network, X, y, learning_rate=0.5, epochs=3, record_steps=True)
    _, _, costs = logistic_descent_by_hand(X, y, W, b, lr=0.5, batch=N, epochs=3)
    np.testing.assert_allclose(history.cost, costs, rtol=1e-12)
    np.testing.assert_allclose(history.step_cost, costs, rtol=1e-12)
    assert history.cost[0] > history.cost[2]


@pytest.mark.parametrize("batch_size", [None, 10, 1], ids=["full", "mini", "stochastic"])
def test_unshuffled_batches_are_taken_in_order(data, batch_size):
    X, y = data
    network = net((2, 1))
    W, b = network.W[1].copy(), network.b[1].copy()
    history = train(
        network,
        X,
        y,
        learning_rate=0.3,
        epochs=2,
        batch_size=batch_size,
        shuffle=False,
        record_steps=True,
    )
    W_hand, b_hand, costs = logistic_descent_by_hand(
        X, y, W, b, lr=0.3, batch=batch_size or N, epochs=2
    )
    np.testing.assert_allclose(network.W[1], W_hand, rtol=0, atol=1e-12)
    np.testing.assert_allclose(network.b[1], b_hand, rtol=0, atol=1e-12)
    np.testing.assert_allclose(history.step_cost, costs, rtol=1e-12)


def test_unshuffled_runs_do_not_depend_on_the_seed(data):
    first, second = net(), net()
    h1 = train(first, *data, epochs=3, batch_size=8, shuffle=False, random_state=1)
    h2 = train(second, *data, epochs=3, batch_size=8, shuffle=False, random_state=2)
    assert_same_weights(weights(first), weights(second))
    assert h1.cost == h2.cost


def test_shuffled_runs_differ_between_seeds(data):
    first, second = net(), net()
    h1 = train(first, *data, epochs=3, batch_size=8, random_state=1)
    h2 = train(second, *data, epochs=3, batch_size=8, random_state=2)
    assert h1.cost != h2.cost
    assert not np.array_equal(first.W[1], second.W[1])


def test_shuffled_differs_from_unshuffled(data):
    shuffled, ordered = net(), net()
    train(shuffled, *data, epochs=2, batch_size=8, random_state=0)
    train(ordered, *data, epochs=2, batch_size=8, shuffle=False, random_state=0)
    assert not np.array_equal(shuffled.W[1], ordered.W[1])


@pytest.mark.parametrize(
    "options",
    [
        {"batch_size": None},
        {"batch_size": 10},
        {"batch_size": 1},
        {"batch_size": 10, "validation": 0.25},
        {"batch_size": 7, "optimizer": "adam"},
        {"batch_size": 7, "optimizer": "nesterov", "alpha": 0.1},
    ],
    ids=["full", "mini", "stochastic", "validation", "adam", "nesterov-l2"],
)
def test_same_seed_gives_bit_identical_runs(data, options):
    runs = []
    for _ in range(2):
        network = net()
        history = train(network, *data, epochs=4, random_state=7, record_steps=True, **options)
        runs.append((weights(network), history))
    (w1, h1), (w2, h2) = runs
    assert_same_weights(w1, w2)
    assert h1.cost == h2.cost
    assert h1.step_cost == h2.step_cost
    np.testing.assert_array_equal(h1["val_cost"], h2["val_cost"])  # NaN == NaN here


def test_batch_larger_than_data_warns_and_equals_full_batch(data):
    full, big = net(), net()
    h_full = train(full, *data, epochs=5, random_state=0)
    with pytest.warns(UserWarning, match="larger than"):
        h_big = train(big, *data, epochs=5, batch_size=N + 10, random_state=0)
    assert_same_weights(weights(full), weights(big))
    assert h_full.cost == h_big.cost


def test_mini_batch_epoch_cost_is_the_size_weighted_mean_of_step_costs(data):
    history = train(net(), *data, epochs=3, batch_size=10, record_steps=True, random_state=0)
    sizes = np.array([10, 10, 10, 10, 10, 3])  # N = 53 in batches of 10
    steps = np.array(history.step_cost).reshape(3, 6)
    np.testing.assert_allclose(history.cost, steps @ sizes / N, rtol=1e-12)
    # the unweighted mean would differ: the last batch has 3 samples, not 10
    assert not np.allclose(history.cost, steps.mean(axis=1), rtol=1e-9)


# --- L2 -----------------------------------------------------------------------------------


def l2_cost_by_hand(network, X, y, alpha, n):
    """Binary cross-entropy of a [2, 1] network plus (alpha / (2n)) ||W||^2."""
    a = sigmoid(X @ network.W[1] + network.b[1])
    return bce(y.reshape(-1, 1), a) + alpha / (2 * n) * float(np.sum(network.W[1] ** 2))


def test_l2_cost_full_batch(data):
    X, y = data
    network = net((2, 1), init="glorot")
    expected = l2_cost_by_hand(network, X, y, alpha=2.0, n=N)
    history = train(network, X, y, epochs=1, alpha=2.0, learning_rate=1e-12)
    np.testing.assert_allclose(history.cost[0], expected, rtol=1e-12)
    # the penalty is a visible share of it
    assert expected - l2_cost_by_hand(network, X, y, alpha=0.0, n=N) > 0.01


@pytest.mark.parametrize("batch_size", [10, 1], ids=["mini", "stochastic"])
def test_l2_penalty_does_not_depend_on_the_batch_size(data, batch_size):
    X, y = data
    full_network, batched_network = net((2, 1)), net((2, 1))
    expected = l2_cost_by_hand(full_network, X, y, alpha=2.0, n=N)
    full = train(full_network, X, y, epochs=1, alpha=2.0, learning_rate=1e-12)
    batched = train(
        batched_network,
        X,
        y,
        epochs=1,
        batch_size=batch_size,
        alpha=2.0,
        learning_rate=1e-12,
        shuffle=False,
        record_steps=True,
    )
    # with a tiny step the weights barely move: the epoch's cost is the full-data cost
    np.testing.assert_allclose(batched.cost[0], full.cost[0], rtol=1e-9)
    np.testing.assert_allclose(batched.cost[0], expected, rtol=1e-9)
    # and the first step's cost is its batch's loss plus alpha/(2n) ||W||^2, n = N (not m)
    W, b = batched_network.W[1], batched_network.b[1]
    Xb, yb = X[:batch_size], y[:batch_size].reshape(-1, 1)
    first = bce(yb, sigmoid(Xb @ W + b)) + 2.0 / (2 * N) * float(np.sum(W**2))
    np.testing.assert_allclose(batched.step_cost[0], first, rtol=1e-9)


def test_l2_shrinks_the_weights(data):
    plain, decayed = net(), net()
    train(plain, *data, epochs=200, learning_rate=0.5)
    train(decayed, *data, epochs=200, learning_rate=0.5, alpha=5.0)
    norm = lambda n: sum(float(np.sum(W**2)) for W in n.W.values())  # noqa: E731
    assert norm(decayed) < 0.8 * norm(plain)


# --- validation -----------------------------------------------------------------------------


def constant_classifier(n_in, n_out, output, bias):
    """A network without hidden layers whose output is the same for every sample."""
    network = Network([n_in, n_out], output=output, random_state=0)
    network.W[1][...] = 0.0
    network.b[1][...] = bias
    return network


@pytest.mark.parametrize("seed", range(5))
def test_validation_split_is_stratified_binary(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(100, 2))
    y = np.zeros(100, dtype=int)
    y[rng.choice(100, 30, replace=False)] = 1  # 30 % positives
    # always predicts 1 (p = sigmoid(2)): accuracy is the share of positives
    network = constant_classifier(2, 1, "sigmoid", 2.0)
    history = train(network, X, y, epochs=1, learning_rate=1e-12, validation=0.2, random_state=seed)
    assert history["val_metric"][0] == pytest.approx(6 / 20)  # round(30 * 0.2) of 20 held out
    # the training part keeps the same proportion: 24 of 80
    p = sigmoid(2.0)
    train_cost = -(0.3 * math.log(p) + 0.7 * math.log(1 - p))
    assert history.cost[0] == pytest.approx(train_cost, rel=1e-9)
    assert history["val_cost"][0] == pytest.approx(train_cost, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_validation_split_is_stratified_multiclass(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(100, 2))
    y = rng.permutation(np.repeat([0, 1, 2], [50, 30, 20]))
    shares = []
    for k in range(3):
        bias = np.zeros(3)
        bias[k] = 3.0  # always predicts class k: accuracy is class k's share
        network = constant_classifier(2, 3, "softmax", bias)
        history = train(
            network, X, y, epochs=1, learning_rate=1e-12, validation=0.2, random_state=seed
        )
        shares.append(history["val_metric"][0])
    # held out: round(50 * 0.2), round(30 * 0.2), round(20 * 0.2) = 10, 6, 4 of 20
    np.testing.assert_allclose(shares, [0.5, 0.3, 0.2], rtol=1e-12)


def test_validation_columns_are_finite_and_named(data):
    history = train(net(), *data, epochs=5, validation=0.3, random_state=0)
    assert history.metric_name == "accuracy"
    assert np.isfinite(history["val_cost"]).all() and len(history["val_cost"]) == 5
    assert all(0 <= m <= 1 for m in history["val_metric"])


def test_without_validation_the_columns_are_nan(data):
    history = train(net(), *data, epochs=3)
    assert np.isnan(history["val_cost"]).all() and np.isnan(history["val_metric"]).all()


def test_explicit_validation_classification(data):
    X, y = data
    rng = np.random.default_rng(5)
    y_val = (rng.random(40) < 0.5).astype(int)
    X_val = rng.normal(size=(40, 2)) + np.where(y_val[:, None] == 1, 1.0, -1.0)
    network = net((2, 1))
    history = train(network, X, y, epochs=20, learning_rate=0.5, validation=(X_val, y_val))
    assert history.metric_name == "accuracy"
    a = sigmoid(X_val @ network.W[1] + network.b[1])  # the final weights, by hand
    np.testing.assert_allclose(history["val_cost"][-1], bce(y_val.reshape(-1, 1), a), rtol=1e-12)
    accuracy = float(np.mean((a[:, 0] >= 0.5) == y_val))
    assert history["val_metric"][-1] == pytest.approx(accuracy)
    assert accuracy > 0.7


def test_explicit_validation_regression_scores_r2():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=80)
    X_val = rng.normal(size=(30, 3))
    y_val = X_val @ np.array([1.0, -2.0, 0.5])
    network = Network([3, 1], output="identity", random_state=0)
    history = train(network, X, y, epochs=30, learning_rate=0.1, validation=(X_val, y_val))
    assert history.metric_name == "r2"
    prediction = (X_val @ network.W[1] + network.b[1])[:, 0]
    r2 = 1 - np.sum((y_val - prediction) ** 2) / np.sum((y_val - y_val.mean()) ** 2)
    assert history["val_metric"][-1] == pytest.approx(r2, rel=1e-12)
    val_cost = 0.5 * np.mean((prediction - y_val) ** 2)  # squared error: 1/(2n) sum (a - y)^2
    assert history["val_cost"][-1] == pytest.approx(val_cost, rel=1e-12)
    assert 0.5 < r2 < 1


def test_validation_fraction_for_regression_holds_out_that_share():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 1))
    y = rng.normal(size=50)
    history = train(
        Network([1, 1], output="identity", random_state=0),
        X,
        y,
        epochs=2,
        batch_size=1,
        validation=0.2,
        record_steps=True,
        random_state=0,
    )
    assert history.metric_name == "r2"
    assert len(history.step_cost) == 2 * 40  # ceil(0.2 * 50) = 10 held out, 40 trained on
    assert np.isfinite(history["val_metric"]).all()


def test_too_small_a_class_for_the_validation_fraction_names_the_class():
    X = np.random.default_rng(0).normal(size=(21, 2))
    y = np.array([0] * 10 + [1] * 10 + [2])  # class 2 has one sample
    with pytest.raises(InputError, match="class 2"):
        train(Network([2, 3], output="softmax"), X, y, epochs=1, validation=0.2)


def test_too_small_a_class_binary():
    X = np.random.default_rng(0).normal(size=(11, 2))
    y = np.array([0] * 10 + [1])
    with pytest.raises(InputError, match="class 1"):
        train(Network([2, 1]), X, y, epochs=1, validation=0.3)


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.2, 0, 1, True])
def test_validation_fraction_outside_the_unit_interval_raises(data, fraction):
    with pytest.raises(InputError, match="validation"):
        train(net(), *data, epochs=1, validation=fraction)


def test_explicit_validation_with_the_wrong_feature_count_raises(data):
    with pytest.raises(InputError, match="features"):
        train(net(), *data, epochs=1, validation=(np.zeros((5, 3)), np.zeros(5)))


# --- divergence -----------------------------------------------------------------------------


def regression_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    return X, X @ np.array([1.0, -1.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("make_optimizer", "scale", "dtype"),
    [
        (lambda: GradientDescent(1e6), 1.0, "float64"),
        (lambda: GradientDescent(1e6, momentum=0.9), 1.0, "float64"),
        (lambda: GradientDescent(0.1), 1e6, "float64"),
        # Adam moves each weight by at most about lr per step, so in float64 the cost grows
        # polynomially and stays finite for hundreds of epochs; float32 overflows at once.
        (lambda: Adam(1e6), 1e6, "float32"),
    ],
    ids=["gd-lr", "momentum-lr", "gd-scaled-data", "adam-float32"],
)
def test_divergence_raises_with_the_epoch_and_advice(make_optimizer, scale, dtype):
    X, y = regression_data()
    network = Network([2, 16, 16, 1], output="identity", random_state=0, dtype=dtype)
    with pytest.raises(DivergenceError) as error:
        train(network, X * scale, y, optimizer=make_optimizer(), epochs=300)
    message = str(error.value)
    assert "learning rate" in message
    epoch = int(message.split("at epoch ")[1].split(":")[0])
    assert epoch == len(error.value.history)  # the epochs before it were completed
    assert epoch < 300


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_of_a_classifier(data):
    with pytest.raises(DivergenceError, match=r"epoch \d+.*learning rate"):
        train(net((2, 8, 1)), *data, learning_rate=1e6, epochs=500)


# --- bad inputs -----------------------------------------------------------------------------


def _with_nan(X):
    X = X.copy()
    X[4, 1] = np.nan
    return X


BAD_INPUTS = {
    "nan-in-X": (lambda X, y: {"X": _with_nan(X)}, "NaN"),
    "length-mismatch": (lambda X, y: {"y": y[:-1]}, "same length"),
    "feature-count": (lambda X, y: {"X": np.hstack([X, X])}, "4 features"),
    "epochs-0": (lambda X, y: {"epochs": 0}, "epochs"),
    "epochs-fraction": (lambda X, y: {"epochs": 2.5}, "epochs"),
    "batch-size-0": (lambda X, y: {"batch_size": 0}, "batch_size"),
    "batch-size-negative": (lambda X, y: {"batch_size": -3}, "batch_size"),
    "alpha-negative": (lambda X, y: {"alpha": -1.0}, "alpha"),
    "labels-012-for-sigmoid": (lambda X, y: {"y": np.arange(len(y)) % 3}, "labels 0 and 1"),
    "empty-X": (lambda X, y: {"X": np.empty((0, 2)), "y": np.empty(0)}, "empty"),
    "1-D-X": (lambda X, y: {"X": X[:, 0]}, "1-D"),
    "unknown-optimizer": (lambda X, y: {"optimizer": "lbfgs"}, "optimizer"),
    "learning-rate-0": (lambda X, y: {"learning_rate": 0.0}, "learning_rate"),
    "sample-weight-shape": (lambda X, y: {"sample_weight": np.ones(len(y) - 1)}, "sample_weight"),
    "sample-weight-negative": (lambda X, y: {"sample_weight": -np.ones(len(y))}, "sample_weight"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_inputs_raise_input_errors_that_name_the_problem(data, case):
    change, fragment = BAD_INPUTS[case]
    X, y = data
    arguments = {"X": X, "y": y, "epochs": 1, **change(X, y)}
    with pytest.raises(InputError, match=fragment):
        train(net(), **arguments)


def test_string_labels_for_softmax_raise_input_error():
    X = np.zeros((4, 2))
    with pytest.raises(InputError, match=r"class indices|numeric"):
        train(Network([2, 3], output="softmax"), X, np.array(["a", "b", "c", "a"]), epochs=1)


def test_rejected_input_leaves_the_network_untouched(data):
    X, y = data
    network = net()
    before = weights(network)
    with pytest.raises(InputError):
        train(network, X, y, epochs=1, validation=1.5)
    assert_same_weights(before, weights(network))


# --- sample weights and dtype -------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 10])
def test_sample_weight_of_ones_equals_none(data, batch_size):
    plain, weighted = net(), net()
    h1 = train(plain, *data, epochs=10, batch_size=batch_size, random_state=0)
    h2 = train(
        weighted, *data, epochs=10, batch_size=batch_size, random_state=0, sample_weight=np.ones(N)
    )
    for p, q in zip(weights(plain), weights(weighted), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h1.cost, h2.cost, rtol=1e-12)


def test_sample_weight_of_two_counts_a_sample_twice(data):
    X, y = data
    doubled, weighted = net((2, 1)), net((2, 1))
    train(doubled, np.vstack([X, X[:5]]), np.concatenate([y, y[:5]]), epochs=10)
    weight = np.ones(N)
    weight[:5] = 2.0
    train(weighted, X, y, epochs=10, sample_weight=weight)
    for p, q in zip(weights(doubled), weights(weighted), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


def test_zero_sample_weights_in_a_batch_are_not_a_divergence():
    # Zero weights are allowed (only an all-zero total is refused), so a stochastic step on a
    # zero-weight sample must contribute nothing, like leaving the sample out.
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])
    weighted, dropped = Network([1, 1], random_state=0), Network([1, 1], random_state=0)
    train(weighted, X, y, epochs=3, batch_size=1, shuffle=False, sample_weight=[1.0, 0.0, 1.0, 1.0])
    train(dropped, X[[0, 2, 3]], y[[0, 2, 3]], epochs=3, batch_size=1, shuffle=False)
    for p, q in zip(weights(weighted), weights(dropped), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda: GradientDescent(0.1), lambda: GradientDescent(0.1, momentum=0.9), lambda: Adam(0.01)],
    ids=["sgd", "momentum", "adam"],
)
def test_float32_network_trains_in_float32(data, make_optimizer):
    single, double = net(dtype="float32"), net(dtype="float64")
    history = train(
        single, *data, optimizer=make_optimizer(), epochs=20, batch_size=10, random_state=0
    )
    assert all(p.dtype == np.float32 for p in single.parameters())
    assert all(type(c) is float and math.isfinite(c) for c in history.cost)
    train(double, *data, optimizer=make_optimizer(), epochs=20, batch_size=10, random_state=0)
    # the same run in float64 lands on the same weights, to float32's precision
    for p, q in zip(single.parameters(), double.parameters(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-3, atol=1e-4)


def test_training_updates_the_network_in_place(data):
    network = net()
    arrays = network.parameters()
    before = weights(network)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(network, *data, epochs=5, learning_rate=0.5)
    assert all(a is b for a, b in zip(arrays, network.parameters(), strict=True))
    assert all(not np.array_equal(a, b) for a, b in zip(arrays, before, strict=True))


# --- numbers: Python or NumPy, never booleans ---------------------------------------------------

NUMPY_NUMBERS = {
    "alpha-int64": ({"alpha": np.int64(0)}, {"alpha": 0}),
    "alpha-float32": ({"alpha": np.float32(1e-4)}, {"alpha": 1e-4}),
    "validation-float32": ({"validation": np.float32(0.5)}, {"validation": 0.5}),
    "learning-rate-float64": ({"learning_rate": np.float64(0.3)}, {"learning_rate": 0.3}),
    "epochs-int64": ({"epochs": np.int64(4)}, {"epochs": 4}),
    "batch-size-int64": ({"batch_size": np.int64(10)}, {"batch_size": 10}),
    "adam-learning-rate": (
        {"optimizer": "adam", "learning_rate": np.float32(0.25)},
        {"optimizer": "adam", "learning_rate": 0.25},
    ),
}


@pytest.mark.parametrize("case", list(NUMPY_NUMBERS), ids=list(NUMPY_NUMBERS))
def test_numpy_scalars_train_as_the_python_numbers_they_print_as(data, case):
    numpy_options, python_options = NUMPY_NUMBERS[case]
    with_numpy, with_python = net(), net()
    h1 = train(with_numpy, *data, **{"epochs": 3, "random_state": 0, **numpy_options})
    h2 = train(with_python, *data, **{"epochs": 3, "random_state": 0, **python_options})
    assert_same_weights(weights(with_numpy), weights(with_python))
    assert h1.as_dict() == h2.as_dict()


@pytest.mark.parametrize(
    "option",
    ["epochs", "batch_size", "alpha", "validation", "learning_rate"],
)
@pytest.mark.parametrize("flag", [True, False, np.True_])
def test_booleans_are_refused_where_numbers_are_meant(data, option, flag):
    network = net()
    before = weights(network)
    with pytest.raises(InputError, match=f"{option}.* got {flag!r}"):
        train(network, *data, **{"epochs": 1, option: flag})
    assert_same_weights(before, weights(network))


def test_a_bad_random_state_is_an_input_error(data):
    for seed in (-1, 1.5, "seed", True):
        with pytest.raises(InputError, match="random_state"):
            train(net(), *data, epochs=1, random_state=seed)


def test_validation_that_holds_out_every_weighted_sample_is_an_input_error():
    # One sample of four carries all the weight; half the rows are held out. Whenever that
    # sample is held out, the rows left to train on weigh 0 in total: alpha / 0 used to raise a
    # bare ZeroDivisionError. Over 20 seeds it is held out for some and kept for others.
    X = np.arange(8.0).reshape(4, 2)
    y = np.array([0.5, 1.0, 1.5, 2.0])
    outcomes = set()
    for seed in range(20):
        network = Network([2, 1], output="identity", random_state=0)
        before = weights(network)
        try:
            history = train(
                network,
                X,
                y,
                epochs=2,
                sample_weight=[0.0, 3.0, 0.0, 0.0],
                validation=0.5,
                alpha=0.1,
                random_state=seed,
            )
        except InputError as error:
            message = str(error)
            assert "sample_weight sums to 0" in message and "validation" in message
            assert "lower the validation fraction" in message
            assert_same_weights(before, weights(network))
            outcomes.add("refused")
        else:
            assert np.isfinite(history.cost).all()
            outcomes.add("trained")
    assert outcomes == {"refused", "trained"}


# --- checked once: prepare (checks) + run_epochs (the loop) ---------------------------------------


@pytest.fixture
def count_check_X(monkeypatch):
    """Count check_X calls, by the array passed, in every glassnet module that uses it."""
    import sys

    import glassnet.validation

    calls = []
    real = glassnet.validation.check_X

    def counting(X, *args, **kwargs):
        calls.append(X)
        return real(X, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("glassnet") and getattr(module, "check_X", None) is real:
            monkeypatch.setattr(module, "check_X", counting)
    return calls


def test_train_with_validation_and_gradient_norms_checks_X_once(data, count_check_X):
    from glassnet.training import GradientNorms

    X, y = data
    norms = GradientNorms(X, y)  # a public entry point: it checks its own input
    assert [c is X for c in count_check_X] == [True]
    count_check_X.clear()
    history = train(net(), X, y, epochs=3, validation=0.25, callbacks=[norms])
    assert [c is X for c in count_check_X] == [True]  # once, in prepare; not in the split
    assert np.isfinite(history["grad_norm_W1"]).all()


def test_explicit_validation_checks_X_and_X_val_once_each(data, count_check_X):
    X, y = data
    X_val, y_val = X[:10] + 0.5, y[:10]
    train(net(), X, y, epochs=2, validation=(X_val, y_val))
    assert len(count_check_X) == 2
    assert count_check_X[0] is X and count_check_X[1] is X_val


def test_the_run_layers_path_checks_X_once_in_all(data, count_check_X):
    from glassnet.training import GradientNorms, prepare, run_epochs

    X, y = data
    network = net()
    plan = prepare(network, X, y, epochs=3, validation=0.25, random_state=0)
    norms = GradientNorms.from_checked(plan.X, plan.Y, random_state=0)
    history = run_epochs(network, plan, callbacks=[norms])
    assert [c is X for c in count_check_X] == [True]
    # the same numbers as the public path, where GradientNorms checks X itself
    again = net()
    probe = GradientNorms(plan.X, plan.Y[:, 0])  # the rows trained on, with their labels
    expected = train(again, X, y, epochs=3, validation=0.25, random_state=0, callbacks=[probe])
    assert history.as_dict() == expected.as_dict()
    assert_same_weights(weights(network), weights(again))


def test_prepare_then_run_epochs_is_train(data):
    from glassnet.training import prepare, run_epochs

    options = {"epochs": 4, "batch_size": 8, "validation": 0.2, "alpha": 0.1, "random_state": 3}
    by_steps, at_once = net(), net()
    history = run_epochs(by_steps, prepare(by_steps, *data, **options))
    assert history.as_dict() == train(at_once, *data, **options).as_dict()
    assert_same_weights(weights(by_steps), weights(at_once))


def test_a_refused_argument_leaves_the_optimizer_and_network_untouched(data):
    from glassnet.training import prepare

    network, optimizer = net(), Adam(0.01)
    before = weights(network)
    with pytest.raises(InputError, match="epochs"):
        prepare(network, *data, optimizer=optimizer, epochs=0)
    assert optimizer.t == 0 and optimizer.m == []
    assert_same_weights(before, weights(network))


# --- History: a Mapping of its columns -----------------------------------------------------------


def test_history_is_a_mapping_of_its_columns(data):
    from collections.abc import Mapping

    history = train(net(), *data, epochs=3, validation=0.2)
    assert isinstance(history, Mapping)
    assert list(history) == ["epoch", "cost", "val_cost", "val_metric", "learning_rate"]
    assert dict(history) == history.as_dict()["columns"]
    assert len(history.keys()) == len(history.values()) == len(history.items()) == 5
    assert len(history) == 3  # a table's length: its rows
    assert history.get("cost") is history.cost and history.get("grad_norm_W1") is None
    assert "val_cost" in history and "metric_name" not in history
    assert history.get("metric_name") is None  # the outcome is in attributes, not columns
    assert history.metric_name == "accuracy"
    assert history.best_epoch is None and not history.interrupted
