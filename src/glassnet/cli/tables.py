"""The tables commands print: a summary of label-value rows, and a confusion matrix."""

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from glassnet.core.network import Network


def facts_table(title: str, rows: Iterable[tuple[str, str]]) -> Table:
    """One row per fact: its label in bold, its value (as plain text, never markup)."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, Text(value))
    return table


def confusion_table(classes: Sequence[Any], matrix: Sequence[Sequence[int]]) -> Table:
    """One row per true class, one column per predicted class."""
    table = Table()
    table.add_column("true \\ predicted")
    names = [str(label) for label in classes]
    for name in names:
        table.add_column(Text(name), justify="right")
    for name, row in zip(names, matrix, strict=True):
        table.add_row(Text(name), *(str(count) for count in row))
    return table


def network_shape(network: Network) -> str:
    """``2 -> 5 tanh -> 1 sigmoid``: each layer's units and activation."""
    names = [*network.hidden, network.output]
    sizes = network.layer_sizes
    layers = [f"{size} {name}" for size, name in zip(sizes[1:], names, strict=True)]
    return " -> ".join([str(sizes[0]), *layers])
