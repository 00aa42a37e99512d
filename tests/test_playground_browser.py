"""The playground in a real headless Chromium (Debian's, through Playwright), against uvicorn.

One server and one browser for the module; each test opens its own page (its own session).
"""

import socket
import threading
import time

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("websockets", reason="uvicorn needs websockets for /ws")
pytest.importorskip("playwright.sync_api")

import glassnet as gn
from chromium import launched, needs_chromium
from glassnet.playground.frames import grid_points

pytestmark = needs_chromium
HEATMAP = "() => document.querySelector('[data-testid=heatmap]').toDataURL()"
NETWORK = "() => document.querySelector('[data-testid=network]').toDataURL()"


@pytest.fixture(scope="module")
def url():
    import uvicorn

    from glassnet.playground.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with launched() as browser:
        yield browser


@pytest.fixture
def page(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = url  # type: ignore[attr-defined]
    yield page
    context.close()
    assert errors == []


def open_page(page, hash_=""):
    page.goto(page.base_url + hash_)
    page.wait_for_function("() => globalThis.glassnetPlayground?.state.frame")
    return page


def readout(page, testid):
    return page.get_by_test_id(testid).inner_text()


def settle(page):
    """Wait for the frame the server sends on pause (its last until the next command)."""
    page.wait_for_function(
        "() => globalThis.glassnetPlayground.state.frame.header.playing === false"
    )
    rendered(page)


def rendered(page):
    """Wait until the page has drawn what it holds: two animation frames, the tab in front
    (a tab behind another draws nothing)."""
    page.bring_to_front()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_play_changes_the_heatmap_and_the_loss_and_pause_stops_them(page):
    open_page(page)
    heatmap, loss = page.evaluate(HEATMAP), readout(page, "train-loss")
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "() => Number(document.querySelector('b[data-testid=epoch]').textContent) >= 2"
    )
    assert page.evaluate(HEATMAP) != heatmap
    assert readout(page, "train-loss") != loss
    page.get_by_test_id("pause").click()
    settle(page)
    heatmap, loss, epoch = (
        page.evaluate(HEATMAP),
        readout(page, "train-loss"),
        readout(page, "epoch"),
    )
    time.sleep(0.6)
    assert (page.evaluate(HEATMAP), readout(page, "train-loss")) == (heatmap, loss)
    assert readout(page, "epoch") == epoch
    page.get_by_test_id("step").click()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=train-loss]').textContent != '{loss}'"
    )
    assert float(readout(page, "train-loss")) > 0


def test_switching_the_data_set_and_uploading_a_csv(page, tmp_path):
    open_page(page)
    page.get_by_test_id("dataset").select_option("spiral")
    page.wait_for_function(
        "() => globalThis.glassnetPlayground.state.points.n === 500"
        " && location.hash.includes('data=spiral')"
    )
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(60, 2))
    csv = tmp_path / "flowers.csv"
    csv.write_text(
        "petal,sepal,kind\n" + "".join(f"{a},{b},{'x' if a > b else 'y'}\n" for a, b in rows)
    )
    page.get_by_test_id("upload").set_input_files(str(csv))
    page.wait_for_function("() => globalThis.glassnetPlayground.state.points.names[0] === 'petal'")
    assert page.get_by_test_id("csv-target").input_value() == "kind"
    assert page.evaluate("() => globalThis.glassnetPlayground.state.points.classes") == ["x", "y"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n4,5,6,7\n")
    page.get_by_test_id("upload").set_input_files(str(bad))
    page.wait_for_function(
        "() => document.querySelector('[data-testid=message]').textContent.includes('line 3')"
    )


def test_the_gradient_view_shows_dw(page):
    open_page(page)
    page.get_by_test_id("step").click()
    page.wait_for_function("() => globalThis.glassnetPlayground.state.frame.header.step === 1")
    weights = page.evaluate(NETWORK)
    page.get_by_test_id("gradients").check()
    assert page.evaluate(NETWORK) != weights  # the lines now show dW, and each unit its dZ
    box = page.get_by_test_id("network").bounding_box()
    layout = page.evaluate(
        "() => globalThis.glassnetPlayground.state.layout"
        ".find(w => w.kind === 'weight' && w.layer === 2)"
    )
    scale = box["width"] / 620
    x, y = (layout["x0"] + layout["x1"]) / 2 * scale, (layout["y0"] + layout["y1"]) / 2 * scale
    page.mouse.click(box["x"] + x, box["y"] + y)
    glassbox = page.get_by_test_id("glassbox")
    glassbox.get_by_text("dW2 = A1^T dZ2 / m").wait_for()
    assert "update" in glassbox.inner_text()


def test_the_downloaded_model_loads_and_predicts_as_the_page_did(page, tmp_path):
    open_page(page)
    page.get_by_test_id("run-epoch").click()
    page.wait_for_function("() => globalThis.glassnetPlayground.state.frame.header.epoch === 1")
    with page.expect_download() as download:
        page.get_by_test_id("download-model").click()
    path = tmp_path / "model.npz"
    download.value.save_as(path)
    model = gn.load(path)
    domain = page.evaluate("() => globalThis.glassnetPlayground.state.points.domain")
    shown = np.array(
        page.evaluate(
            "() => Array.from(globalThis.glassnetPlayground.state.frame.arrays.heatmap.data)"
        )
    )
    proba = model.predict_proba(grid_points(tuple(domain)))[:, 1]
    np.testing.assert_allclose(proba, shown, rtol=1e-5, atol=1e-6)
    page.get_by_test_id("command-line").click()
    command = page.get_by_test_id("command-text").input_value()
    assert (
        command.startswith("glassnet train --data playground-data.csv")
        and "--hidden 8,8" in command
    )


def test_a_shared_url_reproduces_the_setup_and_hides_the_chosen_controls(page, browser):
    hash_ = (
        "#data=circles&hidden=3&activations=tanh&learning_rate=0.1&optimizer=gd&seed=7&hide=dataset"
    )
    open_page(page, hash_)
    assert not page.get_by_test_id("dataset").is_visible()
    assert page.get_by_test_id("learning-rate").input_value() == "0.1"
    assert page.get_by_test_id("hidden-layers").input_value() == "1"
    page.get_by_test_id("step").click()
    page.wait_for_function("() => globalThis.glassnetPlayground.state.frame.header.step === 1")
    other = browser.new_page()
    other.base_url = page.base_url
    open_page(other, hash_)
    other.get_by_test_id("step").click()
    other.wait_for_function("() => globalThis.glassnetPlayground.state.frame.header.step === 1")
    loss = "() => globalThis.glassnetPlayground.state.frame.header.train_loss"
    assert other.evaluate(loss) == page.evaluate(loss)  # the same step, to the last bit
    rendered(other)
    other_loss, other_heatmap = readout(other, "train-loss"), other.evaluate(HEATMAP)
    rendered(page)
    assert readout(page, "train-loss") == other_loss
    assert page.evaluate(HEATMAP) == other_heatmap
    other.close()


def test_a_diverging_learning_rate_shows_the_message(page):
    open_page(
        page, "#data=plane&optimizer=gd&learning_rate=100&batch_size=0&hidden=8&activations=relu"
    )
    page.get_by_test_id("play").click()
    message = page.get_by_test_id("message")
    message.get_by_text("smaller learning rate").wait_for(timeout=15000)
    assert "diverged" in message.inner_text()


INK = """() => {  // the mean colour of the curves canvas's opaque pixels: its ink
  const c = document.querySelector('[data-testid=curves]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0, n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 200) { sum += d[i] + d[i + 1] + d[i + 2]; n++; }
  }
  return n ? sum / (3 * n) : null;
}"""
PANEL = "() => getComputedStyle(document.querySelector('.gn-panel')).backgroundColor"


@pytest.mark.parametrize(("scheme", "dark"), [("light", False), ("dark", True)])
def test_the_page_follows_a_light_or_dark_colour_scheme(browser, url, tmp_path, scheme, dark):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.base_url = url  # type: ignore[attr-defined]
        open_page(page)
        page.get_by_test_id("play").click()
        page.wait_for_function(
            "() => Number(document.querySelector('b[data-testid=epoch]').textContent) >= 3"
        )
        page.get_by_test_id("pause").click()
        settle(page)
        red, green, blue = (
            int(part) for part in page.evaluate(PANEL).removeprefix("rgb(")[:-1].split(",")
        )
        ink = page.evaluate(INK)
        page.screenshot(path=str(tmp_path / f"playground-{scheme}.png"))
    finally:
        context.close()
    panel = (red + green + blue) / 3
    assert (panel < 80) if dark else (panel > 200)  # the panels' background
    assert ink is not None
    assert (ink > 170) if dark else (ink < 90)  # the curves' lines and text drawn in the ink
