"""Looking inside training: per-layer gradient and weight norms, epoch by epoch.

:class:`GradientNorms` adds ``grad_norm_W{l}`` = ||dW[l]||_F and ``weight_norm_W{l}`` =
||W[l]||_F to each epoch's row of the History. Vanishing gradients show as
``grad_norm_W1`` orders of magnitude below ``grad_norm_WL``; exploding ones as norms
that grow epoch after epoch. The gradient is not a step's (one batch's, L2 included,
jumping from batch to batch) but that of the unregularised cost on a fixed *probe
batch* at the epoch's end weights, from the one ``forward`` and ``backward``: the same
quantity every epoch.
"""

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, backward, encode_targets, forward
from glassnet.errors import InputError
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.training.history import History
from glassnet.validation import check_integer, check_lengths, check_random_state, check_X

Array = NDArray[np.floating]


def set_last(history: History, name: str, value: float) -> None:
    """Set column ``name`` of the History's last row, adding the column (NaN-filled) if new.

    ``train`` appends an epoch's row before ``on_epoch_end``, so a callback adds its
    own numbers to that row with this; later rows get NaN until set, as
    :meth:`History.append` fills any column it is not given.
    """
    if len(history) == 0:
        raise ValueError(f"cannot set {name!r}: the History has no row yet")
    if name not in history.columns:
        history.columns[name] = [math.nan] * len(history)
    history.columns[name][-1] = float(value)


def layer_norms(network: Network, X: Array, Y: Array) -> dict[str, float]:
    """``grad_norm_W{l}`` and ``weight_norm_W{l}`` for every layer, from one forward/backward.

    ``X`` (m, n_x) has the network's dtype and ``Y`` is encoded as
    :func:`~glassnet.core.network.encode_targets` returns it.
    """
    grads = backward(network, forward(network, X), Y)
    norms = {f"grad_norm_W{l}": float(np.linalg.norm(dW)) for l, dW in sorted(grads.dW.items())}
    norms |= {f"weight_norm_W{l}": float(np.linalg.norm(W)) for l, W in network.W.items()}
    return norms


class GradientNorms(Callback):
    """Record each layer's gradient norm and weight norm in the History at every epoch's end.

    Parameters
    ----------
    X, y
        The probe batch: usually the training data (an array or a SciPy sparse
        matrix). The gradient is that of the
        unregularised cost on it, at the weights the epoch ended with. Checked here;
        :meth:`from_checked` takes arrays that were checked already.
    max_samples
        Probe with a random sample of this many rows when ``X`` has more
        (``None``: always all of them); the same sample every epoch.
    random_state
        Seed for that sample.

    Examples
    --------
    >>> norms = GradientNorms(X, y)                                # doctest: +SKIP
    >>> history = train(network, X, y, callbacks=[norms])          # doctest: +SKIP
    >>> history["grad_norm_W1"][-1], history["weight_norm_W1"][-1]  # doctest: +SKIP
    """

    X: Array  # the probe rows, (m, n_x)
    y: NDArray[Any]  # their targets as given (encoded, from from_checked)
    Y: Array | None  # the encoded targets (m, n_L); None until on_train_begin encodes y

    def __init__(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        max_samples: int | None = 1000,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        X_checked = check_X(X, accept_sparse=True)  # an array, or CSR
        targets = np.asarray(y)
        check_lengths(X_checked, targets)
        self.X, self.y = _probe_rows(X_checked, targets, max_samples, random_state)
        self.Y = None

    @classmethod
    def from_checked(
        cls,
        X: Array,
        Y: Array,
        *,
        max_samples: int | None = 1000,
        random_state: int | np.random.Generator | None = None,
    ) -> "GradientNorms":
        """The callback for arrays checked already, e.g. a training plan's ``X`` and ``Y``.

        ``X`` (n, n_x) as :func:`~glassnet.validation.check_X` returns it and ``Y``
        (n, n_L) as :func:`~glassnet.core.network.encode_targets` does, for the
        network it will watch (a :func:`~glassnet.training.prepare.prepare` plan
        holds both); neither is checked or encoded again.
        """
        norms = cls.__new__(cls)  # skips __init__, whose job is the checks
        norms.X, norms.y = _probe_rows(X, Y, max_samples, random_state)
        norms.Y = norms.y
        return norms

    def on_train_begin(self, state: TrainingState) -> None:
        network = state.network
        if self.X.shape[1] != network.layer_sizes[0]:
            raise InputError(
                f"the probe X has {self.X.shape[1]} features but the network expects "
                f"{network.layer_sizes[0]}: pass the training data to GradientNorms"
            )
        self._X = self.X.astype(network.dtype, copy=False)
        self._Y = encode_targets(network, self.y) if self.Y is None else self.Y

    def on_epoch_end(self, state: TrainingState) -> None:
        for name, value in layer_norms(state.network, self._X, self._Y).items():
            set_last(state.history, name, value)


def _probe_rows(
    X: Array,
    y: NDArray[Any],
    max_samples: int | None,
    random_state: int | np.random.Generator | None,
) -> tuple[Array, NDArray[Any]]:
    """``X, y``, or a random sample of ``max_samples`` of their rows, in the data's order."""
    if max_samples is None:
        return X, y
    limit = check_integer(max_samples, "max_samples", low=1, alternative="None for every row")
    if X.shape[0] <= limit:
        return X, y
    rows = np.sort(check_random_state(random_state).choice(X.shape[0], limit, replace=False))
    return X[rows], y[rows]
