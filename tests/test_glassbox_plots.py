"""glassnet.viz.glassbox_plots and history_plots' gradient norms: real PNGs, the numbers the
pictures show, clear errors."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.data.loading import moons
from glassnet.errors import InputError
from glassnet.training.grid import train_hidden_size_grid
from glassnet.training.history import History
from glassnet.training.inspection import GradientNorms
from glassnet.viz import glassbox_plots as gp
from glassnet.viz import hidden_units as hu
from glassnet.viz import history_plots
from glassnet.viz.figures import DPI, plane_grid

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path: Path, inches: tuple[float, float] | None = None) -> np.ndarray:
    """Check ``path`` is a non-empty PNG (of ``inches`` * DPI pixels if given)."""
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    assert image.shape[0] > 0 and image.shape[1] > 0
    if inches is not None:
        width, height = inches
        assert image.shape[:2] == (round(height * DPI), round(width * DPI))
    return image


def legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.fixture
def small_moons() -> tuple[np.ndarray, np.ndarray]:
    data = moons(60, noise=0.1, random_state=0)
    return data.X, data.y


def test_importing_glassbox_plots_does_not_import_matplotlib():
    code = "import glassnet.viz.glassbox_plots, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# ---- plot_roc -------------------------------------------------------------------------------


def test_roc_png_and_the_auc_shown_is_scikit_learns(tmp_path):
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    scores = y + rng.normal(0, 0.8, 80)  # overlapping: an AUC well inside (0.5, 1)
    expected = roc_auc_score(y, scores)
    assert 0.6 < expected < 0.95
    figure = gp._roc_figure(y, scores)
    ax = figure.axes[0]
    assert legend_texts(ax)[0] == f"network (AUC = {expected:.3f})"
    assert ax.get_title() == "ROC curve"

    written = gp.plot_roc(y, scores, tmp_path / "roc.png", title="held-out")
    assert written == tmp_path / "roc.png"
    read_png(written, gp.ROC_SIZE)


def test_roc_string_labels_and_predict_proba_columns():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    positive = rng.uniform(size=50)
    proba = np.column_stack([1 - positive, positive])  # predict_proba's (n, 2)
    names = np.where(rng.uniform(size=50) < positive, "spam", "ham")  # "spam" > "ham": positive
    expected = roc_auc_score(names == "spam", positive)
    assert legend_texts(gp._roc_figure(names, proba).axes[0])[0].endswith(f"{expected:.3f})")


@pytest.mark.parametrize(
    ("y_true", "scores", "message"),
    [
        ([0, 1, 2, 1], [0.1, 0.5, 0.9, 0.4], "exactly two classes, y_true has 3"),
        ([1, 1, 1], [0.1, 0.5, 0.9], "exactly two classes, y_true has 1"),
        ([0, 1, 1], [0.1, 0.5], "different lengths"),
        ([0, 1], [0.1, np.nan], "NaN or inf"),
        ([0, 1], ["low", "high"], "scores must be numbers"),
        ([], [], "empty"),
    ],
)
def test_roc_rejects_bad_input(tmp_path, y_true, scores, message):
    with pytest.raises(InputError, match=message):
        gp.plot_roc(y_true, scores, tmp_path / "roc.png")
    assert list(tmp_path.iterdir()) == []


# ---- plot_boundary_grid ---------------------------------------------------------------------


def test_boundary_grid_one_panel_per_size_titled_with_its_accuracy(small_moons):
    X, y = small_moons
    sizes = (1, 3, 8)
    networks = train_hidden_size_grid(
        X, y, hidden_sizes=sizes, activation="tanh", learning_rate=1.2, epochs=60, random_state=0
    )
    figure = gp._boundary_grid_figure(networks, X, y)
    titles = [ax.get_title() for ax in figure.axes]
    assert len(titles) == len(sizes)
    for h, title in zip(sizes, titles, strict=True):
        assert title.startswith(f"Hidden Layer of size {h}\ntraining accuracy ")

    # the accuracy in the title is that of the network the tutorial's recipe trains
    network = glassnet.Network([2, 3, 1], hidden="tanh", output="sigmoid", random_state=0)
    glassnet.train(network, X, y, epochs=60, learning_rate=1.2)
    accuracy = np.mean((network.predict_output(X)[:, 0] > 0.5) == y)
    assert titles[1].endswith(f"{accuracy:.1%}")


def test_boundary_grid_png_size_follows_the_panels(tmp_path, small_moons):
    X, y = small_moons
    labels = np.where(y == 1, "b", "a")  # any two labels; the larger is class 1
    networks = train_hidden_size_grid(X, labels, hidden_sizes=(2, 4, 6, 8, 10), epochs=20)
    path = gp.plot_boundary_grid(networks, X, labels, tmp_path / "grid.png")
    width, height = gp.GRID_PANEL
    read_png(path, (4 * width, 2 * height + 0.4))  # 4 columns, 2 rows


@pytest.mark.slow
def test_boundary_grid_default_is_the_tutorials_exercise_and_fast(tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(gp, "save_png", lambda figure, path: figures.append(figure) or Path(path))
    data = moons(400, noise=0.2, random_state=0)
    start = time.perf_counter()
    networks = train_hidden_size_grid(data.X, data.y)
    gp.plot_boundary_grid(networks, data.X, data.y, tmp_path / "grid.png")
    seconds = time.perf_counter() - start
    assert seconds < 20  # about 5 s here; the target is under 10 s, doubled for busy machines
    titles = [ax.get_title() for ax in figures[0].axes]
    assert [t.splitlines()[0] for t in titles] == [
        f"Hidden Layer of size {h}" for h in (1, 2, 3, 4, 5, 20, 50)
    ]
    accuracies = [float(t.rsplit(" ", 1)[1].rstrip("%")) for t in titles]
    assert max(accuracies[:2]) < 90 < min(accuracies[2:])  # h = 1, 2 underfit the moons


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"X": np.zeros((6, 3))}, "X has 3"),
        ({"y": [0, 1, 2, 0, 1, 2]}, "two classes, y has 3"),
        ({"hidden_sizes": ()}, "hidden_sizes is empty"),
        ({"hidden_sizes": (2, 0)}, "hidden_sizes must all be 1 or more"),
        ({"hidden_sizes": 5}, "must be a sequence"),
        ({"activation": "swish"}, "unknown hidden activation 'swish'"),
        ({"epochs": 0}, "epochs must be"),
    ],
)
@pytest.mark.filterwarnings("ignore:the training cost rose")  # X of zeros: nothing to learn
def test_boundary_grid_rejects_bad_input(tmp_path, change, message):
    arguments = {"X": np.arange(12.0).reshape(6, 2), "y": [0, 1, 0, 1, 0, 1], "epochs": 50} | change
    X, y = arguments.pop("X"), arguments.pop("y")
    with pytest.raises(InputError, match=message):
        networks = train_hidden_size_grid(X, y, **arguments)
        gp.plot_boundary_grid(networks, X, y, tmp_path / "grid.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("networks", "message"),
    [
        ([], "non-empty list of trained networks"),
        (glassnet.Network([2, 3, 1], random_state=0), "non-empty list"),
        ([glassnet.Network([3, 3, 1], random_state=0)], "2 inputs and one sigmoid output"),
        ([glassnet.Network([2, 3, 2], output="softmax")], "2 inputs and one sigmoid output"),
        (["net"], r"networks\[0\] is a str"),
    ],
)
def test_boundary_grid_draws_only_trained_two_input_sigmoid_networks(tmp_path, networks, message):
    X, y = np.arange(12.0).reshape(6, 2), [0, 1, 0, 1, 0, 1]
    with pytest.raises(InputError, match=message):
        gp.plot_boundary_grid(networks, X, y, tmp_path / "grid.png")
    assert list(tmp_path.iterdir()) == []


def test_drawing_the_boundary_grid_leaves_the_networks_as_they_were(small_moons):
    X, y = small_moons
    networks = train_hidden_size_grid(X, y, hidden_sizes=(2, 3), epochs=30)
    before = [[*network.parameters()] for network in networks]
    before = [[array.copy() for array in arrays] for arrays in before]
    gp._boundary_grid_figure(networks, X, y)
    for network, arrays in zip(networks, before, strict=True):
        for now, then in zip(network.parameters(), arrays, strict=True):
            np.testing.assert_array_equal(now, then)


# ---- plot_hidden_units ----------------------------------------------------------------------


@pytest.fixture
def deep_network() -> glassnet.Network:
    return glassnet.Network([2, 7, 3, 1], hidden="tanh", output="sigmoid", random_state=0)


@pytest.mark.parametrize(("layer", "units"), [(1, 7), (2, 3)])
def test_hidden_units_one_panel_per_unit(small_moons, deep_network, layer, units):
    X, y = small_moons
    figure = hu._hidden_units_figure(deep_network, X, layer=layer, y=y)
    assert len(figure.axes) == units
    assert [ax.get_title().splitlines()[0] for ax in figure.axes] == [
        f"A[{layer}][:, {j}]" for j in range(units)
    ]


def test_hidden_unit_panels_show_the_forward_pass(small_moons, deep_network):
    X, _ = small_moons
    figure = hu._hidden_units_figure(deep_network, X, layer=2, y=None, resolution=40)
    xx, yy = plane_grid(X, 40)
    A = glassnet.forward(deep_network, np.column_stack([xx.ravel(), yy.ravel()])).A[2]
    for j, ax in enumerate(figure.axes):
        image = ax.images[0]
        np.testing.assert_allclose(image.get_array(), A[:, j].reshape(xx.shape))
        low, high = image.get_clim()
        assert low == pytest.approx(-high)  # tanh: white at g(0) = 0


def test_hidden_units_sigmoid_map_is_centred_on_one_half(small_moons):
    X, _ = small_moons
    network = glassnet.Network([2, 4, 1], hidden="sigmoid", output="sigmoid", random_state=3)
    figure = hu._hidden_units_figure(network, X, layer=1, y=None)
    for ax in figure.axes:
        low, high = ax.images[0].get_clim()
        assert (low + high) / 2 == pytest.approx(0.5)


def test_hidden_units_png(tmp_path, small_moons, deep_network):
    X, y = small_moons
    path = gp.plot_hidden_units(deep_network, X, tmp_path / "units.png", layer=1, y=y)
    assert path == tmp_path / "units.png"
    width, height = hu.UNIT_PANEL
    read_png(path, (4 * width, 2 * height + 0.4))  # 7 units: rows of 4 and 3


def test_hidden_units_many_units_wrap_into_rows(small_moons):
    X, _ = small_moons
    network = glassnet.Network([2, 20, 1], hidden="relu", random_state=0)
    figure = hu._hidden_units_figure(network, X, layer=1, y=None, resolution=20)
    assert len(figure.axes) == 20
    width, height = figure.get_size_inches()
    assert width == pytest.approx(5 * hu.UNIT_PANEL[0])  # 20 units: 4 rows of 5
    assert height == pytest.approx(4 * hu.UNIT_PANEL[1] + 0.4)


@pytest.mark.parametrize(
    ("sizes", "X", "options", "message"),
    [
        ([3, 4, 1], np.zeros((5, 3)), {}, "needs 2 inputs, it has 3"),
        ([2, 4, 1], np.zeros((5, 3)), {}, "X has 3 features"),
        ([2, 1], np.zeros((5, 2)), {}, "no hidden layer"),
        ([2, 4, 1], np.zeros((5, 2)), {"layer": 2}, r"hidden layer, 1\.\.1, got 2"),
        ([2, 4, 1], np.zeros((5, 2)), {"layer": 0}, "hidden layer"),
        ([2, 4, 1], np.zeros((5, 2)), {"layer": True}, "hidden layer"),
        ([2, 4, 1], np.zeros((5, 2)), {"y": [0, 1]}, "different lengths"),
    ],
)
def test_hidden_units_reject_bad_input(tmp_path, sizes, X, options, message):
    network = glassnet.Network(sizes, hidden="tanh", random_state=0)
    with pytest.raises(InputError, match=message):
        gp.plot_hidden_units(network, X, tmp_path / "units.png", **options)
    assert list(tmp_path.iterdir()) == []


# ---- plot_gradient_norms --------------------------------------------------------------------


def test_gradient_norms_one_line_per_layer_on_log_axes(tmp_path, small_moons):
    X, y = small_moons
    network = glassnet.Network([2, 4, 3, 1], hidden="tanh", random_state=0)
    history = glassnet.train(network, X, y, epochs=15, callbacks=[GradientNorms(X, y)])
    figure = history_plots._gradient_norms_figure(history)
    assert len(figure.axes) == 2
    for ax, prefix in zip(figure.axes, ("grad_norm", "weight_norm"), strict=True):
        assert ax.get_yscale() == "log"
        assert legend_texts(ax) == ["layer 1", "layer 2", "layer 3"]
        for l, line in enumerate(ax.get_lines(), start=1):
            np.testing.assert_allclose(line.get_xdata(), history["epoch"])
            np.testing.assert_allclose(line.get_ydata(), history[f"{prefix}_W{l}"])

    path = history_plots.plot_gradient_norms(
        history, tmp_path / "norms.png", title="tanh, 3 layers"
    )
    assert path == tmp_path / "norms.png"
    read_png(path, history_plots.NORMS_SIZE)


def test_gradient_norms_from_a_dict_sorts_layers_by_number_and_skips_zeros():
    columns = {
        "grad_norm_W10": [1e-6, 1e-7, 0.0],
        "grad_norm_W2": [1.0, 10.0, 100.0],  # exploding
    }
    figure = history_plots._gradient_norms_figure(columns)
    (ax,) = figure.axes  # no weight norms: one panel
    assert legend_texts(ax) == ["layer 2", "layer 10"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0, 1, 2])
    assert np.isnan(ax.get_lines()[1].get_ydata()[2])  # 0 cannot go on a log axis: a gap


def test_gradient_norms_without_the_callback_names_it(tmp_path):
    history = History()
    history.append(epoch=0, cost=0.7)
    with pytest.raises(InputError, match=r"glassnet\.GradientNorms"):
        history_plots.plot_gradient_norms(history, tmp_path / "norms.png")
    with pytest.raises(InputError, match="different lengths"):
        history_plots.plot_gradient_norms(
            {"epoch": [0, 1], "grad_norm_W1": [1.0]}, tmp_path / "norms.png"
        )
    assert list(tmp_path.iterdir()) == []


def test_roc_names_the_positive_class_never_its_index():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 60)  # class indices, as a run holds its labels
    scores = y + rng.normal(0, 0.8, 60)
    ax = gp._roc_figure(y, scores, positive_label="yes").axes[0]
    assert ax.get_xlabel() == "false-positive rate (positive label: yes)"
    assert ax.get_ylabel() == "true-positive rate (positive label: yes)"
    names = np.where(y == 1, "spam", "ham")  # text labels: the larger one, by name
    ax = gp._roc_figure(names, scores).axes[0]
    assert "positive label: spam" in ax.get_xlabel() and "1" not in ax.get_xlabel()
