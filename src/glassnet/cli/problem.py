"""The data and the untrained network that ``glassnet explain`` and ``glassnet gradcheck`` look at.

Both are built as ``glassnet train`` builds them (:mod:`glassnet.runs.run`): the options checked
by :func:`~glassnet.runs.config.check_config`, the data loaded (or generated from the seed)
by :func:`~glassnet.runs.parts.load_data`, the labels encoded, and the network built by
:func:`~glassnet.runs.run.new_network`: the output activation inferred (sigmoid for 2
classes, softmax for more, identity for regression) and the same initial weights from
the seed. Then ``--samples N`` keeps a random N of the
rows (the same N for the same seed), standardised with their own mean and standard
deviation unless ``--no-standardize``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
import numpy as np
from numpy.typing import NDArray

from glassnet.cli.train import parse_names, parse_sizes
from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.network import Network
from glassnet.data.datasets import DATASETS, Dataset
from glassnet.data.preprocessing import Standardizer
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig, check_config
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
        names = [*self.network.hidden, self.network.output]
        sizes = self.network.layer_sizes
        layers = [f"{size} {name}" for size, name in zip(sizes[1:], names, strict=True)]
        return " -> ".join([str(sizes[0]), *layers])


def load_problem(
    *,
    data: str,
    target: str | None,
    hidden: str,
    activation: str,
    init: str = "he",
    lr: float = 0.3,
    seed: int = 0,
    samples: int | None = None,
    standardize: bool = True,
) -> Problem:
    """Load the data, pick the samples and build the network the options describe.

    ``hidden`` and ``activation`` are the command line's text (``"5,3"``, ``"tanh"``).

    Raises
    ------
    InputError
        For a bad option (checked as ``glassnet train`` checks it) or bad data.
    """
    config = check_config(
        RunConfig(
            data=data,
            target=target,
            hidden=parse_sizes(hidden),
            activation=parse_names(activation),
            init=init,
            lr=lr,
            seed=seed,
            standardize=standardize,
        )
    )
    dataset = load_data(config)
    codec = fit_label_codec(dataset)
    network = new_network(config, dataset, codec)
    rows = sample_rows(dataset.n_samples, samples, seed)
    X: Array = dataset.X[rows]  # (m, n_x)
    y = dataset.y[rows].astype(np.float64) if codec is None else codec.encode(dataset.y[rows])
    if standardize:
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


def problem_options(*, hidden: str, samples: int | None) -> Callable[[Any], Any]:
    """The options explain and gradcheck share: the data, the network, the seed, the samples."""
    samples_default = "all of them" if samples is None else str(samples)
    options = [
        click.option(
            "--data",
            default="moons",
            show_default=False,
            metavar="NAME|PATH.csv",
            help=f"The data: {', '.join(DATASETS)}, or a CSV file with a header row "
            "(needs --target). Default: moons.",
        ),
        click.option("--target", metavar="COLUMN", help="The CSV column to predict (CSV only)."),
        click.option(
            "--hidden",
            default=hidden,
            metavar="SIZES",
            help=f"Units per hidden layer, comma-separated; '' for none. Default: {hidden}.",
        ),
        click.option(
            "--activation",
            default="tanh",
            metavar="NAMES",
            help=f"Hidden activation: {', '.join(HIDDEN_ACTIVATIONS)}; or one per hidden layer. "
            "The output is inferred as glassnet train infers it. Default: tanh.",
        ),
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
    ]

    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
