"""The Network, its forward and backward passes, checked by hand and by recomputation."""

import math

import numpy as np
import pytest
import scipy.special

from glassnet.core.activations import HIDDEN_ACTIVATIONS, Activation
from glassnet.core.network import Gradients, Network, Trace, backward, cost, encode_targets, forward
from glassnet.errors import InputError

INDEPENDENT = {
    "sigmoid": scipy.special.expit,
    "tanh": np.tanh,
    "relu": lambda Z: np.where(Z > 0, Z, 0.0),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    "identity": lambda Z: Z,
    "softmax": lambda Z: scipy.special.softmax(Z, axis=1),
}


def randomise_biases(network: Network, seed: int = 0) -> Network:
    """Biases start at zero; give them values so that a forgotten ``+ b`` shows."""
    rng = np.random.default_rng(seed)
    for l in network.b:
        network.b[l][...] = rng.normal(0, 0.5, network.b[l].shape)
    return network


# --- construction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "known"),
    [
        ({"hidden": "swish"}, ["identity", "leaky_relu", "relu", "sigmoid", "tanh"]),
        ({"hidden": ["relu", "softmax"]}, ["identity", "leaky_relu", "relu", "sigmoid", "tanh"]),
        ({"output": "relu"}, ["identity", "sigmoid", "softmax"]),
        ({"init": "xavier"}, ["glorot", "he", "small"]),
    ],
)
def test_an_unknown_name_lists_the_known_ones(kwargs, known):
    with pytest.raises(InputError) as error:
        Network([3, 4, 4, 2], **kwargs)
    message = str(error.value)
    bad = next(iter(kwargs.values()))
    assert repr(bad if isinstance(bad, str) else bad[-1]) in message
    for name in known:
        assert name in message


@pytest.mark.parametrize("hidden", [["relu"], ["relu", "tanh", "tanh"], []])
def test_a_hidden_list_of_the_wrong_length_is_refused(hidden):
    with pytest.raises(InputError, match="2 hidden layer"):
        Network([3, 4, 4, 1], hidden=hidden)


@pytest.mark.parametrize(
    "sizes",
    [
        [2, 0, 1],
        [2, -3, 1],
        [0, 1],
        [2, 1, 0],
        [3],
        [],
        [2.5, 1],
        [np.float32(2.5), 1],
        [2.0, 1],
        [True, 1],
        "21",
        [2, None],
    ],
    ids=[
        "zero",
        "negative",
        "zero-input",
        "zero-output",
        "one-size",
        "empty",
        "2.5",
        "f32-2.5",
        "float-2.0",
        "bool",
        "string",
        "None",
    ],
)
def test_bad_layer_sizes_are_refused(sizes):
    with pytest.raises(InputError):
        Network(sizes)


@pytest.mark.parametrize("dtype", ["float16", "int64", "banana", np.complex128])
def test_unsupported_dtype_is_refused(dtype):
    with pytest.raises(InputError, match="float32"):
        Network([2, 1], dtype=dtype)


def test_numpy_integer_sizes_are_accepted():
    network = Network(np.array([3, 4, 2]), random_state=0)
    assert network.layer_sizes == [3, 4, 2]
    assert all(type(size) is int for size in network.layer_sizes)


def test_per_layer_hidden_activations_and_properties():
    network = Network([3, 4, 5, 2], hidden=["tanh", "leaky_relu"], output="softmax")
    assert network.hidden == ["tanh", "leaky_relu"]
    assert network.output == "softmax"
    assert network.loss.name == "cross_entropy"
    assert network.n_layers == 3
    assert [activation.name for activation in network.activations] == [
        "tanh",
        "leaky_relu",
        "softmax",
    ]
    assert sorted(network.W) == sorted(network.b) == [1, 2, 3]
    assert {l: W.shape for l, W in network.W.items()} == {1: (3, 4), 2: (4, 5), 3: (5, 2)}


def test_same_seed_bit_identical_weights_different_seed_different():
    first = Network([3, 5, 4, 2], random_state=11)
    again = Network([3, 5, 4, 2], random_state=11)
    other = Network([3, 5, 4, 2], random_state=12)
    from_generator = Network([3, 5, 4, 2], random_state=np.random.default_rng(11))
    for l in first.W:
        assert first.W[l].tobytes() == again.W[l].tobytes()
        assert first.W[l].tobytes() == from_generator.W[l].tobytes()
        assert not np.array_equal(first.W[l], other.W[l])


def test_each_layer_gets_its_own_draw():
    network = Network([4, 4, 4, 4], random_state=0)
    assert not np.array_equal(network.W[1], network.W[2])
    assert not np.array_equal(network.W[2], network.W[3])


# --- forward ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4])
def test_forward_shapes(depth):
    sizes = [3] + [5 + l for l in range(depth)] + [2]
    network = Network(sizes, hidden="tanh", output="softmax", random_state=0)
    X = np.random.default_rng(0).normal(size=(7, 3))
    trace = forward(network, X)
    assert isinstance(trace, Trace)
    assert sorted(trace.Z) == list(range(1, depth + 2))
    assert sorted(trace.A) == list(range(depth + 2))
    for l in trace.Z:
        assert trace.Z[l].shape == trace.A[l].shape == (7, sizes[l])
    assert trace.output is trace.A[depth + 1]
    assert trace.output.shape == (7, 2)


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_trace_holds_every_Z_and_A_recomputed_independently(hidden, output):
    network = randomise_biases(Network([3, 4, 5, 3], hidden=hidden, output=output, random_state=1))
    X = np.random.default_rng(2).normal(size=(6, 3))
    trace = forward(network, X)
    np.testing.assert_array_equal(trace.A[0], X)
    for l in (1, 2, 3):
        W, b, A_prev = network.W[l], network.b[l], trace.A[l - 1]
        Z = np.einsum("ni,ij->nj", A_prev, W) + b  # Z[l] = A[l-1] W[l] + b[l]
        np.testing.assert_allclose(trace.Z[l], Z, rtol=1e-13, atol=1e-14)
        name = output if l == 3 else hidden
        np.testing.assert_allclose(trace.A[l], INDEPENDENT[name](Z), rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(network.predict_output(X.tolist()), trace.output)


def test_float32_network_stays_float32_through_forward_and_backward(binary_data):
    X, y = binary_data
    network = randomise_biases(Network([3, 4, 4, 1], hidden="tanh", dtype="float32"))
    X32 = X.astype(np.float32)
    trace = forward(network, X32)
    for l in trace.Z:
        assert trace.Z[l].dtype == trace.A[l].dtype == np.float32
    Y = encode_targets(network, y)
    assert Y.dtype == np.float32
    weights = np.linspace(0.5, 2, len(y), dtype=np.float32)
    for grads in (backward(network, trace, Y), backward(network, trace, Y, weights, l2=0.1)):
        for array in [*grads.as_list(), *grads.dZ.values(), *grads.dA.values()]:
            assert array.dtype == np.float32
    reference = network.astype("float64")
    grads64 = backward(reference, forward(reference, X), encode_targets(reference, y))
    for low, high in zip(backward(network, trace, Y).as_list(), grads64.as_list(), strict=True):
        np.testing.assert_allclose(low, high, rtol=1e-4, atol=1e-6)


def test_astype_copies_and_converts():
    network = Network([2, 3, 1], random_state=0)
    low = network.astype("float32")
    assert low.dtype == np.float32 and network.dtype == np.float64
    for l in network.W:
        assert low.W[l].dtype == low.b[l].dtype == np.float32
        np.testing.assert_allclose(low.W[l], network.W[l], rtol=1e-7)
    low.W[1][0, 0] = 100.0
    assert network.W[1][0, 0] != 100.0


# --- parameters, copies ----------------------------------------------------------------


def test_parameters_order_matches_names_and_gradients(regression_data):
    X, y = regression_data
    network = Network([3, 4, 2, 1], hidden="tanh", output="identity", random_state=0)
    names = network.parameter_names()
    assert names == ["W1", "b1", "W2", "b2", "W3", "b3"]
    parameters = network.parameters()
    for name, array in zip(names, parameters, strict=True):
        table = network.W if name[0] == "W" else network.b
        assert array is table[int(name[1:])]  # the arrays themselves, updatable in place
    grads = backward(network, forward(network, X), encode_targets(network, y))
    assert isinstance(grads, Gradients)
    gradients = grads.as_list()
    for name, array, gradient in zip(names, parameters, gradients, strict=True):
        table = grads.dW if name[0] == "W" else grads.db
        assert gradient is table[int(name[1:])]
        assert gradient.shape == array.shape


def test_copy_is_independent():
    network = Network([2, 3, 1], hidden="tanh", random_state=0)
    clone = network.copy()
    assert clone is not network
    assert clone.layer_sizes == network.layer_sizes
    assert clone.hidden == network.hidden and clone.output == network.output
    for l in network.W:
        np.testing.assert_array_equal(clone.W[l], network.W[l])
        np.testing.assert_array_equal(clone.b[l], network.b[l])
    before = {l: (W.copy(), network.b[l].copy()) for l, W in network.W.items()}
    clone.W[1][...] += 1.0
    clone.b[2][...] -= 1.0
    clone.layer_sizes.append(99)
    clone.activations.pop()
    for l, (W, b) in before.items():
        np.testing.assert_array_equal(network.W[l], W)
        np.testing.assert_array_equal(network.b[l], b)
    assert network.layer_sizes == [2, 3, 1]
    assert network.output == "sigmoid"


# --- encode_targets --------------------------------------------------------------------


def test_softmax_indices_become_one_hot():
    network = Network([2, 3], output="softmax")
    Y = encode_targets(network, [2, 0, 1, 1])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 0]])
    assert Y.dtype == np.float64
    one_hot = np.eye(3)[[1, 2]]
    np.testing.assert_array_equal(encode_targets(network, one_hot), one_hot)


def test_sigmoid_and_identity_targets_become_columns():
    np.testing.assert_array_equal(encode_targets(Network([2, 1]), [0, 1, 1]), [[0], [1], [1]])
    np.testing.assert_array_equal(encode_targets(Network([2, 1]), [True, False]), [[1], [0]])
    two = Network([2, 2])
    np.testing.assert_array_equal(encode_targets(two, [[0, 1], [1, 1]]), [[0, 1], [1, 1]])
    regression = Network([2, 1], output="identity", dtype="float32")
    Y = encode_targets(regression, [1.5, -2.0])
    np.testing.assert_array_equal(Y, [[1.5], [-2.0]])
    assert Y.dtype == np.float32


@pytest.mark.parametrize(
    ("sizes", "output", "y", "match"),
    [
        ([2, 1], "sigmoid", [0, 1, 2], "0 and 1"),
        ([2, 1], "sigmoid", [-1, 1], "0 and 1"),
        ([2, 2], "sigmoid", [[0, 0.5], [1, 0]], "0 and 1"),
        ([2, 3], "softmax", [0, 1, 3], "0..2"),
        ([2, 3], "softmax", [-1, 0, 1], "0..2"),
        ([2, 3], "softmax", [0.5, 1.0], "class indices"),
        ([2, 3], "softmax", ["a", "b"], "class indices"),
        ([2, 3], "softmax", np.eye(4), r"\(n, 3\)"),
        ([2, 1], "sigmoid", [[0, 1], [1, 0]], r"\(n, 1\)"),
        ([2, 3], "identity", np.zeros((4, 2)), r"\(n, 3\)"),
        ([2, 1], "identity", [1.0, np.nan], "NaN"),
        ([2, 1], "identity", ["a", "b"], "numeric"),
    ],
)
def test_bad_targets_are_refused(sizes, output, y, match):
    with pytest.raises(InputError, match=match):
        encode_targets(Network(sizes, output=output), y)


# --- cost and backward -----------------------------------------------------------------


def test_l2_adds_half_l2_times_the_squared_weights(binary_data):
    X, y = binary_data
    network = Network([3, 4, 1], hidden="tanh", random_state=0)
    trace, Y = forward(network, X), encode_targets(network, y)
    squares = sum((W**2).sum() for W in network.W.values())
    assert cost(network, trace, Y, l2=0.3) - cost(network, trace, Y) == pytest.approx(
        0.15 * squares, rel=1e-12
    )
    plain = backward(network, trace, Y)
    penalised = backward(network, trace, Y, l2=0.3)
    for l in network.W:
        np.testing.assert_allclose(penalised.dW[l] - plain.dW[l], 0.3 * network.W[l], rtol=1e-12)
        np.testing.assert_array_equal(penalised.db[l], plain.db[l])  # biases not penalised


def test_integer_sample_weights_equal_repeated_rows(multiclass_data):
    X, y = multiclass_data
    network = randomise_biases(Network([3, 5, 3], hidden="tanh", output="softmax", random_state=0))
    counts = np.array([1, 2, 0, 3, 1, 1, 4, 1, 0, 2, 1, 1])
    Y = encode_targets(network, y)
    trace = forward(network, X)
    weighted = backward(network, trace, Y, counts.astype(float))
    Xr, Yr = np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0)
    repeated = backward(network, forward(network, Xr), Yr)
    for a, b in zip(weighted.as_list(), repeated.as_list(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert cost(network, trace, Y, counts.astype(float)) == pytest.approx(
        cost(network, forward(network, Xr), Yr), rel=1e-12
    )
    ones = backward(network, trace, Y, np.ones(len(y)))
    for a, b in zip(ones.as_list(), backward(network, trace, Y).as_list(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-16)


def test_one_step_worked_by_hand():
    """A 2-2-1 network (tanh hidden, sigmoid output) on two samples, with every
    quantity of the step computed in plain Python scalars."""
    x = [[1.0, 2.0], [-1.0, 0.5]]  # x[s][i]: sample s, feature i
    y = [1.0, 0.0]
    w1 = [[0.1, -0.2], [0.3, 0.4]]  # w1[i][j]: input i -> hidden j
    b1 = [0.05, -0.1]
    w2 = [0.5, -0.6]  # hidden j -> the output
    b2 = 0.2

    z1 = [[x[s][0] * w1[0][j] + x[s][1] * w1[1][j] + b1[j] for j in (0, 1)] for s in (0, 1)]
    # by hand: 1(0.1) + 2(0.3) + 0.05, 1(-0.2) + 2(0.4) - 0.1; -0.1 + 0.15 + 0.05, 0.2 + 0.2 - 0.1
    np.testing.assert_allclose(z1, [[0.75, 0.5], [0.1, 0.3]], atol=1e-15)
    a1 = [[math.tanh(z1[s][j]) for j in (0, 1)] for s in (0, 1)]
    z2 = [a1[s][0] * w2[0] + a1[s][1] * w2[1] + b2 for s in (0, 1)]
    a2 = [1.0 / (1.0 + math.exp(-z2[s])) for s in (0, 1)]
    J = -0.5 * (math.log(a2[0]) + math.log(1.0 - a2[1]))  # y = (1, 0)
    dz2 = [a2[s] - y[s] for s in (0, 1)]
    dw2 = [(a1[0][j] * dz2[0] + a1[1][j] * dz2[1]) / 2 for j in (0, 1)]
    db2 = (dz2[0] + dz2[1]) / 2
    da1 = [[dz2[s] * w2[j] for j in (0, 1)] for s in (0, 1)]
    dz1 = [[da1[s][j] * (1.0 - a1[s][j] ** 2) for j in (0, 1)] for s in (0, 1)]
    dw1 = [[(x[0][i] * dz1[0][j] + x[1][i] * dz1[1][j]) / 2 for j in (0, 1)] for i in (0, 1)]
    db1 = [(dz1[0][j] + dz1[1][j]) / 2 for j in (0, 1)]

    network = Network([2, 2, 1], hidden="tanh", output="sigmoid")
    network.W[1][...] = w1
    network.b[1][...] = b1
    network.W[2][...] = [[w2[0]], [w2[1]]]
    network.b[2][...] = [b2]
    trace = forward(network, np.array(x))
    Y = encode_targets(network, np.array([1, 0]))
    grads = backward(network, trace, Y)

    def close(actual, expected):
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)

    close(trace.Z[1], z1)
    close(trace.A[1], a1)
    close(trace.Z[2], [[z] for z in z2])
    close(trace.A[2], [[a] for a in a2])
    assert cost(network, trace, Y) == pytest.approx(J, abs=1e-12)
    close(grads.dZ[2], [[d] for d in dz2])
    close(grads.dW[2], [[d] for d in dw2])
    close(grads.db[2], [db2])
    close(grads.dA[1], da1)
    close(grads.dZ[1], dz1)
    close(grads.dW[1], dw1)
    close(grads.db[1], db1)
    assert sorted(grads.dW) == [1, 2]


# --- Network.from_weights and Network.copy ----------------------------------------------


def test_from_weights_computes_what_the_source_network_computes(multiclass_data):
    X, _ = multiclass_data
    source = randomise_biases(
        Network([3, 5, 4, 3], hidden=["tanh", "relu"], output="softmax", random_state=3)
    )
    rebuilt = Network.from_weights(source.W, source.b, hidden=["tanh", "relu"], output="softmax")
    assert rebuilt.layer_sizes == [3, 5, 4, 3]
    assert rebuilt.hidden == ["tanh", "relu"] and rebuilt.output == "softmax"
    assert rebuilt.loss.name == "cross_entropy"
    ours, theirs = forward(rebuilt, X), forward(source, X)
    for l in theirs.Z:
        np.testing.assert_array_equal(ours.Z[l], theirs.Z[l])
        np.testing.assert_array_equal(ours.A[l], theirs.A[l])


def test_from_weights_draws_no_random_numbers(monkeypatch):
    import glassnet.core.initializers
    import glassnet.core.network

    def refuse(*args, **kwargs):
        raise AssertionError("from_weights must not draw random weights")

    for name in glassnet.core.initializers.INITIALIZERS:
        monkeypatch.setitem(glassnet.core.initializers.INITIALIZERS, name, refuse)
    monkeypatch.setattr(glassnet.core.network.np.random, "default_rng", refuse)
    W = [np.ones((2, 3)), np.full((3, 1), 0.5)]
    b = [np.zeros(3), np.array([0.25])]
    network = Network.from_weights(W, b, hidden="tanh", init="glorot")
    assert network.init == "glorot"
    np.testing.assert_array_equal(network.W[1], np.ones((2, 3)))
    np.testing.assert_array_equal(network.b[2], [0.25])
    with pytest.raises(AssertionError, match="must not draw"):
        Network([2, 3, 1], init="glorot")  # the patch is in force: the constructor does draw


def test_from_weights_copies_by_default_and_shares_with_copy_false():
    W = [np.ones((2, 3)), np.ones((3, 1))]
    b = [np.zeros(3), np.zeros(1)]
    copied = Network.from_weights(W, b)
    shared = Network.from_weights(W, b, copy=False)
    for l in (1, 2):
        assert not np.shares_memory(copied.W[l], W[l - 1])
        assert not np.shares_memory(copied.b[l], b[l - 1])
        assert shared.W[l] is W[l - 1] and shared.b[l] is b[l - 1]
    shared.W[1][0, 0] = 7.0  # the caller's array is the network's
    assert W[0][0, 0] == 7.0 and copied.W[1][0, 0] == 1.0


def test_from_weights_copy_false_converts_what_it_cannot_share():
    """Another dtype, Fortran order or a list cannot be shared: those become new C arrays."""
    W = [np.ones((2, 3), dtype=np.float32), np.asfortranarray(np.ones((3, 4))), [[1.0]] * 4]
    b = [np.zeros(3), np.zeros(4), np.zeros(1)]
    network = Network.from_weights(W, b, dtype="float64", copy=False)
    for l in (1, 2, 3):
        assert network.W[l].dtype == np.float64 and network.W[l].flags.c_contiguous
    assert not np.shares_memory(network.W[1], W[0])
    assert not np.shares_memory(network.W[2], W[1])
    assert all(network.b[l] is b[l - 1] for l in (1, 2, 3))


def test_from_weights_keeps_float32_and_takes_a_dtype():
    W32 = [np.ones((2, 2), dtype=np.float32), np.ones((2, 1), dtype=np.float32)]
    b = [np.zeros(2), np.zeros(1)]  # float64 biases follow W[1]'s dtype
    low = Network.from_weights(W32, b)
    assert low.dtype == np.float32
    assert all(array.dtype == np.float32 for array in low.parameters())
    ints = Network.from_weights([np.ones((2, 2), dtype=int), [[1], [2]]], [[0, 0], [1]])
    assert ints.dtype == np.float64 and ints.W[2].dtype == np.float64
    high = Network.from_weights(W32, b, dtype="float64")
    assert all(array.dtype == np.float64 for array in high.parameters())
    with pytest.raises(InputError, match="float32"):
        Network.from_weights(W32, b, dtype="float16")


def test_from_weights_takes_lists_and_dicts_keyed_by_layer():
    W = [np.arange(6.0).reshape(2, 3), np.arange(3.0).reshape(3, 1)]
    b = [np.array([1.0, 2.0, 3.0]), np.array([-1.0])]
    from_lists = Network.from_weights(W, b)
    from_dicts = Network.from_weights({2: W[1], 1: W[0]}, {1: b[0], 2: b[1]})  # any key order
    mixed = Network.from_weights((W[0].tolist(), W[1].tolist()), {1: b[0], 2: b[1]})
    for network in (from_dicts, mixed):
        assert network.layer_sizes == [2, 3, 1]
        for l in (1, 2):
            np.testing.assert_array_equal(network.W[l], from_lists.W[l])
            np.testing.assert_array_equal(network.b[l], from_lists.b[l])
    with pytest.raises(InputError, match=r"1\.\.L"):
        Network.from_weights({0: W[0], 1: W[1]}, b)


@pytest.mark.parametrize(
    ("W", "b", "match"),
    [
        ([], [], "at least one layer"),
        ([np.ones((2, 3))], [np.zeros(3), np.zeros(1)], "one b for each W"),
        ([np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3)], "one b for each W"),
        ([np.ones(3)], [np.zeros(3)], "2-D"),
        ([np.ones((2, 3, 1))], [np.zeros(3)], "2-D"),
        (
            [np.ones((2, 3)), np.ones((4, 1))],
            [np.zeros(3), np.zeros(1)],
            r"W\[2\] must have shape \(3, 1\)",
        ),
        ([np.ones((2, 3))], [np.zeros(2)], r"b\[1\] shape \(3,\)"),
        ([np.ones((2, 3))], [np.zeros((1, 3))], r"b\[1\] shape \(3,\)"),
        ([np.ones((2, 0))], [np.zeros(0)], "layer sizes"),
    ],
    ids=["empty", "extra-b", "missing-b", "1-D", "3-D", "rows", "b-length", "b-2-D", "zero-units"],
)
def test_from_weights_refuses_bad_shapes_and_counts(W, b, match):
    with pytest.raises(InputError, match=match):
        Network.from_weights(W, b)


def test_from_weights_checks_the_names_as_the_constructor_does():
    W, b = [np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3), np.zeros(1)]
    with pytest.raises(InputError, match="swish"):
        Network.from_weights(W, b, hidden="swish")
    with pytest.raises(InputError, match="hidden layer"):
        Network.from_weights(W, b, hidden=["tanh", "relu"])
    with pytest.raises(InputError, match="xavier"):
        Network.from_weights(W, b, init="xavier")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_copy_keeps_the_architecture_with_independent_arrays(dtype):
    network = randomise_biases(
        Network(
            [3, 4, 2, 3],
            hidden=["leaky_relu", "tanh"],
            output="softmax",
            init="glorot",
            random_state=5,
            dtype=dtype,
        )
    )
    clone = network.copy()
    assert (clone.layer_sizes, clone.hidden, clone.output) == (
        [3, 4, 2, 3],
        ["leaky_relu", "tanh"],
        "softmax",
    )
    assert (clone.init, clone.dtype, clone.loss) == ("glorot", np.dtype(dtype), network.loss)
    for original, copied in zip(network.parameters(), clone.parameters(), strict=True):
        assert copied.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(copied, original)
        assert not np.shares_memory(copied, original)


def test_copy_and_astype_keep_an_activation_swapped_into_one_layer():
    """Regression: copy rebuilt the activations from their names, so a swapped-in object
    (docs/glass-box.md breaks one layer's derivative this way) was silently replaced."""
    network = Network([2, 3, 3, 1], hidden="tanh", random_state=0)
    tanh = network.activations[0]
    swapped = Activation("tanh", tanh.fn, lambda Z, A: 1 - A)
    network.activations[0] = swapped
    for clone in (network.copy(), network.astype("float32")):
        assert clone.activations[0] is swapped and clone.activations[1] is tanh
        clone.activations.pop()
        assert len(network.activations) == 3
