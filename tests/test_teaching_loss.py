"""Squared error on a sigmoid output: the TensorFlow Playground's loss, kept for teaching.

It is the one loss that is not its output's pair, so its output gradient is not the fused
A - Y but (A - Y) A (1 - A). Checked against finite differences and PyTorch, and shown to
vanish where cross-entropy's does not: the lesson it is there to teach.
"""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import glassnet as gn
from glassnet.core.network import backward, cost, encode_targets, forward
from glassnet.errors import InputError


@pytest.fixture
def data():
    X, y = make_moons(n_samples=60, noise=0.2, random_state=0)
    return X, y


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid"])
def test_its_gradients_match_finite_differences(data, hidden):
    net = gn.Network([2, 6, 3, 1], hidden=hidden, loss="squared_error", random_state=1)
    errors = gn.check_gradients(net, *data).relative_error
    assert max(errors.values()) < 1e-6


def test_its_cost_and_gradients_match_torch(data):
    torch = pytest.importorskip("torch")
    X, y = data
    net = gn.Network([2, 5, 1], hidden="tanh", loss="squared_error", random_state=2)
    Y = encode_targets(net, y)
    trace = forward(net, X)
    grads = backward(net, trace, Y)
    W = [torch.tensor(net.W[l], requires_grad=True) for l in (1, 2)]
    b = [torch.tensor(net.b[l], requires_grad=True) for l in (1, 2)]
    A1 = torch.tanh(torch.tensor(X) @ W[0] + b[0])
    A2 = torch.sigmoid(A1 @ W[1] + b[1])
    J = 0.5 * ((A2 - torch.tensor(Y)) ** 2).sum(dim=1).mean()  # 1/(2n) sum (a - y)^2
    J.backward()
    assert cost(net, trace, Y) == pytest.approx(J.item(), rel=1e-12)
    for l in (1, 2):
        np.testing.assert_allclose(grads.dW[l], W[l - 1].grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(grads.db[l], b[l - 1].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_a_confidently_wrong_sigmoid_learns_nothing_under_squared_error():
    X, y = np.array([[1.0]]), np.array([0])
    W, b = [np.array([[12.0]])], [np.array([0.0])]  # sigma(12) = 0.999994: wrong and sure
    squared = gn.Network.from_weights(W, b, output="sigmoid", loss="squared_error")
    crossed = gn.Network.from_weights(W, b, output="sigmoid")
    dZ_squared = backward(squared, forward(squared, X), encode_targets(squared, y)).dZ[1]
    dZ_crossed = backward(crossed, forward(crossed, X), encode_targets(crossed, y)).dZ[1]
    assert abs(dZ_crossed[0, 0]) > 0.99  # A - Y: the full error
    assert abs(dZ_squared[0, 0]) < 1e-5  # (A - Y) A (1 - A): the sigmoid's flat tail


def test_the_loss_survives_copies_and_model_files(data, tmp_path):
    X, y = data
    net = gn.Network([2, 4, 1], hidden="tanh", loss="squared_error", random_state=0)
    gn.train(net, X, y, learning_rate=0.5, epochs=20)
    assert net.copy().loss.name == "squared_error"
    gn.save(net, tmp_path / "net.npz")
    loaded = gn.load(tmp_path / "net.npz")
    assert loaded.loss.name == "squared_error"
    assert cost(loaded, forward(loaded, X), encode_targets(loaded, y)) == cost(
        net, forward(net, X), encode_targets(net, y)
    )


def test_an_output_refuses_a_loss_it_does_not_take():
    with pytest.raises(InputError, match="identity output takes the loss 'squared_error'"):
        gn.Network([2, 3, 1], output="identity", loss="cross_entropy")
    assert gn.Network([2, 3, 1], loss="binary_cross_entropy").loss.gradient is None


def test_explain_writes_its_own_cost_and_output_gradient(data):
    X, y = data
    net = gn.Network([2, 3, 1], hidden="tanh", loss="squared_error", random_state=0)
    text = gn.explain(net, X[:8], y[:8])
    assert "dZ2 = (A2 - Y) * A2 * (1 - A2)" in text
    assert "J = 1/(2m) sum((A2 - Y)**2)" in text
    assert "dZ2 = A2 - Y" not in text
