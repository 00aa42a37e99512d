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


def sigmoid_derivative(Z: Array, A: Array) -> Array:
    """sigma'(z) = sigma(z) (1 - sigma(z)) = A (1 - A)."""
    return A * (1 - A)


def tanh_derivative(Z: Array, A: Array) -> Array:
    """tanh'(z) = 1 - tanh(z)^2 = 1 - A^2."""
    return 1 - A * A


def relu_derivative(Z: Array, A: Array) -> Array:
    """relu'(z) = 1 for z > 0, else 0 (0 at the kink, by convention)."""
    return (Z > 0).astype(Z.dtype)


def leaky_relu_derivative(Z: Array, A: Array) -> Array:
    """leaky_relu'(z) = 1 for z > 0, else 0.01."""
    return np.where(Z > 0, 1.0, LEAKY_SLOPE).astype(Z.dtype)


def identity_derivative(Z: Array, A: Array) -> Array:
    """identity'(z) = 1."""
    return np.ones_like(Z)


def softmax_jacobian(Z: Array, A: Array) -> Array:
    """The softmax Jacobian per sample, J[i] = diag(A_i) - A_i A_i^T, shape (n, k, k)."""
    return A[:, :, None] * np.eye(A.shape[1], dtype=A.dtype) - A[:, :, None] * A[:, None, :]


def sigmoid_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = dA * A (1 - A)."""
    return dA * A * (1 - A)


def tanh_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = dA * (1 - A^2), the tutorials' ``dZ1 = dA1 * (1 - A1**2)``."""
    dZ = A * A
    np.subtract(1, dZ, out=dZ)  # 1 - A^2, in place
    dZ *= dA
    return dZ


def relu_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = dA * (Z > 0): the gradient passes where the unit was active."""
    return np.multiply(dA, Z > 0)


def leaky_relu_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = dA where Z > 0, else 0.01 dA."""
    return np.where(Z > 0, dA, LEAKY_SLOPE * dA)


def identity_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = dA."""
    return dA


def softmax_backward(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = J^T dA per row, which simplifies to A * (dA - sum_j dA_j A_j)."""
    return A * (dA - (dA * A).sum(axis=1, keepdims=True))  # (n, k)


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", sigmoid, sigmoid_derivative, sigmoid_backward),
        Activation("tanh", tanh, tanh_derivative, tanh_backward),
        Activation("relu", relu, relu_derivative, relu_backward),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative, leaky_relu_backward),
        Activation("identity", identity, identity_derivative, identity_backward),
        Activation("softmax", softmax, softmax_jacobian, softmax_backward),
    )
}

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
