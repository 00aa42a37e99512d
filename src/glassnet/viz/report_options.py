"""The options of a run that report.html shows: those that differ from the defaults, and the
command line that runs it again (``glassnet train --data ... --option value``).
"""

import dataclasses
import json
import shlex
from collections.abc import Mapping
from typing import Any

from glassnet.runs.config import RunConfig
from glassnet.viz.report_raw import scalar, text

# config.json fields that are not options of the run, or are shown elsewhere
NOT_OPTIONS = frozenset({"data", "target", "out", "print_every", "version", "pinned"})
NOT_OPTIONS |= {"recipe_reasons", "resume_from"}
# a field's command-line option, where it is not the field's name with dashes
# (tests/test_report.py checks every one against glassnet train's own options)
NOT_COMMAND_LINE = frozenset({"output"})  # resolved from the data; glassnet train has no option
OPTION_NAMES = {
    "epochs": "--iterations",
    "n_samples": "--samples",
    "schedule_options": "--schedule-option",
    "standardize": "--no-standardize",
}


def changed_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The run's options that differ from RunConfig's defaults, in the config's order."""
    defaults = _plain(dataclasses.asdict(RunConfig()))
    fields = {field.name for field in dataclasses.fields(RunConfig)} - NOT_OPTIONS
    plain = {key: _plain(value) for key, value in config.items() if key in fields}
    return {key: value for key, value in plain.items() if value != defaults.get(key)}


def _plain(value: Any) -> Any:
    """A value as JSON holds it: tuples as lists."""
    return json.loads(json.dumps(value, default=list))


def options(config: Mapping[str, Any]) -> str:
    """The options set or differing from the defaults, with where each came from."""
    changed = changed_options(config)
    if not changed:
        return "<p>Every option at its default.</p>"
    from_recipe = set(config.get("recipe_reasons") or ())
    given = set(config.get("pinned") or ())
    rows = []
    for key, value in changed.items():
        source = "given" if key in given else "recipe" if key in from_recipe else "resolved"
        rows.append(
            f"<tr><th>{text(key)}</th><td>{text(_option_text(value))}</td>"
            f"<td>{text(source)}</td></tr>"
        )
    head = "<tr><th>option</th><th>value</th><th>from</th></tr>"
    return "<table>" + head + "".join(rows) + "</table>"


def _option_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(scalar(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={scalar(item)}" for key, item in value.items())
    return scalar(value)


def command_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The options the command line gives: those given (config.json's ``pinned``), or, for a
    run that recorded none (a script's RunConfig), every option that differs from the defaults."""
    changed = changed_options(config)
    given = set(config.get("pinned") or ())
    if given:  # a recipe resolves the rest again from the same data
        return {key: value for key, value in changed.items() if key in given}
    return {key: value for key, value in changed.items() if key not in NOT_COMMAND_LINE}


def command_line(config: Mapping[str, Any]) -> str:
    """``glassnet train --data ... --option value ...``: the run again, with the same seed."""
    words = ["glassnet", "train", "--data", str(config.get("data", ""))]
    if config.get("target"):
        words += ["--target", str(config["target"])]
    for key, value in command_options(config).items():
        option = OPTION_NAMES.get(key, "--" + key.replace("_", "-"))
        if isinstance(value, bool):
            words += [option] if value != (key == "standardize") else []
        elif isinstance(value, Mapping):
            for name, item in value.items():
                words += [option, f"{name}={scalar(item)}"]
        elif isinstance(value, list):
            words += [option, ",".join(str(item) for item in value)] if value else []
        elif value is not None:
            words += [option, scalar(value) if isinstance(value, float) else str(value)]
    return " ".join(shlex.quote(word) for word in words)
