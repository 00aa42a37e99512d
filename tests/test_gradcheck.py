"""The gradient check over every hidden activation x output pair x depth, and proof it can fail.

The outputs include Poisson regression (exp + Poisson deviance); dropout and sparse X
are checked with a fixed mask and a CSR matrix; the numeric embedding's F and P with the
rest of the network.
"""

import dataclasses

import numpy as np
import pytest

import glassnet.core.gradcheck
import glassnet.core.network
from glassnet.core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from glassnet.core.gradcheck import GradientCheck, check_gradients
from glassnet.core.network import Network, backward, encode_targets, forward
from glassnet.errors import InputError

N_SAMPLES, N_FEATURES = 10, 3
HIDDEN_UNITS = (4, 5, 3, 4)
KINK_MARGIN = 1e-3  # no hidden Z this close to 0: central differences of ReLU stay smooth
OUTPUTS = {
    "sigmoid": ("sigmoid", 1),
    "sigmoid2-multilabel": ("sigmoid", 2),
    "softmax3": ("softmax", 3),
    "identity": ("identity", 1),
    "identity3": ("identity", 3),
    "exp": ("exp", 1),
    "exp3": ("exp", 3),
}
CASES = [
    pytest.param(hidden, depth, output, id=f"{hidden}-depth{depth}-{output}")
    for depth in range(1, 5)
    for hidden in HIDDEN_ACTIVATIONS
    for output in OUTPUTS
] + [pytest.param("relu", 0, output, id=f"depth0-{output}") for output in OUTPUTS]


def make_data(output_case: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Small seeded (X, y) for an output case: 0/1 labels, class indices or values."""
    output, k = OUTPUTS[output_case]
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    if output == "sigmoid":
        y = np.arange(N_SAMPLES * k).reshape(N_SAMPLES, k) % 2  # both labels in each column
        y = rng.permuted(y, axis=0)
    elif output == "softmax":
        y = rng.permutation(np.arange(N_SAMPLES) % k)  # every class present
    elif output == "exp":
        y = rng.poisson(1.5, size=(N_SAMPLES, k)).astype(float)  # counts, zeros among them
    else:
        y = rng.normal(size=(N_SAMPLES, k))
    return X, (y[:, 0] if k == 1 else y)


def make_network(hidden: str, depth: int, output_case: str, X: np.ndarray, **kwargs) -> Network:
    """A seeded network with non-zero biases whose hidden Z all keep clear of 0."""
    output, k = OUTPUTS[output_case]
    sizes = [N_FEATURES, *HIDDEN_UNITS[:depth], k]
    for seed in range(100):
        network = Network(sizes, hidden=hidden, output=output, random_state=seed, **kwargs)
        rng = np.random.default_rng(1000 + seed)
        for l in network.b:
            network.b[l][...] = rng.normal(0, 0.3, network.b[l].shape)
        trace = forward(network, X.astype(network.dtype))
        if all(np.abs(trace.Z[l]).min() > KINK_MARGIN for l in range(1, depth + 1)):
            return network
    raise AssertionError("no seed keeps every hidden Z away from 0")  # pragma: no cover


def assert_checked_and_passed(report: GradientCheck, network: Network) -> None:
    assert list(report.relative_error) == network.parameter_names()
    for name, error in report.relative_error.items():
        assert error < 1e-6, f"{name}: relative error {error:.2e}"
        assert report.analytic_norm[name] > 1e-8, f"{name}: a zero gradient proves nothing"
        assert report.numeric_norm[name] == pytest.approx(report.analytic_norm[name], rel=1e-5)
    assert report.passed
    assert report.max_error == max(report.relative_error.values())


@pytest.mark.parametrize(("hidden", "depth", "output"), CASES)
def test_backprop_matches_finite_differences(hidden, depth, output):
    X, y = make_data(output)
    network = make_network(hidden, depth, output, X)
    assert_checked_and_passed(check_gradients(network, X, y), network)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_with_l2_penalty(hidden, output):
    X, y = make_data(output, seed=1)
    network = make_network(hidden, 2, output, X)
    assert_checked_and_passed(check_gradients(network, X, y, alpha=0.7), network)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", ["sigmoid", "leaky_relu"])
def test_with_sample_weight(hidden, output):
    X, y = make_data(output, seed=2)
    network = make_network(hidden, 2, output, X)
    weights = np.random.default_rng(3).uniform(0.0, 3.0, N_SAMPLES)
    weights[4] = 0.0  # a sample that does not count at all
    report = check_gradients(network, X, y, sample_weight=weights, alpha=0.2)
    assert_checked_and_passed(report, network)


@pytest.mark.parametrize("output", OUTPUTS)
def test_a_float32_network_is_checked_in_float64(output):
    """With h = 1e-6 a float32 cost could not resolve the differences: passing at 1e-6
    shows the check ran on a float64 copy."""
    X, y = make_data(output, seed=4)
    network = make_network("tanh", 2, output, X.astype(np.float32), dtype="float32")
    before = [array.copy() for array in network.parameters()]
    report = check_gradients(network, X.astype(np.float32), y)
    assert_checked_and_passed(report, network)
    assert network.dtype == np.float32
    for array, saved in zip(network.parameters(), before, strict=True):
        assert array.dtype == np.float32
        np.testing.assert_array_equal(array, saved)


def test_weights_that_are_not_c_contiguous_are_checked():
    """Regression: ``reshape(-1)`` of a Fortran-ordered W is a copy, so the perturbations
    never reached the network and every W reported a relative error of 1.0."""
    X, y = make_data("softmax3")
    network = make_network("tanh", 2, "softmax3", X)
    for l in network.W:
        network.W[l] = np.asfortranarray(network.W[l])
        assert not network.W[l].flags.c_contiguous
    assert_checked_and_passed(check_gradients(network, X, y), network)
    assert all(W.flags.f_contiguous for W in network.W.values())  # left as it was


def test_the_module_states_the_tolerance_it_uses():
    assert glassnet.core.gradcheck.TOLERANCE == 1e-6
    assert "passes below ``TOLERANCE`` = 1e-6" in glassnet.core.gradcheck.__doc__


def test_the_network_passed_in_is_not_modified():
    X, y = make_data("softmax3")
    network = make_network("tanh", 2, "softmax3", X)
    before = [array.tobytes() for array in network.parameters()]
    check_gradients(network, X, y, alpha=0.5)
    assert [array.tobytes() for array in network.parameters()] == before


def test_alpha_is_trains_l2_strength():
    """The penalty is (alpha / (2 n)) sum ||W||^2, as in ``train``: dW gains (alpha / n) W."""
    X, y = make_data("identity")
    network = make_network("tanh", 1, "identity", X)
    report = check_gradients(network, X, y, alpha=2.0)
    plain = backward(network, forward(network, X), encode_targets(network, y))
    for l in network.W:
        expected = np.linalg.norm(plain.dW[l] + 2.0 / N_SAMPLES * network.W[l])
        assert report.analytic_norm[f"W{l}"] == pytest.approx(expected, rel=1e-12)
        assert report.numeric_norm[f"W{l}"] == pytest.approx(expected, rel=1e-6)
        assert report.analytic_norm[f"b{l}"] == pytest.approx(np.linalg.norm(plain.db[l]))


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_with_a_fixed_dropout_mask(hidden, output):
    """One mask for every evaluation: backprop through M[l] matches the differences."""
    X, y = make_data(output, seed=5)
    network = make_network(hidden, 3, output, X)
    report = check_gradients(network, X, y, dropout=[0.5, 0.2, 0.4], random_state=0)
    assert_checked_and_passed(report, network)


def test_the_dropout_check_uses_one_mask_for_every_cost(monkeypatch):
    """Every forward of the check gets the same mask object, drawn once."""
    seen = []
    real = glassnet.core.gradcheck.forward

    def recording(network, X, mask=None):
        seen.append(mask)
        return real(network, X, mask)

    monkeypatch.setattr(glassnet.core.gradcheck, "forward", recording)
    X, y = make_data("sigmoid")
    check_gradients(make_network("tanh", 2, "sigmoid", X), X, y, dropout=0.5, random_state=1)
    assert len(seen) > 2 * (3 * 4 + 4 + 4 * 5 + 5 + 5 + 1)  # two costs per parameter, and more
    assert all(mask is seen[0] for mask in seen)
    assert set(seen[0]) == {1, 2} and (seen[0][1] == 0).any()


def test_backprop_that_ignores_the_mask_fails_the_check(monkeypatch):
    """A backward pass that forgets the dropout mask is caught below the dropped layer."""
    real = glassnet.core.gradcheck.backward

    def forgetful(network, trace, *args, **kwargs):
        trace.mask.clear()  # dA[l] no longer multiplied by M[l] (dW still reads A * M)
        return real(network, trace, *args, **kwargs)

    monkeypatch.setattr(glassnet.core.gradcheck, "backward", forgetful)
    X, y = make_data("identity")
    report = check_gradients(make_network("tanh", 1, "identity", X), X, y, dropout=0.5)
    assert report["W1"] > 1e-2 and report["W2"] < 1e-6


def test_sparse_X_is_checked_as_the_dense_one():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, y = make_data("softmax3")
    X[np.abs(X) < 0.8] = 0.0  # about half the entries are zero
    network = make_network("relu", 2, "softmax3", X)
    sparse = check_gradients(network, scipy_sparse.csr_array(X), y, alpha=0.3)
    dense = check_gradients(network, X, y, alpha=0.3)
    assert_checked_and_passed(sparse, network)
    for name in dense.relative_error:
        assert sparse.analytic_norm[name] == pytest.approx(dense.analytic_norm[name], rel=1e-12)


# --- the check can fail ------------------------------------------------------------------


def test_a_wrong_activation_derivative_fails_the_check(monkeypatch):
    """tanh' off by a factor 1.5: the layers below the tanh layer fail, the top does not."""
    wrong = dataclasses.replace(ACTIVATIONS["tanh"], derivative=lambda Z, A: 1.5 * (1 - A**2))
    monkeypatch.setitem(ACTIVATIONS, "tanh", wrong)
    X, y = make_data("sigmoid")
    network = make_network("tanh", 1, "sigmoid", X)
    report = check_gradients(network, X, y)
    assert not report.passed
    assert report["W1"] > 1e-2
    assert report["b1"] > 1e-2
    assert report["W2"] < 1e-6  # the output layer's gradient does not pass through tanh'
    assert report.max_error > 1e-2


def test_a_wrong_jacobian_product_fails_the_check(monkeypatch):
    """An activation's own step dZ = J^T dA, when it has one, is what backward uses."""
    tanh = ACTIVATIONS["tanh"]
    wrong = dataclasses.replace(tanh, jacobian_product=lambda Z, A, dA: dA * (1 - A))
    monkeypatch.setitem(ACTIVATIONS, "tanh", wrong)
    X, y = make_data("identity")
    report = check_gradients(make_network("tanh", 1, "identity", X), X, y)
    assert report["W1"] > 1e-2 and report["W2"] < 1e-6


def corrupt(monkeypatch, change) -> None:
    """Make ``check_gradients`` see backprop's gradients after ``change(grads)``."""
    real = glassnet.core.gradcheck.backward

    def wrong(*args, **kwargs):
        grads = real(*args, **kwargs)
        change(grads, *args, **kwargs)
        return grads

    monkeypatch.setattr(glassnet.core.gradcheck, "backward", wrong)


def test_a_corrupted_gradient_fails_the_check(monkeypatch):
    corrupt(monkeypatch, lambda grads, *args, **kwargs: grads.dW[2].__imul__(1.05))
    X, y = make_data("identity3")
    network = make_network("relu", 2, "identity3", X)
    report = check_gradients(network, X, y)
    assert not report.passed
    assert report["W2"] > 1e-2
    assert report["W1"] < 1e-6 and report["W3"] < 1e-6


def test_a_gradient_missing_its_l2_term_fails_the_check(monkeypatch):
    def drop_l2(grads, network, trace, Y, sample_weight=None, l2=0.0):
        for l in grads.dW:
            grads.dW[l] -= l2 * network.W[l]

    corrupt(monkeypatch, drop_l2)
    X, y = make_data("softmax3")
    network = make_network("tanh", 1, "softmax3", X)
    assert check_gradients(network, X, y).passed  # nothing to drop without a penalty
    report = check_gradients(network, X, y, alpha=1.0)
    assert not report.passed
    assert report["W1"] > 1e-2 and report["W2"] > 1e-2
    assert report["b1"] < 1e-6  # biases carry no penalty


def test_a_gradient_ignoring_sample_weight_fails_the_check(monkeypatch):
    real = glassnet.core.gradcheck.backward

    def unweighted(network, trace, Y, sample_weight=None, l2=0.0):
        return real(network, trace, Y, None, l2)

    monkeypatch.setattr(glassnet.core.gradcheck, "backward", unweighted)
    X, y = make_data("sigmoid")
    network = make_network("tanh", 1, "sigmoid", X)
    weights = np.linspace(0.1, 5.0, N_SAMPLES)
    report = check_gradients(network, X, y, sample_weight=weights)
    assert not report.passed
    assert report.max_error > 1e-2


EMBEDDING = {"embedding": 3, "embedding_sigma": 0.7}


@pytest.mark.parametrize("weighted", [False, True], ids=["mean", "sample-weight"])
@pytest.mark.parametrize("depth", [0, 2])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_an_embedding_network_matches_finite_differences(hidden, output, depth, weighted):
    """F and P, then every W[l] and b[l], of a network whose first layer is the embedding."""
    X, y = make_data(output, seed=5)
    network = make_network(hidden, depth, output, X, **EMBEDDING)
    weights = np.random.default_rng(6).uniform(0.0, 3.0, N_SAMPLES) if weighted else None
    report = check_gradients(network, X, y, sample_weight=weights, alpha=0.3)
    assert list(report.relative_error)[:2] == ["F", "P"]
    assert_checked_and_passed(report, network)


@pytest.mark.parametrize("output", ["sigmoid", "softmax3", "exp"])
def test_an_embedding_network_with_a_fixed_dropout_mask(output):
    X, y = make_data(output, seed=7)
    network = make_network("relu", 2, output, X, **EMBEDDING)
    report = check_gradients(network, X, y, dropout=0.3, random_state=2)
    assert_checked_and_passed(report, network)


def test_a_wrong_embedding_derivative_fails_the_check(monkeypatch):
    """dF without its factor 2 pi x, and dP with sin for cos: each fails on its own array."""
    real = glassnet.core.network.embedding_backward

    def without_2_pi(*args):
        dF, dP = real(*args)
        return dF / (2 * np.pi), dP

    monkeypatch.setattr(glassnet.core.network, "embedding_backward", without_2_pi)
    X, y = make_data("softmax3")
    network = make_network("tanh", 1, "softmax3", X, **EMBEDDING)
    report = check_gradients(network, X, y)
    assert report["F"] > 1e-2 and report["P"] < 1e-6 and report["W1"] < 1e-6

    def sine_for_cosine(embedding, X, theta, dA0, weights):
        return real(embedding, X, theta - np.pi / 2, dA0, weights)  # cos(t - pi/2) = sin(t)

    monkeypatch.setattr(glassnet.core.network, "embedding_backward", sine_for_cosine)
    report = check_gradients(network, X, y)
    assert report["F"] > 1e-2 and report["P"] > 1e-2 and report["W1"] < 1e-6


def test_the_tolerance_decides_passed():
    X, y = make_data("identity")
    network = make_network("tanh", 1, "identity", X)
    report = check_gradients(network, X, y, tolerance=1e-30)
    assert report.tolerance == 1e-30
    assert report.max_error > 0  # finite differences are never exact
    assert not report.passed


def test_bad_inputs_are_refused():
    X, y = make_data("sigmoid")
    network = make_network("tanh", 1, "sigmoid", X)
    with pytest.raises(InputError, match="same length"):
        check_gradients(network, X, y[:-1])
    with pytest.raises(InputError, match="1-D"):
        check_gradients(network, X[:, 0], y)
    with pytest.raises(InputError, match="0 and 1"):
        check_gradients(network, X, y + 1)
