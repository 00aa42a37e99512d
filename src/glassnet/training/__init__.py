"""Training: the engine, and the steps, callbacks and History around it (on :mod:`glassnet.core`).

``train`` is :func:`~glassnet.training.prepare.prepare` (check the arguments, hold out
the validation rows) then :func:`~glassnet.training.loop.run_epochs` (the engine, which
checks nothing). A caller that needs the checked arrays calls the two itself::

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
