"""One training run, start to finish: data in, a trained network and a run folder out.

    load ──split_run──> fit, validation, held-out rows    (glassnet.runs.parts)
    training part ──Standardizer.fit──> mean, scale        (the held-out part is never seen)
    a table's training part ──ColumnTransformer.fit──> X   (glassnet.runs.encoding)
    labels ──LabelCodec──> indices 0..k-1                  (binary: 0/1 for a sigmoid output)
    regression targets ──StandardScaler.fit──> (y - mean) / scale
    Network ──train──> History ──> metrics, run folder (model.npz, CSV, JSON, PNGs)

:class:`RunConfig` holds every choice; :func:`run_training` does the run and returns a
:class:`RunResult` whose config has everything resolved; :func:`write_run_folder`
writes it to disk. The command line (:mod:`glassnet.cli`) is a thin layer over these.
One seed drives everything random: the generated data, both splits, the initial
weights and the shuffling, so the same config gives the same run.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from glassnet.core.network import Network
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.data.loading import DATASETS, Dataset
from glassnet.errors import DivergenceError, InputError
from glassnet.files.typed_json import json_safe
from glassnet.runs.blas_threads import blas_threads_for
from glassnet.runs.config import (
    RunConfig,
    make_run_optimizer,
    step_schedule,
    training_callbacks,
)
from glassnet.runs.config_check import check_run
from glassnet.runs.encoding import encode_for, encode_table, fit_preprocessor, fit_target_scaler
from glassnet.runs.ensemble import merge_networks
from glassnet.runs.parts import load_data, split_run
from glassnet.runs.recipe import apply_recipe, recipe_for, shape_of, tutorial_recipe
from glassnet.runs.result import CHECKPOINT, RunResult, compute_metrics
from glassnet.runs.resuming import check_start_model, load_start_model
from glassnet.training.callbacks import Callback
from glassnet.training.history import History
from glassnet.training.inspection import GradientNorms
from glassnet.training.loop import run_epochs
from glassnet.training.prepare import prepare

__all__ = ["CHECKPOINT", "RunResult", "fit_label_codec", "new_network", "run_training"]


def fit_label_codec(dataset: Dataset) -> LabelCodec | None:
    if dataset.task == "regression":
        return None
    codec = LabelCodec(order=dataset.classes).fit(dataset.y)  # sorted, or the set's own order
    if codec.n_classes < 2:
        raise InputError(
            f"the target {dataset.target_name!r} has a single class {codec.classes_[0].item()!r}: "
            "classification needs at least 2 (check --target, or --task regression for a "
            "numeric target)"
        )
    return codec


def infer_output(task: str, n_classes: int, requested: str | None) -> str:
    """sigmoid for 2 classes, softmax for more, identity for regression."""
    inferred = "sigmoid" if n_classes == 2 else "softmax"
    if task == "regression":
        inferred = "identity"
    if requested is None:
        return inferred
    if requested == inferred or (requested == "softmax" and task == "classification"):
        return requested
    raise InputError(
        f"output {requested!r} does not fit a {task} target with {n_classes} class(es): "
        f"use {inferred!r} (leave output unset to infer it)"
    )


def new_network(config: RunConfig, dataset: Dataset, codec: LabelCodec | None) -> Network:
    """The network a run starts from: the config's layers, initialised from its seed.

    Its output is inferred from the target (sigmoid for 2 classes, softmax for
    more, identity for regression) unless the config names one that fits.
    """
    n_classes = 0 if codec is None else codec.n_classes
    output = infer_output(dataset.task, n_classes, config.output)
    n_outputs = {"softmax": n_classes, "identity": dataset.y.shape[1] if dataset.y.ndim > 1 else 1}
    return Network(
        [dataset.n_features, *config.hidden, n_outputs.get(output, 1)],
        hidden=list(config.activation),
        output=output,
        init=config.init,
        random_state=config.seed,
        dtype=config.dtype,
        embedding=config.embedding,  # K sines per input, A[0] = [X, sin(2 pi F x + P)]; or None
    )


def run_training(
    config: RunConfig,
    callbacks: Sequence[Callback] = (),
    on_ready: Callable[[RunResult], None] | None = None,
    dataset: Dataset | None = None,
) -> RunResult:
    """Load the data, split, standardise, encode, build the network and train it.

    Parameters
    ----------
    config
        The run's choices; checked before any data is loaded.
    callbacks
        Extra callbacks (a progress bar, say), run after the config's own.
    on_ready
        Called with the run once its data is read and encoded and its network built,
        before the first epoch: ``glassnet train`` prints the column table then.
    dataset
        The data, already in memory (the Tabular estimators' DataFrame, its table not
        encoded yet); None loads ``config.data``.

    Returns
    -------
    RunResult
        With the config resolved (output, task, defaults) and the metrics computed.

    Raises
    ------
    InputError
        On a bad option or bad data, before training starts.
    DivergenceError
        When the cost or the weights become NaN or inf; nothing has been written.
    """
    resumed = config.resume_from is not None  # a resumed run keeps its options: no recipe
    recipe = None if resumed else recipe_for(config, from_file=_reads_a_table(config, dataset))
    if recipe == "tutorial":  # RunConfig's own defaults: the config is whole before the data
        config = tutorial_recipe(config)
    checked = check_run(config)  # the options checked, before the data is read
    start = None if config.resume_from is None else load_start_model(config.resume_from)
    if dataset is None:
        dataset = load_data(checked.config, encode=False)  # a table is encoded once, below
    if recipe is not None and recipe != "tutorial":  # the values it takes from the table
        checked = check_run(apply_recipe(config, shape_of(dataset, config.test_size), recipe))
    config, optimizer, own_callbacks = checked.config, checked.optimizer, checked.callbacks
    codec = fit_label_codec(dataset) if start is None else start.label_codec
    preprocessor = None
    if start is None:
        rows = split_run(dataset.y, config, codec)
        if dataset.table is not None:  # fitted on the training part only
            preprocessor = fit_preprocessor(
                dataset, rows.seen, standardize=config.standardize, scaling=config.scaling
            )
            dataset = encode_table(dataset, preprocessor)
    else:  # a resumed run keeps its own preprocessing, and is checked before it splits
        preprocessor = start.preprocessor if dataset.table is not None else None
        dataset = encode_for(dataset, preprocessor)
        check_start_model(start, config, dataset)  # the features, then the labels
        rows = split_run(dataset.y, config, codec)
    parts = rows.take(dataset.X, dataset.y)
    if start is None:  # fitted on the training part (fit and validation), never on the held-out
        standardized = config.standardize and preprocessor is None
        standardizer = Standardizer().fit(dataset.X[rows.seen]) if standardized else None
        target_scaler = None if codec is not None else fit_target_scaler(dataset.y[rows.seen])
        network = new_network(config, dataset, codec)
    else:  # the saved weights and preprocessing, in the layout just checked
        standardizer, network = start.standardizer, start.network
        target_scaler = start.target_scaler
    result = RunResult.begin(
        config,
        dataset,
        parts,
        network,
        standardizer=standardizer,
        label_codec=codec,
        preprocessor=preprocessor,
        target_scaler=target_scaler,
    )
    config = result.config  # with the data's task and the network's output
    result.add_checkpoint(own_callbacks)  # glassnet train: the best model so far survives a crash
    validation = None
    if parts.X_val is not None and parts.y_val is not None:
        validation = (result.features(parts.X_val), result.training_targets(parts.y_val))
    if on_ready is not None:
        on_ready(result)
    began = time.perf_counter()

    def fit(member: Network, seed: int, member_callbacks: list[Callback]) -> History:
        """Train one network from ``seed`` (its batches, masks, split of the validation)."""
        plan = prepare(  # X is checked here, once; the probe and the loop take it as checked
            member,
            result.features(parts.X_train),
            result.training_targets(parts.y_train),
            optimizer=optimizer if member is network else make_run_optimizer(config),
            epochs=config.epochs,
            batch_size=config.batch_size,
            alpha=config.alpha,
            validation=validation,
            random_state=seed,
            dropout=config.dropout,
            clip_norm=config.clip_norm,
            label_smoothing=config.label_smoothing,
        )
        schedule = step_schedule(config, plan.X.shape[0], plan.batch_size)
        if schedule is not None:  # per step: it needs the plan's batches
            member_callbacks.insert(0, schedule)
        if config.record_gradients:  # ||dW[l]|| and ||W[l]|| every epoch, probed on the fit part
            member_callbacks.append(GradientNorms.from_checked(plan.X, plan.Y, random_state=seed))
        with blas_threads_for(member.layer_sizes, plan.batch_size):  # small: one BLAS thread
            history = run_epochs(member, plan, member_callbacks)
        if plan.batch_size >= plan.X.shape[0]:  # full batch: a final cost above the first fails
            raise_if_the_cost_rose(history, config.lr)
        return history

    try:
        result.history = fit(network, config.seed, [*own_callbacks, *callbacks])
        if config.ensemble > 1:  # seeds seed + 1, ...: the same data, merged into one network
            members = [network]
            for seed in range(config.seed + 1, config.seed + config.ensemble):
                members.append(new_network(replace(config, seed=seed), dataset, codec))
                fit(members[-1], seed, training_callbacks(config))
            result.model = result.model.with_weights(merge_networks(members))
    except DivergenceError:
        result.forget_checkpoint()
        raise
    result.seconds = time.perf_counter() - began
    result.metrics = compute_metrics(result)
    result.model.metrics = json_safe(result.metrics, "metrics")
    return result


def raise_if_the_cost_rose(history: History, learning_rate: float) -> None:
    """A DivergenceError when the run ended above its first cost (an interrupted run excepted)."""
    first, last = history.cost[0], history.cost[-1]
    if last > first and not history.interrupted:
        raise DivergenceError(
            f"training failed: the cost rose from {first:.4g} to {last:.4g} over {len(history)} "
            f"iterations with learning rate {learning_rate:g}; try a smaller one, e.g. "
            f"--lr {learning_rate / 10:g}, or standardised features"
        )


def _reads_a_table(config: RunConfig, dataset: Dataset | None) -> bool:
    """Whether the run trains on a table (a CSV or Parquet file, or the DataFrame given),
    known before it is read: anything but a bundled data set's name."""
    if dataset is not None:
        return dataset.table is not None
    return not (isinstance(config.data, str) and config.data in DATASETS)
