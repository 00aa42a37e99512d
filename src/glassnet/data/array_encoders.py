"""Getting data ready for a network: standardise features, encode labels, split.

- :class:`Standardizer` rescales each feature to mean 0 and standard deviation 1,
  ``X_std = (X - mean) / scale``, and undoes it exactly.
- :class:`LabelCodec` maps any labels (ints, strings, floats, booleans) to the
  indices 0..k-1 a network's output columns stand for, and back.
- :func:`split` holds out a test set, keeping class proportions (stratified): the rows of
  :func:`glassnet.training.split.hold_out`, the split every run draws.

Both classes save to plain JSON-safe dicts (``to_dict`` / ``from_dict``), so a
saved model carries its preprocessing without pickle.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError
from glassnet.training.split import hold_out
from glassnet.validation import check_lengths, check_X

MAX_SHOWN = 5  # unseen labels listed in an error message


def sklearn_seed(random_state: int | np.random.Generator | None) -> int:
    """Return an int seed for a scikit-learn function, never touching global state.

    An int is passed through unchanged, so ``moons(random_state=0)`` equals
    ``make_moons(..., random_state=0)``. A Generator (or ``None``: fresh OS entropy)
    draws the seed, so scikit-learn never falls back on the global ``np.random``.
    """
    if isinstance(random_state, int | np.integer) and not isinstance(random_state, bool):
        if not 0 <= random_state < 2**32:
            raise InputError(f"random_state must lie in [0, 2**32), got {random_state}")
        return int(random_state)
    if random_state is not None and not isinstance(random_state, np.random.Generator):
        raise InputError(
            f"random_state must be an int, a numpy Generator or None, got {random_state!r}"
        )
    return int(np.random.default_rng(random_state).integers(2**32))


def _check_1d(y: ArrayLike, name: str = "y") -> NDArray[Any]:
    array = np.asarray(y)
    if array.ndim != 1:
        raise InputError(
            f"{name} must be 1-D (one label per sample), got shape {array.shape}: "
            "use y.ravel() for a single column"
        )
    if array.dtype.kind == "O" and array.size and all(isinstance(v, str) for v in array):
        array = array.astype(str)  # e.g. a pandas column of strings
    return array


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1.

    .. math:: X_{std} = (X - \\mu) / \\sigma, \\qquad X = X_{std} \\sigma + \\mu

    with the per-column mean :math:`\\mu` and standard deviation :math:`\\sigma`
    (``ddof=0``). A constant column gets :math:`\\sigma = 1`, so it maps to 0, not NaN.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Column means, float64.
    scale_ : ndarray of shape (n_features,)
        Column standard deviations (1 for constant columns), float64.
    n_features_in_ : int
        The number of features seen by :meth:`fit`.
    """

    mean_: NDArray[np.float64]
    scale_: NDArray[np.float64]
    n_features_in_: int

    def fit(self, X: ArrayLike) -> "Standardizer":
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape (n_samples, n_features)."""
        return self._fit_checked(check_X(X))

    def _fit_checked(self, X: NDArray[np.floating]) -> "Standardizer":
        X64 = X.astype(np.float64)  # statistics in float64 even for float32 input
        constant = np.ptp(X64, axis=0) == 0  # (d,)
        std = X64.std(axis=0)  # ddof=0, (d,)
        # a constant column: its own value as the mean (exact), 1 as the scale -> maps to 0;
        # a spread so tiny that std underflows to 0 also keeps scale 1
        self.mean_ = np.where(constant, X64[0], X64.mean(axis=0))
        self.scale_ = np.where(constant | (std == 0), 1.0, std)
        self.n_features_in_ = X64.shape[1]
        return self

    def _check(self, X: ArrayLike) -> NDArray[np.floating]:
        if not hasattr(self, "mean_"):
            raise InputError("this Standardizer is not fitted yet: call fit(X) first")
        array = check_X(X)
        if array.shape[1] != self.n_features_in_:
            raise InputError(
                f"X has {array.shape[1]} features but the standardizer was fitted on "
                f"{self.n_features_in_}"
            )
        return array

    def transform(self, X: ArrayLike) -> NDArray[np.floating]:
        """Return ``(X - mean_) / scale_``; float32 input stays float32."""
        return self._transform_checked(self._check(X))

    def _transform_checked(self, X: NDArray[np.floating]) -> NDArray[np.floating]:
        X_std = (X - self.mean_) / self.scale_  # X_std = (X - mean) / scale, (n, d)
        return X_std.astype(X.dtype, copy=False)

    def fit_transform(self, X: ArrayLike) -> NDArray[np.floating]:
        """Fit on ``X``, then transform it (``X`` is checked once)."""
        X_checked = check_X(X)
        return self._fit_checked(X_checked)._transform_checked(X_checked)

    def inverse_transform(self, X: ArrayLike) -> NDArray[np.floating]:
        """Return ``X * scale_ + mean_``, undoing :meth:`transform`."""
        array = self._check(X)
        return (array * self.scale_ + self.mean_).astype(array.dtype, copy=False)

    def to_dict(self) -> dict[str, list[float]]:
        """Return ``{"mean": [...], "scale": [...]}`` as lists of Python floats.

        ``json.dumps`` writes a float with the shortest repr that reads back to the
        same float64, so ``from_dict(json.loads(json.dumps(s.to_dict())))`` is exact.
        """
        if not hasattr(self, "mean_"):
            raise InputError("this Standardizer is not fitted yet: call fit(X) first")
        return {"mean": [float(v) for v in self.mean_], "scale": [float(v) for v in self.scale_]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Standardizer":
        """Rebuild a fitted standardizer from :meth:`to_dict`'s output."""
        try:
            mean = np.asarray(d["mean"], dtype=np.float64)
            scale = np.asarray(d["scale"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                f"not a standardizer dict (needs 'mean' and 'scale' number lists): {error}"
            ) from None
        if mean.ndim != 1 or mean.shape != scale.shape or mean.size == 0:
            raise InputError(
                f"standardizer 'mean' and 'scale' must be non-empty lists of the same length, "
                f"got {mean.shape} and {scale.shape}"
            )
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise InputError("standardizer 'mean' must be finite and 'scale' finite and above 0")
        standardizer = cls()
        standardizer.mean_, standardizer.scale_ = mean, scale
        standardizer.n_features_in_ = mean.size
        return standardizer


class LabelCodec:
    """Map labels to the indices 0..k-1 and back: in sorted order, or in an order given.

    ``classes_[i]`` is the label that index ``i`` stands for: encode is ``y -> i`` with
    ``classes_[i] == y``, decode is ``i -> classes_[i]``.

    Parameters
    ----------
    order
        The labels in the order their indices take, when the data set has one (the
        cancer set: ``("malignant", "benign")``, so that benign is the sigmoid's 1 as in
        scikit-learn's copy); ``None`` sorts them (``np.unique``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The distinct labels, in ``order`` or sorted.
    """

    classes_: NDArray[Any]

    def __init__(self, order: Sequence[Any] | None = None) -> None:
        self.order = None if order is None else tuple(order)

    def fit(self, y: ArrayLike) -> "LabelCodec":
        """Learn the distinct labels of ``y`` (numbers, strings or booleans)."""
        labels = _check_1d(y)
        if labels.size == 0:
            raise InputError("y is empty: at least one label is needed")
        if labels.dtype.kind not in "biufU":
            raise InputError(
                f"labels must be numbers, strings or booleans, got dtype {labels.dtype}"
            )
        if labels.dtype.kind == "f" and not np.isfinite(labels).all():
            raise InputError("y contains NaN or inf labels: drop or impute those rows first")
        self.classes_ = np.unique(labels) if self.order is None else _ordered(self.order, labels)
        return self

    @property
    def n_classes(self) -> int:
        """k, the number of distinct labels."""
        return int(self._fitted().size)

    def _fitted(self) -> NDArray[Any]:
        if not hasattr(self, "classes_"):
            raise InputError("this LabelCodec is not fitted yet: call fit(y) first")
        return self.classes_

    def encode(self, y: ArrayLike) -> NDArray[np.int64]:
        """Return the index of each label in ``classes_``; unseen labels raise."""
        classes = self._fitted()
        labels = _check_1d(y)
        numeric = "biuf"
        if (classes.dtype.kind in numeric) == (labels.dtype.kind in numeric):
            by_label = np.argsort(classes, kind="stable")  # classes[by_label] is sorted
            found = np.searchsorted(classes, labels, sorter=by_label).clip(0, classes.size - 1)
            indices = by_label[found]  # i with classes_[i] == y, where y is a class, (n,)
            seen = classes[indices] == labels
        else:  # strings against numbers: nothing matches
            indices, seen = np.zeros(labels.shape, dtype=np.int64), np.zeros(labels.shape, bool)
        if not seen.all():
            unseen = list(dict.fromkeys(labels[~seen].tolist()))
            shown = ", ".join(repr(v) for v in unseen[:MAX_SHOWN])
            more = f" and {len(unseen) - MAX_SHOWN} more" if len(unseen) > MAX_SHOWN else ""
            known = ", ".join(repr(v) for v in classes.tolist()[:20])
            raise InputError(
                f"y has label(s) not seen in fit: {shown}{more}; known labels are {known}"
            )
        return indices.astype(np.int64)

    def decode(self, indices: ArrayLike) -> NDArray[Any]:
        """Return ``classes_[indices]``: the labels the indices stand for."""
        classes = self._fitted()
        array = _check_1d(indices, "indices")
        if array.size and (
            array.dtype.kind not in "iuf"
            or not np.all(array == np.round(array))
            or array.min() < 0
            or array.max() >= classes.size
        ):
            raise InputError(
                f"indices must be whole numbers in [0, {classes.size}), "
                f"got values from {array.min()!r} to {array.max()!r}"
            )
        return classes[array.astype(np.int64)]

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"classes": [...], "dtype": "..."}``, safe for ``json.dumps``.

        Numbers stay numbers and strings stay strings; ``dtype`` restores the exact
        NumPy dtype (int labels come back int, strings come back strings).
        """
        classes = self._fitted()
        return {"classes": classes.tolist(), "dtype": classes.dtype.str}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "LabelCodec":
        """Rebuild a fitted codec from :meth:`to_dict`'s output."""
        try:
            classes = np.asarray(d["classes"], dtype=np.dtype(d["dtype"]))
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                f"not a label codec dict (needs 'classes' and 'dtype'): {error}"
            ) from None
        if classes.ndim != 1 or classes.size == 0:
            raise InputError(f"label codec 'classes' must be a non-empty list, got {classes!r}")
        if np.unique(classes).size != classes.size:
            raise InputError("label codec 'classes' must be distinct")
        codec = cls(None if np.array_equal(np.unique(classes), classes) else classes.tolist())
        codec.classes_ = classes
        return codec


def _ordered(order: tuple[Any, ...], labels: NDArray[Any]) -> NDArray[Any]:
    """``order`` as the codec's classes, checked: distinct, holding every label of ``labels``."""
    classes = np.asarray(order)
    if classes.ndim != 1 or classes.size == 0 or np.unique(classes).size != classes.size:
        raise InputError(f"a label order must list distinct labels, got {list(order)!r}")
    missing = np.setdiff1d(np.unique(labels), classes)
    if missing.size:
        shown = ", ".join(repr(v) for v in missing.tolist()[:MAX_SHOWN])
        raise InputError(f"y has label(s) {shown} missing from the label order {list(order)!r}")
    return classes


def split(
    X: ArrayLike,
    y: ArrayLike,
    test_size: float = 0.2,
    stratify: bool = True,
    random_state: int | np.random.Generator | None = None,
) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[Any], NDArray[Any]]:
    """Split into train and test parts at random: ``X_train, X_test, y_train, y_test``.

    Parameters
    ----------
    X
        Features, shape (n_samples, n_features); float32 stays float32.
    y
        Labels or targets, shape (n_samples,).
    test_size
        The fraction of samples held out, in (0, 1); the test part gets
        ``ceil(test_size * n_samples)`` of them, as in scikit-learn.
    stratify
        Keep each class's share of the samples in both parts (for class labels).
        Pass ``False`` for a regression target.
    random_state
        Seed or Generator: the same seed, the same split.
    """
    X_checked = check_X(X)
    labels = _check_1d(y)
    check_lengths(X_checked, labels)
    kept, held = hold_out(labels, test_size, stratify=stratify, seed=sklearn_seed(random_state))
    return X_checked[kept], X_checked[held], labels[kept], labels[held]
