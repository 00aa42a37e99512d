"""Losses against direct formulas, their fused gradient A - Y, and the scores (metrics).

Each loss takes the logits Z = Z[L]; a probability a is given to it as its logit,
z = log(a / (1 - a)) for the sigmoid, z = log a (up to a constant per row) for softmax.
"""

import warnings

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

from glassnet.core.activations import ACTIVATIONS
from glassnet.core.losses import LOSS_FOR_OUTPUT, LOSSES
from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.training.metrics import accuracy, metric_name, r2, score

H = 1e-6
logit = scipy.special.logit  # the sigmoid's inverse: sigma(logit(a)) = a
PAIRS = [
    ("sigmoid", 1),
    ("sigmoid", 2),
    ("softmax", 3),
    ("identity", 1),
    ("identity", 3),
    ("exp", 1),
    ("exp", 3),
]


def targets(output: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """A target matrix Y of shape (n, k) as the output's loss expects it."""
    if output == "sigmoid":
        return rng.integers(0, 2, (n, k)).astype(np.float64)
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if output == "exp":
        return rng.poisson(2.0, (n, k)).astype(np.float64)  # counts, zeros among them
    return rng.normal(0, 2, (n, k))


def test_each_loss_is_paired_with_its_output():
    assert {name: loss.output for name, loss in LOSSES.items()} == {
        "binary_cross_entropy": "sigmoid",
        "cross_entropy": "softmax",
        "squared_error": "identity",
        "poisson_deviance": "exp",
    }
    for output, loss in LOSS_FOR_OUTPUT.items():
        assert loss.output == output
        assert LOSSES[loss.name] is loss


# --- values ----------------------------------------------------------------------------


def test_binary_cross_entropy_matches_sklearn_log_loss(rng):
    y = rng.integers(0, 2, 20)
    a = rng.uniform(0.02, 0.98, 20)
    weights = rng.uniform(0.1, 3.0, 20)
    value = LOSSES["binary_cross_entropy"].fn(y[:, None].astype(float), logit(a)[:, None])
    assert value == pytest.approx(log_loss(y, a, labels=[0, 1]), rel=1e-12)
    Jw = LOSSES["binary_cross_entropy"].fn(y[:, None].astype(float), logit(a)[:, None], weights)
    assert Jw == pytest.approx(log_loss(y, a, labels=[0, 1], sample_weight=weights), rel=1e-12)


def test_binary_cross_entropy_sums_over_several_outputs(rng):
    Y = rng.integers(0, 2, (10, 3)).astype(float)
    A = rng.uniform(0.02, 0.98, (10, 3))
    per_column = [log_loss(Y[:, k], A[:, k], labels=[0, 1]) for k in range(3)]
    value = LOSSES["binary_cross_entropy"].fn(Y, logit(A))
    assert value == pytest.approx(sum(per_column), rel=1e-12)


def test_cross_entropy_matches_sklearn_log_loss(rng):
    y = rng.integers(0, 4, 15)
    Z = rng.normal(0, 2, (15, 4))
    A = scipy.special.softmax(Z, axis=1)
    weights = rng.uniform(0.1, 3.0, 15)
    value = LOSSES["cross_entropy"].fn(np.eye(4)[y], Z)
    assert value == pytest.approx(log_loss(y, A, labels=range(4)), rel=1e-12)
    Jw = LOSSES["cross_entropy"].fn(np.eye(4)[y], Z, weights)
    assert Jw == pytest.approx(log_loss(y, A, labels=range(4), sample_weight=weights), rel=1e-12)


def test_cross_entropy_with_soft_targets(rng):
    Y = scipy.special.softmax(rng.normal(size=(6, 3)), axis=1)
    Z = rng.normal(size=(6, 3))
    A = scipy.special.softmax(Z, axis=1)
    expected = -np.mean([sum(Y[i, k] * np.log(A[i, k]) for k in range(3)) for i in range(6)])
    assert LOSSES["cross_entropy"].fn(Y, Z) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("k", [1, 3])
def test_squared_error_is_half_the_summed_square_averaged_over_samples(k, rng):
    Y = rng.normal(size=(9, k))
    A = rng.normal(size=(9, k))
    weights = rng.uniform(0.1, 3.0, 9)
    # mean_squared_error averages over outputs too; glassnet sums them and halves
    expected = 0.5 * k * mean_squared_error(Y, A)
    assert LOSSES["squared_error"].fn(Y, A) == pytest.approx(expected, rel=1e-12)
    expected_w = 0.5 * k * mean_squared_error(Y, A, sample_weight=weights)
    assert LOSSES["squared_error"].fn(Y, A, weights) == pytest.approx(expected_w, rel=1e-12)


def test_squared_error_by_hand():
    Y = np.array([[1.0, 0.0], [2.0, -1.0]])
    A = np.array([[0.0, 0.0], [2.0, 1.0]])
    # sample 1: 1/2 (1 + 0) = 0.5; sample 2: 1/2 (0 + 4) = 2; mean 1.25
    assert LOSSES["squared_error"].fn(Y, A) == pytest.approx(1.25, rel=1e-15)


# --- exact at the edges ------------------------------------------------------------------

BIG = 1e4  # sigma(+-1e4) and softmax of logits 1e4 apart round to exactly 1 and 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy", "squared_error"])
def test_finite_and_exact_at_predictions_of_exactly_zero_and_one(name, dtype):
    """Logits of +-1e4 give probabilities of exactly 0 and 1; the cost stays exact."""
    Y = {
        "binary_cross_entropy": np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype),
        "cross_entropy": np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=dtype),  # one-hot
        "squared_error": np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype),
    }[name]
    predicted = np.array([[0, 1], [1, 0], [0, 1], [1, 0]], dtype=dtype)  # some exactly wrong
    if name == "squared_error":  # the identity output: the prediction is the logit
        Z_wrong, Z_right = predicted, Y.copy()
    else:
        Z_wrong = np.where(predicted == 1, BIG, -BIG).astype(dtype)
        Z_right = np.where(Y == 1, BIG, -BIG).astype(dtype)
    output = LOSSES[name].output
    assert set(np.unique(ACTIVATIONS[output].fn(Z_wrong))) <= {0.0, 1.0}
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        wrong = LOSSES[name].fn(Y, Z_wrong)
        right = LOSSES[name].fn(Y, Z_right)
    # by hand: each confidently wrong output costs its logit gap, each right one 0
    expected = {
        "binary_cross_entropy": 6 * BIG / 4,  # 1 + 2 + 2 + 1 wrong outputs over 4 samples
        "cross_entropy": 4 * 2 * BIG / 4,  # every sample wrong by a gap of 2e4
        "squared_error": (0.5 + 1 + 1 + 0.5) / 4,  # 1/2 the squared misses
    }[name]
    assert wrong == expected
    assert right == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("z", "y", "expected"),
    [(40.0, 0, 40.0), (-40.0, 1, 40.0), (-1000.0, 1, 1000.0), (40.0, 1, 0.0), (17.0, 0, 17.0)],
)
def test_a_confident_sigmoid_costs_exactly_its_logit(z, y, expected, dtype):
    """-log(1 - sigma(z)) = z + log1p(e^-z): 40.00 at z = 40, y = 0, in float64 and float32.

    From clipped probabilities the cost was capped at -log(eps): 36.04 in float64 and
    15.94 in float32. The true value, 40 + 4.2e-18, is 40 to the last bit in both.
    """
    network = Network([1, 1], output="sigmoid", dtype=dtype)
    network.W[1][...] = 1.0  # Z[1] = x
    trace = forward(network, np.array([[z]], dtype=dtype))
    J = cost(network, trace, encode_targets(network, [y]))
    exact = -scipy.special.log_expit(z if y == 1 else -z)  # -log a or -log(1 - a), float64
    assert exact == pytest.approx(expected, rel=1e-8, abs=1e-15)  # and by hand
    assert abs(J - exact) <= np.finfo(dtype).eps * max(exact, 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_with_logits_of_a_thousand_costs_exactly_their_gap(dtype):
    """-log softmax(z)_k = logsumexp(z) - z_k: 2000 for the class 2000 below, 0 for the top."""
    network = Network([1, 3], output="softmax", dtype=dtype)
    network.W[1][...] = [[1000.0, -1000.0, 0.0]]  # Z[1] = x (1000, -1000, 0)
    trace = forward(network, np.ones((3, 1), dtype=dtype))
    for label, expected in ((0, 0.0), (1, 2000.0), (2, 1000.0)):
        Y = encode_targets(network, [label] * 3)
        assert cost(network, trace, Y) == expected


def test_the_exact_cost_has_the_fused_gradient_at_large_logits():
    """dJ/dz = sigma(z) - y holds at z = 40 too: the clipped cost was flat there (slope 0)."""
    for z, y in ((40.0, 0.0), (-40.0, 1.0), (40.0, 1.0)):
        Y, Z = np.array([[y]]), np.array([[z]])
        h = 1e-3  # the cost is linear here: any step is exact up to rounding of 40
        numeric = (
            LOSSES["binary_cross_entropy"].fn(Y, Z + h)
            - LOSSES["binary_cross_entropy"].fn(Y, Z - h)
        ) / (2 * h)
        assert numeric == pytest.approx(ACTIVATIONS["sigmoid"].fn(Z)[0, 0] - y, abs=1e-9)
    Z = np.array([[1000.0, -1000.0, 0.0]])
    Y = np.array([[0.0, 1.0, 0.0]])
    numeric = np.array(
        [
            (LOSSES["cross_entropy"].fn(Y, Z + step) - LOSSES["cross_entropy"].fn(Y, Z - step))
            / 2e-3
            for step in 1e-3 * np.eye(3)
        ]
    )
    np.testing.assert_allclose(numeric, (ACTIVATIONS["softmax"].fn(Z) - Y)[0], atol=1e-9)


# --- properties ------------------------------------------------------------------------

logits = st.floats(-1e3, 1e3, allow_nan=False)


@given(
    st.sampled_from([np.float32, np.float64]),
    arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=logits),
    st.data(),
)
def test_losses_are_non_negative(dtype, Z, data):
    n, k = Z.shape
    bits = data.draw(arrays(np.int64, (n, k), elements=st.integers(0, 1)))
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    real = data.draw(arrays(np.float64, (n, k), elements=st.floats(-1e3, 1e3)))
    cases = [
        ("binary_cross_entropy", bits),
        ("cross_entropy", np.eye(k)[labels]),
        ("squared_error", real),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, Y in cases:
            J = LOSSES[name].fn(Y.astype(dtype), Z.astype(dtype))
            assert np.isfinite(J)
            assert J >= 0


@given(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=logits),
    st.data(),
)
def test_cross_entropies_equal_the_log_of_the_probabilities(Z, data):
    """Where log(a) is representable, the logit form equals -y log a - (1 - y) log(1 - a)."""
    n, k = Z.shape
    bits = data.draw(arrays(np.int64, (n, k), elements=st.integers(0, 1))).astype(float)
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    log_a, log_1ma = scipy.special.log_expit(Z), scipy.special.log_expit(-Z)
    binary = -(bits * log_a + (1 - bits) * log_1ma).sum() / n
    assert LOSSES["binary_cross_entropy"].fn(bits, Z) == pytest.approx(binary, rel=1e-12)
    log_A = scipy.special.log_softmax(Z, axis=1)
    categorical = -log_A[np.arange(n), labels].sum() / n
    assert LOSSES["cross_entropy"].fn(np.eye(k)[labels], Z) == pytest.approx(
        categorical, rel=1e-12, abs=1e-300
    )


# --- sample weights --------------------------------------------------------------------


@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_weights_of_ones_equal_no_weights(output, k, rng):
    loss = LOSS_FOR_OUTPUT[output]
    Y = targets(output, 8, k, rng)
    Z = rng.normal(size=(8, k))
    assert loss.fn(Y, Z, np.ones(8)) == pytest.approx(loss.fn(Y, Z), rel=1e-14)


@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_integer_weights_equal_repeated_rows(output, k, rng):
    loss = LOSS_FOR_OUTPUT[output]
    Y = targets(output, 7, k, rng)
    Z = rng.normal(size=(7, k))
    counts = np.array([1, 3, 0, 2, 1, 5, 1])
    repeated = loss.fn(np.repeat(Y, counts, axis=0), np.repeat(Z, counts, axis=0))
    assert loss.fn(Y, Z, counts) == pytest.approx(repeated, rel=1e-13)
    assert loss.fn(Y, Z, 2.5 * counts) == pytest.approx(repeated, rel=1e-13)  # scale-free


# --- the fused gradient ----------------------------------------------------------------


def numeric_gradient_in_Z(output, Y, Z, sample_weight=None):
    """dJ/dZ by central differences of loss.fn, which takes the logits Z."""
    loss = LOSS_FOR_OUTPUT[output]
    gradient = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[index] += H
        minus[index] -= H
        J_plus = loss.fn(Y, plus, sample_weight)
        J_minus = loss.fn(Y, minus, sample_weight)
        gradient[index] = (J_plus - J_minus) / (2 * H)
    return gradient


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_fused_gradient_is_A_minus_Y_over_n(output, k, n, rng):
    Z = rng.normal(0, 1.5, (n, k))
    Y = targets(output, n, k, rng)
    A = ACTIVATIONS[output].fn(Z)
    numeric = numeric_gradient_in_Z(output, Y, Z)
    np.testing.assert_allclose(numeric, (A - Y) / n, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_fused_gradient_with_sample_weights(output, k, rng):
    Z = rng.normal(0, 1.5, (6, k))
    Y = targets(output, 6, k, rng)
    s = rng.uniform(0.1, 3.0, 6)
    A = ACTIVATIONS[output].fn(Z)
    numeric = numeric_gradient_in_Z(output, Y, Z, s)
    np.testing.assert_allclose(numeric, s[:, None] * (A - Y) / s.sum(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_unfused_chain_agrees_with_the_fused_form(output, k, rng):
    """dL/dA pushed through the activation's own backward gives A - Y per sample."""
    Z = rng.normal(0, 1.5, (5, k))
    Y = targets(output, 5, k, rng)
    A = ACTIVATIONS[output].fn(Z)
    dL_dA = {
        "sigmoid": -Y / A + (1 - Y) / (1 - A),
        "softmax": -Y / A,
        "identity": A - Y,
        "exp": 1 - Y / A,  # d/da of y log(y / a) - y + a
    }[output]
    dZ = ACTIVATIONS[output].backward(Z, A, dL_dA)
    np.testing.assert_allclose(dZ, A - Y, rtol=1e-10, atol=1e-12)


def test_squared_error_gradient_is_not_divided_by_the_number_of_outputs(rng):
    """dJ/dA = (A - Y) / n for k outputs, not (A - Y) / (n k)."""
    Y = rng.normal(size=(5, 3))
    A = rng.normal(size=(5, 3))
    numeric = np.zeros_like(A)
    for index in np.ndindex(A.shape):
        plus, minus = A.copy(), A.copy()
        plus[index] += H
        minus[index] -= H
        numeric[index] = (
            LOSSES["squared_error"].fn(Y, plus) - LOSSES["squared_error"].fn(Y, minus)
        ) / (2 * H)
    np.testing.assert_allclose(numeric, (A - Y) / 5, rtol=1e-7, atol=1e-10)


def test_multi_output_squared_error_reported_cost_matches_backprop(rng):
    """Regression test for scikit-learn's bug: the cost it reports for several outputs
    is the mean over outputs, but its gradient is that of the sum (a factor n_outputs).
    Here the finite-difference gradient of the reported cost equals backprop's."""
    network = Network([3, 4, 3], hidden="tanh", output="identity", random_state=0)
    X = rng.normal(size=(10, 3))
    Y = rng.normal(size=(10, 3))
    grads = backward(network, forward(network, X), Y)
    for l in (1, 2):
        for array, analytic in ((network.W[l], grads.dW[l]), (network.b[l], grads.db[l])):
            numeric = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                original = array[index]
                array[index] = original + H
                plus = cost(network, forward(network, X), Y)
                array[index] = original - H
                minus = cost(network, forward(network, X), Y)
                array[index] = original
                numeric[index] = (plus - minus) / (2 * H)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-10)
    reported = cost(network, forward(network, X), Y)
    A = forward(network, X).output
    assert reported == pytest.approx(0.5 * 3 * mean_squared_error(Y, A), rel=1e-12)


# --- metrics ---------------------------------------------------------------------------


def test_accuracy_matches_sklearn_for_one_sigmoid_output(rng):
    y = rng.integers(0, 2, 50)
    A = rng.uniform(0, 1, (50, 1))
    expected = accuracy_score(y, (A[:, 0] > 0.5).astype(int))
    assert accuracy("sigmoid", A, y[:, None].astype(float)) == pytest.approx(expected)
    assert 0 < expected < 1  # the data is not degenerate


def test_a_probability_of_exactly_one_half_predicts_class_zero():
    """y_hat = 1 only where a > 0.5, as the tutorials and scikit-learn's MLPClassifier."""
    A = np.array([[0.5], [0.5 + 1e-12], [0.5 - 1e-12]])
    assert accuracy("sigmoid", A, np.array([[0.0], [1.0], [0.0]])) == 1.0
    assert accuracy("sigmoid", A, np.array([[1.0], [1.0], [0.0]])) == pytest.approx(2 / 3)
    both = np.array([[0.5, 0.9]])
    assert accuracy("sigmoid", both, np.array([[0.0, 1.0]])) == 1.0
    assert accuracy("sigmoid", both, np.array([[1.0, 1.0]])) == 0.0


def test_accuracy_matches_sklearn_for_softmax(rng):
    y = rng.integers(0, 4, 60)
    A = scipy.special.softmax(rng.normal(size=(60, 4)), axis=1)
    expected = accuracy_score(y, A.argmax(axis=1))
    assert accuracy("softmax", A, np.eye(4)[y]) == pytest.approx(expected)


def test_multi_label_accuracy_is_sklearns_subset_accuracy(rng):
    Y = rng.integers(0, 2, (80, 2))
    A = np.where(Y == 1, 0.8, 0.2)
    flip = rng.uniform(size=Y.shape) < 0.3
    A[flip] = 1 - A[flip]  # about half the rows get some label wrong
    expected = accuracy_score(Y, (A > 0.5).astype(int))
    assert accuracy("sigmoid", A, Y.astype(float)) == pytest.approx(expected)
    assert 0.2 < expected < 0.8


@pytest.mark.parametrize("k", [1, 3])
def test_r2_matches_sklearn(k, rng):
    Y = rng.normal(size=(40, k))
    A = Y + rng.normal(0, 0.5, (40, k))
    assert r2(A, Y) == pytest.approx(r2_score(Y, A), rel=1e-12)
    assert score("identity", A, Y) == pytest.approx(r2_score(Y, A), rel=1e-12)


def test_r2_with_a_constant_target_column_matches_sklearn(rng):
    Y = np.column_stack([rng.normal(size=20), np.full(20, 3.0), np.full(20, -1.0)])
    A = Y + rng.normal(0, 0.3, Y.shape)
    A[:, 2] = -1.0  # the third column predicted exactly
    assert r2(A, Y) == pytest.approx(r2_score(Y, A), rel=1e-12)


def test_score_and_metric_name_dispatch_on_the_output(rng):
    y = rng.integers(0, 3, 30)
    A = scipy.special.softmax(rng.normal(size=(30, 3)), axis=1)
    assert score("softmax", A, np.eye(3)[y]) == accuracy_score(y, A.argmax(axis=1))
    assert metric_name("identity") == "r2"
    assert metric_name("sigmoid") == metric_name("softmax") == "accuracy"
