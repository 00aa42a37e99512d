"""The validation split: which rows of the training data are held out to score each epoch.

A fraction f of the n rows is held out at random, from the run's Generator:

- classification (sigmoid with one output, softmax): stratified, round(f * n_k) rows
  of each class k, at least one held and one kept per class;
- regression and multi-label outputs: ceil(f * n) rows, as scikit-learn's
  ``train_test_split`` does.

The rows are returned as sorted index arrays, so both parts keep the data's order.
"""

import math

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.errors import InputError

Array = NDArray[np.floating]
Rows = NDArray[np.intp]


def split_rows(
    network: Network, Y: Array, fraction: float, rng: np.random.Generator
) -> tuple[Rows, Rows]:
    """``held, kept``: the row indices held out for validation and the ones trained on.

    ``Y`` (n, n_L) is encoded as :func:`~glassnet.core.network.encode_targets` returns
    it and ``fraction`` lies in (0, 1).
    """
    classes = class_indices(network, Y)
    if classes is not None:
        return _stratified_rows(classes, fraction, rng)
    n = Y.shape[0]
    order = rng.permutation(n)
    n_held = math.ceil(fraction * n)
    held, kept = np.sort(order[:n_held]), np.sort(order[n_held:])
    if kept.size == 0:
        raise InputError(
            f"a validation fraction of {fraction} of {n} samples leaves no training samples: "
            "lower the fraction or pass explicit validation data (X_val, y_val)"
        )
    return held, kept


def class_indices(network: Network, Y: Array) -> Rows | None:
    """Each row's class (0..k-1) for a single-label classifier; ``None`` otherwise."""
    if network.output == "softmax":
        return Y.argmax(axis=1)
    if network.output == "sigmoid" and Y.shape[1] == 1:
        return Y[:, 0].astype(np.intp)
    return None


def _stratified_rows(classes: Rows, fraction: float, rng: np.random.Generator) -> tuple[Rows, Rows]:
    """Hold out ``fraction`` of every class (at least one sample each, and one kept)."""
    labels, counts = np.unique(classes, return_counts=True)
    held_per_class = np.maximum(np.round(counts * fraction).astype(int), 1)
    too_small = counts - held_per_class < 1
    if too_small.any():
        label, count = labels[too_small][0], counts[too_small][0]
        raise InputError(
            f"class {label} has {count} sample(s): too few to hold out a "
            f"validation fraction of {fraction} and still train on it; use more data or "
            "pass explicit validation data"
        )
    held, kept = [], []
    for label, n_held in zip(labels, held_per_class, strict=True):
        rows = rng.permutation(np.flatnonzero(classes == label))
        held.append(rows[:n_held])
        kept.append(rows[n_held:])
    return np.sort(np.concatenate(held)), np.sort(np.concatenate(kept))
