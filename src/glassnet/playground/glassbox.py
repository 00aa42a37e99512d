"""The glass box of the current step: one unit's Z, A, dA, dZ, or one weight's W, dW and update.

The numbers are the engine's last step (its Trace and Gradients) and the network's
weights before and after it; the formulas are the ones ``glassnet explain`` prints
(:mod:`glassnet.viz.explain`), in the tutorials' names: ``Z2 = A1 W2 + b2``,
``dZ2 = A2 - Y``, ``dW2 = A1^T dZ2 / m``.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.core.trace import Gradients, Trace
from glassnet.viz.explain import ACTIVATION_FORMULAS, DERIVATIVE_FORMULAS, output_text

SHOWN_ROWS = 4  # the first rows of the batch shown beside their mean

UPDATE_FORMULAS: dict[str, str] = {
    "gd": "W{l} := W{l} - lr dW{l}",
    "momentum": "v := mu v - lr dW{l};  W{l} := W{l} + v",
    "adam": "W{l} := W{l} - lr m_hat / (sqrt(v_hat) + eps)"
    "  (m, v: running means of dW{l}, dW{l}^2)",
}
"""How each optimizer the page offers moves a weight."""


def _column(values: NDArray[Any], note: str, formula: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "formula": formula,
        "note": note,
        "rows": [float(v) for v in values[:SHOWN_ROWS]],
        "mean": float(values.mean()),
        "m": int(values.shape[0]),
    }


def unit_view(network: Network, trace: Trace, grads: Gradients, l: int, j: int) -> dict[str, Any]:
    """Unit j of layer l (both from 1 for layers, 0 for units): Z, A, dA and dZ of its batch."""
    L = network.n_layers
    activation = network.activations[l - 1].name
    read = f"A{l - 1}" if l > 1 else "X"
    values = [
        _column(
            trace.Z[l][:, j],
            "one column of the layer's pre-activation",
            f"Z{l} = {read} W{l} + b{l}",
            f"Z{l}[:, {j}]",
        ),
        _column(
            trace.A[l][:, j],
            activation,
            f"A{l} = {ACTIVATION_FORMULAS[activation].format(Z=f'Z{l}')}",
            f"A{l}[:, {j}]",
        ),
    ]
    if l < L:
        values.append(
            _column(
                grads.dA[l][:, j],
                "what the next layer sends back",
                f"dA{l} = dZ{l + 1} W{l + 1}^T",
                f"dA{l}[:, {j}]",
            )
        )
        dZ = DERIVATIVE_FORMULAS[activation].format(dA=f"dA{l}", A=f"A{l}", Z=f"Z{l}")
        values.append(
            _column(
                grads.dZ[l][:, j], "the chain rule through g", f"dZ{l} = {dZ}", f"dZ{l}[:, {j}]"
            )
        )
    else:
        text = output_text(network)
        dZ = f"dZ{l} = {text.dZ.format(A=f'A{l}')}"
        values.append(_column(grads.dZ[l][:, j], text.dZ_note, dZ, f"dZ{l}[:, {j}]"))
    return {"type": "glassbox", "kind": "unit", "layer": l, "unit": j, "values": values}


def weight_view(
    network: Network,
    before: dict[int, NDArray[Any]],
    grads: Gradients,
    optimizer: str,
    l: int,
    i: int,
    j: int,
) -> dict[str, Any]:
    """Weight W[l][i, j] (from unit i of layer l-1 to unit j of layer l): W, dW and the update."""
    read = f"A{l - 1}" if l > 1 else "X"
    W_before, W_after = float(before[l][i, j]), float(network.W[l][i, j])
    values = [
        {"name": f"W{l}[{i}, {j}]", "formula": "before the step", "value": W_before},
        {
            "name": f"dW{l}[{i}, {j}]",
            "formula": f"dW{l} = {read}^T dZ{l} / m  (+ l2 W{l})",
            "value": float(grads.dW[l][i, j]),
        },
        {
            "name": "update",
            "formula": UPDATE_FORMULAS[optimizer].format(l=l),
            "value": W_after - W_before,
        },
        {"name": f"W{l}[{i}, {j}]", "formula": "after the step", "value": W_after},
    ]
    return {
        "type": "glassbox",
        "kind": "weight",
        "layer": l,
        "unit": j,
        "source": i,
        "values": values,
    }


def check_place(network: Network, l: int, j: int, i: int) -> str | None:
    """Why (layer l, unit j, source i) names no unit or weight of ``network``; None if it does."""
    L = network.n_layers
    if not 1 <= l <= L:
        return f"inspect: layer must be 1 to {L}, got {l}"
    if not 0 <= j < network.layer_sizes[l]:
        return f"inspect: layer {l} has units 0 to {network.layer_sizes[l] - 1}, got {j}"
    if not -1 <= i < network.layer_sizes[l - 1]:
        return f"inspect: source must be -1 (the unit) or 0 to {network.layer_sizes[l - 1] - 1}"
    return None


def finite(values: dict[str, Any]) -> bool:
    """Whether every number of a view is finite."""
    numbers = [v.get("value", 0.0) for v in values["values"]] + [
        v.get("mean", 0.0) for v in values["values"]
    ]
    return bool(np.isfinite(numbers).all())
