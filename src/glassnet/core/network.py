"""The network, its forward pass and its backward pass: the heart of glassnet.

Shapes, with samples in rows (the transpose of the tutorials' column convention):

    A[0] = X                      (n, n_0)     or [X, sin(2 pi F x + P)] with an embedding
    Z[l] = A[l-1] @ W[l] + b[l]   (n, n_l)     W[l]: (n_{l-1}, n_l), b[l]: (n_l,)
    A[l] = g_l(Z[l])              (n, n_l)     g_L is the output activation

Layers are numbered from 1 as in the tutorials: ``W[1]``, ``b[1]``, ``Z[1]``, ``A[1]``.
Backward, for the cost J = sum_i s_i L_i / sum_i s_i  (s_i = 1 by default)
plus the L2 term (l2 / 2) sum_l ||W[l]||^2:

    dZ[L] = A[L] - Y                          fused output activation + loss, (n, n_L)
    dW[l] = A[l-1]^T (s * dZ[l]) / sum(s) + l2 W[l]
    db[l] = sum_i s_i dZ[l]_i / sum(s)
    dA[l-1] = dZ[l] @ W[l]^T
    dZ[l-1] = dA[l-1] * g'(Z[l-1])

``dZ`` and ``dA`` hold per-sample derivatives (dL_i/dZ), as in the tutorials; the
averaging over samples happens in ``dW`` and ``db``.

With dropout masks M[l] (:mod:`glassnet.core.dropout`) layer l+1 reads A[l] * M[l]
instead of A[l], in ``Z[l+1]`` and in ``dW[l+1]``, and ``dA[l]`` is multiplied by M[l]
on the way back. ``X`` may be a SciPy CSR matrix: only the first layer touches it, by
``X @ W[1]`` and ``X^T dZ[1]``, which CSR computes without densifying it.

With a numeric embedding (:mod:`glassnet.core.embedding`, ``Network(..., embedding=K)``)
A[0] is [X, sin(theta)], theta = 2 pi F x + P, of width n_0 (1 + K); backward carries
dA[0] = dZ[1] W[1]^T on into dF and dP.
"""

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from glassnet.core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation
from glassnet.core.embedding import PeriodicEmbedding, embed, embedding_backward, embedding_from
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.losses import LOSS_FOR_OUTPUT, Loss, loss_for
from glassnet.core.targets import encode_targets
from glassnet.core.trace import Gradients, Trace
from glassnet.errors import InputError
from glassnet.validation import check_dtype, check_layer_sizes, is_sparse, lookup

__all__ = ["Gradients", "Network", "Trace", "backward", "cost", "encode_targets", "forward"]

Array = NDArray[np.floating]


class Network:
    """A fully connected feed-forward network with weights ``W[l]`` and biases ``b[l]``.

    Parameters
    ----------
    layer_sizes
        Units per layer, input first: ``[2, 5, 1]`` is 2 inputs, 5 hidden, 1 output.
    hidden
        The hidden activation's name, or a list with one name per hidden layer.
    output
        ``"sigmoid"`` (binary, paired with binary cross-entropy), ``"softmax"``
        (multi-class, cross-entropy) or ``"identity"`` (regression, squared error).
    init
        ``"he"``, ``"glorot"`` or ``"small"``; biases always start at zero.
    random_state
        Seed (or Generator) for the initial weights: the same seed, the same weights.
    dtype
        ``"float64"`` (default) or ``"float32"``.
    embedding
        K, the sines per feature of a periodic + linear numeric embedding as the first
        layer (:mod:`glassnet.core.embedding`): A[0] = [X, sin(2 pi F x + P)] and
        ``W[1]`` has n_0 (1 + K) rows. None (default): no embedding, A[0] = X.
    embedding_sigma
        The standard deviation of the initial frequencies, F ~ N(0, sigma^2).
    loss
        None (default): the output's own loss, whose dZ[L] is A[L] - Y. A teacher may pair
        a sigmoid with ``"squared_error"`` (the TensorFlow Playground's choice), whose
        dZ[L] = (A - Y) A (1 - A) vanishes where the sigmoid saturates.

    Attributes
    ----------
    embedding : PeriodicEmbedding or None
        The embedding's frequencies ``F`` and phases ``P``, (n_0, K) each, or None.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        hidden: str | Sequence[str] = "relu",
        output: str = "sigmoid",
        init: str = "he",
        random_state: int | np.random.Generator | None = None,
        dtype: DTypeLike = "float64",
        embedding: int | None = None,
        embedding_sigma: float = 0.1,
        loss: str | None = None,
    ) -> None:
        self._set_architecture(layer_sizes, hidden, output, init, dtype, loss)
        initializer = INITIALIZERS[init]  # checked by _set_architecture
        rng = np.random.default_rng(random_state)
        sizes = self.layer_sizes
        self.embedding: PeriodicEmbedding | None = None
        if embedding is not None:  # F and P drawn before the weights
            self.embedding = PeriodicEmbedding.initial(
                sizes[0], embedding, embedding_sigma, rng, self.dtype
            )
        self.W: dict[int, Array] = {}
        self.b: dict[int, Array] = {}
        for l in range(1, len(sizes)):
            fan_in = self.input_width if l == 1 else sizes[l - 1]
            self.W[l] = initializer(fan_in, sizes[l], rng, self.dtype)  # (n_{l-1}, n_l)
            self.b[l] = np.zeros(sizes[l], dtype=self.dtype)  # (n_l,)

    @classmethod
    def from_weights(
        cls,
        W: Sequence[ArrayLike] | Mapping[int, ArrayLike],
        b: Sequence[ArrayLike] | Mapping[int, ArrayLike],
        hidden: str | Sequence[str] = "relu",
        output: str = "sigmoid",
        init: str = "he",
        dtype: DTypeLike | None = None,
        copy: bool = True,
        F: ArrayLike | None = None,
        P: ArrayLike | None = None,
        loss: str | None = None,
    ) -> "Network":
        """A network with the given weights: ``W[l]`` of shape (n_{l-1}, n_l), ``b[l]`` (n_l,).

        ``W`` and ``b`` are lists (layer 1 first) or dicts keyed by layer 1..L; the shapes
        give the layer sizes. No random weights are drawn. ``dtype`` defaults to that of
        ``W[1]`` (float32 stays float32, anything else becomes float64). ``copy=False``
        shares each array that already has that dtype and is C-contiguous (and converts
        the others). ``init`` is only recorded: it names how the weights were first drawn.
        ``F`` and ``P`` (n_0, K), given together, are a numeric embedding's frequencies and
        phases; ``W[1]`` then has n_0 (1 + K) rows, and n_0 = ``F.shape[0]``.
        """
        weights, biases = _by_layer(W, "W"), _by_layer(b, "b")
        if not weights or len(weights) != len(biases):
            raise InputError(
                f"from_weights needs one b for each W and at least one layer, "
                f"got {len(weights)} W and {len(biases)} b"
            )
        shapes = [np.shape(Wl) for Wl in weights]
        for l, shape in enumerate(shapes, start=1):
            if len(shape) != 2:
                raise InputError(f"W[{l}] must be a 2-D array (n_{{l-1}}, n_l), got shape {shape}")
        if dtype is None:
            dtype = "float32" if np.asarray(weights[0]).dtype == np.float32 else "float64"
        as_array = np.array if copy else np.ascontiguousarray  # a new array, or the same if it fits
        embedding = embedding_from(F, P, check_dtype(dtype), copy)
        n_0 = int(shapes[0][0]) if embedding is None else embedding.n_features
        layer_sizes = [n_0, *(int(shape[1]) for shape in shapes)]
        network = cls.__new__(cls)
        network._set_architecture(layer_sizes, hidden, output, init, dtype, loss)
        network.embedding = embedding
        network.W, network.b = {}, {}
        for l, (Wl, bl) in enumerate(zip(weights, biases, strict=True), start=1):
            expected = (network.input_width if l == 1 else layer_sizes[l - 1], layer_sizes[l])
            network.W[l] = as_array(Wl, dtype=network.dtype)  # (n_{l-1}, n_l)
            network.b[l] = as_array(bl, dtype=network.dtype)  # (n_l,)
            if network.W[l].shape != expected or network.b[l].shape != expected[1:]:
                raise InputError(
                    f"W[{l}] must have shape {expected} and b[{l}] shape {expected[1:]} "
                    f"to follow the layer before, got {network.W[l].shape} and "
                    f"{network.b[l].shape}"
                )
        return network

    def _set_architecture(
        self,
        layer_sizes: Sequence[int],
        hidden: str | Sequence[str],
        output: str,
        init: str,
        dtype: DTypeLike,
        loss: str | None = None,
    ) -> None:
        """Layer sizes, activations, the loss, the init's name and the dtype (no weights)."""
        self.layer_sizes = check_layer_sizes(layer_sizes)
        if len(self.layer_sizes) < 2:
            raise InputError(
                f"layer_sizes needs at least an input and an output size, got {self.layer_sizes}"
            )
        n_hidden = len(self.layer_sizes) - 2
        names = [hidden] * n_hidden if isinstance(hidden, str) else list(hidden)
        if len(names) != n_hidden:
            raise InputError(
                f"hidden lists {len(names)} activation(s) but the network has "
                f"{n_hidden} hidden layer(s): give one name per hidden layer or a single name"
            )
        hidden_table = {name: ACTIVATIONS[name] for name in HIDDEN_ACTIVATIONS}
        self.activations: list[Activation] = [
            lookup(hidden_table, name, "hidden activation") for name in names
        ]
        lookup(LOSS_FOR_OUTPUT, output, "output activation")
        self.loss: Loss = loss_for(output, loss)
        self.activations.append(ACTIVATIONS[output])
        lookup(INITIALIZERS, init, "initialiser")
        self.init = init
        self.dtype = check_dtype(dtype)

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers (hidden layers + the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def input_width(self) -> int:
        """The columns of A[0], the rows of W[1]: n_0, or n_0 (1 + K) with an embedding."""
        return self.layer_sizes[0] if self.embedding is None else self.embedding.width

    @property
    def hidden(self) -> list[str]:
        """The hidden activations' names, one per hidden layer."""
        return [activation.name for activation in self.activations[:-1]]

    @property
    def output(self) -> str:
        """The output activation's name."""
        return self.activations[-1].name

    def parameters(self) -> list[Array]:
        """``[W[1], b[1], ..., W[L], b[L]]``: the arrays an optimizer updates in place.

        With an embedding its ``F`` and ``P`` come first, as ``Gradients.as_list`` orders them.
        """
        layers = [array for l in self.W for array in (self.W[l], self.b[l])]
        if self.embedding is None:
            return layers
        return [self.embedding.F, self.embedding.P, *layers]

    def parameter_names(self) -> list[str]:
        """``["W1", "b1", ...]`` in the order of :meth:`parameters` (``"F", "P"`` first)."""
        layers = [name for l in self.W for name in (f"W{l}", f"b{l}")]
        return layers if self.embedding is None else ["F", "P", *layers]

    def copy(self) -> "Network":
        """A deep copy: same architecture, activations and dtype, independent arrays."""
        return self.astype(self.dtype)

    def astype(self, dtype: DTypeLike) -> "Network":
        """A copy whose parameters have ``dtype``: independent arrays, the same activations."""
        F, P = (None, None) if self.embedding is None else (self.embedding.F, self.embedding.P)
        clone = Network.from_weights(
            self.W, self.b, self.hidden, self.output, self.init, dtype, F=F, P=P
        )
        clone.activations = list(self.activations)  # the same objects, even one swapped in
        clone.loss = self.loss
        return clone

    def predict_output(self, X: ArrayLike) -> Array:
        """The output activations A[L] for ``X`` (probabilities or regression values).

        ``X`` is an array, or a SciPy sparse matrix (multiplied as CSR, never densified).
        """
        if is_sparse(X):
            rows = X.tocsr().astype(self.dtype, copy=False)  # type: ignore[union-attr]
            return forward(self, rows).output
        return forward(self, np.asarray(X, dtype=self.dtype)).output

    def __repr__(self) -> str:
        hidden = ",".join(self.hidden) or "-"
        embedded = "" if self.embedding is None else f", embedding={self.embedding.n_frequencies}"
        return (
            f"Network({self.layer_sizes}, hidden={hidden}, output={self.output}, "
            f"loss={self.loss.name}, dtype={self.dtype.name}{embedded})"
        )


def forward(network: Network, X: Array, mask: Mapping[int, Array] | None = None) -> Trace:
    """Run the forward pass and keep every ``Z[l]`` and ``A[l]``.

    ``X`` has shape (n_samples, n_features) and the network's dtype (an array, or a
    SciPy CSR matrix); the caller validates it (``train`` and the estimators do).
    ``mask`` holds dropout masks M[l] for some hidden layers
    (:func:`~glassnet.core.dropout.draw_masks`); without it nothing is dropped, as
    at predict time. With an embedding, A[0] = [X, sin(2 pi F x + P)] (X dense).
    """
    trace = Trace(A={0: X})
    if network.embedding is not None:
        trace.A[0], trace.theta = embed(network.embedding, X)  # A[0] = [X, sin(theta)]
        trace.X = X
    A = trace.A[0]
    for l, activation in enumerate(network.activations, start=1):
        Z = A @ network.W[l]
        Z += network.b[l]  # Z[l] = A[l-1] W[l] + b[l], (n, n_l); the bias added in place
        A = activation.fn(Z)  # A[l] = g_l(Z[l]), (n, n_l)
        trace.Z[l], trace.A[l] = Z, A
        if mask and l in mask:
            A = A * mask[l]  # dropout: layer l+1 reads A[l] * M[l], (n, n_l)
            trace.mask[l], trace.dropped[l] = mask[l], A
    return trace


def backward(
    network: Network,
    trace: Trace,
    Y: Array,
    sample_weight: Array | None = None,
    l2: float = 0.0,
) -> Gradients:
    """Backpropagate the cost through ``trace`` and return every gradient.

    Parameters
    ----------
    Y
        Targets encoded as the output layer is: shape (n, n_L) (use
        :func:`encode_targets` for a 1-D label vector).
    sample_weight
        Optional per-sample weights s_i, shape (n,); the cost is their weighted mean.
    l2
        Strength of the penalty (l2 / 2) sum_l ||W[l]||^2 added to the cost.
    """
    L = len(network.activations)
    n = Y.shape[0]
    if sample_weight is None:
        w = np.empty(n, dtype=Y.dtype)
        w.fill(1.0 / n)  # w_i = 1/n, sample i's share of the mean, (n,): np.full less its wrapper
    else:
        w = sample_weight / sample_weight.sum()  # w_i = s_i / sum(s), (n,)
    grads = Gradients()
    if network.loss.gradient is None:
        dZ: Array = trace.A[L] - Y  # dZ[L] = A[L] - Y: output activation fused with its loss
    else:
        dZ = network.loss.gradient(
            trace.A[L], Y
        )  # e.g. (A - Y) A (1 - A): squared error on sigmoid
    for l in range(L, 0, -1):
        grads.dZ[l] = dZ
        A_in = trace.layer_input(l)  # A[l-1] (times M[l-1] under dropout); X for l = 1
        if sample_weight is None:
            dW = A_in.T @ dZ
            dW /= n  # dW[l] = A[l-1]^T dZ[l] / n, (n_{l-1}, n_l)
        else:
            dW = A_in.T @ (dZ * w[:, None])  # dW[l] = A[l-1]^T (w * dZ[l])
        db = w @ dZ  # db[l] = sum_i w_i dZ[l]_i: the mean over samples, (n_l,), one BLAS product
        if l2:
            dW += l2 * network.W[l]  # d/dW of (l2 / 2) ||W||^2
        grads.dW[l], grads.db[l] = dW, db
        if l > 1:
            dA = dZ @ network.W[l].T  # dA[l-1] = dZ[l] W[l]^T, (n, n_{l-1})
            if l - 1 in trace.mask:
                dA *= trace.mask[l - 1]  # through the dropout: d(A M)/dA = M
            grads.dA[l - 1] = dA
            hidden = network.activations[l - 2]
            dZ = hidden.backward(trace.Z[l - 1], trace.A[l - 1], dA)  # dZ[l-1] = dA * g'(Z[l-1])
    if network.embedding is not None:
        assert trace.X is not None and trace.theta is not None  # kept by forward's embedding
        grads.dA[0] = dZ @ network.W[1].T  # dA[0] = dZ[1] W[1]^T, (n, n_0 (1 + K))
        grads.dF, grads.dP = embedding_backward(
            network.embedding,
            trace.X,
            trace.theta,
            grads.dA[0],
            None if sample_weight is None else w,
        )  # dF = mean_i dE cos(theta) 2 pi x, dP = mean_i dE cos(theta), (n_0, K)
    return grads


def cost(
    network: Network,
    trace: Trace,
    Y: Array,
    sample_weight: Array | None = None,
    l2: float = 0.0,
) -> float:
    """J = the loss of ``trace``'s logits Z[L] against ``Y`` plus (l2 / 2) sum_l ||W[l]||^2.

    The loss is computed from Z[L], not from A[L] = g(Z[L]), so it is exact even where
    A[L] rounds to 0 or 1 (see :mod:`glassnet.core.losses`).
    """
    J = network.loss.fn(Y, trace.Z[network.n_layers], sample_weight)  # L(Y, Z[L])
    if l2:
        J += l2_penalty(network, l2)
    return J


def l2_penalty(network: Network, l2: float) -> float:
    """The L2 term of the cost, (l2 / 2) sum_l ||W[l]||^2 (the biases are not penalised).

    Its derivative, l2 W[l], is :func:`backward`'s. The squared norms are added layer by
    layer from W[1], each ``vdot`` a Python float, so every caller gets the same number.
    """
    squared_norms = sum(float(np.vdot(W, W)) for W in network.W.values())  # sum_l ||W[l]||^2
    return 0.5 * l2 * squared_norms  # (l2 / 2) sum_l ||W[l]||^2


def _by_layer(arrays: Sequence[ArrayLike] | Mapping[int, ArrayLike], name: str) -> list:
    """``[arrays[1], ..., arrays[L]]`` from a list (layer 1 first) or a dict keyed 1..L."""
    if not isinstance(arrays, Mapping):
        return list(arrays)
    layers = list(range(1, len(arrays) + 1))
    if sorted(arrays) != layers:
        raise InputError(f"a dict {name} must be keyed by the layers 1..L, got {sorted(arrays)}")
    return [arrays[l] for l in layers]
