"""Tests for glassnet.viz.report: report.html read back with html.parser, as a browser would."""

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest

from chromium import ARGS, CHROMIUM, needs_chromium
from glassnet.errors import InputError
from glassnet.runs.folder import write_history as write_history_csv
from glassnet.training.history import History
from glassnet.viz import report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CONFIG = {
    "data": "moons",
    "learning_rate": 0.3,
    "hidden": "tanh",
    "layer_sizes": [2, 5, 1],
    "batch_size": None,
    "dataset": {"name": "moons", "n_samples": 500},
    "note": "<script>alert('boom')</script> & more",
}
METRICS = {
    "final_cost": 0.0812345678,
    "validation_accuracy": 0.96,
    "stop_reason": "finished the requested epochs",
    "classes": ["cat", "dog"],
    "confusion_matrix": [[48, 2], [3, 47]],
}


class Page(HTMLParser):
    """What a browser would see: tags, image sources, links, table cells and the text."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.addresses: list[str] = []  # every src and href
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self.in_cell = False
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.addresses += [value or "" for name, value in attrs if name in ("src", "href")]
        if tag == "img":
            self.images.append(dict(attrs))
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_cell:
            self.rows[-1][-1] += data

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    @property
    def recorded_history(self) -> list[list[str]]:
        """The rows of history.csv's table as recorded, after its header (epoch, cost, ...)."""
        start = next(i for i, row in enumerate(self.rows) if row[:2] == ["epoch", "cost"])
        return self.rows[start + 1 :]


def write_png(path: Path, height: int = 6, width: int = 9) -> None:
    from matplotlib.image import imsave

    imsave(path, np.random.default_rng(0).uniform(size=(height, width)), format="png")


def write_history(path: Path, n_rows: int) -> None:
    history = History()
    for epoch in range(n_rows):
        history.append(epoch=epoch, cost=1.0 / (epoch + 1), learning_rate=0.3)
    write_history_csv(path, history)


@pytest.fixture
def run_folder(tmp_path) -> Path:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(CONFIG))
    (folder / "metrics.json").write_text(json.dumps(METRICS))
    write_history(folder / "history.csv", 12)
    for name in ("roc.png", "loss.png", "extra.png", "my picture #2.png"):
        write_png(folder / name)
    (folder / "model.npz").write_bytes(b"not a picture")
    return folder


def read_page(folder: Path) -> tuple[str, Page]:
    path = report.write_report(folder)
    assert path == folder / "report.html"
    source = path.read_text(encoding="utf-8")
    return source, Page(source)


def test_every_png_is_referenced_exactly_once_by_its_relative_name(run_folder):
    _, page = read_page(run_folder)
    sources = [unquote(str(image["src"])) for image in page.images]
    pngs = sorted(p.name for p in run_folder.glob("*.png"))
    assert sorted(sources) == pngs  # each once, nothing else
    assert sources[:2] == ["loss.png", "roc.png"]  # known pictures first, in the known order
    for source in sources:
        picture = run_folder / source  # relative: resolves inside the folder
        assert picture.read_bytes()[:8] == PNG_SIGNATURE
        from matplotlib.image import imread

        assert imread(picture).shape[:2] == (6, 9)
    loss = next(image for image in page.images if image["src"] == "loss.png")
    assert (loss["width"], loss["height"]) == ("9", "6")  # from the PNG header


def test_captions_known_and_generic(run_folder):
    _, page = read_page(run_folder)
    text = page.all_text
    assert f"{report.CAPTIONS['loss.png']} loss.png" in text
    assert f"{report.CAPTIONS['roc.png']} roc.png" in text
    assert f"{report.GENERIC_CAPTION} extra.png" in text


def test_config_metrics_and_history_appear(run_folder):
    _, page = read_page(run_folder)
    text = page.all_text
    for shown in ("learning_rate", "0.3", "tanh", "2, 5, 1", "n_samples", "500"):
        assert shown in text
    assert "0.0812346" in text  # floats to 6 significant digits
    assert ["true \\ predicted", "cat", "dog"] in page.rows  # the confusion matrix, labelled
    assert ["cat", "48", "2"] in page.rows and ["dog", "3", "47"] in page.rows
    assert ["epoch", "cost", "val_cost", "val_metric", "learning_rate"] in page.rows
    assert ["3", "0.25", "nan", "nan", "0.3"] in page.rows  # epoch 3 of the history
    assert "12 rows, 5 columns." in text


def test_everything_is_escaped_and_nothing_is_fetched(run_folder):
    source, page = read_page(run_folder)
    assert "script" not in page.tags  # the config's <script> is text, not a tag
    assert "<script>alert('boom')</script> & more" in page.all_text
    assert "http://" not in source and "https://" not in source
    for address in page.addresses:  # pictures by relative name, links to this page only
        parts = urlsplit(address)
        assert not parts.scheme and not parts.netloc and not parts.path.startswith("/")
        assert address.startswith("#") or address in [image["src"] for image in page.images]


def test_long_histories_show_the_first_and_last_100_rows(tmp_path):
    write_history(tmp_path / "history.csv", 450)
    _, page = read_page(tmp_path)
    epochs = [row[0] for row in page.recorded_history]  # after the header
    assert epochs[:100] == [str(i) for i in range(100)]
    assert epochs[100] == "… 250 rows omitted …"
    assert epochs[101:] == [str(i) for i in range(350, 450)]
    assert "450 rows, 5 columns." in page.all_text


@pytest.mark.parametrize("n_rows", [200, 201])
def test_histories_up_to_200_rows_are_shown_whole(tmp_path, n_rows):
    write_history(tmp_path / "history.csv", n_rows)
    _, page = read_page(tmp_path)
    data_rows = page.recorded_history
    if n_rows == 200:
        assert [row[0] for row in data_rows] == [str(i) for i in range(200)]
    else:
        assert data_rows[100] == ["… 1 row omitted …"]
        assert len(data_rows) == 201


def test_missing_files_are_not_recorded(tmp_path):
    source, page = read_page(tmp_path)
    text = page.all_text
    for name in ("config.json", "metrics.json", "history.csv"):
        assert f"{name}: not recorded" in text
    assert "no pictures recorded" in text
    assert page.images == []
    assert "http://" not in source and "https://" not in source


def test_unreadable_files_say_why_and_the_page_still_stands(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    (tmp_path / "history.csv").write_text("")
    (tmp_path / "broken.png").write_bytes(b"")
    write_png(tmp_path / "loss.png")
    _, page = read_page(tmp_path)
    text = page.all_text
    assert "config.json could not be read" in text
    assert "history.csv is empty" in text
    assert "not a readable PNG" in text
    assert sorted(image["src"] for image in page.images) == ["broken.png", "loss.png"]


def test_rewriting_replaces_the_report(run_folder):
    report.write_report(run_folder)
    (run_folder / "metrics.json").write_text(json.dumps({"final_cost": 0.5}))
    _, page = read_page(run_folder)
    assert "0.0812346" not in page.all_text
    assert [p.name for p in run_folder.iterdir() if p.name.startswith(".")] == []  # no temp file


def test_a_folder_that_does_not_exist_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        report.write_report(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InputError, match="is not a folder"):
        report.write_report(tmp_path / "file.txt")


# ---- issue 22: a report a person would send a colleague ---------------------------------


@pytest.fixture(scope="module")
def penguins_folder(tmp_path_factory) -> Path:
    """A real run of the penguins CSV (palmerpenguins ships it), its folder drawn."""
    palmerpenguins = pytest.importorskip("palmerpenguins")
    from glassnet.runs import run_training, write_run_folder
    from glassnet.runs.config import RunConfig
    from glassnet.viz import draw_run

    data = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
    out = tmp_path_factory.mktemp("report") / "penguins"
    config = RunConfig(data=str(data), target="species", epochs=40, lr=0.5, seed=3, out=str(out))
    result = run_training(config)
    draw_run(result, write_run_folder(result))
    return out


def test_the_report_says_the_run_in_words_first(penguins_folder):
    _, page = read_page(penguins_folder)
    text = page.all_text
    metrics = json.loads((penguins_folder / "metrics.json").read_text())
    accuracy = f"held-out accuracy {metrics['test_accuracy']:.1%} ({metrics['n_test']} rows)"
    assert accuracy in text
    assert text.index("Summary") < text.index("Pictures") < text.index("The recorded files")
    assert ["species", "target", "3 classes, text labels"] in page.rows  # the column table
    assert ["island", "categorical", "one-hot: 3 categories"] in page.rows
    start = next(i for i, row in enumerate(page.rows) if row[:2] == ["", "epoch"])
    first, best, last = page.rows[start + 1 : start + 4]
    assert [first[0], best[0], last[0]] == ["first", "best (cost)", "last"]
    assert first[1] == "0" and last[1] == "39"  # epochs 0 and 39 of 40, not 40 rows of nan
    import hashlib

    data = Path(json.loads((penguins_folder / "config.json").read_text())["data"])
    assert hashlib.sha256(data.read_bytes()).hexdigest() in text  # the data's fingerprint
    options = {row[0]: row[1] for row in page.rows if len(row) == 3 and row[2] != "from"}
    assert options["lr"] == "0.5" and options["epochs"] == "40" and options["seed"] == "3"
    assert "init" not in options and "alpha" not in options  # defaults are not shown


def test_the_command_line_parses_back_to_the_run_s_options():
    from dataclasses import asdict

    import click

    from glassnet.cli.options import config_fields
    from glassnet.cli.train import train
    from glassnet.runs.config import RunConfig
    from glassnet.viz.report_options import command_line, command_options

    config = RunConfig(
        data="my data.csv", target="price", hidden=(16, 8), activation=("relu", "tanh"),
        epochs=300, n_samples=90, lr=0.01, optimizer="adam", batch_size=32,
        standardize=False, record_gradients=True, schedule_options={"gamma": 0.5},
        lr_schedule="step", seed=7, drop=("id", "note"), validation=0.1, dropout=0.2,
    )  # fmt: skip
    record = asdict(config)
    words = command_line(record)
    assert words.startswith("glassnet train --data 'my data.csv' --target price ")
    import shlex

    context = train.make_context("train", shlex.split(words)[2:])
    parsed = config_fields(context.params)
    for key, value in command_options(record).items():
        assert parsed[key] == (tuple(value) if isinstance(value, list) else value), key
    assert isinstance(train, click.Command)


def test_only_the_given_options_make_the_command_when_the_run_recorded_them():
    from glassnet.viz.report_options import command_line

    record = {"data": "t.csv", "target": "y", "lr": 0.002, "hidden": [64, 64], "seed": 1}
    record |= {"pinned": ["seed"], "recipe": "tabular", "output": "softmax"}
    assert command_line(record) == "glassnet train --data t.csv --target y --seed 1"


@needs_chromium
def test_the_report_is_one_file_every_picture_inline_in_chromium(penguins_folder, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    source, _ = read_page(penguins_folder)
    pngs = sorted(path.name for path in penguins_folder.glob("*.png"))
    assert len(pngs) >= 2
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "report.html").write_text(source, encoding="utf-8")  # without its folder's PNGs
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 390, "height": 800})  # a phone
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.goto((alone / "report.html").as_uri())
        tab.wait_for_load_state("load")
        images = tab.eval_on_selector_all(
            "img", "all => all.map(i => [i.complete, i.naturalWidth, i.currentSrc.slice(0, 22)])"
        )
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        browser.close()
    finally:
        playwright.stop()
    assert len(images) == len(pngs)
    assert all(
        done and width > 0 and src == "data:image/png;base64," for done, width, src in images
    )
    assert fetched == [(alone / "report.html").as_uri()]  # nothing else was asked for
    assert overflow <= 0  # nothing wider than a phone's screen
    assert "http://" not in source and "https://" not in source


def test_the_report_says_what_a_date_column_became():
    from glassnet.viz.report_summary import columns

    config = {
        "columns": {
            "targets": ["price"],
            "numeric": ["area"],
            "categorical": [],
            "dates": {"listed_on": "%d.%m.%Y"},
            "left_out": {},
        },
        "task_reason": "numbers",
    }
    html = columns(config)
    assert "<th>listed_on</th><td>date</td><td>dates written dd.mm.yyyy, as 5 numbers" in html
    assert html.index("area") < html.index("listed_on")  # after the numeric columns
