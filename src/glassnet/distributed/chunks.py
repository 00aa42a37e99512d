"""Dask input checked and persisted: the chunks a fit trains on, where they live.

``X`` is a dask array (or a numeric dask DataFrame) of shape (N, n_x) split into
row chunks, ``y`` (and ``sample_weight``) split into the same row chunks. Each
chunk is checked where it is computed (numbers, no NaN or inf), turned into the
network's dtype and targets there, and persisted once (``client.persist``): the
rows stay on the workers that computed them, and a chunk lost with its worker is
recomputed from its source. What a fit holds are futures, one per chunk.

===========================================  ==============================================
refused                                      the fix the message names
===========================================  ==============================================
X in several column chunks                   ``X.rechunk({1: -1})``
y or sample_weight in other row chunks       ``y.rechunk({0: X.chunks[0]})``
unknown chunk sizes (NaN in ``X.chunks``)    ``X.compute_chunk_sizes()``, ``lengths=True``
text or categories in X                      ``glassnet.distributed.prepare``
NaN or inf in a chunk                        impute or drop those rows (the chunk is named)
===========================================  ==============================================
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dask.array as da
import dask.dataframe as dd
import numpy as np
from distributed import Client, Future
from distributed.scheduler import KilledWorker
from numpy.typing import NDArray
from sklearn.preprocessing import LabelBinarizer

from glassnet.core.network import Network
from glassnet.core.targets import encode_targets
from glassnet.distributed.cluster import MEMORY_HINT, RoundFailedError
from glassnet.errors import InputError
from glassnet.validation import check_weight_total

Array = NDArray[np.floating]
PREPARE = "glassnet.distributed.prepare(frame, ...) (one-hot categories, scaled numbers)"


@dataclass
class Chunks:
    """The persisted chunks of a fit, in row order: futures on the workers, and their sizes.

    ``X[c]`` is chunk c's rows (n_c, n_x) in the network's dtype, ``Y[c]`` its targets
    (n_c, n_L) encoded for the network, ``weights[c]`` its sample weights (n_c,)
    or None; ``rows[c]`` = n_c and ``weight_sums[c]`` = S_c (n_c without weights).
    """

    X: list[Future]
    Y: list[Future]
    weights: list[Future] | None
    rows: list[int]
    weight_sums: list[float]

    @property
    def n_samples(self) -> int:
        """N, the rows of every chunk."""
        return sum(self.rows)

    @property
    def total_weight(self) -> float:
        """S = sum_c S_c: N, or the sum of the sample weights."""
        return float(sum(self.weight_sums))

    def parts(self) -> Iterator[tuple[Future, Future, Future | None]]:
        """``(X[c], Y[c], weights[c])`` for every chunk c, in order."""
        weights = self.weights if self.weights is not None else [None] * len(self.X)
        return zip(self.X, self.Y, weights, strict=True)


@dataclass
class Architecture:
    """A network without its weights, as the workers take it: sizes, activations and dtype.

    What :func:`~glassnet.core.targets.encode_targets` reads, and what rebuilds the network.
    """

    layer_sizes: list[int]
    hidden: list[str]
    output: str
    dtype: Any

    @classmethod
    def of(cls, network: Network) -> "Architecture":
        return cls(network.layer_sizes, network.hidden, network.output, network.dtype)

    def network(self, parameters: list[Array], copy: bool = False) -> Network:
        """The Network of ``parameters`` = [W[1], b[1], ..., W[L], b[L]]."""
        W, b = parameters[0::2], parameters[1::2]
        return Network.from_weights(W, b, self.hidden, self.output, dtype=self.dtype, copy=copy)


def encode_chunk_targets(
    y: NDArray, binarizer: LabelBinarizer | None, layout: Architecture
) -> Array:
    """One chunk's labels as the network's Y: binarised (a classifier), then encoded.

    A chunk of no rows (``X[mask].compute_chunk_sizes()`` makes them) is a Y of no rows:
    it adds nothing to a fit.
    """
    if not len(y):
        return np.empty((0, layout.layer_sizes[-1]), dtype=layout.dtype)  # (0, n_L)
    labels = binarizer.transform(y).astype(bool) if binarizer is not None else y
    return encode_targets(layout, labels)


def as_dask_array(data: Any, name: str) -> da.Array:
    """``data`` as a dask array; a numeric dask DataFrame by ``to_dask_array(lengths=True)``.

    NumPy input becomes one chunk per ``"auto"`` block of rows.
    """
    if isinstance(data, dd.DataFrame):
        text = [str(column) for column, dtype in data.dtypes.items() if dtype.kind not in "biuf"]
        if text:
            raise InputError(
                f"{name} has non-numeric column(s) {', '.join(text[:5])}: the network "
                f"multiplies numbers. Preprocess the frame first with {PREPARE}"
            )
        return data.to_dask_array(lengths=True)
    if isinstance(data, dd.Series):
        return data.to_dask_array(lengths=True)
    if isinstance(data, da.Array):
        return data
    array = np.asarray(data)
    return da.from_array(array, chunks=("auto",) + (-1,) * (array.ndim - 1))


def check_layout(X: da.Array, y: da.Array, sample_weight: da.Array | None) -> None:
    """Refuse what no chunk-wise fit can train on: the table at the top of this module."""
    if X.ndim != 2:
        raise InputError(f"X must be 2-D (n_samples, n_features), got {X.ndim} dimension(s)")
    if X.dtype.kind not in "biuf":
        raise InputError(
            f"X has dtype {X.dtype}, not numbers: encode it first with {PREPARE}, "
            "or give a numeric dask array"
        )
    for array, name in ((X, "X"), (y, "y"), (sample_weight, "sample_weight")):
        if array is not None and any(np.isnan(size) for size in array.chunks[0]):
            raise InputError(
                f"{name} has unknown chunk sizes (NaN in {name}.chunks), as a dask array made "
                f"from a DataFrame or a boolean filter has: call {name}.compute_chunk_sizes() "
                "first, or make it with frame.to_dask_array(lengths=True)"
            )
    if len(X.chunks[1]) > 1:
        raise InputError(
            f"X is split into {len(X.chunks[1])} column chunks {X.chunks[1]}: every chunk must "
            "hold whole rows. Rechunk it with X.rechunk({1: -1})"
        )
    for array, name in ((y, "y"), (sample_weight, "sample_weight")):
        if array is not None and array.chunks[0] != X.chunks[0]:
            raise InputError(
                f"X and {name} are split into different row chunks: X {X.chunks[0]}, {name} "
                f"{array.chunks[0]}. Give them the same ones: "
                f"{name}.rechunk({{0: X.chunks[0]}})"
            )
    if y.ndim == 2 and len(y.chunks[1]) > 1:
        raise InputError("y is split into column chunks: rechunk it with y.rechunk({1: -1})")


def checked_chunk(block: NDArray, name: str, dtype: Any, block_info: Any = None) -> NDArray:
    """One chunk of X (or y, or the weights) as ``dtype``, refused if it holds NaN or inf.

    It runs where the chunk is computed; the message names the chunk and its rows.
    """
    values = np.asarray(block, dtype=dtype)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        start, stop = block_info[None]["array-location"][0]
        chunk = block_info[None]["chunk-location"][0]
        bad_rows = ~np.isfinite(values).reshape(values.shape[0], -1).all(axis=1)  # (n_c,)
        bad = start + int(np.flatnonzero(bad_rows)[0])
        raise InputError(
            f"{name} chunk {chunk} (rows {start} to {stop - 1}) contains NaN or inf, first at "
            f"row {bad}: impute or drop those rows first (for a DataFrame, "
            "glassnet.distributed.prepare with nan='impute' or 'skip')"
        )
    return values


def check_weights(block: NDArray, block_info: Any = None) -> NDArray:
    """One chunk of sample weights: finite and non-negative, else the chunk is named."""
    values = checked_chunk(block, "sample_weight", None, block_info)
    if (values < 0).any():
        start, stop = block_info[None]["array-location"][0]
        raise InputError(
            f"sample_weight has negative values in rows {start} to {stop - 1}: "
            "weights must be non-negative"
        )
    return values


def persist_chunks(
    client: Client,
    X: da.Array,
    y: da.Array,
    sample_weight: da.Array | None,
    dtype: Any,
    targets: Callable[[NDArray], Array],
    n_outputs: int,
) -> Chunks:
    """Check every chunk where it is computed, encode its targets, persist it; wait for all.

    ``targets(y_chunk)`` is the network's Y, (n_c, n_outputs), for a chunk of labels
    (the estimator's label binarizer and :func:`~glassnet.core.targets.encode_targets`). Raises the
    first chunk's InputError (NaN, negative weights, bad labels), naming it, and a
    RoundFailedError with a memory hint when Dask gave up on a chunk whose workers died.
    """
    X = da.map_blocks(checked_chunk, X, "X", dtype, dtype=dtype)
    y_checked = da.map_blocks(checked_chunk, y, "y", None, dtype=y.dtype)
    Y = da.map_blocks(
        targets,
        y_checked,
        dtype=dtype,
        chunks=(y.chunks[0], (n_outputs,)),
        new_axis=1 if y.ndim == 1 else None,
    )
    arrays = [X, Y]
    if sample_weight is not None:
        arrays.append(da.map_blocks(check_weights, sample_weight, dtype=sample_weight.dtype))
    persisted = client.persist(arrays)
    futures = [client.compute(part.to_delayed().ravel().tolist()) for part in persisted]
    sizes = _chunk_sizes(client, futures)
    keep = [c for c, (n_c, _) in enumerate(sizes) if n_c > 0]  # a chunk with no rows adds nothing
    if not keep:
        raise InputError("X has no rows: give at least one sample")
    weights = [futures[2][c] for c in keep] if sample_weight is not None else None
    chunks = Chunks(
        X=[futures[0][c] for c in keep],
        Y=[futures[1][c] for c in keep],
        weights=weights,
        rows=[sizes[c][0] for c in keep],
        weight_sums=[sizes[c][1] for c in keep],
    )
    check_weight_total(chunks.total_weight)
    return chunks


def _chunk_sizes(client: Client, futures: list[list[Future]]) -> list[tuple[int, float]]:
    """``(n_c, S_c)`` of every chunk, computing them (their checks run now)."""
    per_chunk = zip(*futures, strict=True)
    try:
        return client.gather([client.submit(_size, *part, pure=False) for part in per_chunk])
    except KilledWorker as error:  # Dask gave up on a chunk whose workers kept dying
        raise RoundFailedError(
            f"the chunks could not be loaded: a worker died while computing them ({error}); "
            f"{MEMORY_HINT}"
        ) from None


def _size(X: Array, Y: Array, weights: Array | None = None) -> tuple[int, float]:
    """n_c and S_c of one chunk (computing it, so its check runs now)."""
    n_c = X.shape[0]
    return n_c, float(n_c) if weights is None else float(weights.sum())
