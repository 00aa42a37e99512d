"""Recipes: the defaults a run takes for its data, each with the reason it was chosen.

``tutorial`` is the tutorials' network (5 tanh units, full-batch gradient descent at 0.3
for 5000 iterations): :class:`~glassnet.runs.config.RunConfig`'s own defaults, unchanged.
``tabular`` is a network for real tables, after RealMLP-TD (Holzmueller et al., "Better by
Default", NeurIPS 2024), sized for NumPy on a laptop. :data:`TABULAR` is the whole recipe:
one row per option, the value as a function of the table's size, and why.

Only the options a user did not set take the recipe's value: :func:`apply_recipe` leaves
alone every field in ``config.pinned`` (the command line's given options) and every field
whose value differs from RunConfig's default (a script's ``RunConfig(hidden=(32,))``).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from glassnet.data.dataset import Dataset
from glassnet.runs.config import OPTIMIZER_FIELDS, RunConfig, optimizer_options

RECIPES = ("tutorial", "tabular")
MAX_EMBEDDED_WIDTH = 600  # the first layer's input width n_x (1 + K) the embedding stays under
MIN_VALIDATED_ROWS = 200  # training rows below which no validation part is held out
SMALL_TABLE_DECAY = 1.0  # AdamW's decay for 200 to 2,000 rows: W -= lr * 1.0 * W
REGRESSION_DECAY = 5.0  # the same for a regression, which no label smoothing holds back
MAX_FREQUENCIES = 8  # K, the sines per feature, when the table is narrow enough


@dataclass(frozen=True)
class TableShape:
    """What the tabular recipe reads of a table: its training rows, its inputs, its task."""

    n_rows: int  # rows of the training part (fit + validation)
    n_features: int  # encoded inputs n_x (numeric columns and one-hot columns)
    classification: bool


@dataclass(frozen=True)
class Default:
    """One row of a recipe: the RunConfig field, its value for a table, and why.

    ``reason`` is formatted with ``v`` (the value), ``rows`` and ``n_x`` (the table's).
    """

    field: str
    value: Callable[[TableShape], Any]
    reason: str


def _width(shape: TableShape) -> int:
    return 64 if shape.n_rows < 1000 else 128 if shape.n_rows < 10_000 else 256


def _depth(shape: TableShape) -> int:
    return 2 if shape.n_rows < 10_000 else 3


def _dropout(shape: TableShape) -> float:
    return 0.15 if shape.n_rows < 2000 else 0.1 if shape.n_rows < 20_000 else 0.05


def _weight_decay(shape: TableShape) -> float:
    if MIN_VALIDATED_ROWS <= shape.n_rows < 2000:  # 0.05 shrinks W by a tenth in a run
        return SMALL_TABLE_DECAY if shape.classification else REGRESSION_DECAY
    return 0.05 if shape.n_rows < 2000 else 0.02 if shape.n_rows < 20_000 else 0.01


def _batch_size(shape: TableShape) -> int:
    batch = min(256, max(32, 2 ** round(math.log2(max(shape.n_rows, 1) / 16))))
    return int(min(batch, max(shape.n_rows, 1)))  # a table of fewer rows: one batch of them


def _epochs(shape: TableShape) -> int:
    fit_rows = shape.n_rows * (1 - (_validation(shape) or 0))  # the rows left to fit
    steps_per_epoch = max(1, math.ceil(fit_rows / _batch_size(shape)))
    return int(min(200, max(30, round(2500 / steps_per_epoch))))  # about 2500 steps in all


def _frequencies(shape: TableShape) -> int | None:
    K = min(MAX_FREQUENCIES, MAX_EMBEDDED_WIDTH // max(shape.n_features, 1) - 1)
    return K if K >= 1 else None


def _validation(shape: TableShape) -> float | None:
    return 0.2 if shape.n_rows >= MIN_VALIDATED_ROWS else None


def _patience(shape: TableShape) -> int | None:
    return None if _validation(shape) is None else max(10, _epochs(shape) // 3)


def _label_smoothing(shape: TableShape) -> float:
    return 0.1 if shape.classification else 0.0


RM = "RealMLP's ablation, error without it"  # Holzmueller et al. 2024, classification / regression
TABULAR: tuple[Default, ...] = (  # field, its value for the table, why
    Default("scaling", lambda s: "robust",
            f"median and quartiles, then x / sqrt(1 + (x/3)^2): outliers cannot swamp a column "
            f"({RM}: +2.1 % / +8.7 %)"),
    Default("embedding", _frequencies,
            f"sines per input beside the input itself, A[0] = [X, sin(2 pi F x + P)], "
            f"for {{n_x}} inputs: at most {MAX_EMBEDDED_WIDTH} first-layer inputs "
            f"({RM}: +2.3 % / +20.6 %)"),
    Default("hidden", lambda s: (_width(s),) * _depth(s),
            "for {rows} training rows: room to fit, and a run of seconds"),
    Default("activation", lambda s: ("relu",), "cheap, and no saturation in wide layers"),
    Default("optimizer", lambda s: "adamw", "a step per weight, decay apart from the step"),
    Default("beta2", lambda s: 0.95,
            f"not 0.999: Adam follows mini-batch gradients faster ({RM}: +2.0 % / +22.8 %)"),
    Default("lr", lambda s: 0.002, "a safe Adam rate on scaled inputs at these widths"),
    Default("weight_decay", _weight_decay,
            f"for {{rows}} training rows: AdamW's decay against overfitting, from "
            f"{MIN_VALIDATED_ROWS} to 2,000 rows {SMALL_TABLE_DECAY} for a classifier and "
            f"{REGRESSION_DECAY} for a regression of {MIN_VALIDATED_ROWS} to 2,000 (0.05 barely "
            f"shrinks W in a run; measured in benchmarks/tabular.md), else 0.05, then 0.02 "
            f"from 2,000 and 0.01 from 20,000 rows"),
    Default("dropout", _dropout,
            "for {rows} training rows: fewer rows, more dropout against overfitting"),
    Default("batch_size", _batch_size,
            "about a sixteenth of {rows} rows, 32 to 256 (at most the rows)"),
    Default("epochs", _epochs, "about 2500 steps in all, 30 to 200 epochs"),
    Default("lr_schedule", lambda s: "warmup_cosine",
            f"a warm-up over the first 5 % of the steps, then a cosine decay to 0 "
            f"({RM}, for a constant rate: +1.8 % / +13.4 %)"),
    Default("validation", _validation,
            f"a fifth of the training part scores each epoch and the best epoch is kept ({RM}: "
            f"+0.4 %): a small table peaks early, then overfits; none under "
            f"{MIN_VALIDATED_ROWS} rows, which fit better on every row (benchmarks/tabular.md)"),
    Default("early_stopping", _patience,
            "stop after that many epochs without a better validation cost, keeping the best "
            "epoch; none without validation"),
    Default("label_smoothing", _label_smoothing,
            f"a classifier's targets (1 - eps) Y + eps / K keep it from overconfidence "
            f"({RM}: +1.8 %); 0 for a number"),
)  # fmt: skip
TUTORIAL_REASON = "the tutorials' network: RunConfig's own defaults"
RECIPE_FIELDS = frozenset(default.field for default in TABULAR)
DEFAULT_VALUES = {option.name: option.default for option in fields(RunConfig)}


def recipe_for(config: RunConfig, from_file: bool) -> str:
    """The config's recipe (checked by ``check_run``); for ``"auto"``, tabular for a CSV or
    Parquet file, else tutorial."""
    if config.recipe == "auto":
        return "tabular" if from_file else "tutorial"
    return config.recipe


def tutorial_recipe(config: RunConfig) -> RunConfig:
    """``config`` under the tutorial recipe: RunConfig's own defaults, nothing from the data."""
    return replace(config, recipe="tutorial", recipe_reasons={"recipe": TUTORIAL_REASON})


def apply_recipe(config: RunConfig, shape: TableShape, recipe: str) -> RunConfig:
    """``config`` with the recipe's value for every field the user did not set, and the reasons.

    Returns the config with ``recipe`` resolved and ``recipe_reasons`` naming, per field
    the recipe set, why; a field the user set keeps its value ("given").
    """
    if recipe == "tutorial":
        return tutorial_recipe(config)
    values: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    for default in TABULAR:
        if was_set(config, default.field):
            reasons[default.field] = "given"
            continue
        value = values[default.field] = default.value(shape)
        reasons[default.field] = default.reason.format(
            v=value, rows=shape.n_rows, n_x=shape.n_features
        )
    optimizer = values.get("optimizer", config.optimizer)  # the recipe's, or the one given
    unused = set(OPTIMIZER_FIELDS) - optimizer_options(optimizer).keys()
    for name in values.keys() & unused:
        del values[name], reasons[name]  # an option of another optimizer: --optimizer adam
    return replace(config, **values, recipe=recipe, recipe_reasons=reasons)


def was_set(config: RunConfig, name: str) -> bool:
    """Whether the user set the field ``name``: given (pinned), or not RunConfig's default."""
    return name in config.pinned or getattr(config, name) != DEFAULT_VALUES[name]


def shape_of(dataset: Dataset, test_size: float) -> TableShape:
    """The training part's rows, the encoded inputs (one per number, one per category), the task."""
    n_rows = round(len(dataset.y) * (1 - test_size))
    table = dataset.table
    n_features = dataset.X.shape[1] if table is None else len(table.numeric)
    if table is not None:
        n_features += sum(int(table.frame[name].nunique()) for name in table.categorical)
    return TableShape(n_rows, n_features, dataset.task == "classification")
