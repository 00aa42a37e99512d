"""A run's config is checked where it enters, and the run trains with what the check built.

``docs/architecture.md``: ``check_run`` resolves the options before the data is read and builds
the optimizer and callbacks they name. A bundled data set, the tutorial recipe and a resumed run
are checked once; the tabular recipe takes values from the table's shape, so its filled config
is checked once more, after the read, and that check's optimizer is the one the run steps.
"""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from glassnet.runs import config_check, run
from glassnet.runs.config import RunConfig
from glassnet.runs.folder import write_run_folder
from messy_export import write_messy_export


def same_options(run_config: RunConfig, checked: RunConfig) -> bool:
    """The run's config is the checked one, but for the task and output the data resolves."""
    return replace(run_config, task=checked.task, output=checked.output) == checked


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[config_check.CheckedRun]:
    """Every CheckedRun that run_training asked for, in order."""
    made: list[config_check.CheckedRun] = []

    def counted(config: RunConfig) -> config_check.CheckedRun:
        made.append(config_check.check_run(config))
        return made[-1]

    monkeypatch.setattr(run, "check_run", counted)
    return made


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The optimizer each prepared plan steps."""
    optimizers: list[Any] = []
    prepare = run.prepare

    def spied(*args: Any, **options: Any) -> Any:
        optimizers.append(options["optimizer"])
        return prepare(*args, **options)

    monkeypatch.setattr(run, "prepare", spied)
    return optimizers


@pytest.mark.parametrize("recipe", ["tutorial", "auto"])
def test_a_bundled_data_set_is_checked_once_and_trains_with_what_the_check_built(
    checks, stepped, recipe
):
    result = run.run_training(RunConfig(data="moons", epochs=3, recipe=recipe))
    assert len(checks) == 1
    assert stepped == [checks[0].optimizer]
    assert result.config.recipe == "tutorial"
    assert same_options(result.config, checks[0].config)


def test_a_table_under_the_tabular_recipe_is_checked_before_the_read_and_once_filled(
    tmp_path: Path, checks, stepped
):
    data = tmp_path / "export.csv"
    write_messy_export(data)
    config = RunConfig(data=str(data), target="price_eur", epochs=2, recipe="auto")
    result = run.run_training(config)
    assert len(checks) == 2
    assert checks[0].config.recipe == "auto" and not checks[0].config.recipe_reasons
    assert checks[1].config.recipe_reasons["optimizer"] != "given"  # the recipe's AdamW
    assert same_options(result.config, checks[1].config)
    assert stepped == [checks[1].optimizer]  # the run steps the last check's optimizer
    assert type(stepped[0]).__name__ == "AdamW"


def test_a_bad_option_is_refused_before_the_data_is_read(tmp_path: Path, checks):
    missing = tmp_path / "absent.csv"  # reading it would fail on the file instead
    with pytest.raises(Exception, match="learning rate"):
        run.run_training(RunConfig(data=str(missing), target="y", lr=-1.0, recipe="auto"))
    assert len(checks) == 0  # the check raised inside, before returning


def test_a_resumed_run_is_checked_once(tmp_path: Path, checks, stepped):
    first = run.run_training(RunConfig(data="moons", epochs=2, out=str(tmp_path / "run")))
    write_run_folder(first)
    checks.clear(), stepped.clear()
    model = str(tmp_path / "run" / "model.npz")
    run.run_training(RunConfig(data="moons", epochs=2, resume_from=model))
    assert len(checks) == 1
    assert stepped == [checks[0].optimizer]
