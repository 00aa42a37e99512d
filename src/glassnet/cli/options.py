"""What the commands share: their common options, and the one table from options to a run's config.

    --hidden 16,8 ──config_fields──> RunConfig(hidden=(16, 8))        (train, explain, gradcheck)
    RunConfig(hidden=(16, 8)) ──as_option──> "16,8"                  (train --resume)

:data:`OPTION_FIELDS` names the :class:`~glassnet.runs.config.RunConfig` field behind each
option of ``glassnet train``; :data:`PARSERS` turn the command line's text into the
field's value, and :func:`as_option` turns a saved value back into the option's.
The ``*_option`` functions are the options several commands take, worded once.
"""

import inspect
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click
from click.core import ParameterSource

from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.data.loading import DATASETS
from glassnet.data.table_choices import NAN_POLICIES
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig
from glassnet.training.schedules import SCHEDULES

DEFAULTS = RunConfig()
Decorator = Callable[[Any], Any]

OPTION_FIELDS = {  # command-line option: the RunConfig field that holds its value
    "data": "data",
    "target": "target",
    "task": "task",
    "features": "features",
    "drop": "drop",
    "categorical": "categorical",
    "nan": "nan",
    "sep": "sep",
    "encoding": "encoding",
    "decimal": "decimal",
    "thousands": "thousands",
    "dates": "dates",
    "noise": "noise",
    "samples": "n_samples",
    "classes": "classes",
    "hidden": "hidden",
    "activation": "activation",
    "init": "init",
    "lr": "lr",
    "iterations": "epochs",
    "seed": "seed",
    "optimizer": "optimizer",
    "momentum": "momentum",
    "beta1": "beta1",
    "beta2": "beta2",
    "weight_decay": "weight_decay",
    "lr_schedule": "lr_schedule",
    "schedule_options": "schedule_options",
    "alpha": "alpha",
    "dropout": "dropout",
    "clip_norm": "clip_norm",
    "batch_size": "batch_size",
    "validation": "validation",
    "early_stopping": "early_stopping",
    "min_delta": "min_delta",
    "test_size": "test_size",
    "no_standardize": "standardize",
    "record_gradients": "record_gradients",
    "dtype": "dtype",
    "recipe": "recipe",
    "scaling": "scaling",
    "embedding": "embedding",
    "label_smoothing": "label_smoothing",
    "ensemble": "ensemble",
}


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"16,8"`` -> ``(16, 8)``; ``""`` -> ``()`` (no hidden layer)."""
    if not text.strip():
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise InputError(
            f"--hidden takes whole numbers separated by commas, such as 16,8; got {text!r}"
        ) from None


def parse_names(text: str) -> tuple[str, ...]:
    """``"relu,tanh"`` -> ``("relu", "tanh")``."""
    return tuple(part.strip() for part in text.split(","))


def parse_columns(text: str | None) -> tuple[str, ...]:
    """``"island,sex"`` -> ``("island", "sex")``; ``""`` or None -> ``()`` (none given)."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def parse_rates(text: str | None) -> float | tuple[float, ...] | None:
    """``"0.2"`` -> ``0.2``; ``"0.2,0.1"`` -> ``(0.2, 0.1)``, one per hidden layer; None -> None."""
    if text is None:
        return None
    try:
        rates = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise InputError(
            f"--dropout takes a rate, or one per hidden layer separated by commas, such as "
            f"0.2 or 0.2,0.1; got {text!r}"
        ) from None
    return rates[0] if len(rates) == 1 else rates


def parse_schedule_options(pairs: Sequence[str]) -> dict[str, float]:
    """``("gamma=0.5", "step_size=100")`` -> ``{"gamma": 0.5, "step_size": 100}``."""
    options: dict[str, float] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            number = float(value)
        except ValueError:
            raise InputError(
                f"--schedule-option takes KEY=VALUE with a number, such as gamma=0.5; got {pair!r}"
            ) from None
        options[key.strip()] = int(number) if value.strip().lstrip("+-").isdigit() else number
    return options


def _joined(items: Sequence[Any]) -> str:
    return ",".join(str(item) for item in items)


def _same(value: Any) -> Any:
    return value


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


PARSERS: dict[str, Callable[[Any], Any]] = {  # option: its text -> the field's value
    "hidden": parse_sizes,
    "activation": parse_names,
    "schedule_options": parse_schedule_options,
    "no_standardize": operator.not_,
    "validation": lambda fraction: fraction or None,  # 0 means none
    "features": parse_columns,
    "drop": parse_columns,
    "categorical": parse_columns,
    "dropout": parse_rates,
}
FORMATTERS: dict[str, Callable[[Any], Any]] = {  # option: the field's value -> its text
    "hidden": _joined,
    "activation": _joined,
    "features": _joined,
    "drop": _joined,
    "categorical": _joined,
    "schedule_options": lambda options: tuple(f"{key}={n}" for key, n in options.items()),
    "no_standardize": operator.not_,
    "dropout": lambda rates: None if rates is None else _joined(_as_list(rates)),
}


def config_fields(options: Mapping[str, Any]) -> dict[str, Any]:
    """The RunConfig fields that ``options`` (a command's, by name) set, their text parsed."""
    return {
        field: PARSERS.get(option, _same)(options[option])
        for option, field in OPTION_FIELDS.items()
        if option in options
    }


def given_options(options: Mapping[str, Any]) -> set[str]:
    """The names in ``options`` given on the command line (not left at their default)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return set()
    return {
        name
        for name in options
        if context.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)
    }


def given_fields(options: Mapping[str, Any]) -> tuple[str, ...]:
    """The RunConfig fields of the options given on the command line (not left at default)."""
    given = given_options(options)
    return tuple(field for option, field in OPTION_FIELDS.items() if option in given)


def as_option(option: str, value: Any) -> Any:
    """A RunConfig field's value as the command line gives ``option``."""
    return FORMATTERS.get(option, _same)(value)


def generated_help(option: str, what: str) -> str:
    """The help of a generator's option: ``what`` and each generator's default for it."""
    defaults = []
    for name, generator in DATASETS.items():
        parameter = inspect.signature(generator).parameters.get(option)
        if parameter is not None:
            defaults.append(f"{name} {parameter.default}")
    return f"{what} of a generated data set. Default: the data set's own ({', '.join(defaults)})."


def schedule_options_help() -> str:
    """Each schedule's options and their defaults, for --schedule-option's help."""
    described = []
    for name, schedule in SCHEDULES.items():
        parameters = inspect.signature(schedule).parameters.values()
        options = ", ".join(f"{p.name}={p.default}" for p in parameters)
        if options:
            described.append(f"{name}: {options}")
    return "; ".join(described)


def run_option(*declarations: str, help: str, **kwargs: Any) -> Decorator:
    """An option of ``glassnet train`` whose default is the RunConfig's, stated in the help.

    The option's name is the last declaration without dashes, or the first one's.
    """
    plain = [name for name in declarations if not name.startswith("-")]
    name = plain[-1] if plain else declarations[0].lstrip("-").replace("-", "_")
    default = as_option(name, getattr(DEFAULTS, OPTION_FIELDS[name]))
    return click.option(
        *declarations, default=default, help=f"{help} Default: {default}.", **kwargs
    )


def data_option(help_tail: str, **kwargs: Any) -> Decorator:
    """``--data NAME|PATH.csv``: a bundled data set's name or a CSV file."""
    return click.option(
        "--data",
        metavar="NAME|PATH.csv",
        help=f"The data: {', '.join(DATASETS)}, or a CSV file with a header row {help_tail}",
        **kwargs,
    )


def target_option(help: str = "The CSV column to predict (CSV files only).") -> Decorator:
    """``--target COLUMN``: a CSV file's target column."""
    return click.option("--target", metavar="COLUMN", help=help)


def hidden_option(default: str) -> Decorator:
    """``--hidden SIZES``: units per hidden layer, comma-separated."""
    return click.option(
        "--hidden",
        default=default,
        metavar="SIZES",
        help="Units per hidden layer, comma-separated (16,8 is two layers); '' for none. "
        f"Default: {default}.",
    )


def activation_option(default: str) -> Decorator:
    """``--activation NAMES``: the hidden activation, or one per hidden layer."""
    return click.option(
        "--activation",
        default=default,
        metavar="NAMES",
        help=f"Hidden activation: {', '.join(HIDDEN_ACTIVATIONS)}; or a comma list, one per "
        "hidden layer. The output is inferred: sigmoid for 2 classes, softmax for more, "
        f"identity for regression. Default: {default}.",
    )


def nan_option(cell: str, skip: str) -> Decorator:
    """``--nan impute|skip|error``: what a missing ``cell`` does; ``skip`` says what skip does."""
    return click.option(
        "--nan",
        type=click.Choice(NAN_POLICIES),
        help=f"{cell} that is missing (empty, NA, NaN): impute fills it in as the model's "
        f"preprocessor learned in training; skip {skip}; error stops with its line and column. "
        "A numeric cell that is no finite number (text, inf) stops, or is skipped with skip. "
        "Default: impute for a model trained on a table, error for one trained on numbers only.",
    )


def table_options() -> Decorator:
    """``--sep``, ``--encoding``, ``--decimal``, ``--thousands``: how a CSV file is read
    (train, evaluate, predict)."""
    return with_options(
        click.option(
            "--sep",
            metavar="SEP",
            help="The CSV's delimiter: ',', ';', tab ('\\t') or whitespace. Default: sniffed "
            "from the first lines.",
        ),
        click.option(
            "--encoding",
            metavar="NAME",
            help="The file's text encoding, e.g. latin-1 or cp1252. Default: UTF-8 (a "
            "byte-order mark is dropped).",
        ),
        click.option(
            "--decimal",
            metavar="MARK",
            help="The decimal mark of the file's numbers: '.' or ','. Default: sniffed "
            "(a ';'-separated file of decimal commas is read with ',' and thousands '.').",
        ),
        click.option(
            "--thousands",
            metavar="MARK",
            help="The thousands separator of the file's numbers ('.', ',', ' ', \"'\" or "
            "'_'). Default: none, or '.' with --decimal ','.",
        ),
    )


def with_options(*options: Decorator) -> Decorator:
    """One decorator applying ``options`` in order, the first shown first in the help."""

    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
