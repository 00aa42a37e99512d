"""LivePlot: the loss curves redrawn in place while training runs, in a notebook or a terminal.

In a Jupyter kernel the callback displays the loss picture once (an IPython display
handle) and updates it at most every ``every_seconds``; the last update stays in the
saved notebook as a static SVG. Anywhere else it writes one progress line, rewritten in
place (``\\r``), and ends it with a newline::

    epoch 120/500  cost 0.3121  validation 0.3307

IPython is imported only inside a kernel, where it is already loaded.
"""

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from glassnet.training.callbacks import Callback, TrainingState
from glassnet.validation import check_number


def notebook_display() -> Callable[[str], Any] | None:
    """A function that shows HTML and returns its display handle, inside a kernel; else None."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return None
    ipython = shell.get_ipython()
    if ipython is None or not hasattr(ipython, "kernel"):
        return None  # a terminal IPython draws no HTML
    from IPython.display import HTML, display

    return lambda html: display(HTML(html), display_id=True)


class LivePlot(Callback):
    """Redraw the training and validation cost as training runs (``callbacks=[gn.LivePlot()]``).

    Parameters
    ----------
    every_seconds
        The least time between two redraws (or progress lines); the last epoch is always drawn.
    stream
        Where the progress line goes outside a notebook; default ``sys.stderr``.

    Examples
    --------
    >>> history = gn.train(network, X, y, epochs=500, callbacks=[gn.LivePlot()])  # doctest: +SKIP
    """

    def __init__(self, every_seconds: float = 0.25, stream: TextIO | None = None) -> None:
        self.every_seconds = check_number(every_seconds, "every_seconds", low=0.0)
        self.stream = stream
        self.handle: Any = None
        self.redraws = 0

    def on_train_begin(self, state: TrainingState) -> None:
        show = notebook_display()
        self._last = -float("inf")
        self.handle = show(self.html(state)) if show is not None else None
        self._line_open = False
        self._drawn = -1  # the number of epochs the last drawing showed

    def on_epoch_end(self, state: TrainingState) -> None:
        now = time.monotonic()
        if now - self._last >= self.every_seconds:
            self._last = now
            self._draw(state)

    def on_train_end(self, state: TrainingState) -> None:
        if self._drawn != len(state.history):
            self._draw(state)  # the last epoch, or where training stopped
        if self.handle is None and self._line_open:
            print(file=self._stream())

    def html(self, state: TrainingState) -> str:
        """The picture as it is now: the loss curves, and the epoch's numbers under them."""
        from glassnet.viz.html.history_view import best_of, history_series, loss_svg
        from glassnet.viz.html.markup import view

        history = state.history
        picture = loss_svg(history["epoch"], history_series(history), best_of(history))
        return view(picture, f"<div>{self.line(state)}</div>")

    def line(self, state: TrainingState) -> str:
        """``epoch 120/500  cost 0.3121  validation 0.3307``: epochs recorded, the last costs."""
        history = state.history
        if not len(history):
            return f"epoch 0/{state.epochs}"
        text = f"epoch {len(history)}/{state.epochs}  cost {history.last('cost'):.4f}"
        validation = history.last("val_cost")
        return text + ("" if validation != validation else f"  validation {validation:.4f}")

    def _draw(self, state: TrainingState) -> None:
        self.redraws += 1
        self._drawn = len(state.history)
        if self.handle is not None:
            from IPython.display import HTML

            self.handle.update(HTML(self.html(state)))
            return
        print(f"\r{self.line(state)}", end="", file=self._stream(), flush=True)
        self._line_open = True

    def _stream(self) -> TextIO:
        return self.stream or sys.stderr
