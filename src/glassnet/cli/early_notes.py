"""What ``glassnet train`` tells the user before it trains, not after.

As soon as the table is read and its encoder fitted (``run_training``'s ``on_ready``),
the notes of reading it, the column table (each column's role and what was done to
it) and the warnings raised so far are printed; training starts after. A run that
cannot call back early (on a cluster) has them printed when it ends, as before.
"""

import warnings
from collections.abc import Sequence

import click
from rich.console import Console
from rich.text import Text

from glassnet.cli.train_summary import columns_table, table_notes
from glassnet.runs import RunResult


class EarlyNotes:
    """Prints a run's notes, column table and warnings once each, as early as it can.

    Parameters
    ----------
    console : Console
        Where the notes and the column table go (the warnings go to standard error).
    caught : sequence of warnings.WarningMessage
        The list ``warnings.catch_warnings(record=True)`` fills while the run goes on.
    """

    def __init__(self, console: Console, caught: Sequence[warnings.WarningMessage]) -> None:
        self.console = console
        self.caught = caught
        self.shown: set[str] = set()
        self.told = False

    def __call__(self, result: RunResult) -> None:
        """``on_ready``: the run is built and about to train."""
        self.warn()
        self.tell(result)

    def tell(self, result: RunResult) -> None:
        """The table's notes and its column table, unless printed already."""
        if self.told:
            return
        self.told = True
        for note in table_notes(result):
            self.console.print(Text(f"note: {note}"))
        columns = columns_table(result)
        if columns is not None:
            self.console.print(columns)

    def warn(self, result: RunResult | None = None) -> None:
        """Each warning caught and not yet shown, one line; with the finished ``result``,
        not the one that says the run was interrupted (the summary says that)."""
        history = None if result is None else result.history
        stopped = history.stop_reason if history is not None and history.interrupted else None
        for warning in self.caught:
            message = str(warning.message)
            if stopped is not None and stopped in message:
                continue
            if issubclass(warning.category, UserWarning) and message not in self.shown:
                click.echo(f"warning: {message}", err=True)
                self.shown.add(message)
