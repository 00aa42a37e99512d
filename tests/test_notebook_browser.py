"""The notebook views and the widget's front end in a real headless Chromium (Playwright).

The HTML views render on a light and a dark page (the SVG text follows the page's colour:
``currentColor``); the widget's ES module runs in a plain page against a stub anywidget
model, bridged to a real :class:`glassnet.Playground` in this process.
"""

import base64

import numpy as np
import pytest

pytest.importorskip("playwright.sync_api")
pytest.importorskip("anywidget")
pd = pytest.importorskip("pandas")

import glassnet as gn  # noqa: E402
from chromium import launched, needs_chromium  # noqa: E402
from glassnet.data import load  # noqa: E402
from glassnet.notebook.widget import STATIC  # noqa: E402
from glassnet.viz.explain import explain_step  # noqa: E402

pytestmark = needs_chromium
ORIGIN = "http://glassnet.test"
PAGE_STYLE = (
    "body{font-family:sans-serif;margin:16px;background:#fff;color:#1f1f1f}"
    "@media (prefers-color-scheme: dark){body{background:#1e1e1e;color:#e0e0e0}}"
)


def views_page() -> str:
    """Every object's ``_repr_html_`` on one page, as a notebook's outputs stack them."""
    data = load("moons", n_samples=200, random_state=0)
    network = gn.Network([2, 5, 1], hidden="tanh", random_state=0)
    history = gn.train(
        network, data.X, data.y, epochs=60, learning_rate=0.5, validation=0.25, random_state=0
    )
    check = gn.check_gradients(network, data.X[:20], data.y[:20])
    explanation = explain_step(network, data.X[:5], data.y[:5])
    views = [network._repr_html_(), history._repr_html_(), check._repr_html_()]
    views.append(explanation._repr_html_())
    body = "".join(f'<div class="output">{html}</div><hr>' for html in views)
    return (
        f"<!doctype html><html><head><style>{PAGE_STYLE}</style></head><body>{body}</body></html>"
    )


@pytest.fixture(scope="module")
def browser():
    with launched() as browser:
        yield browser


@pytest.fixture(scope="module")
def views_html():
    return views_page()


def text_colour(page) -> list[int]:
    script = "() => getComputedStyle(document.querySelector('svg text')).fill"
    return [int(v) for v in page.evaluate(script).strip("rgb()").split(",")[:3]]


def test_the_widgets_es_module_runs_against_a_stub_model(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})  # its own, in front
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    module = (STATIC / "playground.js").read_text(encoding="utf-8")
    page.route(
        f"{ORIGIN}/playground.js",
        lambda route: route.fulfill(body=module, content_type="text/javascript"),
    )
    widget = gn.Playground(data=moons_frame(), hidden=[3], activations=["tanh"], batch_size=0)
    css = widget._css
    page.route(
        f"{ORIGIN}/",
        lambda route: route.fulfill(
            body=STUB % {"css": css, "origin": ORIGIN}, content_type="text/html"
        ),
    )
    try:
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("() => window.ready")
        assert page.evaluate("() => window.sent[0]") == {"type": "connect"}
        bridge = Bridge(page, widget)
        # connect -> hello, upload -> the same setup -> points, frame -> ack
        bridge.pump_until("() => document.querySelector('[data-testid=units-1]') !== null")
        assert page.evaluate("() => document.querySelector('.gn-widget') !== null")
        assert page.inner_text("[data-testid=dataset] >> xpath=..").startswith("data set")
        assert page.eval_on_selector("[data-testid=dataset]", "s => s.value") == "csv"
        assert page.eval_on_selector("[data-testid=units-1]", "s => s.value") == "3"
        page.click("[data-testid=step]")
        bridge.pump_until("() => document.querySelector('[data-testid=epoch]').textContent === '1'")
        page.click("[data-testid=step]")
        bridge.pump_until("() => document.querySelector('[data-testid=epoch]').textContent === '2'")
        assert widget.status["step"] == 2
        assert page.inner_text("[data-testid=epoch]") == "2"
        loss = float(page.inner_text("[data-testid=train-loss]"))
        assert loss == pytest.approx(widget.status["train_loss"], abs=1e-4)
        pixels = page.evaluate(
            "() => { const c = document.querySelector('[data-testid=heatmap]');"
            " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
            ".filter((_, i) => i % 4 === 3)).filter((a) => a > 0).length; }"
        )
        assert pixels > 1000  # the heatmap drawn from the float32 buffer
        trained = widget.network
        assert trained.layer_sizes == [2, 3, 1] and np.isfinite(trained.W[1]).all()
        assert errors == []
    finally:
        context.close()
        widget.close()


@pytest.mark.parametrize(("scheme", "light_text"), [("light", False), ("dark", True)])
def test_the_views_render_in_light_and_dark_pages(
    browser, views_html, tmp_path, scheme, light_text
):
    page = browser.new_page(viewport={"width": 900, "height": 700})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.emulate_media(color_scheme=scheme)
    page.set_content(views_html)
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().width)"
    )
    assert len(boxes) == 2 and min(boxes) > 200  # the network and the loss, each at its size
    colour = text_colour(page)
    assert (min(colour) > 180) if light_text else (max(colour) < 80), colour  # currentColor
    shot = tmp_path / f"views-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()
    assert errors == []


def moons_frame() -> "pd.DataFrame":
    data = load("moons", n_samples=200, random_state=0)
    return pd.DataFrame({"x1": data.X[:, 0], "x2": data.X[:, 1], "label": data.y})


STUB = """
<!doctype html><html><head><style>%(css)s</style></head><body><div id="widget"></div>
<script type="module">
  const listeners = [];
  window.sent = [];
  const model = {
    send(content) { window.sent.push(content); },
    on(event, callback) { if (event === "msg:custom") listeners.push(callback); },
  };
  window.deliver = (content, buffers) => {
    const views = buffers.map((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return new DataView(bytes.buffer);
    });
    listeners.forEach((callback) => callback(content, views));
  };
  const widget = (await import("%(origin)s/playground.js")).default;
  widget.render({ model, el: document.getElementById("widget") });
  window.ready = true;
</script></body></html>
"""


class Tap:
    """The widget as its outbox sees it, with ``send`` caught by the bridge."""

    def __init__(self, widget, bridge) -> None:
        self.widget, self.bridge = widget, bridge

    def send(self, content, buffers=None) -> None:
        self.bridge.outgoing.append((content, buffers or []))

    def __getattr__(self, name):
        return getattr(self.widget, name)


class Bridge:
    """The kernel's side for the stub model: the page's messages in, the widget's out."""

    def __init__(self, page, widget) -> None:
        self.page, self.widget, self.outgoing = page, widget, []
        widget.outbox._widget = Tap(widget, self)  # what the session sends, caught here

    def pump(self, rounds: int = 1) -> None:
        for _ in range(rounds):
            for content in self.page.evaluate("() => window.sent.splice(0)"):
                self.widget._receive(self.widget, content, [])
            self.widget.session.snapshot().result(30)  # the worker took every command
            outgoing, self.outgoing = self.outgoing, []
            for content, buffers in outgoing:
                encoded = [base64.b64encode(bytes(b)).decode() for b in buffers]
                self.page.evaluate("([c, b]) => window.deliver(c, b)", [content, encoded])
            self.page.wait_for_timeout(50)

    def pump_until(self, condition: str, rounds: int = 200) -> None:
        """Pump until the page's ``condition`` holds (a busy machine needs more rounds)."""
        for _ in range(rounds):
            self.pump()
            if self.page.evaluate(condition):
                return
        shown = self.page.evaluate(
            "() => document.querySelector('[data-testid=epoch]').textContent"
        )
        raise AssertionError(f"the page never reached {condition}; epoch shows {shown!r}")
