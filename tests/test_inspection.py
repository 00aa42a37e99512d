"""GradientNorms: per-layer gradient and weight norms recorded into the History."""

import math

import numpy as np
import pytest
from sklearn.datasets import make_moons

import glassnet as gn
from glassnet.runs.folder import write_history
from glassnet.training.inspection import GradientNorms, layer_norms, set_last


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=300, noise=0.2, random_state=0)


def deep(hidden: str, init: str, seed: int = 0) -> gn.Network:
    """8 weight layers: 2 inputs, 7 hidden layers of 16, 1 sigmoid output."""
    return gn.Network(
        [2] + [16] * 7 + [1], hidden=hidden, output="sigmoid", init=init, random_state=seed
    )


def columns(prefix: str, n_layers: int) -> list[str]:
    return [f"{prefix}_W{l}" for l in range(1, n_layers + 1)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_sigmoid_net_shows_vanishing_gradients(moons, seed):
    X, y = moons
    network = deep("sigmoid", "glorot", seed)
    history = gn.train(network, X, y, learning_rate=0.1, epochs=10, callbacks=[GradientNorms(X, y)])
    first, last = history["grad_norm_W1"], history["grad_norm_W8"]
    ratios = np.array(first) / np.array(last)
    assert (ratios < 0.1).all(), (
        ratios
    )  # the first layer learns at under a tenth of the last's rate


def test_relu_net_norms_are_finite_and_positive(moons):
    X, y = moons
    network = deep("relu", "he")
    history = gn.train(
        network, X, y, learning_rate=0.05, epochs=10, callbacks=[GradientNorms(X, y)]
    )
    for name in columns("grad_norm", 8) + columns("weight_norm", 8):
        values = np.array(history[name])
        assert values.shape == (10,)
        assert np.isfinite(values).all() and (values > 0).all(), name


def test_recorded_values_equal_norms_of_backward(moons):
    X, y = moons
    network = gn.Network([2, 5, 3, 1], hidden="tanh", random_state=0)
    history = gn.train(network, X, y, learning_rate=0.1, epochs=3, callbacks=[GradientNorms(X, y)])
    trace = gn.forward(network, X)  # the final weights are the last epoch's end weights
    grads = gn.backward(network, trace, gn.encode_targets(network, y))
    for l in (1, 2, 3):
        assert history[f"grad_norm_W{l}"][-1] == pytest.approx(
            np.sqrt((grads.dW[l] ** 2).sum()), rel=1e-12
        )
        assert history[f"weight_norm_W{l}"][-1] == pytest.approx(
            np.sqrt((network.W[l] ** 2).sum()), rel=1e-12
        )


def test_every_epoch_is_measured_at_that_epochs_end_weights(moons):
    X, y = moons

    class Snapshot(gn.Callback):
        def __init__(self):
            self.norms = []

        def on_epoch_end(self, state):
            Y = gn.encode_targets(state.network, y)
            self.norms.append(layer_norms(state.network, np.asarray(X, dtype=float), Y))

    network = gn.Network([2, 4, 1], hidden="relu", random_state=1)
    snapshot = Snapshot()
    history = gn.train(
        network, X, y, learning_rate=0.5, epochs=4, callbacks=[GradientNorms(X, y), snapshot]
    )
    for epoch, expected in enumerate(snapshot.norms):
        for name, value in expected.items():
            assert history[name][epoch] == pytest.approx(value, rel=1e-12)
    assert len(set(history["grad_norm_W1"])) == 4  # the weights moved, so did the norms


def test_probe_sample_is_fixed_and_reproducible(moons):
    X, y = moons
    a = GradientNorms(X, y, max_samples=50, random_state=3)
    b = GradientNorms(X, y, max_samples=50, random_state=3)
    assert a.X.shape == (50, 2)
    np.testing.assert_array_equal(a.X, b.X)
    assert GradientNorms(X, y, max_samples=None).X.shape == (300, 2)
    assert GradientNorms(X, y, max_samples=1000).X.shape == (300, 2)


def test_works_with_mini_batches_softmax_and_float32(moons, tmp_path):
    X, y = moons
    network = gn.Network(
        [2, 6, 2], hidden="leaky_relu", output="softmax", dtype="float32", random_state=0
    )
    history = gn.train(
        network,
        X,
        y,
        learning_rate=0.1,
        epochs=3,
        batch_size=32,
        callbacks=[GradientNorms(X, y)],
        random_state=0,
    )
    assert np.isfinite(history["grad_norm_W2"]).all()
    write_history(tmp_path / "history.csv", history)  # the added columns have the History's length
    header = (tmp_path / "history.csv").read_text().splitlines()[0].split(",")
    assert header[-4:] == ["grad_norm_W1", "grad_norm_W2", "weight_norm_W1", "weight_norm_W2"]


def test_bad_probe_data_is_refused(moons):
    X, y = moons
    with pytest.raises(gn.InputError, match="samples"):
        GradientNorms(X, y[:10])
    with pytest.raises(gn.InputError, match="max_samples"):
        GradientNorms(X, y, max_samples=0)
    network = gn.Network([3, 2, 1], random_state=0)
    with pytest.raises(gn.InputError, match="features"):
        gn.train(network, np.ones((5, 3)), np.zeros(5), epochs=1, callbacks=[GradientNorms(X, y)])


def test_set_last_creates_a_nan_filled_column_and_sets_the_last_row():
    history = gn.History()
    history.append(epoch=0, cost=1.0)
    history.append(epoch=1, cost=0.5)
    set_last(history, "extra", 7.0)
    assert history["extra"][1] == 7.0 and math.isnan(history["extra"][0])
    set_last(history, "extra", 8.0)
    assert history["extra"][1] == 8.0
    history.append(epoch=2, cost=0.25)
    assert math.isnan(history["extra"][2])  # later rows start at NaN until set
    with pytest.raises(ValueError, match="no row"):
        set_last(gn.History(), "extra", 1.0)


def test_max_samples_takes_numpy_ints_and_refuses_booleans(moons):
    X, y = moons
    assert GradientNorms(X, y, max_samples=np.int64(50), random_state=0).X.shape == (50, 2)
    for bad in (True, np.True_, 50.0, "50"):
        with pytest.raises(gn.InputError, match="max_samples must be a whole number"):
            GradientNorms(X, y, max_samples=bad)


def test_from_checked_probes_the_same_rows_and_records_the_same_norms(moons, monkeypatch):
    import glassnet.training.inspection as inspection

    X, y = moons
    public = GradientNorms(X, y, max_samples=100, random_state=3)
    expected = gn.train(gn.Network([2, 4, 1], random_state=0), X, y, epochs=3, callbacks=[public])
    network = gn.Network([2, 4, 1], random_state=0)
    checked_X, Y = gn.validation.check_X(X), gn.encode_targets(network, y)

    def refuse(*args, **kwargs):
        raise AssertionError("from_checked must not check or encode again")

    monkeypatch.setattr(inspection, "check_X", refuse)
    monkeypatch.setattr(inspection, "encode_targets", refuse)
    checked = GradientNorms.from_checked(checked_X, Y, max_samples=100, random_state=3)
    np.testing.assert_array_equal(checked.X, public.X)
    np.testing.assert_array_equal(checked.y[:, 0], public.y)  # the same rows, encoded
    history = gn.train(network, X, y, epochs=3, callbacks=[checked])
    assert history.as_dict() == expected.as_dict()
    assert np.isfinite(history["grad_norm_W1"]).all()
