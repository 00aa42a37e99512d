"""Activations against independent formulas, derivatives against finite differences."""

import dataclasses
import warnings

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from glassnet.core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
H = 1e-6  # central-difference step, float64

REFERENCE = {
    "sigmoid": scipy.special.expit,
    "tanh": lambda Z: (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z)),
    "relu": lambda Z: Z * (Z > 0),
    "leaky_relu": lambda Z: np.maximum(Z, 0.01 * Z),
    "identity": lambda Z: Z + 0.0,
    "softmax": lambda Z: scipy.special.softmax(Z, axis=1),
    "exp": lambda Z: np.e**Z,
}
OUTPUT_ONLY = ("exp",)  # element-wise, but only ever an output (Poisson regression)


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values in [-4, -0.1] or [0.1, 4]: no central difference straddles ReLU's kink."""
    return rng.uniform(0.1, 4.0, shape) * rng.choice([-1.0, 1.0], shape)


def test_the_tables_hold_every_activation():
    assert set(ACTIVATIONS) == set(REFERENCE)
    assert set(HIDDEN_ACTIVATIONS) == set(ELEMENTWISE)
    for name, activation in ACTIVATIONS.items():
        assert activation.name == name


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_fn_matches_an_independent_formula(name, rng):
    Z = rng.uniform(-6, 6, (7, 4))
    np.testing.assert_allclose(ACTIVATIONS[name].fn(Z), REFERENCE[name](Z), rtol=1e-13, atol=1e-15)


def test_values_at_known_points():
    Z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].fn(Z)[0, 1], 0.5)
    np.testing.assert_allclose(ACTIVATIONS["relu"].fn(Z), [[0.0, 0.0, 2.0]])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].fn(Z), [[-0.01, 0.0, 2.0]])
    np.testing.assert_allclose(ACTIVATIONS["tanh"].fn(Z)[0, 1], 0.0)
    uniform = ACTIVATIONS["softmax"].fn(np.full((1, 4), 3.0))
    np.testing.assert_allclose(uniform, [[0.25, 0.25, 0.25, 0.25]])


@pytest.mark.parametrize("name", ELEMENTWISE + OUTPUT_ONLY)
def test_derivative_matches_central_differences(name, rng):
    activation = ACTIVATIONS[name]
    Z = away_from_zero(rng, (6, 5))
    numeric = (activation.fn(Z + H) - activation.fn(Z - H)) / (2 * H)
    analytic = activation.derivative(Z, activation.fn(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_relu_derivatives_are_zero_at_and_below_zero():
    Z = np.array([[-2.0, 0.0, 3.0]])
    relu, leaky = ACTIVATIONS["relu"], ACTIVATIONS["leaky_relu"]
    np.testing.assert_array_equal(relu.derivative(Z, relu.fn(Z)), [[0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(leaky.derivative(Z, leaky.fn(Z)), [[0.01, 0.01, 1.0]])


def test_softmax_jacobian_matches_central_differences(rng):
    softmax = ACTIVATIONS["softmax"]
    Z = rng.normal(0, 2, (5, 4))
    J = softmax.derivative(Z, softmax.fn(Z))  # J[i, a, b] = dA_ia / dZ_ib
    assert J.shape == (5, 4, 4)
    for b in range(4):
        step = np.zeros(4)
        step[b] = H
        column = (softmax.fn(Z + step) - softmax.fn(Z - step)) / (2 * H)  # dA_i / dZ_ib
        np.testing.assert_allclose(J[:, :, b], column, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_backward_is_dA_times_derivative(name, rng):
    activation = ACTIVATIONS[name]
    Z = away_from_zero(rng, (6, 3))
    A = activation.fn(Z)
    dA = rng.standard_normal((6, 3))
    expected = dA * activation.derivative(Z, A)
    np.testing.assert_allclose(activation.backward(Z, A, dA), expected, rtol=1e-14)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_backward_matches_finite_differences_of_a_scalar(name, rng):
    """d/dZ of sum(dA * g(Z)) is the chain rule backward computes, without its helpers."""
    activation = ACTIVATIONS[name]
    Z = away_from_zero(rng, (4, 3))
    dA = rng.standard_normal((4, 3))
    numeric = (dA * activation.fn(Z + H) - dA * activation.fn(Z - H)) / (2 * H)
    np.testing.assert_allclose(
        activation.backward(Z, activation.fn(Z), dA), numeric, rtol=1e-6, atol=1e-9
    )


def test_g_prime_is_stated_once_and_backward_follows_it(rng):
    """Element-wise activations have no step of their own: backward is dA * derivative,
    so changing the derivative alone changes the step (it cannot say g' a second time)."""
    Z = away_from_zero(rng, (4, 3))
    dA = rng.standard_normal((4, 3))
    for name in ELEMENTWISE:
        activation = ACTIVATIONS[name]
        assert activation.jacobian_product is None, name
        doubled = dataclasses.replace(
            activation, derivative=lambda Z, A, g=activation: 2 * g.derivative(Z, A)
        )
        A = activation.fn(Z)
        np.testing.assert_array_equal(doubled.backward(Z, A, dA), 2 * activation.backward(Z, A, dA))
    assert ACTIVATIONS["softmax"].jacobian_product is not None  # the one that is not element-wise


def test_a_new_activation_needs_only_g_and_g_prime(rng):
    """softplus, g = log(1 + e^z), g' = sigma(z): its backward step comes for free."""
    softplus = Activation(
        "softplus", lambda Z: np.logaddexp(0, Z), lambda Z, A: scipy.special.expit(Z)
    )
    Z = rng.normal(size=(5, 2))
    dA = rng.standard_normal((5, 2))
    numeric = (dA * softplus.fn(Z + H) - dA * softplus.fn(Z - H)) / (2 * H)
    np.testing.assert_allclose(
        softplus.backward(Z, softplus.fn(Z), dA), numeric, rtol=1e-7, atol=1e-10
    )


def test_softmax_backward_is_the_jacobian_product(rng):
    softmax = ACTIVATIONS["softmax"]
    Z = rng.normal(0, 2, (6, 4))
    A = softmax.fn(Z)
    dA = rng.standard_normal((6, 4))
    expected = np.einsum("nk,nkj->nj", dA, softmax.derivative(Z, A))  # dZ_j = sum_k dA_k dA_k/dZ_j
    np.testing.assert_allclose(softmax.backward(Z, A, dA), expected, rtol=1e-12, atol=1e-15)
    # and against finite differences of the scalar sum(dA * softmax(Z)), column by column
    numeric = np.zeros_like(Z)
    for j in range(4):
        step = np.zeros(4)
        step[j] = H
        plus = (dA * softmax.fn(Z + step)).sum(axis=1)
        minus = (dA * softmax.fn(Z - step)).sum(axis=1)
        numeric[:, j] = (plus - minus) / (2 * H)
    np.testing.assert_allclose(softmax.backward(Z, A, dA), numeric, rtol=1e-6, atol=1e-9)


# --- numerics at large |z| ------------------------------------------------------------


def strict_numerics():
    """Turn overflow, division by zero, invalid results and every warning into errors.

    Underflow stays ignored (NumPy's default): exp(-1e4) rounding to exactly 0 is the
    intended result of the stable formulas, not a fault.
    """
    return np.errstate(over="raise", divide="raise", invalid="raise", under="ignore")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "softmax"])
def test_sigmoid_and_softmax_are_finite_in_the_unit_interval_at_huge_z(name, dtype):
    activation = ACTIVATIONS[name]
    Z = np.array(
        [[-1e4, -1e3, -100.0, 0.0], [1e4, 1e3, 100.0, 0.0], [1e4, -1e4, 89.0, -89.0]],
        dtype=dtype,
    )
    with warnings.catch_warnings(), strict_numerics():
        warnings.simplefilter("error")
        A = activation.fn(Z)
        derivative = activation.derivative(Z, A)
        dZ = activation.backward(Z, A, np.ones_like(A))
    assert A.dtype == dtype
    for array in (A, derivative, dZ):
        assert np.isfinite(array).all()
    assert ((A >= 0) & (A <= 1)).all()
    if name == "sigmoid":
        np.testing.assert_allclose(A, scipy.special.expit(Z.astype(np.float64)), atol=1e-7)
    else:
        np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-6)
        np.testing.assert_allclose(A[2], [1.0, 0.0, 0.0, 0.0], atol=1e-7)


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 6)),
        elements=st.floats(-1e4, 1e4, allow_nan=False),
    )
)
def test_softmax_rows_sum_to_one(Z):
    with warnings.catch_warnings(), strict_numerics():
        warnings.simplefilter("error")
        A = ACTIVATIONS["softmax"].fn(Z)
    assert ((A >= 0) & (A <= 1)).all()
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-12)
    rows = np.arange(Z.shape[0])
    np.testing.assert_array_equal(A[rows, Z.argmax(axis=1)], A.max(axis=1))  # order kept


@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 5), st.integers(1, 6)),
        elements=st.floats(-1e4, 1e4, allow_nan=False, width=32),
    )
)
def test_float32_softmax_rows_sum_to_one(Z):
    with warnings.catch_warnings(), strict_numerics():
        warnings.simplefilter("error")
        A = ACTIVATIONS["softmax"].fn(Z)
    assert A.dtype == np.float32
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-5)


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_sigmoid_is_symmetric_and_matches_expit(z):
    Z = z.reshape(1, -1)
    with warnings.catch_warnings(), strict_numerics():
        warnings.simplefilter("error")
        A = ACTIVATIONS["sigmoid"].fn(Z)
        mirrored = ACTIVATIONS["sigmoid"].fn(-Z)
    np.testing.assert_allclose(A, scipy.special.expit(Z), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(A + mirrored, 1.0, rtol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_in_float32_out(name, rng):
    activation = ACTIVATIONS[name]
    Z = rng.standard_normal((4, 3)).astype(np.float32)
    A = activation.fn(Z)
    assert A.dtype == np.float32
    assert activation.derivative(Z, A).dtype == np.float32
    assert activation.backward(Z, A, np.ones_like(A)).dtype == np.float32
    np.testing.assert_allclose(A, REFERENCE[name](Z.astype(np.float64)), rtol=1e-6, atol=1e-7)
