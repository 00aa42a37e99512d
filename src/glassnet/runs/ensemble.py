"""An ensemble of N networks as one network: the members side by side, their logits averaged.

Members of the same layout (trained from seeds seed, seed + 1, ...) are merged into one
wider network that computes every member at once and averages their output logits::

    layer 1     W[1] = [W1_1 | W1_2 | ... | W1_N]          every member reads the same X
    layer l     W[l] = blockdiag(Wl_1, ..., Wl_N)           member i reads only its own units
    layer L     W[L] = [WL_1; ...; WL_N] / N,  b[L] = mean_i bL_i
                Z[L] = (1/N) sum_i (A_i[L-1] WL_i + bL_i) = mean_i Z_i[L]

so the file holds one :class:`~glassnet.core.network.Network` and ``predict``, ``evaluate``
and ``explain`` need nothing new. What is averaged is the logits ``Z[L]``, not the
probabilities ``A[L]``:

- regression (identity output): the mean of the members' predictions, exactly;
- sigmoid / softmax: softmax(mean_i Z_i) is proportional to prod_i p_i^(1/N), the
  normalised geometric mean of the members' probabilities. It is close to their arithmetic
  mean when the members agree, and leans to the confident members when they do not.

Averaging the probabilities themselves is a nonlinear mean after the output activation,
which no single network computes: it would need a model holding N networks.

With a numeric embedding, the merged embedding holds every member's frequencies: feature
j's sines are member 1's K, then member 2's, ... (N K per feature, ``F[j, i K + k]``), and
member i's first-layer rows are moved to its own sines' columns of A[0].
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.errors import InputError

Array = NDArray[np.floating]


def merge_networks(members: Sequence[Network]) -> Network:
    """One network whose output logits are the mean of the members' (see the module's doc).

    Parameters
    ----------
    members
        Networks of one layout: layer sizes, activations, output, dtype and embedding
        size all equal.

    Returns
    -------
    Network
        Hidden layers N times as wide; ``Z[L] = mean_i Z_i[L]`` for every X.
    """
    if not members:
        raise InputError("an ensemble needs at least one network")
    first = members[0]
    for member in members[1:]:
        if _layout(member) != _layout(first):
            raise InputError(
                f"an ensemble's networks must share one layout: {_layout(first)} and "
                f"{_layout(member)} differ"
            )
    n, L = len(members), first.n_layers
    W: list[Array] = []
    b: list[Array] = []
    for l in range(1, L + 1):
        n_out = first.layer_sizes[l]
        columns = n_out if l == L else n * n_out  # the output layer's units are shared
        Wl = np.zeros((_merged_rows(first, n, l), columns), dtype=first.dtype)
        for i, member in enumerate(members):
            rows = _member_rows(first, n, l, i)
            cols = np.arange(n_out) if l == L else np.arange(i * n_out, (i + 1) * n_out)
            Wl[np.ix_(rows, cols)] += member.W[l] / n if l == L else member.W[l]
        W.append(Wl)
        biases = [member.b[l] for member in members]
        b.append(np.mean(biases, axis=0) if l == L else np.concatenate(biases))  # b[L] = mean
    F = P = None
    if first.embedding is not None:  # F[j, i K + k] = F_i[j, k]: member i's sines, in turn
        F = np.concatenate([m.embedding.F for m in members if m.embedding is not None], axis=1)
        P = np.concatenate([m.embedding.P for m in members if m.embedding is not None], axis=1)
    return Network.from_weights(
        W, b, hidden=first.hidden, output=first.output, init=first.init, dtype=first.dtype,
        F=F, P=P, loss=first.loss.name,
    )  # fmt: skip


def _layout(network: Network) -> tuple[object, ...]:
    K = None if network.embedding is None else network.embedding.n_frequencies
    sizes, hidden = tuple(network.layer_sizes), tuple(network.hidden)
    return (sizes, hidden, network.output, network.loss.name, network.dtype, K)


def _merged_rows(first: Network, n: int, l: int) -> int:
    """The rows of the merged W[l]: its input width."""
    if l > 1:
        return n * first.layer_sizes[l - 1]
    if first.embedding is None:
        return first.layer_sizes[0]
    n_x, K = first.layer_sizes[0], first.embedding.n_frequencies
    return n_x * (1 + n * K)  # A[0] = [X, sin(2 pi F x + P)] with N K sines per feature


def _member_rows(first: Network, n: int, l: int, i: int) -> NDArray[np.intp]:
    """Where member i's rows of W[l] go in the merged W[l]."""
    if l > 1:
        width = first.layer_sizes[l - 1]
        return np.arange(i * width, (i + 1) * width)  # its own units of layer l - 1
    n_x = first.layer_sizes[0]
    if first.embedding is None:
        return np.arange(n_x)  # X itself, shared
    K = first.embedding.n_frequencies
    j, k = np.divmod(np.arange(n_x * K), K)  # member row n_x + j K + k: feature j, sine k
    sines = n_x + j * (n * K) + i * K + k  # merged column of A[0]: n_x + j N K + i K + k
    return np.concatenate([np.arange(n_x), sines])
