"""The data and the untrained network that ``glassnet gradcheck`` and ``glassnet explain`` see.

:func:`load_problem` builds them as ``glassnet train`` does, from the options the two
commands share (:func:`problem_options`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click
import numpy as np
from numpy.typing import NDArray

from glassnet.cli.options import (
    Decorator,
    activation_option,
    config_fields,
    data_option,
    hidden_option,
    target_option,
    with_options,
)
from glassnet.cli.tables import network_shape
from glassnet.core.network import Network
from glassnet.data.array_encoders import Standardizer
from glassnet.data.loading import Dataset
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig
from glassnet.runs.config_check import check_run
from glassnet.runs.parts import load_data
from glassnet.runs.run import fit_label_codec, new_network

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Problem:
    """An untrained network and the samples it sees.

    Attributes
    ----------
    dataset : Dataset
        The whole data set, as loaded.
    network : Network
        Untrained, initialised from the seed as ``glassnet train`` initialises it.
    X : ndarray of shape (m, n_x)
        The chosen samples, standardised unless asked not to: what the network takes.
    y : ndarray of shape (m,)
        Their targets: class indices 0..k-1, or regression values as floats.
    """

    dataset: Dataset
    network: Network
    X: Array
    y: NDArray[Any]

    @property
    def shape(self) -> str:
        """``2 -> 5 tanh -> 1 sigmoid``."""
        return network_shape(self.network)


PROBLEM_OPTIONS = ("data", "target", "hidden", "activation", "init", "lr", "seed", "no_standardize")


def load_problem(options: Mapping[str, Any]) -> Problem:
    """Load the data, pick the samples and build the network a command's options describe.

    ``options`` are the command's, by name: those of :data:`PROBLEM_OPTIONS` it has
    (as the command line's text: ``hidden="5,3"``), and ``samples``, the number of
    rows to pick (None: all).

    Raises
    ------
    InputError
        For a bad option (checked as ``glassnet train`` checks it) or bad data.
    """
    chosen = {name: options[name] for name in PROBLEM_OPTIONS if name in options}
    config = check_run(RunConfig(**config_fields(chosen))).config
    dataset = load_data(config)
    codec = fit_label_codec(dataset)
    network = new_network(config, dataset, codec)
    rows = sample_rows(dataset.n_samples, options.get("samples"), config.seed)
    X: Array = dataset.X[rows]  # (m, n_x)
    y = dataset.y[rows].astype(np.float64) if codec is None else codec.encode(dataset.y[rows])
    if config.standardize:
        X = Standardizer().fit_transform(X)  # (X - mean) / std over these samples
    return Problem(dataset, network, X, y)


def sample_rows(n: int, samples: int | None, seed: int) -> NDArray[np.intp]:
    """A random ``samples`` of ``range(n)`` in increasing order; all of them for ``None``.

    Asking for more than ``n`` gives all ``n``.
    """
    if samples is not None and samples < 1:
        raise InputError(f"--samples must be a whole number of 1 or more, got {samples}")
    if samples is None or samples >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, samples, replace=False))


def problem_options(*, hidden: str, samples: int | None) -> Decorator:
    """The options explain and gradcheck share: the data, the network, the seed, the samples."""
    samples_default = "all of them" if samples is None else str(samples)
    return with_options(
        data_option("(needs --target). Default: moons.", default="moons"),
        target_option(),
        hidden_option(hidden),
        activation_option("tanh"),
        click.option(
            "--samples",
            type=int,
            default=samples,
            metavar="N",
            help="Use a random N of the data's samples (chosen with --seed). "
            f"Default: {samples_default}.",
        ),
        click.option(
            "--seed",
            type=int,
            default=0,
            help="Seed of the generated data, the initial weights and the samples. Default: 0.",
        ),
    )
