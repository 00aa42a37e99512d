"""``glassnet train``, ``predict`` and ``evaluate`` on real tables: the issue's bad-input list.

Every bad input is one line on stderr (``error: ...``, exit code 2) naming the column, the
line and the fix, and leaves no run folder (so no model file) behind.
"""

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from glassnet import cli

RNG = np.random.default_rng(0)
N = 80
X1, X2 = RNG.normal(size=N).round(3), RNG.normal(size=N).round(3)
SHOP = pd.DataFrame(
    {
        "x1": X1,
        "x2": X2,
        "colour": np.where(X1 > 0, "red", "blue"),
        "label": np.where(X1 + X2 > 0, "yes", "no"),
        "price": (3 * X1 - X2 + RNG.normal(scale=0.1, size=N)).round(3),
    }
)


def invoke(*args: object, input: str | None = None) -> Result:
    runner = CliRunner(env={"COLUMNS": "160"})
    arguments = [str(arg) for arg in args]
    return runner.invoke(cli.cli, arguments, input=input, catch_exceptions=False)


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "shop.csv", **options) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, **options)
    return path


def train(tmp_path: Path, data: Path, *args: object) -> tuple[Result, Path]:
    out = tmp_path / "run"
    result = invoke("train", "--data", data, *args, "--iterations", 30, "--out", out)
    return result, out


def assert_refused(result: Result, out: Path, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not out.exists()  # no run folder, no model file


@pytest.mark.parametrize(
    ("change", "args", "expected"),
    [
        ("one class", ["--target", "label"], ("'label' has a single class 'yes'", "--target")),
        ("empty column", ["--target", "label"], ("column 'empty'", "missing in every row")),
        ("missing target", ["--target", "label", "--nan", "error"], ("line 3, column 'label'",)),
        ("duplicate", ["--target", "label"], ("duplicate column names x1",)),
        ("", ["--target", "label", "--features", "x1,x9"], ("'x9' in --features", "x1, x2")),
        ("", ["--target", "label", "--drop", "nope"], ("'nope' in --drop",)),
        ("", ["--target", "label", "--categorical", "hue"], ("'hue' in --categorical",)),
        ("", ["--target", "labels"], ("target column 'labels' is not in", "'label'?")),
        ("", ["--target", "colour", "--task", "regression"], ("line 2, column 'colour'",)),
    ],
)
def test_bad_input_is_one_line_naming_the_column_and_writes_nothing(
    tmp_path, change, args, expected
):
    frame = SHOP.copy()
    if change == "one class":
        frame["label"] = "yes"
    elif change == "empty column":
        frame["empty"] = np.nan
    elif change == "missing target":
        frame.loc[1, "label"] = None
    path = write(tmp_path, frame)
    if change == "duplicate":
        path.write_text(path.read_text().replace("x2", "x1", 1))
    assert_refused(*train(tmp_path, path, *args), *expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("x1,x2,label\n", "has a header but no data rows"),
        ("x1;x2;label\n1;2;yes\n3;4\n5;6;7;no\n", "it looks ';'-separated: pass --sep"),
    ],
)
def test_an_empty_header_only_or_unparsable_file_is_refused(tmp_path, text, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert_refused(*train(tmp_path, path, "--target", "label"), expected)


def test_with_its_delimiter_given_a_ragged_file_names_the_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("x1;x2;label\n1;2;yes\n3;4;no\n5;6;7;no\n")
    result, out = train(tmp_path, path, "--target", "label", "--sep", ";")
    assert_refused(result, out, "line 4: 4 fields but the header has 3")


def test_rows_without_a_target_are_dropped_with_a_note_and_a_row_id_is_left_out(tmp_path):
    frame = SHOP.assign(id=range(N))[["id", *SHOP.columns]]
    frame.loc[[3, 7], "label"] = None
    result, out = train(tmp_path, write(tmp_path, frame), "--target", "label")
    assert result.exit_code == 0, result.output
    assert "note: dropped 2 row(s) without a target 'label' (lines 5, 9)" in result.stdout
    assert "note: column 'id' looks like a row id" in result.stdout
    assert json.loads((out / "metrics.json").read_text())["n_train"] == 62  # 78 rows, 20 % out


def test_a_latin1_file_needs_encoding_and_a_semicolon_file_is_sniffed(tmp_path):
    frame = SHOP.assign(colour=np.where(SHOP["colour"] == "red", "rouge", "bleu ciel é"))
    path = write(tmp_path, frame, "latin.csv", sep=";", encoding="latin-1")
    refused, out = train(tmp_path, path, "--target", "label")
    assert_refused(refused, out, "as a UTF-8 CSV file", "--encoding")
    result, out = train(tmp_path, path, "--target", "label", "--encoding", "latin-1")
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert config["sep"] == ";" and config["encoding"] == "latin-1"
    assert config["columns"]["categorical"] == ["colour"]


def test_a_warning_names_a_column_with_many_categories(tmp_path):
    frame = pd.concat([SHOP] * 2, ignore_index=True).assign(
        shop=[f"s{i % 70}" for i in range(2 * N)]
    )
    result, _ = train(tmp_path, write(tmp_path, frame), "--target", "label")
    assert result.exit_code == 0, result.output
    assert "warning: column 'shop' has" in result.stderr and "--drop shop" in result.stderr


def test_several_targets_train_one_network_and_predict_a_column_each(tmp_path):
    data = write(tmp_path, SHOP.assign(double=2 * SHOP["price"]))
    result, out = train(tmp_path, data, "--target", "price,double", "--drop", "label")
    assert result.exit_code == 0, result.output
    assert "regression: 2 numeric targets (multi-output)" in result.stdout
    assert "warning" not in result.stderr  # every picture drawn: a panel per target
    assert {"regression.png", "report.html"} <= {path.name for path in out.iterdir()}
    predicted = invoke("predict", out / "model.npz", "--csv", data)
    rows = list(csv.DictReader(predicted.stdout.splitlines()))
    assert list(rows[0])[-2:] == ["prediction_price", "prediction_double"]
    scored = json.loads(invoke("evaluate", out / "model.npz", "--data", data, "--json", "-").stdout)
    assert scored["task"] == "regression" and scored["n_samples"] == 16  # the held-out part


def test_predict_lacking_a_column_names_it_and_missing_cells_are_imputed(tmp_path):
    data = write(tmp_path, SHOP)
    result, out = train(tmp_path, data, "--target", "label")
    assert result.exit_code == 0, result.output
    lacking = invoke(
        "predict", out / "model.npz", "--csv", write(tmp_path, SHOP.drop(columns="colour"), "n.csv")
    )
    assert lacking.exit_code == 2 and len(lacking.stderr.splitlines()) == 1
    assert "lacks the column(s) 'colour'" in lacking.stderr
    gaps = SHOP.copy()
    gaps.loc[0, "x1"] = np.nan
    gaps.loc[1, "colour"] = None
    filled = invoke("predict", out / "model.npz", "--csv", write(tmp_path, gaps, "gaps.csv"))
    assert filled.exit_code == 0 and len(filled.stdout.splitlines()) == N + 1
    refused = invoke("predict", out / "model.npz", "--csv", tmp_path / "gaps.csv", "--nan", "error")
    assert refused.exit_code == 2 and "line 2, column 'x1': missing value ''" in refused.stderr
    skipped = invoke("predict", out / "model.npz", "--csv", tmp_path / "gaps.csv", "--nan", "skip")
    assert len(skipped.stdout.splitlines()) == N - 1 and "skipped 2 rows" in skipped.stderr


def test_a_model_without_an_imputer_refuses_nan_impute(tmp_path):
    moons = tmp_path / "moons"
    trained = invoke("train", "--data", "moons", "--iterations", 5, "--out", moons)
    assert trained.exit_code == 0
    refused = invoke("predict", moons / "model.npz", "--nan", "impute", input="x1,x2\n1,2\n")
    assert (
        refused.exit_code == 2 and "--nan impute needs a model trained on a table" in refused.stderr
    )
