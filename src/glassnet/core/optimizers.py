"""Optimizers: how the parameters move, given their gradients.

Each optimizer keeps its own state (velocities, moment estimates) and updates
the parameter arrays **in place** with ``step(params, grads)``; the two lists
are ``Network.parameters()`` and ``Gradients.as_list()``, in the same order.
``learning_rate`` is a plain attribute, so a schedule can change it between steps.
That is all the training loop asks of one (the :class:`Optimizer` protocol), so
any object with those two members can train a network.

By name (:func:`make_optimizer`): "gd" (plain gradient descent: full-batch, or
mini-batch and stochastic through ``batch_size``), "momentum", "nesterov", "adam",
"adamw" (Adam with decoupled weight decay).
"""

import math
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from glassnet.errors import InputError
from glassnet.validation import check_number, check_positive, check_unit_interval, lookup

Array = NDArray[np.floating]


@runtime_checkable
class Optimizer(Protocol):
    """What training needs of an optimizer: a learning rate and an in-place step.

    ``isinstance(obj, Optimizer)`` is True for any object with both members.
    """

    learning_rate: float

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Move each array of ``params`` against its gradient in ``grads``, in place."""


class GradientDescent:
    """Gradient descent, with optional (Nesterov) momentum.

    Plain:      W <- W - lr dW
    Momentum:   v <- mu v - lr dW;        W <- W + v
    Nesterov:   v <- mu v - lr dW;        W <- W + mu v - lr dW

    With a constant learning rate this equals ``torch.optim.SGD`` (whose velocity
    is -v / lr) and scikit-learn's ``SGDOptimizer``.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.momentum = check_unit_interval(momentum, "momentum")
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise InputError("nesterov=True needs a momentum above 0, e.g. momentum=0.9")
        self.velocities: list[Array] = []
        self.t = 0

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Move every parameter one step against its gradient, in place."""
        lr, mu = self.learning_rate, self.momentum
        self.t += 1
        if mu == 0:
            for W, dW in zip(params, grads, strict=True):
                W -= lr * dW  # W <- W - lr dW
            return
        if not self.velocities:
            self.velocities = [np.zeros_like(W) for W in params]
        for W, dW, v in zip(params, grads, self.velocities, strict=True):
            v *= mu
            v -= lr * dW  # v <- mu v - lr dW
            if self.nesterov:
                W += mu * v - lr * dW  # look ahead along the new velocity
            else:
                W += v  # W <- W + v

    def __repr__(self) -> str:
        return (
            f"GradientDescent(learning_rate={self.learning_rate}, momentum={self.momentum}, "
            f"nesterov={self.nesterov})"
        )


class Adam:
    """Adam (Kingma & Ba, 2015), as in ``torch.optim.Adam``.

    m <- b1 m + (1 - b1) dW              first moment
    v <- b2 v + (1 - b2) dW^2            second moment
    m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t)
    W <- W - lr m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
    ):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.beta1 = check_unit_interval(beta1, "beta1")
        self.beta2 = check_unit_interval(beta2, "beta2")
        self.epsilon = check_positive(epsilon, "epsilon")
        self.m: list[Array] = []
        self.v: list[Array] = []
        self.scratch: list[Array] = []
        self.t = 0

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Move every parameter one Adam step, in place (no temporary arrays)."""
        if not self.m:
            self.m = [np.zeros_like(W) for W in params]
            self.v = [np.zeros_like(W) for W in params]
            self.scratch = [np.empty_like(W) for W in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.learning_rate / (1 - b1**self.t)  # lr / (1 - b1^t): m_hat's correction
        root_correction = math.sqrt(1 - b2**self.t)  # sqrt(v_hat) = sqrt(v) / sqrt(1 - b2^t)
        for W, dW, m, v, s in zip(params, grads, self.m, self.v, self.scratch, strict=True):
            m *= b1
            np.multiply(dW, 1 - b1, out=s)
            m += s  # m <- b1 m + (1 - b1) dW
            v *= b2
            np.multiply(dW, dW, out=s)
            s *= 1 - b2
            v += s  # v <- b2 v + (1 - b2) dW^2
            np.sqrt(v, out=s)
            s /= root_correction
            s += self.epsilon  # sqrt(v_hat) + eps
            np.divide(m, s, out=s)
            s *= step_size
            W -= s  # W <- W - lr m_hat / (sqrt(v_hat) + eps)

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta1={self.beta1}, "
            f"beta2={self.beta2}, epsilon={self.epsilon})"
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    W <- W - lr wd W                     the decay, apart from the gradient
    then Adam's step on dW               (m, v and their corrections as in :class:`Adam`)

    The decay shrinks every weight matrix W[l] (2-D) and leaves the biases b[l] (1-D)
    alone, as glassnet's L2 term (``alpha``) does. It is not L2: L2 adds ``l2 W`` to
    dW, which Adam then divides by sqrt(v_hat), so heavily-updated weights decay less;
    here every weight decays by the same factor (1 - lr wd) per step.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.01,
    ):
        super().__init__(learning_rate, beta1, beta2, epsilon)
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0)

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Decay the weight matrices, then take Adam's step, every array in place."""
        shrink = 1 - self.learning_rate * self.weight_decay
        for W in params:
            if W.ndim == 2:
                W *= shrink  # W <- W - lr wd W = (1 - lr wd) W
        super().step(params, grads)

    def __repr__(self) -> str:
        return (
            f"AdamW(learning_rate={self.learning_rate}, beta1={self.beta1}, "
            f"beta2={self.beta2}, epsilon={self.epsilon}, weight_decay={self.weight_decay})"
        )


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "gd": lambda learning_rate=0.01: GradientDescent(learning_rate),
    "momentum": lambda learning_rate=0.01, momentum=0.9, **kw: GradientDescent(
        learning_rate, momentum=momentum, **kw
    ),
    "nesterov": lambda learning_rate=0.01, momentum=0.9, **kw: GradientDescent(
        learning_rate, momentum=momentum, nesterov=True, **kw
    ),
    "adam": Adam,
    "adamw": AdamW,
}


RENAMED = {
    "sgd": "'gd' is plain gradient descent (batch_size gives mini-batch or stochastic "
    "descent), and 'sgd' is the estimators' solver (MLPClassifier(solver='sgd'))",
}


def make_optimizer(name: str, **options: float) -> Optimizer:
    """Build an optimizer by name ("gd", "momentum", "nesterov", "adam", "adamw").

    Raises
    ------
    InputError
        For an unknown name, listing the known ones; "sgd" also says which name to use.
    """
    if isinstance(name, str) and name in RENAMED:
        known = ", ".join(sorted(OPTIMIZERS))
        raise InputError(f"unknown optimizer {name!r}: choose one of {known}. {RENAMED[name]}")
    build = lookup(OPTIMIZERS, name, "optimizer")
    try:
        return build(**options)
    except TypeError:
        given = ", ".join(sorted(options))
        raise InputError(f"the {name} optimizer does not take the option(s) {given}") from None
