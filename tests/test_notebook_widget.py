"""The notebook widget's Python side, without a browser: its traitlets, buffers and controls.

``gn.Playground`` drives the playground's own session (training in its worker thread);
messages to the front end are captured from ``widget.send``.
"""

import json
import time

import numpy as np
import pytest

pytest.importorskip("anywidget")
pd = pytest.importorskip("pandas")

import glassnet as gn  # noqa: E402
from glassnet.data import load  # noqa: E402
from glassnet.errors import InputError  # noqa: E402
from glassnet.playground.frames import decode  # noqa: E402


def moons_frame() -> "pd.DataFrame":
    data = load("moons", n_samples=200, random_state=0)
    return pd.DataFrame({"x1": data.X[:, 0], "x2": data.X[:, 1], "label": data.y})


@pytest.fixture
def widget():
    sent: list[tuple[dict, list | None]] = []
    found = gn.Playground(
        data=moons_frame(), hidden=[4], activations=["tanh"], batch_size=0, learning_rate=0.3
    )
    found.send = lambda content, buffers=None: sent.append((content, buffers))
    found.sent = sent
    yield found
    found.close()


def test_the_widget_uses_the_playgrounds_own_es_module():
    from glassnet.notebook.widget import STATIC

    widget = gn.Playground()
    try:
        page_module = (STATIC / "playground.js").read_text(encoding="utf-8")
        assert widget._esm == page_module  # the page's module itself, synced as a traitlet
        assert "export default { render: renderWidget }" in widget._esm
        rules = [line for line in widget._css.splitlines() if line.strip()]
        assert ":root" not in widget._css and "body" not in widget._css
        assert all(line.startswith(".gn-widget") for line in rules)  # the notebook's page untouched
        scoped = ".gn-widget .gn-panel input[type=number], .gn-widget .gn-panel select {"
        assert any(line.startswith(scoped) for line in rules)
        assert {"status", "setup_fields"} <= set(widget.keys)  # synced to the front end
        assert widget.setup_fields["data"] == "moons" and widget.setup_fields["hidden"] == [8, 8]
    finally:
        widget.close()


def test_steps_from_python_train_the_network_handed_back(widget):
    before = widget.network
    widget.step(6)
    after = widget.network
    assert widget.status["step"] == 6 and widget.status["epoch"] == 6
    assert not np.allclose(before.W[1], after.W[1])
    history = widget.history
    assert len(history) == 6 and history["cost"][-1] < history["cost"][0]
    assert after.layer_sizes == [2, 4, 1] and after.hidden == ["tanh"]
    after.W[1][:] = 0  # a copy: the widget's network is untouched
    assert not np.allclose(widget.network.W[1], 0)


def test_many_steps_at_once_are_one_command(widget):
    widget.step(100)  # more than the session's queue holds
    assert widget.status["step"] == 100 and len(widget.history) == 100
    with pytest.raises(InputError, match="whole number"):
        widget.step(-1)


def test_start_trains_in_the_background_and_pause_stops_it(widget):
    widget.start()
    deadline = time.monotonic() + 20
    while (widget.status.get("step") or 0) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    widget.pause()
    stopped = widget.network  # taken by the worker after the pause
    steps = widget.status["step"]
    assert steps >= 10 and widget.status["playing"] is False
    time.sleep(0.4)
    assert widget.status["step"] == steps
    np.testing.assert_array_equal(widget.network.W[1], stopped.W[1])


def test_frames_travel_as_binary_buffers_and_wait_for_the_ack(widget):
    widget._receive(widget, {"type": "connect"}, [])
    widget.step(3)
    binary = [buffers[0] for content, buffers in widget.sent if content.get("binary")]
    texts = [json.loads(content["text"]) for content, _ in widget.sent if "text" in content]
    headers = [decode(message)[0]["type"] for message in binary]
    assert headers[0] == "points" and headers.count("frame") == 1  # the rest wait for an ack
    assert [t["type"] for t in texts] == ["hello", "upload"]
    assert texts[0]["defaults"]["csv_target"] == "label" and texts[1]["columns"] == [
        "x1",
        "x2",
        "label",
    ]
    _, arrays = decode(binary[1])
    assert arrays["W1"].dtype == np.float32 and arrays["W1"].shape == (2, 4)
    widget._receive(widget, {"type": "ack"}, [])  # the front end drew it: the newest comes
    frames = [decode(b[0])[0] for c, b in widget.sent if c.get("binary")]
    assert frames[-1]["type"] == "frame" and frames[-1]["step"] == 3


def test_a_view_that_sends_the_same_setup_keeps_the_run(widget):
    widget.step(4)
    trained = widget.network
    widget._receive(widget, {"type": "setup", **widget.setup_fields}, [])
    widget.step(0)  # waits for the worker
    np.testing.assert_array_equal(widget.network.W[1], trained.W[1])
    changed = {**widget.setup_fields, "hidden": [3], "activations": ["relu"]}
    widget._receive(widget, {"type": "setup", **changed}, [])
    widget.step(0)
    assert widget.network.layer_sizes == [2, 3, 1] and widget.setup_fields["hidden"] == [3]


def test_a_bad_message_gets_an_error_reply_and_the_run_goes_on(widget):
    widget._receive(widget, {"type": "fly"}, [])
    (reply,) = [json.loads(c["text"]) for c, _ in widget.sent if "text" in c]
    assert reply["type"] == "error" and "unknown message type 'fly'" in reply["message"]
    widget.step(1)
    assert widget.status["step"] == 1


def test_bad_data_or_setup_is_refused_with_the_fix():
    with pytest.raises(InputError, match="exactly three columns"):
        gn.Playground(data=pd.DataFrame({"a": [1.0], "b": [2.0]}))
    with pytest.raises(InputError, match="learning_rate"):
        gn.Playground(learning_rate=-1)


def test_a_view_that_connects_after_the_first_frame_still_gets_frames():
    """A frame posted before any view existed was never drawn, so never acked: a connecting
    view restarts the pacing, or the widget waits for that ack for ever."""
    lost: list = []
    found = gn.Playground(data=moons_frame(), hidden=[4], activations=["tanh"], batch_size=0)
    try:
        found.send = lambda content, buffers=None: lost.append(content)  # no view yet
        found.session.snapshot().result(30)  # the first frame is posted into the void
        assert any(content.get("binary") for content in lost)
        sent: list = []
        found.send = lambda content, buffers=None: sent.append((content, buffers))
        found._receive(found, {"type": "connect"}, [])
        found.step(2)
        frames = [decode(b[0])[0] for c, b in sent if c.get("binary")]
        assert frames and frames[-1]["type"] == "frame" and frames[-1]["step"] == 2
    finally:
        found.close()
