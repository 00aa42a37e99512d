"""Dropout: inverted masks in the Trace, backprop through them, seeded, off at predict time.

A hidden layer l with rate p gets M[l] = keep / (1 - p), keep ~ Bernoulli(1 - p); the
next layer reads A[l] * M[l]; backward multiplies dA[l] by M[l]. The gradient check with
a fixed mask is in ``tests/test_gradcheck.py`` and autograd through the same mask in
``tests/test_torch_oracle.py``.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from glassnet.core.dropout import check_dropout, draw_masks
from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.errors import InputError
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.training.loop import train
from glassnet.viz.explain import explain_step


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


# --- the rates and the masks ------------------------------------------------------------------


def test_one_rate_for_every_hidden_layer_or_one_each():
    assert check_dropout(0.25, 3) == {1: 0.25, 2: 0.25, 3: 0.25}
    assert check_dropout([0.1, 0.0, 0.5], 3) == {1: 0.1, 3: 0.5}  # rate 0: no mask at all
    assert check_dropout((0, 0), 2) == {}
    assert check_dropout(None, 2) == {}
    assert check_dropout(np.float32(0.5), 1) == {1: 0.5}
    assert check_dropout(0.5, 0) == {}  # no hidden layer, nothing to drop


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, float("nan"), True, "0.5", [0.1, None]])
def test_a_rate_outside_zero_to_one_is_an_input_error(bad):
    with pytest.raises(InputError, match="dropout must be a rate in"):
        check_dropout(bad, 2)


def test_a_list_of_the_wrong_length_says_how_many_are_needed():
    with pytest.raises(InputError, match=r"lists 3 rate\(s\) but the network has 2 hidden"):
        check_dropout([0.1, 0.2, 0.3], 2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_masks_are_zero_or_one_over_one_minus_p_and_average_one(dtype):
    masks = draw_masks({1: 0.2, 2: 0.6}, [3, 500, 400, 1], 300, np.random.default_rng(0), dtype)
    assert set(masks) == {1, 2}
    for l, p in {1: 0.2, 2: 0.6}.items():
        assert masks[l].shape == (300, (500, 400)[l - 1]) and masks[l].dtype == dtype
        values = np.unique(masks[l])
        np.testing.assert_allclose(values, [0.0, 1 / (1 - p)], rtol=1e-7)
        assert (masks[l] == 0).mean() == pytest.approx(p, abs=0.01)  # dropped with probability p
        assert masks[l].mean() == pytest.approx(1.0, abs=0.02)  # E[M] = 1: inverted scaling


def test_masks_are_seeded_and_no_rates_draw_nothing():
    first = draw_masks({1: 0.5}, [2, 8, 1], 5, np.random.default_rng(7), "float64")
    again = draw_masks({1: 0.5}, [2, 8, 1], 5, np.random.default_rng(7), "float64")
    np.testing.assert_array_equal(first[1], again[1])
    rng = np.random.default_rng(7)
    assert draw_masks({}, [2, 8, 1], 5, rng, "float64") == {}
    assert rng.random() == np.random.default_rng(7).random()  # the Generator was not touched


# --- forward and backward, by hand -------------------------------------------------------------


def tiny_network() -> Network:
    """1-2-1, identity everywhere: X = 2, W1 = [1, -1], W2 = [0.5, 3], b2 = 1."""
    return Network.from_weights(
        [[[1.0, -1.0]], [[0.5], [3.0]]], [[0.0, 0.0], [1.0]], hidden="identity", output="identity"
    )


def test_a_masked_forward_and_backward_worked_by_hand():
    network = tiny_network()
    X, Y = np.array([[2.0]]), np.array([[1.0]])
    M1 = np.array([[2.0, 0.0]])  # p = 0.5: unit 1 kept (scaled by 2), unit 2 dropped
    trace = forward(network, X, {1: M1})
    # Z1 = A1 = [2, -2]; layer 2 reads A1 * M1 = [4, 0]; Z2 = 4 * 0.5 + 0 * 3 + 1 = 3
    np.testing.assert_array_equal(trace.A[1], [[2.0, -2.0]])  # A1 = g(Z1), unmasked
    np.testing.assert_array_equal(trace.mask[1], M1)
    np.testing.assert_array_equal(trace.dropped[1], [[4.0, 0.0]])
    np.testing.assert_array_equal(trace.layer_input(2), [[4.0, 0.0]])
    np.testing.assert_array_equal(trace.Z[2], [[3.0]])
    assert cost(network, trace, Y) == 2.0  # 1/2 (3 - 1)^2
    grads = backward(network, trace, Y)
    # dZ2 = 3 - 1 = 2; dW2 = (A1 * M1)^T dZ2 = [8, 0]; db2 = 2
    np.testing.assert_array_equal(grads.dW[2], [[8.0], [0.0]])
    np.testing.assert_array_equal(grads.db[2], [2.0])
    # dA1 = dZ2 W2^T * M1 = [1, 6] * [2, 0] = [2, 0]; dZ1 = dA1; dW1 = X^T dZ1 = [4, 0]
    np.testing.assert_array_equal(grads.dA[1], [[2.0, 0.0]])
    np.testing.assert_array_equal(grads.dW[1], [[4.0, 0.0]])
    np.testing.assert_array_equal(grads.db[1], [2.0, 0.0])


def test_forward_without_a_mask_drops_nothing():
    X, _ = blobs(10)
    network = Network([4, 6, 5, 1], hidden="tanh", random_state=0)
    plain, empty = forward(network, X), forward(network, X, {})
    assert plain.mask == {} and plain.dropped == {} and empty.mask == {}
    ones = forward(network, X, {1: np.ones((10, 6)), 2: np.ones((10, 5))})
    for l in network.W:
        np.testing.assert_array_equal(plain.Z[l], empty.Z[l])
        np.testing.assert_array_equal(plain.Z[l], ones.Z[l])  # a mask of ones changes nothing


# --- training ----------------------------------------------------------------------------------


def test_the_first_step_uses_a_mask_drawn_from_the_runs_seed():
    """Full batch: the run's Generator draws the epoch's mask first (nothing is shuffled)."""
    X, y = blobs(30)
    network = Network([4, 8, 1], hidden="relu", random_state=0)
    expected = network.copy()
    train(network, X, y, epochs=1, learning_rate=0.5, dropout=0.4, random_state=3)
    mask = draw_masks({1: 0.4}, expected.layer_sizes, 30, np.random.default_rng(3), "float64")
    grads = backward(expected, forward(expected, X, mask), encode_targets(expected, y))
    for W, dW in zip(expected.parameters(), grads.as_list(), strict=True):
        W -= 0.5 * dW
    for mine, theirs in zip(network.parameters(), expected.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_dropout_zero_is_training_without_dropout_bit_for_bit():
    X, y = blobs()
    runs = []
    for dropout in (None, 0.0, [0.0, 0.0]):
        network = Network([4, 6, 5, 1], random_state=0)
        runs.append(
            (
                network,
                train(network, X, y, epochs=5, batch_size=16, dropout=dropout, random_state=1),
            )
        )
    for network, history in runs[1:]:
        assert history.cost == runs[0][1].cost
        for mine, theirs in zip(network.parameters(), runs[0][0].parameters(), strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    X, y = blobs()
    finals = {}
    for seed in (0, 0, 1):
        network = Network([4, 8, 1], random_state=0)
        train(
            network,
            X,
            y,
            epochs=10,
            batch_size=20,
            dropout=0.5,
            random_state=seed,
            learning_rate=0.1,
        )
        finals.setdefault(seed, []).append(network.W[1].copy())
    np.testing.assert_array_equal(finals[0][0], finals[0][1])
    assert not np.array_equal(finals[0][0], finals[1][0])


def test_predicting_after_dropout_training_is_deterministic_and_unscaled():
    X, y = blobs()
    network = Network([4, 8, 1], random_state=0)
    train(network, X, y, epochs=20, dropout=0.5, random_state=0)
    first, second = network.predict_output(X), network.predict_output(X)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, forward(network, X).output)  # no mask, no 1/(1-p)


def test_the_recorded_cost_is_the_masked_one():
    X, y = blobs(40)
    network = Network([4, 8, 1], hidden="tanh", random_state=0)
    start = network.copy()
    history = train(network, X, y, epochs=1, dropout=0.5, random_state=2)
    mask = draw_masks({1: 0.5}, start.layer_sizes, 40, np.random.default_rng(2), "float64")
    Y = encode_targets(start, y)
    assert history.cost[0] == cost(start, forward(start, X, mask), Y)
    assert history.cost[0] != cost(start, forward(start, X), Y)


def test_dropout_with_a_wrong_number_of_rates_is_refused_before_training():
    network = Network([4, 8, 1], random_state=0)
    before = network.W[1].copy()
    with pytest.raises(InputError, match="one rate per hidden layer"):
        train(network, *blobs(), epochs=2, dropout=[0.1, 0.2])
    np.testing.assert_array_equal(network.W[1], before)


# --- the estimators ---------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_estimators_take_one_rate_or_one_per_hidden_layer(Estimator):
    X, y = blobs()
    settings = {"hidden_layer_sizes": (8, 6), "max_iter": 20, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = Estimator(**settings).fit(X, y)
        zero = Estimator(**settings, dropout=0.0).fit(X, y)
        one = Estimator(**settings, dropout=0.3).fit(X, y)
        each = Estimator(**settings, dropout=[0.3, 0.3]).fit(X, y)
        other = Estimator(**settings, dropout=[0.5, 0.1]).fit(X, y)
    np.testing.assert_array_equal(zero.coefs_[0], plain.coefs_[0])
    np.testing.assert_array_equal(each.coefs_[0], one.coefs_[0])  # one rate = the same for each
    assert not np.array_equal(one.coefs_[0], plain.coefs_[0])
    assert not np.array_equal(other.coefs_[0], one.coefs_[0])
    np.testing.assert_array_equal(one.predict(X), one.predict(X))  # predict drops nothing


@pytest.mark.parametrize("bad", [1.0, -0.2, True, "half"])
def test_estimators_refuse_a_bad_rate_with_scikit_learns_error(bad):
    with pytest.raises(InvalidParameterError, match="dropout"):
        MLPClassifier(dropout=bad).fit(*blobs(20))


def test_estimators_refuse_a_list_of_the_wrong_length_or_lbfgs():
    with pytest.raises(InputError, match="one rate per hidden layer"):
        MLPClassifier(hidden_layer_sizes=(4,), dropout=[0.1, 0.2]).fit(*blobs(20))
    with pytest.raises(InputError, match="solver='lbfgs' does not use"):
        MLPClassifier(solver="lbfgs", dropout=0.2).fit(*blobs(20))


# --- explain -----------------------------------------------------------------------------------


def test_explain_shows_the_masked_step():
    X, y = blobs(6)
    network = Network([4, 3, 2, 1], hidden="tanh", random_state=0)
    explanation = explain_step(network, X, y, dropout=[0.5, 0.0], random_state=4)
    steps = {step.name: step for step in explanation.steps}
    mask = draw_masks({1: 0.5}, network.layer_sizes, 6, np.random.default_rng(4), "float64")[1]
    np.testing.assert_array_equal(steps["M1"].value, mask)
    np.testing.assert_array_equal(steps["A1 * M1"].value, steps["A1"].value * mask)
    assert "M2" not in steps  # rate 0 for the second hidden layer
    assert steps["Z2"].formula == "Z2 = (A1 * M1) W2 + b2"
    assert steps["dW2"].formula == "dW2 = (A1 * M1)^T dZ2 / m"
    assert steps["dA1"].formula == "dA1 = dZ2 W2^T * M1"
    np.testing.assert_array_equal(steps["dA1"].value[mask == 0], 0.0)
    text = explanation.render()
    assert "M1 = (U >= 0.5) / (1 - 0.5)" in text and "what layer 2 reads" in text
    plain = explain_step(network, X, y)
    assert "M1" not in {step.name for step in plain.steps}


def test_the_command_line_takes_dropout_one_rate_or_one_per_layer(tmp_path):
    import json

    from click.testing import CliRunner

    from glassnet import cli

    def run(*args):
        out = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        arguments = ["train", "--data", "moons", "--hidden", "8,4", "--iterations", "5"]
        result = CliRunner().invoke(cli.cli, [*arguments, "--out", str(out), *args])
        return result, out

    result, out = run("--dropout", "0.2,0.1")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "config.json").read_text())["dropout"] == [0.2, 0.1]
    _, plain_out = run()
    _, one_out = run("--dropout", "0.3")
    assert json.loads((one_out / "config.json").read_text())["dropout"] == 0.3
    costs = [(folder / "history.csv").read_text() for folder in (plain_out, one_out)]
    assert costs[0] != costs[1]  # the masked costs differ from the plain ones
    for bad in ("1.0", "0.1,0.2,0.3", "half"):
        refused, _ = run("--dropout", bad)
        assert refused.exit_code == 2 and "dropout" in refused.stderr
