"""``--help`` reads well in an 80-column terminal: click wraps it, no word or option is cut."""

import pytest
from click.testing import CliRunner

from glassnet import cli

WIDTH = 80


@pytest.mark.parametrize("name", sorted(cli.cli.commands))
def test_help_fits_80_columns_and_names_every_option_whole(name):
    result = CliRunner().invoke(cli.cli, [name, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    too_long = [line for line in lines if len(line) > WIDTH]
    assert too_long == []  # a terminal would break these mid-word
    split = [line for line in lines if line.split() and line.split()[-1].startswith("--")]
    assert [line for line in split if line.endswith("-")] == []  # "--no-" + "standardize"
    words = result.output.split()
    for parameter in cli.cli.commands[name].params:
        for option in parameter.opts if parameter.param_type_name == "option" else []:
            assert any(word.strip(",") == option for word in words), option


def test_predict_takes_data_as_train_and_evaluate_do_and_csv_still(tmp_path):
    out = tmp_path / "run"
    train = ["train", "--data", "moons", "--samples", "40", "--iterations", "3", "--out", str(out)]
    assert CliRunner().invoke(cli.cli, train).exit_code == 0
    points = tmp_path / "points.csv"
    points.write_text("x1,x2\n0.5,0.25\n")
    outputs = []
    for option in ("--data", "--csv"):
        result = CliRunner().invoke(
            cli.cli, ["predict", str(out / "model.npz"), option, str(points)]
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0].startswith("x1,x2,prediction,")
