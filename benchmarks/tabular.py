"""Glassnet's tabular defaults against four peers, on real tables that pip packages ship.

Every table is read from a file inside an installed package (scikit-learn, palmerpenguins,
statsmodels): nothing is downloaded. For each table and seed the rows are split once
(``train_test_split``, a quarter held out, stratified for classification) and every model
fits on the same training rows, with ``random_state`` set to the seed:

- glassnet: ``TabularClassifier`` / ``TabularRegressor`` at their defaults, on the raw
  DataFrame (text columns and NA as they are); its per-epoch curves come from the same
  recipe run as ``glassnet train --recipe tabular`` on the training rows (``RecipeRun``),
  with a callback that keeps each epoch's weights;
- linear: one-hot + impute + scale, then ``LogisticRegression(max_iter=1000)`` / ``Ridge()``;
- sklearn MLP: the same preprocessing, then ``MLPClassifier()`` / ``MLPRegressor()``;
- HistGB: ``HistGradientBoosting*()`` with text columns as pandas categories (its native
  categorical support) and NA left to it;
- RealMLP-TD: ``pytabkit``'s ``RealMLP_TD_*`` (when installed), numeric NA filled with
  the training median, text columns left to its own ordinal encoding.

The score is held-out accuracy (classification) or R² (regression); the fit's wall time
is measured around ``fit`` alone. BLAS, OpenMP and torch run one thread each, so every
model gets the same share of this shared machine. Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/tabular.py
    python benchmarks/tabular.py --quick        # 1 seed, 5 tables, prints only
    python benchmarks/tabular.py --tables diabetes star98 --seeds 0 --skip RealMLP-TD

The full run rewrites the results part of ``benchmarks/tabular.md`` (between its two
marker lines) and draws ``benchmarks/tabular_curves.png``: glassnet's training and
validation cost per epoch on each table it loses.
"""

import argparse
import os
import platform
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn import datasets
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

import glassnet

SEEDS = (0, 1, 2)
TEST_SIZE = 0.25
TIE = 0.005  # |glassnet - peer| below this is a tie
OUT = Path(__file__).with_name("tabular.md")
CURVES = Path(__file__).with_name("tabular_curves.png")
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass(frozen=True)
class Table:
    """One real table: its features as shipped, its target and what kind of task it is."""

    name: str
    source: str
    task: str  # "binary", "multiclass" or "regression"
    X: pd.DataFrame
    y: pd.Series


def _sklearn_table(name: str, loader: Callable[..., object], task: str) -> Table:
    bunch = loader(as_frame=True)
    return Table(name, f"sklearn.datasets.{loader.__name__}", task, bunch.data, bunch.target)  # type: ignore[attr-defined]


def _statsmodels_frame(name: str) -> pd.DataFrame:
    import statsmodels.api as sm  # a slow import, paid only by the tables that need it

    return getattr(sm.datasets, name).load_pandas().data


def penguins_sex() -> Table:
    """The raw Palmer LTER table (17 columns, text, dates, comments, NA): the bird's sex."""
    from palmerpenguins import load_penguins_raw

    frame = load_penguins_raw().dropna(subset=["Sex"]).reset_index(drop=True)
    return Table(
        "penguins_raw sex", "palmerpenguins.load_penguins_raw", "binary",
        frame.drop(columns="Sex"), frame["Sex"],
    )  # fmt: skip


def penguins_mass() -> Table:
    """The tidy penguins table (text columns, NA): body mass in grams."""
    from palmerpenguins import load_penguins

    frame = load_penguins().dropna(subset=["body_mass_g"]).reset_index(drop=True)
    return Table(
        "penguins body mass", "palmerpenguins.load_penguins", "regression",
        frame.drop(columns="body_mass_g"), frame["body_mass_g"],
    )  # fmt: skip


OCCUPATIONS = {  # statsmodels' fair.DESCRLONG: the codes of occupation and occupation_husb
    1: "student", 2: "farming, semi-skilled or unskilled", 3: "white collar",
    4: "teacher, nurse, writer, technician", 5: "managerial or business",
    6: "professional with advanced degree",
}  # fmt: skip


def fair() -> Table:
    """Fair's 1974 survey, 6,366 rows: any extramarital affair; occupations as their names."""
    frame = _statsmodels_frame("fair")
    X = frame.drop(columns="affairs")
    for column in ("occupation", "occupation_husb"):
        X[column] = X[column].astype(int).map(OCCUPATIONS)
    y = (frame["affairs"] > 0).map({True: "yes", False: "no"})
    return Table("fair affairs", "statsmodels.datasets.fair", "binary", X, y)


def anes96() -> Table:
    """The 1996 American National Election Study, 944 rows: party identification (7 levels)."""
    frame = _statsmodels_frame("anes96")
    y = frame["PID"].astype(int)
    return Table(
        "anes96 party", "statsmodels.datasets.anes96", "multiclass", frame.drop(columns="PID"), y
    )


def star98() -> Table:
    """California school districts 1998, 303 rows: the share of pupils above the median."""
    frame = _statsmodels_frame("star98")
    share = frame["NABOVE"] / (frame["NABOVE"] + frame["NBELOW"])  # y = above / (above + below)
    X = frame.drop(columns=["NABOVE", "NBELOW"])
    return Table("star98 share above", "statsmodels.datasets.star98", "regression", X, share)


def grunfeld() -> Table:
    """Grunfeld's investment panel, 220 rows (11 firms by name, 20 years): gross investment."""
    frame = _statsmodels_frame("grunfeld")
    return Table(
        "grunfeld invest",
        "statsmodels.datasets.grunfeld",
        "regression",
        frame.drop(columns="invest"),
        frame["invest"],
    )


RANDHIE_ROWS = 5000  # of 20,190: the table's every model fit within the run's time budget


def randhie() -> Table:
    """The RAND health insurance experiment, 5,000 of its rows: visits to a doctor in a year."""
    frame = _statsmodels_frame("randhie").sample(RANDHIE_ROWS, random_state=0)
    frame = frame.reset_index(drop=True)
    y = frame["mdvis"].astype(float)
    return Table(
        "randhie visits",
        "statsmodels.datasets.randhie",
        "regression",
        frame.drop(columns="mdvis"),
        y,
    )


LOADERS: dict[str, Callable[[], Table]] = {
    "breast_cancer": lambda: _sklearn_table("breast cancer", datasets.load_breast_cancer, "binary"),
    "penguins_sex": penguins_sex,
    "fair": fair,
    "wine": lambda: _sklearn_table("wine", datasets.load_wine, "multiclass"),
    "digits": lambda: _sklearn_table("digits", datasets.load_digits, "multiclass"),
    "anes96": anes96,
    "diabetes": lambda: _sklearn_table("diabetes", datasets.load_diabetes, "regression"),
    "penguins_mass": penguins_mass,
    "star98": star98,
    "grunfeld": grunfeld,
    "randhie": randhie,
}
QUICK = ("breast_cancer", "penguins_sex", "wine", "diabetes", "grunfeld")


def text_columns(X: pd.DataFrame) -> list[str]:
    """The columns that are not numbers: text, as read."""
    return [column for column in X.columns if not pd.api.types.is_numeric_dtype(X[column])]


def one_hot_impute_scale() -> ColumnTransformer:
    """Numbers: median-impute then standardise; text: mode-impute then one-hot."""
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    text = make_pipeline(
        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
    )
    return ColumnTransformer(
        [
            ("numbers", numbers, make_column_selector(dtype_include="number")),
            ("text", text, make_column_selector(dtype_exclude="number")),
        ]
    )


def as_categories(X: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas categories: what HistGradientBoosting reads as categorical."""
    return X.astype(dict.fromkeys(text_columns(X), "category"))


class RecipeRun(BaseEstimator):
    """``glassnet train --recipe tabular`` on the training rows, from Python: for the curves.

    It trains as TabularClassifier / TabularRegressor do (the frame's columns go through
    the CSV's column rules, so the scores match), and can keep each epoch's weights,
    which the estimators' ``fit`` takes no callback for.

    ``fit`` writes the rows to a CSV, as a user's file, and runs the recipe on all of them
    (``test_size=0``: the benchmark holds out its own rows; the recipe takes its own
    validation fifth from these); ``predict`` is the fitted model's, on the raw frame.
    """

    def __init__(self, task: str = "classification", seed: int = 0, keep_epochs: bool = False):
        self.task = task
        self.seed = seed
        self.keep_epochs = keep_epochs

    def fit(self, X: pd.DataFrame, y: pd.Series) -> "RecipeRun":
        """Train the recipe's network on the frame's rows; keep its model and history."""
        from glassnet.runs.config import RunConfig
        from glassnet.runs.run import run_training

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "train.csv"
            X.assign(**{TARGET: y.to_numpy()}).to_csv(path, index=False)
            config = RunConfig(
                data=str(path), target=TARGET, task=self.task, recipe="tabular", test_size=0.0
            )
            snapshots = EpochWeights()
            result = run_training(replace(config, seed=self.seed), [snapshots] * self.keep_epochs)
        self.model_, self.history_ = result.model, result.history
        self.epoch_weights_ = snapshots.weights
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The labels or values the fitted model gives the raw rows."""
        return self.model_.predict(X)


class EpochWeights(glassnet.Callback):
    """A copy of the network's parameters at the end of every epoch."""

    def __init__(self) -> None:
        self.weights: list[list[np.ndarray]] = []

    def on_epoch_end(self, state: glassnet.training.TrainingState) -> None:
        self.weights.append([array.copy() for array in state.network.parameters()])


TARGET = "benchmark_target"  # the target's column in the CSV the recipe reads


def glassnet_model(task: str, seed: int) -> BaseEstimator:
    """Glassnet's tabular recipe at its defaults, on the raw frame."""
    model = glassnet.TabularRegressor if task == "regression" else glassnet.TabularClassifier
    return model(random_state=seed)


def linear_model(task: str, seed: int) -> BaseEstimator:
    """One-hot + impute + scale, then a linear model."""
    if task == "regression":
        return make_pipeline(one_hot_impute_scale(), Ridge())
    return make_pipeline(one_hot_impute_scale(), LogisticRegression(max_iter=1000))


def sklearn_mlp(task: str, seed: int) -> BaseEstimator:
    """One-hot + impute + scale, then scikit-learn's MLP at its defaults."""
    model = MLPRegressor if task == "regression" else MLPClassifier
    return make_pipeline(one_hot_impute_scale(), model(random_state=seed))


def hist_gradient_boosting(task: str, seed: int) -> BaseEstimator:
    """HistGradientBoosting at its defaults (categories from the frame's dtypes)."""
    model = (
        HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    )
    return model(random_state=seed)


def real_mlp(task: str, seed: int) -> BaseEstimator:
    """pytabkit's RealMLP-TD at its defaults; numeric NA filled (it refuses NaN)."""
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    model = RealMLP_TD_Regressor if task == "regression" else RealMLP_TD_Classifier
    numbers = ColumnTransformer(
        [
            (
                "numbers",
                SimpleImputer(strategy="median"),
                make_column_selector(dtype_include="number"),
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return make_pipeline(numbers, model(random_state=seed, n_threads=1, device="cpu", verbosity=0))


def has_pytabkit() -> bool:
    """Whether RealMLP-TD can run here (pytabkit imports beside the installed torch)."""
    try:
        import pytabkit  # noqa: F401
    except ImportError:
        return False
    return True


PEERS: dict[str, Callable[[str, int], BaseEstimator]] = {
    "linear": linear_model,
    "sklearn MLP": sklearn_mlp,
    "HistGB": hist_gradient_boosting,
    "RealMLP-TD": real_mlp,
}
CATEGORICAL_INPUT = {"HistGB"}  # the models that read text columns as pandas categories


@dataclass(frozen=True)
class Fit:
    """One model fitted on one table and seed: its held-out score and fit time."""

    table: str
    seed: int
    model: str
    score: float
    seconds: float
    cpu_seconds: float
    train_score: float


def score(task: str, y: pd.Series, predicted: np.ndarray) -> float:
    """Accuracy for classification, R² for regression."""
    if task == "regression":
        return float(r2_score(y, predicted))
    return float(accuracy_score(y, predicted))


def split(table: Table, seed: int, X: pd.DataFrame) -> list:
    """The seed's training and held-out rows: X_train, X_test, y_train, y_test."""
    stratify = None if table.task == "regression" else table.y
    return train_test_split(X, table.y, test_size=TEST_SIZE, random_state=seed, stratify=stratify)


def fit_one(table: Table, seed: int, name: str, make: Callable[[str, int], BaseEstimator]) -> Fit:
    """Fit one model on the seed's training rows; score it on the held-out rows."""
    X = as_categories(table.X) if name in CATEGORICAL_INPUT else table.X
    X_train, X_test, y_train, y_test = split(table, seed, X)
    model = make(table.task, seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    held_out = score(table.task, y_test, model.predict(X_test))
    train = score(table.task, y_train, model.predict(X_train)) if name == "glassnet" else np.nan
    return Fit(table.name, seed, name, held_out, seconds, cpu_seconds, train)


def run(tables: list[Table], seeds: tuple[int, ...], skip: list[str]) -> list[Fit]:
    """Every model on every table and seed."""
    left_out = {*skip, *(() if has_pytabkit() else ("RealMLP-TD",))}
    models = {"glassnet": glassnet_model} | {
        name: make for name, make in PEERS.items() if name not in left_out
    }
    fits: list[Fit] = []
    for table in tables:
        for seed in seeds:
            for name, make in models.items():
                fits.append(fit := fit_one(table, seed, name, make))
                print(
                    f"{table.name:20} seed {seed} {name:12} {fit.score:8.4f} {fit.seconds:7.2f} s"
                )
    return fits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 5 tables; print only")
    parser.add_argument("--tables", nargs="+", choices=sorted(LOADERS), help="these tables only")
    parser.add_argument(
        "--skip", nargs="+", choices=sorted(PEERS), default=[], help="peers left out"
    )
    parser.add_argument("--seeds", nargs="+", type=int, help="these seeds only (default 0 1 2)")
    options = parser.parse_args()
    names = list(options.tables or (QUICK if options.quick else LOADERS))
    seeds = tuple(options.seeds or (SEEDS[:1] if options.quick else SEEDS))
    warnings.filterwarnings("ignore")  # convergence warnings of the peers' defaults
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    tables = {name: LOADERS[name]() for name in names}
    load = os.getloadavg()
    commits = commit("HEAD"), commit("src/glassnet/runs/recipe.py")
    started = time.perf_counter()
    with threadpool_limits(limits=1):
        blas = threadpool_info()
        fits = run(list(tables.values()), seeds, skip=options.skip)
        losing = [table for table in tables.values() if table.name in losing_tables(fits)]
        curves = {table.name: epoch_curves(table, seeds[0]) for table in losing}
    minutes = (time.perf_counter() - started) / 60
    text = report(list(tables.values()), fits, curves, blas, load, minutes, commits)
    print(text)
    whole = not (options.quick or options.tables or options.skip or options.seeds)
    draw_curves(
        curves, fits, seeds[0], CURVES if whole else Path(tempfile.gettempdir()) / CURVES.name
    )
    if whole:
        write_results(text)


def outcome(gap: float) -> str:
    """W, L or T: glassnet's result against one peer, from glassnet's score minus the peer's."""
    return "T" if abs(gap) < TIE else ("W" if gap > 0 else "L")


def _markdown(frame: pd.DataFrame, digits: int = 4) -> list[str]:
    """A frame as a markdown table: the index as the first column, numbers rounded."""
    head = [frame.index.name or "", *map(str, frame.columns)]
    cells = [
        [str(index), *(f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row)]
        for index, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    align = ["---", *("---:" for _ in frame.columns)]
    return ["| " + " | ".join(row) + " |" for row in (head, align, *cells)] + [""]


def report(
    tables: list[Table],
    fits: list[Fit],
    curves: dict[str, pd.DataFrame],
    blas: list[dict],
    load: tuple,
    minutes: float,
    commits: tuple[str, str],
) -> str:
    """The results as markdown: the summary per peer, then per table, times and seeds."""
    frame = pd.DataFrame([vars(fit) for fit in fits])
    order = [table.name for table in tables]
    mean = frame.pivot_table(index="table", columns="model", values="score").loc[order]
    wall = frame.pivot_table(index="table", columns="model", values="seconds").loc[order]
    cpu = frame.pivot_table(index="table", columns="model", values="cpu_seconds").loc[order]
    peers = [name for name in PEERS if name in mean.columns]
    gaps = mean[peers].rsub(mean["glassnet"], axis=0)  # glassnet - peer, per table
    per_seed = frame.pivot_table(
        index=["table", "seed"], columns="model", values="score", sort=False
    )
    per_seed.index = pd.Index([f"{table}, seed {seed}" for table, seed in per_seed.index], name="")
    seed_gaps = per_seed[peers].rsub(per_seed["glassnet"], axis=0)
    summary = pd.DataFrame(
        {
            "glassnet's defaults win": [(gaps[p].map(outcome) == "W").sum() for p in peers],
            "lose": [(gaps[p].map(outcome) == "L").sum() for p in peers],
            "tie": [(gaps[p].map(outcome) == "T").sum() for p in peers],
            "mean gap": [gaps[p].mean() for p in peers],
            "seeds won / lost / tied": [
                "{} / {} / {}".format(*(sum(seed_gaps[p].map(outcome) == o) for o in "WLT"))
                for p in peers
            ],
        },
        index=pd.Index(peers, name="compared with"),
    )
    scores = mean.copy()
    for peer in peers:
        scores[peer] = [
            f"{s:.4f} {outcome(g)}" for s, g in zip(mean[peer], gaps[peer], strict=True)
        ]
    scores.insert(
        0,
        "glassnet (train part)",
        frame.pivot_table(index="table", values="train_score", columns="model")["glassnet"].loc[
            order
        ],
    )
    scores = scores[["glassnet (train part)", "glassnet", *peers]]
    scores.insert(0, "task", [table.task for table in tables])
    lines = [
        f"{len(tables)} tables, seeds {sorted(set(frame.seed))}, a quarter of each table held out.",
        f"Tie: |difference| < {TIE}. Mean gap: glassnet's score minus the peer's, mean of tables.",
        "",
        "### Summary",
        "",
        *_markdown(summary),
        "### Held-out score per table (mean of the seeds)",
        "",
        "Accuracy for classification, R² for regression. After each peer's score: W if",
        "glassnet's defaults win against it, L if they lose, T for a tie.",
        "",
        *_markdown(scores),
        "### Gap per table (glassnet minus peer)",
        "",
        *_markdown(gaps),
        *losing_report(fits, curves),
        "### Fit time per table, wall seconds (mean of the seeds)",
        "",
        *_markdown(wall[["glassnet", *peers]], digits=2),
        "### Fit time per table, CPU seconds of the process (mean of the seeds)",
        "",
        "On a shared machine the wall time includes waiting for a core; this does not.",
        "",
        *_markdown(cpu[["glassnet", *peers]], digits=2),
        "### Every seed",
        "",
        *_markdown(per_seed[["glassnet", *peers]]),
        "### The tables",
        "",
        *_markdown(describe(tables), digits=0),
        "### Environment",
        "",
        *environment(blas, load, minutes, commits),
    ]
    return "\n".join(lines)


def describe(tables: list[Table]) -> pd.DataFrame:
    """Each table's source, task, rows, columns, text columns and missing cells."""
    return pd.DataFrame(
        {
            "source": [table.source for table in tables],
            "task": [table.task for table in tables],
            "rows": [len(table.X) for table in tables],
            "columns": [table.X.shape[1] for table in tables],
            "text columns": [len(text_columns(table.X)) for table in tables],
            "missing cells": [int(table.X.isna().sum().sum()) for table in tables],
            "classes": ["-" if t.task == "regression" else t.y.nunique() for t in tables],
        },
        index=pd.Index([table.name for table in tables], name="table"),
    )


def commit(path: str) -> str:
    """The short hash and subject of the last commit touching ``path`` (HEAD: the last)."""
    command = ["git", "log", "-1", "--format=%h %s"] + ([] if path == "HEAD" else ["--", path])
    found = subprocess.run(
        command, capture_output=True, text=True, cwd=OUT.parent.parent, check=False
    )
    return f"`{found.stdout.strip()[:72]}`" if found.returncode == 0 else "(not a git checkout)"


def environment(
    blas: list[dict], load: tuple, minutes: float, commits: tuple[str, str]
) -> list[str]:
    """Versions, the BLAS and OpenMP libraries threadpoolctl found, the machine's load."""
    versions = {"glassnet": glassnet.__version__, "scikit-learn": sklearn.__version__}
    versions |= {"pandas": pd.__version__, "NumPy": np.__version__}
    if has_pytabkit():
        import torch

        versions |= {"pytabkit": metadata.version("pytabkit"), "torch": torch.__version__}
    lines = [
        ", ".join(f"{name} {version}" for name, version in versions.items())
        + f", Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores.",
        "",
        f"glassnet imported from `{Path(glassnet.__file__).parent}`; the checkout's last commit"
        f" at the start {commits[0]}; the recipe's {commits[1]}.",
        "",
        f"Load average at the start: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}. "
        f"The whole run took {minutes:.1f} minutes.",
        "",
        "Thread pools (threadpoolctl, inside the one-thread limit):",
        "",
    ]
    for pool in blas:
        kernel = pool.get("architecture", "-")
        lines.append(
            f"- {pool['internal_api']} {pool.get('version')} ({pool['user_api']}), kernel "
            f"{kernel}, {pool['num_threads']} thread(s): `{Path(pool['filepath']).name}`"
        )
    return [*lines, ""]


def losing_tables(fits: list[Fit]) -> list[str]:
    """The tables where glassnet's mean score is below some peer's by more than a tie."""
    frame = pd.DataFrame([vars(fit) for fit in fits])
    mean = frame.pivot_table(index="table", columns="model", values="score", sort=False)
    best_peer = mean.drop(columns="glassnet").max(axis=1)
    return [
        name for name in mean.index if outcome(mean.loc[name, "glassnet"] - best_peer[name]) == "L"
    ]


def losing_report(fits: list[Fit], curves: dict[str, pd.DataFrame]) -> list[str]:
    """Per losing table: glassnet against its best peer, and what its epochs show."""
    frame = pd.DataFrame([vars(fit) for fit in fits])
    mean = frame.pivot_table(index="table", columns="model", values="score", sort=False)
    train = frame[frame.model == "glassnet"].groupby("table", sort=False).train_score.mean()
    first = frame[(frame.model == "glassnet") & (frame.seed == frame.seed.min())]
    first_seed = first.set_index("table").score
    rows = []
    for name, curve in curves.items():
        peers = mean.loc[name].drop("glassnet")
        best = curve["held-out score"].idxmax()
        rows.append(
            {
                "table": name,
                "glassnet, training part": train[name],
                "glassnet, held out": mean.loc[name, "glassnet"],
                "best peer": f"{peers.idxmax()} {peers.max():.4f}",
                "gap to it": mean.loc[name, "glassnet"] - peers.max(),
                "epochs run; kept": f"{len(curve)}; {curve.attrs['kept']}",
                "first seed: estimator; CSV run": f"{first_seed[name]:.4f}; "
                f"{curve.attrs['held-out']:.4f}",
                "CSV run: best held-out epoch": f"{best}: {curve['held-out score'][best]:.4f}",
                "CSV run: last epoch": f"{curve['held-out score'].iloc[-1]:.4f}",
            }
        )
    if not rows:
        return ["glassnet loses no table to its best peer by more than a tie.", ""]
    return [
        "### Where glassnet loses (to its best peer)",
        "",
        "Scores are means of the seeds, except the last three columns, of the first seed:",
        "the estimator's held-out score and the CSV run's (`glassnet train --recipe",
        "tabular` on the same rows, whose epochs the curves show), then the CSV run's",
        "held-out score at its best epoch (an oracle: no rule saw it) and at its last.",
        "'kept: -' is a run without a validation part, which ends on its last epoch.",
        "The curves are in `tabular_curves.png`.",
        "",
        *_markdown(pd.DataFrame(rows).set_index("table")),
    ]


def epoch_curves(table: Table, seed: int) -> pd.DataFrame:
    """Glassnet refitted on the seed's split, and each epoch's weights scored on both parts.

    Cost: the log loss of the predicted probabilities (classification) or 1 - R² (the
    squared error over the part's variance, regression), with no dropout and hard labels.
    """
    from glassnet.runs.model import network_output

    X_train, X_test, y_train, y_test = split(table, seed, table.X)
    task = "regression" if table.task == "regression" else "classification"
    fitted = RecipeRun(task, seed, keep_epochs=True).fit(X_train, y_train)
    model = fitted.model_
    parameters = model.network.parameters()
    final = [array.copy() for array in parameters]
    parts = {"training": (model.transform_features(X_train), y_train)}
    parts["held-out"] = (model.transform_features(X_test), y_test)
    rows = []
    for weights in fitted.epoch_weights_:
        for array, saved in zip(parameters, weights, strict=True):
            array[...] = saved
        row = {}
        for part, (X, y) in parts.items():
            A = network_output(model.network, X)  # A[L], one forward pass
            predicted = model.predictions(A)
            row[f"{part} score"] = score(table.task, y, predicted)
            row[f"{part} cost"] = (
                1 - row[f"{part} score"]
                if table.task == "regression"
                else log_loss(y, model.probabilities(A), labels=model.classes_)
            )
        rows.append(row)
    for array, saved in zip(parameters, final, strict=True):
        array[...] = saved
    curve = pd.DataFrame(rows)
    curve.attrs["task"] = table.task
    curve.attrs["kept"] = "-" if fitted.history_.best_epoch is None else fitted.history_.best_epoch
    curve.attrs["held-out"] = score(table.task, y_test, fitted.predict(X_test))  # as kept
    return curve


def draw_curves(curves: dict[str, pd.DataFrame], fits: list[Fit], seed: int, path: Path) -> None:
    """Per losing table: cost and score of every epoch on both parts, the peers' scores."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not curves:
        return
    peers = {(fit.table, fit.model): fit.score for fit in fits if fit.seed == seed}
    figure, axes = plt.subplots(len(curves), 2, figsize=(12, 2.8 * len(curves)), squeeze=False)
    for (cost_axis, score_axis), (name, curve) in zip(axes, curves.items(), strict=True):
        for part in ("training", "held-out"):
            cost_axis.plot(curve[f"{part} cost"], label=f"{part} part")
            score_axis.plot(curve[f"{part} score"], label=f"{part} part")
        shown = curve["held-out score"].iloc[len(curve) // 4 :]
        low = shown.min()
        for number, peer in enumerate(PEERS):
            if (name, peer) in peers and peers[name, peer] > low - 0.1:
                score_axis.axhline(peers[name, peer], color=f"C{number + 2}", ls="--", label=peer)
        if curve.attrs["kept"] != "-":
            for axis in (cost_axis, score_axis):
                axis.axvline(curve.attrs["kept"], color="grey", ls=":", label="epoch kept")
        score_axis.set_ylim(low - 0.1, max(1.0, curve["training score"].max()) + 0.01)
        regression = curve.attrs["task"] == "regression"
        cost_axis.set(title=f"{name}: cost", xlabel="epoch", yscale="log")
        cost_axis.set_ylabel("1 - R²" if regression else "log loss")
        score_axis.set(title=f"{name}: score, seed {seed}", xlabel="epoch")
        score_axis.set_ylabel("R²" if regression else "accuracy")
        cost_axis.legend(fontsize=7, loc="upper right")
        score_axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    print(f"wrote {path}")


def write_results(text: str) -> None:
    """Replace the results between the two marker lines of tabular.md (or start the file)."""
    block = f"{START}\n{text}\n{END}"
    if OUT.exists() and START in (old := OUT.read_text(encoding="utf-8")):
        before, rest = old.split(START, 1)
        OUT.write_text(before + block + rest.split(END, 1)[1], encoding="utf-8")
    else:
        OUT.write_text(f"# Tabular defaults against four peers\n\n{block}\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
