"""PyTorch as an independent oracle: same weights, same cost, autograd's gradients.

Also the pieces beyond scikit-learn: the Poisson output (``F.poisson_nll_loss``),
backpropagation through a dropout mask, ``torch.optim.AdamW`` and
``torch.nn.utils.clip_grad_norm_``; the periodic + linear numeric embedding, label
smoothing (``F.cross_entropy(..., label_smoothing=eps)``) and Adam with beta2 = 0.95.
"""

import numpy as np
import pytest

from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.clipping import clip_by_global_norm
from glassnet.core.dropout import draw_masks
from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.core.optimizers import Adam, AdamW
from glassnet.training.loop import train

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
    "exp": ("exp", 1),
    "exp3": ("exp", 3),
}
N_SAMPLES = 9


def torch_cost(output: str, Z, Y, weights=None):
    """glassnet's definitions, from the logits: the per-sample loss sums over outputs,
    the cost is the (weighted) mean over samples."""
    if output == "sigmoid":
        per_sample = F.binary_cross_entropy_with_logits(Z, Y, reduction="none").sum(dim=1)
    elif output == "softmax":
        per_sample = -(Y * F.log_softmax(Z, dim=1)).sum(dim=1)
    elif output == "exp":  # torch's e^z - y z, plus the constant y log y - y of the deviance
        poisson = F.poisson_nll_loss(Z, Y, log_input=True, full=False, reduction="none")
        per_sample = (poisson + torch.xlogy(Y, Y) - Y).sum(dim=1)
    else:
        per_sample = 0.5 * ((Z - Y) ** 2).sum(dim=1)
    if weights is None:
        return per_sample.mean()
    return (per_sample * weights).sum() / weights.sum()


def torch_output(output: str, Z):
    return {
        "sigmoid": torch.sigmoid,
        "softmax": lambda Z: torch.softmax(Z, dim=1),
        "exp": torch.exp,
    }.get(output, lambda Z: Z)(Z)


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
    if output == "exp":
        return rng.poisson(1.5, (n, k))  # counts, some of them 0
    return rng.normal(size=(n, k))


def torch_pass(network: Network, X, Y, weights=None, l2: float = 0.0, embedding=None):
    """Forward and backward in torch (float64) with copies of glassnet's W, b.

    ``embedding`` holds the tensors ``"F"`` and ``"P"`` of a numeric embedding (their
    ``.grad`` filled by the backward pass): A[0] = [X, sin(2 pi F x + P)].
    """
    W = {l: torch.tensor(w, requires_grad=True) for l, w in network.W.items()}
    b = {l: torch.tensor(v, requires_grad=True) for l, v in network.b.items()}
    A = torch.tensor(X)
    if embedding is not None:
        theta = 2 * torch.pi * embedding["F"] * A[:, :, None] + embedding["P"]  # (n, n_x, K)
        A = torch.cat([A, torch.sin(theta).reshape(len(X), -1)], dim=1)
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


# --- dropout, AdamW and clipping -----------------------------------------------------------


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax3", "exp"])
def test_backprop_through_a_dropout_mask_matches_autograd(hidden, output):
    """torch computes Z[l+1] = (g(Z[l]) * M[l]) W[l+1] + b with glassnet's own masks."""
    network, X, Y = setup(hidden, output, 2, seed=11)
    masks = draw_masks(
        {1: 0.5, 2: 0.25}, network.layer_sizes, N_SAMPLES, np.random.default_rng(3), "float64"
    )
    trace = forward(network, X, masks)
    grads = backward(network, trace, Y)
    W = {l: torch.tensor(w, requires_grad=True) for l, w in network.W.items()}
    b = {l: torch.tensor(v, requires_grad=True) for l, v in network.b.items()}
    A = torch.tensor(X)
    for l in range(1, network.n_layers + 1):
        Z = A @ W[l] + b[l]
        if l < network.n_layers:
            A = TORCH_HIDDEN[hidden](Z) * torch.tensor(masks[l])  # the dropped activation
    J = torch_cost(network.output, Z, torch.tensor(Y))
    J.backward()
    assert cost(network, trace, Y) == pytest.approx(J.item(), rel=1e-12)
    for l in W:
        np.testing.assert_allclose(grads.dW[l], W[l].grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grads.db[l], b[l].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_torch_dropout_scales_the_kept_units_as_glassnets_mask_does():
    """F.dropout keeps a unit as 1/(1 - p) and drops it to 0: glassnet's M[l] does the same."""
    p = 0.3
    torch.manual_seed(0)
    theirs = F.dropout(torch.ones(2000, 50, dtype=torch.float64), p=p, training=True).numpy()
    ours = draw_masks({1: p}, [1, 50], 2000, np.random.default_rng(0), "float64")[1]
    np.testing.assert_allclose(np.unique(theirs), [0.0, 1 / (1 - p)], rtol=1e-15)
    np.testing.assert_allclose(np.unique(ours), [0.0, 1 / (1 - p)], rtol=1e-15)
    assert abs(ours.mean() - 1) < 0.02 and abs(theirs.mean() - 1) < 0.02  # E[M] = 1
    assert abs((ours == 0).mean() - p) < 0.01 and abs((theirs == 0).mean() - p) < 0.01


@pytest.mark.parametrize(("weight_decay", "lr"), [(0.01, 0.01), (0.5, 0.05)])
def test_adamw_matches_torch_adamw(weight_decay, lr):
    """torch's AdamW with the biases in a group without decay, as glassnet decays W only."""
    rng = np.random.default_rng(4)
    shapes = ((3, 4), (4,), (4, 2), (2,))
    params = [rng.normal(size=shape) for shape in shapes]
    grads = [[rng.normal(size=shape) for shape in shapes] for _ in range(25)]
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    optimizer = torch.optim.AdamW(
        [
            {"params": [t for t in tensors if t.ndim == 2], "weight_decay": weight_decay},
            {"params": [t for t in tensors if t.ndim == 1], "weight_decay": 0.0},
        ],
        lr=lr,
    )
    ours = [p.copy() for p in params]
    adamw = AdamW(lr, weight_decay=weight_decay)
    for step in grads:
        for tensor, g in zip(tensors, step, strict=True):
            tensor.grad = torch.tensor(g)
        optimizer.step()
        adamw.step(ours, step)
    for got, tensor in zip(ours, tensors, strict=True):
        np.testing.assert_allclose(got, tensor.detach().numpy(), rtol=0, atol=1e-12)
    assert max(np.abs(g - p).max() for g, p in zip(ours, params, strict=True)) > 0.1


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e6])
def test_clipping_matches_torch_clip_grad_norm(max_norm):
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=shape) for shape in ((3, 4), (4,), (4, 2), (2,))]
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for tensor, g in zip(tensors, grads, strict=True):
        tensor.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    ours = [g.copy() for g in grads]
    norm = clip_by_global_norm(ours, max_norm)
    assert norm == pytest.approx(total.item(), rel=1e-14)
    for got, tensor in zip(ours, tensors, strict=True):
        np.testing.assert_allclose(got, tensor.grad.numpy(), rtol=1e-14, atol=0)
    clipped = max_norm < norm
    assert clipped == (max_norm < 1e6)  # the first two clip, the last leaves them alone


def test_a_clipped_training_step_matches_torch():
    """One step of train(clip_norm=...) = loss.backward, clip_grad_norm_, SGD.step in torch."""
    network, X, Y = setup("tanh", "softmax3", 2, seed=12)
    before = network.copy()
    train(network, X, Y, epochs=1, learning_rate=0.5, clip_norm=0.2)
    _, W, b, _, _ = torch_pass(before, X, Y)
    tensors = [t for l in W for t in (W[l], b[l])]
    torch.nn.utils.clip_grad_norm_(tensors, 0.2)
    with torch.no_grad():
        for tensor in tensors:
            tensor -= 0.5 * tensor.grad
    for mine, theirs in zip(network.parameters(), tensors, strict=True):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=0, atol=1e-13)


# --- the numeric embedding, label smoothing and Adam with beta2 = 0.95 ----------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("output", ["sigmoid", "softmax3", "identity3", "exp"])
def test_the_embedding_networks_pass_matches_autograd(output, weighted):
    """Forward, cost and every gradient (dF, dP, dW[l], db[l]) of an embedding network."""
    out, k = OUTPUTS[output]
    rng = np.random.default_rng(13)
    network = Network(
        [4, 5, 3, k], hidden="tanh", output=out, random_state=2, embedding=3, embedding_sigma=0.5
    )
    X = rng.normal(size=(N_SAMPLES, 4))
    Y = encode_targets(network, labels(out, N_SAMPLES, k, rng))
    weights = rng.uniform(0.2, 3.0, N_SAMPLES) if weighted else None
    tensors = {
        "F": torch.tensor(network.embedding.F, requires_grad=True),
        "P": torch.tensor(network.embedding.P, requires_grad=True),
    }
    J, W, b, Zs, _ = torch_pass(network, X, Y, weights, l2=0.03, embedding=tensors)
    trace = forward(network, X)
    grads = backward(network, trace, Y, weights, l2=0.03)
    assert cost(network, trace, Y, weights, l2=0.03) == pytest.approx(J.item(), rel=1e-12)
    np.testing.assert_allclose(grads.dF, tensors["F"].grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads.dP, tensors["P"].grad.numpy(), rtol=1e-10, atol=1e-12)
    for l in W:
        np.testing.assert_allclose(trace.Z[l], Zs[l].detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(grads.dW[l], W[l].grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grads.db[l], b[l].grad.numpy(), rtol=1e-10, atol=1e-12)
    assert np.abs(grads.dF).max() > 1e-4 and np.abs(grads.dP).max() > 1e-4


@pytest.mark.parametrize("eps", [0.1, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_label_smoothing_matches_torch_cross_entropy(eps, weighted):
    """F.cross_entropy(Z, classes, label_smoothing=eps): the same cost and dJ/dZ."""
    network, X, _ = setup("relu", "softmax3", 2, seed=14)
    classes = np.random.default_rng(15).permutation(np.arange(N_SAMPLES) % 3)
    weights = np.random.default_rng(16).uniform(0.2, 3.0, N_SAMPLES) if weighted else None
    Y = encode_targets(network, classes, label_smoothing=eps)
    trace = forward(network, X)
    Z = torch.tensor(trace.Z[network.n_layers], requires_grad=True)
    per_sample = F.cross_entropy(Z, torch.tensor(classes), label_smoothing=eps, reduction="none")
    s = torch.ones(N_SAMPLES, dtype=torch.float64) if weights is None else torch.tensor(weights)
    J = (per_sample * s).sum() / s.sum()
    J.backward()
    assert cost(network, trace, Y, weights) == pytest.approx(J.item(), rel=1e-12)
    grads = backward(network, trace, Y, weights)
    share = np.full(N_SAMPLES, 1 / N_SAMPLES) if weights is None else weights / weights.sum()
    dZ = grads.dZ[network.n_layers]  # per sample: dJ/dZ_i = share_i dL_i/dZ_i
    np.testing.assert_allclose(dZ * share[:, None], Z.grad.numpy(), rtol=1e-10, atol=1e-14)
    _, W, _, _, _ = torch_pass(network, X, Y, weights)
    for l in W:
        np.testing.assert_allclose(grads.dW[l], W[l].grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_sigmoid_label_smoothing_matches_bce_on_smoothed_targets(eps):
    """BCEWithLogits against y' = (1 - eps) y + eps / 2: the same cost and dJ/dZ."""
    network, X, Y_hard = setup("tanh", "sigmoid2-multilabel", 2, seed=17)
    Y = encode_targets(network, Y_hard, label_smoothing=eps)
    trace = forward(network, X)
    Z = torch.tensor(trace.Z[network.n_layers], requires_grad=True)
    smoothed = torch.tensor(Y_hard) * (1 - eps) + eps / 2
    J = F.binary_cross_entropy_with_logits(Z, smoothed, reduction="sum") / N_SAMPLES
    J.backward()
    assert cost(network, trace, Y) == pytest.approx(J.item(), rel=1e-12)
    dZ = backward(network, trace, Y).dZ[network.n_layers]
    np.testing.assert_allclose(dZ, N_SAMPLES * Z.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dZ, trace.output - smoothed.numpy(), rtol=1e-14)


def test_adam_with_beta2_095_matches_torch_adam():
    """Adam(beta2=0.95), RealMLP's choice, is torch.optim.Adam(betas=(0.9, 0.95)) for 20 steps."""
    rng = np.random.default_rng(18)
    shapes = ((3, 4), (3, 4), (4,), (4, 2), (2,))  # e.g. F, P, W[1], W[2], b[2]
    params = [rng.normal(size=shape) for shape in shapes]
    grads = [[rng.normal(size=shape) for shape in shapes] for _ in range(20)]
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    optimizer = torch.optim.Adam(tensors, lr=0.05, betas=(0.9, 0.95))
    ours, default = [p.copy() for p in params], [p.copy() for p in params]
    adam, adam_default = Adam(0.05, beta2=0.95), Adam(0.05)
    for step in grads:
        for tensor, g in zip(tensors, step, strict=True):
            tensor.grad = torch.tensor(g)
        optimizer.step()
        adam.step(ours, step)
        adam_default.step(default, step)
    for got, tensor in zip(ours, tensors, strict=True):
        np.testing.assert_allclose(got, tensor.detach().numpy(), rtol=0, atol=1e-12)
    assert max(np.abs(g - p).max() for g, p in zip(ours, params, strict=True)) > 0.3
    # beta2 = 0.999 ends elsewhere: the comparison can tell the two apart
    assert max(np.abs(a - b).max() for a, b in zip(ours, default, strict=True)) > 1e-3
