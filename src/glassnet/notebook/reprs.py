"""Each glassnet class's ``_repr_html_``, attached from above: the lower layers hold no HTML.

``core``, ``training`` and ``runs`` may not import ``viz`` (``tests/test_layers.py``), so
``glassnet/__init__.py`` calls :func:`install` at import: it sets ``_repr_html_`` on
:class:`~glassnet.core.network.Network`, :class:`~glassnet.training.history.History` and
:class:`~glassnet.core.gradcheck.GradientCheck`, and on the classes of the modules loaded
on first use (:class:`~glassnet.runs.model.TrainedModel`, the estimators) once they are
loaded. Each method imports its view only when a notebook asks for it, so
``import glassnet`` stays light. Plain ``repr`` is left as it is.
"""

import sys
from typing import Any

from glassnet.core.gradcheck import GradientCheck
from glassnet.core.network import Network
from glassnet.training.history import History


def network_repr(network: Network) -> str:
    """``Network._repr_html_``."""
    from glassnet.viz.notebook.network_view import network_html

    return network_html(network)


def history_repr(history: History) -> str:
    """``History._repr_html_``."""
    from glassnet.viz.notebook.history_view import history_html

    return history_html(history)


def gradcheck_repr(check: GradientCheck) -> str:
    """``GradientCheck._repr_html_``."""
    from glassnet.viz.notebook.gradcheck_view import gradcheck_html

    return gradcheck_html(check)


def model_repr(model: Any) -> str:
    """``TrainedModel._repr_html_``."""
    from glassnet.viz.notebook.model_view import model_html

    return model_html(model)


def estimator_repr(estimator: Any) -> str:
    """``MLPClassifier._repr_html_`` and ``MLPRegressor._repr_html_``."""
    from glassnet.viz.notebook.estimator_view import estimator_html

    return estimator_html(estimator)


def estimator_bundle(estimator: Any, **kwargs: Any) -> dict[str, str]:
    """The estimators' ``_repr_mimebundle_`` (Jupyter asks for it before ``_repr_html_``)."""
    from glassnet.viz.notebook.estimator_view import estimator_mimebundle

    return estimator_mimebundle(estimator, **kwargs)


def install() -> None:
    """Attach the views of the classes loaded now; call again after loading more."""
    Network._repr_html_ = network_repr  # type: ignore[attr-defined]
    History._repr_html_ = history_repr  # type: ignore[attr-defined]
    GradientCheck._repr_html_ = gradcheck_repr  # type: ignore[attr-defined]
    if "glassnet.runs.model" in sys.modules:
        from glassnet.runs.model import TrainedModel

        TrainedModel._repr_html_ = model_repr  # type: ignore[attr-defined]
    if "glassnet.estimators" in sys.modules:
        from glassnet.estimators import MLPClassifier, MLPRegressor

        for estimator in (MLPClassifier, MLPRegressor):
            estimator._repr_html_ = estimator_repr
            estimator._repr_mimebundle_ = estimator_bundle
