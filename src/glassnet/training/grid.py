"""The tutorials' planar-data exercise: one small network per hidden-layer size.

    for h in hidden_sizes:   Network([n_x, h, 1], hidden=tanh, output=sigmoid) ──train──> network

Each network is trained by full-batch gradient descent (one step per epoch) from the
same seed, so only ``h`` differs between them. Small ``h`` underfits (h = 1 draws a
straight line); large ``h`` bends the boundary around single points.
:func:`glassnet.viz.glassbox_plots.plot_boundary_grid` draws the trained networks.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.training.loop import train
from glassnet.validation import check_layer_sizes, check_X

HIDDEN_SIZES = (1, 2, 3, 4, 5, 20, 50)  # the tutorial's sizes
LEARNING_RATE = 1.2  # the tutorial's rate
EPOCHS = 5000  # half the tutorial's 10,000: the same boundaries in half the time


def binary_targets(y: ArrayLike, what: str) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """The two classes of ``y`` (sorted) and ``y`` as 0/1: class 1 is the larger label.

    Raises
    ------
    InputError
        Unless ``y`` holds exactly two classes; the message starts with ``what``.
    """
    classes, y01 = np.unique(np.asarray(y), return_inverse=True)
    if classes.size != 2:
        raise InputError(f"{what} on two classes, y has {classes.size}: give binary labels")
    return classes, y01.reshape(-1)


def train_hidden_size_grid(
    X: ArrayLike,
    y: ArrayLike,
    hidden_sizes: Sequence[int] = HIDDEN_SIZES,
    *,
    activation: str = "tanh",
    learning_rate: float = LEARNING_RATE,
    epochs: int = EPOCHS,
    random_state: int | None = 0,
) -> list[Network]:
    """Train one ``[n_x, h, 1]`` sigmoid network per hidden size ``h``, in that order.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_x)
        The features, as the networks will see them (standardise them first if their
        scales differ a lot).
    y : array-like of shape (n_samples,)
        Two classes; the larger label is class 1 (the sigmoid's positive class).
    hidden_sizes : sequence of int
        One network per size.
    activation : str, default "tanh"
        The hidden activation, as the tutorial.
    learning_rate : float, default 1.2
        The rate of full-batch gradient descent.
    epochs : int, default 5000
        Full-batch iterations per network.
    random_state : int, optional
        Seed of each network's initial weights (the same for every size).

    Returns
    -------
    list of Network
        Trained, one per hidden size.
    """
    features = check_X(X)
    _, y01 = binary_targets(y, "the hidden-size grid trains sigmoid networks")
    if isinstance(hidden_sizes, str) or not isinstance(hidden_sizes, Iterable):
        raise InputError(f"hidden_sizes must be a sequence such as (1, 2, 3), got {hidden_sizes!r}")
    sizes = check_layer_sizes(hidden_sizes, "hidden_sizes")
    if not sizes:
        raise InputError("hidden_sizes is empty: give at least one hidden-layer size")
    networks = []
    for h in sizes:
        network = Network(
            [features.shape[1], h, 1],
            hidden=activation,
            output="sigmoid",
            random_state=random_state,
        )
        train(network, features, y01, epochs=epochs, learning_rate=learning_rate)  # full batch
        networks.append(network)
    return networks
