"""``glassnet train``: a thin layer over :mod:`glassnet.runs.run`.

``glassnet train`` turns its options into a :class:`~glassnet.runs.config.RunConfig`, trains
with :func:`~glassnet.runs.run.run_training` (a rich progress bar on a terminal, the
tutorials' ``Cost after iteration i: c`` lines otherwise), writes the run folder
with :func:`~glassnet.runs.write_run_folder`, draws its pictures with
:func:`~glassnet.viz.draw_run` and ends with a summary table.
"""

import contextlib
import math
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from glassnet.cli.app import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_WRITE_FAILED,
    cli,
    fail,
    quiet_broken_pipe,
)
from glassnet.cli.options import as_option, config_fields, given_fields
from glassnet.cli.resume import resumed_options
from glassnet.cli.tables import confusion_table
from glassnet.cli.train_options import TRAIN_EPILOG, train_options
from glassnet.cli.train_summary import EarlyNotes, passes_word, summary_table
from glassnet.data.loading import DATASETS
from glassnet.errors import GlassnetError, InputError
from glassnet.runs import RunConfig, RunResult, run_training, write_run_folder
from glassnet.runs.manifest import claim_run_folder
from glassnet.training.callbacks import Callback, PrintCost, TrainingState
from glassnet.viz import draw_run

CLOSE_TIMEOUT = 5  # seconds to let a cluster's Client close
PRINTS_PER_RUN = 10  # without --print-every, off a terminal: print the cost this many times


@cli.command(epilog=TRAIN_EPILOG)
@train_options
def train(**options: Any) -> None:
    """Train a network on a data set and write a run folder.

    With only --data moons this trains the tutorial network (reference experiment 1):
    5 tanh hidden units, a sigmoid output, He initialisation, full-batch gradient
    descent with learning rate 0.3 for 5000 iterations, 20% of the data held out and
    the features standardised. --test-size 0 --no-standardize trains on all the
    data as examples/moons.py does, with the same numbers.
    """
    console = Console()
    try:
        options = resumed_options(options)
        config, show_bar = config_from_options(options)
        claim_out(config, options)
        early = EarlyNotes(console)
        result = _train(config, show_bar, cluster_choice(options), early)
        if result.history.interrupted:
            console.print(Text(_interruption(result), style="yellow"))
        folder = write_run_folder(result)  # the model is saved before anything is drawn
        if not options["no_plots"]:
            _draw(result, folder)
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    except BrokenPipeError:  # glassnet train ... | head
        quiet_broken_pipe()
    except OSError as error:
        fail(f"could not write the run folder: {error}", EXIT_WRITE_FAILED)
    early.tell(result)  # printed before training unless the run could not call back
    console.print(summary_table(result, folder))
    for line in recipe_lines(result.config):
        console.print(Text(line))
    if result.is_classification:
        part = result.metrics["confusion_matrix_part"]
        heading = f"Confusion matrix, {part} part (rows: true class, columns: predicted):"
        console.print(Text(heading))
        console.print(
            confusion_table(result.metrics["classes"], result.metrics["confusion_matrix"])
        )
    if result.history.interrupted:
        raise click.exceptions.Exit(EXIT_INTERRUPTED)


def config_from_options(options: dict[str, Any]) -> tuple[RunConfig, bool]:
    """The RunConfig the command line asks for, and whether to show a progress bar."""
    show_bar = options["print_every"] is None and sys.stdout.isatty() and not options["no_progress"]
    print_every = options["print_every"]
    if print_every is None and not show_bar:
        print_every = max(1, options["iterations"] // PRINTS_PER_RUN)
    fields = config_fields(options)
    if fields.get("recipe") == "auto" and options.get("dask"):
        fields["recipe"] = "tutorial"  # a cluster's run trains the options as given
    config = RunConfig(
        **fields,
        pinned=given_fields(options),
        print_every=print_every,
        out=str(options["out"] or default_out(options["data"])),
        resume_from=options.get("resume_from"),
    )
    return config, show_bar


def claim_out(config: RunConfig, options: dict[str, Any]) -> None:
    """Refuse an --out folder the run may not write, before training; ``--resume FOLDER
    --out FOLDER`` continues in place and needs no --overwrite."""
    out = Path(str(config.out))
    resumed = options.get("resume")
    in_place = resumed is not None and out.resolve() == Path(resumed).resolve()
    claim_run_folder(out, overwrite=options["overwrite"] or in_place)


def cluster_choice(options: dict[str, Any]) -> tuple[str, int | None] | None:
    """``(address, local_steps)`` for a run on Dask (--dask), or None for this process alone.

    A resumed run of a cluster takes the saved address and local steps unless given anew.
    """
    saved = options.get("saved_cluster") or {}  # resumed_options read it from the model file
    address = options.get("dask") or saved.get("requested")
    local_steps = options.get("local_steps") or saved.get("local_steps")
    if address is None:
        if options.get("local_steps") is not None:
            raise InputError("--local-steps applies to a run on a cluster: give --dask too")
        return None
    return str(address), local_steps


def recipe_lines(config: RunConfig) -> list[str]:
    """The recipe the run took and, for each default it chose, why (``given``: the user's)."""
    lines = [f"Recipe: {config.recipe}"]
    for name, reason in config.recipe_reasons.items():
        if hasattr(config, name):
            lines.append(f"  {name} = {as_option(name, getattr(config, name))}: {reason}")
    return lines


def default_out(data: str) -> Path:
    """``runs/<data>-<timestamp>``, with a CSV file's name without its extension."""
    label = data if data in DATASETS else Path(data).stem or "data"
    return Path("runs") / f"{label}-{datetime.now():%Y%m%d-%H%M%S}"


def _train(
    config: RunConfig,
    show_bar: bool,
    cluster: tuple[str, int | None] | None,
    early: EarlyNotes,
) -> RunResult:
    """Run training, with a progress bar when asked; print its warnings one line each (those
    raised before training as soon as the run is ready, through ``early``)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        early.caught = caught
        with progress_display() if show_bar else contextlib.nullcontext() as progress:
            callbacks: list[Callback] = [] if progress is None else [ProgressBar(progress)]
            result = _run(config, callbacks, cluster, early)
    early.warn(result)
    return result


def _run(
    config: RunConfig,
    callbacks: list[Callback],
    cluster: tuple[str, int | None] | None,
    early: EarlyNotes,
) -> RunResult:
    """The run in this process, or on the cluster --dask names (Dask is imported only then)."""
    if cluster is None:
        return run_training(config, callbacks=callbacks, on_ready=early)
    address, local_steps = cluster
    from glassnet.distributed import DASK_MODULES
    from glassnet.distributed.run_options import refuse_single_machine_options

    refuse_single_machine_options(config, local_steps)  # before a cluster is started for nothing
    try:
        from glassnet.distributed import connect
        from glassnet.distributed import run_training as run_on_cluster
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in DASK_MODULES:
            raise
        raise InputError(
            f"--dask needs Dask ({error.name} is not installed): pip install 'glassnet[dask]'"
        ) from None
    warnings.filterwarnings("ignore", message="Port .* is already in use")  # Dask's dashboards
    client = connect(address)
    try:
        return run_on_cluster(
            config, client, requested=address, local_steps=local_steps, callbacks=callbacks
        )
    finally:
        with contextlib.suppress(Exception):  # a scheduler that went away cannot say goodbye
            client.close(timeout=CLOSE_TIMEOUT)


def _draw(result: RunResult, folder: Path) -> None:
    """The run's pictures; one that cannot be drawn is a warning: the run folder is written."""
    try:
        draw_run(result, folder)
    except GlassnetError as error:
        click.echo(f"warning: the run's pictures were not all drawn: {error}", err=True)


def _interruption(result: RunResult) -> str:
    history = result.history
    kept = "best" if history.best_epoch is not None else "last"
    return (
        f"Interrupted (Ctrl-C) after {len(history)} of {result.config.epochs} "
        f"{passes_word(result)}: "
        f"training stopped cleanly and the run folder keeps the {kept} epoch's weights."
    )


class ProgressBar(Callback):
    """A rich progress bar over the epochs, showing the latest training cost.

    The count is of ``iterations`` full batch (one step per epoch) and of ``epochs``
    with mini-batches, the words of :class:`~glassnet.training.callbacks.PrintCost`.
    It updates at most every ``interval`` seconds (and at the last epoch), so a
    fast epoch does not pay for the bar.
    """

    def __init__(self, progress: Progress, interval: float = 0.05) -> None:
        self.progress = progress
        self.interval = interval
        self.task: Any = None
        self.updated = -math.inf
        self.steps_before = 0

    def on_train_begin(self, state: TrainingState) -> None:
        # the unit is known once the first epoch has counted its steps
        self.task = self.progress.add_task("training", total=state.epochs, cost="-", unit="")

    def on_epoch_begin(self, state: TrainingState) -> None:
        self.steps_before = state.step

    def on_epoch_end(self, state: TrainingState) -> None:
        now = time.monotonic()
        if now - self.updated < self.interval and state.epoch < state.epochs - 1:
            return
        self.updated = now
        cost = f"{state.history.last('cost'):.6f}"
        unit = f"{PrintCost.unit(state.step - self.steps_before)}s"
        self.progress.update(self.task, completed=state.epoch + 1, cost=cost, unit=unit)

    def on_train_end(self, state: TrainingState) -> None:
        cost = f"{state.history.last('cost'):.6f}"
        self.progress.update(self.task, completed=len(state.history), cost=cost)


def progress_display(console: Console | None = None) -> Progress:
    """The progress bar's layout: bar, iterations (or epochs) done, cost, elapsed and remaining."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TextColumn("cost {task.fields[cost]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
