"""One hold-out split for in-memory data: ``glassnet train``, ``plot`` and ``evaluate --part``
draw their rows with the same function, and get the same rows.

The spy wraps :func:`glassnet.training.split.hold_out` where the runs call it
(:func:`glassnet.runs.parts.split_run`), records what each command drew, and passes it on.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from glassnet import cli
from glassnet.runs import parts
from glassnet.training import split


def invoke(*args: object) -> str:
    result = CliRunner().invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("data", ["cancer", "moons"])
def test_train_plot_and_evaluate_draw_the_same_rows(tmp_path, monkeypatch, data):
    drawn: list[tuple[np.ndarray, np.ndarray]] = []

    def spy(*args, **kwargs):
        kept, held = split.hold_out(*args, **kwargs)
        drawn.append((kept, held))
        return kept, held

    monkeypatch.setattr(parts, "hold_out", spy)
    out = tmp_path / "run"
    invoke("train", "--data", data, "--iterations", 5, "--validation", 0.25, "--out", out)
    trained, drawn[:] = list(drawn), []
    invoke("plot", out)
    plotted, drawn[:] = list(drawn), []
    report = tmp_path / "metrics.json"
    model = out / "model.npz"
    invoke("evaluate", model, "--data", data, "--part", "held-out", "--json", report)
    evaluated = list(drawn)

    assert len(trained) == 2  # the held-out part, then the validation part of the rest
    for calls in (plotted, evaluated):
        assert len(calls) == 2
        for (kept, held), (kept_again, held_again) in zip(trained, calls, strict=True):
            np.testing.assert_array_equal(kept_again, kept)
            np.testing.assert_array_equal(held_again, held)
    n_test = json.loads((out / "metrics.json").read_text())["n_test"]
    assert n_test == len(trained[0][1]) > 0
    assert json.loads(report.read_text())["n_samples"] == n_test
