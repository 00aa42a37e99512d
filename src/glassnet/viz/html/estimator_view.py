"""A glassnet estimator as a notebook shows it: scikit-learn's own diagram, then the network.

Unfitted, it is scikit-learn's HTML alone (the parameter table, the fitted badge).
Fitted, the network (``network_``) and the loss curve (``loss_curve_``, with
``validation_scores_`` noted) follow it.
"""

from typing import Any

from glassnet.viz.html.history_view import loss_svg
from glassnet.viz.html.markup import view
from glassnet.viz.html.network_view import layers_table, network_svg


def estimator_html(estimator: Any) -> str:
    """scikit-learn's ``estimator_html_repr`` and, when fitted, the network and the loss."""
    from sklearn.utils import estimator_html_repr

    own = estimator_html_repr(estimator)
    if not hasattr(estimator, "coefs_"):
        return own
    curve = list(getattr(estimator, "loss_curve_", None) or [])
    picture = loss_svg(range(1, len(curve) + 1), {"cost": curve}, best_epoch=_best(curve))
    network = estimator.network_
    return own + view(network_svg(network), layers_table(network), picture, title="network_")


def _best(curve: list[float]) -> int | None:
    """The epoch (from 1) of the lowest training loss."""
    return 1 + min(range(len(curve)), key=curve.__getitem__) if curve else None


def estimator_mimebundle(estimator: Any, **kwargs: Any) -> dict[str, str]:
    """What Jupyter asks an estimator for first: its text repr and :func:`estimator_html`."""
    return {"text/plain": repr(estimator), "text/html": estimator_html(estimator)}
