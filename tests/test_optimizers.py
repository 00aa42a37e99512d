"""Optimizers: steps worked by hand, PyTorch as an oracle, state, in-place updates, arguments."""

import math

import numpy as np
import pytest

from glassnet import Adam, GradientDescent, InputError, make_optimizer
from glassnet.core.optimizers import OPTIMIZERS, AdamW, Optimizer

W0 = [1.0, -2.0]  # the parameter before any step
G1 = [0.5, -1.0]  # the first gradient
G2 = [0.25, 2.0]  # the second gradient
LR, MU = 0.1, 0.9


def run(optimizer, gradients, start=W0):
    """Step ``optimizer`` through ``gradients`` on one parameter; return it after each step."""
    W = np.array(start, dtype=np.float64)
    seen = []
    for g in gradients:
        optimizer.step([W], [np.array(g, dtype=np.float64)])
        seen.append(W.copy())
    return seen


def random_problem(seed, shapes=((3, 4), (4,), (4, 2), (2,))):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=shape) for shape in shapes]
    grads = [[rng.normal(size=shape) for shape in shapes] for _ in range(20)]
    return params, grads


# --- one step and two, worked by hand ----------------------------------------------------


def test_plain_gradient_descent_by_hand():
    # W1 = W0 - 0.1 G1 = [1 - 0.05, -2 + 0.1];  W2 = W1 - 0.1 G2 = [0.95 - 0.025, -1.9 - 0.2]
    W1, W2 = run(GradientDescent(LR), [G1, G2])
    np.testing.assert_allclose(W1, [0.95, -1.9], rtol=0, atol=1e-12)
    np.testing.assert_allclose(W2, [0.925, -2.1], rtol=0, atol=1e-12)


def test_momentum_by_hand():
    # v1 = -0.1 G1 = [-0.05, 0.1];                      W1 = W0 + v1 = [0.95, -1.9]
    # v2 = 0.9 v1 - 0.1 G2 = [-0.045 - 0.025, 0.09 - 0.2] = [-0.07, -0.11]
    # W2 = W1 + v2 = [0.88, -2.01]
    W1, W2 = run(GradientDescent(LR, momentum=MU), [G1, G2])
    np.testing.assert_allclose(W1, [0.95, -1.9], rtol=0, atol=1e-12)
    np.testing.assert_allclose(W2, [0.88, -2.01], rtol=0, atol=1e-12)


def test_nesterov_by_hand():
    # v1 = [-0.05, 0.1];  W1 = W0 + 0.9 v1 - 0.1 G1 = [1 - 0.045 - 0.05, -2 + 0.09 + 0.1]
    # v2 = [-0.07, -0.11]; W2 = W1 + 0.9 v2 - 0.1 G2 = [0.905 - 0.063 - 0.025, -1.81 - 0.099 - 0.2]
    W1, W2 = run(GradientDescent(LR, momentum=MU, nesterov=True), [G1, G2])
    np.testing.assert_allclose(W1, [0.905, -1.81], rtol=0, atol=1e-12)
    np.testing.assert_allclose(W2, [0.817, -2.109], rtol=0, atol=1e-12)


def test_adam_by_hand():
    eps = 1e-8
    # step 1: m = 0.1 G1 = [0.05, -0.1], v = 0.001 G1^2 = [0.00025, 0.001]
    #         m_hat = m / 0.1 = G1, v_hat = v / 0.001 = G1^2, so the step is lr G1 / (|G1| + eps)
    W1 = [1.0 - 0.1 * 0.5 / (0.5 + eps), -2.0 + 0.1 * 1.0 / (1.0 + eps)]
    # step 2: m = 0.9 [0.05, -0.1] + 0.1 [0.25, 2.0] = [0.07, 0.11]
    #         v = 0.999 [0.00025, 0.001] + 0.001 [0.0625, 4.0] = [0.00031225, 0.004999]
    #         m_hat = m / (1 - 0.9^2) = m / 0.19;  v_hat = v / (1 - 0.999^2) = v / 0.001999
    m_hat = [0.07 / 0.19, 0.11 / 0.19]
    v_hat = [0.00031225 / 0.001999, 0.004999 / 0.001999]
    W2 = [w - 0.1 * m / (math.sqrt(v) + eps) for w, m, v in zip(W1, m_hat, v_hat, strict=True)]
    seen1, seen2 = run(Adam(learning_rate=0.1), [G1, G2])
    np.testing.assert_allclose(seen1, W1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(seen2, W2, rtol=0, atol=1e-12)
    # sanity of the hand numbers: the second step moves the first entry down, the second up
    assert seen2[0] < seen1[0] and seen2[1] < seen1[1]


def test_adamw_by_hand():
    """Decoupled decay: W <- (1 - lr wd) W, then Adam's step; the bias is not decayed."""
    lr, wd, eps = 0.1, 0.5, 1e-8
    W, b = np.array([[1.0, -2.0]]), np.array([3.0])
    dW, db = np.array([[0.5, -1.0]]), np.array([0.25])
    AdamW(lr, weight_decay=wd, epsilon=eps).step([W, b], [dW, db])
    # decay: (1 - 0.1 * 0.5) = 0.95, so W = [0.95, -1.9]; b stays 3
    # Adam's first step is lr g / (|g| + eps) (m_hat = g, v_hat = g^2, as above)
    expected_W = [0.95 - 0.1 * 0.5 / (0.5 + eps), -1.9 + 0.1 * 1.0 / (1.0 + eps)]
    expected_b = [3.0 - 0.1 * 0.25 / (0.25 + eps)]
    np.testing.assert_allclose(W[0], expected_W, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b, expected_b, rtol=0, atol=1e-12)
    # by hand: [0.95 - 0.1, -1.9 + 0.1] up to eps
    np.testing.assert_allclose(W[0], [0.85, -1.8], rtol=0, atol=1e-7)


def test_adamw_with_no_decay_is_adam():
    params, grads = random_problem(2)
    with_adamw = glassnet_trajectory(AdamW(0.01, weight_decay=0.0), params, grads)
    with_adam = glassnet_trajectory(Adam(0.01), params, grads)
    for got, expected in zip(with_adamw, with_adam, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_adamw_decay_is_not_l2():
    """L2 puts wd W into the gradient, which Adam then rescales; AdamW does not."""
    params, grads = random_problem(3)
    wd = 0.5
    decayed = glassnet_trajectory(AdamW(0.01, weight_decay=wd), params, grads)
    penalised = [p.copy() for p in params]
    adam = Adam(0.01)
    for step_grads in grads:
        pairs = zip(penalised, step_grads, strict=True)
        with_l2 = [g + wd * p if p.ndim == 2 else g for p, g in pairs]
        adam.step(penalised, with_l2)
    gap = max(np.abs(a - b).max() for a, b in zip(decayed, penalised, strict=True))
    assert gap > 1e-3


# --- PyTorch as an independent oracle ------------------------------------------------------


def torch_trajectory(make_torch_optimizer, params, grads):
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    optimizer = make_torch_optimizer(tensors)
    for step_grads in grads:
        for tensor, g in zip(tensors, step_grads, strict=True):
            tensor.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
    return [t.detach().numpy() for t in tensors]


def glassnet_trajectory(optimizer, params, grads):
    params = [p.copy() for p in params]
    for step_grads in grads:
        optimizer.step(params, step_grads)
    return params


@pytest.mark.parametrize(
    ("ours", "torch_options"),
    [
        (lambda: GradientDescent(0.05), {"momentum": 0.0}),
        (lambda: GradientDescent(0.05, momentum=0.9), {"momentum": 0.9}),
        (
            lambda: GradientDescent(0.05, momentum=0.5, nesterov=True),
            {"momentum": 0.5, "nesterov": True},
        ),
    ],
    ids=["gd", "momentum", "nesterov"],
)
def test_gradient_descent_matches_torch_sgd(ours, torch_options):
    torch = pytest.importorskip("torch")
    params, grads = random_problem(0)
    expected = torch_trajectory(
        lambda ts: torch.optim.SGD(ts, lr=0.05, **torch_options), params, grads
    )
    got = glassnet_trajectory(ours(), params, grads)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12)
    # the run moved the parameters far more than the tolerance
    assert max(np.abs(g - p).max() for g, p in zip(got, params, strict=True)) > 0.1


@pytest.mark.parametrize(("beta1", "beta2", "eps"), [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3)])
def test_adam_matches_torch_adam(beta1, beta2, eps):
    torch = pytest.importorskip("torch")
    params, grads = random_problem(1)
    expected = torch_trajectory(
        lambda ts: torch.optim.Adam(ts, lr=0.01, betas=(beta1, beta2), eps=eps), params, grads
    )
    got = glassnet_trajectory(Adam(0.01, beta1=beta1, beta2=beta2, epsilon=eps), params, grads)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12)
    assert max(np.abs(g - p).max() for g, p in zip(got, params, strict=True)) > 0.05


# --- in place, and state owned by the optimizer --------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(0.1),
        lambda: GradientDescent(0.1, momentum=0.9),
        lambda: GradientDescent(0.1, momentum=0.9, nesterov=True),
        lambda: Adam(0.1),
        lambda: AdamW(0.1, weight_decay=0.5),
    ],
    ids=["gd", "momentum", "nesterov", "adam", "adamw"],
)
def test_step_updates_the_same_arrays_in_place(make):
    params, grads = random_problem(2)
    before = [p.copy() for p in params]
    ids = [id(p) for p in params]
    optimizer = make()
    optimizer.step(params, grads[0])
    assert [id(p) for p in params] == ids
    assert all(not np.array_equal(p, b) for p, b in zip(params, before, strict=True))


@pytest.mark.parametrize(
    "make",
    [lambda: GradientDescent(0.1, momentum=0.9), lambda: Adam(0.05)],
    ids=["momentum", "adam"],
)
def test_state_lives_in_the_optimizer(make):
    params, grads = random_problem(3)
    copy_a = [p.copy() for p in params]
    copy_b = [p.copy() for p in params]
    first, second = make(), make()
    for step_grads in grads[:10]:
        first.step(copy_a, step_grads)
        second.step(copy_b, step_grads)
    for a, b in zip(copy_a, copy_b, strict=True):
        np.testing.assert_array_equal(a, b)
    # separate state: stepping only the first one leaves the second's state untouched
    state_of = (lambda o: o.velocities) if isinstance(first, GradientDescent) else (lambda o: o.m)
    saved = [s.copy() for s in state_of(second)]
    first.step(copy_a, grads[10])
    for s, kept in zip(state_of(second), saved, strict=True):
        np.testing.assert_array_equal(s, kept)
    assert all(s is not t for s, t in zip(state_of(first), state_of(second), strict=True))
    # and the second continues exactly where the first did
    second.step(copy_b, grads[10])
    for a, b in zip(copy_a, copy_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_momentum_remembers_the_previous_gradient():
    # With a zero second gradient, plain GD stands still but momentum keeps moving by 0.9 v1.
    W_plain = run(GradientDescent(LR), [G1, [0.0, 0.0]])
    W_momentum = run(GradientDescent(LR, momentum=MU), [G1, [0.0, 0.0]])
    np.testing.assert_array_equal(W_plain[1], W_plain[0])
    np.testing.assert_allclose(W_momentum[1], [0.95 - 0.045, -1.9 + 0.09], rtol=0, atol=1e-12)


# --- the learning rate is an attribute a schedule may change --------------------------------


def test_changed_learning_rate_is_used_by_plain_descent():
    optimizer = GradientDescent(0.1)
    W = np.array(W0)
    optimizer.step([W], [np.array(G1)])
    optimizer.learning_rate = 0.01
    optimizer.step([W], [np.array(G2)])
    # W2 = [0.95 - 0.01 * 0.25, -1.9 - 0.01 * 2.0]
    np.testing.assert_allclose(W, [0.9475, -1.92], rtol=0, atol=1e-12)


def test_changed_learning_rate_is_used_by_momentum():
    optimizer = GradientDescent(0.1, momentum=0.9)
    W = np.array(W0)
    optimizer.step([W], [np.array(G1)])
    optimizer.learning_rate = 0.01
    optimizer.step([W], [np.array(G2)])
    # v2 = 0.9 [-0.05, 0.1] - 0.01 [0.25, 2.0] = [-0.0475, 0.07];  W2 = [0.95, -1.9] + v2
    np.testing.assert_allclose(W, [0.9025, -1.83], rtol=0, atol=1e-12)


def test_changed_learning_rate_is_used_by_adam():
    halved, constant = Adam(0.1), Adam(0.1)
    W_h, W_c = np.array(W0), np.array(W0)
    halved.step([W_h], [np.array(G1)])
    constant.step([W_c], [np.array(G1)])
    before = W_h.copy()
    halved.learning_rate = 0.05
    halved.step([W_h], [np.array(G2)])
    constant.step([W_c], [np.array(G2)])
    # Adam's step is proportional to lr: half the rate, half the move
    np.testing.assert_allclose(W_h - before, (W_c - before) / 2, rtol=1e-12, atol=0)


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: GradientDescent(0.0), "learning_rate"),
        (lambda: GradientDescent(-0.1), "learning_rate"),
        (lambda: GradientDescent(float("nan")), "learning_rate"),
        (lambda: GradientDescent(float("inf")), "learning_rate"),
        (lambda: Adam(0.0), "learning_rate"),
        (lambda: Adam(-1e-3), "learning_rate"),
        (lambda: GradientDescent(0.1, momentum=1.0), "momentum"),
        (lambda: GradientDescent(0.1, momentum=-0.1), "momentum"),
        (lambda: GradientDescent(0.1, momentum=1.5), "momentum"),
        (lambda: Adam(0.1, beta1=1.0), "beta1"),
        (lambda: Adam(0.1, beta1=-0.1), "beta1"),
        (lambda: Adam(0.1, beta2=1.0), "beta2"),
        (lambda: Adam(0.1, beta2=1.2), "beta2"),
        (lambda: Adam(0.1, epsilon=0.0), "epsilon"),
        (lambda: GradientDescent(0.1, nesterov=True), "nesterov"),
        (lambda: GradientDescent(0.1, momentum=0.0, nesterov=True), "momentum"),
        (lambda: AdamW(0.1, weight_decay=-0.1), "weight_decay"),
        (lambda: AdamW(0.1, weight_decay=float("nan")), "weight_decay"),
        (lambda: AdamW(0.1, weight_decay=True), "weight_decay"),
        (lambda: AdamW(0.0), "learning_rate"),
    ],
)
def test_bad_arguments_raise_input_error_naming_the_parameter(build, name):
    with pytest.raises(InputError, match=name):
        build()


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: GradientDescent(0.1, momentum=None), "momentum"),
        (lambda: GradientDescent(0.1, momentum="0.9"), "momentum"),
        (lambda: Adam(0.1, beta1="0.9"), "beta1"),
        (lambda: Adam(0.1, beta2=None), "beta2"),
        (lambda: GradientDescent("0.1"), "learning_rate"),
        (lambda: GradientDescent(True), "learning_rate"),
    ],
)
def test_non_numbers_raise_input_error_naming_the_parameter(build, name):
    with pytest.raises(InputError, match=name):
        build()


def test_make_optimizer_builds_each_name():
    assert sorted(OPTIMIZERS) == ["adam", "adamw", "gd", "momentum", "nesterov"]
    gd = make_optimizer("gd", learning_rate=0.2)
    assert isinstance(gd, GradientDescent) and gd.learning_rate == 0.2 and gd.momentum == 0
    momentum = make_optimizer("momentum", learning_rate=0.2)
    assert momentum.momentum == 0.9 and not momentum.nesterov
    nesterov = make_optimizer("nesterov", learning_rate=0.2, momentum=0.5)
    assert nesterov.momentum == 0.5 and nesterov.nesterov
    adam = make_optimizer("adam", learning_rate=0.003)
    assert isinstance(adam, Adam) and adam.learning_rate == 0.003
    adamw = make_optimizer("adamw", learning_rate=0.003, weight_decay=0.1)
    assert isinstance(adamw, AdamW) and adamw.weight_decay == 0.1
    assert make_optimizer("adamw").weight_decay == 0.01  # torch.optim.AdamW's default


def test_make_optimizer_unknown_name_lists_the_names():
    with pytest.raises(InputError) as error:
        make_optimizer("rmsprop")
    message = str(error.value)
    assert "rmsprop" in message
    for known in ("adam", "gd", "momentum", "nesterov"):
        assert known in message


def test_sgd_is_not_an_optimizer_name_and_the_error_says_which_to_use():
    """'sgd' is the estimators' solver; the core's plain gradient descent is 'gd'."""
    with pytest.raises(InputError) as error:
        make_optimizer("sgd", learning_rate=0.1)
    message = str(error.value)
    assert "'sgd'" in message and "adam, adamw, gd, momentum, nesterov" in message
    assert "'gd' is plain gradient descent" in message
    assert "batch_size gives mini-batch or stochastic descent" in message
    assert "'sgd' is the estimators' solver" in message


def test_an_unhashable_name_is_an_input_error():
    with pytest.raises(InputError, match="unknown optimizer"):
        make_optimizer(["gd"])


# --- the Optimizer protocol: what the training loop needs -------------------------------------


class HalfStep:
    """Not a glassnet class: a learning rate and a step are all an optimizer needs."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    def step(self, params, grads) -> None:
        for W, dW in zip(params, grads, strict=True):
            W -= 0.5 * self.learning_rate * dW


def test_the_optimizers_and_any_duck_are_optimizers():
    for name in OPTIMIZERS:
        assert isinstance(make_optimizer(name), Optimizer), name
    assert isinstance(HalfStep(0.1), Optimizer)
    assert not isinstance(object(), Optimizer)

    class NoRate:
        def step(self, params, grads) -> None: ...

    assert not isinstance(NoRate(), Optimizer)


def test_a_duck_typed_optimizer_trains_a_network(binary_data):
    from glassnet import Network, train

    X, y = binary_data
    ours, reference = (Network([3, 2, 1], hidden="tanh", random_state=0) for _ in range(2))
    train(ours, X, y, optimizer=HalfStep(0.2), epochs=3)
    train(reference, X, y, optimizer=GradientDescent(0.1), epochs=3)  # the same steps
    for a, b in zip(ours.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
