"""What one synchronous round costs on Dask, measured here, and the speed-ups it predicts.

Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/dask_round_cost.py

Writes ``benchmarks/dask_round_cost.md``; ``docs/distributed.md`` quotes its numbers.

A round of exact full-batch training (``glassnet.distributed.fit``) scatters the
parameters, runs ``forward`` + ``backward`` on every chunk, sums the gradients by a
tree of tasks and updates once. The issue's model of a round on W workers is

    T(W) = C / W  +  2 P b log2(W) / B  +  L

with C the compute of one pass over the data on one worker, P the parameters, b their
bytes (8, float64), B the bandwidth between processes and L the scheduler's latency;
the speed-up is S(W) = T(1) / T(W). Dask adds what that model leaves out, and T'(W)
counts it: the one scheduler spends s on every task (a round has one per chunk and
as many sums, 2 n_c for n_c chunks, whatever W), the tree's levels are sequential
hops (1 + ceil(log2 n_c) latencies with the scatter), and ``client.scatter(...,
broadcast=True)`` sends the parameters from the client to each of the W workers:

    T'(W) = C / W  +  (W + log2 W) P b / B  +  L (2 + ceil(log2 n_c))  +  2 s n_c

Local SGD (``batch_size`` set): every chunk takes K steps of m rows a round, the W
workers share the chunks, and every chunk's parameters come back to the client to be
averaged there: T'(W) = K m t ceil(n_c / W) + (W + n_c) P b / B + 2 L + s (n_c + 1).

Measured, on a ``LocalCluster`` of worker processes on this machine:

- L: a tiny task's round trip (submit, run, result), the median of many;
- s: the scheduler's time per task, a thousand no-op tasks in flight at once;
- B: arrays of 1, 10 and 100 MB scattered to a worker, gathered back and moved from
  one worker to another (a task on worker 2 reading worker 1's result: the move of a
  tree's sum), each the median of repeats with L taken off;
- t and C: ``forward`` + ``backward`` per row in this process (a worker has one
  thread), for the out-of-core benchmark's network (``benchmarks/out_of_core.py``:
  its features, hidden layers and rows) and one with about 10x its parameters;
- real rounds of ``glassnet.distributed.fit`` (full batch, solver "gd") on 1 and 2
  workers, on a small data set (overhead only) and a larger one, against T'(W).
"""

import itertools
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dask
import dask.array as da
import distributed
import numpy as np
from out_of_core import CHUNK_ROWS, DATA_FACTOR, HIDDEN, MEMORY_LIMIT_BYTES, N_FEATURES

import glassnet
from glassnet.core.network import Network, backward, forward
from glassnet.distributed import fit

OUT = Path(__file__).with_name("dask_round_cost.md")
WORKERS = (1, 2, 4, 8, 16, 32, 64)
LATENCY_REPEATS = 300
TASKS_IN_FLIGHT = 1000
TRANSFER_MB = (1, 10, 100)
TRANSFER_REPEATS = 5
COMPUTE_ROWS = 20_000  # rows per timed forward + backward
COMPUTE_REPEATS = 7
BYTES = 8  # float64
DATA_ROWS = int(DATA_FACTOR * 2 * MEMORY_LIMIT_BYTES / (8 * N_FEATURES))  # out_of_core's N
DATA_CHUNKS = math.ceil(DATA_ROWS / CHUNK_ROWS)  # n_c
LARGER = 10  # the second network has about this many times the benchmark network's parameters
LOCAL_STEPS = 10  # K: local SGD's steps per round (fit's default)
BATCH_SIZE = 200  # m: rows per local step (scikit-learn's "auto")
MEASURED = {"small": (2_000, 2), "larger": (400_000, 8)}  # data: rows, chunks
MEASURED_ROUNDS = 12


def _noop(i: int) -> int:
    return i


def _nbytes(array: np.ndarray) -> int:
    return int(array.nbytes)


def _median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def start_cluster(workers: int) -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    )


def measure_latency(client: distributed.Client) -> tuple[float, float, float]:
    """Median, first and third quartile of a tiny task's round trip, in seconds."""
    for i in range(30):  # warm up: connections, the function's pickle
        client.submit(_noop, i, pure=False).result()
    times = []
    for i in range(LATENCY_REPEATS):
        began = time.perf_counter()
        client.submit(_noop, i, pure=False).result()
        times.append(time.perf_counter() - began)
    q1, median, q3 = statistics.quantiles(times, n=4)
    return median, q1, q3


def measure_per_task(client: distributed.Client) -> float:
    """s: seconds of scheduling per task, TASKS_IN_FLIGHT no-op tasks submitted at once."""

    def burst() -> object:
        return client.gather(client.map(_noop, range(TASKS_IN_FLIGHT), pure=False))

    burst()
    return _median_seconds(burst, 5) / TASKS_IN_FLIGHT


@dataclass(frozen=True)
class Transfer:
    """Median seconds to move ``megabytes`` three ways (L included)."""

    megabytes: int
    scatter: float
    gather: float
    between_workers: float


def rate(megabytes: int, seconds: float, latency: float) -> float | None:
    """MB/s with L taken off; None when the move is within 2 L (latency-bound, no rate)."""
    return megabytes / (seconds - latency) if seconds > 2 * latency else None


def measure_transfer(client: distributed.Client, megabytes: int) -> Transfer:
    """Client -> worker 1 (scatter), worker 1 -> client (gather), worker 1 -> worker 2.

    Each move is of a fresh array: Dask keeps a copy where data went, so moving the
    same one again would cost nothing.
    """
    first, second = sorted(client.scheduler_info()["workers"])[:2]
    rng = np.random.default_rng(megabytes)
    times: dict[str, list[float]] = {"scatter": [], "gather": [], "between": []}
    for _ in range(TRANSFER_REPEATS):
        array = rng.standard_normal(megabytes * 1_000_000 // BYTES)
        began = time.perf_counter()
        held = client.scatter(array, workers=[first], hash=False)
        distributed.wait(held)
        times["scatter"].append(time.perf_counter() - began)
        began = time.perf_counter()
        client.gather(held)
        times["gather"].append(time.perf_counter() - began)
        began = time.perf_counter()
        client.submit(_nbytes, held, workers=[second], pure=False).result()
        times["between"].append(time.perf_counter() - began)
        del held
    return Transfer(megabytes, *(statistics.median(times[k]) for k in times))


@dataclass(frozen=True)
class Compute:
    """A network's parameters and the seconds of forward + backward per row, here."""

    hidden: tuple[int, ...]
    parameters: int
    seconds_per_row: float

    def one_pass(self, rows: int = DATA_ROWS) -> float:
        """C: one pass over ``rows`` on one worker, in seconds."""
        return self.seconds_per_row * rows

    @property
    def sizes(self) -> str:
        return "-".join(str(n) for n in (N_FEATURES, *self.hidden, 1))


def parameter_count(hidden: tuple[int, ...]) -> int:
    """P = sum_l (n_{l-1} + 1) n_l for N_FEATURES inputs, ``hidden`` and one output."""
    sizes = [N_FEATURES, *hidden, 1]
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def larger_hidden(hidden: tuple[int, ...], times: int) -> tuple[int, ...]:
    """The hidden layers widened by one factor until P is at least ``times`` as large."""
    target, factor = times * parameter_count(hidden), 1.0
    while parameter_count(wider := tuple(round(n * factor) for n in hidden)) < target:
        factor *= 1.01
    return wider


def measure_compute(hidden: tuple[int, ...]) -> tuple[int, float]:
    """``forward`` + ``backward`` on COMPUTE_ROWS rows, per row (the median of repeats); run
    on a worker (one thread, Dask's one BLAS thread) with ``client.submit``."""
    network = Network([N_FEATURES, *hidden, 1], hidden="relu", output="sigmoid")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((COMPUTE_ROWS, N_FEATURES))
    Y = (rng.random((COMPUTE_ROWS, 1)) > 0.5).astype(np.float64)

    def one_pass() -> object:
        return backward(network, forward(network, X), Y)

    one_pass()
    seconds = _median_seconds(one_pass, COMPUTE_REPEATS)
    return sum(p.size for p in network.parameters()), seconds / COMPUTE_ROWS  # P, t


@dataclass(frozen=True)
class Overheads:
    """L, s and B (bytes per second): what a round costs besides its compute."""

    latency: float
    per_task: float
    bandwidth: float

    def issue_round(self, compute: float, net: Compute, workers: int) -> float:
        """T(W) = compute + 2 P b log2(W) / B + L."""
        traffic = 2 * net.parameters * BYTES * math.log2(workers) / self.bandwidth
        return compute + traffic + self.latency

    def dask_round(self, compute: float, net: Compute, workers: int, chunks: int) -> float:
        """T'(W) = compute + (W + log2 W) P b / B + L (2 + ceil(log2 n_c)) + 2 s n_c."""
        traffic = (workers + math.log2(workers)) * net.parameters * BYTES / self.bandwidth
        hops = self.latency * (2 + math.ceil(math.log2(max(chunks, 1))))
        return compute + traffic + hops + 2 * self.per_task * chunks

    def local_round(self, net: Compute, workers: int, chunks: int) -> float:
        """Local SGD: K m t ceil(n_c / W) + (W + n_c) P b / B + 2 L + s (n_c + 1)."""
        compute = LOCAL_STEPS * BATCH_SIZE * net.seconds_per_row * math.ceil(chunks / workers)
        traffic = (workers + chunks) * net.parameters * BYTES / self.bandwidth
        return compute + traffic + 2 * self.latency + self.per_task * (chunks + 1)


def measure_rounds(workers: int) -> dict[str, float]:
    """Median seconds per round of fit (full batch, solver "gd") on each MEASURED data set."""
    found = {}
    with start_cluster(workers) as cluster, distributed.Client(cluster) as client:
        for name, (rows, chunks) in MEASURED.items():
            rng = np.random.default_rng(0)
            X = rng.standard_normal((rows, N_FEATURES))
            y = (X[:, 0] > 0).astype(np.int8)
            size = math.ceil(rows / chunks)
            stamps: list[float] = []

            def stamp(_: object, stamps: list[float] = stamps) -> None:
                stamps.append(time.perf_counter())

            model = glassnet.MLPClassifier(
                HIDDEN, solver="gd", max_iter=MEASURED_ROUNDS, tol=0.0, random_state=0
            )
            fit(
                model,
                da.from_array(X, chunks=(size, -1)),
                da.from_array(y, chunks=size),
                client=client,
                on_round=stamp,
            )
            found[name] = statistics.median(np.diff(stamps))  # from round 1 to 2 on: no setup
    return found


def predicted_rows(net: Compute, costs: Overheads) -> list[str]:
    """Full batch over the benchmark's data: T(W), S(W) and T'(W), S'(W) for each W."""
    one = costs.issue_round(net.one_pass(), net, 1)
    one_dask = costs.dask_round(net.one_pass(), net, 1, DATA_CHUNKS)
    lines = [
        "| workers W | C / W (s) | T(W) (s) | S(W) | T'(W) (s) | S'(W) | S'(W) / W |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for workers in WORKERS:
        share = net.one_pass() / workers
        issue = costs.issue_round(share, net, workers)
        real = costs.dask_round(share, net, workers, DATA_CHUNKS)
        lines.append(
            f"| {workers} | {share:.3f} | {issue:.3f} | {one / issue:.2f} | {real:.3f} | "
            f"{one_dask / real:.2f} | {one_dask / real / workers:.2f} |"
        )
    return lines


def local_sgd_rows(net: Compute, costs: Overheads) -> list[str]:
    """Local SGD over the benchmark's chunks: T'(W) and its speed-up (rows per second)."""
    one = costs.local_round(net, 1, DATA_CHUNKS)
    lines = ["| workers W | T'(W) (s) | S'(W) | S'(W) / W |", "| ---: | ---: | ---: | ---: |"]
    for workers in WORKERS:
        real = costs.local_round(net, workers, DATA_CHUNKS)
        lines.append(f"| {workers} | {real:.4f} | {one / real:.2f} | {one / real / workers:.2f} |")
    return lines


def summary(
    latency: float,
    q1: float,
    q3: float,
    per_task: float,
    transfers: list[Transfer],
    networks: list[Compute],
    costs: Overheads,
    load: tuple[float, float],
) -> list[str]:
    """The figures docs/distributed.md quotes, in the tables it shows them in."""
    largest = transfers[-1]
    scatter = rate(largest.megabytes, largest.scatter, latency)
    gather = rate(largest.megabytes, largest.gather, latency)
    fixed = costs.dask_round(0.0, networks[0], 1, DATA_CHUNKS)  # O: the same for both networks
    one_second = costs.bandwidth / (2 * BYTES * math.log2(WORKERS[-1]))  # P: 2 P b log2 W / B = 1 s
    lines = [
        "",
        "## For docs/distributed.md",
        "",
        "| measured here | value |",
        "| --- | --- |",
        f"| L, a tiny task's round trip (median of {LATENCY_REPEATS}; quartiles) | "
        f"{latency * 1e3:.1f} ms ({q1 * 1e3:.1f} ms, {q3 * 1e3:.1f} ms) |",
        f"| s, the scheduler's time per task ({TASKS_IN_FLIGHT:,} in flight) | "
        f"{per_task * 1e3:.2f} ms |",
        f"| B, worker to worker, {largest.megabytes} MB (the move of a tree's sum) | "
        f"{costs.bandwidth / 1e6:.0f} MB/s |",
        f"| client to worker (scatter) / worker to client (gather), {largest.megabytes} MB | "
        f"{scatter or 0:.0f} MB/s / {gather or 0:.0f} MB/s |",
        f"| load average of the {os.cpu_count()} cores while it ran | {load[0]:.1f} at the start, "
        f"{load[1]:.1f} at the end |",
        "",
        f"| workers W | the benchmark's network: S(W) | S'(W) | S'(W) / W | {LARGER}x larger: "
        "S(W) | S'(W) | S'(W) / W |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for workers in WORKERS:
        cells = []
        for net in networks:
            one = costs.issue_round(net.one_pass(), net, 1)
            one_dask = costs.dask_round(net.one_pass(), net, 1, DATA_CHUNKS)
            share = net.one_pass() / workers
            issue = one / costs.issue_round(share, net, workers)
            real = one_dask / costs.dask_round(share, net, workers, DATA_CHUNKS)
            cells += [f"{issue:.2f}", f"{real:.2f}", f"{real / workers:.2f}"]
        lines.append(f"| {workers} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"O = {fixed:.3f} s a round for {DATA_CHUNKS} chunks; W at half efficiency (1 + C / O): "
        + ", ".join(f"{1 + net.one_pass() / fixed:.1f} ({net.sizes})" for net in networks)
        + f". The traffic 2 P b log2(W) / B at W = {WORKERS[-1]}: "
        + ", ".join(
            f"{2 * net.parameters * BYTES * math.log2(WORKERS[-1]) / costs.bandwidth * 1e3:.2f} ms "
            f"(P = {net.parameters:,})"
            for net in networks
        )
        + f"; it reaches a second a round at P = {one_second / 1e6:.1f} million.",
    ]
    return lines


def main() -> None:
    load_before = os.getloadavg()[0]
    with start_cluster(2) as cluster, distributed.Client(cluster) as client:
        latency, q1, q3 = measure_latency(client)
        transfers = [measure_transfer(client, mb) for mb in TRANSFER_MB]
        per_task = measure_per_task(client)
        networks = [
            Compute(hidden, *client.submit(measure_compute, hidden, pure=False).result())
            for hidden in (HIDDEN, larger_hidden(HIDDEN, LARGER))
        ]
    rounds = {workers: measure_rounds(workers) for workers in (1, 2)}
    largest = transfers[-1]
    between = rate(largest.megabytes, largest.between_workers, latency)
    assert between is not None, "100 MB moved within 2 L: no bandwidth to model with"
    bandwidth = between * 1e6  # bytes per second, worker to worker
    costs = Overheads(latency, per_task, bandwidth)
    net = networks[0]
    load_after = os.getloadavg()[0]

    lines = [
        "# The cost of one round on Dask, on this machine",
        "",
        "Written by `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python "
        "benchmarks/dask_round_cost.py` (its docstring gives the method and the models). "
        "LocalClusters of worker processes, one thread each, on this machine: "
        f"{platform.machine()}, Python {platform.python_version()}, dask {dask.__version__}, "
        f"distributed {distributed.__version__}, NumPy {np.__version__}. The machine has "
        f"{os.cpu_count()} cores shared with other work (load average {load_before:.1f} when "
        f"the script began, {load_after:.1f} when it ended): every figure is a median, and "
        "the latencies and times per task grow with the load.",
        "",
        "## Scheduler latency L and time per task s",
        "",
        f"L: a tiny task's round trip (submit, run on a worker, result back), {LATENCY_REPEATS} "
        f"times after a warm-up. s: {TASKS_IN_FLIGHT} no-op tasks submitted at once and "
        "gathered, median of 5, per task.",
        "",
        "| L median | L first quartile | L third quartile | s |",
        "| ---: | ---: | ---: | ---: |",
        f"| {latency * 1e3:.3f} ms | {q1 * 1e3:.3f} ms | {q3 * 1e3:.3f} ms | "
        f"{per_task * 1e3:.3f} ms |",
        "",
        "## Bandwidth B between processes",
        "",
        f"Median time of {TRANSFER_REPEATS} moves of a fresh float64 array (L included), and "
        "the rate with L taken off (none where the move took under 2 L: latency-bound):",
        "",
        "| array | scatter client -> worker | gather worker -> client | worker -> worker |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for t in transfers:
        cells = []
        for seconds in (t.scatter, t.gather, t.between_workers):
            found = rate(t.megabytes, seconds, latency)
            shown = "latency-bound" if found is None else f"{found:.0f} MB/s"
            cells.append(f"{seconds * 1e3:.1f} ms ({shown})")
        lines.append(f"| {t.megabytes} MB | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"The models take B = {bandwidth / 1e6:.0f} MB/s, worker to worker at "
        f"{largest.megabytes} MB.",
        "",
        "## Compute t and C",
        "",
        f"`forward` + `backward` on a worker (one thread) on {COMPUTE_ROWS} rows of {N_FEATURES} "
        f"features (relu hidden layers, a sigmoid output), median of {COMPUTE_REPEATS}. C is "
        f"one pass over the out-of-core benchmark's {DATA_ROWS:,} rows ({DATA_CHUNKS} chunks "
        f"of {CHUNK_ROWS:,}) on one worker.",
        "",
        "| network | parameters P | t, per row | C, one pass on one worker |",
        "| --- | ---: | ---: | ---: |",
    ]
    for each in networks:
        lines.append(
            f"| {each.sizes} | {each.parameters:,} | {each.seconds_per_row * 1e6:.3f} µs | "
            f"{each.one_pass():.2f} s |"
        )
    lines += [
        "",
        "## Real rounds against the model",
        "",
        f"`glassnet.distributed.fit` with MLPClassifier({HIDDEN}, solver='gd'), "
        f"{MEASURED_ROUNDS} rounds, the median time between two rounds, on LocalClusters of "
        "1 and 2 workers; T'(W) from the figures above with the data's own rows and chunks.",
        "",
        "| data | chunks | workers | measured round | T'(W) predicted |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, (rows, chunks) in MEASURED.items():
        for workers in (1, 2):
            predicted = costs.dask_round(net.one_pass(rows) / workers, net, workers, chunks)
            lines.append(
                f"| {rows:,} rows | {chunks} | {workers} | {rounds[workers][name] * 1e3:.1f} ms | "
                f"{predicted * 1e3:.1f} ms |"
            )
    speedup = rounds[1]["larger"] / rounds[2]["larger"]
    lines += ["", f"Measured speed-up from 1 to 2 workers on {MEASURED['larger'][0]:,} rows: "
              f"{speedup:.2f}."]  # fmt: skip
    lines += [
        "",
        "## Predicted speed-ups",
        "",
        "S = T(1) / T(W), the issue's model; S' = T'(1) / T'(W), with the scheduler's terms. "
        f"The data is the out-of-core benchmark's: {DATA_ROWS:,} rows in {DATA_CHUNKS} "
        "chunks (with W above the chunks, workers would sit idle: the chunks bound W).",
    ]
    names = ("the benchmark's network", f"a network {LARGER}x larger")
    for name, each in zip(names, networks, strict=True):
        fixed = costs.dask_round(0.0, each, 1, DATA_CHUNKS)  # O: T'(1) without its compute
        lines += [
            "",
            f"### {name}: {each.sizes}, P = {each.parameters:,}",
            "",
            "Full batch (exact gradient descent, L-BFGS): a pass over every row each round. "
            f"A round's fixed cost is O = L (2 + ceil(log2 n_c)) + 2 s n_c = {fixed:.3f} s "
            "here, so no number of workers brings S' past T'(1) / O = "
            f"{costs.dask_round(each.one_pass(), each, 1, DATA_CHUNKS) / fixed:.1f}, and the "
            "efficiency S'/W = (C + O) / (C + W O) (the traffic left out) falls to one half at "
            f"W = 1 + C / O = {1 + each.one_pass() / fixed:.1f} workers.",
            "",
            *predicted_rows(each, costs),
            "",
            f"Local SGD: K = {LOCAL_STEPS} steps of m = {BATCH_SIZE} rows on each of the "
            f"{DATA_CHUNKS} chunks a round ({DATA_CHUNKS * LOCAL_STEPS * BATCH_SIZE:,} rows); "
            "the speed-up is in rows per second.",
            "",
            *local_sgd_rows(each, costs),
        ]
    lines += summary(
        latency, q1, q3, per_task, transfers, networks, costs, (load_before, load_after)
    )
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
