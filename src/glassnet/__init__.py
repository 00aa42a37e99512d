"""glassnet: a neural network from scratch in NumPy that you can read, inspect and trust.

The package is in layers, each importing only from those above it:
:mod:`glassnet.core` (the network math, NumPy only), :mod:`glassnet.training`,
:mod:`glassnet.data`, :mod:`glassnet.files`, :mod:`glassnet.runs`, :mod:`glassnet.viz`,
:mod:`glassnet.estimators` and :mod:`glassnet.cli`.
"""

from glassnet._version import __version__
from glassnet.core import (
    Adam,
    AdamW,
    GradientCheck,
    GradientDescent,
    Gradients,
    Network,
    Trace,
    backward,
    check_gradients,
    cost,
    encode_targets,
    forward,
    make_optimizer,
)
from glassnet.errors import (
    DivergenceError,
    DivergenceWarning,
    GlassnetError,
    InputError,
    ModelFileError,
)
from glassnet.notebook.reprs import install as install_reprs
from glassnet.training import (
    Callback,
    EarlyStopping,
    ExponentialDecay,
    History,
    InverseScaling,
    PrintCost,
    ReduceOnPlateau,
    StepDecay,
    TrainingState,
    make_schedule,
    train,
)

# Imported on first use, so that ``import glassnet`` does not load scikit-learn or SciPy.
_LAZY = {
    "MLPClassifier": "glassnet.estimators",
    "MLPRegressor": "glassnet.estimators",
    "TabularClassifier": "glassnet.estimators.tabular",  # pandas and scikit-learn, on first use
    "TabularRegressor": "glassnet.estimators.tabular",
    "TrainedModel": "glassnet.runs.model",
    "save": "glassnet.files.model_file",  # every kind's module is imported on first use
    "load": "glassnet.files.model_file",
    "explain": "glassnet.viz",
    "GradientNorms": "glassnet.training.inspection",
    "LivePlot": "glassnet.notebook.live",
    "Playground": "glassnet.notebook.widget",  # anywidget: the extra glassnet[notebook]
}

install_reprs()  # every class's _repr_html_, attached from here (glassnet/notebook/reprs.py)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        found = getattr(importlib.import_module(_LAZY[name]), name)
        install_reprs()  # the classes just loaded (TrainedModel, the estimators) get theirs
        return found
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [  # the lazy names (_LAZY), then the others
    *_LAZY,
    "Adam",
    "AdamW",
    "Callback",
    "DivergenceError",
    "DivergenceWarning",
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
