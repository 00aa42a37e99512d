"""examples/tutorial.ipynb runs from top to bottom (nbclient + ipykernel) and shows its objects.

Every cell must succeed, and the outputs must carry the HTML views: the network diagram,
the explanation table, the gradient check, the live loss plot left as a static picture,
the History, the estimator (scikit-learn's view and the network), the loaded model's
columns and the playground widget.
"""

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("anywidget")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "tutorial.ipynb"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    notebook = nbformat.read(folder / NOTEBOOK.name, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # run from scratch, whatever was saved
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()  # raises CellExecutionError naming the cell that failed
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def html_of(cell, kind: str = "execute_result") -> str:
    found = [o["data"]["text/html"] for o in cell.outputs if o.output_type == kind]
    assert found, cell.source
    return found[-1]


def cell_with(cells, text: str):
    (found,) = [cell for cell in cells if text in cell.source]
    return found


def test_every_cell_succeeds_without_an_error_output(executed):
    assert executed and all(o.output_type != "error" for cell in executed for o in cell.outputs)
    assert all(cell.execution_count for cell in executed)


def test_the_network_shows_its_layers(executed):
    html = html_of(cell_with(executed, "network = gn.Network([2, 5, 1]"))
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))
    shapes = [g.get("data-shape") for g in svg.iter(f"{SVG}g") if g.get("class") == "gn-layer"]
    assert shapes == [None, "2,5", "5,1"]


def test_the_step_the_check_and_the_training_show_themselves(executed):
    assert 'data-name="dW1"' in html_of(cell_with(executed, "explain_step(network"))
    check = html_of(cell_with(executed, "gn.check_gradients("))
    assert check.count('data-verdict="pass"') == 4
    training = cell_with(executed, "gn.LivePlot()")
    live = html_of(training, "display_data")  # the live plot's last picture, kept
    assert 'data-series="cost"' in live and "epoch 2000/2000" in live
    assert 'class="gn-best"' in html_of(training)  # the History's own view


def test_the_models_show_their_network_and_columns(executed):
    estimator = html_of(cell_with(executed, "gn.MLPClassifier("))
    assert "sk-estimator" in estimator and 'class="gn-layer"' in estimator
    model = html_of(cell_with(executed, "run_training("))
    assert 'data-column="mean radius"' in model and "metadata" in model
    widget = cell_with(executed, "gn.Playground(")
    kinds = [sorted(o.get("data", {})) for o in widget.outputs]
    assert ["application/vnd.jupyter.widget-view+json", "text/plain"] in kinds
    assert 'class="gn-layer"' in html_of(cell_with(executed, "widget.step(20)"))
