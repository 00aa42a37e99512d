"""A network as a notebook shows it: one SVG group per layer, and the layers as a table.

    layer 0        layer 1              layer 2
    A0 = X         Z1 = A0 W1 + b1      Z2 = A1 W2 + b2
    2 inputs       A1 = relu(Z1)        A2 = sigmoid(Z2)
      o ──────────── o ───────────────── o
      o              o   [W1 heatmap]       [W2 heatmap]

Each ``<g class="gn-layer">`` carries ``data-layer``, ``data-units`` and, from layer 1
on, ``data-shape`` (W[l]'s shape, (n_{l-1}, n_l)): a test reads them back. The lines
between units are the weights (blue positive, orange negative, wider when larger);
layers wider than :data:`SHOWN_UNITS` show their first units and ``+k more``.
"""

from html import escape

import numpy as np

from glassnet.core.network import Network
from glassnet.viz.html.markup import cell, heatmap, svg, svg_text, table, view, weight_colour

SHOWN_UNITS = 8
COLUMN = 170  # pixels per layer
TOP = 58  # the first unit's centre
GAP = 24  # between two units' centres
HEATMAP = 64


def equations(network: Network, l: int) -> tuple[str, str]:
    """``Z[l] = A[l-1] W[l] + b[l]`` and ``A[l] = g(Z[l])`` as the tutorials write them."""
    if l == 0:
        return "A0 = X", f"{network.layer_sizes[0]} inputs"
    name = network.activations[l - 1].name
    return f"Z{l} = A{l - 1} W{l} + b{l}", f"A{l} = {name}(Z{l})"


def unit_y(j: int) -> float:
    """The centre of unit ``j``'s circle."""
    return TOP + GAP * j


def _lines(network: Network, l: int) -> str:
    """The weights W[l] between the shown units of layers l-1 and l, as lines."""
    W = network.W[l]
    scale = float(np.abs(W).max()) or 1.0
    shown_in = min(W.shape[0], SHOWN_UNITS)
    shown_out = min(W.shape[1], SHOWN_UNITS)
    x0, x1 = COLUMN * (l - 1) + 30, COLUMN * l + 30
    return "".join(
        f'<line x1="{x0 + 8}" y1="{unit_y(i):.1f}" x2="{x1 - 8}" y2="{unit_y(j):.1f}" '
        f'stroke="{weight_colour(float(W[i, j]), scale)}" '
        f'stroke-width="{0.5 + 2.5 * abs(float(W[i, j])) / scale:.2f}"/>'
        for i in range(shown_in)
        for j in range(shown_out)
    )


def _layer(network: Network, l: int, height: float) -> str:
    """One layer's group: its title, equations, units and (from layer 1) W[l]'s heatmap."""
    units = network.layer_sizes[l]
    x = COLUMN * l + 30
    first, second = equations(network, l)
    parts = [
        svg_text(x - 22, 16, f"layer {l}" if l else "input", 12),
        svg_text(x - 22, 30, first, 11),
        svg_text(x - 22, 43, second, 11),
    ]
    for j in range(min(units, SHOWN_UNITS)):
        parts.append(
            f'<circle cx="{x}" cy="{unit_y(j):.1f}" r="8" fill="none" stroke="currentColor"/>'
        )
    if units > SHOWN_UNITS:
        parts.append(svg_text(x - 22, unit_y(SHOWN_UNITS) + 4, f"+{units - SHOWN_UNITS} more", 11))
    shape = ""
    if l:
        W = network.W[l]
        shape = f' data-shape="{W.shape[0]},{W.shape[1]}"'
        top = height - HEATMAP - 22
        parts.append(heatmap(W, x + 20, top, HEATMAP, f"W{l}"))
        parts.append(svg_text(x + 20, height - 6, f"W{l} {W.shape}", 11))
    return f'<g class="gn-layer" data-layer="{l}" data-units="{units}"{shape}>{"".join(parts)}</g>'


def network_svg(network: Network) -> str:
    """The diagram: one group per layer (0 is the input), the weights as lines between them."""
    L = network.n_layers
    shown = min(max(network.layer_sizes), SHOWN_UNITS + 1)
    height = unit_y(shown) + HEATMAP + 30
    width = COLUMN * L + 130
    body = "".join(_lines(network, l) for l in range(1, L + 1) if network.embedding is None)
    body += "".join(_layer(network, l, height) for l in range(L + 1))
    return svg(width, height, body, f"network {network.layer_sizes}")


def layers_table(network: Network) -> str:
    """The layers as rows: W[l] and b[l]'s shapes, the activation, the equations, the count."""
    rows = []
    for l in range(1, network.n_layers + 1):
        W, b = network.W[l], network.b[l]
        first, second = equations(network, l)
        rows.append(
            [
                cell(str(l), numeric=True),
                cell(str(W.shape), layer=str(l)),
                cell(str(b.shape)),
                cell(network.activations[l - 1].name),
                f'<td class="gn-eq">{escape(first)}<br>{escape(second)}</td>',
                cell(f"{W.size + b.size:,}", numeric=True),
            ]
        )
    headings = ["l", "W[l]", "b[l]", "activation", "equations", "parameters"]
    return table(headings, rows, css="gn-layers")


def network_html(network: Network) -> str:
    """``Network._repr_html_``: the diagram, the layers' table, the loss and the dtype."""
    note = (
        f'<div class="gn-faint">loss: {escape(network.loss.name)} · init: '
        f"{escape(network.init)} · dtype: {escape(network.dtype.name)}"
        + (
            ""
            if network.embedding is None
            else f" · embedding K = {network.embedding.n_frequencies}"
        )
        + " · rows are samples (Z = A W + b)</div>"
    )
    title = f"Network {network.layer_sizes}"
    return view(network_svg(network), layers_table(network), note, title=title)
