"""Targets: ``y`` as the (n, n_L) matrix ``Y`` the output layer's loss compares with.

=========  ===================================================  ==========================
output     y as given                                           Y
=========  ===================================================  ==========================
sigmoid    0/1 labels, (n,) for one output or (n, n_L)          the labels as a column
softmax    class indices 0..k-1 (n,), or a one-hot (n, k)       one-hot, (n, k)
identity   real values, (n,) or (n, n_L)                        the values as a column
exp        counts or rates y >= 0, (n,) or (n, n_L)             the values as a column
=========  ===================================================  ==========================

Label smoothing (classification only) moves each target a share eps of the way to the
uniform distribution over the K classes::

    Y' = (1 - eps) Y + eps / K        softmax: K = n_L;  sigmoid: K = 2 (each output is 0/1)

The loss pairs keep working unchanged on the soft targets: the cross-entropy from the
logits is exact for any Y' (it is linear in Y'), and its gradient stays dZ[L] = A[L] - Y'.
"""

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError
from glassnet.validation import check_number


class OutputLayer(Protocol):
    """What :func:`encode_targets` reads of a ``Network``: sizes, output name, dtype."""

    layer_sizes: list[int]
    dtype: np.dtype

    @property
    def output(self) -> str: ...


def encode_targets(
    network: OutputLayer, y: ArrayLike, label_smoothing: float = 0.0
) -> NDArray[np.floating]:
    """Turn ``y`` into the (n, n_L) target matrix Y the output layer is compared with.

    sigmoid: 0/1 labels, 1-D (one output) or (n, n_L); softmax: class indices
    0..k-1 (one-hot encoded here) or a one-hot matrix; identity: values, 1-D or (n, n_L);
    exp (Poisson): non-negative counts or rates, 1-D or (n, n_L).

    ``label_smoothing`` eps in [0, 1) returns Y' = (1 - eps) Y + eps / K instead, with
    K = n_L classes for softmax and K = 2 for each sigmoid output (a classifier's output
    only). The cost J(Y', Z) is then the cross-entropy against the soft targets, and
    the fused gradient stays dL_i/dZ[L] = A[L] - Y'.

    Raises
    ------
    InputError
        For targets the output cannot take, or label smoothing outside [0, 1) or asked
        of a regression output.
    """
    eps = check_number(label_smoothing, "label_smoothing", low=0, high=1, high_open=True)
    if eps and network.output not in ("sigmoid", "softmax"):
        raise InputError(
            f"label_smoothing is for classification (a sigmoid or softmax output), not for "
            f"a {network.output} output: leave label_smoothing at 0"
        )
    Y = _encode(network, y)
    if eps:
        K = 2 if network.output == "sigmoid" else network.layer_sizes[-1]  # sigmoid: 0 or 1
        Y *= 1 - eps
        Y += eps / K  # Y' = (1 - eps) Y + eps / K, (n, n_L)
    return Y


def _encode(network: OutputLayer, y: ArrayLike) -> NDArray[np.floating]:
    """The hard targets Y of :func:`encode_targets`, checked, as a new array."""
    y = np.asarray(y)
    n_out = network.layer_sizes[-1]
    if network.output == "softmax" and y.ndim == 1:
        if y.dtype.kind not in "iub" and (y.dtype.kind != "f" or not np.all(np.mod(y, 1) == 0)):
            raise InputError("softmax targets must be class indices 0..k-1 or a one-hot matrix")
        indices = y.astype(np.intp)
        if indices.size and (indices.min() < 0 or indices.max() >= n_out):
            raise InputError(
                f"class indices must lie in 0..{n_out - 1} for {n_out} output units, "
                f"got {indices.min()}..{indices.max()}"
            )
        Y = np.zeros((y.shape[0], n_out), dtype=network.dtype)
        Y[np.arange(y.shape[0]), indices] = 1  # one-hot
        return Y
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    if Y.ndim != 2 or Y.shape[1] != n_out:
        raise InputError(
            f"y has shape {y.shape} but the network has {n_out} output unit(s): "
            f"give (n,) or (n, {n_out}) targets"
        )
    if Y.dtype.kind not in "biuf":
        raise InputError(f"y must be numeric for a {network.output} output, got dtype {y.dtype}")
    Y = Y.astype(network.dtype)
    if not np.isfinite(Y).all():
        raise InputError("y contains NaN or inf: drop or impute those targets first")
    if network.output == "sigmoid" and not np.isin(Y, (0, 1)).all():
        values = np.unique(Y)
        shown = ", ".join(str(v) for v in values[:6])
        raise InputError(
            f"a sigmoid output needs labels 0 and 1, got {values.size} distinct value(s) "
            f"({shown}{', ...' if values.size > 6 else ''}): map two classes to 0/1, or use "
            "a softmax output for more classes"
        )
    if network.output == "exp" and (Y < 0).any():
        raise InputError(
            f"an exp (Poisson) output needs targets y >= 0 (counts or rates), got a minimum of "
            f"{Y.min():g}: use an identity output (squared error) for targets that can be negative"
        )
    return Y
