"""Initialisers: shapes, dtypes, reproducibility and the statistics of a large draw."""

import numpy as np
import pytest

from glassnet.core.initializers import INITIALIZERS
from glassnet.core.network import Network

NAMES = sorted(INITIALIZERS)
FAN_IN, FAN_OUT = 400, 500  # 200,000 draws: the sample std is within ~0.2% of the true one


def test_the_table_holds_he_glorot_and_small():
    assert set(INITIALIZERS) == {"he", "glorot", "small"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_shape_is_fan_in_by_fan_out_and_dtype_is_respected(name, dtype):
    W = INITIALIZERS[name](3, 7, np.random.default_rng(0), dtype)
    assert W.shape == (3, 7)
    assert W.dtype == dtype
    assert np.isfinite(W).all()
    assert np.unique(W).size == W.size  # random, not a constant


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_weights_different_seed_different(name):
    first = INITIALIZERS[name](5, 4, np.random.default_rng(42), np.float64)
    again = INITIALIZERS[name](5, 4, np.random.default_rng(42), np.float64)
    other = INITIALIZERS[name](5, 4, np.random.default_rng(43), np.float64)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("name", NAMES)
def test_the_generator_passed_in_is_the_only_randomness(name, monkeypatch):
    def global_state_used(*args, **kwargs):
        raise AssertionError("an initialiser used the global np.random state")

    for legacy in ("standard_normal", "normal", "uniform", "rand", "randn", "random"):
        monkeypatch.setattr(np.random, legacy, global_state_used)
    rng = np.random.default_rng(7)
    INITIALIZERS[name](6, 6, rng, np.float64)
    assert rng.standard_normal() != np.random.default_rng(7).standard_normal()  # it advanced


def test_he_is_normal_with_std_sqrt_2_over_fan_in():
    W = INITIALIZERS["he"](FAN_IN, FAN_OUT, np.random.default_rng(0), np.float64)
    expected_std = np.sqrt(2.0 / FAN_IN)
    assert W.std() == pytest.approx(expected_std, rel=0.03)
    assert abs(W.mean()) < 5 * expected_std / np.sqrt(W.size)
    # normal, not uniform: about 68.3% of draws within one std
    assert np.mean(np.abs(W) < expected_std) == pytest.approx(0.6827, abs=0.01)


def test_he_std_depends_on_fan_in_only():
    narrow = INITIALIZERS["he"](50, 4000, np.random.default_rng(1), np.float64)
    assert narrow.std() == pytest.approx(np.sqrt(2.0 / 50), rel=0.03)


def test_glorot_is_uniform_within_its_limit():
    W = INITIALIZERS["glorot"](FAN_IN, FAN_OUT, np.random.default_rng(0), np.float64)
    limit = np.sqrt(6.0 / (FAN_IN + FAN_OUT))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit  # it reaches the limit, not a narrower range
    assert W.var() == pytest.approx(limit**2 / 3, rel=0.03)  # variance of U(-r, r)
    assert W.var() == pytest.approx(2.0 / (FAN_IN + FAN_OUT), rel=0.03)
    assert abs(W.mean()) < 5 * W.std() / np.sqrt(W.size)


def test_small_has_std_one_hundredth():
    W = INITIALIZERS["small"](FAN_IN, FAN_OUT, np.random.default_rng(0), np.float64)
    assert W.std() == pytest.approx(0.01, rel=0.03)
    assert abs(W.mean()) < 5 * 0.01 / np.sqrt(W.size)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_a_fresh_network_has_zero_biases_and_weights_of_its_initialiser(name, dtype):
    network = Network([300, 200, 100, 2], init=name, random_state=0, dtype=dtype)
    for l in (1, 2, 3):
        n_in, n_out = network.layer_sizes[l - 1], network.layer_sizes[l]
        assert network.W[l].shape == (n_in, n_out)
        assert network.b[l].shape == (n_out,)
        assert network.W[l].dtype == network.b[l].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(network.b[l], 0.0)
    W = network.W[1].astype(np.float64)  # the largest layer, 60,000 draws
    if name == "he":
        assert W.std() == pytest.approx(np.sqrt(2.0 / 300), rel=0.03)
    elif name == "glorot":
        assert np.abs(W).max() <= np.sqrt(6.0 / 500) * (1 + 1e-6)
        assert W.var() == pytest.approx(2.0 / 500, rel=0.03)
    else:
        assert W.std() == pytest.approx(0.01, rel=0.03)
