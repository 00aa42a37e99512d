"""Local SGD's K: held-out accuracy against one process, for K = 1, 10 and 100 local steps.

The same estimator, ``MLPClassifier((32,), solver="adam", batch_size=32,
learning_rate_init=1e-3)``, trains for the same number of epochs (passes over the
training rows, so the same gradient evaluations) in two ways:

- one process: its own ``fit`` on the 8,000 training rows;
- ``glassnet.distributed.fit`` on a ``LocalCluster`` of 2 worker processes, the rows
  in 2 chunks of 4,000 (one per worker), K local steps per chunk between two
  averages (a pass over a chunk is 125 batches: K = 100 is a round of 100 steps and
  one of 25 per epoch).

A second single-process row trains on batches of 64: K = 1 with two chunks is one
step on the union of two batches of 32, so it is that run but for the order of the
rows. Two splits of the rows into chunks: shuffled (each chunk a random half: the rows
are alike, IID), and sorted by class (chunk 0 holds classes 0 and 1, chunk 1
classes 2 and 3: the chunks differ, the case where local models drift apart).
Data: ``make_classification`` (10,000 rows, 20 features, 4 classes, seed 0),
standardised, 2,000 rows held out (stratified). Each configuration runs with the
estimator seeds 0, 1, 2 (first weights and shuffling); the table gives the mean
and the spread (max - min) of the held-out accuracy, the final model's
cross-entropy on the training rows, the rounds and the parameter traffic
(parameters and Adam's moments scattered to each worker and sent back by each
chunk, float64).

Writes ``benchmarks/local_sgd_k.md``. Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/local_sgd_k.py
"""

import logging
import platform
import time
import warnings
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

import glassnet
from glassnet import MLPClassifier
from glassnet.distributed import fit

SEEDS = (0, 1, 2)
LOCAL_STEPS = (1, 10, 100)
EPOCHS = 5
WORKERS = 2
BATCH = 32
OUT = Path(__file__).with_name("local_sgd_k.md")
COMMAND = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/local_sgd_k.py"


def data() -> tuple[np.ndarray, ...]:
    """Standardised training and held-out rows: 8,000 and 2,000, four classes."""
    X, y = make_classification(
        10_000,
        20,
        n_informative=8,
        n_redundant=4,
        n_classes=4,
        class_sep=1.0,
        flip_y=0.01,
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    mean, scale = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / scale, (X_test - mean) / scale, y_train, y_test


def estimator(seed: int, batch: int = BATCH) -> MLPClassifier:
    return MLPClassifier(
        (32,),
        solver="adam",
        batch_size=batch,
        learning_rate_init=1e-3,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        random_state=seed,
    )


def splits(X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Row orders: chunk c is rows [c n / W, (c + 1) n / W) of each order."""
    return {
        "shuffled (IID)": np.random.default_rng(0).permutation(len(y)),
        "sorted by class": np.argsort(y, kind="stable"),
    }


def scores(model, X_train, y_train, X_test, y_test) -> dict[str, float]:
    """Held-out accuracy, and the cross-entropy of the final model on the training rows."""
    return {
        "accuracy": model.score(X_test, y_test),
        "loss": log_loss(y_train, model.predict_proba(X_train)),
    }


def one_process(X_train, X_test, y_train, y_test, seed: int, batch: int) -> dict[str, float]:
    started = time.perf_counter()
    model = estimator(seed, batch).fit(X_train, y_train)
    seconds = time.perf_counter() - started
    return {**scores(model, X_train, y_train, X_test, y_test), "rounds": 0, "seconds": seconds}


def on_cluster(client, X_d, y_d, data_sets, seed: int, k: int) -> dict[str, float]:
    rounds = []
    started = time.perf_counter()
    model = fit(estimator(seed), X_d, y_d, client=client, local_steps=k, on_round=rounds.append)
    seconds = time.perf_counter() - started
    measured = scores(model, *data_sets)
    return {**measured, "rounds": len(rounds), "seconds": seconds}


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    accuracy = np.array([run["accuracy"] for run in runs])
    return {
        "mean": float(accuracy.mean()),
        "spread": float(accuracy.max() - accuracy.min()),
        "loss": float(np.mean([run["loss"] for run in runs])),
        "rounds": runs[0]["rounds"],
        "seconds": float(np.median([run["seconds"] for run in runs])),
    }


def traffic_per_round(n_parameters: int) -> float:
    """Bytes of one round: (theta, m, v, Adam's buffer) to each worker and back from each chunk."""
    arrays = 4  # parameters, first and second moments, the buffer Adam keeps with them
    return arrays * n_parameters * 8 * (WORKERS + WORKERS)


def table(rows: list[tuple[str, dict[str, float]]], n_parameters: int) -> list[str]:
    lines = [
        "| training | held-out accuracy (mean) | spread (max - min) | training loss "
        "| rounds | parameter traffic | time (median, s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows:
        traffic = row["rounds"] * traffic_per_round(n_parameters) / 1e6
        shown = f"{traffic:.1f} MB" if row["rounds"] else "-"
        lines.append(
            f"| {name} | {row['mean']:.4f} | {row['spread']:.4f} | {row['loss']:.4f} "
            f"| {row['rounds']} | {shown} | {row['seconds']:.1f} |"
        )
    return lines


def main() -> None:
    warnings.simplefilter("ignore", ConvergenceWarning)
    X_train, X_test, y_train, y_test = data()
    n_parameters = 20 * 32 + 32 + 32 * 4 + 4
    alone = []
    for batch in (BATCH, WORKERS * BATCH):
        runs = [one_process(X_train, X_test, y_train, y_test, s, batch) for s in SEEDS]
        alone.append((f"one process, batch {batch}", summary(runs)))
    sections = []
    cluster = LocalCluster(
        n_workers=WORKERS,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    with cluster, Client(cluster) as client:
        for split, order in splits(X_train, y_train).items():
            rows = len(y_train) // WORKERS
            X_d = da.from_array(X_train[order], chunks=(rows, -1))
            y_d = da.from_array(y_train[order], chunks=rows)
            results = list(alone)
            for k in LOCAL_STEPS:
                data_sets = (X_train, y_train, X_test, y_test)
                runs = [on_cluster(client, X_d, y_d, data_sets, s, k) for s in SEEDS]
                results.append((f"local SGD, K = {k}", summary(runs)))
                print(split, k, results[-1][1], flush=True)
            sections.append((split, results))
    write(sections, n_parameters)


def trade_off(sections) -> list[str]:
    """The section on K, its numbers read from the tables."""
    by_split = {split: dict(rows) for split, rows in sections}
    iid, sorted_ = by_split["shuffled (IID)"], by_split["sorted by class"]
    first, last = f"local SGD, K = {LOCAL_STEPS[0]}", f"local SGD, K = {LOCAL_STEPS[-1]}"
    per_round = iid[first]["seconds"] / iid[first]["rounds"]
    return [
        "## K's trade-off",
        "",
        "A round costs one scatter of the parameters and Adam's moments to every worker, one "
        "task per chunk, one gather back and the scheduler's latency between them: here about "
        f"{per_round * 1e3:.0f} ms a round (K = 1's time is almost all of it), whatever K. "
        f"K = {LOCAL_STEPS[-1]} pays it {iid[first]['rounds'] // iid[last]['rounds']} times "
        "less often than K = 1: the rounds and the traffic fall by about K, so a larger K is "
        "what lets a slow network or a far scheduler keep up.",
        "",
        "What a larger K costs is drift. Between two averages each chunk walks towards the "
        "optimum of its own rows, and the average of two models that went different ways is "
        "not a step of either. With shuffled chunks the rows are alike, the local models "
        f"walk the same way, and K = {LOCAL_STEPS[-1]} scores within "
        f"{abs(iid[first]['mean'] - iid[last]['mean']):.4f} of K = 1 (the seeds' spread is "
        f"{iid[first]['spread']:.4f}). With chunks sorted by class, each local model learns "
        "only its own two classes between averages: every K loses to the shuffled chunks, "
        f"and K = {LOCAL_STEPS[-1]} trails K = 1 by "
        f"{sorted_[first]['mean'] - sorted_[last]['mean']:.4f}. Shuffle the rows before "
        "chunking them (or keep K small) when chunks differ.",
        "",
        "Every local SGD row also trails one process after the same epochs. Two chunks step "
        "side by side and then meet, so an epoch is half as many sequential steps: for plain "
        "SGD, K = 1 is one step on the union of the two chunks' batches, one process on "
        "batches twice as large with the rows in another order (a test checks it). For "
        "Adam it is a little less: the average of the chunks' second moments, "
        "(g_0^2 + g_1^2) / 2, is at least the square of their mean gradient, so the steps "
        "are shorter than batch 64's, which is why K = 1 trails `one process, batch 64`. "
        "At the same work one process is ahead; what a cluster buys is rows that do not fit "
        "one machine, and time when a step's compute outweighs a round's latency (not so "
        "for this small model, where every local SGD row takes longer than one process).",
        "",
    ]


def write(sections, n_parameters: int) -> None:
    lines = [
        "# Local SGD: K local steps between averages",
        "",
        f"Written by `{COMMAND}` (its docstring gives the method).",
        "",
        f"{EPOCHS} epochs of Adam (batch {BATCH}, learning rate 1e-3) on 8,000 rows, scored on "
        "2,000 held-out rows; seeds " + ", ".join(map(str, SEEDS)) + ". Local SGD runs on "
        f"{WORKERS} worker processes, one chunk of 4,000 rows each. Every row of a table did "
        "the same work: the same epochs, the same gradient evaluations. The training loss is "
        "the final model's cross-entropy on the 8,000 training rows.",
        "",
    ]
    for split, rows in sections:
        lines += [f"## Chunks {split}", "", *table(rows, n_parameters), ""]
    lines += trade_off(sections)
    lines += [
        f"Times are one run on a shared 2-core machine (other jobs ran beside it), noisy; "
        f"{platform.python_implementation()} {platform.python_version()}, glassnet "
        f"{glassnet.__version__}, dask {dask.__version__}, NumPy {np.__version__}.",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
