"""PyTorch as an independent oracle: same weights, same cost, autograd's gradients."""

import numpy as np
import pytest

from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.network import Network, backward, cost, encode_targets, forward

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_HIDDEN = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "leaky_relu": lambda Z: F.leaky_relu(Z, negative_slope=0.01),
    "identity": lambda Z: Z,
}
OUTPUTS = {
    "sigmoid": ("sigmoid", 1),
    "sigmoid2-multilabel": ("sigmoid", 2),
    "softmax3": ("softmax", 3),
    "identity": ("identity", 1),
    "identity3": ("identity", 3),
}
N_SAMPLES = 9


def torch_cost(output: str, Z, Y, weights=None):
    """glassnet's definitions, from the logits: the per-sample loss sums over outputs,
    the cost is the (weighted) mean over samples."""
    if output == "sigmoid":
        per_sample = F.binary_cross_entropy_with_logits(Z, Y, reduction="none").sum(dim=1)
    elif output == "softmax":
        per_sample = -(Y * F.log_softmax(Z, dim=1)).sum(dim=1)
    else:
        per_sample = 0.5 * ((Z - Y) ** 2).sum(dim=1)
    if weights is None:
        return per_sample.mean()
    return (per_sample * weights).sum() / weights.sum()


def torch_output(output: str, Z):
    return {"sigmoid": torch.sigmoid, "softmax": lambda Z: torch.softmax(Z, dim=1)}.get(
        output, lambda Z: Z
    )(Z)


def setup(hidden: str, output_case: str, depth: int, seed: int = 0):
    output, k = OUTPUTS[output_case]
    rng = np.random.default_rng(seed)
    network = Network([4, *(5, 3, 4)[:depth], k], hidden=hidden, output=output, random_state=seed)
    for l in network.b:
        network.b[l][...] = rng.normal(0, 0.3, network.b[l].shape)
    X = rng.normal(size=(N_SAMPLES, 4))
    return network, X, encode_targets(network, labels(output, N_SAMPLES, k, rng))


def labels(output: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """0/1 labels (sigmoid), class indices with every class present (softmax), or values."""
    if output == "sigmoid":
        return rng.integers(0, 2, (n, k))
    if output == "softmax":
        return rng.permutation(np.arange(n) % k)
    return rng.normal(size=(n, k))


def torch_pass(network: Network, X, Y, weights=None, l2: float = 0.0):
    """Forward and backward in torch (float64) with copies of glassnet's W, b."""
    W = {l: torch.tensor(w, requires_grad=True) for l, w in network.W.items()}
    b = {l: torch.tensor(v, requires_grad=True) for l, v in network.b.items()}
    A = torch.tensor(X)
    Zs, As = {}, {}
    for l in range(1, network.n_layers + 1):
        Z = A @ W[l] + b[l]  # glassnet's convention: W[l] is (n_in, n_out)
        Z.retain_grad()
        Zs[l] = Z
        last = l == network.n_layers
        A = torch_output(network.output, Z) if last else TORCH_HIDDEN[network.hidden[l - 1]](Z)
        As[l] = A
    w = None if weights is None else torch.tensor(weights)
    J = torch_cost(network.output, Zs[network.n_layers], torch.tensor(Y), w)
    J = J + 0.5 * l2 * sum((W[l] ** 2).sum() for l in W)
    J.backward()
    return J, W, b, Zs, As


CASES = [
    pytest.param(hidden, output, depth, id=f"{hidden}-depth{depth}-{output}")
    for hidden in HIDDEN_ACTIVATIONS
    for output in OUTPUTS
    for depth in (1, 3)
] + [pytest.param("relu", output, 0, id=f"depth0-{output}") for output in OUTPUTS]


@pytest.mark.parametrize(("hidden", "output", "depth"), CASES)
def test_forward_cost_and_gradients_match_autograd(hidden, output, depth):
    network, X, Y = setup(hidden, output, depth)
    J, W, b, Zs, As = torch_pass(network, X, Y)
    trace = forward(network, X)
    grads = backward(network, trace, Y)
    assert cost(network, trace, Y) == pytest.approx(J.item(), rel=1e-12, abs=1e-14)
    for l in W:
        np.testing.assert_allclose(trace.Z[l], Zs[l].detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trace.A[l], As[l].detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(grads.dW[l], W[l].grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grads.db[l], b[l].grad.numpy(), rtol=1e-10, atol=1e-12)
        # glassnet's dZ[l] is per sample, dL_i/dZ; autograd's is dJ/dZ = dL_i/dZ / n
        dZ = N_SAMPLES * Zs[l].grad.numpy()
        np.testing.assert_allclose(grads.dZ[l], dZ, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", ["tanh", "leaky_relu"])
def test_weighted_and_penalised_gradients_match_autograd(hidden, output):
    network, X, Y = setup(hidden, output, 2, seed=5)
    weights = np.random.default_rng(6).uniform(0.0, 3.0, N_SAMPLES)
    J, W, b, _, _ = torch_pass(network, X, Y, weights, l2=0.05)
    trace = forward(network, X)
    grads = backward(network, trace, Y, weights, l2=0.05)
    assert cost(network, trace, Y, weights, l2=0.05) == pytest.approx(J.item(), rel=1e-12)
    for l in W:
        np.testing.assert_allclose(grads.dW[l], W[l].grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grads.db[l], b[l].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_torch_losses_agree_with_glassnets_from_the_logits():
    """The oracle's cost-from-logits equals glassnet's loss of the same logits."""
    rng = np.random.default_rng(7)
    for output, k in OUTPUTS.values():
        network = Network([2, k], output=output)
        Z = rng.normal(0, 2, (6, k))
        Y = encode_targets(network, labels(output, 6, k, rng))
        expected = torch_cost(output, torch.tensor(Z), torch.tensor(Y)).item()
        assert network.loss.fn(Y, Z) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_the_cost_at_huge_logits_matches_torch_in_each_dtype(output, dtype):
    """BCEWithLogits and log_softmax at logits up to +-1000, where the probabilities are
    exactly 0 or 1: the costs agree to the dtype's precision (before: capped at -log eps).

    The absolute 1e-16 allows for torch's log(1 + e^-40), which rounds to 0 where
    glassnet's log1p keeps 4.2e-18 (the true value)."""
    k = 1 if output == "sigmoid" else 3
    network = Network([1, k], output=output, dtype=dtype)
    network.W[1][...] = [[1.0, -1.0, 0.5][:k]]
    X = np.array([[40.0], [-40.0], [100.0], [-1000.0], [1000.0], [17.0]], dtype=dtype)
    y = labels(output, len(X), k, np.random.default_rng(8))
    Y = encode_targets(network, y)
    trace = forward(network, X)
    torch_dtype = getattr(torch, dtype)
    Z = torch.tensor(trace.Z[1], dtype=torch_dtype)
    for rows in ([0], [1], [2], [3], [4], [5], list(range(len(X)))):
        expected = torch_cost(output, Z[rows], torch.tensor(Y[rows], dtype=torch_dtype)).item()
        got = cost(network, forward(network, X[rows]), Y[rows])
        assert got == pytest.approx(expected, rel=4 * float(np.finfo(dtype).eps), abs=1e-16)
