"""Dropout: each hidden unit is dropped with probability p while training, never at predict time.

A hidden layer l with rate p_l gets a fresh mask every step, one entry per sample and unit:

    M[l] = keep / (1 - p_l),  keep ~ Bernoulli(1 - p_l)     (n, n_l): 0 or 1/(1 - p_l)

and the next layer reads ``A[l] * M[l]`` instead of ``A[l]`` ("inverted" dropout: the kept
units are scaled up by 1/(1 - p_l) during training, so the expected input of the next
layer is A[l] itself, and predicting needs no mask and no rescaling). Backpropagation
goes through the same product: d(A * M)/dA = M, so ``dA[l]`` is multiplied by ``M[l]``.

The masks are drawn here, from the training run's Generator, and handed to
:func:`~glassnet.core.network.forward`, which records them in the Trace
(``trace.mask[l]``); ``forward`` without masks drops nothing. The input layer and the
output layer are never dropped.
"""

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import DTypeLike, NDArray

from glassnet.errors import InputError
from glassnet.validation import check_number

Array = NDArray[np.floating]
Rates = float | Sequence[float] | None


def check_dropout(dropout: Rates, n_hidden: int) -> dict[int, float]:
    """``{l: p_l}`` for the hidden layers l = 1..n_hidden whose rate p_l is above 0.

    ``dropout`` is one rate for every hidden layer, one rate per hidden layer, or
    ``None`` (no dropout). Each rate lies in [0, 1): p = 1 would drop every unit.

    Raises
    ------
    InputError
        For a rate outside [0, 1), or a list whose length is not the number of hidden layers.
    """
    if dropout is None:
        return {}
    if isinstance(dropout, Sequence) and not isinstance(dropout, str):
        rates = list(dropout)
        if len(rates) != n_hidden:
            raise InputError(
                f"dropout lists {len(rates)} rate(s) but the network has {n_hidden} hidden "
                "layer(s): give one rate per hidden layer, or a single rate for all of them"
            )
    else:
        rates = [dropout] * n_hidden
    checked = [
        check_number(p, "dropout", low=0, high=1, high_open=True, noun="a rate") for p in rates
    ]
    return {l: p for l, p in enumerate(checked, start=1) if p > 0}


def draw_masks(
    rates: Mapping[int, float],
    layer_sizes: Sequence[int],
    n_rows: int,
    rng: np.random.Generator,
    dtype: DTypeLike,
) -> dict[int, Array]:
    """One inverted-dropout mask per layer in ``rates``: M[l] = keep / (1 - p_l), (n_rows, n_l).

    Each unit of each row is kept with probability 1 - p_l (``U >= p_l`` for U uniform
    in [0, 1)). Nothing is drawn when ``rates`` is empty, so a run without dropout
    takes the same random numbers as before dropout existed.
    """
    masks = {}
    for l, p in rates.items():
        kept = rng.random((n_rows, layer_sizes[l])) >= p  # keep ~ Bernoulli(1 - p), (n, n_l)
        mask = kept.astype(dtype)
        mask *= 1 / (1 - p)  # inverted scaling: E[M] = 1
        masks[l] = mask
    return masks
