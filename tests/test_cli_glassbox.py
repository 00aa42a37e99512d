"""The glass-box commands (``glassnet explain``, ``gradcheck``, ``plot``) and a run's report."""

import functools
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from matplotlib import image

import glassnet as gn
from glassnet import cli
from glassnet.core import activations
from glassnet.training import grid
from glassnet.viz.explain import format_values

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SMALL_RUN = ("--data", "moons", "--samples", 120, "--iterations", 60, "--print-every", 60)


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)


def pngs(folder: Path) -> set[str]:
    return {path.name for path in folder.glob("*.png")}


def assert_valid_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 1000, path
    pixels = image.imread(path)
    assert pixels.ndim == 3 and min(pixels.shape[:2]) > 100, path


class ImageSources(HTMLParser):
    """The ``src`` of every ``<img>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources += [value for name, value in attrs if name == "src" and value]


def image_sources(page: Path) -> list[str]:
    parser = ImageSources()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.sources


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory) -> Path:
    """A small glassnet train run of moons, with gradient norms recorded."""
    out = tmp_path_factory.mktemp("runs") / "moons"
    result = invoke("train", *SMALL_RUN, "--record-gradients", "--out", out)
    assert result.exit_code == 0, result.output
    return out


# --- glassnet train: the pictures and report.html ----------------------------------------


def test_a_train_run_folder_has_the_glass_box_pictures(moons_run):
    assert pngs(moons_run) == {
        "loss.png",
        "boundary.png",
        "confusion.png",
        "roc.png",
        "hidden_units.png",
        "gradient_norms.png",
    }
    header = (moons_run / "history.csv").read_text().splitlines()[0].split(",")
    assert {"grad_norm_W1", "grad_norm_W2", "weight_norm_W1", "weight_norm_W2"} <= set(header)


def test_report_html_references_every_png_of_the_run_folder_and_each_is_a_valid_png(moons_run):
    sources = image_sources(moons_run / "report.html")
    assert sorted(sources) == sorted(pngs(moons_run))  # every PNG, each once, nothing else
    for source in sources:
        assert_valid_png(moons_run / source)


def test_without_record_gradients_there_are_no_gradient_norms(tmp_path):
    out = tmp_path / "run"
    assert invoke("train", *SMALL_RUN, "--out", out).exit_code == 0
    assert "gradient_norms.png" not in pngs(out)
    assert "grad_norm_W1" not in (out / "history.csv").read_text().splitlines()[0]
    assert sorted(image_sources(out / "report.html")) == sorted(pngs(out))


def test_regression_and_three_classes_get_no_roc(tmp_path):
    out = tmp_path / "spiral"
    result = invoke("train", "--data", "spiral", "--classes", 3, "--iterations", 20, "--out", out)
    assert result.exit_code == 0, result.output
    assert "roc.png" not in pngs(out) and "hidden_units.png" in pngs(out)
    assert sorted(image_sources(out / "report.html")) == sorted(pngs(out))


# --- glassnet explain ----------------------------------------------------------------------


def test_explain_prints_every_step_of_the_2_5_1_network_in_order(tutorial_steps):
    result = invoke("explain", "--data", "moons", "--hidden", 5, "--activation", "tanh")
    assert result.exit_code == 0, result.output
    text = result.stdout
    positions = [text.find(step) for step in tutorial_steps]
    assert -1 not in positions, [s for s, p in zip(tutorial_steps, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    assert "m = 400 samples" in text  # the 400 of moons' 500 rows glassnet train fits


def test_explain_starts_from_the_weights_glassnet_train_starts_from():
    result = invoke("explain", "--samples", 8, "--rows", 8, "--seed", 3)
    network = gn.Network([2, 5, 1], hidden="tanh", output="sigmoid", init="he", random_state=3)
    for line in format_values(network.W[1], max_rows=8):
        assert line in result.stdout
    assert "m = 8 samples" in result.stdout and "... (8 rows)" not in result.stdout


def printed_cost(text: str) -> float:
    """The J explain printed: the number on the line after the cost's formula."""
    lines = text.splitlines()
    (formula,) = [i for i, line in enumerate(lines) if line.strip().startswith("J = ")]
    return float(lines[formula + 1].split("=")[1])


def first_train_cost(folder: Path) -> float:
    """The cost of epoch 0 in a run folder's history.csv."""
    header, first = (folder / "history.csv").read_text().splitlines()[:2]
    return float(dict(zip(header.split(","), first.split(","), strict=True))["cost"])


@pytest.fixture(scope="module")
def points_csv(tmp_path_factory) -> dict[str, Path]:
    """CSVs of 60 rows with numeric features a, b and a target: ``text`` a 3-class label,
    ``real`` a real number, ``mixed`` 0/1 with a text feature too (train one-hot encodes it)."""
    X = np.random.default_rng(0).normal(size=(60, 2)).round(4)
    colours = np.array(["red", "green", "blue"])[np.arange(60) % 3]
    tables = {
        "text": ("a,b,target", [f"{a},{b},{c}" for (a, b), c in zip(X, colours, strict=True)]),
        "real": ("a,b,target", [f"{a},{b},{a - 2 * b:.4f}" for a, b in X]),
        "mixed": (
            "a,b,colour,target",
            [f"{a},{b},{c},{int(a > 0)}" for (a, b), c in zip(X, colours, strict=True)],
        ),
    }
    folder = tmp_path_factory.mktemp("data")
    for kind, (header, rows) in tables.items():
        (folder / f"{kind}.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
    return {kind: folder / f"{kind}.csv" for kind in tables}


@pytest.mark.parametrize(
    "options",
    [
        ("--data", "moons"),
        ("--data", "moons", "--seed", 4, "--hidden", "3,2", "--activation", "relu"),
        ("--data", "moons", "--test-size", 0),
        ("--data", "moons", "--test-size", 0.3, "--validation", 0.25),
        ("--data", "moons", "--no-standardize", "--init", "glorot"),
        ("--data", "spiral", "--hidden", 6),
        ("--data", "cancer", "--hidden", 4, "--activation", "relu", "--lr", 0.1),
        ("--data", "{text}", "--target", "target", "--hidden", 4),
        ("--data", "{real}", "--target", "target", "--hidden", 4, "--validation", 0.2),
        ("--data", "{mixed}", "--target", "target", "--hidden", 3),
    ],
    ids=[
        *("moons", "deeper", "no-test", "validation", "raw", "spiral", "cancer"),
        *("text", "real", "mixed"),
    ],
)
def test_explain_s_cost_is_train_s_first_cost(tmp_path, points_csv, options):
    options_given = "".join(map(str, options))
    options = tuple(str(option).format(**points_csv) for option in options)
    explained = invoke("explain", *options, "--decimals", 12)
    assert explained.exit_code == 0, explained.output
    recipe = ("--recipe", "tutorial") if "{" in options_given else ()  # explain's network
    trained = invoke("train", *options, *recipe, "--iterations", 1, "--out", tmp_path / "run")
    assert trained.exit_code == 0, trained.output
    first = first_train_cost(tmp_path / "run")
    assert printed_cost(explained.stdout) == pytest.approx(first, abs=1e-11)
    sizes = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert f"m = {sizes['n_train']} samples" in explained.stdout
    assert "J is train's first cost" in explained.stdout
    assert ("with --recipe tutorial" in explained.stdout) == ("{" in options_given)


def test_explain_s_cost_is_the_moons_cost_of_the_training_part_worked_out_by_hand():
    """J from scikit-learn's split and scaler and NumPy's tanh, independently of glassnet's."""
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X_train = StandardScaler().fit_transform(X_train)
    net = gn.Network([2, 5, 1], hidden="tanh", output="sigmoid", init="he", random_state=0)
    A1 = np.tanh(X_train @ net.W[1] + net.b[1])  # (400, 5)
    A2 = 1 / (1 + np.exp(-(A1 @ net.W[2] + net.b[2])))[:, 0]  # (400,)
    J = -np.mean(y_train * np.log(A2) + (1 - y_train) * np.log(1 - A2))
    result = invoke("explain", "--data", "moons", "--decimals", 12)
    assert printed_cost(result.stdout) == pytest.approx(J, abs=1e-11)
    assert round(J, 6) == 0.685948  # the first cost glassnet train --data moons prints
    assert "Data: the 400 rows glassnet train fits, of 500 (100 held out)" in result.stdout


def test_explain_samples_are_a_random_n_of_the_training_part():
    result = invoke("explain", "--samples", 8, "--decimals", 12)
    assert result.exit_code == 0, result.output
    assert "Data: 8 random rows of the 400 rows glassnet train fits" in result.stdout
    assert "J is train's first cost" not in result.stdout


def test_explain_writes_a_markdown_handout(tmp_path):
    out = tmp_path / "lesson.md"
    result = invoke("explain", "--format", "markdown", "--out", out, "--samples", 10)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out}")
    lesson = out.read_text(encoding="utf-8")
    headings = [line for line in lesson.splitlines() if line.startswith("#")]
    assert headings[0] == "# One iteration, step by step"
    for section in ("## Forward pass", "## Cost", "## Backward pass", "## Update"):
        assert any(heading.startswith(section) for heading in headings), section
    assert "`dZ1 = dA1 * (1 - A1**2)`" in lesson


@pytest.mark.parametrize(
    ("target", "output", "formula"),
    [
        ("colour", "softmax", "A2 = softmax(Z2)"),
        ("size", "identity", "J = 1/(2m) sum((A2 - Y)**2)"),
    ],
)
def test_explain_infers_the_output_from_the_target_as_train_does(tmp_path, target, output, formula):
    data = tmp_path / "things.csv"
    X = np.random.default_rng(0).normal(size=(12, 2))
    targets = {"colour": ["red", "green", "blue"] * 4, "size": [f"{v:.3f}" for v in X.sum(1)]}
    lines = [f"{a:.3f},{b:.3f},{t}" for (a, b), t in zip(X, targets[target], strict=True)]
    data.write_text(f"a,b,{target}\n" + "\n".join(lines) + "\n")
    result = invoke("explain", "--data", data, "--target", target, "--hidden", 4)
    assert result.exit_code == 0, result.output
    assert f"output={output}" in result.stdout and formula in result.stdout


# --- glassnet gradcheck ----------------------------------------------------------------------


def table_rows(output: str) -> dict[str, list[str]]:
    """The gradcheck table's rows by array name: the cells after the name."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 6 and re.fullmatch(r"[Wb]\d+", cells[0]):
            rows[cells[0]] = cells[1:]
    return rows


def test_gradcheck_passes_every_array_and_exits_0():
    result = invoke("gradcheck", "--hidden", "5,3")
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert list(rows) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert rows["W2"][0] == "(5, 3)" and rows["b3"][0] == "(1,)"
    for _shape, analytic, numeric, error, verdict in rows.values():
        assert float(error) < 1e-6 and verdict == "pass"
        assert float(analytic) == pytest.approx(float(numeric), rel=1e-5)
    assert "all 6 parameter arrays pass" in result.stdout


def test_gradcheck_finds_a_broken_derivative_and_exits_1(monkeypatch):
    tanh = activations.ACTIVATIONS["tanh"]

    def wrong_backward(Z, A, dA):
        return dA * (1 - A)  # should be 1 - A**2

    broken = activations.Activation("tanh", tanh.fn, tanh.derivative, wrong_backward)
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", broken)
    result = invoke("gradcheck", "--hidden", "5,3")
    assert result.exit_code == 1
    rows = table_rows(result.stdout)
    failed = {name for name, cells in rows.items() if cells[-1] == "FAIL"}
    assert failed == {"W1", "b1", "W2", "b2"}  # below the tanh layers; W3, b3 still pass
    assert "4 of 6 parameter arrays fail" in result.stdout and "W1, b1, W2, b2" in result.stdout


def test_gradcheck_help_gives_the_exit_codes():
    text = invoke("gradcheck", "--help").stdout
    assert "0 every parameter array passes; 1 some array" in text
    for option in ("--hidden", "--samples", "--alpha", "--epsilon", "--tolerance"):
        assert option in text


# --- glassnet plot ---------------------------------------------------------------------------


def test_plot_redraws_the_pictures_and_the_report_of_a_copied_run_folder(moons_run, tmp_path):
    copy = Path(shutil.copytree(moons_run, tmp_path / "copy"))
    for path in [*copy.glob("*.png"), copy / "report.html"]:
        path.unlink()
    result = invoke("plot", copy)
    assert result.exit_code == 0, result.output
    assert pngs(copy) == pngs(moons_run)
    for name in ("loss.png", "boundary.png", "roc.png"):  # same history, data split and model
        assert (copy / name).read_bytes() == (moons_run / name).read_bytes(), name
    assert sorted(image_sources(copy / "report.html")) == sorted(pngs(copy))
    assert f"wrote {copy / 'report.html'}" in result.stdout


def test_plot_grid_adds_the_boundary_grid_and_a_new_run_removes_it(tmp_path, monkeypatch):
    fewer_epochs = functools.partial(grid.train_hidden_size_grid, epochs=200)  # 5000: 10 s
    monkeypatch.setattr(grid, "train_hidden_size_grid", fewer_epochs)
    out = tmp_path / "run"
    small = ("--data", "moons", "--samples", 40, "--iterations", 5)
    assert invoke("train", *small, "--out", out).exit_code == 0
    result = invoke("plot", out, "--grid")
    assert result.exit_code == 0, result.output
    assert_valid_png(out / "boundary_grid.png")
    assert "boundary_grid.png" in image_sources(out / "report.html")
    assert invoke("train", *small, "--out", out, "--overwrite").exit_code == 0
    assert not (out / "boundary_grid.png").exists()
    assert "boundary_grid.png" not in image_sources(out / "report.html")


def test_plot_grid_refuses_data_that_is_not_2d_binary(tmp_path):
    out = tmp_path / "cancer"
    assert invoke("train", "--data", "cancer", "--iterations", 3, "--out", out).exit_code == 0
    before = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    result = invoke("plot", out, "--grid")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --grid draws 2-D data with two classes; this run's data has 30 feature(s) "
        "and 2 classes"
    )
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir()} == before


def test_plot_without_the_data_redraws_the_history_pictures(tmp_path):
    data = tmp_path / "points.csv"
    X = np.random.default_rng(0).normal(size=(40, 2)).round(4)
    rows = [f"{a},{b},{int(a + b > 0)}" for a, b in X]
    data.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    out = tmp_path / "run"
    result = invoke(
        "train", "--data", data, "--target", "label", "--iterations", 5,
        "--record-gradients", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data.unlink()
    (out / "loss.png").unlink()
    result = invoke("plot", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: the data") and "does not exist" in result.stderr
    assert "redrew only history.csv's pictures" in result.stderr
    assert "redrew loss.png, gradient_norms.png" in result.stdout
    assert_valid_png(out / "loss.png")
    assert sorted(image_sources(out / "report.html")) == sorted(pngs(out))


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plot", "{tmp}/missing"], "run folder '{tmp}/missing' does not exist"),
        (["plot", "{tmp}"], "config.json is missing"),
        (["explain", "--data", "moonz"], "unknown data set 'moonz'"),
        (["gradcheck", "--data", "moonz"], "unknown data set 'moonz'"),
        (["explain", "--hidden", "5,0"], "hidden layer sizes must be 1 or more"),
        (["gradcheck", "--hidden", "five"], "--hidden takes whole numbers"),
        (["explain", "--activation", "swish"], "unknown hidden activation 'swish'"),
        (["explain", "--rows", "0"], "max_rows must be a whole number of 1 or more"),
        (["explain", "--lr", "0"], "learning rate must be a number above 0"),
        (["gradcheck", "--samples", "0"], "--samples must be a whole number of 1 or more"),
        (["gradcheck", "--epsilon", "0"], "--epsilon must be a number in (0, 1)"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_code_2(tmp_path, args, expected):
    result = invoke(*(arg.format(tmp=tmp_path) for arg in args))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("error: ") and expected.format(tmp=tmp_path) in result.stderr
    assert "Traceback" not in result.output


def test_plot_refuses_a_model_file_that_is_not_a_model(moons_run, tmp_path):
    copy = Path(shutil.copytree(moons_run, tmp_path / "copy"))
    (copy / "model.npz").write_bytes(b"not a model")
    result = invoke("plot", copy)
    assert result.exit_code == 2 and result.stderr.startswith("error: cannot load model file")
    assert len(result.stderr.splitlines()) == 1
