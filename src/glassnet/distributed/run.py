"""``glassnet train --dask``: one training run on a Dask cluster, the same run folder out.

    files ──read in blocks, split by row hashes, preprocessed──> dask arrays  (run_data)
    RunConfig ──the estimator with the same network, optimizer and seed──> fit(...)
    fit's epochs ──its own EpochRecord──> History, progress, early stopping, checkpoint
    every part ──scored where it lives──> metrics.json's numbers               (run_metrics)
    a sample of each part ──> the pictures; RunResult ──> write_run_folder, draw_run

The run takes the :class:`~glassnet.runs.config.RunConfig` of a single-machine run and
returns a :class:`~glassnet.runs.result.RunResult`, so the run folder is the same:
model.npz (with the fitted ColumnTransformer, labels and target scaler), history.csv,
metrics.json, the pictures and report.html. docs/distributed.md's table says what
differs: the split by row hashes (:mod:`.hashed_split`), local SGD, the pictures' first
:data:`PICTURE_ROWS` rows, and a lost scheduler's checkpoint.npz.
"""

import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from distributed import Client
from sklearn.exceptions import ConvergenceWarning

from glassnet.core.network import Network, l2_penalty
from glassnet.distributed.cluster import RoundState, SchedulerLost, Scores, scheduler_address
from glassnet.distributed.fitting import fit
from glassnet.distributed.run_advice import TimeLeft, warn_of_many_rounds
from glassnet.distributed.run_data import ClusterData, load_cluster_data
from glassnet.distributed.run_endings import (
    saved_after_loss,
    scheduler_watched,
)
from glassnet.distributed.run_metrics import cluster_metrics, part_sums, scores
from glassnet.distributed.run_options import make_estimator, refuse_single_machine_options
from glassnet.errors import DivergenceError
from glassnet.files.typed_json import json_safe
from glassnet.runs.config import RunConfig
from glassnet.runs.config_check import CheckedRun, check_run
from glassnet.runs.encoding import unscaled
from glassnet.runs.parts import Parts
from glassnet.runs.result import RunResult
from glassnet.runs.resuming import check_start_model, load_start_model
from glassnet.runs.run import new_network, raise_if_the_cost_rose
from glassnet.training.callbacks import Callback, copy_weights
from glassnet.training.engine import deferred_interrupt

PICTURE_ROWS = 20_000  # rows of each part the pictures draw (the first ones, in file order)
DEFAULT_LOCAL_STEPS = 10  # K when --local-steps is not given: fit's default


@dataclass
class Cluster:
    """Where and how a run trained: what the summary and metrics.json say of the cluster."""

    requested: str  # as --dask gave it: "local:2", "tcp://HOST:PORT"
    address: str  # the scheduler's
    workers: int
    mode: str  # "full batch (exact)" or "local SGD"
    local_steps: int | None  # K (local SGD)
    chunks: int
    rounds: int = 0


@dataclass
class ClusterRunResult(RunResult):
    """A RunResult that also records the cluster (config.json, the model's config, metrics)."""

    cluster: Cluster | None = None

    def config_record(self) -> dict[str, Any]:
        """The run's record, with the cluster: a resumed run reads its address and K here."""
        record = super().config_record()
        if self.cluster is not None:
            record["cluster"] = asdict(self.cluster)
        return record


def run_training(
    config: RunConfig,
    client: Client,
    *,
    requested: str | None = None,
    local_steps: int | None = None,
    callbacks: Sequence[Callback] = (),
) -> ClusterRunResult:
    """``glassnet train --dask``: read, split, preprocess, train on ``client``'s cluster, score.

    Parameters
    ----------
    config
        The run's choices, as for :func:`glassnet.runs.run_training`; ``data`` is a CSV
        file, a glob of them or a Parquet folder, and ``target`` names its column(s).
    client
        The cluster's Client (:func:`glassnet.distributed.connect`).
    requested
        The address as the user gave it ("local:2"); default: the scheduler's.
    local_steps
        K for local SGD (``batch_size`` set): steps per chunk between two averages.
    callbacks
        Extra callbacks (a progress bar), driven per epoch from the rounds.

    Returns
    -------
    ClusterRunResult
        A RunResult for :func:`~glassnet.runs.write_run_folder` and
        :func:`~glassnet.viz.draw_run`, with ``cluster`` naming the scheduler, its
        workers and the rounds.

    Raises
    ------
    InputError
        On a bad option or bad data, before training starts.
    SchedulerLostError
        When the scheduler goes away: the last good parameters are in checkpoint.npz.
    DivergenceError
        When the cost or the weights become NaN or inf; nothing has been written.
    """
    checked = check_run(config)  # the one check; the optimizer and callbacks it built
    refuse_single_machine_options(checked.config, local_steps)
    K = local_steps or DEFAULT_LOCAL_STEPS
    with scheduler_watched(client, "while the data was read and preprocessed"):
        result, data = _set_up(checked.config, client, requested, K)
    warn_of_many_rounds(checked.config)
    everyone = _run_callbacks(checked, result, callbacks)
    validate = _validation_scores(checked.config, result, data)
    began = time.perf_counter()
    with scheduler_watched(client, "while the chunks were loaded"):  # a round saves its own
        _train_in_rounds(result, data, client, K, everyone, validate)
    result.seconds = time.perf_counter() - began
    with scheduler_watched(client, "after training, while the run was scored"):
        _score(result, data)
    return result


def _score(result: ClusterRunResult, data: ClusterData) -> None:
    """metrics.json's numbers over every row of each part; the model's records with them."""
    result.metrics = cluster_metrics(
        result, {part: (data.X[part], data.y[part]) for part in ("train", "validation", "test")}
    )
    assert result.cluster is not None
    result.metrics["cluster"] = asdict(result.cluster)
    result.record_config()  # with the rounds
    result.model.metrics = json_safe(result.metrics, "metrics")


def _set_up(
    config: RunConfig, client: Client, requested: str | None, local_steps: int
) -> tuple[ClusterRunResult, ClusterData]:
    """The data read and split, the preprocessing fitted (or resumed), the network drawn."""
    start = None if config.resume_from is None else load_start_model(config.resume_from)
    data = load_cluster_data(config, start)
    dataset, prep = data.dataset, data.preprocessing
    if start is None:
        network = new_network(config, dataset, prep.codec)
    else:  # the saved weights, in the layout just checked
        labels = np.asarray([] if prep.codec is None else prep.codec.classes_)
        check_start_model(start, config, replace(dataset, y=labels))
        network = start.network
    X_fit = data.X["train"]
    assert X_fit is not None
    cluster = Cluster(
        requested=requested or scheduler_address(client),
        address=scheduler_address(client),
        workers=len(client.scheduler_info()["workers"]),
        mode="full batch (exact)" if config.batch_size is None else "local SGD",
        local_steps=None if config.batch_size is None else local_steps,
        chunks=len(X_fit.chunks[0]),
    )
    result = ClusterRunResult.begin(
        config,
        dataset,
        _picture_parts(data),
        network,
        label_codec=prep.codec,
        preprocessor=prep.preprocessor,
        target_scaler=prep.target_scaler,
        cluster=cluster,
    )
    return result, data


def _train_in_rounds(
    result: ClusterRunResult,
    data: ClusterData,
    client: Client,
    local_steps: int,
    callbacks: list[Callback],
    validate: Scores | None,
) -> None:
    """``fit`` on the fit part, its solver recording the run's epochs with the run's
    ``callbacks`` and ``validate``'s scores (the History, Ctrl-C); how it ended."""
    config, cluster = result.config, result.cluster
    X_fit, y_fit = data.X["train"], data.y["train"]
    assert X_fit is not None and y_fit is not None and cluster is not None
    estimator = make_estimator(config, int(X_fit.shape[0]))

    def count(finished: RoundState) -> None:
        cluster.rounds = finished.round

    try:
        with deferred_interrupt() as interrupted, warnings.catch_warnings():
            # the run's epochs are asked for, not a tolerance missed: no scikit-learn warning
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit(
                estimator,
                X_fit,
                y_fit,
                client=client,
                local_steps=local_steps,
                on_round=count,
                parameters=[param.copy() for param in result.network.parameters()],
                callbacks=callbacks,
                scores=validate,
                interrupted=interrupted,
            )
    except SchedulerLost as lost:
        cluster.rounds = lost.rounds
        raise saved_after_loss(result, lost) from None
    except DivergenceError:
        result.forget_checkpoint()  # no model left behind (nor a folder it made), as on one machine
        raise
    copy_weights(estimator.network_, result.network)  # the last epoch's (early stopping: best)
    result.history = estimator.history_  # the solver's own record of the epochs
    if config.batch_size is None:  # full batch: a final cost above the first fails
        raise_if_the_cost_rose(result.history, config.lr)


def _run_callbacks(
    checked: CheckedRun, result: ClusterRunResult, callbacks: Sequence[Callback]
) -> list[Callback]:
    """The config's callbacks (cost lines, early stopping), the time left, the checkpoint,
    then ``callbacks`` (a progress bar)."""
    own = checked.callbacks
    if checked.config.print_every is not None:  # beside the cost lines: how long rounds take
        own.append(TimeLeft())
    result.add_checkpoint(own)  # with --out: the best model so far survives a crash
    return [*own, *callbacks]


def _validation_scores(
    config: RunConfig, result: ClusterRunResult, data: ClusterData
) -> Scores | None:
    """The validation part's cost and score after each epoch, or None without one."""
    X_fit, X_val, y_val = data.X["train"], data.X["validation"], data.y["validation"]
    if X_val is None or y_val is None or X_fit is None:
        return None
    n_classes = len(result.class_names)
    l2 = config.alpha / X_fit.shape[0]  # alpha / n over the fit part, as the training cost's

    def validate(network: Network) -> dict[str, float]:
        """The validation cost as one machine's engine scores it (the L2 term included)."""
        sums = part_sums(network, X_val, y_val, n_classes, None)
        assert sums is not None  # X_val is not None
        found = scores(sums)
        assert found.cost is not None
        val_cost = found.cost + l2_penalty(network, l2)  # mean L + (l2 / 2) sum_l ||W[l]||^2
        return {"val_cost": val_cost, "val_metric": found.score}

    return validate


def _picture_parts(data: ClusterData) -> Parts:
    """The first :data:`PICTURE_ROWS` rows of each part, in memory, labels as the data gave them."""
    codec, scaler = data.preprocessing.codec, data.preprocessing.target_scaler

    def head(part: str) -> tuple[Any, Any]:
        X, y = data.X[part], data.y[part]
        if X is None or y is None:
            return None, None
        X_head, y_head = (array[:PICTURE_ROWS].compute() for array in (X, y))
        if codec is not None:
            return X_head, codec.decode(y_head)  # class indices -> labels
        Y = unscaled(scaler, y_head.reshape(len(y_head), -1))  # y = z * scale + mean
        return X_head, Y[:, 0] if y_head.ndim == 1 else Y

    return Parts(*head("train"), *head("validation"), *head("test"))
