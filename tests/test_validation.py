"""The number checkers: one way to accept Python and NumPy numbers and refuse the rest."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet.errors import InputError
from glassnet.validation import (
    Interval,
    check_integer,
    check_number,
    check_positive,
    check_random_state,
    check_unit_interval,
)

FLOAT_TYPES = [np.float16, np.float32, np.float64]
INT_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.uint64]
NOT_NUMBERS = [True, False, np.True_, "0.5", None, [0.5], 1j, np.complex128(1)]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_python_float_comes_back_unchanged(x):
    result = check_number(x, "x")
    assert type(result) is float and result == x


@given(st.floats(allow_nan=False, allow_infinity=False, width=16), st.sampled_from(FLOAT_TYPES))
def test_a_numpy_float_comes_back_as_the_same_number_in_its_dtype(x, kind):
    value = kind(x)  # a float16 value: exact in every dtype
    result = check_number(value, "x")
    assert type(result) is float
    assert kind(result) == value
    assert len(repr(result)) <= len(repr(float(value)))  # no longer than its float64 digits


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (np.float32(0.2), 0.2),
        (np.float32(1e-4), 1e-4),
        (np.float16(0.1), 0.1),
        (np.float64(0.3), 0.3),
    ],
)
def test_a_numpy_float_is_the_number_written_not_its_binary_expansion(value, written):
    assert float(value) != written or value.dtype == np.float64  # float32(0.2) is 0.2000000030
    assert check_number(value, "x") == written
    assert math.ceil(check_number(value, "x") * 50) == math.ceil(written * 50)


@given(st.integers(-(2**63), 2**63 - 1))
def test_python_and_numpy_ints_are_numbers_and_whole_numbers(n):
    assert check_number(n, "x") == float(n)
    assert check_number(np.int64(n), "x") == float(n)
    result = check_integer(np.int64(n), "n")
    assert type(result) is int and result == n


@pytest.mark.parametrize("kind", INT_TYPES)
def test_every_numpy_int_type_is_a_whole_number(kind):
    assert check_integer(kind(7), "n", low=1) == 7


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_booleans_strings_none_and_complex_are_not_numbers(value):
    with pytest.raises(InputError, match=r"^rate must be a number above 0, got "):
        check_number(value, "rate", low=0, low_open=True)
    with pytest.raises(InputError, match=r"^epochs must be a whole number of 1 or more, got "):
        check_integer(value, "epochs", low=1)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float32("nan"), 10**400])
def test_nan_and_inf_are_refused(value):
    with pytest.raises(InputError, match="alpha"):
        check_number(value, "alpha", low=0)


@pytest.mark.parametrize("value", [2.0, 2.5, np.float64(3.0)])
def test_floats_are_not_whole_numbers_even_integral_ones(value):
    with pytest.raises(InputError, match="whole number"):
        check_integer(value, "epochs", low=1)


@pytest.mark.parametrize(
    ("interval", "inside", "outside"),
    [
        (Interval(low=0), [0, 1e-300, 5], [-1e-300, -1]),
        (Interval(low=0, low_open=True), [1e-300, 5], [0, -1]),
        (Interval(high=1), [1, -5], [1.0000001]),
        (Interval(high=1, high_open=True), [0.999, -5], [1]),
        (Interval(0, 1, low_open=True, high_open=True), [0.5, 1e-9], [0, 1]),
        (Interval(0, 1), [0, 1], [-0.1, 1.1]),
    ],
)
def test_bounds_are_closed_unless_marked_open(interval, inside, outside):
    for x in inside:
        assert x in interval
        check_number(x, "x", **vars(interval))
    for x in outside:
        assert x not in interval
        with pytest.raises(InputError):
            check_number(x, "x", **vars(interval))


OPEN = {"low_open": True, "high_open": True}
MESSAGES = [
    (check_number, -1, {"low": 0, "low_open": True}, "must be a number above 0, got -1"),
    (check_number, -1, {"low": 0}, "must be a number of 0 or more, got -1"),
    (check_number, 2, {"high": 1}, "must be a number of 1 or less, got 2"),
    (check_number, 2, {"high": 1, "high_open": True}, "must be a number below 1, got 2"),
    (check_number, 1.5, {"low": 0, "high": 1, "high_open": True}, "must lie in [0, 1), got 1.5"),
    (
        check_number,
        1,
        {"low": 0, "high": 1, **OPEN, "noun": "a fraction"},
        "must be a fraction in (0, 1), got 1",
    ),
    (check_number, "x", {"alternative": "a tuple"}, "must be a number, or a tuple, got 'x'"),
    (check_integer, 0, {"low": 1}, "must be a whole number of 1 or more, got 0"),
    (check_integer, 9, {"low": 1, "high": 5}, "must be a whole number in [1, 5], got 9"),
    (check_integer, True, {}, "must be a whole number, got True"),
]


@pytest.mark.parametrize(("check", "value", "options", "message"), MESSAGES)
def test_messages_name_the_parameter_what_it_must_be_and_what_it_got(
    check, value, options, message
):
    with pytest.raises(InputError) as error:
        check(value, "p", **options)
    assert str(error.value) == f"p {message}"


def test_check_positive_and_check_unit_interval_are_check_number():
    assert check_positive(np.float32(0.5), "lr") == 0.5
    assert check_unit_interval(np.float64(0), "momentum") == 0.0
    with pytest.raises(InputError, match=r"lr must be a number above 0, got np\.int64\(0\)"):
        check_positive(np.int64(0), "lr")
    with pytest.raises(InputError, match=r"beta1 must lie in \(0, 1\), got 0"):
        check_unit_interval(0, "beta1", closed_low=False)
    with pytest.raises(InputError, match="momentum"):
        check_unit_interval(True, "momentum")


def test_check_random_state_gives_the_generator_of_the_seed():
    a, b = check_random_state(np.int64(3)), np.random.default_rng(3)
    assert a.integers(1 << 30) == b.integers(1 << 30)
    generator = np.random.default_rng(0)
    assert check_random_state(generator) is generator
    assert isinstance(check_random_state(None), np.random.Generator)


@pytest.mark.parametrize("seed", [-1, 1.5, "seed", True])
def test_check_random_state_refuses_what_is_not_a_seed(seed):
    with pytest.raises(InputError, match="random_state must be a whole number of 0 or more"):
        check_random_state(seed)
