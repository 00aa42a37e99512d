"""Scores of a network's output against encoded targets: accuracy, or R^2 for regression."""

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]
REGRESSION_OUTPUTS = ("identity", "exp")  # scored by R^2: squared error and Poisson regression


def predicted_indices(output: str, A: Array) -> NDArray[np.intp]:
    """Class indices from output activations: A > 0.5 (sigmoid) or argmax (softmax)."""
    if output == "softmax":
        return A.argmax(axis=1)
    return (A[:, 0] > 0.5).astype(np.intp)  # y_hat = 1 where a > 0.5, as the tutorials


def accuracy(output: str, A: Array, Y: Array) -> float:
    """The fraction of samples whose predicted class equals the target class.

    For several sigmoid outputs (multi-label), a sample counts only if every label is right.
    """
    if output == "sigmoid" and Y.shape[1] > 1:
        return float(((A > 0.5) == (Y == 1)).all(axis=1).mean())
    true = Y.argmax(axis=1) if output == "softmax" else Y[:, 0].astype(np.intp)
    return float((predicted_indices(output, A) == true).mean())


def r2(A: Array, Y: Array) -> float:
    """R^2 = 1 - SS_res / SS_tot per output column, averaged over columns (as scikit-learn)."""
    residual = ((Y - A) ** 2).sum(axis=0)  # SS_res per column
    total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)  # SS_tot per column
    return r2_from_sums(residual, total)


def r2_from_sums(residual: Array, total: Array) -> float:
    """Mean over columns of 1 - SS_res / SS_tot, from each column's sums, shape (n_L,).

    A column whose targets are constant (SS_tot = 0) scores 1.0 if predicted exactly, else 0.0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(total > 0, 1 - residual / total, np.where(residual == 0, 1.0, 0.0))
    return float(scores.mean())


def score(output: str, A: Array, Y: Array) -> float:
    """Accuracy for classification outputs, R^2 for a regression (identity or exp) output."""
    return r2(A, Y) if output in REGRESSION_OUTPUTS else accuracy(output, A, Y)


def metric_name(output: str) -> str:
    """The name of :func:`score`'s metric for an output activation."""
    return "r2" if output in REGRESSION_OUTPUTS else "accuracy"
