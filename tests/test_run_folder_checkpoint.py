"""checkpoint.npz lives while a run trains: a finished run folder has none, a crashed one keeps
it, and ``glassnet train --resume`` continues from it."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import glassnet.runs.run as run_module
from glassnet import cli
from glassnet.files.model_file import load
from glassnet.training.callbacks import Callback

CRASH_EPOCH = 6


def train(*args: object) -> Result:
    runner = CliRunner(env={"COLUMNS": "200"})
    return runner.invoke(cli.cli, ["train", *(str(arg) for arg in args), "--no-plots"])


class Crash(Callback):
    """Fails the run at the end of an epoch, as a bug or a full disk would."""

    def on_epoch_end(self, state) -> None:
        if state.epoch == CRASH_EPOCH:
            raise RuntimeError("the disk is on fire")


def test_a_finished_run_folder_holds_no_checkpoint(tmp_path: Path):
    out = tmp_path / "run"
    result = train("--data", "moons", "--iterations", 30, "--out", out)
    assert result.exit_code == 0, result.output
    names = {path.name for path in out.iterdir()}
    assert "model.npz" in names and "checkpoint.npz" not in names
    manifest = json.loads((out / "manifest.json").read_text())
    assert "checkpoint.npz" not in manifest["files"] and "model.npz" in manifest["files"]


def test_a_crashed_run_keeps_its_checkpoint_and_resumes_from_it(tmp_path: Path, monkeypatch):
    trained = run_module.run_epochs

    def crashing(network, plan, callbacks):
        return trained(network, plan, [*callbacks, Crash()])

    monkeypatch.setattr(run_module, "run_epochs", crashing)
    crashed = tmp_path / "crashed"
    result = train("--data", "moons", "--iterations", 30, "--out", crashed)
    monkeypatch.undo()
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert [path.name for path in crashed.iterdir()] == ["checkpoint.npz"]
    saved = load(crashed / "checkpoint.npz").metrics
    assert 0 <= saved["best_epoch"] <= CRASH_EPOCH  # the best epoch before the crash
    out = tmp_path / "resumed"
    resumed = train("--resume", crashed, "--iterations", 3, "--out", out)
    assert resumed.exit_code == 0, resumed.output
    config = json.loads((out / "config.json").read_text())
    assert config["resume_from"] == str(crashed / "checkpoint.npz")
    assert not (out / "checkpoint.npz").exists()  # the resumed run finished
    first_cost = float((out / "history.csv").read_text().splitlines()[1].split(",")[1])
    assert first_cost == pytest.approx(saved["cost"], rel=1e-12)  # from the saved weights
