"""The periodic + linear numeric embedding (core/embedding.py), label smoothing (core/targets.py).

Numbers worked by hand, the gradients against central differences, the network built,
copied and rebuilt from its arrays, and training with it (train and the Engine) by seed.
"""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.core.embedding import PeriodicEmbedding, embed, embedding_backward
from glassnet.core.gradcheck import check_gradients
from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.errors import InputError
from glassnet.training.engine import start


def embedded_net(output: str = "sigmoid", k: int = 1, **kwargs) -> Network:
    options = {"hidden": "tanh", "random_state": 0, "embedding": 3, "embedding_sigma": 0.8}
    return Network([2, 4, k], output=output, **{**options, **kwargs})


def data(n: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def test_embed_by_hand():
    """x = [0.5, -1], F = [[0.25], [0.5]], P = [[0], [pi/2]]: theta = [pi/4, -pi + pi/2]."""
    embedding = PeriodicEmbedding(np.array([[0.25], [0.5]]), np.array([[0.0], [math.pi / 2]]))
    X = np.array([[0.5, -1.0]])
    A0, theta = embed(embedding, X)
    np.testing.assert_allclose(theta, [[[math.pi / 4], [-math.pi / 2]]], rtol=1e-15)
    np.testing.assert_allclose(A0, [[0.5, -1.0, math.sqrt(0.5), -1.0]], rtol=1e-15, atol=1e-16)


def test_embedding_columns_are_feature_major():
    """Column n_x + j K + k of A[0] is sin(2 pi F[j, k] x_j + P[j, k])."""
    net = embedded_net()
    X, _ = data()
    A0 = forward(net, X).A[0]
    F, P = net.embedding.F, net.embedding.P
    assert A0.shape == (12, 2 * (1 + 3)) and net.W[1].shape == (8, 4)
    np.testing.assert_array_equal(A0[:, :2], X)
    for j in range(2):
        for k in range(3):
            expected = np.sin(2 * math.pi * F[j, k] * X[:, j] + P[j, k])
            np.testing.assert_allclose(A0[:, 2 + 3 * j + k], expected, rtol=1e-14, atol=1e-15)


def test_embedding_backward_by_hand():
    """One sample, one feature, one sine: dF = dE cos(theta) 2 pi x, dP = dE cos(theta)."""
    embedding = PeriodicEmbedding(np.array([[0.25]]), np.array([[0.0]]))
    X = np.array([[0.5]])  # theta = pi / 4
    _, theta = embed(embedding, X)
    dF, dP = embedding_backward(embedding, X, theta, np.array([[7.0, 2.0]]), None)
    np.testing.assert_allclose(dP, [[2.0 * math.sqrt(0.5)]], rtol=1e-15)
    np.testing.assert_allclose(dF, [[2.0 * math.sqrt(0.5) * 2 * math.pi * 0.5]], rtol=1e-15)


def test_embedding_backward_takes_the_weighted_mean():
    embedding = PeriodicEmbedding(np.array([[0.25]]), np.array([[0.0]]))
    X = np.array([[0.5], [0.0]])  # theta = pi / 4 and 0
    _, theta = embed(embedding, X)
    dA0 = np.array([[0.0, 2.0], [0.0, 1.0]])
    _, dP = embedding_backward(embedding, X, theta, dA0, np.array([0.25, 0.75]))
    np.testing.assert_allclose(dP, [[0.25 * 2 * math.sqrt(0.5) + 0.75 * 1.0]], rtol=1e-15)
    _, dP_mean = embedding_backward(embedding, X, theta, dA0, None)
    np.testing.assert_allclose(dP_mean, [[(2 * math.sqrt(0.5) + 1.0) / 2]], rtol=1e-15)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("output", "k"), [("sigmoid", 1), ("softmax", 3), ("identity", 2)])
def test_the_embedding_networks_gradients_pass_the_check(output, k, weighted):
    net = embedded_net(output, k)
    X, labels = data()
    y = {"sigmoid": labels, "softmax": np.arange(12) % 3}.get(output, X @ np.ones((2, k)))
    weights = np.random.default_rng(1).uniform(0.1, 3, 12) if weighted else None
    report = check_gradients(net, X, y, sample_weight=weights, alpha=0.1)
    assert list(report.relative_error)[:2] == ["F", "P"]
    assert report.passed, report.relative_error
    assert report.analytic_norm["F"] > 1e-6 and report.analytic_norm["P"] > 1e-6


def test_parameters_and_gradients_line_up():
    net = embedded_net()
    X, y = data()
    grads = backward(net, forward(net, X), encode_targets(net, y))
    params = net.parameters()
    assert params[0] is net.embedding.F and params[1] is net.embedding.P
    assert net.parameter_names() == ["F", "P", "W1", "b1", "W2", "b2"]
    assert [g.shape for g in grads.as_list()] == [p.shape for p in params]
    assert grads.as_list()[0] is grads.dF and grads.dA[0].shape == (12, 8)
    np.testing.assert_allclose(grads.dA[0], grads.dZ[1] @ net.W[1].T, rtol=1e-15)


def test_without_an_embedding_nothing_changes():
    plain = Network([2, 4, 1], hidden="tanh", random_state=0)
    assert plain.embedding is None and plain.input_width == 2
    X, y = data()
    trace = forward(plain, X)
    grads = backward(plain, trace, encode_targets(plain, y))
    assert trace.A[0] is X and trace.theta is None and grads.dF is None
    assert 0 not in grads.dA and len(grads.as_list()) == 4
    assert "embedding" not in repr(plain)


def test_the_same_seed_draws_the_same_embedding_and_weights():
    a, b, other = embedded_net(), embedded_net(), embedded_net(random_state=1)
    for x, y in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.embedding.F, other.embedding.F)
    assert np.abs(a.embedding.P).max() <= math.pi


def test_initial_frequencies_follow_sigma():
    net = Network([50, 3, 1], random_state=0, embedding=40, embedding_sigma=0.5)
    assert net.embedding.F.std() == pytest.approx(0.5, rel=0.05)
    assert abs(net.embedding.F.mean()) < 0.02
    assert net.embedding.P.min() < -3 and net.embedding.P.max() > 3  # U(-pi, pi)


def test_from_weights_rebuilds_the_network_from_its_arrays():
    net = embedded_net("softmax", 3)
    rebuilt = Network.from_weights(
        net.W, net.b, net.hidden, net.output, F=net.embedding.F, P=net.embedding.P
    )
    assert rebuilt.layer_sizes == [2, 4, 3] and rebuilt.embedding.n_frequencies == 3
    X, _ = data()
    np.testing.assert_array_equal(rebuilt.predict_output(X), net.predict_output(X))
    assert rebuilt.embedding.F is not net.embedding.F  # copied
    copied = net.astype("float32")
    assert copied.embedding.F.dtype == np.float32 and copied.W[1].shape == (8, 4)
    assert "embedding=3" in repr(net)


def test_bad_embeddings_are_refused():
    net = embedded_net()
    F, P = net.embedding.F, net.embedding.P
    with pytest.raises(InputError, match="both F"):
        Network.from_weights(net.W, net.b, "tanh", F=F)
    with pytest.raises(InputError, match="shape"):
        Network.from_weights(net.W, net.b, "tanh", F=F, P=P[:, :2])
    with pytest.raises(InputError, match=r"W\[1\] must have shape \(6, 4\)"):
        Network.from_weights(net.W, net.b, "tanh", F=F[:, :2], P=P[:, :2])
    with pytest.raises(InputError, match="embedding"):
        Network([2, 1], embedding=0)
    with pytest.raises(InputError, match="embedding_sigma"):
        Network([2, 1], embedding=2, embedding_sigma=0)
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(InputError, match="dense X"):
        net.predict_output(sparse.csr_matrix(data()[0]))


OPTIONS = {"optimizer": "adam", "learning_rate": 0.02, "epochs": 30, "batch_size": 16}


def test_an_embedding_network_trains_the_same_by_seed():
    X, y = data(120)
    nets = [embedded_net(), embedded_net()]
    before = nets[0].copy()
    histories = [gn.train(net, X, y, random_state=3, **OPTIONS) for net in nets]
    for a, b in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert histories[0].cost[-1] < 0.6 * histories[0].cost[0]
    assert np.abs(nets[0].embedding.F - before.embedding.F).max() > 1e-3  # F learns too
    stepped = embedded_net()
    engine = start(stepped, X, y, random_state=3, **OPTIONS)
    while engine.step() is not None:
        pass
    for a, b in zip(nets[0].parameters(), stepped.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_embedding_helps_a_periodic_target():
    """y = sin(3 x): the plain network's 4 tanh units miss what 4 sines per feature catch."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (200, 1))
    y = np.sin(3 * X[:, 0])
    costs = {}
    for K in (None, 4):
        net = Network([1, 4, 1], hidden="tanh", output="identity", random_state=0, embedding=K)
        net_cost = gn.train(net, X, y, "adam", 300, 32, learning_rate=0.02, random_state=0)
        costs[K] = net_cost.cost[-1]
    assert costs[4] < 0.5 * costs[None], costs


def test_label_smoothing_by_hand():
    softmax = Network([2, 3], output="softmax")
    np.testing.assert_allclose(
        encode_targets(softmax, [2, 0], label_smoothing=0.3),
        [[0.1, 0.1, 0.8], [0.8, 0.1, 0.1]],  # (1 - 0.3) Y + 0.3 / 3
        rtol=1e-15,
    )
    sigmoid = Network([2, 1])
    np.testing.assert_allclose(
        encode_targets(sigmoid, [1, 0], label_smoothing=0.1), [[0.95], [0.05]], rtol=1e-15
    )
    np.testing.assert_array_equal(encode_targets(sigmoid, [1, 0]), [[1.0], [0.0]])


def test_label_smoothing_keeps_dZ_equal_to_A_minus_the_soft_targets():
    net = embedded_net("softmax", 3)
    X, _ = data()
    Y = encode_targets(net, np.arange(12) % 3, label_smoothing=0.2)
    trace = forward(net, X)
    np.testing.assert_allclose(Y.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(backward(net, trace, Y).dZ[2], trace.output - Y, rtol=1e-15)
    hard, uniform = encode_targets(net, np.arange(12) % 3), np.full((12, 3), 1 / 3)
    mixed = 0.8 * cost(net, trace, hard) + 0.2 * cost(net, trace, uniform)  # J is linear in Y
    assert cost(net, trace, Y) == pytest.approx(mixed, rel=1e-14)


def test_label_smoothing_is_refused_where_it_means_nothing():
    with pytest.raises(InputError, match="classification"):
        encode_targets(Network([2, 1], output="identity"), [0.5], label_smoothing=0.1)
    with pytest.raises(InputError, match="label_smoothing"):
        encode_targets(Network([2, 1]), [1], label_smoothing=1.0)
    with pytest.raises(InputError, match="label_smoothing"):
        encode_targets(Network([2, 1]), [1], label_smoothing=-0.1)
