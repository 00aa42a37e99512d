"""glassnet.viz.plots, history_plots and figures: real PNGs of the right size, atomic writes,
lazy imports."""

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet.errors import InputError
from glassnet.viz import figures, history_plots, plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path: Path, kind: str) -> np.ndarray:
    """Check ``path`` is a PNG of the size ``kind`` promises; return its pixels."""
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    width, height = figures.FIGSIZES[kind]
    assert image.shape[:2] == (round(height * 120), round(width * 120))
    return image


def two_blobs(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]², labelled by the sign of the first feature."""
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] > 0).astype(int)


def right_half(G: np.ndarray) -> np.ndarray:
    return (G[:, 0] > 0).astype(int)


def test_dpi_is_120():
    assert figures.DPI == 120


def test_importing_glassnet_does_not_import_matplotlib():
    modules = "glassnet, glassnet.viz.plots, glassnet.viz.history_plots"
    code = f"import {modules}, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# ---- plot_loss ----------------------------------------------------------------------------


def test_loss_without_validation(tmp_path):
    target = tmp_path / "loss.png"
    written = history_plots.plot_loss({"cost": [1.0, 0.5, 0.3, 0.2]}, target)
    assert written == target
    read_png(written, "loss")


def test_loss_with_nan_validation_metric_and_str_metric_name(tmp_path):
    n = 30
    history = {
        "epoch": list(range(n)),
        "cost": list(np.linspace(1.0, 0.1, n)),
        "val_cost": [0.9 - 0.01 * i if i % 3 == 0 else math.nan for i in range(n)],
        "val_metric": [0.5 + 0.01 * i if i % 3 == 0 else math.nan for i in range(n)],
        "metric_name": "accuracy",
    }
    read_png(history_plots.plot_loss(history, tmp_path / "loss.png", title="run"), "loss")


def test_loss_accepts_metric_name_as_a_sequence(tmp_path):
    history = {"cost": [1.0, 0.4], "val_cost": [1.1, 0.6], "val_metric": [0.2, 0.7]}
    history["metric_name"] = ["R²"]
    assert history_plots._metric_name(history) == "R²"
    assert history_plots._metric_name({"metric_name": "accuracy"}) == "accuracy"
    assert history_plots._metric_name({}) == "metric"
    read_png(history_plots.plot_loss(history, tmp_path / "loss.png"), "loss")


def test_loss_with_all_nan_validation_is_drawn_as_training_only(tmp_path):
    history = {"cost": [1.0, 0.5], "val_cost": [math.nan, math.nan]}
    assert history_plots._float_column(history, "val_cost", 2) is None
    read_png(history_plots.plot_loss(history, tmp_path / "loss.png"), "loss")


def test_loss_from_a_history_object(tmp_path):
    history_module = pytest.importorskip("glassnet.training.history")
    history = history_module.History()
    for epoch in range(5):
        history.append(epoch=epoch, cost=1.0 / (epoch + 1))
    read_png(history_plots.plot_loss(history, tmp_path / "loss.png"), "loss")


@pytest.mark.parametrize(
    ("costs", "log_scale", "expected"),
    [
        ([10.0, 0.05], "auto", True),  # more than two decades
        ([10.0, 0.2], "auto", False),  # less than two decades
        ([10.0, 0.0], "auto", False),  # a zero cannot go on a log axis
        ([10.0, math.nan, 0.01], "auto", True),  # NaN ignored
        ([10.0, 0.2], True, True),
        ([10.0, 0.05], False, False),
    ],
)
def test_log_scale_choice(costs, log_scale, expected):
    assert history_plots._wants_log_scale(np.array(costs), log_scale) is expected


def test_loss_rejects_bad_input(tmp_path):
    with pytest.raises(InputError, match="cost"):
        history_plots.plot_loss({"epoch": [0, 1]}, tmp_path / "a.png")
    with pytest.raises(InputError, match="empty"):
        history_plots.plot_loss({"cost": []}, tmp_path / "b.png")
    with pytest.raises(InputError, match="val_cost"):
        history_plots.plot_loss({"cost": [1.0, 0.5], "val_cost": [1.0]}, tmp_path / "c.png")
    with pytest.raises(InputError, match="different lengths"):
        history_plots.plot_loss({"cost": [1.0, 0.5], "epoch": [0]}, tmp_path / "d.png")
    with pytest.raises(InputError, match="log_scale"):
        history_plots.plot_loss({"cost": [1.0, 0.5]}, tmp_path / "e.png", log_scale="yes")
    assert list(tmp_path.iterdir()) == []


# ---- plot_decision_boundary ---------------------------------------------------------------


def test_boundary_regions_follow_the_prediction(tmp_path):
    X, y = two_blobs()
    written = plots.plot_decision_boundary(right_half, X, y, tmp_path / "b.png", resolution=100)
    assert written == tmp_path / "b.png"
    image = read_png(written, "boundary")
    rgb = np.round(image[..., :3] * 255).astype(int)
    height, width = rgb.shape[:2]
    band = slice(int(0.3 * height), int(0.7 * height))  # inside the axes vertically

    def dominant(columns: slice) -> np.ndarray:
        pixels = rgb[band, columns].reshape(-1, 3)
        values, counts = np.unique(pixels, axis=0, return_counts=True)
        return values[counts.argmax()]

    left = dominant(slice(int(0.2 * width), int(0.4 * width)))
    right = dominant(slice(int(0.65 * width), int(0.85 * width)))
    assert not np.array_equal(left, right)
    assert left[2] > left[0]  # class 0 region: tab10 blue, bluer than red
    assert right[0] > right[2]  # class 1 region: tab10 orange, redder than blue
    assert left.min() < 250 and right.min() < 250  # painted, not blank white


def test_boundary_with_held_out_names_and_three_classes(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = np.digitize(X[:, 0], [-0.5, 0.5])  # 0, 1, 2

    def predict(G):
        return np.digitize(G[:, 0], [-0.5, 0.5])

    path = plots.plot_decision_boundary(
        predict,
        X,
        y,
        tmp_path / "b.png",
        X_test=X[:10] + 0.1,
        y_test=y[:10],
        class_names=["low", "mid", "high"],
        title="three classes",
        resolution=50,
    )
    read_png(path, "boundary")


def test_boundary_with_string_labels(tmp_path):
    X, y = two_blobs()
    names = np.array(["left", "right"])

    def predict(G):
        return names[right_half(G)]

    read_png(plots.plot_decision_boundary(predict, X, names[y], tmp_path / "b.png"), "boundary")


def test_boundary_rejects_three_features(tmp_path):
    X = np.zeros((5, 3))
    with pytest.raises(InputError, match="X has 3"):
        plots.plot_decision_boundary(right_half, X, np.zeros(5), tmp_path / "b.png")
    assert not (tmp_path / "b.png").exists()


def test_boundary_rejects_bad_input(tmp_path):
    X, y = two_blobs()
    target = tmp_path / "b.png"
    with pytest.raises(InputError, match="different lengths"):
        plots.plot_decision_boundary(right_half, X, y[:-1], target)
    with pytest.raises(InputError, match="empty"):
        plots.plot_decision_boundary(right_half, np.zeros((0, 2)), [], target)
    with pytest.raises(InputError, match="both X_test and y_test"):
        plots.plot_decision_boundary(right_half, X, y, target, X_test=X)
    with pytest.raises(InputError, match="class_names"):
        plots.plot_decision_boundary(right_half, X, y, target, class_names=["only one"])
    with pytest.raises(InputError, match="one class label per point"):
        plots.plot_decision_boundary(lambda G: np.zeros((len(G), 2)), X, y, target)
    assert not target.exists()


# ---- plot_confusion and plot_regression ---------------------------------------------------


def test_confusion_writes_a_png(tmp_path):
    y_true = [0, 1, 2, 2, 1, 0, 1]
    y_pred = [0, 2, 2, 2, 1, 0, 0]
    path = plots.plot_confusion(
        y_true, y_pred, tmp_path / "c.png", display_labels=["a", "b", "c"], title="counts"
    )
    assert path == tmp_path / "c.png"
    read_png(path, "confusion")


def test_regression_writes_a_png(tmp_path):
    y_true = np.linspace(-2, 3, 50)
    y_pred = y_true + np.random.default_rng(0).normal(0, 0.3, 50)
    path = plots.plot_regression(y_true, y_pred.reshape(-1, 1), tmp_path / "r.png")
    assert path == tmp_path / "r.png"
    read_png(path, "regression")


def test_regression_draws_a_panel_per_target_each_in_its_own_units(tmp_path, monkeypatch):
    """Two targets of different scales: two panels, each with its own R² (the legend's
    number against scikit-learn's r2_score of that column alone)."""
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(0)
    y_true = np.column_stack([np.linspace(30, 60, 40), np.linspace(2500, 6000, 40)])
    y_pred = y_true + rng.normal(0, [2.0, 300.0], size=(40, 2))
    names = ["bill_length_mm", "body_mass_g"]
    figures_made, save = [], plots.save_png
    monkeypatch.setattr(plots, "save_png", lambda f, path: figures_made.append(f) or save(f, path))
    path = plots.plot_regression(y_true, y_pred, tmp_path / "r.png", target_names=names)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    axes = figures_made[0].axes
    assert [ax.get_title() for ax in axes] == names
    for j, ax in enumerate(axes):
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        assert legend[1] == f"samples (R² = {r2_score(y_true[:, j], y_pred[:, j]):.3f})"
        assert ax.get_xlabel() == f"actual {names[j]}"
        low, high = ax.get_xlim()
        assert low < y_true[:, j].min() and high > y_true[:, j].max()  # in the target's units
    with pytest.raises(InputError, match="2 target"):
        plots.plot_regression(y_true, y_pred[:, :1], tmp_path / "bad.png")
    with pytest.raises(InputError, match="target_names has 1 name"):
        plots.plot_regression(y_true, y_pred, tmp_path / "bad.png", target_names=["one"])
    assert not (tmp_path / "bad.png").exists()


@pytest.mark.parametrize("plot", [plots.plot_confusion, plots.plot_regression])
def test_pairs_reject_empty_and_mismatched(plot, tmp_path):
    with pytest.raises(InputError, match="empty"):
        plot([], [], tmp_path / "p.png")
    with pytest.raises(InputError, match="different lengths"):
        plot([0, 1, 1], [0, 1], tmp_path / "p.png")
    assert list(tmp_path.iterdir()) == []


def test_regression_rejects_non_finite(tmp_path):
    with pytest.raises(InputError, match="finite"):
        plots.plot_regression([1.0, 2.0], [1.0, math.nan], tmp_path / "r.png")


# ---- writing ------------------------------------------------------------------------------


def test_failed_save_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    def broken_savefig(self, handle, **kwargs):
        handle.write(b"partial")  # something reached the temporary file
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    fresh = tmp_path / "fresh.png"
    with pytest.raises(OSError, match="disk full"):
        plots.plot_regression([1.0, 2.0, 3.0], [1.1, 1.9, 3.2], fresh)
    assert not fresh.exists()

    existing = tmp_path / "existing.png"
    existing.write_bytes(b"old picture")
    with pytest.raises(OSError, match="disk full"):
        history_plots.plot_loss({"cost": [1.0, 0.5]}, existing)
    assert existing.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.png"]  # no .tmp left


def test_plots_leave_no_pyplot_figures_open(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    X, y = two_blobs()
    plots.plot_decision_boundary(right_half, X, y, tmp_path / "b.png", resolution=20)
    plots.plot_confusion(y, right_half(X), tmp_path / "c.png")
    history_plots.plot_loss({"cost": [1.0, 0.5]}, tmp_path / "l.png")
    assert plt.get_fignums() == before


def test_creates_missing_folders(tmp_path):
    target = tmp_path / "deep" / "er" / "loss.png"
    assert history_plots.plot_loss({"cost": [1.0]}, str(target)) == target
    read_png(target, "loss")


# ---- issue 22: long class names, the cost's log axis, R², the run's pictures -------------

RAW_SPECIES = [  # penguins-raw's Species column
    "Adelie Penguin (Pygoscelis adeliae)",
    "Chinstrap penguin (Pygoscelis antarctica)",
    "Gentoo penguin (Pygoscelis papua)",
]


def penguins_raw_species() -> list[str]:
    """The class names of the real penguins-raw file (palmerpenguins ships it)."""
    palmerpenguins = pytest.importorskip("palmerpenguins")
    import pandas as pd

    path = Path(palmerpenguins.__file__).parent / "data" / "penguins-raw.csv"
    return sorted(pd.read_csv(path)["Species"].unique())


def text_boxes(figure) -> list:
    """Every visible, non-empty text of the figure, drawn, with its box on the canvas."""
    from matplotlib.text import Text

    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    texts = [text for text in figure.findobj(Text) if text.get_visible() and text.get_text()]
    return [(text, text.get_window_extent(renderer)) for text in texts]


def test_confusion_with_penguins_raw_names_wraps_them_and_clips_nothing():
    names = penguins_raw_species()
    assert names == RAW_SPECIES
    y_true = np.array([0, 1, 2] * 20)
    y_pred = np.roll(y_true, 1)
    figure = plots._confusion_figure(
        y_true, y_pred, labels=[0, 1, 2], display_labels=names, title="penguins-raw"
    )
    ax = figure.axes[0]
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert [tick.replace("\n", " ") for tick in ticks] == names  # wrapped, whole
    assert all(len(line) <= plots.LABEL_WIDTH for tick in ticks for line in tick.split("\n"))
    boxes = text_boxes(figure)
    whole = figure.bbox
    for text, box in boxes:  # "True label", the title, every tick: inside the picture
        assert whole.x0 - 1 <= box.x0 and box.x1 <= whole.x1 + 1, text.get_text()
        assert whole.y0 - 1 <= box.y0 and box.y1 <= whole.y1 + 1, text.get_text()
    renderer = figure.canvas.get_renderer()
    columns = [label.get_window_extent(renderer) for label in ax.get_xticklabels()]
    for left, right in itertools.pairwise(columns):
        assert left.x1 < right.x0  # the predicted classes' names do not overlap
    width, height = figure.get_size_inches()
    assert 5.5 <= width <= 12 and 4.5 <= height <= 10  # grown to fit, not a poster


def test_wrap_label_cuts_a_name_beyond_three_lines():
    assert plots.wrap_label("yes") == "yes"
    long = plots.wrap_label("a very long class name that goes on and on and on forever")
    lines = long.split("\n")
    assert len(lines) == plots.LABEL_LINES and lines[-1].endswith("…")


def test_confusion_counts_draw_the_same_matrix_as_the_labels_do():
    from sklearn.metrics import confusion_matrix

    y_true = [0, 1, 2, 2, 1, 0, 1]
    y_pred = [0, 2, 2, 2, 1, 0, 0]
    counted = plots._confusion_figure(y_true, y_pred, display_labels=["a", "b", "c"])
    given = plots._counts_figure(confusion_matrix(y_true, y_pred), ["a", "b", "c"], None)
    for figure in (counted, given):
        np.testing.assert_array_equal(
            figure.axes[0].images[0].get_array(), [[2, 0, 0], [1, 1, 1], [0, 0, 2]]
        )


def test_confusion_counts_refuse_a_matrix_that_is_not_square(tmp_path):
    with pytest.raises(InputError, match="square matrix"):
        plots.plot_confusion_counts([[1, 2]], tmp_path / "c.png", display_labels=["a"])
    with pytest.raises(InputError, match="one name per row"):
        plots.plot_confusion_counts([[1, 0], [0, 1]], tmp_path / "c.png", display_labels=["a"])
    assert list(tmp_path.iterdir()) == []


def flat_after_20(n: int = 5000) -> np.ndarray:
    """A regression's cost: 1.0 down to 0.05 in 20 iterations, then flat."""
    fall = np.geomspace(1.0, 0.05, 20)
    return np.concatenate([fall, 0.05 - 1e-6 * np.arange(n - 20)])


def test_a_cost_that_falls_early_then_is_flat_goes_on_a_log_axis(tmp_path, monkeypatch):
    cost = flat_after_20()
    assert history_plots._wants_log_scale(cost, "auto") is True  # a factor 20, early
    late = np.linspace(1.0, 0.05, 5000)  # the same fall spread over the run: linear
    assert history_plots._wants_log_scale(late, "auto") is False
    assert history_plots._wants_log_scale(np.array([1.0, 0.5] + [0.5] * 98), "auto") is False
    drawn = []
    monkeypatch.setattr(history_plots, "save_png", lambda figure, path: drawn.append(figure))
    history_plots.plot_loss({"cost": cost}, tmp_path / "loss.png")
    assert drawn[0].axes[0].get_yscale() == "log"


def test_the_r2_metric_reads_r_squared_on_the_loss_picture(tmp_path, monkeypatch):
    history = {"cost": [1.0, 0.5], "val_cost": [1.1, 0.6], "val_metric": [0.2, 0.7]}
    drawn = []
    monkeypatch.setattr(history_plots, "save_png", lambda figure, path: drawn.append(figure))
    history_plots.plot_loss({**history, "metric_name": "r2"}, tmp_path / "loss.png")
    figure = drawn[0]
    assert figure.axes[1].get_ylabel() == "R²"
    assert "validation R²" in [text.get_text() for text in figure.legends[0].get_texts()]
    assert figures.metric_label("accuracy") == "accuracy"


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        ("part-*", "/data/flights/part-*.csv", "flights"),
        ("part-*", "part-*.csv", "part"),
        ("penguins", "penguins.csv", "penguins"),
    ],
)
def test_a_glob_run_is_titled_by_its_data_s_name(name, data, title):
    assert figures.data_title(name, data) == title


@pytest.fixture(scope="module")
def moons_result():
    from glassnet.runs.config import RunConfig
    from glassnet.runs.run import run_training

    return run_training(RunConfig(data="moons", n_samples=100, epochs=30, print_every=None))


def test_the_run_s_confusion_png_is_metrics_json_s_matrix_of_every_held_out_row(
    moons_result, tmp_path, monkeypatch
):
    from glassnet.viz import run_pictures

    result = moons_result
    assert sum(map(sum, result.metrics["confusion_matrix"])) == len(result.parts.y_test)
    # a cluster run: the parts hold a sample, metrics.json counts every held-out row
    every_row = [[4000, 12], [30, 3958]]
    monkeypatch.setitem(result.metrics, "confusion_matrix", every_row)
    monkeypatch.setitem(result.metrics, "n_test", 8000)
    drawn = {}

    def capture(counts, path, *, display_labels, title):
        drawn.update(counts=counts, names=display_labels, title=title)
        return path

    monkeypatch.setattr(run_pictures.plots, "plot_confusion_counts", capture)
    run_pictures._plot_confusion(result, tmp_path / "confusion.png", "moons")
    assert drawn["counts"] == every_row
    assert drawn["title"] == "moons: confusion matrix (held-out part, 8,000 rows)"
    shown = run_pictures._rows_shown(result, "held-out", len(result.parts.y_test))
    assert shown == f"held-out part, sample of {len(result.parts.y_test)} of 8,000 rows"
