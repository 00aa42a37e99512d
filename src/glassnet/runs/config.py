"""A run's configuration: every choice of ``glassnet train``, checked and resolved.

:class:`RunConfig` holds the choices; :func:`check_run` checks every option that
does not need the data and fills in the defaults that depend on other options (the
optimizer's own options, the schedule's, the data generator's).
"""

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from glassnet._version import __version__
from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.dropout import check_dropout
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from glassnet.data.loading import DATASETS
from glassnet.data.table_choices import NAN_POLICIES, SCALINGS
from glassnet.errors import InputError
from glassnet.training.callbacks import Callback, EarlyStopping, PrintCost
from glassnet.training.schedules import (
    SCHEDULES,
    CosLog,
    StepSchedule,
    WarmupCosine,
    make_schedule,
)
from glassnet.validation import check_dtype, check_integer, check_number, check_positive, lookup

GENERATOR_OPTIONS = ("noise", "n_samples", "classes")
OPTIMIZER_OPTIONS = {
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "adam": ("beta1", "beta2"),
    "adamw": ("beta1", "beta2", "weight_decay"),
}
# Per-step schedules (training.schedules), built once the run knows its steps: their options
STEP_SCHEDULES: dict[str, type[StepSchedule]] = {"warmup_cosine": WarmupCosine, "coslog": CosLog}
STEP_SCHEDULE_OPTIONS = {  # warmup: the share of the steps warming up; cycles: CosLog's c
    "warmup_cosine": {"warmup": 0.05},
    "coslog": {"warmup": 0.0, "cycles": 4},
}
FRACTION: dict[str, Any] = {"low": 0, "high": 1, "high_open": True, "noun": "a fraction"}
OPTIMIZER_DEFAULTS = {"momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01}


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
DEFAULT_OPTIMIZER = RunConfig.optimizer  # "gd": the tutorials' gradient descent


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


@dataclass(frozen=True)
class CheckedRun:
    """A run's config checked once, and what checking it built: the run uses these."""

    config: RunConfig  # every option resolved
    optimizer: Optimizer
    callbacks: list[Callback]  # the schedule, the cost printer, early stopping


def check_run(config: RunConfig) -> CheckedRun:
    """Check every option that does not need the data, once: the resolved config, with the
    optimizer and callbacks it names, built (building them checks their options).

    Raises
    ------
    InputError
        Naming the first option that is out of range or unknown.
    """
    hidden = _check_hidden(config.hidden)
    activation = _check_activations(config.activation, len(hidden))
    lookup(INITIALIZERS, config.init, "initialiser")
    check_positive(config.lr, "learning rate")
    check_number(config.alpha, "alpha (L2 strength)", low=0)
    check_dropout(config.dropout, len(hidden))
    if config.clip_norm is not None:
        check_positive(config.clip_norm, "clip_norm")
    check_number(config.test_size, "test_size", **FRACTION)  # [0, 1)
    if config.validation is not None:
        check_number(config.validation, "validation", **FRACTION, low_open=True)  # (0, 1)
    check_integer(config.epochs, "epochs (iterations)", low=1)
    if config.batch_size is not None:
        check_integer(config.batch_size, "batch_size", low=1)
    if config.print_every is not None:
        check_integer(config.print_every, "print_every", low=1)
    check_integer(config.seed, "seed", low=0, high=2**32 - 1)
    check_dtype(config.dtype)
    lookup(dict(zip(NAN_POLICIES, NAN_POLICIES, strict=True)), config.nan, "--nan policy")
    _check_recipe_options(config)
    resolved = replace(
        config,
        hidden=hidden,
        activation=activation,
        min_delta=_resolve_min_delta(config),
        schedule_options=_resolve_schedule_options(config),
        **_resolve_optimizer_options(config),
        **_resolve_generator_options(config),
        version=__version__,
    )
    optimizer = make_run_optimizer(resolved)  # raises on a bad momentum or beta
    callbacks = training_callbacks(resolved)  # raises on a bad schedule option or patience
    return CheckedRun(resolved, optimizer, callbacks)


def _check_recipe_options(config: RunConfig) -> None:
    """The options the tabular recipe added: recipe, scaling, embedding, smoothing, ensemble."""
    recipes = ("auto", "tutorial", "tabular")
    lookup(dict(zip(recipes, recipes, strict=True)), config.recipe, "recipe")
    lookup(dict(zip(SCALINGS, SCALINGS, strict=True)), config.scaling, "scaling")
    if config.embedding is not None:
        check_integer(config.embedding, "embedding (sines per input)", low=1)
    check_number(config.label_smoothing, "label_smoothing", **FRACTION)  # [0, 1)
    check_integer(config.ensemble, "ensemble (networks averaged)", low=1)
    if config.ensemble > 1 and config.resume_from is not None:
        raise InputError(
            "an ensemble cannot be resumed: its model is the members merged into one network; "
            "resume without --ensemble, or train the ensemble afresh"
        )
    unknown = sorted(set(config.pinned) - CONFIG_FIELDS)
    if unknown:
        raise InputError(f"pinned names {unknown[0]!r}, which is no option of a run")


def _check_hidden(hidden: Sequence[int]) -> tuple[int, ...]:
    sizes = tuple(hidden)
    if not all(isinstance(size, int) and not isinstance(size, bool) for size in sizes):
        raise InputError(f"hidden layer sizes must be whole numbers, got {list(sizes)}")
    if any(size < 1 for size in sizes):
        raise InputError(
            f"hidden layer sizes must be 1 or more, got {list(sizes)}: "
            "a layer of 0 units would cut the network in two"
        )
    return sizes


def _check_activations(activation: str | Sequence[str], n_hidden: int) -> tuple[str, ...]:
    names = (activation,) if isinstance(activation, str) else tuple(activation)
    known = {name: name for name in HIDDEN_ACTIVATIONS}
    for name in names:
        lookup(known, name, "hidden activation")
    if len(names) == 1:
        return names * n_hidden
    if len(names) != n_hidden:
        raise InputError(
            f"{len(names)} activations for {n_hidden} hidden layer(s): give one name, "
            "or one per hidden layer"
        )
    return names


def _resolve_min_delta(config: RunConfig) -> float | None:
    if config.early_stopping is None:
        if config.min_delta is not None:
            raise InputError("min_delta applies only with early stopping: give its patience too")
        return None
    return 0.0 if config.min_delta is None else config.min_delta


def _resolve_optimizer_options(config: RunConfig) -> dict[str, Any]:
    """Each optimizer option: its value or default when the optimizer uses it, else None.

    An option of another optimizer is refused, unless the recipe still chooses the
    optimizer (:func:`_optimizer_left_to_recipe`): the run checks it again once it has.
    """
    lookup(OPTIMIZERS, config.optimizer, "optimizer")
    used = OPTIMIZER_OPTIONS.get(config.optimizer, ())
    refused = not _optimizer_left_to_recipe(config)
    resolved: dict[str, Any] = {}
    for name, default in OPTIMIZER_DEFAULTS.items():
        value = getattr(config, name)
        if name not in used and value is not None and refused:
            users = [key for key, options in OPTIMIZER_OPTIONS.items() if name in options]
            raise InputError(
                f"{name} applies only to the {' and '.join(users)} optimizer(s), "
                f"not to {config.optimizer!r}: choose one of those with --optimizer, "
                f"or leave {name} out"
            )
        resolved[name] = (default if value is None else value) if name in used else None
    return resolved


def _optimizer_left_to_recipe(config: RunConfig) -> bool:
    """Whether the optimizer is still the recipe's to choose: a fresh run whose recipe is not
    the tutorial's, its optimizer not given (the tabular recipe's is AdamW)."""
    given = "optimizer" in config.pinned or config.optimizer != DEFAULT_OPTIMIZER
    return config.recipe != "tutorial" and config.resume_from is None and not given


def _resolve_schedule_options(config: RunConfig) -> dict[str, float]:
    """The schedule's options, every one given a value (the given one or the default)."""
    schedules: dict[str, Callable[..., Any]] = {**SCHEDULES, **STEP_SCHEDULES}
    schedule = lookup(schedules, config.lr_schedule, "learning-rate schedule")
    defaults = STEP_SCHEDULE_OPTIONS.get(config.lr_schedule) or {
        name: parameter.default
        for name, parameter in inspect.signature(schedule).parameters.items()
    }
    unknown = sorted(set(config.schedule_options) - set(defaults))
    if unknown:
        takes = ", ".join(defaults) or "no options"
        raise InputError(
            f"unknown option {unknown[0]!r} for the {config.lr_schedule} schedule: it takes {takes}"
        )
    return {**defaults, **config.schedule_options}


def _resolve_generator_options(config: RunConfig) -> dict[str, Any]:
    """Generated data's options left as None, filled with the generator's defaults."""
    generator = DATASETS.get(config.data)
    if generator is None:
        return {}
    parameters = inspect.signature(generator).parameters
    return {
        name: parameters[name].default
        for name in GENERATOR_OPTIONS
        if name in parameters and getattr(config, name) is None
    }


def make_run_optimizer(config: RunConfig) -> Optimizer:
    """The optimizer the config names, with its learning rate and its own options."""
    options = {
        name: getattr(config, name)
        for name in OPTIMIZER_OPTIONS.get(config.optimizer, ())
        if getattr(config, name) is not None
    }
    return make_optimizer(config.optimizer, learning_rate=config.lr, **options)


def training_callbacks(config: RunConfig) -> list[Callback]:
    """The schedule, the cost printer and early stopping, in the order they must run."""
    callbacks: list[Callback] = []
    if (
        config.lr_schedule not in STEP_SCHEDULES
    ):  # a per-step one needs the run's steps: step_schedule
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
