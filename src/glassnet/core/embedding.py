"""Numeric embeddings, periodic + linear: a first layer that lets a network bend each feature.

RealMLP's PBLD embedding (Holzmueller et al., "Better by Default", NeurIPS 2024), in its
simplest form. For each input feature j = 1..n_x and each frequency k = 1..K, with a
learnable frequency F[j, k] and phase P[j, k]::

    theta[i, j, k] = 2 pi F[j, k] x_ij + P[j, k]        (n, n_x, K)
    E[i, j, k]     = sin(theta[i, j, k])                (n, n_x, K)
    A[0]           = [X, E]                             (n, n_x (1 + K)): x itself, then E

``E`` is flattened feature by feature: column n_x + j K + k of A[0] is E[:, j, k]. The
first dense layer reads A[0] as it would read X, so ``W[1]`` has n_x (1 + K) rows. The
linear part keeps every model the plain network could learn; the periodic part gives
each feature K smooth bumps the next layer can combine.

Backward, with dA[0] = dZ[1] W[1]^T and dE its embedding columns reshaped to
(n, n_x, K), and the sample weights w_i = s_i / sum(s) (1/n without weights)::

    dE/dtheta = cos(theta)
    dF[j, k]  = sum_i w_i dE[i, j, k] cos(theta[i, j, k]) 2 pi x_ij
    dP[j, k]  = sum_i w_i dE[i, j, k] cos(theta[i, j, k])

F starts at N(0, sigma^2) (sigma = 0.1 by default, as RealMLP-TD, on standardised
inputs: low frequencies, so each sine starts close to a line through its phase) and P at
U(-pi, pi), both drawn from the network's Generator.
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from glassnet.errors import InputError
from glassnet.validation import check_integer, check_positive, is_sparse

Array = NDArray[np.floating]


@dataclass
class PeriodicEmbedding:
    """The learnable frequencies ``F`` and phases ``P`` of a periodic + linear embedding.

    Parameters
    ----------
    F
        Frequencies, (n_x, K): feature j's k-th sine is sin(2 pi F[j, k] x_j + P[j, k]).
    P
        Phases P[j, k], shape (n_x, K).
    """

    F: Array  # (n_x, K)
    P: Array  # (n_x, K)

    @classmethod
    def initial(
        cls,
        n_features: int,
        n_frequencies: int,
        sigma: float,
        rng: np.random.Generator,
        dtype: DTypeLike,
    ) -> "PeriodicEmbedding":
        """F ~ N(0, sigma^2) and P ~ U(-pi, pi), each (n_features, n_frequencies), F drawn first.

        Raises
        ------
        InputError
            For a number of frequencies below 1, or a sigma that is not above 0.
        """
        K = check_integer(n_frequencies, "embedding", low=1)
        sigma = check_positive(sigma, "embedding_sigma")
        shape = (n_features, K)
        F = rng.normal(0.0, sigma, shape).astype(dtype)  # F[j, k] ~ N(0, sigma^2)
        P = rng.uniform(-math.pi, math.pi, shape).astype(dtype)  # P[j, k] ~ U(-pi, pi)
        return cls(F, P)

    @property
    def n_features(self) -> int:
        """n_x, the raw features the embedding reads."""
        return int(self.F.shape[0])

    @property
    def n_frequencies(self) -> int:
        """K, the sines per feature."""
        return int(self.F.shape[1])

    @property
    def width(self) -> int:
        """n_x (1 + K): the columns of A[0], the rows of W[1]."""
        return self.n_features * (1 + self.n_frequencies)


def embedding_from(
    F: ArrayLike | None, P: ArrayLike | None, dtype: DTypeLike, copy: bool = True
) -> PeriodicEmbedding | None:
    """The embedding of the arrays F and P (n_x, K), given together; None when neither is.

    ``copy=False`` shares an array that already has ``dtype`` and is C-contiguous.

    Raises
    ------
    InputError
        When only one of F and P is given, or their shapes differ or are not (n_x, K).
    """
    if F is None and P is None:
        return None
    if F is None or P is None:
        raise InputError(
            "a numeric embedding needs both F (frequencies) and P (phases), or neither"
        )
    as_array = np.array if copy else np.ascontiguousarray  # a new array, or the same if it fits
    embedding = PeriodicEmbedding(as_array(F, dtype=dtype), as_array(P, dtype=dtype))
    if embedding.F.ndim != 2 or embedding.F.shape != embedding.P.shape or 0 in embedding.F.shape:
        raise InputError(
            f"F and P must both have shape (n_x, K), n_x features by K frequencies, "
            f"got {embedding.F.shape} and {embedding.P.shape}"
        )
    return embedding


def embed(embedding: PeriodicEmbedding, X: Array) -> tuple[Array, Array]:
    """A[0] = [X, sin(theta)] with theta = 2 pi F x + P; return A[0] and theta.

    Parameters
    ----------
    X
        Raw features, (n, n_x), a dense array (the sines of a sparse matrix are dense).

    Returns
    -------
    A0
        (n, n_x (1 + K)): X, then sin(theta[:, j, k]) for j = 1..n_x, k = 1..K.
    theta
        (n, n_x, K), the angles, kept for the backward pass (dE/dtheta = cos(theta)).
    """
    if is_sparse(X):
        raise InputError(
            "a network with a numeric embedding needs a dense X (the sines of a sparse "
            "matrix are dense): pass X.toarray(), or use a network without an embedding"
        )
    n = X.shape[0]
    theta = X[:, :, None] * (2 * math.pi * embedding.F)  # 2 pi F[j, k] x_ij, (n, n_x, K)
    theta += embedding.P  # theta = 2 pi F x + P, (n, n_x, K)
    A0 = np.concatenate([X, np.sin(theta).reshape(n, -1)], axis=1)  # [X, E], (n, n_x (1 + K))
    return A0, theta


def embedding_backward(
    embedding: PeriodicEmbedding,
    X: Array,
    theta: Array,
    dA0: Array,
    weights: Array | None,
) -> tuple[Array, Array]:
    """dF and dP, the mean over samples of what dA[0] = dZ[1] W[1]^T says of each sine.

    Parameters
    ----------
    X, theta
        The raw features (n, n_x) and the angles (n, n_x, K) of :func:`embed`.
    dA0
        dL_i/dA[0] per sample, (n, n_x (1 + K)); its first n_x columns (the linear part)
        have no parameter and are not used.
    weights
        w_i = s_i / sum(s), (n,); None for the plain mean (w_i = 1/n).

    Returns
    -------
    dF, dP
        (n_x, K) each: dF[j, k] = sum_i w_i dtheta_ijk 2 pi x_ij, dP[j, k] = sum_i w_i dtheta_ijk.
    """
    n, n_x = X.shape
    dE = dA0[:, n_x:].reshape(n, n_x, embedding.n_frequencies)  # dL_i/dE[i, j, k], (n, n_x, K)
    dtheta = dE * np.cos(theta)  # dL_i/dtheta = dE * cos(theta), (n, n_x, K)
    w = np.full(n, 1 / n, dtype=dtheta.dtype) if weights is None else weights  # (n,)
    dP = np.tensordot(w, dtheta, axes=1)  # dP[j, k] = sum_i w_i dtheta_ijk, (n_x, K)
    dF = np.tensordot(w, dtheta * X[:, :, None], axes=1)  # sum_i w_i dtheta_ijk x_ij
    dF *= 2 * math.pi  # dF[j, k] = 2 pi sum_i w_i dtheta_ijk x_ij, (n_x, K)
    return dF, dP
