"""Training: the loop, and the steps and callbacks around it.

:func:`~glassnet.training.loop.train` is the one loop (full batch, mini-batch or
stochastic). What it records is a :class:`~glassnet.training.history.History`;
printing, schedules, early stopping, checkpoints and gradient norms are callbacks.
Built on :mod:`glassnet.core` only.

``train`` is :func:`~glassnet.training.prepare.prepare` (check the arguments, hold
out the validation rows) then :func:`~glassnet.training.loop.run_epochs` (the loop,
which checks nothing). A caller that needs the checked arrays (a run that also
probes gradient norms) calls the two itself::

    plan = prepare(network, X, y, epochs=100, validation=0.2)
    norms = GradientNorms.from_checked(plan.X, plan.Y)
    history = run_epochs(network, plan, callbacks=[norms])
"""

from glassnet.training.callbacks import Callback, EarlyStopping, PrintCost, TrainingState
from glassnet.training.checkpoint import Checkpoint
from glassnet.training.history import History
from glassnet.training.inspection import GradientNorms
from glassnet.training.loop import run_epochs, train
from glassnet.training.prepare import TrainingPlan, prepare
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
    "TrainingPlan",
    "TrainingState",
    "make_schedule",
    "prepare",
    "run_epochs",
    "train",
]
