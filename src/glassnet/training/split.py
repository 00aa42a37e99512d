"""The hold-out splits of in-memory data: which rows are kept and which are held out.

:func:`hold_out` is the one split of a run's data (``glassnet train``, ``plot`` and
``evaluate --part`` draw their rows with it) and of :func:`glassnet.data.array_encoders.split`:
scikit-learn's ``train_test_split`` drawn over row positions, stratified for classes, so
the rows depend only on their number, their labels and the seed.

:func:`split_rows` is :func:`~glassnet.train`'s ``validation_fraction``: a fraction f of
the n rows held out at random, from the loop's Generator:

- classification (sigmoid with one output, softmax): stratified, round(f * n_k) rows
  of each class k, at least one held and one kept per class;
- regression and multi-label outputs: ceil(f * n) rows, as scikit-learn's
  ``train_test_split`` does.

The rows are returned as sorted index arrays, so both parts keep the data's order.
"""

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.validation import check_number

Array = NDArray[np.floating]
Rows = NDArray[np.intp]


def hold_out(
    labels: NDArray[Any], fraction: float, *, stratify: bool, seed: int | None
) -> tuple[Rows, Rows]:
    """``kept, held``: positions into ``labels`` (n,), ``ceil(fraction * n)`` of them held out.

    Drawn by scikit-learn's ``train_test_split`` with ``random_state=seed``, stratified on
    ``labels`` when ``stratify`` (each class keeps its share in both parts), in its order.

    Raises
    ------
    InputError
        For a fraction outside (0, 1), one that leaves no row kept, or, when stratified,
        fractional labels, a class of one row, or fewer rows in a part than classes.
    """
    fraction = check_number(
        fraction, "test_size", low=0, high=1, low_open=True, high_open=True, noun="a fraction"
    )
    n = labels.size
    n_test = math.ceil(fraction * n)
    if n_test >= n:
        raise InputError(
            f"test_size={fraction} of {n} samples leaves no training samples: "
            "lower test_size or add samples"
        )
    if stratify:
        _check_stratifiable(labels, n_test, fraction)
    from sklearn.model_selection import train_test_split  # lazy: keeps `import glassnet` light

    kept, held = train_test_split(
        np.arange(n), test_size=fraction, stratify=labels if stratify else None, random_state=seed
    )
    return kept, held


def _check_stratifiable(labels: NDArray[Any], n_test: int, test_size: float) -> None:
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise InputError(
            "stratify=True needs class labels but y has fractional values: "
            "pass stratify=False for a regression target"
        )
    classes, counts = np.unique(labels, return_counts=True)
    rarest = int(np.argmin(counts))
    if counts[rarest] < 2:
        raise InputError(
            f"class {classes[rarest].item()!r} has only {counts[rarest]} sample(s): a stratified "
            "split needs at least 2 per class; pass stratify=False or drop that class"
        )
    n_train = labels.size - n_test
    if min(n_test, n_train) < classes.size:
        part = "test" if n_test < n_train else "train"
        raise InputError(
            f"test_size={test_size} gives {min(n_test, n_train)} {part} sample(s), fewer than "
            f"the {classes.size} classes: change test_size or pass stratify=False"
        )


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
