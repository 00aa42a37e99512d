"""Gradient clipping by the global norm: by hand, in the loop, in the History, on the estimators.

torch's ``clip_grad_norm_`` is the oracle in ``tests/test_torch_oracle.py``.
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from glassnet.core.clipping import EPSILON, clip_by_global_norm, global_norm
from glassnet.core.network import Network, backward, encode_targets, forward
from glassnet.errors import DivergenceError, InputError
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.training.loop import train


def test_the_global_norm_and_a_clip_by_hand():
    dW, db = np.array([[3.0, 0.0]]), np.array([4.0])  # sqrt(9 + 16) = 5
    assert global_norm([dW, db]) == 5.0
    before = clip_by_global_norm([dW, db], 1.0)
    assert before == 5.0
    factor = 1.0 / (5.0 + EPSILON)  # torch's max_norm / (norm + 1e-6)
    np.testing.assert_allclose(dW, [[3.0 * factor, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(db, [4.0 * factor], rtol=1e-15)
    np.testing.assert_allclose([dW[0, 0], db[0]], [0.6, 0.8], atol=1e-6)  # length 1, same way


def test_gradients_within_the_norm_are_left_alone():
    grads = [np.array([0.3, -0.4])]
    assert clip_by_global_norm(grads, 0.5 + 2 * EPSILON) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads[0], [0.3, -0.4])
    zeros = [np.zeros(3)]
    assert clip_by_global_norm(zeros, 1e-3) == 0.0 and not zeros[0].any()


def regression(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, 5 * X[:, 0] - 2 * X[:, 1]


def test_a_clipped_gradient_descent_step_worked_by_hand():
    """One full-batch step: W <- W - lr * g * clip / ||g||, the whole gradient as one vector."""
    X, y = regression()
    network = Network([3, 1], output="identity", random_state=0)
    start = network.copy()
    history = train(network, X, y, epochs=1, learning_rate=0.1, clip_norm=0.5)
    grads = backward(start, forward(start, X), encode_targets(start, y)).as_list()
    norm = math.sqrt(sum(float((g**2).sum()) for g in grads))
    assert norm > 0.5  # so the step was clipped
    for W, W0, g in zip(network.parameters(), start.parameters(), grads, strict=True):
        np.testing.assert_allclose(W, W0 - 0.1 * g * 0.5 / (norm + EPSILON), rtol=1e-14)
    assert history["clipped_steps"] == [1.0]
    assert history["max_grad_norm"] == [pytest.approx(norm, rel=1e-14)]


def test_the_history_counts_the_clipped_steps_of_each_epoch():
    X, y = regression(64)
    network = Network([3, 8, 1], output="identity", random_state=0)
    history = train(
        network, X, y, epochs=30, batch_size=16, learning_rate=0.05, clip_norm=2.0, random_state=0
    )
    clipped, largest = history["clipped_steps"], history["max_grad_norm"]
    assert len(clipped) == len(largest) == 30
    assert all(0 <= c <= 4 and c == int(c) for c in clipped)  # 4 steps an epoch
    assert clipped[0] == 4 and largest[0] > 2.0  # the first steps are steep
    assert clipped[-1] < 4 and largest[-1] < largest[0]  # then the gradient shrinks
    assert all((c > 0) == (m > 2.0) for c, m in zip(clipped, largest, strict=True))


def test_no_clip_norm_adds_no_columns_and_a_huge_one_changes_nothing():
    X, y = regression()
    plain, loose = (Network([3, 4, 1], output="identity", random_state=0) for _ in range(2))
    history = train(plain, X, y, epochs=10, learning_rate=0.05)
    loosened = train(loose, X, y, epochs=10, learning_rate=0.05, clip_norm=1e9)
    assert "clipped_steps" not in history and "max_grad_norm" not in history
    assert loosened["clipped_steps"] == [0.0] * 10
    for mine, theirs in zip(loose.parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_clipping_keeps_a_run_that_diverged_finite():
    """The learning rate that sends plain descent to inf moves at most lr * clip per step."""
    X, y = regression()
    with pytest.raises(DivergenceError):
        train(
            Network([3, 8, 1], output="identity", random_state=0),
            X,
            y * 100,
            epochs=200,
            learning_rate=0.5,
        )
    network = Network([3, 8, 1], output="identity", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the cost may well rise: it stays finite
        history = train(network, X, y * 100, epochs=200, learning_rate=0.5, clip_norm=1.0)
    assert all(math.isfinite(c) for c in history.cost)
    assert all(np.isfinite(p).all() for p in network.parameters())


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), True, "1"])
def test_a_bad_clip_norm_is_an_input_error(bad):
    with pytest.raises(InputError, match="clip_norm must be a number above 0"):
        train(Network([3, 1], output="identity"), *regression(), epochs=1, clip_norm=bad)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_estimators_clip_and_record_it(Estimator):
    X, y = regression(80)
    target = (y > 0).astype(int) if Estimator is MLPClassifier else y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        settings = {"hidden_layer_sizes": (6,), "max_iter": 5, "random_state": 0}
        model = Estimator(**settings, clip_norm=0.1).fit(X, target)
        plain = Estimator(**settings).fit(X, target)
    assert model.history_["clipped_steps"][0] == 1  # 80 rows: one batch an epoch
    assert model.history_["max_grad_norm"][0] > 0.1
    assert "clipped_steps" not in plain.history_
    assert not np.array_equal(model.coefs_[0], plain.coefs_[0])


def test_estimators_refuse_a_bad_clip_norm_and_clipping_with_lbfgs():
    X, y = regression(20)
    with pytest.raises(InvalidParameterError, match="clip_norm"):
        MLPRegressor(clip_norm=0.0).fit(X, y)
    with pytest.raises(InputError, match=r"clip_norm works inside glassnet\.train"):
        MLPRegressor(solver="lbfgs", clip_norm=1.0).fit(X, y)


def test_the_command_line_clips_and_trains_with_adamw(tmp_path):
    import csv
    import json

    from click.testing import CliRunner

    from glassnet import cli

    out = tmp_path / "run"
    arguments = ["train", "--data", "moons", "--iterations", "5", "--out", str(out)]
    arguments += ["--optimizer", "adamw", "--weight-decay", "0.1", "--lr", "0.01"]
    result = CliRunner().invoke(cli.cli, [*arguments, "--clip-norm", "0.05"])
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert (config["optimizer"], config["weight_decay"], config["clip_norm"]) == (
        "adamw",
        0.1,
        0.05,
    )
    rows = list(csv.DictReader((out / "history.csv").open()))
    assert [float(row["clipped_steps"]) for row in rows] == [1.0] * 5  # one full batch an epoch
    assert all(float(row["max_grad_norm"]) > 0.05 for row in rows)
    refused = CliRunner().invoke(
        cli.cli, ["train", "--data", "moons", "--weight-decay", "0.1", "--out", str(tmp_path / "x")]
    )
    assert refused.exit_code == 2 and "weight_decay applies only to the adamw" in refused.stderr
