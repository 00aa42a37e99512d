"""Callbacks: hook order, PrintCost, EarlyStopping, request_stop and Ctrl-C."""

import os
import re
import signal

import numpy as np
import pytest

from glassnet import (
    Adam,
    Callback,
    DivergenceError,
    EarlyStopping,
    InputError,
    Network,
    PrintCost,
    train,
)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 10)
    X = rng.normal(size=(20, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)
    return X, y


@pytest.fixture
def overfitting():
    """A small noisy training set and a large clean validation set: the validation cost
    of a wide network falls for a few epochs and then rises."""
    from sklearn.datasets import make_moons

    X, y = make_moons(40, noise=0.5, random_state=1)
    X_val, y_val = make_moons(200, noise=0.2, random_state=2)
    return X, y, X_val, y_val


class Recorder(Callback):
    """Appends (name, hook) to a shared list at every hook."""

    def __init__(self, calls, name=""):
        self.calls, self.name = calls, name

    def on_train_begin(self, state):
        self.calls.append((self.name, "train_begin"))

    def on_epoch_begin(self, state):
        self.calls.append((self.name, "epoch_begin"))

    def on_step_end(self, state):
        self.calls.append((self.name, "step_end"))

    def on_epoch_end(self, state):
        self.calls.append((self.name, "epoch_end"))

    def on_train_end(self, state):
        self.calls.append((self.name, "train_end"))


class Snapshots(Callback):
    """Copies the weights at the end of every epoch."""

    def on_train_begin(self, state):
        self.taken = []

    def on_epoch_end(self, state):
        self.taken.append([p.copy() for p in state.network.parameters()])


def hooks(calls):
    return [hook for _, hook in calls]


# --- hook order ------------------------------------------------------------------------------


def test_hooks_run_in_order(blobs):
    calls = []
    train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=2,
        batch_size=8,
        callbacks=[Recorder(calls)],
    )
    epoch = ["epoch_begin", "step_end", "step_end", "step_end", "epoch_end"]  # ceil(20 / 8) = 3
    assert hooks(calls) == ["train_begin", *epoch, *epoch, "train_end"]


def test_several_callbacks_run_in_list_order_at_each_hook(blobs):
    calls = []
    train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=1,
        callbacks=[Recorder(calls, "a"), Recorder(calls, "b")],
    )
    assert calls == [
        ("a", "train_begin"), ("b", "train_begin"),
        ("a", "epoch_begin"), ("b", "epoch_begin"),
        ("a", "step_end"), ("b", "step_end"),
        ("a", "epoch_end"), ("b", "epoch_end"),
        ("a", "train_end"), ("b", "train_end"),
    ]  # fmt: skip


def test_every_overridden_hook_runs_however_it_was_given(blobs):
    """Only the base's no-op hooks are skipped: a hook inherited from a subclass, one set on
    the instance, and one of an object that is not a Callback at all still run."""
    calls = []

    class Inherits(Recorder):  # every hook from Recorder, none of its own
        pass

    on_instance = Callback()
    on_instance.on_epoch_end = lambda state: calls.append(("instance", "epoch_end"))

    class DuckTyped:  # the five hooks, without Callback as a base
        def __getattr__(self, name):
            return lambda state: calls.append(("duck", name.removeprefix("on_")))

    train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=1,
        callbacks=[Inherits(calls, "sub"), on_instance, DuckTyped()],
    )
    assert calls == [
        ("sub", "train_begin"), ("duck", "train_begin"),
        ("sub", "epoch_begin"), ("duck", "epoch_begin"),
        ("sub", "step_end"), ("duck", "step_end"),
        ("sub", "epoch_end"), ("instance", "epoch_end"), ("duck", "epoch_end"),
        ("sub", "train_end"), ("duck", "train_end"),
    ]  # fmt: skip


def test_state_seen_by_the_hooks(blobs):
    seen = []

    class Look(Callback):
        def on_step_end(self, state):
            seen.append(("step", state.epoch, state.step, state.step_cost))

        def on_epoch_end(self, state):
            seen.append(("epoch", state.epoch, len(state.history), state.history.last("cost")))

    history = train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=2,
        batch_size=10,
        callbacks=[Look()],
        record_steps=True,
        shuffle=False,
    )
    c = history.step_cost
    assert seen == [
        ("step", 0, 1, c[0]), ("step", 0, 2, c[1]), ("epoch", 0, 1, history.cost[0]),
        ("step", 1, 3, c[2]), ("step", 1, 4, c[3]), ("epoch", 1, 2, history.cost[1]),
    ]  # fmt: skip


def test_train_end_runs_after_a_divergence(blobs):
    calls = []
    X, y = blobs
    with pytest.raises(DivergenceError), np.errstate(over="ignore", invalid="ignore"):
        train(
            Network([2, 16, 1], output="identity", random_state=0),
            X * 1e6,
            y.astype(float),
            learning_rate=1e6,
            epochs=100,
            callbacks=[Recorder(calls)],
        )
    assert hooks(calls)[-1] == "train_end"


# --- PrintCost ---------------------------------------------------------------------------------


def test_print_cost_prints_the_tutorial_lines(blobs, capsys):
    history = train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=1201,
        learning_rate=0.1,
        callbacks=[PrintCost(every=500)],
    )
    lines = capsys.readouterr().out.splitlines()
    pattern = re.compile(r"Cost after iteration (\d+): (\d+\.\d{6})")
    matches = [pattern.fullmatch(line) for line in lines]
    assert all(matches), lines
    assert [int(m.group(1)) for m in matches] == [0, 500, 1000, 1200]
    for m in matches:
        assert float(m.group(2)) == pytest.approx(history.cost[int(m.group(1))], abs=5e-7)
    assert float(matches[0].group(2)) > float(matches[-1].group(2))


def test_print_cost_does_not_repeat_a_last_epoch_on_the_grid(blobs, capsys):
    train(Network([2, 3, 1], random_state=0), *blobs, epochs=11, callbacks=[PrintCost(every=5)])
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[3].rstrip(":")) for line in lines] == [0, 5, 10]


def test_print_cost_adds_the_validation_cost(blobs, capsys):
    X, y = blobs
    history = train(
        Network([2, 3, 1], random_state=0),
        X,
        y,
        epochs=3,
        validation=(X[:5], y[:5]),
        callbacks=[PrintCost(every=1)],
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        m = re.fullmatch(r"Cost after iteration (\d+): (\S+)  \(validation (\S+)\)", line)
        assert m and int(m.group(1)) == epoch
        assert float(m.group(3)) == pytest.approx(history["val_cost"][epoch], abs=5e-7)


@pytest.mark.parametrize("every", [0, -5, 2.5])
def test_print_cost_rejects_bad_every(every):
    with pytest.raises(InputError, match="every"):
        PrintCost(every=every)


# --- EarlyStopping -----------------------------------------------------------------------------


def test_early_stopping_stops_records_and_restores_the_best(overfitting):
    X, y, X_val, y_val = overfitting
    network = Network([2, 64, 64, 1], random_state=0)
    snapshots = Snapshots()
    stopper = EarlyStopping(patience=10)
    history = train(
        network,
        X,
        y,
        optimizer=Adam(0.001),
        epochs=400,
        validation=(X_val, y_val),
        callbacks=[snapshots, stopper],
    )
    best = int(np.argmin(history["val_cost"]))  # first minimum of the monitored column
    assert best > 0
    assert history.best_epoch == best
    assert len(history) == best + 10 + 1 < 400  # ten epochs without improvement, then stop
    assert "early stopping" in history.stop_reason
    assert f"best epoch {best}" in history.stop_reason
    # the network ends with the weights it had at the end of the best epoch, not the last
    for restored, kept in zip(network.parameters(), snapshots.taken[best], strict=True):
        np.testing.assert_array_equal(restored, kept)
    assert not np.array_equal(snapshots.taken[-1][0], snapshots.taken[best][0])


def test_early_stopping_without_restore_keeps_the_last_weights(overfitting):
    X, y, X_val, y_val = overfitting
    network = Network([2, 64, 64, 1], random_state=0)
    snapshots = Snapshots()
    history = train(
        network,
        X,
        y,
        optimizer=Adam(0.001),
        epochs=400,
        validation=(X_val, y_val),
        callbacks=[snapshots, EarlyStopping(patience=10, restore_best=False)],
    )
    assert len(history) < 400
    for last, kept in zip(network.parameters(), snapshots.taken[-1], strict=True):
        np.testing.assert_array_equal(last, kept)


def expected_stop(costs, patience, min_delta):
    """The epoch at which the rule 'no improvement by more than min_delta for patience
    epochs' stops, or None."""
    best, waited = np.inf, 0
    for epoch, value in enumerate(costs):
        if value < best - min_delta:
            best, waited = value, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch
    return None


def test_early_stopping_honours_min_delta(blobs):
    # full-batch descent with a small rate: the training cost falls a little every epoch
    free = train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=60,
        learning_rate=0.05,
        callbacks=[EarlyStopping(patience=5, min_delta=0.0)],
    )
    assert len(free) == 60  # strict decrease, never stalls
    assert all(np.diff(free.cost) < 0)
    strict = train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=60,
        learning_rate=0.05,
        callbacks=[EarlyStopping(patience=5, min_delta=0.02)],
    )
    stop = expected_stop(free.cost, patience=5, min_delta=0.02)
    assert stop is not None and stop < 59
    assert len(strict) == stop + 1
    assert strict.cost == free.cost[: stop + 1]


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"patience": 0}, "patience"),
        ({"patience": 2.0}, "patience"),
        ({"min_delta": -1.0}, "min_delta"),
    ],
)
def test_early_stopping_rejects_bad_arguments(options, name):
    with pytest.raises(InputError, match=name):
        EarlyStopping(**options)


# --- stopping from a callback, and Ctrl-C ------------------------------------------------


class StopAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, state):
        if state.epoch == self.epoch:
            state.request_stop("enough for today")


def test_request_stop_ends_training_after_that_epoch(blobs):
    calls = []
    history = train(
        Network([2, 3, 1], random_state=0),
        *blobs,
        epochs=100,
        callbacks=[StopAt(4), Recorder(calls)],
    )
    assert len(history) == 5 and history["epoch"][-1] == 4
    assert history.stop_reason == "enough for today"
    assert not history.interrupted
    # the other callbacks still saw the stopping epoch's end, and the end of training
    assert hooks(calls)[-2:] == ["epoch_end", "train_end"]


def test_a_finished_run_says_so(blobs):
    history = train(Network([2, 3, 1], random_state=0), *blobs, epochs=3)
    assert history.stop_reason == "finished the requested epochs"
    assert history.best_epoch is None and not history.interrupted


class CtrlC(Callback):
    """Sends SIGINT to this process at the end of one epoch, as a user's Ctrl-C would."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, state):
        if state.epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals")
def test_ctrl_c_ends_training_cleanly_after_the_epoch(blobs):
    network = Network([2, 3, 1], random_state=0)
    handler_before = signal.getsignal(signal.SIGINT)
    with pytest.warns(UserWarning, match="interrupted") as caught:
        history = train(network, *blobs, epochs=100, batch_size=4, callbacks=[CtrlC(3)])
    assert history.interrupted
    assert len(history) == 4 and history["epoch"][-1] == 3
    assert "interrupted" in history.stop_reason
    assert "last epoch's weights" in str(caught[0].message)
    assert all(np.isfinite(p).all() for p in network.parameters())
    assert signal.getsignal(signal.SIGINT) is handler_before  # the handler is put back


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals")
def test_ctrl_c_with_early_stopping_keeps_the_best_weights(overfitting):
    X, y, X_val, y_val = overfitting
    network = Network([2, 64, 64, 1], random_state=0)
    snapshots = Snapshots()
    with pytest.warns(UserWarning, match="best epoch's weights"):
        history = train(
            network,
            X,
            y,
            optimizer=Adam(0.001),
            epochs=400,
            validation=(X_val, y_val),
            callbacks=[snapshots, EarlyStopping(patience=100), CtrlC(40)],
        )
    assert history.interrupted and len(history) == 41
    best = int(np.argmin(history["val_cost"]))
    assert history.best_epoch == best < 40
    for restored, kept in zip(network.parameters(), snapshots.taken[best], strict=True):
        np.testing.assert_array_equal(restored, kept)


def test_early_stopping_on_full_batch_cost_restores_the_weights_that_scored_it():
    """The full-batch cost of epoch e is scored before e's update: restore those weights."""
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    network = Network([2, 4, 1], hidden="tanh", random_state=0)
    initial = [p.copy() for p in network.parameters()]
    stopper = EarlyStopping(patience=3, min_delta=1.0)  # only epoch 0 ever counts as best
    history = train(network, X, y, learning_rate=0.5, epochs=50, callbacks=[stopper])
    assert history.best_epoch == 0 and len(history) == 4
    for restored, before in zip(network.parameters(), initial, strict=True):
        assert np.array_equal(restored, before)  # the weights the epoch-0 cost was computed with


# --- numbers: Python or NumPy, never booleans ------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: EarlyStopping(patience=True),
        lambda: EarlyStopping(patience=np.True_),
        lambda: EarlyStopping(min_delta=True),
        lambda: EarlyStopping(min_delta="0.1"),
        lambda: EarlyStopping(min_delta=None),
        lambda: EarlyStopping(min_delta=float("nan")),
        lambda: PrintCost(every=True),
        lambda: PrintCost(every=np.float64(10)),
    ],
    ids=[
        "patience-True",
        "patience-np.True_",
        "min_delta-True",
        "min_delta-str",
        "min_delta-None",
        "min_delta-nan",
        "every-True",
        "every-float",
    ],
)
def test_booleans_and_non_numbers_are_refused_with_an_input_error(build):
    with pytest.raises(InputError, match=r"(patience|min_delta|every) must be"):
        build()


def test_numpy_numbers_stop_as_python_numbers_do(overfitting):
    X, y, X_val, y_val = overfitting
    runs = []
    for patience, min_delta in [(np.int64(4), np.float32(0.01)), (4, 0.01)]:
        network = Network([2, 30, 1], random_state=0)
        stopper = EarlyStopping(patience=patience, min_delta=min_delta)
        assert type(stopper.patience) is int and type(stopper.min_delta) is float
        history = train(
            network,
            X,
            y,
            epochs=300,
            learning_rate=0.5,
            validation=(X_val, y_val),
            callbacks=[stopper],
            random_state=0,
        )
        runs.append((history.as_dict(), [p.copy() for p in network.parameters()]))
    (first, first_weights), (second, second_weights) = runs
    assert first == second and first["stop_reason"].startswith("early stopping")
    for p, q in zip(first_weights, second_weights, strict=True):
        np.testing.assert_array_equal(p, q)
    assert PrintCost(every=np.int64(5)).every == 5
