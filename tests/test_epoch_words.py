"""Full batch, an epoch is one iteration; with mini-batches it is an epoch, and the output says so.

PrintCost's line and the CLI's progress bar name what they count: ``Cost after
iteration i`` (the tutorials' line) when every epoch is one gradient step, ``Cost
after epoch i`` when an epoch is several mini-batch steps.
"""

import io
import re

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

import glassnet as gn
from glassnet import cli
from glassnet.cli.train import ProgressBar, progress_display

LINE = re.compile(r"Cost after (iteration|epoch) (\d+): (\d+\.\d{6})")


@pytest.fixture
def points() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).normal(size=(40, 2))
    return X, (X[:, 0] > 0).astype(int)


def printed(capsys) -> list[re.Match[str]]:
    lines = capsys.readouterr().out.splitlines()
    matches = [LINE.fullmatch(line) for line in lines]
    assert lines and all(matches), lines
    return [m for m in matches if m]


@pytest.mark.parametrize(
    ("batch_size", "word", "steps"),
    [(None, "iteration", 1), (40, "iteration", 1), (8, "epoch", 5), (39, "epoch", 2)],
)
def test_print_cost_names_what_an_epoch_is(points, capsys, batch_size, word, steps):
    network = gn.Network([2, 3, 1], random_state=0)
    history = gn.train(
        network,
        *points,
        epochs=5,
        batch_size=batch_size,
        record_steps=True,
        callbacks=[gn.PrintCost(every=2)],
    )
    assert len(history.step_cost) == 5 * steps  # the batch size gave the steps we think
    matches = printed(capsys)
    assert [m.group(1) for m in matches] == [word] * 3
    assert [int(m.group(2)) for m in matches] == [0, 2, 4]
    for m in matches:
        assert float(m.group(3)) == pytest.approx(history.cost[int(m.group(2))], abs=5e-7)


def test_an_early_stop_s_last_line_says_epoch_too(points, capsys):
    class StopAt(gn.Callback):
        def on_epoch_end(self, state):
            if state.epoch == 2:
                state.request_stop("test")

    gn.train(
        gn.Network([2, 3, 1], random_state=0),
        *points,
        epochs=50,
        batch_size=10,
        callbacks=[gn.PrintCost(every=100), StopAt()],
    )
    assert [(m.group(1), int(m.group(2))) for m in printed(capsys)] == [("epoch", 0), ("epoch", 2)]


@pytest.mark.parametrize(("batch_size", "unit"), [(None, "iterations"), (8, "epochs")])
def test_the_progress_bar_counts_iterations_or_epochs(points, batch_size, unit):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, color_system=None, width=120)
    with progress_display(console) as progress:
        gn.train(
            gn.Network([2, 3, 1], random_state=0),
            *points,
            epochs=7,
            batch_size=batch_size,
            callbacks=[ProgressBar(progress)],
        )
    (task,) = progress.tasks
    assert task.completed == 7 and task.fields["unit"] == unit
    assert f"7/7 {unit}" in screen.getvalue()


def test_the_command_line_says_epoch_for_mini_batches(tmp_path):
    arguments = ["train", "--data", "moons", "--iterations", "3", "--print-every", "1", "--out"]
    runner = CliRunner()
    mini = runner.invoke(cli.cli, [*arguments, str(tmp_path / "mini"), "--batch-size", "32"])
    full = runner.invoke(cli.cli, [*arguments, str(tmp_path / "full")])
    assert mini.exit_code == 0 and full.exit_code == 0, mini.output + full.output
    for result, word in ((mini, "epoch"), (full, "iteration")):
        lines = [line for line in result.stdout.splitlines() if line.startswith("Cost after")]
        matches = [LINE.fullmatch(line) for line in lines]
        assert [m.group(1) for m in matches if m] == [word] * len(lines) == [word] * 3
