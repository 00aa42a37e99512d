"""Losses against direct formulas, their fused gradient A - Y, and the scores (metrics)."""

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
from glassnet.core.network import Network, backward, cost, forward
from glassnet.training.metrics import accuracy, metric_name, r2, score

H = 1e-6
PAIRS = [("sigmoid", 1), ("sigmoid", 2), ("softmax", 3), ("identity", 1), ("identity", 3)]


def targets(output: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """A target matrix Y of shape (n, k) as the output's loss expects it."""
    if output == "sigmoid":
        return rng.integers(0, 2, (n, k)).astype(np.float64)
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    return rng.normal(0, 2, (n, k))


def test_each_loss_is_paired_with_its_output():
    assert {name: loss.output for name, loss in LOSSES.items()} == {
        "binary_cross_entropy": "sigmoid",
        "cross_entropy": "softmax",
        "squared_error": "identity",
    }
    for output, loss in LOSS_FOR_OUTPUT.items():
        assert loss.output == output
        assert LOSSES[loss.name] is loss


# --- values ----------------------------------------------------------------------------


def test_binary_cross_entropy_matches_sklearn_log_loss(rng):
    y = rng.integers(0, 2, 20)
    a = rng.uniform(0.02, 0.98, 20)
    weights = rng.uniform(0.1, 3.0, 20)
    value = LOSSES["binary_cross_entropy"].fn(y[:, None].astype(float), a[:, None])
    assert value == pytest.approx(log_loss(y, a, labels=[0, 1]), rel=1e-12)
    Jw = LOSSES["binary_cross_entropy"].fn(y[:, None].astype(float), a[:, None], weights)
    assert Jw == pytest.approx(log_loss(y, a, labels=[0, 1], sample_weight=weights), rel=1e-12)


def test_binary_cross_entropy_sums_over_several_outputs(rng):
    Y = rng.integers(0, 2, (10, 3)).astype(float)
    A = rng.uniform(0.02, 0.98, (10, 3))
    per_column = [log_loss(Y[:, k], A[:, k], labels=[0, 1]) for k in range(3)]
    value = LOSSES["binary_cross_entropy"].fn(Y, A)
    assert value == pytest.approx(sum(per_column), rel=1e-12)


def test_cross_entropy_matches_sklearn_log_loss(rng):
    y = rng.integers(0, 4, 15)
    A = scipy.special.softmax(rng.normal(0, 2, (15, 4)), axis=1)
    weights = rng.uniform(0.1, 3.0, 15)
    value = LOSSES["cross_entropy"].fn(np.eye(4)[y], A)
    assert value == pytest.approx(log_loss(y, A, labels=range(4)), rel=1e-12)
    Jw = LOSSES["cross_entropy"].fn(np.eye(4)[y], A, weights)
    assert Jw == pytest.approx(log_loss(y, A, labels=range(4), sample_weight=weights), rel=1e-12)


def test_cross_entropy_with_soft_targets(rng):
    Y = scipy.special.softmax(rng.normal(size=(6, 3)), axis=1)
    A = scipy.special.softmax(rng.normal(size=(6, 3)), axis=1)
    expected = -np.mean([sum(Y[i, k] * np.log(A[i, k]) for k in range(3)) for i in range(6)])
    assert LOSSES["cross_entropy"].fn(Y, A) == pytest.approx(expected, rel=1e-12)


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


# --- finite at the edges ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_finite_at_predictions_of_exactly_zero_and_one(name, dtype):
    Y = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    A = np.array([[0, 1], [1, 0], [0, 1], [1, 0]], dtype=dtype)  # some exactly wrong
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        wrong = LOSSES[name].fn(Y, A)
        right = LOSSES[name].fn(Y, Y.copy())  # exactly right
    assert np.isfinite(wrong)
    if name == "squared_error":
        assert wrong == pytest.approx((0.5 + 1 + 1 + 0.5) / 4)  # 1/2 the squared misses, by hand
    else:
        assert wrong > 10  # confidently wrong costs about -log(eps) per wrong output
    assert 0 <= right < 1e-5  # clipping costs at most about -log(1 - eps) per output


# --- properties ------------------------------------------------------------------------

unit = st.floats(0.0, 1.0, allow_nan=False)


@given(
    st.sampled_from([np.float32, np.float64]),
    arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=unit),
    st.data(),
)
def test_losses_are_non_negative(dtype, A, data):
    n, k = A.shape
    bits = data.draw(arrays(np.int64, (n, k), elements=st.integers(0, 1)))
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    real = data.draw(arrays(np.float64, (n, k), elements=st.floats(-1e3, 1e3)))
    softmax = scipy.special.softmax(A, axis=1)
    cases = [
        ("binary_cross_entropy", bits, A),
        ("cross_entropy", np.eye(k)[labels], softmax),
        ("squared_error", real, A),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, Y, predictions in cases:
            J = LOSSES[name].fn(Y.astype(dtype), predictions.astype(dtype))
            assert np.isfinite(J)
            assert J >= 0


# --- sample weights --------------------------------------------------------------------


@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_weights_of_ones_equal_no_weights(output, k, rng):
    loss = LOSS_FOR_OUTPUT[output]
    Y = targets(output, 8, k, rng)
    A = ACTIVATIONS[output].fn(rng.normal(size=(8, k)))
    assert loss.fn(Y, A, np.ones(8)) == pytest.approx(loss.fn(Y, A), rel=1e-14)


@pytest.mark.parametrize(("output", "k"), PAIRS)
def test_integer_weights_equal_repeated_rows(output, k, rng):
    loss = LOSS_FOR_OUTPUT[output]
    Y = targets(output, 7, k, rng)
    A = ACTIVATIONS[output].fn(rng.normal(size=(7, k)))
    counts = np.array([1, 3, 0, 2, 1, 5, 1])
    repeated = loss.fn(np.repeat(Y, counts, axis=0), np.repeat(A, counts, axis=0))
    assert loss.fn(Y, A, counts) == pytest.approx(repeated, rel=1e-13)
    assert loss.fn(Y, A, 2.5 * counts) == pytest.approx(repeated, rel=1e-13)  # scale-free


# --- the fused gradient ----------------------------------------------------------------


def numeric_gradient_in_Z(output, Y, Z, sample_weight=None):
    """dJ/dZ by central differences through activation.fn and then loss.fn."""
    activation, loss = ACTIVATIONS[output], LOSS_FOR_OUTPUT[output]
    gradient = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[index] += H
        minus[index] -= H
        J_plus = loss.fn(Y, activation.fn(plus), sample_weight)
        J_minus = loss.fn(Y, activation.fn(minus), sample_weight)
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
