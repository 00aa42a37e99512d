"""Checkpoint: keep the best model of a run on disk while it trains.

The training layer decides *when* to write (an epoch that beats the best monitored cost,
by :class:`~glassnet.training.callbacks.BestEpoch`'s rules); the ``save`` it is given
(e.g. :func:`glassnet.save`, which writes atomically) decides how. A crash, a Ctrl-C or
a divergence therefore leaves the best model so far on disk, not the last one.
"""

import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from glassnet.core.network import Network
from glassnet.training.callbacks import BestEpoch, TrainingState
from glassnet.validation import check_number

Wrap = Callable[[Network, dict[str, Any]], Any]
Save = Callable[[Any, Path], object]


class Checkpoint(BestEpoch):
    """Save the best model so far to ``path`` in the epochs it improves.

    Parameters
    ----------
    path
        The model file to (over)write, used exactly as given; its folder is created
        when training begins.
    save
        ``(object, path) -> anything`` that writes the file, e.g. :func:`glassnet.save`.
    wrap
        ``(network, record) -> object to save``, e.g. a
        :class:`~glassnet.runs.model.TrainedModel` around the network; ``record`` is
        ``{"best_epoch": e, "monitor": "val_cost" or "cost", <monitor>: value}``.
        Default: the bare network.
    min_interval
        Seconds between two writes. An improvement sooner than that is kept in
        memory and written at the next improvement after the interval, or when
        training ends (however it ends): with full-batch gradient descent nearly
        every epoch improves, and a write (with its fsync) can cost more than an
        epoch. 0 writes at every improving epoch.

    Attributes
    ----------
    best : float
        The lowest monitored cost seen (inf before the first epoch).
    best_epoch : int or None
        The epoch that scored it.
    saved_epoch : int or None
        The epoch whose weights are in the file.
    writes : int
        How many times the file was written in this run.

    Notes
    -----
    An epoch that does not improve costs one comparison; with full-batch training
    on the training cost, also a copy of the weights at the epoch's start. The
    optimizer's state is not saved: training resumed from a checkpoint starts with
    fresh momentum velocities and Adam moments, and the schedule starts over.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        save: Save,
        wrap: Wrap | None = None,
        min_interval: float = 1.0,
    ) -> None:
        self.path = Path(path)
        self.save = save
        self.wrap = wrap
        self.min_interval = check_number(min_interval, "min_interval (seconds)", low=0)

    def on_train_begin(self, state: TrainingState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)  # a bad folder fails before epoch 0
        super().on_train_begin(state)
        self.saved_epoch: int | None = None
        self.writes = 0
        self._written_at = -math.inf

    def on_epoch_end(self, state: TrainingState) -> None:
        if self.update(state) and time.monotonic() - self._written_at >= self.min_interval:
            self._write()

    def on_train_end(self, state: TrainingState) -> None:
        if self.best_epoch is not None and self.saved_epoch != self.best_epoch:
            self._write()

    def _write(self) -> None:
        monitor, best = self.best_monitor, self.best_weights
        record = {"best_epoch": self.best_epoch, "monitor": monitor, monitor: self.best}
        self.save(best if self.wrap is None else self.wrap(best, record), self.path)
        self.saved_epoch = self.best_epoch
        self.writes += 1
        self._written_at = time.monotonic()
