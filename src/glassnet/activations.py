"""Activation functions g(Z), their derivatives, and the chain rule through them.

Every activation maps a pre-activation ``Z`` of shape (n_samples, n_units) to
``A = g(Z)`` of the same shape. Backpropagation needs ``dZ = dA * g'(Z)``; for the
element-wise functions that is a product with the derivative, for softmax it is a
Jacobian-vector product. Each entry therefore has three parts:

``fn(Z)``                 A = g(Z)
``derivative(Z, A)``      g'(Z), element-wise (softmax: the Jacobian, (n, k, k))
``backward(Z, A, dA)``    dZ = dA * g'(Z), the step backpropagation takes

``A`` is passed in because several derivatives are cheapest in terms of it
(tanh' = 1 - A**2, sigmoid' = A (1 - A)).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """A named activation: the function, its derivative and its backward step."""

    name: str
    fn: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    backward: Callable[[Array, Array, Array], Array]


def sigmoid(Z: Array) -> Array:
    """Logistic sigmoid, sigma(z) = 1 / (1 + exp(-z)), without overflow.

    For z >= 0 it computes 1 / (1 + exp(-z)); for z < 0 the equal
    exp(z) / (1 + exp(z)); so ``exp`` only ever sees a non-positive number.
    Derivative: sigma'(z) = sigma(z) (1 - sigma(z)).
    """
    E = np.exp(-np.abs(Z))  # exp(-|z|) in (0, 1]: never overflows
    return np.where(Z >= 0, 1.0, E) / (1.0 + E)  # 1/(1+e^-z) or e^z/(1+e^z)


def softmax(Z: Array) -> Array:
    """Row-wise softmax, A_ik = exp(z_ik) / sum_j exp(z_ij), without overflow.

    Subtracting the row maximum first leaves the result unchanged and keeps every
    exponent at or below zero. Jacobian: dA_i/dZ_j = A_i (delta_ij - A_j).
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # every exponent <= 0
    return E / E.sum(axis=1, keepdims=True)


def relu(Z: Array) -> Array:
    """Rectified linear unit, max(0, z). Derivative 1 for z > 0, else 0."""
    return np.maximum(Z, 0)


def leaky_relu(Z: Array) -> Array:
    """Leaky ReLU, z for z > 0 and 0.01 z otherwise. Derivative 1 or 0.01."""
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def tanh(Z: Array) -> Array:
    """Hyperbolic tangent. Derivative 1 - tanh(z)**2."""
    return np.tanh(Z)


def identity(Z: Array) -> Array:
    """The identity, g(z) = z, for regression outputs. Derivative 1."""
    return Z


def elementwise_backward(derivative: Callable[[Array, Array], Array]):
    """Chain rule for an element-wise g: dZ = dA * g'(Z)."""

    def backward(Z: Array, A: Array, dA: Array) -> Array:
        return dA * derivative(Z, A)  # dZ = dA * g'(Z), (n, units)

    return backward


def softmax_jacobian(Z: Array, A: Array) -> Array:
    """The softmax Jacobian per sample, J[i] = diag(A_i) - A_i A_i^T, shape (n, k, k)."""
    return A[:, :, None] * np.eye(A.shape[1], dtype=A.dtype) - A[:, :, None] * A[:, None, :]


def softmax_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = J^T dA per row, which simplifies to A * (dA - sum_j dA_j A_j)."""
    return A * (dA - (dA * A).sum(axis=1, keepdims=True))  # (n, k)


def _derivatives() -> dict[str, Callable[[Array, Array], Array]]:
    return {
        "sigmoid": lambda Z, A: A * (1 - A),  # sigma' = sigma (1 - sigma)
        "tanh": lambda Z, A: 1 - A**2,  # tanh' = 1 - tanh^2
        "relu": lambda Z, A: (Z > 0).astype(Z.dtype),  # 1 where z > 0
        "leaky_relu": lambda Z, A: np.where(Z > 0, 1.0, LEAKY_SLOPE).astype(Z.dtype),
        "identity": lambda Z, A: np.ones_like(Z),
    }


_FUNCTIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "identity": identity,
}

ACTIVATIONS: dict[str, Activation] = {
    name: Activation(name, _FUNCTIONS[name], derivative, elementwise_backward(derivative))
    for name, derivative in _derivatives().items()
}
ACTIVATIONS["softmax"] = Activation("softmax", softmax, softmax_jacobian, softmax_backward)

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
