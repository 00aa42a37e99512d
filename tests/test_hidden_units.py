"""hidden_units.png: every hidden layer, axes with the feature names, the classes in their colours.

The panels' values are checked against the forward pass worked out in NumPy, the
colours against the decision boundary's palette (tab10: tab:blue, tab:orange, ...).
"""

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_rgba

import glassnet
from glassnet.data.loading import moons
from glassnet.errors import InputError
from glassnet.viz import hidden_units as hu
from glassnet.viz.figures import CLASS_COLOURS, plane_grid

NAMES = ("bill length", "bill depth")


@pytest.fixture
def points() -> tuple[np.ndarray, np.ndarray]:
    data = moons(60, noise=0.1, random_state=0)
    return data.X, data.y


@pytest.fixture
def deep() -> glassnet.Network:
    return glassnet.Network([2, 7, 3, 1], hidden=["tanh", "relu"], random_state=0)


def titles(figure) -> list[str]:
    return [ax.get_title().splitlines()[0] for ax in figure.axes]


def test_every_hidden_layer_one_panel_per_unit_each_layer_on_its_own_rows(points, deep):
    X, y = points
    figure = hu._hidden_units_figure(deep, X, layer=None, y=y, feature_names=NAMES, resolution=40)
    assert len(figure.axes) == 7 + 3  # the total of hidden units
    assert titles(figure) == [f"A[1][:, {j}]" for j in range(7)] + [
        f"A[2][:, {j}]" for j in range(3)
    ]
    rows = [ax.get_subplotspec().rowspan.start for ax in figure.axes]
    assert rows == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]  # 7 units as 4 + 3, then layer 2 below
    assert "hidden layers 1-2: 7 tanh, 3 relu units" in figure._suptitle.get_text()


def test_the_panels_are_the_forward_pass_worked_out_in_numpy(points, deep):
    X, _ = points
    figure = hu._hidden_units_figure(deep, X, layer=None, y=None, resolution=30)
    xx, yy = plane_grid(X, 30)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    A1 = np.tanh(grid @ deep.W[1] + deep.b[1])  # (900, 7)
    A2 = np.maximum(0, A1 @ deep.W[2] + deep.b[2])  # (900, 3)
    expected = [*A1.T, *A2.T]
    for ax, unit in zip(figure.axes, expected, strict=True):
        np.testing.assert_allclose(ax.images[0].get_array(), unit.reshape(xx.shape), atol=1e-12)
    low, high = figure.axes[0].images[0].get_clim()
    assert low == pytest.approx(-high)  # tanh: white at g(0) = 0
    low, high = figure.axes[-1].images[0].get_clim()
    assert low == pytest.approx(-high)  # relu: g(0) = 0 too


def test_the_axes_carry_ticks_and_the_feature_names_on_each_layer_s_edges(points, deep):
    X, y = points
    figure = hu._hidden_units_figure(deep, X, layer=None, y=y, feature_names=NAMES, resolution=40)
    axes = figure.axes
    left = {0, 4, 7}  # the first panel of each row
    bottom = {3, 4, 5, 6, 7, 8, 9}  # layer 1's panels with none below in its block; layer 2's
    for i, ax in enumerate(axes):
        assert ax.get_ylabel() == (NAMES[1] if i in left else ""), i
        assert ax.get_xlabel() == (NAMES[0] if i in bottom else ""), i
        assert (len(ax.get_yticks()) > 0) == (i in left), i
        assert (len(ax.get_xticks()) > 0) == (i in bottom), i
    xmin, xmax = axes[0].get_xlim()
    assert xmin < X[:, 0].min() and X[:, 0].max() < xmax  # the ticks' values are the data's


@pytest.mark.parametrize(
    ("labels", "n_classes"),
    [(None, 2), (np.array(["no", "yes"]), 2), (np.array(["a", "b", "c"]), 3)],
)
def test_each_class_in_the_boundary_plot_s_colour_with_a_legend(points, deep, labels, n_classes):
    X, y = points
    if labels is not None:
        y = labels[np.arange(len(X)) % n_classes]
    figure = hu._hidden_units_figure(deep, X, layer=1, y=y, resolution=40)
    classes = np.unique(y)
    palette = [to_rgba(colormaps["tab10"](k)) for k in range(n_classes)]  # plot_decision_boundary's
    assert palette[:2] == [to_rgba(c) for c in CLASS_COLOURS]
    for ax in figure.axes:
        assert len(ax.collections) >= n_classes
        scatters = [c for c in ax.collections if len(c.get_offsets()) and c.get_facecolors().size]
        scatters = scatters[-n_classes:]  # the samples are drawn last, class by class
        for k, (scatter, label) in enumerate(zip(scatters, classes, strict=True)):
            np.testing.assert_array_equal(scatter.get_offsets(), X[y == label])
            assert to_rgba(scatter.get_facecolors()[0], alpha=1) == palette[k]
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [str(c) for c in classes]
    faces = [to_rgba(handle.get_markerfacecolor()) for handle in legend.legend_handles]
    assert faces == palette


def test_without_labels_the_samples_are_black_and_there_is_no_legend(points, deep):
    X, _ = points
    figure = hu._hidden_units_figure(deep, X, layer=2, y=None, resolution=40)
    assert titles(figure) == ["A[2][:, 0]", "A[2][:, 1]", "A[2][:, 2]"]
    assert figure.legends == []
    (scatter,) = [c for c in figure.axes[0].collections if len(c.get_offsets()) == len(X)]
    assert to_rgba(scatter.get_facecolors()[0])[:3] == (0.0, 0.0, 0.0)


def test_a_wide_layer_shows_its_first_units_and_says_so(points):
    X, _ = points
    network = glassnet.Network([2, 40, 2, 1], hidden="relu", random_state=0)
    figure = hu._hidden_units_figure(network, X, layer=None, y=None, resolution=10)
    assert len(figure.axes) == hu.MAX_UNITS + 2
    assert titles(figure)[hu.MAX_UNITS - 1] == f"A[1][:, {hu.MAX_UNITS - 1}]"
    assert f"40 relu (first {hu.MAX_UNITS} shown), 2 relu units" in figure._suptitle.get_text()
    every = hu._hidden_units_figure(network, X, layer=1, y=None, max_units=40, resolution=10)
    assert len(every.axes) == 40 and "shown" not in every._suptitle.get_text()


def test_one_layer_png_size_and_names(tmp_path, points):
    from matplotlib.image import imread

    X, y = points
    network = glassnet.Network([2, 5, 1], hidden="tanh", random_state=0)
    path = hu.plot_hidden_units(network, X, tmp_path / "units.png", y=y, feature_names=NAMES)
    height, width = imread(path).shape[:2]
    assert (width, height) == (5 * 240, 288)  # one row of 5 panels of 2 inches at 120 dpi


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"feature_names": ("x1",)}, "feature_names must be two names"),
        ({"feature_names": "x1"}, "feature_names must be two names"),
        ({"max_units": 0}, "max_units"),
        ({"layer": 3}, r"hidden layer, 1\.\.2, got 3"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(
    tmp_path, points, deep, options, message
):
    X, y = points
    with pytest.raises(InputError, match=message):
        hu.plot_hidden_units(deep, X, tmp_path / "units.png", y=y, **options)
    assert list(tmp_path.iterdir()) == []


def test_the_plane_is_drawn_in_the_data_s_units_through_the_run_s_standardiser(points):
    from glassnet.data.array_encoders import Standardizer

    X, y = points
    X_data = X * [30.0, 2.0] + [200.0, 17.0]  # penguins-like units: mm, not z-scores
    scaler = Standardizer().fit(X_data)
    network = glassnet.Network([2, 3, 1], hidden="tanh", random_state=0)
    figure = hu._hidden_units_figure(
        network, X_data, layer=None, y=y, feature_names=NAMES, resolution=25,
        inputs=scaler.transform,
    )  # fmt: skip
    xx, yy = plane_grid(X_data, 25)  # the axes: the data's own range
    ax = figure.axes[0]
    assert ax.images[0].get_extent() == pytest.approx([xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0]])
    assert ax.get_xlabel() == NAMES[0]
    inputs = scaler.transform(np.column_stack([xx.ravel(), yy.ravel()]))
    A1 = np.tanh(inputs @ network.W[1] + network.b[1])  # the network sees standardised points
    np.testing.assert_allclose(ax.images[0].get_array(), A1[:, 0].reshape(xx.shape), atol=1e-12)
