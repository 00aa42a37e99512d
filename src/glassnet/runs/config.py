"""A run's configuration: every choice of ``glassnet train``, and what it builds.

:class:`RunConfig` holds the choices; :mod:`glassnet.runs.config_check` checks them once
(``check_run``); :func:`make_run_optimizer`, :func:`training_callbacks` and
:func:`step_schedule` build the optimizer and callbacks a checked config names.
"""

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from glassnet._version import __version__
from glassnet.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from glassnet.training.callbacks import Callback, EarlyStopping, PrintCost
from glassnet.training.schedules import (
    CosLog,
    StepSchedule,
    WarmupCosine,
    make_schedule,
)
from glassnet.validation import check_number

GENERATOR_OPTIONS = ("noise", "n_samples", "classes")
OPTIMIZER_FIELDS = ("momentum", "beta1", "beta2", "weight_decay")  # options of some optimizers
# Per-step schedules (training.schedules), built once the run knows its steps: their options
STEP_SCHEDULES: dict[str, type[StepSchedule]] = {"warmup_cosine": WarmupCosine, "coslog": CosLog}
STEP_SCHEDULE_OPTIONS = {  # warmup: the share of the steps warming up; cycles: CosLog's c
    "warmup_cosine": {"warmup": 0.05},
    "coslog": {"warmup": 0.0, "cycles": 4},
}
FRACTION: dict[str, Any] = {"low": 0, "high": 1, "high_open": True, "noun": "a fraction"}


@dataclass(frozen=True)
class RunConfig:
    """Every choice of a run; ``None`` means "the default for this data / optimizer".

    The defaults train the tutorial network (reference experiment 1) on ``moons``:
    5 tanh hidden units, He initialisation, full-batch gradient descent with learning
    rate 0.3 for 5000 iterations, with 20 % of the data held out and standardised
    features. :func:`run_training` returns the config with every ``None`` resolved.

    Attributes
    ----------
    data, target, task
        A data set name (see :data:`glassnet.data.loading.DATASETS`) or a CSV or Parquet
        path; the file's target column (several joined by commas: multi-output
        regression); ``"auto"``, ``"classification"`` or ``"regression"``.
    features, drop, categorical, nan, sep, encoding
        A file's feature columns (empty: all but the target), columns left out, columns
        read as categories; what a missing feature cell does (``"impute"``, ``"skip"``,
        ``"error"``); the delimiter (``None``: sniffed) and encoding (``None``: UTF-8).
        See :func:`glassnet.data.tabular.read_tabular`.
    decimal, thousands, dates
        How a file writes its numbers (``None``: sniffed), and its date columns (``None``:
        found; ``""``: none). See :func:`glassnet.data.tabular.read_tabular`.
    noise, n_samples, classes
        Options of a generated data set; ``None`` keeps the generator's default.
    hidden, activation
        Units per hidden layer; one activation name, or one per hidden layer.
    output
        ``None`` infers it: sigmoid for 2 classes, softmax for more, identity for regression.
    init, optimizer, lr, momentum, beta1, beta2, weight_decay
        Initialiser; optimizer name and learning rate; momentum (momentum, nesterov),
        the betas (adam, adamw) and the decoupled weight decay (adamw), ``None`` for the
        optimizer's default.
    lr_schedule, schedule_options
        Schedule name and its options (e.g. ``{"gamma": 0.5}``); missing ones take defaults.
    alpha, batch_size, epochs
        L2 strength; ``None`` for full batches; passes over the fit part.
    dropout, clip_norm
        The dropout rate of every hidden layer, or one per hidden layer (``None``:
        none); the gradients' largest global norm (``None``: no clipping).
    validation, early_stopping, min_delta
        Fraction of the training part held out for validation (``None``: none); the
        patience of early stopping (``None``: off) and its minimum improvement.
    test_size, standardize
        Fraction held out for the final test (0: none); standardise the features.
    record_gradients
        Record each layer's ``||dW[l]||`` and ``||W[l]||`` every epoch
        (:class:`~glassnet.training.inspection.GradientNorms` on the fit part).
    seed, dtype, print_every, out, version
        The one seed; ``"float64"`` or ``"float32"``; print the cost every that many
        iterations (``None``: never); the run folder; the glassnet version.
    resume_from
        A model file (a run's ``model.npz`` or ``checkpoint.npz``) to continue from:
        its weights, standardizer and labels replace new ones (see :mod:`glassnet.runs.resuming`).
    recipe, recipe_reasons, pinned
        ``"tutorial"`` (these defaults), ``"tabular"`` (:data:`glassnet.runs.recipe.TABULAR`:
        defaults for a real table, chosen from its size) or ``"auto"`` (tabular for a CSV or
        Parquet file); why each default was chosen, once the run resolved it; the fields
        the recipe leaves as they are (the command line's given options).
    scaling, embedding, label_smoothing, ensemble
        A table's numeric columns scaled by ``"standard"`` or ``"robust"`` scaling; K, the
        sines per input of a numeric embedding (``None``: none); eps, the label smoothing of
        a classifier's training targets; the networks trained from seeds seed, seed + 1, ...
        and averaged into one model.
    """

    data: str = "moons"
    target: str | None = None
    task: str = "auto"
    features: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    nan: str = "impute"
    sep: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    dates: str | None = None
    noise: float | None = None
    n_samples: int | None = None
    classes: int | None = None
    hidden: tuple[int, ...] = (5,)
    activation: str | tuple[str, ...] = ("tanh",)
    output: str | None = None
    init: str = "he"
    optimizer: str = "gd"
    lr: float = 0.3
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    weight_decay: float | None = None
    lr_schedule: str = "constant"
    schedule_options: dict[str, float] = field(default_factory=dict)
    alpha: float = 0.0
    dropout: float | tuple[float, ...] | None = None
    clip_norm: float | None = None
    batch_size: int | None = None
    epochs: int = 5000
    validation: float | None = None
    early_stopping: int | None = None
    min_delta: float | None = None
    test_size: float = 0.2
    standardize: bool = True
    record_gradients: bool = False
    seed: int = 0
    dtype: str = "float64"
    print_every: int | None = None
    out: str | None = None
    version: str = __version__
    resume_from: str | None = None
    recipe: str = "tutorial"
    recipe_reasons: dict[str, str] = field(default_factory=dict)
    pinned: tuple[str, ...] = ()
    scaling: str = "standard"
    embedding: int | None = None
    label_smoothing: float = 0.0
    ensemble: int = 1


CONFIG_FIELDS = frozenset(option.name for option in fields(RunConfig))


# Option values that were renamed: a record written under the old name reads as the new one.
RENAMED_VALUES = {"optimizer": {"sgd": "gd"}}  # glassnet 0.1.0 before the layers called GD "sgd"


def upgrade_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` (a saved config) with renamed option values under their current names."""
    upgraded = dict(record)
    for key, renames in RENAMED_VALUES.items():
        if upgraded.get(key) in renames:
            upgraded[key] = renames[upgraded[key]]
    return upgraded


def config_from_record(record: Mapping[str, Any]) -> RunConfig:
    """The RunConfig saved as ``record`` (``asdict`` of one: config.json, a model file's config).

    Keys that are not options (config.json's data and preprocessing) are left out;
    lists become tuples again; renamed values take their new names; options a
    record lacks take their defaults.
    """
    values = {key: value for key, value in upgrade_record(record).items() if key in CONFIG_FIELDS}
    for key in ("hidden", "activation", "features", "drop", "categorical", "dropout", "pinned"):
        if isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    return RunConfig(**values)


def optimizer_options(name: str) -> dict[str, float]:
    """The :data:`OPTIMIZER_FIELDS` the optimizer ``name`` takes, with its own defaults."""
    parameters = inspect.signature(OPTIMIZERS[name]).parameters
    return {key: parameters[key].default for key in OPTIMIZER_FIELDS if key in parameters}


def make_run_optimizer(config: RunConfig) -> Optimizer:
    """The optimizer the config names, with its learning rate and its own options."""
    options = {
        name: getattr(config, name)
        for name in optimizer_options(config.optimizer)
        if getattr(config, name) is not None
    }
    return make_optimizer(config.optimizer, learning_rate=config.lr, **options)


def training_callbacks(config: RunConfig) -> list[Callback]:
    """The schedule, the cost printer and early stopping, in the order they must run."""
    callbacks: list[Callback] = []
    if config.lr_schedule not in STEP_SCHEDULES:  # a per-step one needs the run's steps
        callbacks.append(make_schedule(config.lr_schedule, **config.schedule_options))
    if config.print_every is not None:
        callbacks.append(PrintCost(every=config.print_every))
    if config.early_stopping is not None:
        min_delta = 0.0 if config.min_delta is None else config.min_delta
        callbacks.append(EarlyStopping(patience=config.early_stopping, min_delta=min_delta))
    return callbacks


def step_schedule(config: RunConfig, n_fit: int, batch_size: int) -> Callback | None:
    """The config's per-step schedule over the run's T = epochs * ceil(n_fit / batch) steps.

    None for a per-epoch schedule (:func:`training_callbacks` builds those).
    """
    build = STEP_SCHEDULES.get(config.lr_schedule)
    if build is None:
        return None
    options = dict(config.schedule_options)
    total = config.epochs * -(-n_fit // batch_size)  # T = epochs * ceil(n / B)
    warmup = round(total * check_number(options.pop("warmup"), "warmup", **FRACTION))
    cycles = {"cycles": int(options.pop("cycles"))} if "cycles" in options else {}
    return build(total, warmup_steps=warmup, **cycles)
