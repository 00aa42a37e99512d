"""Speed before and after a refactor (first written for the package layers, issue #10), in one run.

Before: ca3a073 in a temporary ``git worktree`` (or ``--before-path``); after: this working
tree's ``src/``. Each measurement runs in a fresh subprocess with ``PYTHONPATH=<tree>/src``,
before and after interleaved, through the public API both share. Writes and prints
``benchmarks/before_after.md``. Run from the repository root without the machine's OpenBLAS
overrides (they make NumPy about 2x slower)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/before_after.py [--quick]
"""

import argparse
import contextlib
import datetime
import inspect
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
UNSET_COMMAND = "env " + " ".join(f"-u {name}" for name in BLAS_OVERRIDES)
PLAIN_GD_NAMES = {"sgd": None, "gd": None, "adam": "adam"}  # None: train's default, plain GD
SHARED_API = {  # the names and parameters called here, present in both versions
    "Network": ("hidden", "init", "random_state", "dtype"),
    "train": ("optimizer", "learning_rate", "epochs", "batch_size", "random_state"),
    "MLPClassifier": ("hidden_layer_sizes", "max_iter", "random_state"),
}
PREDICT_LAYERS = (784, 512, 10)
FIT_ROWS, THROUGHPUT_ROWS = 200, 10_000
SAME_WORK_TOLERANCE = 1e-6
NOISE_FLOOR = 0.03  # a ratio within 1 +- 3 % is never called faster or slower
TRAINING = ("W1", "W2", "W3")


def child(task: dict[str, Any]) -> dict[str, Any]:
    """Import glassnet from ``task["src"]``, check where it came from, run one task."""
    import glassnet

    origin = Path(glassnet.__file__).resolve()
    if not origin.is_relative_to(Path(task["src"]).resolve()):
        raise RuntimeError(f"glassnet came from {origin}, not from {task['src']}")
    run = {"env": _child_environment, "train": _child_train, "predict": _child_predict}
    with threadpool_limits(task["threads"]):  # None: the libraries' own thread counts
        return run[task["kind"]](glassnet, task)


def _child_environment(glassnet: Any, task: dict[str, Any]) -> dict[str, Any]:
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]  # NumPy's alone
    if missing := [
        f"glassnet.{name}({parameter}=...)"
        for name, parameters in SHARED_API.items()
        for parameter in parameters
        if parameter not in inspect.signature(getattr(glassnet, name, lambda: None)).parameters
    ]:
        raise RuntimeError(f"not in this version of glassnet: {', '.join(missing)}")
    return {
        "glassnet_file": glassnet.__file__,
        "numpy": np.__version__,
        "blas": blas,
        "overrides": {name: os.environ.get(name) for name in BLAS_OVERRIDES},
    }


def _child_train(glassnet: Any, task: dict[str, Any]) -> dict[str, Any]:
    X, y = np.load(task["X"]), np.load(task["y"])
    network = glassnet.Network([X.shape[1], *task["hidden"], 1], **task["network"])
    start = time.perf_counter()
    history = glassnet.train(network, X, y, **task["train"])
    seconds = time.perf_counter() - start
    if task["save"]:
        np.save(task["save"], network.predict_output(X)[:, 0])
    return {"epoch": seconds / task["train"]["epochs"], "cost": float(history["cost"][-1])}


def _child_predict(glassnet: Any, task: dict[str, Any]) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    n_in, hidden, n_classes = PREDICT_LAYERS
    X = rng.standard_normal((FIT_ROWS, n_in))
    y = rng.integers(0, n_classes, FIT_ROWS)
    X_many = rng.standard_normal((THROUGHPUT_ROWS, n_in))
    model = glassnet.MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two iterations do not converge, on purpose
        start = time.perf_counter()
        model.fit(X, y)
        fit_seconds = time.perf_counter() - start
    if task["save"]:
        np.save(task["save"], model.predict_proba(X_many))
    return {
        "fit": fit_seconds,
        "predict_1": _median_call(lambda: model.predict(X[:1]), task["calls"]),
        "proba_1": _median_call(lambda: model.predict_proba(X[:1]), task["calls"]),
        "predict_many": _median_call(lambda: model.predict(X_many), task["batch_calls"]),
        "cost": float(model.loss_),
    }


def _median_call(call: Callable[[], object], calls: int) -> float:
    """The median wall time of ``calls`` calls, after three warm-up calls."""
    seconds = []
    for _ in range(3 + calls):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return median(seconds[3:])


Runs = dict[str, dict[str, list[dict[str, Any]]]]  # task -> version -> one result per repeat


@dataclass
class Session:
    """Everything one run measured, for the report."""

    trees: dict[str, Path]
    tasks: dict[str, dict[str, Any]]
    environments: dict[str, dict[str, Any]]
    runs: Runs
    output_gaps: dict[str, float]  # task -> max |before - after| over its outputs
    load: tuple[float, float]  # load average at the start and at the end


def git(*arguments: str, cwd: Path = ROOT) -> str:
    """Run git in ``cwd`` and return its output, stripped."""
    return subprocess.check_output(["git", *arguments], cwd=cwd, text=True).strip()


@contextlib.contextmanager
def before_tree(revision: str, path: Path | None) -> Iterator[Path]:
    """The "before" source tree: ``path`` as given, or a temporary detached worktree."""
    if path is not None:
        yield path.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="glassnet-before-") as folder:
        tree = Path(folder) / "tree"
        git("worktree", "add", "--detach", str(tree), revision)
        try:
            yield tree
        finally:
            git("worktree", "remove", "--force", str(tree))


def in_child(tree: Path, task: dict[str, Any]) -> dict[str, Any]:
    """Run one task in a fresh process that imports glassnet from ``tree/src``."""
    src = str(tree / "src")
    command = [sys.executable, str(SCRIPT), "--child", json.dumps({**task, "src": src})]
    environment = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise SystemExit(f"{task['kind']} in {src} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_tasks(folder: Path, quick: bool, threads: int | None) -> dict[str, dict[str, Any]]:
    """W1-W3 as the harness defines them (their data saved for the children), and predict."""
    sys.path.insert(0, str(ROOT / "src"))  # the after tree's harness defines the workloads
    from glassnet.bench.harness import QUICK_EPOCHS, WORKLOADS, load_data

    tasks = {}
    for name in TRAINING:
        w = WORKLOADS[name]
        for part, array in zip("Xy", load_data(w.data, w.dtype), strict=True):
            np.save(folder / f"{name}_{part}.npy", array)
        tasks[name] = {
            "kind": "train",
            "threads": threads,
            **{part: str(folder / f"{name}_{part}.npy") for part in "Xy"},
            "hidden": list(w.hidden),
            "network": {"hidden": w.activation, "init": "he", "random_state": 0, "dtype": w.dtype},
            "train": {
                "optimizer": PLAIN_GD_NAMES[w.optimizer],
                "learning_rate": w.learning_rate,
                "epochs": QUICK_EPOCHS[name] if quick else w.epochs,
                "batch_size": w.batch_size,
                "random_state": 0,
            },
            "description": w.description,
        }
    calls = {"calls": 200, "batch_calls": 3} if quick else {"calls": 1000, "batch_calls": 10}
    tasks["predict"] = {"kind": "predict", "threads": threads, **calls}
    return tasks


def measure(
    trees: dict[str, Path], tasks: dict[str, dict[str, Any]], repeats: int, folder: Path
) -> tuple[Runs, dict[str, float]]:
    """Run every task ``repeats`` times per tree, interleaved; compare the outputs."""
    runs: Runs = {name: {version: [] for version in trees} for name in tasks}
    gaps = {}
    for name, task in tasks.items():
        saved = {version: folder / f"{name}_{version}.npy" for version in trees}
        for repeat in range(repeats):
            for version in list(trees)[:: 1 if repeat % 2 == 0 else -1]:
                save = str(saved[version]) if repeat == 0 else ""
                result = in_child(trees[version], {**task, "save": save})
                runs[name][version].append(result)
                print(f"{name} {repeat + 1}/{repeats} {version:>6}: {result}", file=sys.stderr)
        before, after = (np.load(path).astype(np.float64) for path in saved.values())
        gaps[name] = float(np.max(np.abs(after - before)))
    return runs, gaps


ROWS = {  # row label: (task, result key)
    **{f"{name} training, time per epoch": (name, "epoch") for name in TRAINING},
    "MLPClassifier 784-512-10: fit on 200 rows, max_iter=2": ("predict", "fit"),
    "predict(X[:1]), median of the calls": ("predict", "predict_1"),
    "predict_proba(X[:1]), median of the calls": ("predict", "proba_1"),
    "predict on 10,000 rows (throughput: 10,000 rows / this)": ("predict", "predict_many"),
}


def seconds_text(seconds: float) -> str:
    """A duration in the unit that keeps it between 1 and 1000."""
    for unit, scale in (("us", 1e6), ("ms", 1e3)):
        if seconds * scale < 1000:
            return f"{seconds * scale:.1f} {unit}"
    return f"{seconds:.2f} s"


def verdict(before: list[float], after: list[float]) -> str:
    """Faster or slower when each median is outside the other's range, by over NOISE_FLOOR."""
    mid_before, mid_after = median(before), median(after)
    ratio = mid_after / mid_before
    if mid_after > max(before) and mid_before < min(after) and ratio > 1 + NOISE_FLOOR:
        return "**slower**"
    if mid_after < min(before) and mid_before > max(after) and ratio < 1 - NOISE_FLOOR:
        return "faster"
    return "same within noise"


def speed_table(runs: Runs) -> list[str]:
    """One row per measurement: medians, min-max, the after/before ratios and the verdict."""
    lines = [
        "| measurement | before: median (range) | after: median (range) | after/before, medians "
        "| after/before, fastest runs | verdict |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, (task, key) in ROWS.items():
        before, after = ([result[key] for result in runs[task][v]] for v in ("before", "after"))
        cells = " | ".join(
            f"{seconds_text(median(s))} ({seconds_text(min(s))} - {seconds_text(max(s))})"
            for s in (before, after)
        )
        ratios = f"{median(after) / median(before):.3f} | {min(after) / min(before):.3f}"
        lines.append(f"| {label} | {cells} | {ratios} | {verdict(before, after)} |")
    return lines


def same_work_table(runs: Runs, gaps: dict[str, float]) -> list[str]:
    """Final costs of both versions and the largest difference between their outputs."""
    lines = [
        "| task | final cost, before | final cost, after | cost spread, all runs "
        f"| largest output difference | same (<= {SAME_WORK_TOLERANCE:.0e}) |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, by_version in runs.items():
        costs = [result["cost"] for results in by_version.values() for result in results]
        spread = max(costs) - min(costs)
        sizes = {"outputs": gaps[name], "costs": spread}
        differ = " and ".join(what for what, size in sizes.items() if size > SAME_WORK_TOLERANCE)
        same = f"**{differ} differ**" if differ else "yes"
        before, after = (by_version[version][0]["cost"] for version in ("before", "after"))
        lines.append(
            f"| {name} | {before:.10f} | {after:.10f} | {spread:.1e} | {gaps[name]:.1e} | {same} |"
        )
    return lines


def environment_lines(session: Session) -> list[str]:
    """CPU, Python, NumPy, the BLAS as threadpoolctl sees it, each tree's commit and state."""
    cpuinfo = Path("/proc/cpuinfo")
    rows = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    models = [row.split(":", 1)[1].strip() for row in rows if row.startswith("model name")]
    lines = [
        f"- CPU: {models[0] if models else platform.processor()}, {os.cpu_count()} cores; "
        f"load average {session.load[0]:.2f} at the start, {session.load[1]:.2f} at the end; "
        f"Python {platform.python_version()}"
    ]
    for version, env in session.environments.items():
        blas = "; ".join(
            f"{pool['internal_api']} {pool['version']} ({pool['prefix']}, kernel "
            f"{pool.get('architecture')}, threads: {pool['num_threads']})"
            for pool in env["blas"]
        )
        overrides = ", ".join(f"{k}={v or 'unset'}" for k, v in env["overrides"].items())
        changed = git("status", "--porcelain", "--", "src", cwd=session.trees[version])
        commit = git("rev-parse", "--short", "HEAD", cwd=session.trees[version])
        if changed:
            commit += f" + uncommitted changes to {len(changed.splitlines())} files in src/"
        lines.append(
            f"- {version}: {commit}, glassnet from `{env['glassnet_file']}`, NumPy {env['numpy']}, "
            f"BLAS {blas}; as the child saw them: {overrides}"
        )
    return lines


def report(session: Session, command: str, title: str) -> str:
    """The whole Markdown report."""
    predict = session.tasks["predict"]
    lines = [
        f"# Before and after {title}",
        "",
        f"Produced by `{command}` from the repository root on {datetime.date.today()}. Each "
        "measurement ran in its own process, before and after interleaved (which goes first "
        f"alternates), {len(session.runs['predict']['after'])} times: medians and min-max. "
        "`after/before` below 1 is faster; the fastest runs' ratio is the one least disturbed by "
        "other work on the machine. The verdict says faster or slower only when each median is "
        f"outside the other version's range and the ratio beyond 1 ± {NOISE_FLOOR:.0%}. Compare "
        "ratios within one run only.",
        "",
        *(
            f"- **{name}**: {task['description']}; epochs: {task['train']['epochs']}"
            for name, task in session.tasks.items()
            if task["kind"] == "train"
        ),
        f"- **MLPClassifier**: {'-'.join(map(str, PREDICT_LAYERS))}, fit on {FIT_ROWS} seeded "
        "random rows (10 classes), max_iter=2, random_state=0; latency: the median of "
        f"{predict['calls']} calls on one row; throughput: the median of "
        f"{predict['batch_calls']} calls on {THROUGHPUT_ROWS:,} rows.",
        "",
        *speed_table(session.runs),
        "",
        "## The same work",
        "",
        "The final cost is the training History's last cost (W1-W3) or the estimator's `loss_`; "
        "the output difference compares the two versions' network outputs on the training data "
        f"(W1-W3) or `predict_proba` on the {THROUGHPUT_ROWS:,} rows. Identical outputs, costs "
        "differing: the same training, its cost computed differently (from the logits since "
        "f34eb40, not from clipped probabilities; in float32, W3, the fifth digit moves).",
        "",
        *same_work_table(session.runs, session.output_gaps),
        "",
        "## Environment",
        "",
        *environment_lines(session),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Parse the options, measure both trees, write and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="ca3a073", help="revision to check out as before")
    parser.add_argument("--before-path", type=Path, help="an existing before tree instead")
    parser.add_argument("--repeats", type=int, help="runs per measurement (5; quick: 2)")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--threads", type=int, help="BLAS threads (default: the library's)")
    parser.add_argument("--out", type=Path, help="report file (quick: none, only printed)")
    parser.add_argument(
        "--title", default="the package layers (issue #10)", help="what changed, for the heading"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        print(json.dumps(child(json.loads(options.child))))
        return
    overridden = [name for name in BLAS_OVERRIDES if name in os.environ]
    if overridden:
        message = f"{' and '.join(overridden)} set (NumPy ~2x slower): run under {UNSET_COMMAND}"
        raise SystemExit(message)
    repeats = options.repeats or (2 if options.quick else 5)
    if repeats < 1:
        raise SystemExit(f"--repeats must be 1 or more, got {repeats}")
    out = options.out or (None if options.quick else SCRIPT.with_name("before_after.md"))
    arguments = shlex.join(sys.argv[1:] if argv is None else argv)
    command = f"{UNSET_COMMAND} python benchmarks/before_after.py {arguments}".strip()
    load_at_start = os.getloadavg()[0]
    with (
        before_tree(options.before, options.before_path) as before,
        tempfile.TemporaryDirectory(prefix="glassnet-bench-") as folder,
    ):
        trees = {"before": before, "after": ROOT}
        environments = {
            v: in_child(tree, {"kind": "env", "threads": options.threads})
            for v, tree in trees.items()
        }
        tasks = make_tasks(Path(folder), options.quick, options.threads)
        runs, gaps = measure(trees, tasks, repeats, Path(folder))
        load = (load_at_start, os.getloadavg()[0])
        session = Session(trees, tasks, environments, runs, gaps, load)
        text = report(session, command, options.title)
    if out is not None:
        out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
