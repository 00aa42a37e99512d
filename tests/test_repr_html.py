"""Every glassnet object shows itself in a notebook: the HTML views, parsed (not grepped).

The network diagram has one group per layer with W[l]'s shape; the loss path has one
point per epoch whose y follows the history; the explanation's numbers are the
Trace's and the Gradients'; the gradient check says pass or fail per parameter;
an estimator keeps scikit-learn's HTML and adds the network; a loaded model lists its
columns. ``import glassnet`` loads neither IPython, anywidget nor matplotlib.
"""

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pytest

import glassnet as gn
from glassnet.core.network import backward, encode_targets, forward
from glassnet.data import load
from glassnet.notebook import live as live_module
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training
from glassnet.viz.explain import explain_step

SVG = "{http://www.w3.org/2000/svg}"


class Cells(HTMLParser):
    """Each ``<td>``'s attributes and text, and each table's ``data-name``, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[dict[str, str], str]] = []
        self.names: list[str] = []  # the data-name of the innermost open table
        self._open: dict[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.names.append(attributes.get("data-name", ""))
        if tag == "td":
            self._open = {**attributes, "table": self.names[-1] if self.names else ""}
            self._text = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append((self._open, self._text.strip()))
            self._open = None
        if tag == "table":
            self.names.pop()

    def handle_data(self, data):
        if self._open is not None:
            self._text += data


def cells_of(html: str) -> list[tuple[dict[str, str], str]]:
    parser = Cells()
    parser.feed(html)
    return parser.cells


def svgs_of(html: str) -> list[ET.Element]:
    """Every inline ``<svg>`` of the view, parsed as XML (so it must be well-formed)."""
    return [ET.fromstring(found) for found in re.findall(r"<svg.*?</svg>", html, re.S)]


def path_points(d: str) -> np.ndarray:
    return np.array([[float(v) for v in xy.split(",")] for xy in re.findall(r"[ML]([^ ]+)", d)])


@pytest.fixture(scope="module")
def moons():
    data = load("moons", n_samples=200, random_state=0)
    return data.X, data.y


def test_the_network_diagram_has_one_group_per_layer_with_its_shape():
    network = gn.Network([2, 5, 3, 1], hidden=["tanh", "relu"], random_state=0)
    (picture,) = svgs_of(network._repr_html_())
    layers = picture.findall(f".//{SVG}g[@class='gn-layer']")
    assert [g.get("data-layer") for g in layers] == ["0", "1", "2", "3"]
    assert [int(g.get("data-units")) for g in layers] == [2, 5, 3, 1]
    shapes = [g.get("data-shape") for g in layers[1:]]
    assert shapes == ["2,5", "5,3", "3,1"]
    texts = ["".join(t.itertext()) for t in layers[2].iter(f"{SVG}text")]
    assert "Z2 = A1 W2 + b2" in texts and "A2 = relu(Z2)" in texts
    heatmap = layers[1].find(f"{SVG}g[@class='gn-heatmap']")
    assert len(heatmap.findall(f"{SVG}rect")) == 2 * 5 + 1  # one per weight, and the outline


def test_a_wide_layer_shows_its_first_units_and_counts_the_rest():
    network = gn.Network([3, 20, 1], random_state=0)
    (picture,) = svgs_of(network._repr_html_())
    layer = picture.findall(f".//{SVG}g[@class='gn-layer']")[1]
    assert len(layer.findall(f"{SVG}circle")) == 8
    assert "+12 more" in ["".join(t.itertext()) for t in layer.iter(f"{SVG}text")]


def test_plain_repr_is_unchanged():
    network = gn.Network([2, 3, 1], random_state=0)
    assert repr(network).startswith("Network([2, 3, 1], hidden=relu, output=sigmoid")


def test_the_loss_path_has_one_point_per_epoch_following_the_history(moons):
    X, y = moons
    network = gn.Network([2, 4, 1], random_state=0)
    history = gn.train(network, X, y, epochs=25, learning_rate=0.5, validation=0.25, random_state=0)
    (picture,) = svgs_of(history._repr_html_())
    paths = {p.get("data-series"): p for p in picture.iter(f"{SVG}path")}
    assert set(paths) == {"cost", "val_cost"}
    for name, path in paths.items():
        points = path_points(path.get("d"))
        assert len(points) == len(history) == 25
        values = np.asarray(history[name])
        slope, intercept = np.polyfit(values, points[:, 1], 1)  # y = a cost + c, a < 0: up is low
        assert slope < 0
        np.testing.assert_allclose(points[:, 1], slope * values + intercept, atol=0.02)
        assert np.all(np.diff(points[:, 0]) > 0)  # epochs go right
    best = picture.find(f".//{SVG}g[@class='gn-best']")
    assert int(best.get("data-epoch")) == int(np.argmin(history["val_cost"]))


def test_the_explanation_table_holds_the_traces_numbers(moons):
    X, y = moons[0][:6], moons[1][:6]
    network = gn.Network([2, 3, 1], hidden="tanh", random_state=1)
    html = explain_step(network, X, y, learning_rate=0.3)._repr_html_()
    trace = forward(network, X)
    grads = backward(network, trace, encode_targets(network, y))
    expected = {"Z1": trace.Z[1], "A1": trace.A[1], "A2": trace.A[2]}
    expected |= {"dZ2": grads.dZ[2], "dW1": grads.dW[1], "db1": grads.db[1], "dZ1": grads.dZ[1]}
    seen: dict[str, dict[tuple[int, int], float]] = {}
    for attributes, text in cells_of(html):
        if "data-i" in attributes:
            grid = seen.setdefault(attributes["table"], {})
            grid[int(attributes["data-i"]), int(attributes["data-j"])] = float(
                attributes["data-value"]
            )
            assert float(text) == pytest.approx(float(attributes["data-value"]), rel=1e-3, abs=1e-9)
    for name, array in expected.items():
        rows = np.atleast_2d(array)
        grid = seen[name]
        assert len(grid) == min(rows.shape[0], 4) * min(rows.shape[1], 8), name
        for (i, j), value in grid.items():
            assert value == rows[i, j], (name, i, j)  # the very float of the trace
    assert "dZ2 = A2 - Y" in html and "dW1 = X^T dZ1 / m" in html.replace("&amp;", "&")


def test_the_gradient_check_says_pass_or_fail_per_parameter(moons):
    X, y = moons[0][:20], moons[1][:20]
    network = gn.Network([2, 3, 1], hidden="tanh", random_state=0)
    check = gn.check_gradients(network, X, y)
    verdicts = {
        a["data-parameter"]: None for a, _ in cells_of(check._repr_html_()) if "data-parameter" in a
    }
    assert list(verdicts) == ["W1", "b1", "W2", "b2"]
    assert [t for a, t in cells_of(check._repr_html_()) if "data-verdict" in a] == ["pass"] * 4
    check.relative_error["W2"] = 0.5  # a wrong derivative
    found = [t for a, t in cells_of(check._repr_html_()) if "data-verdict" in a]
    assert found == ["pass", "pass", "FAIL", "pass"]


def test_an_estimator_keeps_scikit_learns_html_and_adds_the_network(moons):
    X, y = moons
    classifier = gn.MLPClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0)
    unfitted = classifier._repr_mimebundle_()["text/html"]
    assert "sk-estimator" in unfitted and "gn-layer" not in unfitted
    with pytest.warns(Warning):
        classifier.fit(X, y)
    bundle = classifier._repr_mimebundle_()
    assert bundle["text/plain"] == repr(classifier)
    html = bundle["text/html"]
    assert "sk-estimator" in html and "gn-layer" in classifier._repr_html_()
    network_svg, loss_svg = svgs_of(html)
    shapes = [g.get("data-shape") for g in network_svg.findall(f".//{SVG}g[@class='gn-layer']")]
    assert shapes == [None, "2,4", "4,1"]
    (path,) = loss_svg.iter(f"{SVG}path")
    assert len(path_points(path.get("d"))) == classifier.n_iter_ == len(classifier.loss_curve_)


def test_a_loaded_model_lists_its_columns_network_and_metadata(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["size,colour,label"] + [
        f"{rng.normal(10, 2):.3f},{rng.choice(['red', 'blue'])},{rng.choice(['yes', 'no'])}"
        for _ in range(80)
    ]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    config = RunConfig(data=str(tmp_path / "t.csv"), target="label", epochs=20, hidden=(3,))
    gn.save(run_training(config).model, tmp_path / "model.npz")
    model = gn.load(tmp_path / "model.npz")
    html = model._repr_html_()
    columns = {a["data-column"]: None for a, _ in cells_of(html) if "data-column" in a}
    assert list(columns) == ["size", "colour", "label"]
    texts = [t for _, t in cells_of(html)]
    assert any("gets the median" in t and "standardised (mean" in t for t in texts)
    assert any(t.endswith("one-hot: 2 categories (blue, red)") for t in texts)
    assert any(t.startswith("classification: 2 classes (no, yes)") for t in texts)
    (network_svg,) = svgs_of(html)
    assert len(network_svg.findall(f".//{SVG}g[@class='gn-layer']")) == 3
    assert "metadata" in html


def test_import_glassnet_loads_no_notebook_or_plotting_library():
    code = (
        "import sys, glassnet\n"
        "print(sorted({'IPython', 'anywidget', 'matplotlib', 'ipywidgets'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_live_plot_writes_one_progress_line_outside_a_notebook(moons):
    X, y = moons
    stream = io.StringIO()
    live = gn.LivePlot(every_seconds=0, stream=stream)
    history = gn.train(gn.Network([2, 3, 1], random_state=0), X, y, epochs=12, callbacks=[live])
    lines = stream.getvalue().split("\r")[1:]
    assert len(lines) == 12 == live.redraws and stream.getvalue().endswith("\n")
    assert lines[-1].strip() == f"epoch 12/12  cost {history.last('cost'):.4f}"
    assert [int(line.split()[1].split("/")[0]) for line in lines] == list(range(1, 13))


def test_live_plot_updates_one_display_in_place(monkeypatch, moons):
    X, y = moons
    shown: list[str] = []

    class Handle:
        def update(self, html):
            shown.append(html.data)

    pytest.importorskip("IPython")
    monkeypatch.setattr(live_module, "notebook_display", lambda: lambda html: Handle())
    live = gn.LivePlot(every_seconds=0)
    history = gn.train(
        gn.Network([2, 3, 1], random_state=0), X, y, epochs=6, validation=0.25, callbacks=[live]
    )
    assert len(shown) == 6  # one update per epoch, the same handle
    (picture,) = svgs_of(shown[-1])
    lengths = {
        p.get("data-series"): len(path_points(p.get("d"))) for p in picture.iter(f"{SVG}path")
    }
    assert lengths == {"cost": len(history), "val_cost": len(history)}
    assert [len(path_points(next(svgs_of(h)[0].iter(f"{SVG}path")).get("d"))) for h in shown] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
