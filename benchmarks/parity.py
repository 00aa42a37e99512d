"""Parity with scikit-learn: the same hyperparameters, data splits and seeds, two libraries.

For every data set and seed, both estimators are trained on the same 75 % split
(stratified for classification) inside the same standardising Pipeline and scored
on the held-out 25 %: accuracy for the classifiers, R^2 for the regressor (whose
targets are standardised too, by TransformedTargetRegressor). The seed sets the
split and the estimator's ``random_state``.

Writes ``benchmarks/parity.md``. Run from the repository root::

    python benchmarks/parity.py
"""

import argparse
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
import sklearn.neural_network
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import glassnet.estimators._multilayer_perceptron

SEEDS = (0, 1, 2, 3, 4)
SOLVERS = {  # every other parameter at scikit-learn's default
    "adam": {"hidden_layer_sizes": (100,), "solver": "adam", "max_iter": 300},
    "sgd": {
        "hidden_layer_sizes": (100,),
        "solver": "sgd",
        "learning_rate_init": 0.01,
        "max_iter": 300,
    },
    "lbfgs": {"hidden_layer_sizes": (100,), "solver": "lbfgs", "max_iter": 300},
}
LIBRARIES = {
    "scikit-learn": sklearn.neural_network,
    "glassnet": glassnet.estimators._multilayer_perceptron,
}
DATASETS: dict[str, tuple[Callable, str]] = {
    "iris": (load_iris, "MLPClassifier"),
    "wine": (load_wine, "MLPClassifier"),
    "breast cancer": (load_breast_cancer, "MLPClassifier"),
    "digits": (load_digits, "MLPClassifier"),
    "diabetes": (load_diabetes, "MLPRegressor"),
}


@dataclass
class Runs:
    """Held-out scores, fit times and n_iter_ of one library on one data set, per seed."""

    scores: list[float]
    seconds: list[float]
    n_iter: list[int]


def model(library, estimator: str, seed: int, hyperparameters: dict):
    """The standardising Pipeline around one library's estimator."""
    mlp = getattr(library, estimator)(random_state=seed, **hyperparameters)
    pipeline = make_pipeline(StandardScaler(), mlp)
    if estimator == "MLPRegressor":
        return TransformedTargetRegressor(regressor=pipeline, transformer=StandardScaler())
    return pipeline


def n_iter_of(fitted) -> int:
    pipeline = getattr(fitted, "regressor_", fitted)
    return pipeline[-1].n_iter_


def run(load: Callable, estimator: str, library, hyperparameters: dict) -> Runs:
    X, y = load(return_X_y=True)
    runs = Runs([], [], [])
    for seed in SEEDS:
        stratify = y if estimator == "MLPClassifier" else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed, stratify=stratify
        )
        fitted = model(library, estimator, seed, hyperparameters)
        start = time.perf_counter()
        fitted.fit(X_train, y_train)
        runs.seconds.append(time.perf_counter() - start)
        runs.scores.append(fitted.score(X_test, y_test))
        runs.n_iter.append(n_iter_of(fitted))
    return runs


def mean_std(values: list[float], digits: int = 3) -> str:
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def table(results: dict[str, dict[str, Runs]]) -> list[str]:
    lines = [
        "| data set | metric | scikit-learn | glassnet | difference | within spread | "
        "fit s, scikit-learn | fit s, glassnet | n_iter_, sklearn / glassnet |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, by_library in results.items():
        ours, theirs = by_library["glassnet"], by_library["scikit-learn"]
        difference = np.mean(ours.scores) - np.mean(theirs.scores)
        spread = 2 * np.std(theirs.scores)
        within = "yes" if abs(difference) <= spread else "no"
        metric = "R²" if DATASETS[name][1] == "MLPRegressor" else "accuracy"
        lines.append(
            f"| {name} | {metric} | {mean_std(theirs.scores)} | {mean_std(ours.scores)} | "
            f"{difference:+.3f} | {within} | {mean_std(theirs.seconds, 2)} | "
            f"{mean_std(ours.seconds, 2)} | {np.mean(theirs.n_iter):.0f} / "
            f"{np.mean(ours.n_iter):.0f} |"
        )
    return lines


def section(solver: str, results: dict[str, dict[str, Runs]]) -> list[str]:
    settings = ", ".join(f"{k}={v!r}" for k, v in SOLVERS[solver].items())
    return [f"## {solver}", "", f"`{settings}`", "", *table(results), ""]


def report(results: dict[str, dict[str, dict[str, Runs]]], elapsed: float) -> str:
    return "\n".join(
        [
            "# Parity with scikit-learn",
            "",
            "Produced by `python benchmarks/parity.py` (from the repository root) in "
            f"{elapsed:.0f} s on {os.cpu_count()} cores: Python {platform.python_version()}, "
            f"NumPy {np.__version__}, scikit-learn {sklearn.__version__}.",
            "",
            "Both libraries get the same hyperparameters (below; every other parameter at "
            "scikit-learn's default) and `StandardScaler` in a Pipeline (and on the regression "
            f"targets, through `TransformedTargetRegressor`). Seeds {list(SEEDS)}: each seed "
            "draws both the 75 / 25 split (stratified for classification) and the estimator's "
            "`random_state`; both libraries see the same splits. Scores are on the held-out "
            "25 %, as mean ± standard deviation over the seeds.",
            "",
            "*within spread*: the difference of the means is at most twice scikit-learn's "
            "standard deviation over the seeds. The two libraries draw different initial "
            "weights from a seed (scikit-learn's RandomState and Glorot bounds with random "
            "biases; glassnet's Generator, Glorot weights and zero biases), so single seeds "
            "differ; started from the same weights they agree to rounding error "
            "(`tests/test_estimators.py`). Fit times include the Pipeline's scaling and were "
            "measured with BLAS limited to one thread (threadpoolctl), on a shared machine.",
            "",
            *(line for solver, by_data in results.items() for line in section(solver, by_data)),
        ]
    )


def run_all() -> dict[str, dict[str, dict[str, Runs]]]:
    """Every solver, data set and library: ``results[solver][data set][library]``."""
    return {
        solver: {
            name: {
                label: run(load, estimator, library, hyperparameters)
                for label, library in LIBRARIES.items()
            }
            for name, (load, estimator) in DATASETS.items()
        }
        for solver, hyperparameters in SOLVERS.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("parity.md"))
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    with threadpool_limits(limits=1):  # timings without BLAS threads fighting over the cores
        results = run_all()
    text = report(results, time.perf_counter() - start)
    args.out.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
