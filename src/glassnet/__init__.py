"""glassnet: a neural network from scratch in NumPy that you can read, inspect and trust.

The core, in reading order: :mod:`~glassnet.activations`, :mod:`~glassnet.losses`,
:mod:`~glassnet.initializers`, :mod:`~glassnet.network` (forward and backward),
:mod:`~glassnet.optimizers`, :mod:`~glassnet.training`.
"""

from glassnet.callbacks import Callback, EarlyStopping, PrintCost, TrainingState
from glassnet.errors import DivergenceError, GlassnetError, InputError, ModelFileError
from glassnet.gradcheck import GradientCheck, check_gradients
from glassnet.history import History
from glassnet.network import Gradients, Network, Trace, backward, cost, encode_targets, forward
from glassnet.optimizers import Adam, GradientDescent, make_optimizer
from glassnet.schedules import (
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    StepDecay,
    make_schedule,
)
from glassnet.training import train

__version__ = "0.1.0"

# Imported on first use, so that ``import glassnet`` does not load scikit-learn or SciPy.
_LAZY = {
    "MLPClassifier": "glassnet.estimators",
    "MLPRegressor": "glassnet.estimators",
    "TrainedModel": "glassnet.model",
    "save": "glassnet.io",
    "load": "glassnet.io",
    "explain": "glassnet.explain",
    "GradientNorms": "glassnet.inspection",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [  # noqa: RUF022 - the lazy names are listed with the others
    "Adam",
    "GradientNorms",
    "MLPClassifier",
    "MLPRegressor",
    "TrainedModel",
    "explain",
    "load",
    "save",
    "Callback",
    "DivergenceError",
    "EarlyStopping",
    "ExponentialDecay",
    "GlassnetError",
    "GradientCheck",
    "GradientDescent",
    "Gradients",
    "History",
    "InputError",
    "InverseScaling",
    "ModelFileError",
    "Network",
    "PrintCost",
    "ReduceOnPlateau",
    "StepDecay",
    "Trace",
    "TrainingState",
    "__version__",
    "backward",
    "check_gradients",
    "cost",
    "encode_targets",
    "forward",
    "make_optimizer",
    "make_schedule",
    "train",
]
