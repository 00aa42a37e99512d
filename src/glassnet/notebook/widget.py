"""The playground inside a notebook: an anywidget over the page's own ES module and sessions.

    gn.Playground(data=df[["x1", "x2", "label"]])

    front end (playground.js, default export) ──model.send──> Python: parse_message
        ──> Session (its worker thread: the training engine, stepped) ──> WidgetOutbox
        ──widget.send(content, buffers)──> the same JS core (modelTransport)

The JS is ``glassnet/playground/static/playground.js``, the page ``glassnet playground``
serves: one front end. Training runs in the session's worker thread, so Pause works
while the kernel is idle. Replies travel as ``{"text": json}``; frames and the data's
points as binary buffers (the playground's float32 frames), never JSON lists.
"""

import json
import shutil
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.playground.frames import decode, points_message
from glassnet.playground.schema import (
    Command,
    MessageError,
    check_setup,
    hello_message,
    parse_message,
)
from glassnet.playground.session import Session, error_message
from glassnet.playground.upload import read_upload
from glassnet.training.history import History

STATIC = Path(__file__).resolve().parents[1] / "playground" / "static"  # the page's own files
WAIT_SECONDS = 30.0  # the longest a Python call waits for the worker (a step, a snapshot)


def widget_css() -> str:
    """The page's stylesheet scoped to the widget: each rule under ``.gn-widget``, none for
    the notebook's own page (``:root`` becomes the widget, ``body`` is left out)."""
    rules = []
    for line in (STATIC / "playground.css").read_text(encoding="utf-8").splitlines():
        selectors, brace, body = line.partition("{")
        if not brace or selectors.strip() == "body":
            continue
        scoped = [
            ".gn-widget" if name.strip() == ":root" else f".gn-widget {name.strip()}"
            for name in selectors.split(",")
        ]
        rules.append(f"{', '.join(scoped)} {{{body}")
    return "\n".join(rules)


class WidgetOutbox:
    """A session's outbox over the widget's comm: replies as sent, the latest frame when drawn.

    As the server's :class:`~glassnet.playground.outbox.Outbox`: a frame waits until the
    front end acknowledged the one before (``ack``), and a newer frame replaces it.
    """

    def __init__(self, widget: "Playground") -> None:
        self._widget = widget
        self._lock = threading.Lock()
        self._frame: bytes | None = None
        self._acked = True
        self.frame_taken = threading.Event()
        self.frame_taken.set()

    def reply(self, message: str | bytes) -> None:
        """Send a message now: JSON text, or a binary one (a frame, the data's points)."""
        if isinstance(message, bytes):
            self._widget.send({"binary": True}, buffers=[message])
            self.frame_taken.set()
        else:
            self._widget.send({"text": message})

    def post_frame(self, frame: bytes) -> None:
        """Send ``frame`` if the front end is ready, else keep it as the next one."""
        self._widget._status_from(frame)
        with self._lock:
            if not self._acked:
                self._frame = frame
                self.frame_taken.clear()
                return
            self._acked = False
        self.reply(frame)

    def acknowledge(self) -> None:
        """The front end drew the last frame: send the waiting one, if any."""
        with self._lock:
            frame, self._frame = self._frame, None
            self._acked = frame is None
        if frame is not None:
            self.reply(frame)

    def restart(self) -> None:
        """A new view: no frame is awaited any more (the old view may never ack its last)."""
        with self._lock:
            self._frame, self._acked = None, True
        self.frame_taken.set()


class WidgetSession(Session):
    """A playground session that also hands out its History and re-sends its picture.

    Its requests (:meth:`~glassnet.playground.session.Session.ask`): ``"steps"`` pauses,
    takes that many mini-batch steps and posts one frame; ``"history"`` answers a copy of
    the run's History, made by the worker between two steps.
    """

    def _handle(self, command: Any) -> None:
        kind = command[0] if isinstance(command, tuple) else None
        if kind == "steps":
            self.playing = False
            self._train(command[2])
            command[1].set_result(None)
        elif kind == "history":
            engine = self.engine
            history = engine.history if engine is not None else History()
            command[1].set_result(History(columns={k: list(v) for k, v in history.items()}))
        elif kind == "refresh":
            if self.problem is not None:
                self.outbox.reply(points_message(self.problem))
            self._post_frame()
        else:
            super()._handle(command)


class Playground(anywidget.AnyWidget):
    """The playground as a notebook widget: the page's front end, training in a thread.

    Parameters
    ----------
    data
        A DataFrame of two feature columns and a target column, in that order (e.g.
        ``df[["x1", "x2", "label"]]``); read by glassnet's own reader, as an upload is.
        None: the playground's generated data sets (``moons`` by default).
    **setup
        Any field of the playground's setup (:data:`glassnet.playground.schema.SETUP_FIELDS`):
        ``hidden=(4, 4)``, ``learning_rate=0.1``, ``optimizer="gd"``, ``data="spiral"``...

    Attributes
    ----------
    status : dict
        The last frame's readouts (epoch, step, train_loss, test_loss, metrics, playing),
        synced to the front end.
    """

    _esm = STATIC / "playground.js"
    _css = widget_css()
    status = traitlets.Dict().tag(sync=True)
    setup_fields = traitlets.Dict().tag(sync=True)

    def __init__(self, data: Any = None, **setup: Any) -> None:
        super().__init__()
        self._folder = Path(tempfile.mkdtemp(prefix="glassnet-widget-"))
        self._columns: list[str] = []
        fields = dict(setup)
        if data is not None:
            self._columns = self._write_data(data)
            names = dict(zip(("csv_x1", "csv_x2", "csv_target"), self._columns, strict=True))
            fields = {"data": "csv", **names, **fields}
        try:
            checked = check_setup(fields)
        except MessageError as error:
            raise InputError(f"Playground: {error}") from None
        self.outbox = WidgetOutbox(self)
        # WidgetOutbox has the Outbox's interface (reply, post_frame, frame_taken), not its loop
        self.session = WidgetSession(self.outbox, self._folder / "data.csv")  # type: ignore[arg-type]
        self.setup_fields = _json_setup(checked)
        self.session.submit(Command("setup", setup=checked))
        self.on_msg(self._receive)

    def _write_data(self, data: Any) -> list[str]:
        """The DataFrame as the session's CSV, read back by glassnet's reader; its columns."""
        if not hasattr(data, "to_csv") or len(getattr(data, "columns", ())) != 3:
            raise InputError(
                "Playground(data=...) takes a DataFrame of exactly three columns: two features "
                'and the target, e.g. df[["x1", "x2", "label"]]'
            )
        text = data.to_csv(index=False).encode("utf-8")
        summary = read_upload(text, self._folder / "data.csv")
        return [str(name) for name in summary["columns"]]

    # the front end's messages

    def _receive(self, widget: Any, content: Any, buffers: Any) -> None:
        """One message of the front end: connect, ack, or a playground command."""
        if not isinstance(content, dict):
            return
        if content.get("type") == "connect":
            self._greet()
            return
        try:
            command = parse_message(json.dumps(content))
        except MessageError as error:
            self.outbox.reply(error_message(str(error)))
            return
        if command.type == "ack":
            self.outbox.acknowledge()
        elif command.type == "setup" and command.setup == self.session.setup:
            self.session.submit(("refresh", Future()))  # a view drew itself: same run, same picture
        else:
            if command.setup is not None:
                self.setup_fields = _json_setup(command.setup)
            if not self.session.submit(command):
                self.outbox.reply(error_message("too many commands at once: wait a moment"))

    def _greet(self) -> None:
        """A new view: the hello (its defaults are this widget's setup) and the CSV's columns."""
        self.outbox.restart()  # pace frames by the new view's acks
        self.outbox.reply(json.dumps(hello_message("widget", self.setup_fields)))
        if self._columns:
            self.outbox.reply(json.dumps({"type": "upload", "columns": self._columns}))

    def _status_from(self, frame: bytes) -> None:
        """The readouts of a frame's header, as the synced ``status``."""
        header, _ = decode(frame)
        keys: tuple[str, ...] = ("epoch", "step", "playing", "train_loss", "test_loss")
        keys += ("metric_name", "train_metric", "test_metric")
        self.status = {key: header.get(key) for key in keys}

    # Python's controls

    def start(self) -> None:
        """Train in the background (the front end's play)."""
        self.session.submit(Command("play"))

    def pause(self) -> None:
        """Stop training after the current step."""
        self.session.submit(Command("pause"))

    def step(self, steps: int = 1) -> None:
        """Take ``steps`` mini-batch steps, then return (the training is paused)."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise InputError(f"step: a whole number of steps >= 0, got {steps!r}")
        self.session.ask("steps", steps).result(WAIT_SECONDS + steps)

    def epoch(self) -> None:
        """Train to the end of the current epoch, then return."""
        self.session.submit(Command("epoch"))
        self.session.snapshot().result(WAIT_SECONDS)

    def reset(self) -> None:
        """Fresh weights for the same setup."""
        self.session.submit(Command("reset"))

    @property
    def network(self) -> Network:
        """A copy of the network as it is now (training carries on in the widget)."""
        return self.session.snapshot().result(WAIT_SECONDS).network

    @property
    def history(self) -> History:
        """A copy of the run's History: one row per epoch finished so far."""
        return self.session.ask("history").result(WAIT_SECONDS)

    def close(self) -> None:
        """Stop the worker, remove the data's folder and close the widget."""
        self.session.close()
        shutil.rmtree(self._folder, ignore_errors=True)
        super().close()


def _json_setup(setup: Any) -> dict[str, Any]:
    """A checked setup as the front end's JSON (tuples as lists)."""
    return json.loads(json.dumps(vars(setup)))
