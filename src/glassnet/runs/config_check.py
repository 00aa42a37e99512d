"""A run's config checked once, where it enters: :func:`check_run`.

It checks every option that does not need the data and fills in the defaults that depend
on other options (the optimizer's own options, the schedule's, the data generator's), then
builds the optimizer and callbacks the config names: the run uses what the check built.
"""

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from glassnet._version import __version__
from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.dropout import check_dropout
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.optimizers import OPTIMIZERS, Optimizer
from glassnet.data.loading import DATASETS
from glassnet.data.table_choices import NAN_POLICIES, SCALINGS
from glassnet.errors import InputError
from glassnet.runs.config import (
    CONFIG_FIELDS,
    FRACTION,
    GENERATOR_OPTIONS,
    OPTIMIZER_FIELDS,
    STEP_SCHEDULE_OPTIONS,
    STEP_SCHEDULES,
    RunConfig,
    make_run_optimizer,
    optimizer_options,
    training_callbacks,
)
from glassnet.runs.recipe import RECIPES, was_set
from glassnet.training.callbacks import Callback
from glassnet.training.schedules import SCHEDULES
from glassnet.validation import check_dtype, check_integer, check_number, check_positive, lookup


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
    lookup(dict.fromkeys(NAN_POLICIES), config.nan, "--nan policy")
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
    lookup(dict.fromkeys(("auto", *RECIPES)), config.recipe, "recipe")
    lookup(dict.fromkeys(SCALINGS), config.scaling, "scaling")
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
    known = dict.fromkeys(HIDDEN_ACTIVATIONS)
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
    used = optimizer_options(config.optimizer)
    refused = not _optimizer_left_to_recipe(config)
    resolved: dict[str, Any] = {}
    for name in OPTIMIZER_FIELDS:
        value = getattr(config, name)
        if name not in used and value is not None and refused:
            users = [key for key in OPTIMIZERS if name in optimizer_options(key)]
            raise InputError(
                f"{name} applies only to the {' and '.join(users)} optimizer(s), "
                f"not to {config.optimizer!r}: choose one of those with --optimizer, "
                f"or leave {name} out"
            )
        resolved[name] = (used[name] if value is None else value) if name in used else None
    return resolved


def _optimizer_left_to_recipe(config: RunConfig) -> bool:
    """Whether the optimizer is still the recipe's to choose: a fresh run whose recipe is not
    the tutorial's, its optimizer not given (the tabular recipe's is AdamW)."""
    given = was_set(config, "optimizer")
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
