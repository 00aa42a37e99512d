"""One tab's session: a worker thread that owns the network and drives the training engine.

    WebSocket ──parse_message──> commands (a bounded queue) ──> worker thread
    worker: setup / play / pause / step / epoch / reset / add_point / inspect
            while playing: engine.step() x steps_per_frame, then one frame
    worker ──frames (latest value) and replies──> Outbox ──> WebSocket

Only the worker touches the network and the engine, so nothing is shared between
threads but the queue and the outbox. Training is :mod:`glassnet.training.engine`'s
engine, stepped; a diverging step pauses the run with a message and a hint, and no
frame with NaN pictures is sent.
"""

import json
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.core.network import Network
from glassnet.errors import DivergenceError, GlassnetError
from glassnet.playground.frames import Curves, build_frame, points_message
from glassnet.playground.glassbox import check_place, finite, unit_view, weight_view
from glassnet.playground.outbox import Outbox
from glassnet.playground.problem import Problem, build_problem
from glassnet.playground.schema import Command, Setup
from glassnet.training.engine import Engine, start

MAX_PENDING_COMMANDS = 32
FRAME_WAIT_SECONDS = 0.25  # a page that does not acknowledge still gets a new frame this often
COMMAND_POLL_SECONDS = 0.01  # while a frame waits to be sent, commands are read this often
UNLIMITED_EPOCHS = 10**9


@dataclass
class Snapshot:
    """A copy of what a download needs: the network, the problem and the setup."""

    network: Network
    problem: Problem
    setup: Setup
    epoch: int


def error_message(text: str, hint: str = "") -> str:
    """An error frame: ``{"type": "error", "message": ..., "hint": ...}``."""
    return json.dumps({"type": "error", "message": text, "hint": hint})


class Session:
    """A tab's network, data and engine, trained in its own thread.

    Parameters
    ----------
    outbox
        Where replies and frames go.
    upload
        The file this tab's uploaded CSV is written to (its name is the server's own).
    """

    def __init__(self, outbox: Outbox, upload: Path) -> None:
        self.outbox = outbox
        self.upload = upload
        self._commands: queue.Queue[Any] = queue.Queue(MAX_PENDING_COMMANDS)
        self._closed = threading.Event()
        self.setup: Setup | None = None
        self.problem: Problem | None = None
        self.network: Network | None = None
        self.engine: Engine | None = None
        self.before: dict[int, Any] = {}  # W[l] before the last step, for the glass box
        self.playing = False
        self.steps = 0
        self.curves = Curves()
        self._thread = threading.Thread(target=self._run, name="glassnet-playground", daemon=True)
        self._thread.start()

    def submit(self, command: Command | tuple[str, Future[Any]]) -> bool:
        """Queue a command for the worker; False when too many are waiting."""
        try:
            self._commands.put_nowait(command)
        except queue.Full:
            return False
        return True

    def ask(self, kind: str, *args: Any) -> "Future[Any]":
        """Queue the request ``(kind, future, *args)`` for the worker; the future it answers.

        The future fails at once with "the session is busy" when too many commands wait.
        """
        future: Future[Any] = Future()
        if not self.submit((kind, future, *args)):
            future.set_exception(RuntimeError("the session is busy: try again"))
        return future

    def snapshot(self) -> "Future[Snapshot]":
        """A copy of the network and its data, made by the worker between two steps."""
        return self.ask("snapshot")

    def close(self) -> None:
        """Stop the worker (the tab closed) and wait for it, 5 s at most."""
        self._closed.set()
        self.submit(("close", Future()))
        self._thread.join(5.0)

    # the worker thread

    def _run(self) -> None:
        posted = time.monotonic()
        while not self._closed.is_set():
            try:
                self._handle(self._commands.get(timeout=None if not self.playing else 0))
                continue
            except queue.Empty:
                pass
            # the next frame once the page took the last one (or it waited too long)
            ready = self.outbox.frame_taken.wait(COMMAND_POLL_SECONDS)
            if self.playing and (ready or time.monotonic() - posted > FRAME_WAIT_SECONDS):
                self._train(self.setup.steps_per_frame if self.setup else 1)
                posted = time.monotonic()

    def _handle(self, command: Command | tuple[str, Future[Any]]) -> None:
        if isinstance(command, tuple):
            kind, future = command
            if kind == "snapshot":
                self._snapshot(future)
            return
        try:
            handler = getattr(self, f"_on_{command.type}")
            handler(command)
        except GlassnetError as error:
            self.playing = False
            self.outbox.reply(error_message(str(error).replace(str(self.upload), "the upload")))

    def _snapshot(self, future: Future[Any]) -> None:
        if self.network is None or self.problem is None or self.setup is None:
            future.set_exception(RuntimeError("nothing trained yet: send a setup first"))
            return
        epoch = self.engine.epoch if self.engine is not None else 0
        future.set_result(Snapshot(self.network.copy(), self.problem, self.setup, epoch))

    def _on_setup(self, command: Command) -> None:
        assert command.setup is not None
        self.playing = False
        self.problem = build_problem(command.setup, self.upload if self.upload.exists() else None)
        self.setup = command.setup
        self.outbox.reply(points_message(self.problem))
        self._on_reset(command)

    def _on_reset(self, command: Command) -> None:
        if self.setup is None or self.problem is None:
            self.outbox.reply(error_message("send a setup first"))
            return
        sizes = self.problem.layer_sizes(self.setup.hidden)
        hidden = list(self.setup.activations) or "relu"
        self.network = Network(
            sizes,
            hidden=hidden,
            output=self.problem.output,
            random_state=self.setup.seed,
            loss=self.problem.loss,
        )
        self._start_engine()
        self.steps, self.curves, self.before = 0, Curves(), {}
        self._post_frame()

    def _start_engine(self) -> None:
        """A fresh engine on the current network and data (the weights carry on)."""
        setup, problem, network = self.setup, self.problem, self.network
        assert setup is not None and problem is not None and network is not None
        X = problem.X(problem.P)
        n_train = len(problem.train)
        validation = (X[problem.test], problem.y[problem.test]) if len(problem.test) else None
        self.engine = start(
            network,
            X[problem.train],
            problem.y[problem.train],
            optimizer=setup.optimizer,
            learning_rate=setup.learning_rate,
            batch_size=min(setup.batch_size, n_train) or None,
            alpha=setup.l2,
            dropout=setup.dropout or None,
            random_state=setup.seed,
            validation=validation,
            epochs=UNLIMITED_EPOCHS,
        )

    def _on_add_point(self, command: Command) -> None:
        if self.setup is None:
            self.outbox.reply(error_message("send a setup first"))
            return
        point = (command.fields["x1"], command.fields["x2"], command.fields["label"])
        self.setup = replace(self.setup, added=(*self.setup.added, point))
        self.problem = build_problem(self.setup, self.upload if self.upload.exists() else None)
        self.outbox.reply(points_message(self.problem))
        self._start_engine()  # the same network, trained on one point more
        self._post_frame()

    def _on_play(self, command: Command) -> None:
        self.playing = self.engine is not None

    def _on_pause(self, command: Command) -> None:
        self.playing = False
        self._post_frame()

    def _on_step(self, command: Command) -> None:
        self.playing = False
        self._train(1)

    def _on_epoch(self, command: Command) -> None:
        self.playing = False
        if self.engine is None:
            return
        start_epoch = self.engine.epoch
        self._train_until(lambda: self.engine is None or self.engine.epoch != start_epoch)

    def _on_ack(self, command: Command) -> None:
        """Handled on the event loop (the outbox); nothing to do in the worker."""

    def _on_inspect(self, command: Command) -> None:
        network, engine = self.network, self.engine
        if network is None or engine is None or engine.grads is None or engine.trace is None:
            self.outbox.reply(error_message("inspect: take a step first", "press step"))
            return
        l, j, i = command.fields["layer"], command.fields["unit"], command.fields["source"]
        problem = check_place(network, l, j, i)
        if problem is not None:
            self.outbox.reply(error_message(problem))
            return
        if i < 0:
            view = unit_view(network, engine.trace, engine.grads, l, j)
        else:
            assert self.setup is not None
            before = self.before or network.W
            view = weight_view(network, before, engine.grads, self.setup.optimizer, l, i, j)
        view["finite"] = finite(view)
        self.outbox.reply(
            json.dumps(view, allow_nan=False)
            if view["finite"]
            else error_message("the step diverged")
        )

    def _train(self, steps: int) -> None:
        counted = iter(range(steps))
        self._train_until(lambda: next(counted, None) is None)

    def _train_until(self, done: Any) -> None:
        """Step the engine until ``done()``; then post a frame. Divergence pauses the run."""
        engine, network = self.engine, self.network
        if engine is None or network is None:
            return
        try:
            while not done():
                self.before = {l: W.copy() for l, W in network.W.items()}
                if engine.step() is None:
                    break
                self.steps += 1
        except DivergenceError as error:
            self._diverged(str(error))
            return
        if not all(np.isfinite(p).all() for p in network.parameters()):
            self._diverged("the weights became NaN or inf")
            return
        self._post_frame()

    def _diverged(self, why: str) -> None:
        self.playing = False
        self.engine = None  # reset (or a new setup) starts again
        self.outbox.reply(
            json.dumps(
                {
                    "type": "diverged",
                    "message": f"training diverged: {why}",
                    "hint": "try a smaller learning rate, then reset",
                }
            )
        )

    def _post_frame(self) -> None:
        network, problem, engine = self.network, self.problem, self.engine
        if network is None or problem is None:
            return
        n_batches = 1
        if self.setup is not None and self.setup.batch_size:
            n_batches = -(-len(problem.train) // min(self.setup.batch_size, len(problem.train)))
        status = {
            "epoch": engine.epoch if engine is not None else 0,
            "step": self.steps,
            "epoch_progress": self.steps / n_batches,
            "playing": self.playing,
        }
        grads = engine.grads if engine is not None else None
        try:
            frame = build_frame(network, problem, grads, status, self.curves)
        except FloatingPointError as error:
            self._diverged(str(error))  # never a picture of NaN
            return
        self.outbox.post_frame(frame)
