"""What a cluster run tells the user before they wait: many full-batch rounds, and the time left.

Full-batch descent on a cluster is exact, but each step is a round: a reduction over
every chunk (docs/distributed.md, "How long a run takes").
"""

import time
import warnings
from datetime import datetime, timedelta

from glassnet.runs.config import RunConfig
from glassnet.training.callbacks import Callback, TrainingState

MANY_ROUNDS = 1000  # full-batch rounds warned of: each is a reduction over the cluster
FAST_OPTIONS = "--optimizer adam --batch-size 256 --iterations 10"  # what trains in few rounds


def warn_of_many_rounds(config: RunConfig) -> None:
    """Full batch on a cluster is a round (a reduction over every chunk) per step: warn of
    thousands of them, and say what trains in far fewer."""
    if config.batch_size is None and config.epochs >= MANY_ROUNDS:
        warnings.warn(
            f"full-batch descent on a cluster runs {config.epochs} rounds, one reduction "
            "over every chunk each: on 200,000 rows 5000 of them took 28 min where "
            f"{FAST_OPTIONS} reached the same accuracy in 70 s. Pass {FAST_OPTIONS} (local "
            "SGD) unless you need the exact full-batch steps",
            UserWarning,
            stacklevel=3,
        )


class TimeLeft(Callback):
    """Print once, after the second epoch, how long the run's epochs take and when they end.

    ``Epoch 1 took 0.34 s: the 5000 epochs end in about 28 min (at 23:41).`` The first
    epoch also loads the chunks, so the second one is timed. A run on a cluster pays a
    reduction a round, so the estimate comes before the user has waited long.
    """

    def on_train_begin(self, state: TrainingState) -> None:
        self.epoch_began = time.perf_counter()

    def on_epoch_end(self, state: TrainingState) -> None:
        now = time.perf_counter()
        seconds, self.epoch_began = now - self.epoch_began, now  # this epoch's
        if state.epoch != 1 or state.epochs <= 2:
            return
        left = seconds * (state.epochs - 2)  # as long for each epoch after it
        until = (datetime.now() + timedelta(seconds=left)).strftime("%H:%M")
        print(
            f"Epoch 1 took {seconds:.2g} s: the {state.epochs} epochs end in about "
            f"{duration(left)} (at {until})."
        )


def duration(seconds: float) -> str:
    """``"42 s"``, ``"28 min"`` or ``"3.5 h"``: a time as a person reads it."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
