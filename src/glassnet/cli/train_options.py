"""The options of ``glassnet train``, in the order ``--help`` lists them, and its epilog."""

from pathlib import Path

import click

from glassnet.cli.app import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_WRITE_FAILED
from glassnet.cli.options import (
    DEFAULTS,
    activation_option,
    as_option,
    data_option,
    generated_help,
    hidden_option,
    run_option,
    schedule_options_help,
    table_options,
    target_option,
    with_options,
)
from glassnet.cli.resume import RESUME_HELP
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.optimizers import OPTIMIZERS
from glassnet.data.table_choices import NAN_POLICIES, SCALINGS
from glassnet.runs.config import STEP_SCHEDULES
from glassnet.runs.recipe import RECIPES
from glassnet.training.schedules import SCHEDULES

TRAIN_EPILOG = f"""
\b
Examples:
  glassnet train --data moons    # the tutorial network (reference experiment)
  glassnet train --data cancer --hidden 16 --activation relu --lr 0.1 \\
      --iterations 15000
  glassnet train --data spiral --classes 3 --hidden 64,64 --optimizer adam \\
      --lr 0.01 --batch-size 32
  glassnet train --data my.csv --target label --validation 0.2 \\
      --early-stopping 20
  glassnet train --dask local:2 --data 'big/*.csv' --target label \\
      --hidden 32,16

The run folder holds config.json (every option resolved, the seed, the glassnet version,
the standardizer's statistics and the classes), history.csv (one row per iteration),
metrics.json, model.npz (the trained network with its preprocessing), loss.png,
boundary.png (2-D classification), confusion.png (classification) or regression.png
(regression), roc.png (two classes), hidden_units.png (2-D data), gradient_norms.png
(--record-gradients) and, last, report.html: one page with all of them (redraw them with
`glassnet plot RUN_FOLDER`). While training, checkpoint.npz keeps the best epoch's model, so a
crash leaves it behind (resume with --resume); once model.npz is written it is removed. A
diverged run writes nothing, and neither does a full-batch run whose final cost is above its
first (it failed to learn).

Exit codes: 0 done; {EXIT_ERROR} bad option, bad data or a diverged run; {EXIT_WRITE_FAILED} the run
folder could not be written; {EXIT_INTERRUPTED} stopped by Ctrl-C (the run folder is still written,
with the weights training had reached).
"""


train_options = with_options(  # the first listed first in --help
    data_option(
        "(needs --target); with --dask also a glob of CSV files or a Parquet folder. Required, "
        "unless --resume gives the run's."
    ),
    target_option(
        "The column to predict (CSV and Parquet files only); several, comma-separated, for "
        "multi-output regression."
    ),
    run_option(
        "--task",
        type=click.Choice(["auto", "classification", "regression"]),
        help="What the target is; auto: classification for text or at most 20 whole-number "
        "values, regression otherwise (the summary says which and why).",
    ),
    click.option(
        "--features",
        metavar="COLS",
        help="The feature columns, comma-separated. Default: every column but the target.",
    ),
    click.option("--drop", metavar="COLS", help="Columns to leave out, comma-separated."),
    click.option(
        "--categorical",
        metavar="COLS",
        help="Columns to one-hot encode as categories even if they hold numbers, comma-separated. "
        "Default: text columns are categorical, numeric ones are standardised.",
    ),
    click.option(
        "--dates",
        metavar="COLS",
        help="The date columns (dd.mm.yyyy, yyyy-mm-dd, mm/dd/yyyy, dd/mm/yyyy), comma-separated, "
        "encoded as year, day of year and day of week; '' for none. Default: every column "
        "whose cells are all dates.",
    ),
    run_option(
        "--nan",
        type=click.Choice(NAN_POLICIES),
        help="A missing feature cell: impute (the training part's median of a numeric column, "
        "its most frequent value of a categorical one), skip (drop the row, counted) or error. "
        "Rows without a target are dropped with a count (error: refused).",
    ),
    table_options(),
    click.option("--noise", type=float, help=generated_help("noise", "Noise")),
    click.option("--samples", type=int, help=generated_help("n_samples", "Samples")),
    click.option("--classes", type=int, help=generated_help("classes", "Arms (classes)")),
    hidden_option(as_option("hidden", DEFAULTS.hidden)),
    activation_option(as_option("activation", DEFAULTS.activation)),
    run_option(
        "--init",
        type=click.Choice(list(INITIALIZERS)),
        help="Weight initialisation (small is the tutorials' 0.01 * randn).",
    ),
    run_option("--lr", type=float, help="Learning rate."),
    run_option(
        "--iterations",
        "--epochs",
        "iterations",
        type=int,
        help="Passes over the training data (with full batches, one update each).",
    ),
    click.option(
        "--print-every",
        type=int,
        metavar="N",
        help="Print 'Cost after iteration i: c' every N iterations instead of the progress bar "
        "(with --batch-size: 'Cost after epoch i: c' every N epochs). "
        "Default: off on a terminal (progress bar); every tenth of the run otherwise.",
    ),
    run_option(
        "--seed",
        type=int,
        help="The one seed for the generated data, the splits, the initial weights and the "
        "shuffling: same seed, same run.",
    ),
    click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        help="The run folder to write: a new or empty folder, or a run folder with --overwrite. "
        "Default: runs/<data>-<timestamp>.",
    ),
    click.option(
        "--overwrite",
        is_flag=True,
        help="Replace the run in the --out folder (only the files a run writes; others are kept).",
    ),
    run_option(
        "--optimizer",
        type=click.Choice(list(OPTIMIZERS)),
        help="gd (plain gradient descent), momentum, nesterov, adam or adamw "
        "(Adam with decoupled weight decay).",
    ),
    click.option(
        "--momentum",
        type=float,
        help="Momentum of the momentum and nesterov optimizers. Default: 0.9.",
    ),
    click.option("--beta1", type=float, help="Adam's first-moment decay. Default: 0.9."),
    click.option("--beta2", type=float, help="Adam's second-moment decay. Default: 0.999."),
    click.option(
        "--weight-decay",
        type=float,
        help="adamw's decoupled weight decay: W <- W - lr * decay * W each step. Default: 0.01.",
    ),
    run_option(
        "--lr-schedule",
        type=click.Choice([*SCHEDULES, *STEP_SCHEDULES]),
        metavar="SCHEDULE",
        help=f"How the learning rate changes: per epoch {', '.join(SCHEDULES)}; per step "
        f"{', '.join(STEP_SCHEDULES)}.",
    ),
    click.option(
        "--schedule-option",
        "schedule_options",
        multiple=True,
        metavar="KEY=VALUE",
        help=f"An option of the schedule, repeatable; defaults: {schedule_options_help()}.",
    ),
    run_option("--alpha", type=float, help="L2 strength: the cost adds alpha/(2n) * sum ||W||^2."),
    click.option(
        "--dropout",
        metavar="RATES",
        help="Dropout rate of every hidden layer, or one per hidden layer (0.2,0.1), each in "
        "[0, 1); predictions use every unit. Default: none.",
    ),
    click.option(
        "--clip-norm",
        type=float,
        metavar="NORM",
        help="Clip each step's gradients to this global norm (history.csv gains clipped_steps "
        "and max_grad_norm). Default: none.",
    ),
    click.option(
        "--batch-size",
        type=int,
        metavar="N",
        help="Mini-batches of N samples (1: stochastic). Default: full batch.",
    ),
    click.option(
        "--validation",
        type=float,
        metavar="FRACTION",
        help="Fraction of the training part held out to validate each epoch (0: none). "
        "Default: none.",
    ),
    click.option(
        "--early-stopping",
        type=int,
        metavar="PATIENCE",
        help="Stop when the validation cost (the training cost without --validation) has not "
        "improved for PATIENCE epochs, keeping the best weights. Default: off.",
    ),
    click.option(
        "--min-delta",
        type=float,
        help="The improvement early stopping counts as one. Default: 0.0 (with --early-stopping).",
    ),
    run_option(
        "--test-size",
        type=float,
        metavar="FRACTION",
        help="Fraction held out (stratified for classes) to test the trained network; 0 trains "
        "on all the data.",
    ),
    click.option(
        "--no-standardize",
        is_flag=True,
        help="Train on the raw features. Default: standardise them with the training part's "
        "mean and standard deviation.",
    ),
    click.option(
        "--record-gradients",
        is_flag=True,
        help="Record each layer's gradient and weight norms every iteration (history.csv columns "
        "grad_norm_W1, weight_norm_W1, ...) and draw gradient_norms.png. Default: off.",
    ),
    run_option(
        "--dtype",
        type=click.Choice(["float64", "float32"]),
        help="Floating-point type of the weights and the data.",
    ),
    click.option(
        "--no-progress",
        is_flag=True,
        help="No progress bar on a terminal: print the cost lines instead. "
        "Default: a progress bar.",
    ),
    click.option(
        "--recipe",
        type=click.Choice(["auto", *RECIPES]),
        default="auto",
        help="The defaults: tutorial (the tutorials' network: 5 tanh units, full-batch gradient "
        "descent) or tabular (a network sized for the table, docs/tabular.md); every option given "
        "here overrides the recipe's. Default: auto (tabular for a CSV or Parquet file, tutorial "
        "for a bundled set and with --dask).",
    ),
    click.option(
        "--scaling",
        type=click.Choice(SCALINGS),
        default=DEFAULTS.scaling,
        help="A table's numeric columns: standard (mean, sd) or robust (median, quartiles, then "
        "x / sqrt(1 + (x/3)^2)). Default: standard (the tabular recipe: robust).",
    ),
    click.option(
        "--embedding",
        type=int,
        metavar="K",
        help="A numeric embedding as the first layer: K sines per input beside the input, "
        "A[0] = [X, sin(2 pi F x + P)]. Default: none (the tabular recipe: up to 8).",
    ),
    click.option(
        "--label-smoothing",
        type=float,
        default=DEFAULTS.label_smoothing,
        metavar="EPS",
        help="Train a classifier on (1 - EPS) Y + EPS / K; validation keeps the hard targets. "
        "Default: 0 (the tabular recipe: 0.1).",
    ),
    click.option(
        "--ensemble",
        type=int,
        default=DEFAULTS.ensemble,
        metavar="N",
        help="Train N networks from the seeds seed, seed + 1, ... and average their outputs in "
        "one model (its logits Z[L] are the mean of theirs). Default: 1.",
    ),
    click.option(
        "--no-plots",
        is_flag=True,
        help="Draw no pictures and no report.html (the model and the CSV and JSON files are "
        "written). Default: draw them after the model is saved.",
    ),
    click.option(
        "--dask",
        metavar="local[:N]|tcp://HOST:PORT",
        help="Train on a Dask cluster: local (a cluster of worker processes on this machine, one "
        "per core), local:N (N workers) or tcp://HOST:PORT (a running `dask scheduler`). --data "
        "is then a CSV file, a glob of them ('data/*.csv') or a Parquet folder, read in blocks "
        "and never whole; full batch is exact (one gradient reduction a step), --batch-size runs "
        "local SGD. Needs pip install 'glassnet[dask]'. Default: this process alone.",
    ),
    click.option(
        "--local-steps",
        type=click.IntRange(min=1),
        metavar="K",
        help="With --dask and --batch-size: the mini-batch steps each worker takes on its own "
        "rows between two averagings of the parameters (1: every step averaged; more: fewer "
        "rounds, further from single-process training; see docs/distributed.md). Default: 10.",
    ),
    click.option(
        "--resume", type=click.Path(path_type=Path), metavar="RUN_FOLDER", help=RESUME_HELP
    ),
)
