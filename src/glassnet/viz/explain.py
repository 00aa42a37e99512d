"""One iteration, step by step: the forward pass, the cost, the backward pass, the update.

:func:`explain` runs glassnet's own :func:`~glassnet.core.network.forward` and
:func:`~glassnet.core.network.backward` once on ``(X, y)``, then one plain gradient
descent step on a copy of the network, and writes every intermediate array in the
tutorials' names and order, for any depth (here a 2-5-1 net with tanh hidden)::

    Z1 = X W1 + b1            A1 = tanh(Z1)
    Z2 = A1 W2 + b2           A2 = sigmoid(Z2)
    J  = -1/m sum(Y log(A2) + (1 - Y) log(1 - A2))
    dZ2 = A2 - Y              dW2 = A1^T dZ2 / m      db2 = sum(dZ2) / m
    dA1 = dZ2 W2^T            dZ1 = dA1 * (1 - A1**2)
    dW1 = X^T dZ1 / m         db1 = sum(dZ1) / m
    W1 := W1 - lr dW1  ...    W2 := W2 - lr dW2  ...

With ``dropout`` the step is the masked one training takes: each hidden layer's mask
``M1 = (U >= p) / (1 - p)`` is shown after ``A1``, the next layer reads ``A1 * M1``
(``Z2 = (A1 * M1) W2 + b2``, ``dW2 = (A1 * M1)^T dZ2 / m``) and the way back goes
through it (``dA1 = dZ2 W2^T * M1``).

Rows are samples, so every ``Z`` here is the tutorials' ``Z`` transposed. Nothing
is computed twice: the numbers are the Trace and Gradients of the one forward and
backward pass; this module only names them. The formulas' text comes from the
dicts below, keyed by activation or output name.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.activations import LEAKY_SLOPE
from glassnet.core.dropout import Rates, check_dropout
from glassnet.core.network import Gradients, Network, Trace, encode_targets
from glassnet.core.optimizers import GradientDescent
from glassnet.errors import DivergenceError
from glassnet.training.batches import Batch
from glassnet.training.step import NonFiniteCostError, StepSettings, take_step
from glassnet.validation import check_features, check_lengths, check_random_state, check_X
from glassnet.viz.explanation import FORMATS, Explanation, Step, format_values

Array = NDArray[np.floating]

__all__ = ["FORMATS", "Explanation", "Step", "explain", "explain_step", "format_values"]

ACTIVATION_FORMULAS: dict[str, str] = {
    "sigmoid": "sigmoid({Z})",
    "tanh": "tanh({Z})",
    "relu": "max(0, {Z})",
    "leaky_relu": f"max({LEAKY_SLOPE} {{Z}}, {{Z}})",
    "identity": "{Z}",
    "softmax": "softmax({Z})",
    "exp": "exp({Z})",
}
"""A = g(Z), by activation name."""

DERIVATIVE_FORMULAS: dict[str, str] = {
    "sigmoid": "{dA} * {A} * (1 - {A})",
    "tanh": "{dA} * (1 - {A}**2)",
    "relu": "{dA} * ({Z} > 0)",
    "leaky_relu": f"{{dA}} * where({{Z}} > 0, 1, {LEAKY_SLOPE})",
    "identity": "{dA}",
}
"""dZ = dA * g'(Z) for each hidden activation, written in the derivative's own form."""


@dataclass(frozen=True)
class OutputText:
    """How the explanation writes an output layer and its paired loss."""

    cost: str  # the cost J, with {A} for the output's name
    dZ_note: str  # why dZ[L] = A[L] - Y
    targets: str  # what Y holds
    dZ: str = "{A} - Y"  # dZ[L], with {A} for the output's name


OUTPUT_TEXTS: dict[str, OutputText] = {
    "sigmoid": OutputText(
        "J = -1/m sum(Y log({A}) + (1 - Y) log(1 - {A}))",
        "sigmoid + binary cross-entropy, fused",
        "labels 0/1",
    ),
    "softmax": OutputText(
        "J = -1/m sum(Y log({A}))", "softmax + cross-entropy, fused; Y one-hot", "one-hot"
    ),
    "identity": OutputText("J = 1/(2m) sum(({A} - Y)**2)", "identity + squared error", "targets"),
    "exp": OutputText(
        "J = 1/m sum({A} - Y log({A}) + Y log(Y) - Y)",
        "exp + Poisson deviance, fused",
        "counts y >= 0",
    ),
}
"""The cost, the note on dZ[L] and the targets' form, by output activation."""

TEACHING_TEXTS: dict[tuple[str, str], OutputText] = {
    ("sigmoid", "squared_error"): OutputText(
        "J = 1/(2m) sum(({A} - Y)**2)",
        "sigmoid + squared error, not fused: sigma' stays in, and vanishes where it saturates",
        "labels 0/1",
        "({A} - Y) * {A} * (1 - {A})",
    ),
}
"""The same, for a loss that is not its output's pair (for teaching)."""


def output_text(network: Network) -> OutputText:
    """How the explanation writes ``network``'s output layer and its loss."""
    teaching = TEACHING_TEXTS.get((network.output, network.loss.name))
    return teaching or OUTPUT_TEXTS[network.output]


def explain(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    learning_rate: float = 0.3,
    format: str = "text",
    max_rows: int = 4,
    decimals: int = 4,
    rows_note: str = "",
    dropout: Rates = None,
    random_state: int | np.random.Generator | None = None,
) -> str:
    """One iteration of forward pass, cost, backward pass and update, written out step by step.

    Parameters
    ----------
    network
        The network to explain; it is not modified (the update runs on a copy).
    X, y
        Samples in rows, shape (m, n_x), and their targets as
        :func:`~glassnet.core.network.encode_targets` takes them.
    learning_rate
        lr of the plain gradient descent step ``W := W - lr dW``.
    format
        ``"text"`` for a terminal, ``"markdown"`` for a handout with a heading per
        section, each formula in backticks and its values in a fenced block.
    max_rows
        Arrays with more rows show the first ``max_rows`` and ``... (n rows)``.
    decimals
        Digits after the decimal point of every number shown.
    rows_note
        Which rows ``X`` holds, written under the network (``glassnet explain`` says
        they are the rows ``glassnet train`` fits); empty: nothing is written.
    dropout, random_state
        Explain the masked step of training with dropout: one rate, or one per hidden
        layer, and the seed its masks are drawn from. ``None``: no dropout.

    Returns
    -------
    str
        Every step's formula and shape and the first rows of its values.

    Raises
    ------
    InputError
        For an unknown ``format`` (the message lists the formats) or bad data.
    """
    explanation = explain_step(
        network,
        X,
        y,
        learning_rate=learning_rate,
        rows_note=rows_note,
        dropout=dropout,
        random_state=random_state,
    )
    return explanation.render(format, max_rows=max_rows, decimals=decimals)


def explain_step(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    learning_rate: float = 0.3,
    rows_note: str = "",
    dropout: Rates = None,
    random_state: int | np.random.Generator | None = None,
) -> Explanation:
    """Run one iteration and collect its steps; :meth:`Explanation.render` writes them out.

    ``rows_note``, ``dropout`` and ``random_state`` are :func:`explain`'s.
    """
    optimizer = GradientDescent(learning_rate)  # validates learning_rate
    X = check_X(X, dtype=network.dtype)
    y = np.asarray(y)
    check_lengths(X, y)
    check_features(X, network.layer_sizes[0])
    Y = encode_targets(network, y)
    rates = check_dropout(dropout, network.n_layers - 1)
    rng = check_random_state(random_state)
    updated = network.copy()  # the engine's one step, taken on a copy: W := W - lr dW
    try:
        first = take_step(
            updated, optimizer, Batch(X, Y, None, 1.0), StepSettings(dropout=rates), rng
        )
    except NonFiniteCostError as error:
        raise DivergenceError(
            f"the first step's {error}: give standardised features or a smaller network"
        ) from None
    trace, J, grads = first.trace, first.cost, first.grads
    steps = [
        *_input_steps(network, X, Y),
        *_forward_steps(network, trace, rates),
        *_cost_steps(network, J),
        *_backward_steps(network, trace, grads),
        *_update_steps(updated),
    ]
    return Explanation(
        repr(network),
        X.shape[0],
        optimizer.learning_rate,
        steps,
        J,
        trace,
        grads,
        updated,
        str(rows_note),
    )


def _a(l: int) -> str:
    """The tutorials' name of A[l]: A0 is X."""
    return "X" if l == 0 else f"A{l}"


def _read(l: int, trace: Trace) -> str:
    """What layer l + 1 read from layer l: ``A{l}``, or ``(A{l} * M{l})`` under dropout."""
    return f"(A{l} * M{l})" if l in trace.mask else _a(l)


def _input_steps(network: Network, X: Array, Y: Array) -> list[Step]:
    steps = [
        Step("inputs", "X", "X", X),
        Step("inputs", "Y", "Y", Y, output_text(network).targets),
    ]
    for l in network.W:
        steps.append(Step("inputs", f"W{l}", f"W{l}", network.W[l]))
        steps.append(Step("inputs", f"b{l}", f"b{l}", network.b[l]))
    return steps


def _forward_steps(network: Network, trace: Trace, rates: dict[int, float]) -> list[Step]:
    steps = []
    for l, activation in enumerate(network.activations, start=1):
        g = ACTIVATION_FORMULAS[activation.name].format(Z=f"Z{l}")
        Z = f"Z{l} = {_read(l - 1, trace)} W{l} + b{l}"
        steps.append(Step("forward", f"Z{l}", Z, trace.Z[l]))
        steps.append(Step("forward", f"A{l}", f"A{l} = {g}", trace.A[l]))
        if l in trace.mask:
            p = rates[l]
            mask = f"M{l} = (U >= {p:g}) / (1 - {p:g})"
            note = f"dropout: each unit kept with probability {1 - p:g}, scaled by 1/(1 - p)"
            steps.append(Step("forward", f"M{l}", mask, trace.mask[l], note))
            read = f"A{l} * M{l}"
            steps.append(Step("forward", read, read, trace.dropped[l], f"what layer {l + 1} reads"))
    return steps


def _cost_steps(network: Network, J: float) -> list[Step]:
    formula = output_text(network).cost.format(A=_a(network.n_layers))
    return [Step("cost", "J", formula, J, network.loss.name)]


def _backward_steps(network: Network, trace: Trace, grads: Gradients) -> list[Step]:
    L, text = network.n_layers, output_text(network)
    dZ = f"dZ{L} = {text.dZ.format(A=f'A{L}')}"
    steps = [Step("backward", f"dZ{L}", dZ, grads.dZ[L], text.dZ_note)]
    for l in range(L, 0, -1):
        if l < L:
            dA = f"dZ{l + 1} W{l + 1}^T" + (f" * M{l}" if l in trace.mask else "")
            steps.append(Step("backward", f"dA{l}", f"dA{l} = {dA}", grads.dA[l]))
            dZ = DERIVATIVE_FORMULAS[network.activations[l - 1].name].format(
                dA=f"dA{l}", A=f"A{l}", Z=f"Z{l}"
            )
            steps.append(Step("backward", f"dZ{l}", f"dZ{l} = {dZ}", grads.dZ[l]))
        dW = f"dW{l} = {_read(l - 1, trace)}^T dZ{l} / m"
        steps.append(Step("backward", f"dW{l}", dW, grads.dW[l]))
        steps.append(
            Step("backward", f"db{l}", f"db{l} = sum(dZ{l}) / m", grads.db[l], "sum over samples")
        )
    return steps


def _update_steps(updated: Network) -> list[Step]:
    steps = []
    for l in updated.W:
        steps.append(Step("update", f"W{l}", f"W{l} := W{l} - lr dW{l}", updated.W[l]))
        steps.append(Step("update", f"b{l}", f"b{l} := b{l} - lr db{l}", updated.b[l]))
    return steps
