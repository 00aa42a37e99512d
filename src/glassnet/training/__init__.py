"""Training: the loop, and the steps and callbacks around it.

:func:`~glassnet.training.loop.train` is the one loop (full batch, mini-batch or
stochastic). What it records is a :class:`~glassnet.training.history.History`;
printing, schedules, early stopping, checkpoints and gradient norms are callbacks.
Built on :mod:`glassnet.core` only.
"""

from glassnet.training.callbacks import Callback, EarlyStopping, PrintCost, TrainingState
from glassnet.training.checkpoint import Checkpoint
from glassnet.training.history import History
from glassnet.training.inspection import GradientNorms
from glassnet.training.loop import train
from glassnet.training.schedules import (
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    StepDecay,
    make_schedule,
)

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "ExponentialDecay",
    "GradientNorms",
    "History",
    "InverseScaling",
    "PrintCost",
    "ReduceOnPlateau",
    "StepDecay",
    "TrainingState",
    "make_schedule",
    "train",
]
