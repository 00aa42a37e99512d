"""Divergence, scikit-learn style.

``DivergenceError`` is also a ``ValueError``. A run that monitors a cost (a validation
set, or an EarlyStopping callback) and diverges after a finite best epoch restores that
epoch's weights, warns and returns; without one it raises, as before. The estimators
then behave as scikit-learn's: ``early_stopping=True`` keeps the best finite weights and
raises nothing, and without it a ``ValueError`` is raised.
"""

import math
import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.exceptions import ConvergenceWarning

import glassnet.estimators as gn
from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.errors import DivergenceError, DivergenceWarning, GlassnetError
from glassnet.training.callbacks import Callback, EarlyStopping, copy_weights
from glassnet.training.loop import train


def regression(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ np.array([3.0, -2.0, 1.0, 0.0])


class RaiseTheRate(Callback):
    """From epoch 10 on, triple the learning rate every epoch: the cost reaches inf later."""

    def on_epoch_end(self, state):
        if state.epoch >= 10:
            state.optimizer.learning_rate *= 3


class KeepEveryEpoch(Callback):
    """A copy of the weights at the end of every epoch."""

    def on_train_begin(self, state):
        self.weights = []

    def on_epoch_end(self, state):
        copy = state.network.copy()
        copy_weights(state.network, copy)
        self.weights.append(copy)


def network():
    return Network([4, 8, 1], hidden="tanh", output="identity", random_state=0)


def test_divergence_error_is_a_value_error_as_in_scikit_learn():
    assert issubclass(DivergenceError, ValueError)
    assert issubclass(DivergenceError, FloatingPointError)  # as before
    assert issubclass(DivergenceError, GlassnetError)
    with pytest.raises(ValueError, match="training diverged at epoch"):
        train(network(), *regression(), epochs=100, learning_rate=0.05, callbacks=[RaiseTheRate()])


def test_without_a_monitored_cost_divergence_raises_as_before():
    net = network()
    with pytest.raises(DivergenceError) as error:
        train(net, *regression(), epochs=100, learning_rate=0.05, callbacks=[RaiseTheRate()])
    message = str(error.value)
    assert "the cost became inf" in message and "Try a smaller learning rate" in message
    assert error.value.history.stop_reason == message
    assert len(error.value.history) > 10  # it did learn for a while first


def test_with_a_validation_set_the_best_epoch_is_restored_and_a_warning_given():
    X, y = regression()
    net, kept = network(), KeepEveryEpoch()
    with pytest.warns(DivergenceWarning, match=r"diverged at epoch \d+.*weights of epoch \d+"):
        history = train(
            net,
            X,
            y,
            epochs=100,
            learning_rate=0.05,
            validation=(X[:20], y[:20]),
            callbacks=[RaiseTheRate(), kept],
        )
    best = int(np.nanargmin(history.val_cost))
    assert history.best_epoch == best and 10 < best < len(history) - 1
    for mine, theirs in zip(net.parameters(), kept.weights[best].parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)  # the weights that scored the best val_cost
    trace = forward(net, X[:20])
    val_cost = cost(net, trace, encode_targets(net, y[:20]))
    assert val_cost == pytest.approx(min(history.val_cost), rel=1e-12)
    assert "diverged" in history.stop_reason and f"epoch {best}" in history.stop_reason
    assert all(math.isfinite(c) for c in history.cost)


def test_with_a_validation_fraction_too():
    net = network()
    with pytest.warns(DivergenceWarning):
        history = train(
            net,
            *regression(),
            epochs=100,
            learning_rate=0.05,
            validation=0.2,
            callbacks=[RaiseTheRate()],
            random_state=0,
        )
    assert history.best_epoch is not None
    assert all(np.isfinite(p).all() for p in net.parameters())


@pytest.mark.parametrize("restore_best", [True, False])
def test_with_early_stopping_the_best_training_cost_epoch_is_restored(restore_best):
    """Full batch without validation: the cost of epoch e is scored before its update, so
    the best weights are those at the start of the best epoch."""
    X, y = regression()
    net, kept = network(), KeepEveryEpoch()
    early = EarlyStopping(patience=50, restore_best=restore_best)
    with pytest.warns(DivergenceWarning):
        history = train(
            net, X, y, epochs=100, learning_rate=0.05, callbacks=[RaiseTheRate(), early, kept]
        )
    best = int(np.argmin(history.cost))
    assert history.best_epoch == best
    start_of_best = kept.weights[best - 1]  # the end of the epoch before = the start of best
    for mine, theirs in zip(net.parameters(), start_of_best.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert cost(net, forward(net, X), encode_targets(net, y)) == pytest.approx(history.cost[best])


class OverflowAtTheLastStepOf(Callback):
    """Make the weights inf after the last step of one epoch: its mean cost stays finite."""

    def __init__(self, epoch, steps_per_epoch):
        self.last_step = (epoch + 1) * steps_per_epoch

    def on_step_end(self, state):
        if state.step == self.last_step:
            state.network.W[1][0, 0] = np.inf


def test_an_epoch_whose_weights_overflowed_is_never_the_best_one_kept():
    """Mini-batches score an epoch with its end weights: an epoch whose last step overflowed
    has a finite cost but inf weights, and must not be what the fallback restores."""
    X, y = regression()
    net, kept = network(), KeepEveryEpoch()
    early = EarlyStopping(patience=50)
    callbacks = [OverflowAtTheLastStepOf(3, steps_per_epoch=4), early, kept]
    with pytest.warns(DivergenceWarning, match="weights of epoch 2"):
        history = train(
            net, X, y, epochs=10, batch_size=25, learning_rate=0.01, callbacks=callbacks
        )
    assert math.isfinite(history.cost[3]) and history.cost[3] < history.cost[2]  # looked best
    assert history.best_epoch == early.best_epoch == 2
    for mine, theirs in zip(net.parameters(), kept.weights[2].parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_diverging_before_any_finite_epoch_raises_even_when_monitored():
    X, y = regression()
    with pytest.raises(DivergenceError, match="epoch 0"):
        train(network(), X, y * 1e200, epochs=5, learning_rate=0.1, validation=0.2)


def test_a_run_that_does_not_diverge_is_unchanged_by_the_fallback():
    X, y = regression()
    monitored, plain = network(), network()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divergence warning, nor any other
        train(monitored, X, y, epochs=30, learning_rate=0.05, callbacks=[EarlyStopping(100)])
    early = EarlyStopping(100)
    train(plain, X, y, epochs=30, learning_rate=0.05, callbacks=[early])
    for mine, theirs in zip(monitored.parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


# --- the estimators, next to scikit-learn's ----------------------------------------------------


def fit_both(early_stopping: bool, learning_rate: float):
    """scikit-learn's and glassnet's MLPRegressor on the same data; the error or the model."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([3.0, -2.0, 1.0, 0.0]) + rng.normal(size=200)
    settings = {
        "hidden_layer_sizes": (16,),
        "solver": "sgd",
        "learning_rate_init": learning_rate,
        "early_stopping": early_stopping,
        "max_iter": 50,
        "random_state": 0,
    }
    outcomes = []
    for module in (sk, gn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", DivergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's overflow
            try:
                outcomes.append(module.MLPRegressor(**settings).fit(X, y))
            except ValueError as error:
                outcomes.append(error)
    return outcomes


@pytest.mark.parametrize("learning_rate", [0.5, 10.0])
def test_early_stopping_keeps_finite_weights_and_raises_nothing_as_scikit_learn(learning_rate):
    theirs, ours = fit_both(True, learning_rate)
    assert isinstance(theirs, sk.MLPRegressor) and isinstance(ours, gn.MLPRegressor)
    for model in (theirs, ours):
        assert all(np.isfinite(W).all() for W in model.coefs_)
        assert math.isfinite(model.best_validation_score_)


def test_early_stopping_warns_that_it_diverged():
    X, y = regression(200)
    model = gn.MLPRegressor(
        hidden_layer_sizes=(16,),
        solver="sgd",
        learning_rate_init=10.0,
        early_stopping=True,
        random_state=0,
    )
    with pytest.warns(DivergenceWarning, match="restored"):
        model.fit(X, y)
    assert model.n_iter_ == len(model.validation_scores_) >= 1


@pytest.mark.parametrize("learning_rate", [0.5, 10.0])
def test_without_early_stopping_both_raise_a_value_error(learning_rate):
    theirs, ours = fit_both(False, learning_rate)
    assert isinstance(theirs, ValueError) and "non-finite" in str(theirs)
    assert isinstance(ours, DivergenceError) and "learning rate" in str(ours)


# --- the command line: a full-batch run whose cost rose failed -----------------------------


def glassnet_train(*args):
    from click.testing import CliRunner

    from glassnet import cli

    return CliRunner().invoke(cli.cli, ["train", *map(str, args)], catch_exceptions=False)


def test_a_full_batch_run_whose_cost_rose_fails_and_writes_nothing(tmp_path):
    """The issue's run: --lr 1e9 keeps the exact cross-entropy finite, and rising."""
    out = tmp_path / "run"
    result = glassnet_train("--data", "cancer", "--lr", "1e9", "--iterations", 50, "--out", out)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: training failed: the cost rose from 0.7084")
    assert "learning rate 1e+09" in result.stderr and "--lr 1e+08" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists()  # the run folder was new: nothing is left


def test_a_failed_run_leaves_an_existing_folder_and_its_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = glassnet_train("--data", "cancer", "--lr", "1e9", "--iterations", 20, "--out", out)
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # no model, no checkpoint


def test_a_run_whose_cost_fell_still_succeeds(tmp_path):
    out = tmp_path / "run"
    result = glassnet_train("--data", "cancer", "--lr", "0.1", "--iterations", 50, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "model.npz").exists()


def test_mini_batches_are_not_held_to_the_rule(tmp_path):
    """A mini-batch epoch's cost is a mean over moving weights: only full batches are judged."""
    out = tmp_path / "run"
    result = glassnet_train(
        *("--data", "cancer", "--lr", "1e9", "--iterations", 5, "--batch-size", 64, "--out", out)
    )
    assert result.exit_code == 0, result.output
