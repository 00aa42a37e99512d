"""What a run's config asks of a cluster: the estimator ``fit`` trains, and the options refused.

    RunConfig.optimizer, batch_size ──SOLVERS──> the estimator's solver and its options
    gd, full batch    solver="gd": W <- W - lr dW, once per epoch (exact)
    gd, --batch-size  solver="sgd", momentum 0: local SGD
    momentum, nesterov, adam, adamw: the solver of that optimizer (full batch: exact)

The estimator's own stopping rules are off, so a cluster run trains the epochs it is
asked for as a single-machine run does; its first weights are the run's own
(:func:`glassnet.runs.run.new_network`), handed to ``fit`` as ``parameters``.
"""

import numpy as np

from glassnet.data.loading import DATASETS
from glassnet.distributed.data_paths import check_data_path
from glassnet.errors import InputError
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.runs.config import RunConfig

SOLVERS = {  # glassnet train's optimizer -> the estimator's solver and its options
    "gd": lambda c: (
        {"solver": "gd"} if c.batch_size is None else {"solver": "sgd", "momentum": 0.0}
    ),
    "momentum": lambda c: {"solver": "sgd", "momentum": c.momentum, "nesterovs_momentum": False},
    "nesterov": lambda c: {"solver": "sgd", "momentum": c.momentum, "nesterovs_momentum": True},
    "adam": lambda c: {"solver": "adam", "beta_1": c.beta1, "beta_2": c.beta2},
    "adamw": lambda c: {
        "solver": "adamw",
        "beta_1": c.beta1,
        "beta_2": c.beta2,
        "weight_decay": c.weight_decay,
    },
}
SINGLE_MACHINE_ONLY = {  # option: (is it set?, why a cluster run refuses it)
    "--lr-schedule": (
        lambda c: c.lr_schedule != "constant",
        "a run on a cluster keeps the learning rate constant; leave --lr-schedule out",
    ),
    "--record-gradients": (
        lambda c: c.record_gradients,
        "the gradient norms are recorded by the single-process loop; leave it out with --dask",
    ),
}


def refuse_single_machine_options(config: RunConfig, local_steps: int | None) -> None:
    """The options a cluster run cannot honour, and a --data path that names no file,
    refused before any data is read (and before the command line starts a cluster)."""
    if config.data in DATASETS:
        raise InputError(
            f"--data {config.data} is a bundled data set that fits in memory: train it without "
            "--dask; --dask takes a CSV file, a glob of CSV files or a Parquet folder"
        )
    if config.data:
        check_data_path(config.data)
    for option, (given, why) in SINGLE_MACHINE_ONLY.items():
        if given(config):
            raise InputError(f"{option} does not run with --dask: {why}")
    if local_steps is not None and config.batch_size is None:
        raise InputError(
            "--local-steps applies to local SGD (--batch-size N); full batch on a cluster is "
            "exact, one gradient reduction a step: leave --local-steps out or give --batch-size"
        )
    if config.dropout and config.batch_size is None:
        raise InputError(
            "--dropout draws a mask per row and step: on a cluster it runs with mini-batches "
            "(--batch-size N)"
        )


def make_estimator(config: RunConfig, n_fit: int) -> MLPClassifier | MLPRegressor:
    """The estimator ``fit`` trains: the config's layers, optimizer, L2, seed and epochs.

    The stopping rules of scikit-learn are off (``tol=0``, ``n_iter_no_change=inf``): a
    run trains its ``epochs`` unless early stopping ends it, as on one machine.
    """
    kind = MLPRegressor if config.task == "regression" else MLPClassifier
    return kind(
        hidden_layer_sizes=config.hidden,
        activation=list(config.activation),
        alpha=config.alpha,
        batch_size=config.batch_size or n_fit,  # full batch: every row each step
        learning_rate="constant",
        learning_rate_init=config.lr,
        max_iter=config.epochs,
        shuffle=True,
        random_state=config.seed,
        tol=0.0,
        n_iter_no_change=np.inf,
        init=config.init,
        dropout=config.dropout or 0.0,
        clip_norm=config.clip_norm,
        **SOLVERS[config.optimizer](config),
    )
