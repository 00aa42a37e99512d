"""Each glassnet class's ``_repr_html_``, attached from above: the lower layers hold no HTML.

``core``, ``training`` and ``runs`` may not import ``viz`` (``tests/test_layers.py``), so
``glassnet/__init__.py`` calls :func:`install` at import. Each method imports its view
(:mod:`glassnet.viz.html`) only when a notebook asks for it, so ``import glassnet``
stays light. Plain ``repr`` is left as it is.
"""

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

from glassnet.core.gradcheck import GradientCheck
from glassnet.core.network import Network
from glassnet.training.history import History


def _view(module: str, name: str) -> Callable[..., Any]:
    """A ``_repr_*_`` method calling ``glassnet.viz.html.<module>.<name>``, imported on use."""

    def method(obj: Any, **kwargs: Any) -> Any:
        return getattr(import_module(f"glassnet.viz.html.{module}"), name)(obj, **kwargs)

    return method


def install() -> None:
    """Attach the views of the classes loaded now; call again after loading more."""
    Network._repr_html_ = _view("network_view", "network_html")  # type: ignore[attr-defined]
    History._repr_html_ = _view("history_view", "history_html")  # type: ignore[attr-defined]
    GradientCheck._repr_html_ = _view("gradcheck_view", "gradcheck_html")  # type: ignore[attr-defined]
    if "glassnet.runs.model" in sys.modules:
        from glassnet.runs.model import TrainedModel

        TrainedModel._repr_html_ = _view("model_view", "model_html")  # type: ignore[attr-defined]
    if "glassnet.estimators" in sys.modules:
        from glassnet.estimators import MLPClassifier, MLPRegressor

        for estimator in (MLPClassifier, MLPRegressor):
            estimator._repr_html_ = _view("estimator_view", "estimator_html")
            estimator._repr_mimebundle_ = _view("estimator_view", "estimator_mimebundle")
