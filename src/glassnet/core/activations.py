"""Activation functions g(Z) and their derivatives g'(Z), each stated once.

Every activation maps a pre-activation ``Z`` of shape (n_samples, n_units) to
``A = g(Z)`` of the same shape. Each entry of ``ACTIVATIONS`` holds two functions:

``fn(Z)``              A = g(Z)
``derivative(Z, A)``   g'(Z), element-wise (softmax: its Jacobian, (n, k, k))

and backpropagation's step through it is the chain rule, shared by all of them:

``backward(Z, A, dA)``  dZ = dA * g'(Z)

``A`` is passed to the derivative because several are cheapest in terms of it
(tanh' = 1 - A**2, sigmoid' = A (1 - A)). Softmax is not element-wise: each output
depends on every input of its row, so its step is a Jacobian-vector product,
``dZ = J^T dA``, which it states itself (``jacobian_product``) without building J.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """A named activation: g, its derivative g', and the chain rule through them.

    Parameters
    ----------
    name
        The name the ``ACTIVATIONS`` table and ``Network`` know it by.
    fn
        A = g(Z), shape (n, k) to (n, k).
    derivative
        g'(Z) from Z and A = g(Z): element-wise, (n, k) (softmax: the Jacobian, (n, k, k)),
        always a new array (the chain rule multiplies it by dA in place).
    jacobian_product
        dZ = J^T dA from (Z, A, dA), for an activation that is not element-wise
        (softmax); ``None`` for the element-wise ones, whose step is dA * g'(Z).
    """

    name: str
    fn: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    jacobian_product: Callable[[Array, Array, Array], Array] | None = None

    def backward(self, Z: Array, A: Array, dA: Array) -> Array:
        """The chain rule through g: dZ = dA * g'(Z) (softmax: dZ = J^T dA per row)."""
        if self.jacobian_product is not None:
            return self.jacobian_product(Z, A, dA)
        dZ = self.derivative(Z, A)  # g'(Z), a new array, (n, k)
        dZ *= dA  # dZ = dA * g'(Z), element-wise, in place
        return dZ


def sigmoid(Z: Array) -> Array:
    """Logistic sigmoid, without overflow.

    g(z) = 1 / (1 + exp(-z)),  g'(z) = g(z) (1 - g(z)) = A (1 - A).

    For z >= 0 it computes 1 / (1 + exp(-z)); for z < 0 the equal
    exp(z) / (1 + exp(z)); so ``exp`` only ever sees a non-positive number.
    """
    E = np.exp(-np.abs(Z))  # exp(-|z|) in (0, 1]: never overflows
    A = np.where(Z >= 0, 1.0, E)  # the numerator: 1 for z >= 0, e^z for z < 0
    E += 1
    A /= E  # 1/(1+e^-z) or e^z/(1+e^z)
    return A


def sigmoid_derivative(Z: Array, A: Array) -> Array:
    """sigma'(z) = sigma(z) (1 - sigma(z)) = A (1 - A)."""
    return A * (1 - A)


def tanh(Z: Array) -> Array:
    """Hyperbolic tangent.

    g(z) = (e^z - e^-z) / (e^z + e^-z),  g'(z) = 1 - tanh(z)^2 = 1 - A^2.
    """
    return np.tanh(Z)


def tanh_derivative(Z: Array, A: Array) -> Array:
    """tanh'(z) = 1 - tanh(z)^2 = 1 - A^2, the tutorials' ``(1 - A1**2)``."""
    D = A * A  # A^2
    return np.subtract(1, D, out=D)  # 1 - A^2


def relu(Z: Array) -> Array:
    """Rectified linear unit.

    g(z) = max(0, z),  g'(z) = 1 for z > 0, else 0 (0 at the kink, by convention).
    """
    return np.maximum(Z, 0)


def relu_derivative(Z: Array, A: Array) -> Array:
    """relu'(z) = 1 for z > 0, else 0: the gradient passes where the unit was active."""
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z: Array) -> Array:
    """Leaky ReLU.

    g(z) = z for z > 0, else 0.01 z,  g'(z) = 1 for z > 0, else 0.01.
    """
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_derivative(Z: Array, A: Array) -> Array:
    """leaky_relu'(z) = 1 for z > 0, else 0.01."""
    return np.where(Z > 0, 1.0, LEAKY_SLOPE).astype(Z.dtype)


def identity(Z: Array) -> Array:
    """The identity, for regression outputs.

    g(z) = z,  g'(z) = 1.
    """
    return Z


def identity_derivative(Z: Array, A: Array) -> Array:
    """identity'(z) = 1."""
    return np.ones_like(Z)


def exp(Z: Array) -> Array:
    """The exponential, the output of Poisson regression (a log link: log A = Z).

    g(z) = e^z > 0,  g'(z) = e^z = A. It overflows to inf above z = 709 (float64),
    which training reports as divergence.
    """
    return np.exp(Z)


def exp_derivative(Z: Array, A: Array) -> Array:
    """exp'(z) = e^z = A (a copy)."""
    return A.copy()


def softmax(Z: Array) -> Array:
    """Row-wise softmax, without overflow.

    g(z)_i = exp(z_i) / sum_j exp(z_j),  dA_i/dZ_j = A_i (delta_ij - A_j).

    Subtracting the row maximum first leaves the result unchanged and keeps every
    exponent at or below zero.
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # every exponent <= 0
    return E / E.sum(axis=1, keepdims=True)


def softmax_jacobian(Z: Array, A: Array) -> Array:
    """The softmax Jacobian per sample, J[i] = diag(A_i) - A_i A_i^T, shape (n, k, k)."""
    return A[:, :, None] * np.eye(A.shape[1], dtype=A.dtype) - A[:, :, None] * A[:, None, :]


def softmax_jacobian_product(Z: Array, A: Array, dA: Array) -> Array:
    """dZ = J^T dA per row, which simplifies to A * (dA - sum_j dA_j A_j); J is never built."""
    return A * (dA - (dA * A).sum(axis=1, keepdims=True))  # (n, k)


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", sigmoid, sigmoid_derivative),
        Activation("tanh", tanh, tanh_derivative),
        Activation("relu", relu, relu_derivative),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
        Activation("identity", identity, identity_derivative),
        Activation("exp", exp, exp_derivative),
        Activation("softmax", softmax, softmax_jacobian, softmax_jacobian_product),
    )
}

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
