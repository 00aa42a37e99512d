"""``glassnet predict`` and glassnet.runs.predicting: features by name, rows, chunks, memory."""

import csv
import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from glassnet import cli
from glassnet.core.network import Network
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.errors import InputError
from glassnet.files.model_file import save
from glassnet.runs.model import TrainedModel
from glassnet.runs.predicting import predict_csv

FEATURES = ["a", "b", "c"]


def predict(*args: object, input: str | None = None) -> Result:
    arguments = ["predict", *(str(arg) for arg in args)]
    return CliRunner().invoke(cli.cli, arguments, input=input, catch_exceptions=False)


def trained(task: str, seed: int = 0) -> TrainedModel:
    """A model with random weights on 3 raw features; classes 'cat', 'dog', 'emu'."""
    rng = np.random.default_rng(seed)
    X = rng.normal([10.0, -5.0, 100.0], [2.0, 0.5, 30.0], size=(50, 3))
    if task == "regression":
        network = Network([3, 4, 1], "tanh", "identity", random_state=seed)
        return TrainedModel(
            network, task, standardizer=Standardizer().fit(X), feature_names=FEATURES
        )
    codec = LabelCodec().fit(np.array(["cat", "dog", "emu"]))
    network = Network([3, 4, 3], "tanh", "softmax", random_state=seed)
    return TrainedModel(
        network, task, standardizer=Standardizer().fit(X), label_codec=codec, feature_names=FEATURES
    )


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    return save(trained("classification"), tmp_path_factory.mktemp("model") / "model.npz")


def rows_text(n: int, seed: int = 1) -> str:
    """``n`` rows: an id, the features in another order than the model's, a text column."""
    rng = np.random.default_rng(seed)
    X = rng.normal([10.0, -5.0, 100.0], [2.0, 0.5, 30.0], size=(n, 3)).round(3)
    lines = ["id,c,note,a,b"]
    for i, (a, b, c) in enumerate(X.tolist()):
        lines.append(f'{i},{c},"note {i}, with a comma",{a:.3f},{b}')
    return "\n".join(lines) + "\n"


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def features_of(rows: list[dict[str, str]]) -> np.ndarray:
    return np.array([[float(row[name]) for name in FEATURES] for row in rows])


# --- what is written ------------------------------------------------------------------


def test_rows_keep_every_column_and_their_text_and_gain_prediction_columns(model_file, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(rows_text(20), encoding="utf-8")
    result = predict(model_file, "--csv", source, "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out.csv").read_text(encoding="utf-8")
    header = written.splitlines()[0].split(",")
    assert header == [
        *("id", "c", "note", "a", "b", "prediction"),
        *("probability_cat", "probability_dog", "probability_emu"),
    ]
    given, output = parse(source.read_text()), parse(written)
    assert len(output) == 20
    for before, after in zip(given, output, strict=True):
        assert all(after[key] == value for key, value in before.items())  # text unchanged
    for line, out_line in zip(source.read_text().splitlines(), written.splitlines(), strict=True):
        assert out_line.startswith(line + ",")  # the record as it was, quotes and all


def test_cells_are_copied_as_read_and_quoted_where_they_need_it(model_file):
    """pandas reads the cells, so a record's own quoting is not kept: every cell's text is,
    and a cell is quoted in the output exactly when it needs to be (a comma, a quote, a line
    break)."""
    text = 'a,b,c,note\r\n1,2.50,3,"kept"\r\n 4 ,5e0,6,"two\r\nlines, ""quoted"""\r\n'
    lines = predict(model_file, input=text).stdout_bytes.decode().split("\n")  # .stdout: no \r
    assert lines[1].startswith("1,2.50,3,kept,")
    assert lines[2].startswith(' 4 ,5e0,6,"two\r')  # the quoted line break is kept as it was
    assert lines[3].startswith('lines, ""quoted""",')


def test_predictions_and_probabilities_equal_the_model_on_the_same_rows(model_file, tmp_path):
    model = trained("classification")
    output = parse(predict(model_file, input=rows_text(30)).stdout)
    X = features_of(output)
    assert [row["prediction"] for row in output] == model.predict(X).tolist()
    P = np.array(
        [[float(row[f"probability_{c}"]) for c in ("cat", "dog", "emu")] for row in output]
    )
    np.testing.assert_array_equal(P, model.predict_proba(X))  # written at full precision
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_a_regression_model_adds_one_prediction_column(tmp_path):
    model = trained("regression")
    path = save(model, tmp_path / "model.npz")
    output = parse(predict(path, input=rows_text(10)).stdout)
    assert list(output[0])[-1] == "prediction" and not any("probability" in k for k in output[0])
    predicted = [float(row["prediction"]) for row in output]
    np.testing.assert_array_equal(predicted, model.predict(features_of(output)))


def test_standard_input_to_standard_output_composes_in_a_pipe(model_file):
    first = predict(model_file, "--csv", "-", "--out", "-", input=rows_text(5))
    assert first.exit_code == 0 and first.stderr == ""
    again = predict(model_file, input=rows_text(5))
    assert again.stdout == first.stdout
    assert first.stdout.startswith("id,c,note,a,b,prediction,") and first.stdout.count("\n") == 6


def test_chunk_boundaries_do_not_change_the_output(model_file, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(rows_text(101), encoding="utf-8")
    outputs = []
    for size in (7, 10_000):
        out = tmp_path / f"out{size}.csv"
        assert (
            predict(model_file, "--csv", source, "--out", out, "--chunk-size", size).exit_code == 0
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_header_only_file_gives_a_header_only_output(model_file):
    result = predict(model_file, input="a,b,c\n")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "a,b,c,prediction,probability_cat,probability_dog,probability_emu"
    ]


# --- bad input ------------------------------------------------------------------------


def assert_one_line_error(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr


def test_missing_feature_columns_are_all_listed(model_file):
    result = predict(model_file, input="id,b,extra\n1,2,3\n")
    assert_one_line_error(result, "lacks the column(s) 'a', 'c'", "the file has id, b, extra")


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("", "missing value ''"),
        ("n/a", "missing value 'n/a'"),
        ("nan", "missing value 'nan'"),
        ("inf", "non-finite value 'inf'"),
        ("1e999", "non-finite value '1e999'"),
        ("12 kg", "'12 kg' is not a number"),
    ],
)
def test_a_bad_cell_is_an_error_naming_its_line_and_column(model_file, cell, problem):
    text = 'a,b,c,note\n1,2,3,x\n\n4,5,6,"two\nlines"\n' + f"7,{cell},9,y\n"  # line 6
    result = predict(model_file, input=text)
    assert_one_line_error(result, "standard input, line 6, column 'b'", problem)
    assert result.stdout == ""  # the bad row was in the first chunk: nothing written


def test_nan_skip_drops_bad_rows_and_counts_them(model_file):
    text = "a,b,c\n1,2,3\n,5,6\n7,x,9\n10,11,inf\n13,14,15\n"
    result = predict(model_file, "--nan", "skip", "--chunk-size", 2, input=text)
    assert result.exit_code == 0
    assert [row["a"] for row in parse(result.stdout)] == ["1", "13"]
    assert result.stderr == "skipped 3 rows with missing or non-numeric values\n"


def test_a_failure_half_way_leaves_no_output_file(model_file, tmp_path):
    lines = rows_text(60).splitlines()
    lines[45] = lines[45].rsplit(",", 1)[0] + ",oops"  # column b of line 46
    source = tmp_path / "in.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = predict(model_file, "--csv", source, "--out", out, "--chunk-size", 7)
    assert_one_line_error(result, "line 46, column 'b'", "'oops' is not a number")
    assert list(tmp_path.iterdir()) == [source]  # no out.csv, no temporary file
    out.write_text("kept\n")
    predict(model_file, "--csv", source, "--out", out, "--chunk-size", 7)
    assert out.read_text() == "kept\n"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing-model", "cannot load model file"),
        ("bare-network", "holds a Network, not a trained model"),
        ("missing-csv", "does not exist"),
        ("out-is-folder", "is a folder"),
        ("ragged", "line 3: 4 fields but the header has 3"),
        ("clash", "already has a column 'prediction'"),
        ("empty", "is empty"),
    ],
)
def test_every_error_is_one_line_and_exit_code_2(model_file, tmp_path, setup, expected):
    args: list[object] = [model_file]
    text = "a,b,c\n1,2,3\n"
    if setup == "missing-model":
        args = [tmp_path / "absent.npz"]
    elif setup == "bare-network":
        args = [save(Network([3, 1], random_state=0), tmp_path / "net.npz")]
    elif setup == "missing-csv":
        args += ["--csv", tmp_path / "absent.csv"]
    elif setup == "out-is-folder":
        args += ["--out", tmp_path]
    elif setup == "ragged":
        text = "a,b,c\n1,2,3\n4,5,6,7\n"
    elif setup == "clash":
        text = "a,b,c,prediction\n1,2,3,x\n"
    elif setup == "empty":
        text = ""
    assert_one_line_error(predict(*args, input=text), expected)


def test_a_row_with_fewer_fields_reads_as_ending_in_empty_cells(model_file):
    """pandas' rule: a short row's last cells are empty, so they are missing values."""
    result = predict(model_file, input="a,b,c\n1,2,3\n4,5\n")
    assert_one_line_error(result, "standard input, line 3, column 'c': missing value ''")


def test_predict_csv_refuses_a_bad_policy_or_chunk_size(tmp_path):
    model = trained("classification")
    for options in ({"nan": "drop"}, {"chunk_size": 0}):
        with pytest.raises(InputError):
            predict_csv(model, io.StringIO("a,b,c\n1,2,3\n"), io.StringIO(), **options)


# --- memory ---------------------------------------------------------------------------


def test_a_large_file_streams_through_in_a_fraction_of_its_size(tmp_path):
    """200,000 rows (7 MB of text), 500 at a time: the peak is far below the file's size."""
    model = trained("classification")
    source = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    with source.open("w", encoding="utf-8", newline="") as handle:  # streamed, not built in memory
        handle.write("a,b,c,id\n")
        for start in range(0, 200_000, 20_000):
            X = rng.normal(size=(20_000, 3)).round(6)
            handle.writelines(
                f"{a},{b},{c},{start + i}\n" for i, (a, b, c) in enumerate(X.tolist())
            )
    size = source.stat().st_size
    tracemalloc.start()
    try:
        summary = predict_csv(model, source, tmp_path / "out.csv", chunk_size=500)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.n_rows == 200_000 and summary.n_skipped == 0
    assert peak < size / 5, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    with (tmp_path / "out.csv").open() as handle:
        assert sum(1 for _ in handle) == 200_001


def test_each_chunk_runs_the_network_once(monkeypatch):
    import glassnet.runs.model as trained_model

    rows: list[int] = []
    real_forward = trained_model.forward
    monkeypatch.setattr(
        trained_model, "forward", lambda network, X: rows.append(len(X)) or real_forward(network, X)
    )
    for task in ("classification", "regression"):
        rows.clear()
        summary = predict_csv(
            trained(task), io.StringIO(rows_text(30)), io.StringIO(), chunk_size=7
        )
        assert summary.n_rows == 30
        assert rows == [7, 7, 7, 7, 2]  # one forward pass per chunk, for labels and probabilities
