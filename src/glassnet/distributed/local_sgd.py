"""Data-parallel mini-batch SGD and Adam: K local steps on every chunk, then an average.

One round, for every chunk c that has rows left in this epoch::

    theta_c, state_c = K steps of the optimizer on chunk c's own mini-batches,
                       from the round's theta and optimizer state (scattered once)
    theta   = sum_c f_c theta_c        f_c = S_c^round / sum_c S_c^round
    m, v    = sum_c f_c m_c, ...       the optimizer's moments, averaged the same way

with S_c^round the rows (or sample weight) chunk c trained on in the round. The
average runs in chunk order, so the same seed gives the same model whatever
worker ran which chunk. An epoch is one pass of every chunk over its own rows,
in batches of ``batch_size`` drawn as :func:`glassnet.train` draws them (a fresh
permutation per pass); it ends when the last chunk is through, and the
estimator's end-of-epoch rules run then.

Chunk 0 shuffles with the estimator's own Generator, the others with children
spawned from it (``Generator.spawn``, in chunk order): with one chunk the batches,
the steps and the model are exactly those of the estimator's own ``fit``. A
chunk's round is a pure function of its inputs (the parameters, the optimizer,
its Generators and position), so a round rerun after a worker died gives the same
numbers. K trades traffic for drift (docs/distributed.md, "K's trade-off").
"""

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
from distributed import Client
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.core.optimizers import Adam, AdamW, GradientDescent, Optimizer
from glassnet.distributed.chunks import Architecture, Chunks
from glassnet.distributed.cluster import Rounds, Scores, gather_round
from glassnet.errors import DivergenceError
from glassnet.estimators import EpochsRun
from glassnet.training.batches import Batch, BatchBuffers, mini_batches, row_order
from glassnet.training.divergence import diverged
from glassnet.training.epochs import EpochRecord
from glassnet.training.step import NonFiniteCostError, StepSettings, take_step

Array = NDArray[np.floating]

# the optimizer state averaged across chunks, by optimizer class (lists of arrays)
MOMENTS: dict[type, tuple[str, ...]] = {
    GradientDescent: ("velocities",),
    Adam: ("m", "v"),
    AdamW: ("m", "v"),
}


@dataclass(frozen=True)
class LocalSettings:
    """How every chunk steps: the batch, the shuffling, each step's settings, K."""

    batch_size: int
    shuffle: bool
    total_weight: float  # S: a batch's share of the epoch's cost is its rows (weight) / S
    step: StepSettings  # its l2 is alpha / S over the whole data, as in one process
    local_steps: int  # K


@dataclass
class Position:
    """Where one chunk is in its pass over its rows, and what the pass has recorded.

    ``order_rng`` is the Generator as it was when this pass's permutation was drawn
    (drawn again from it in each round), ``rng`` the Generator now (past the
    permutation and the dropout masks so far).
    """

    rng: np.random.Generator
    order_rng: np.random.Generator | None = None
    next_row: int = 0  # where the next batch starts in the pass's order
    epoch_cost: float = 0.0  # sum over the pass's batches of J_b * share_b
    norms: list[float] = field(default_factory=list)  # the steps' gradient norms (clip_norm)


@dataclass
class LocalResult:
    """What one chunk's round sends back: its parameters, optimizer and position."""

    parameters: list[Array]
    optimizer: Optimizer
    position: Position
    steps: int
    share: float  # S_c^round / S: the part of the data the chunk trained on this round
    cost: float  # sum over the round's batches of J_b * share_b


def local_round(
    shared: tuple[list[Array], Optimizer],
    position: Position,
    architecture: Architecture,
    settings: LocalSettings,
    chunk: int,
    X: Array,
    Y: Array,
    weights: Array | None,
) -> LocalResult:
    """Up to K steps of the optimizer on one chunk's next mini-batches, as ``train`` takes them."""
    parameters, optimizer = shared
    network = architecture.network(parameters, copy=True)  # this chunk's own copy
    optimizer = copy.deepcopy(optimizer)
    position = copy.deepcopy(position)
    steps, share, round_cost = 0, 0.0, 0.0
    for batch in _pass_batches(X, Y, weights, position, settings):
        J = _step(network, optimizer, batch, position, settings, chunk)
        position.epoch_cost += J * batch.share  # the pass's cost, batch by batch as train's
        round_cost += J * batch.share
        share += batch.share
        steps += 1
        if steps == settings.local_steps:
            break
    return LocalResult(network.parameters(), optimizer, position, steps, share, round_cost)


def _step(
    network: Network,
    optimizer: Optimizer,
    batch: Batch,
    position: Position,
    settings: LocalSettings,
    chunk: int,
) -> float:
    """One step of the training loop on one batch (glassnet's one step); its cost J."""
    try:
        step = take_step(network, optimizer, batch, settings.step, position.rng)
    except NonFiniteCostError as error:
        raise DivergenceError(
            f"training diverged on chunk {chunk}: the cost became {error.cost}. Try a smaller "
            f"learning rate (it was {optimizer.learning_rate:g}), standardised features, "
            "or more L2 (alpha)"
        ) from None
    if step.grad_norm is not None:
        position.norms.append(step.grad_norm)  # the norm before clipping, kept
    return step.cost


def _pass_batches(
    X: Array, Y: Array, weights: Array | None, position: Position, settings: LocalSettings
) -> Iterator[Batch]:
    """The pass's batches from the chunk's position on, moving the position past each.

    The batches of :func:`glassnet.train` (:func:`~glassnet.training.batches.mini_batches`
    in the order of :func:`~glassnet.training.batches.row_order`), with shares of the whole
    data's S; a chunk no larger than a batch is one batch.
    """
    n, total = X.shape[0], settings.total_weight
    if settings.batch_size >= n:
        position.next_row = n
        S_c = n if weights is None else float(weights.sum())
        yield Batch(X, Y, weights, S_c / total)  # share = S_c / S; nothing drawn (as batches())
        return
    buffers = BatchBuffers(X, Y, weights, settings.batch_size)
    order = row_order(n, settings.shuffle, _order_rng(position))
    start = position.next_row
    for next_row, batch in mini_batches(
        X, Y, weights, order, settings.batch_size, buffers, total, start
    ):
        position.next_row = next_row
        yield batch  # share = m / S (or sum_batch s_i / S)
    position.next_row = n  # the batches left, if any, weighed nothing


def _order_rng(position: Position) -> np.random.Generator:
    """The Generator the pass's order is drawn from: the chunk's own at the pass's start
    (a copy kept), a copy of the kept one in the pass's later rounds (the same order again)."""
    if position.next_row == 0:
        position.order_rng = copy.deepcopy(position.rng)
        return position.rng
    kept = position.order_rng
    assert kept is not None  # kept at the pass's start
    return copy.deepcopy(kept)


def train(
    client: Client,
    chunks: Chunks,
    record: EpochRecord,
    settings: LocalSettings,
    *,
    rng: np.random.Generator,
    rounds: Rounds,
    scores: Scores | None = None,
) -> EpochsRun:
    """Local SGD over the record's epochs; its network and optimizer end as the average.

    ``record`` keeps the epochs (:mod:`glassnet.training.epochs`): its network and optimizer
    are the ones trained, its callbacks run after each epoch's row is in the History (the
    estimator's rules first; then a run's own) and may change the learning rate or stop
    training. ``scores(network)`` gives the row's other columns (``val_cost``, ``val_metric``).
    """
    state = record.state
    network, optimizer = state.network, state.optimizer
    architecture = Architecture.of(network)
    run_round = partial(_run_round, client, chunks, network, optimizer, architecture, settings)
    positions = [Position(g) for g in [rng, *rng.spawn(len(chunks.X) - 1)]]
    for epoch in range(state.epochs):
        record.begin_epoch()
        while not _pass_done(positions, chunks.rows):
            results = rounds.run(partial(run_round, positions))
            round_cost = _merge(network, optimizer, results)
            positions = [result.position for result in results]
            state.step += max(result.steps for result in results)
            last = _pass_done(positions, chunks.rows)
            rounds.finished(round_cost, network.parameters(), epoch + 1, epoch_end=last)
        over = _end_pass(record, positions, scores)  # a stop, or the last epoch
        positions = [Position(pos.rng) for pos in positions]  # the next pass, the same Generator
        if over:
            break
    record.finish()  # the weights are finite, else a DivergenceError
    return EpochsRun(record.history, state.stop)


def _pass_done(positions: list[Position], rows: list[int]) -> bool:
    """Whether every chunk is through its pass over its rows: the epoch's end."""
    return all(pos.next_row >= n_c for pos, n_c in zip(positions, rows, strict=True))


def _run_round(
    client: Client,
    chunks: Chunks,
    network: Network,
    optimizer: Optimizer,
    architecture: Architecture,
    settings: LocalSettings,
    positions: list[Position],
) -> list[LocalResult]:
    """Scatter the parameters and optimizer once; every unfinished chunk's round; gather."""
    [shared] = client.scatter([(network.parameters(), optimizer)], broadcast=True, hash=False)
    per_chunk = enumerate(zip(positions, chunks.rows, chunks.parts(), strict=True))
    pending = {
        c: client.submit(local_round, shared, pos, architecture, settings, c, X, Y, w, pure=False)
        for c, (pos, n_c, (X, Y, w)) in per_chunk
        if pos.next_row < n_c
    }
    done = dict(zip(pending, gather_round(client, list(pending.values())), strict=True))
    idle = LocalResult(network.parameters(), optimizer, positions[0], 0, 0.0, 0.0)
    return [done.get(c, replace(idle, position=pos)) for c, pos in enumerate(positions)]


def _merge(network: Network, optimizer: Optimizer, results: list[LocalResult]) -> float:
    """theta = sum_c f_c theta_c and the moments alike, in chunk order; the round's mean cost."""
    stepped = [result for result in results if result.steps > 0]
    if not stepped:
        return math.nan
    total = sum(result.share for result in stepped)
    fractions = [result.share / total for result in stepped]  # f_c; one chunk: exactly 1.0
    for i, param in enumerate(network.parameters()):
        param[...] = _weighted(fractions, [result.parameters[i] for result in stepped])
    merged = stepped[0].optimizer  # its step count, buffers and learning rate
    for name in MOMENTS[type(optimizer)]:
        lists = [getattr(result.optimizer, name) for result in stepped]
        if lists[0]:  # [] until the first step (and always for momentum 0)
            averaged = [_weighted(fractions, arrays) for arrays in zip(*lists, strict=True)]
            setattr(merged, name, averaged)
    merged.t = max(result.optimizer.t for result in stepped)  # type: ignore[attr-defined]
    vars(optimizer).update(vars(merged))  # the estimator's optimizer object carries it on
    return sum(result.cost for result in stepped) / total  # the round's mean batch cost


def _weighted(fractions: list[float], arrays: list[Array] | tuple[Array, ...]) -> Array:
    """sum_c f_c A_c, added in chunk order."""
    total = fractions[0] * arrays[0]
    for f, array in zip(fractions[1:], arrays[1:], strict=True):
        total += f * array
    return total


def _end_pass(record: EpochRecord, positions: list[Position], scores: Scores | None) -> bool:
    """The epoch's row (cost, learning rate, clipping, scores), then the rules; whether the
    run is over."""
    epoch_cost = sum(pos.epoch_cost for pos in positions)  # sum_c sum_b J_b share_b
    if not math.isfinite(epoch_cost):
        raise diverged(record.state, epoch_cost)
    norms = [norm for pos in positions for norm in pos.norms]
    columns = scores(record.state.network) if scores else {}
    return record.end_epoch(epoch_cost, norms, **columns)
