"""``glassnet evaluate``: every metric equals scikit-learn's on the same predictions."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from sklearn import metrics as sk

from glassnet import cli
from glassnet.core.network import Network
from glassnet.data.loading import cancer, spiral
from glassnet.files.model_file import save
from glassnet.runs.run import RunConfig, run_training


def evaluate(*args: object) -> Result:
    arguments = ["evaluate", *(str(arg) for arg in args)]
    return CliRunner().invoke(cli.cli, arguments, catch_exceptions=False)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header), *(",".join(str(cell) for cell in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def train_and_save(config: RunConfig, path: Path) -> Path:
    return save(run_training(config).model, path)


def json_of(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("evaluate")


@pytest.fixture(scope="module")
def cancer_model(folder) -> Path:
    return train_and_save(RunConfig(data="cancer", epochs=40, hidden=(4,)), folder / "cancer.npz")


@pytest.fixture(scope="module")
def spiral_model(folder) -> Path:
    config = RunConfig(
        data="spiral", classes=3, hidden=(16,), epochs=150, optimizer="adam", lr=0.05
    )
    return train_and_save(config, folder / "spiral.npz")


@pytest.fixture(scope="module")
def answers(folder) -> tuple[Path, Path]:
    """A CSV with text labels, an id column and the features in another order; its model."""
    X = np.random.default_rng(0).normal(size=(120, 2)).round(4)
    labels = np.where(X.sum(axis=1) > 0.3, "yes", "no")
    rows = [[i, x2, label, x1] for i, ((x1, x2), label) in enumerate(zip(X, labels, strict=True))]
    path = write_csv(folder / "answers.csv", ["id", "x2", "answer", "x1"], rows)
    training = write_csv(
        folder / "train.csv", ["x1", "x2", "answer"], [[x1, x2, a] for _, x2, a, x1 in rows]
    )
    config = RunConfig(data=str(training), target="answer", epochs=60)
    return path, train_and_save(config, folder / "answers.npz")


@pytest.fixture(scope="module")
def prices(folder) -> tuple[Path, Path]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.normal(size=100)
    table = np.column_stack([X, y]).round(5).tolist()
    path = write_csv(folder / "prices.csv", ["a", "b", "c", "price"], table)
    return path, train_and_save(
        RunConfig(data=str(path), target="price", epochs=200), folder / "p.npz"
    )


# --- the numbers ----------------------------------------------------------------------


def test_two_classes_score_the_positive_class_as_scikit_learn_does(cancer_model):
    from glassnet.files.model_file import load

    record = json_of(evaluate(cancer_model, "--data", "cancer", "--part", "all", "--json", "-"))
    model, data = load(cancer_model), cancer()
    y_pred, p = model.predict(data.X), model.predict_proba(data.X)[:, 1]
    expected = {
        "accuracy": sk.accuracy_score(data.y, y_pred),
        "precision": sk.precision_score(data.y, y_pred, pos_label="benign"),
        "recall": sk.recall_score(data.y, y_pred, pos_label="benign"),
        "f1": sk.f1_score(data.y, y_pred, pos_label="benign"),
        "roc_auc": sk.roc_auc_score(data.y == "benign", p),
    }
    assert record["metrics"] == pytest.approx(expected, rel=1e-12)
    assert record["classes"] == ["malignant", "benign"] and record["positive_class"] == "benign"
    labels = record["classes"]  # the rows and columns in the classes_ order
    assert record["confusion_matrix"] == sk.confusion_matrix(data.y, y_pred, labels=labels).tolist()
    assert record["n_samples"] == 569 and record["task"] == "classification"


def test_the_run_s_own_data_is_scored_on_its_held_out_part(tmp_path):
    """auto: cancer is scored on the 20 % the run held out, as the run itself reported it."""
    result = run_training(RunConfig(data="cancer", epochs=60, hidden=(4,), seed=3))
    model_path = save(result.model, tmp_path / "cancer.npz")
    record = json_of(evaluate(model_path, "--data", "cancer", "--json", "-"))
    assert record["n_samples"] == len(result.parts.y_test) == 114
    assert record["metrics"]["accuracy"] == pytest.approx(result.metrics["test_accuracy"], abs=0)
    assert "held-out part" in " ".join(record["notes"])
    everything = json_of(evaluate(model_path, "--data", "cancer", "--part", "all", "--json", "-"))
    assert everything["n_samples"] == 569


def test_held_out_of_a_generated_run_regenerates_its_data(spiral_model):
    record = json_of(
        evaluate(spiral_model, "--data", "spiral", "--part", "held-out", "--json", "-")
    )
    assert record["n_samples"] == 60  # 20 % of the run's 300 points, redrawn from its seed
    refused = evaluate(spiral_model, "--data", "moons", "--part", "held-out")
    assert refused.exit_code == 2 and "only known for the run's own data" in refused.output


def test_more_classes_get_macro_and_weighted_averages_and_one_vs_rest_auc(spiral_model):
    from glassnet.files.model_file import load

    record = json_of(evaluate(spiral_model, "--data", "spiral", "--json", "-"))
    model = load(spiral_model)
    config = model.config  # a generated set is drawn anew with the run's options and seed + 1
    data = spiral(config["n_samples"], 3, config["noise"], random_state=config["seed"] + 1)
    y_pred, P = model.predict(data.X), model.predict_proba(data.X)
    expected = {"accuracy": sk.accuracy_score(data.y, y_pred)}
    for average in ("macro", "weighted"):
        for name, function in (
            ("precision", sk.precision_score),
            ("recall", sk.recall_score),
            ("f1", sk.f1_score),
        ):
            expected[f"{name}_{average}"] = function(data.y, y_pred, average=average)
    expected["roc_auc_ovr_macro"] = sk.roc_auc_score(data.y, P, multi_class="ovr")
    assert record["metrics"] == pytest.approx(expected, rel=1e-12)
    labels = record["classes"]  # the rows and columns in the classes_ order
    assert record["confusion_matrix"] == sk.confusion_matrix(data.y, y_pred, labels=labels).tolist()
    assert record["positive_class"] is None and record["classes"] == [0, 1, 2]


def test_the_default_seed_draws_new_points_and_seed_chooses_them(spiral_model):
    first = json_of(evaluate(spiral_model, "--data", "spiral", "--json", "-"))
    assert json_of(evaluate(spiral_model, "--data", "spiral", "--json", "-")) == first
    other = json_of(evaluate(spiral_model, "--data", "spiral", "--seed", 9, "--json", "-"))
    assert other["metrics"] != first["metrics"]


def test_regression_scores_r2_mae_rmse_as_scikit_learn_does(prices):
    from glassnet.files.model_file import load

    path, model_file = prices
    record = json_of(evaluate(model_file, "--data", path, "--part", "all", "--json", "-"))
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    X, y = table[:, :3], table[:, 3]
    y_pred = load(model_file).predict(X)
    expected = {
        "r2": sk.r2_score(y, y_pred),
        "mae": sk.mean_absolute_error(y, y_pred),
        "rmse": np.sqrt(sk.mean_squared_error(y, y_pred)),
    }
    assert record["metrics"] == pytest.approx(expected, rel=1e-12)
    assert record["task"] == "regression" and record["confusion_matrix"] is None


def test_a_csv_is_read_by_column_name_with_text_labels(answers):
    from glassnet.files.model_file import load

    path, model_file = answers
    # --target left out: the model's own target column
    record = json_of(evaluate(model_file, "--data", path, "--part", "all", "--json", "-"))
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    X = np.array([[float(row[3]), float(row[1])] for row in rows])  # x1, x2
    y = np.array([row[2] for row in rows])
    y_pred = load(model_file).predict(X)
    assert record["metrics"]["accuracy"] == pytest.approx(sk.accuracy_score(y, y_pred), rel=1e-12)
    assert record["classes"] == ["no", "yes"] and record["positive_class"] == "yes"
    assert record["metrics"]["f1"] == pytest.approx(sk.f1_score(y, y_pred, pos_label="yes"))


# --- the table and the JSON ---------------------------------------------------------


TABLE_ROWS = {"accuracy": "accuracy", "precision": "precision", "f1": "F1", "roc_auc": "ROC AUC"}


def test_json_to_stdout_is_pure_and_the_table_on_stderr_shows_the_same_numbers(cancer_model):
    result = evaluate(cancer_model, "--data", "cancer", "--json", "-")
    record = json.loads(result.stdout)  # nothing but JSON
    table = result.stderr
    for name, label in TABLE_ROWS.items():
        line = next(line for line in table.splitlines() if re.search(rf"│ {label}\s+│", line))
        assert f"{record['metrics'][name]:.4f}" in line
    assert "Confusion matrix" in table
    counts = [str(count) for row in record["confusion_matrix"] for count in row]
    assert all(count in table for count in counts)


def test_json_to_a_file_and_the_table_to_stdout(cancer_model, tmp_path):
    out = tmp_path / "metrics.json"
    result = evaluate(cancer_model, "--data", "cancer", "--json", out)
    assert result.exit_code == 0 and result.stderr == ""
    record = json.loads(out.read_text())
    assert f"{record['metrics']['accuracy']:.4f}" in result.stdout
    assert "glassnet evaluate" in result.stdout and record["data"] == "cancer"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]  # no temporary file left


def test_a_single_class_has_no_roc_auc_and_says_why(answers, tmp_path):
    path, model_file = answers
    rows = [line for line in path.read_text().splitlines() if line.split(",")[2] == "yes"]
    only_yes = tmp_path / "yes.csv"
    only_yes.write_text("id,x2,answer,x1\n" + "\n".join(rows) + "\n")
    result = evaluate(model_file, "--data", only_yes, "--json", "-")
    record = json_of(result)
    assert record["metrics"]["roc_auc"] is None and "ROC AUC is not defined" in record["notes"][0]
    assert "n/a" in result.stderr


def test_nan_skip_leaves_bad_rows_out_and_counts_them(answers, tmp_path):
    path, model_file = answers
    lines = path.read_text().splitlines()
    lines[3] = "2,,no,0.5"  # empty x2
    lines[5] = "4,0.1,,0.5"  # empty label
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    record = json_of(evaluate(model_file, "--data", bad, "--nan", "skip", "--json", "-"))
    assert record["n_skipped"] == 2 and record["n_samples"] == 118
    result = evaluate(model_file, "--data", bad, "--nan", "error")
    assert result.exit_code == 2 and "line 4, column 'x2': missing value ''" in result.stderr


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing model", "cannot load model file"),
        ("bare network", "holds a Network, not a trained model"),
        ("unknown data", "does not exist"),
        ("target with a bundled set", "--target applies to CSV files only"),
        ("seed with a CSV", "--seed applies to generated data sets only"),
        ("missing target column", "lacks the column(s) 'verdict'"),
        ("unseen label", "label(s) not seen in fit: 'maybe'"),
    ],
)
def test_every_error_is_one_line_and_exit_code_2(answers, tmp_path, case, expected):
    path, model_file = answers
    args: list[object] = [model_file, "--data", path]
    if case == "missing model":
        args[0] = tmp_path / "absent.npz"
    elif case == "bare network":
        args[0] = save(Network([2, 1], random_state=0), tmp_path / "net.npz")
    elif case == "unknown data":
        args[2] = "moonz"
    elif case == "target with a bundled set":
        args = [model_file, "--data", "moons", "--target", "y"]
    elif case == "seed with a CSV":
        args += ["--seed", 3]
    elif case == "missing target column":
        args += ["--target", "verdict"]
    elif case == "unseen label":
        args[2] = write_csv(tmp_path / "maybe.csv", ["x1", "x2", "answer"], [[0, 1, "maybe"]])
    result = evaluate(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert expected in result.stderr and "Traceback" not in result.output


# --- one forward pass per chunk ---------------------------------------------------------


def count_forward_passes(monkeypatch) -> list[int]:
    """Record the rows of every forward pass a TrainedModel runs."""
    import glassnet.runs.model as trained_model

    rows: list[int] = []
    real_forward = trained_model.forward

    def counted(network, X, *args, **kwargs):
        rows.append(len(X))
        return real_forward(network, X, *args, **kwargs)

    monkeypatch.setattr(trained_model, "forward", counted)
    return rows


@pytest.mark.parametrize("case", ["classification csv", "regression csv", "data set"])
def test_evaluate_runs_the_network_once_over_the_rows(
    monkeypatch, answers, prices, cancer_model, case
):
    from glassnet.runs.evaluation import evaluate as evaluate_model
    from glassnet.runs.model import load_trained_model

    model_path, data = {
        "classification csv": (answers[1], answers[0]),
        "regression csv": (prices[1], prices[0]),
        "data set": (cancer_model, "cancer"),
    }[case]
    model = load_trained_model(model_path)
    passes = count_forward_passes(monkeypatch)
    evaluation = evaluate_model(model, str(data), part="all")
    assert passes == [evaluation.n_samples]
