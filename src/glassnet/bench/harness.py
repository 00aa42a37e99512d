"""Speed, measured side by side: glassnet against scikit-learn's MLP and PyTorch on the CPU.

Three workloads (see ``WORKLOADS``); each (implementation, repetition) runs in a
fresh subprocess, interleaved, so that every peer sees the same machine state and
peak memory is that run's own. Every run's final model is scored by one shared
float64 function (:func:`evaluate`), so the losses and accuracies are comparable.
The report gives medians, per-step times and ratios to each peer.
"""

import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.data import generators
from glassnet.data.preprocessing import Standardizer
from glassnet.errors import InputError
from glassnet.training.metrics import accuracy
from glassnet.validation import lookup

IMPLEMENTATIONS = ("glassnet", "sklearn", "torch")


@dataclass(frozen=True)
class Workload:
    """One benchmark: data, architecture, optimizer and length."""

    name: str
    description: str
    data: str
    hidden: tuple[int, ...]
    activation: str
    optimizer: str
    learning_rate: float
    epochs: int
    batch_size: int | None
    dtype: str


WORKLOADS = {
    "W1": Workload(
        "W1",
        "moons 2-5-1 tanh, full batch GD, lr 0.3",
        "moons",
        (5,),
        "tanh",
        "gd",
        0.3,
        5000,
        None,
        "float64",
    ),
    "W2": Workload(
        "W2",
        "cancer 30-16-1 relu, full batch GD, lr 0.05",
        "cancer",
        (16,),
        "relu",
        "gd",
        0.05,
        15000,
        None,
        "float64",
    ),
    "W3": Workload(
        "W3",
        "wide 64-256-256-1 relu, Adam lr 1e-3, batch 256, 2 epochs, float32",
        "wide",
        (256, 256),
        "relu",
        "adam",
        1e-3,
        2,
        256,
        "float32",
    ),
}
QUICK_EPOCHS = {"W1": 1000, "W2": 2000, "W3": 1}


def load_data(name: str, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The workload's data: X (n, d) in ``dtype``, y (n,) of 0/1."""
    X: np.ndarray
    y: np.ndarray
    if name == "moons":
        dataset = generators.moons(500, noise=0.2, random_state=0)
        X, y = dataset.X, dataset.y
    elif name == "cancer":
        dataset = generators.cancer()
        X, y = Standardizer().fit_transform(dataset.X), dataset.y  # standardised
    else:
        from sklearn.datasets import make_classification

        X, y = make_classification(200_000, n_features=64, random_state=0)
    return np.ascontiguousarray(X, dtype=dtype), y.astype(np.int64)


def evaluate(probability: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The shared score of every peer's P(y = 1), in float64: log-loss and accuracy."""
    from sklearn.metrics import log_loss

    p = np.asarray(probability, dtype=np.float64).reshape(-1, 1)  # (n, 1), as A[L]
    Y = y.reshape(-1, 1)
    loss = log_loss(y, p[:, 0], labels=[0, 1])  # peers give probabilities, not logits
    return {"loss": float(loss), "accuracy": accuracy("sigmoid", p, Y)}


def steps_of(workload: Workload, n: int, epochs: int) -> int:
    """Parameter updates in a run: one per epoch for full batch, else ceil(n / batch) each."""
    per_epoch = 1 if workload.batch_size is None else -(-n // workload.batch_size)
    return per_epoch * epochs


def _train_glassnet(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int) -> Callable:
    from glassnet.core.network import Network
    from glassnet.training.loop import train

    network = Network(
        [X.shape[1], *w.hidden, 1], hidden=w.activation, init="he", random_state=0, dtype=w.dtype
    )
    train(
        network,
        X,
        y,
        optimizer=w.optimizer,
        learning_rate=w.learning_rate,
        epochs=epochs,
        batch_size=w.batch_size,
        random_state=0,
    )
    return lambda X: network.predict_output(X)[:, 0]


def _train_sklearn(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int) -> Callable:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=w.hidden,
        activation=w.activation,
        solver={"gd": "sgd", "adam": "adam"}[w.optimizer],  # plain GD is scikit-learn's "sgd"
        learning_rate_init=w.learning_rate,
        batch_size=w.batch_size or X.shape[0],
        max_iter=epochs,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        shuffle=w.batch_size is not None,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return lambda X: model.predict_proba(X)[:, 1]


def _train_torch(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int) -> Callable:
    import torch

    torch.manual_seed(0)
    dtype = getattr(torch, w.dtype)
    sizes = [X.shape[1], *w.hidden]
    activation = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[w.activation]
    layers: list[Any] = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(n_in, n_out, dtype=dtype), activation()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 1, dtype=dtype))
    make = {"gd": torch.optim.SGD, "adam": torch.optim.Adam}[w.optimizer]
    optimizer = make(model.parameters(), lr=w.learning_rate)
    criterion = torch.nn.BCEWithLogitsLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(X.dtype)).reshape(-1, 1)
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        batches = (
            [None]
            if w.batch_size is None
            else torch.randperm(X.shape[0], generator=generator).split(w.batch_size)
        )
        for rows in batches:
            Xb, yb = (X_t, y_t) if rows is None else (X_t[rows], y_t[rows])
            optimizer.zero_grad()
            loss = criterion(model(Xb), yb)
            loss.backward()
            optimizer.step()
            loss.item()  # record the cost every step, as the others do

    def predict(X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.sigmoid(model(torch.from_numpy(X))).numpy()[:, 0]

    return predict


TRAINERS = {"glassnet": _train_glassnet, "sklearn": _train_sklearn, "torch": _train_torch}


def run_one(implementation: str, workload_name: str, epochs: int) -> dict[str, Any]:
    """Train one implementation on one workload in this process; return time, scores, memory."""
    workload = lookup(WORKLOADS, workload_name, "workload")
    X, y = load_data(workload.data, workload.dtype)
    trainer = lookup(TRAINERS, implementation, "implementation")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    predict = trainer(workload, X, y, epochs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps = steps_of(workload, X.shape[0], epochs)
    return {
        "implementation": implementation,
        "workload": workload_name,
        "seconds": seconds,
        "us_per_step": seconds / steps * 1e6,
        "steps": steps,
        **evaluate(predict(X), y),
        "peak_mb": peak / 1024,
        "extra_mb": max(peak - baseline, 0) / 1024,
    }


def available(implementation: str) -> bool:
    """Whether a peer is installed (glassnet always is)."""
    module = {"glassnet": "numpy", "sklearn": "sklearn", "torch": "torch"}[implementation]
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def run_all(
    workloads: list[str], repetitions: int, quick: bool, echo: Callable[[str], None] = print
) -> list[dict[str, Any]]:
    """Run every available implementation on every workload, interleaved, each in a subprocess."""
    for name in workloads:
        lookup(WORKLOADS, name, "workload")
    if repetitions < 1:
        raise InputError(f"repetitions must be 1 or more, got {repetitions}")
    implementations = [name for name in IMPLEMENTATIONS if available(name)]
    results = []
    for name in workloads:
        epochs = QUICK_EPOCHS[name] if quick else WORKLOADS[name].epochs
        for repetition in range(repetitions):
            for implementation in implementations:
                result = _in_subprocess(implementation, name, epochs)
                result["repetition"] = repetition
                echo(
                    f"{name} rep {repetition + 1}/{repetitions} {implementation:>8}: "
                    f"{result['us_per_step']:9.1f} us/step  loss {result['loss']:.4f}"
                )
                results.append(result)
    return results


def _in_subprocess(implementation: str, workload: str, epochs: int) -> dict[str, Any]:
    code = (
        "import json, sys; from glassnet.bench.harness import run_one; "
        f"print(json.dumps(run_one({implementation!r}, {workload!r}, {epochs})))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{implementation} on {workload} failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def summarize(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Medians per (workload, implementation) and glassnet's speed-up over each peer."""
    rows = []
    for workload in dict.fromkeys(r["workload"] for r in results):
        mine = [r for r in results if r["workload"] == workload]
        medians = {}
        for implementation in dict.fromkeys(r["implementation"] for r in mine):
            runs = [r for r in mine if r["implementation"] == implementation]
            medians[implementation] = {
                key: statistics.median(r[key] for r in runs)
                for key in ("seconds", "us_per_step", "loss", "accuracy", "peak_mb", "extra_mb")
            } | {"runs": len(runs), "steps": runs[0]["steps"]}
        ours = medians.get("glassnet", {}).get("seconds")
        for implementation, median in medians.items():
            speedup = ours and median["seconds"] / ours  # how many times faster glassnet is
            rows.append(
                {
                    "workload": workload,
                    "implementation": implementation,
                    **median,
                    "glassnet_speedup": speedup,
                }
            )
    return rows


def to_markdown(rows: list[dict[str, Any]], command: str) -> str:
    """The results table as Markdown, with the command that produced it."""
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` on {os.cpu_count()} cores; medians over the repetitions, "
        "each run in its own process, implementations interleaved. `glassnet x faster` is the "
        "peer's median time over glassnet's. Loss and accuracy on the training data, computed "
        "by one shared float64 function.",
        "",
    ]
    for key, workload in WORKLOADS.items():
        if any(r["workload"] == key for r in rows):
            lines.append(f"- **{key}**: {workload.description}")
    lines += [
        "",
        "| workload | implementation | runs | median s | us/step | glassnet x faster "
        "| final loss | accuracy | peak RSS MB | training extra MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['workload']} | {r['implementation']} | {r['runs']} | {r['seconds']:.3f} | "
            f"{r['us_per_step']:.1f} | {r['glassnet_speedup']:.2f} | {r['loss']:.4f} | "
            f"{r['accuracy']:.4f} | {r['peak_mb']:.0f} | {r['extra_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"
