"""The bundled data sets: four small 2-D toy problems and one real one.

- ``moons``: two interleaving half circles (scikit-learn's ``make_moons``); the
  reference experiment is ``make_moons(n_samples=500, noise=0.2)``.
- ``circles``: a small circle inside a large one (``make_circles``).
- ``xor``: points in the square [-1, 1]^2, class 1 in the quadrants where x1 * x2 > 0.
- ``spiral``: the CS231n spiral, ``classes`` arms winding out from the origin.
- ``cancer``: scikit-learn's bundled Wisconsin breast cancer data, 569 tumours x 30
  features, 0 = malignant, 1 = benign (no download).

Every generator takes ``noise`` and ``random_state``: the same seed gives the same arrays.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.array_encoders import sklearn_seed
from glassnet.data.dataset import Dataset
from glassnet.errors import InputError
from glassnet.validation import check_number, check_unit_interval

RandomState = int | np.random.Generator | None


def _check_count(value: int, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _toy(
    X: NDArray[Any], y: NDArray[Any], name: str, description: str, task: str = "classification"
) -> Dataset:
    """A 2-D set: int64 labels (classification) or float64 values (regression)."""
    regression = task == "regression"
    return Dataset(
        X=np.ascontiguousarray(X, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64 if regression else np.int64),
        feature_names=["x1", "x2"],
        target_name="value" if regression else "label",
        task=task,
        name=name,
        description=description,
    )


def moons(n_samples: int = 500, noise: float = 0.2, random_state: RandomState = None) -> Dataset:
    """Two interleaving half circles, labels 0 and 1 (``sklearn.datasets.make_moons``).

    ``noise`` is the standard deviation of Gaussian noise added to the points. An int
    ``random_state`` is passed to scikit-learn as is, so the arrays equal
    ``make_moons(n_samples, noise=noise, random_state=random_state)``.
    """
    from sklearn.datasets import make_moons  # lazy: keeps `import glassnet` light

    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", low=0)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=sklearn_seed(random_state))
    return _toy(X, y, "moons", f"two interleaving half moons, {n_samples} points, noise {noise}")


def circles(
    n_samples: int = 500, noise: float = 0.1, factor: float = 0.5, random_state: RandomState = None
) -> Dataset:
    """A circle of radius ``factor`` (label 1) inside one of radius 1 (label 0).

    Uses ``sklearn.datasets.make_circles``; ``noise`` is the standard deviation of
    Gaussian noise added to the points.
    """
    from sklearn.datasets import make_circles  # lazy: keeps `import glassnet` light

    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", low=0)
    factor = check_unit_interval(factor, "factor")
    X, y = make_circles(
        n_samples=n_samples, noise=noise, factor=factor, random_state=sklearn_seed(random_state)
    )
    return _toy(X, y, "circles", f"two concentric circles, {n_samples} points, noise {noise}")


def xor(n_samples: int = 400, noise: float = 0.2, random_state: RandomState = None) -> Dataset:
    """Points uniform in [-1, 1]^2; label 1 where x1 * x2 > 0, then Gaussian noise.

    .. math:: y = [x_1 x_2 > 0], \\qquad X = x + \\varepsilon, \\quad
              \\varepsilon \\sim N(0, \\text{noise}^2)

    The label is decided before the noise moves the points, so noisy points near
    the axes can sit in the "wrong" quadrant.
    """
    n_samples = _check_count(n_samples, "n_samples", 1)
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))  # (n, 2)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)  # (n,)
    X = X + rng.normal(0.0, noise, size=X.shape)
    return _toy(X, y, "xor", f"XOR quadrants in [-1, 1]^2, {n_samples} points, noise {noise}")


def spiral(
    n_samples: int = 300, classes: int = 2, noise: float = 0.2, random_state: RandomState = None
) -> Dataset:
    """The CS231n spiral: ``classes`` arms winding out from the origin.

    Arm ``j`` of ``m`` points has radius ``r = linspace(0, 1, m)`` and angle
    ``t = linspace(4j, 4(j + 1), m) + N(0, noise^2)``; its points are
    ``(r sin t, r cos t)`` with label ``j``. The ``n_samples`` are split as evenly as
    possible over the arms (the first ``n_samples % classes`` arms get one more), and
    the rows are shuffled.
    """
    classes = _check_count(classes, "classes", 2)
    n_samples = _check_count(n_samples, "n_samples", classes)
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(random_state)
    X_arms, y_arms = [], []
    for j in range(classes):
        m = n_samples // classes + (j < n_samples % classes)
        r = np.linspace(0.0, 1.0, m)  # (m,)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), m) + rng.normal(0.0, noise, m)  # (m,)
        X_arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))  # (m, 2)
        y_arms.append(np.full(m, j))
    order = rng.permutation(n_samples)
    X, y = np.concatenate(X_arms)[order], np.concatenate(y_arms)[order]
    description = f"{classes}-arm spiral, {n_samples} points, angle noise {noise}"
    return _toy(X, y, "spiral", description)


def cancer() -> Dataset:
    """Wisconsin diagnostic breast cancer data, bundled with scikit-learn (no download).

    569 tumours, 30 real-valued features (scikit-learn's names), labelled "malignant"
    (212) or "benign" (357). A run numbers them as scikit-learn's copy does:
    malignant = 0, benign = 1 (the positive class of a sigmoid output).
    """
    from sklearn.datasets import load_breast_cancer  # lazy: keeps `import glassnet` light

    data = load_breast_cancer()
    names = np.asarray(data.target_names, dtype=str)  # ["malignant", "benign"]: index = target
    return Dataset(
        X=np.ascontiguousarray(data.data, dtype=np.float64),
        y=names[data.target],
        feature_names=[str(name) for name in data.feature_names],
        target_name="diagnosis",
        task="classification",
        name="cancer",
        description="Wisconsin breast cancer, 569 tumours x 30 features; malignant or benign",
        classes=tuple(names.tolist()),
    )


def gaussians(
    n_samples: int = 500, noise: float = 0.2, random_state: RandomState = None
) -> Dataset:
    """Two Gaussian clouds, label 0 around (-1, -1) and label 1 around (1, 1).

    .. math:: X = \\mu_y + \\varepsilon, \\quad \\varepsilon \\sim N(0, (0.3 + \\text{noise})^2)

    The first ``ceil(n / 2)`` points are label 0, the rest label 1, then the rows are shuffled.
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(random_state)
    y = (np.arange(n_samples) >= (n_samples + 1) // 2).astype(np.int64)  # (n,)
    centres = np.where(y[:, None] == 1, 1.0, -1.0)  # mu_y: (1, 1) or (-1, -1), (n, 2)
    X = centres + rng.normal(0.0, 0.3 + noise, size=(n_samples, 2))
    order = rng.permutation(n_samples)
    return _toy(X[order], y[order], "gaussians", f"two Gaussian clouds, {n_samples} points")


def plane(n_samples: int = 500, noise: float = 0.1, random_state: RandomState = None) -> Dataset:
    """A tilted plane over [-1, 1]^2: ``y = (x1 + x2) / 2 + N(0, noise^2)`` (regression)."""
    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))  # (n, 2)
    y = (X[:, 0] + X[:, 1]) / 2 + rng.normal(0.0, noise, n_samples)  # (n,)
    description = f"the plane (x1 + x2) / 2, {n_samples} points, noise {noise}"
    return _toy(X, y, "plane", description, "regression")


def gaussian_bumps(
    n_samples: int = 500, noise: float = 0.1, random_state: RandomState = None
) -> Dataset:
    """A bump up at (0.5, 0.5) and one down at (-0.5, -0.5) over [-1, 1]^2 (regression).

    .. math:: y = e^{-4 ||x - (0.5, 0.5)||^2} - e^{-4 ||x + (0.5, 0.5)||^2} + N(0, \\text{noise}^2)
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))  # (n, 2)
    up = np.exp(-4.0 * ((X - 0.5) ** 2).sum(axis=1))  # (n,)
    down = np.exp(-4.0 * ((X + 0.5) ** 2).sum(axis=1))  # (n,)
    y = up - down + rng.normal(0.0, noise, n_samples)
    description = f"two Gaussian bumps, {n_samples} points, noise {noise}"
    return _toy(X, y, "bumps", description, "regression")
