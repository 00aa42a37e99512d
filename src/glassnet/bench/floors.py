"""The floors: the least work that could compute what glassnet computes.

W1 and W2 take :class:`FullBatchStep` (glassnet's step in the fewest NumPy calls, into
arrays allocated once); W3-W5 :class:`Products` (the matrix products alone). glassnet's
time over the floor's says how much of its time is its own and how much the arithmetic's.
"""

import numpy as np
from numpy.typing import NDArray

from glassnet.bench.workloads import Predict, Workload
from glassnet.core.network import Network

Array = NDArray[np.floating]


class FullBatchStep:
    """One step of full-batch gradient descent for a 1-hidden-layer sigmoid network.

    The cost is binary cross-entropy from the logits, J = mean(softplus(z) - y z), with
    softplus(z) = max(z, 0) + log1p(exp(-|z|)); the output is A[2] = exp(z - softplus(z))
    = sigmoid(z), which never overflows. The 1/n of the mean and the learning rate are
    folded into dZ[2] once, so every gradient below is already lr dW and lr db.

    Parameters
    ----------
    network
        A [n_x, h, 1] network with "tanh" or "relu" hidden units and a sigmoid output;
        its ``W`` and ``b`` are updated in place.
    X, y
        The data, (n, n_x) and (n,) of 0/1, in the network's dtype.
    learning_rate
        The step size.
    """

    def __init__(self, network: Network, X: Array, y: Array, learning_rate: float) -> None:
        n, h = X.shape[0], network.layer_sizes[1]
        dtype = network.dtype
        self.X, self.Y = X, y.reshape(-1, 1).astype(dtype)  # (n, n_x), (n, 1)
        self.W1, self.b1, self.W2, self.b2 = network.W[1], network.b[1], network.W[2], network.b[2]
        self.tanh = network.hidden == ["tanh"]
        self.scale = learning_rate / n  # lr / n, applied once to dZ[2]
        self.ones = np.ones(n, dtype=dtype)  # column sums as the product ones @ M
        self.Z1, self.A1, self.dZ1 = (np.empty((n, h), dtype=dtype) for _ in range(3))
        self.active = np.empty((n, h), dtype=bool)  # Z[1] > 0, for relu'
        self.Z2, self.T, self.dZ2 = (np.empty((n, 1), dtype=dtype) for _ in range(3))
        self.dW1, self.dW2 = np.empty_like(self.W1), np.empty_like(self.W2)
        self.db1, self.db2 = np.empty_like(self.b1), np.empty_like(self.b2)

    def __call__(self) -> float:
        """Take one step; return the cost J before it (as glassnet's loop records it)."""
        X, Y, Z1, A1, Z2, T, dZ2, dZ1 = (
            self.X, self.Y, self.Z1, self.A1, self.Z2, self.T, self.dZ2, self.dZ1,
        )  # fmt: skip
        n = X.shape[0]
        np.matmul(X, self.W1, out=Z1)
        Z1 += self.b1  # Z[1] = X W[1] + b[1], (n, h)
        if self.tanh:
            np.tanh(Z1, out=A1)  # A[1] = tanh(Z[1])
        else:
            np.maximum(Z1, 0, out=A1)  # A[1] = relu(Z[1])
        np.matmul(A1, self.W2, out=Z2)
        Z2 += self.b2  # Z[2] = A[1] W[2] + b[2], (n, 1)
        np.abs(Z2, out=T)
        np.negative(T, out=T)
        np.exp(T, out=T)
        np.log1p(T, out=T)  # log1p(e^-|z|)
        T += np.maximum(Z2, 0, out=dZ2)  # softplus(z) = max(z, 0) + log1p(e^-|z|)
        J = (float(self.ones @ T[:, 0]) - float(np.vdot(Y, Z2))) / n  # mean(softplus(z) - y z)
        np.subtract(Z2, T, out=T)
        np.exp(T, out=T)  # A[2] = exp(z - softplus(z)) = sigmoid(z)
        np.subtract(T, Y, out=dZ2)
        dZ2 *= self.scale  # dZ[2] = (A[2] - Y) lr / n
        np.matmul(A1.T, dZ2, out=self.dW2)  # lr dW[2] = A[1]^T dZ[2]
        np.matmul(self.ones, dZ2, out=self.db2)  # lr db[2] = sum_i dZ[2]_i
        np.multiply(dZ2, self.W2.T, out=dZ1)  # dA[1] = dZ[2] W[2]^T, (n, h)
        if self.tanh:
            np.multiply(A1, A1, out=A1)
            np.subtract(1, A1, out=A1)
            dZ1 *= A1  # dZ[1] = dA[1] (1 - A[1]^2)
        else:
            np.greater(Z1, 0, out=self.active)
            dZ1 *= self.active  # dZ[1] = dA[1] [Z[1] > 0]
        np.matmul(X.T, dZ1, out=self.dW1)  # lr dW[1] = X^T dZ[1]
        np.matmul(self.ones, dZ1, out=self.db1)  # lr db[1] = sum_i dZ[1]_i
        self.W1 -= self.dW1
        self.b1 -= self.db1
        self.W2 -= self.dW2
        self.b2 -= self.db2  # W <- W - lr dW, b <- b - lr db
        return J


class Products:
    """The matrix products of a step of a dense network, into arrays allocated once.

    For layer sizes n_0..n_L and m rows: forward Z[l] = A[l-1] W[l], (m, n_l); backward
    dW[l] = A[l-1]^T dZ[l], (n_{l-1}, n_l), and dA[l-1] = dZ[l] W[l]^T, (m, n_{l-1}),
    for l > 1. The values are fixed random numbers: the products' time does not depend
    on them. Each A[l] (l >= 1) and dZ[l] shares the array of Z[l]: no activation is applied.

    Parameters
    ----------
    layer_sizes
        n_0, ..., n_L.
    rows
        The most rows a step has (the batch size, or the rows predicted at once).
    dtype
        The arrays' dtype.
    backward
        Whether to allocate the backward products' arrays too.
    """

    def __init__(
        self, layer_sizes: list[int], rows: int, dtype: str, backward: bool = True
    ) -> None:
        rng = np.random.default_rng(0)
        sizes = layer_sizes
        self.layers = range(1, len(sizes))  # l = 1..L
        self.W = {l: rng.standard_normal(sizes[l - 1 : l + 1]).astype(dtype) for l in self.layers}
        self.A = {l: rng.standard_normal((rows, n_l)).astype(dtype) for l, n_l in enumerate(sizes)}
        kept = self.layers if backward else range(0)  # the layers with backward arrays
        self.dW = {l: np.empty_like(self.W[l]) for l in kept}  # (n_{l-1}, n_l)
        self.dA = {l: np.empty((rows, sizes[l]), dtype=dtype) for l in kept[:-1]}  # (m, n_l)

    def forward(self, m: int) -> dict[int, Array]:
        """Z[l] = A[l-1] W[l] for the first m rows; returns every Z[l], (m, n_l)."""
        return {l: np.matmul(self.A[l - 1][:m], self.W[l], out=self.A[l][:m]) for l in self.layers}

    def step(self, m: int) -> tuple[dict[int, Array], dict[int, Array], dict[int, Array]]:
        """One training step's products on m rows: every Z[l], dW[l] and dA[l-1]."""
        Z = self.forward(m)
        dA = {}
        for l in reversed(self.layers):
            dZ = self.A[l][:m]  # stands for dZ[l], (m, n_l)
            np.matmul(self.A[l - 1][:m].T, dZ, out=self.dW[l])  # dW[l] = A[l-1]^T dZ[l]
            if l > 1:
                dA[l - 1] = np.matmul(dZ, self.W[l].T, out=self.dA[l - 1][:m])  # dZ[l] W[l]^T
        return Z, dict(self.dW), dA


def train_floor(w: Workload, X: Array, y: Array, epochs: int) -> Predict | None:
    """The floor's run of a training workload: W1/W2's steps, or W3/W4's products alone.

    Full batch: :class:`FullBatchStep` on the network glassnet starts from, ``epochs``
    times; returns its ``predict`` (the run ends at glassnet's weights). Mini-batches:
    :class:`Products` for each of the run's batches (the last one smaller); returns None,
    as there is no model to score.
    """
    sizes = [X.shape[1], *w.hidden, 1]
    if w.batch_size is None:
        network = Network(sizes, hidden=w.activation, init=w.init, random_state=0, dtype=w.dtype)
        step = FullBatchStep(network, X, y, w.learning_rate)
        for _ in range(epochs):
            step()
        return lambda X: network.predict_output(X)[:, 0]
    products = Products(sizes, w.batch_size, w.dtype)
    n, k = X.shape[0], w.batch_size
    for _ in range(epochs):
        for start in range(0, n, k):
            products.step(min(k, n - start))  # m rows: k, and what is left at the end
    return None
