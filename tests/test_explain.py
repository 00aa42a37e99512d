"""explain: one iteration written out in the tutorials' names; and the unfused chain rule."""

import re

import numpy as np
import pytest
from sklearn.datasets import make_moons

import glassnet as gn
from glassnet.core.activations import sigmoid, softmax, softmax_jacobian
from glassnet.viz.explain import explain, explain_step, format_values

NUMBER = re.compile(r"-?\d+\.\d+")


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=500, noise=0.2, random_state=0)


@pytest.fixture
def moons_net():
    return gn.Network([2, 5, 1], hidden="tanh", output="sigmoid", init="he", random_state=0)


def values_after(text: str, formula: str) -> np.ndarray:
    """The numbers printed under the line that starts with ``formula`` (rows shown only)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(formula))
    rows = []
    for line in lines[start + 1 :]:
        if not line.startswith("      "):
            break
        if line.strip().startswith("["):
            rows.append([float(v) for v in NUMBER.findall(line)])
    return np.array(rows)


# --- the text, step by step ------------------------------------------------------------


def test_steps_appear_in_the_tutorials_order(moons, moons_net, tutorial_steps):
    X, y = moons
    text = explain(moons_net, X, y)
    positions = [text.index(step) for step in tutorial_steps]
    assert positions == sorted(positions)
    assert "Rows are samples: the tutorials' Z = W X + b is Z^T here" in text
    assert text.count("Rows are samples") == 1


def test_each_step_shows_its_shape(moons, moons_net):
    X, y = moons
    text = explain(moons_net, X, y)
    expected = {
        "Z1 = X W1 + b1": "(500, 5)",
        "A2 = sigmoid(Z2)": "(500, 1)",
        "dW2 = A1^T dZ2 / m": "(5, 1)",
        "db1 = sum(dZ1) / m": "(5,)",
        "dW1 = X^T dZ1 / m": "(2, 5)",
    }
    for formula, shape in expected.items():
        line = next(line for line in text.splitlines() if formula in line)
        assert shape in line, line


def test_cost_is_the_formula_then_the_number(moons, moons_net):
    X, y = moons
    text = explain(moons_net, X, y, decimals=6)
    J = gn.cost(moons_net, gn.forward(moons_net, X), gn.encode_targets(moons_net, y))
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("J = -1/m"))
    assert lines[at + 1].strip() == f"= {J:.6f}"


@pytest.mark.parametrize("decimals", [3, 4, 7])
def test_printed_dW2_equals_backward_to_the_printed_decimals(moons, moons_net, decimals):
    X, y = moons
    text = explain(moons_net, X, y, decimals=decimals)
    grads = gn.backward(moons_net, gn.forward(moons_net, X), gn.encode_targets(moons_net, y))
    printed = values_after(text, "dW2 =")
    assert printed.shape == (4, 1)  # 5 rows, the first max_rows=4 shown
    np.testing.assert_allclose(printed, grads.dW[2][:4], atol=0.5 * 10**-decimals + 1e-12)
    np.testing.assert_array_equal(printed, np.round(grads.dW[2][:4], decimals))


def test_update_lines_equal_one_gradient_descent_step(moons, moons_net):
    X, y = moons
    lr = 0.3
    text = explain(moons_net, X, y, learning_rate=lr, max_rows=10, decimals=8)
    stepped = moons_net.copy()
    grads = gn.backward(stepped, gn.forward(stepped, X), gn.encode_targets(stepped, y))
    gn.GradientDescent(lr).step(stepped.parameters(), grads.as_list())
    for l in (1, 2):
        W = values_after(text, f"W{l} := W{l} - lr dW{l}")
        b = values_after(text, f"b{l} := b{l} - lr db{l}")
        np.testing.assert_allclose(W, stepped.W[l], atol=5e-9)
        np.testing.assert_allclose(b[0], stepped.b[l], atol=5e-9)
    explanation = explain_step(moons_net, X, y, learning_rate=lr)
    for l in (1, 2):
        np.testing.assert_array_equal(explanation.updated.W[l], stepped.W[l])


def test_the_network_passed_in_is_unchanged(moons, moons_net):
    X, y = moons
    before = [p.copy() for p in moons_net.parameters()]
    explain(moons_net, X, y, learning_rate=1.0)
    explain(moons_net, X, y, format="markdown")
    for p, q in zip(before, moons_net.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_the_numbers_come_from_forward_and_backward(moons, moons_net):
    X, y = moons
    explanation = explain_step(moons_net, X, y)
    steps = {(step.section, step.name): step.value for step in explanation.steps}
    trace = gn.forward(moons_net, X)
    grads = gn.backward(moons_net, trace, gn.encode_targets(moons_net, y))
    np.testing.assert_array_equal(steps["forward", "A1"], trace.A[1])
    np.testing.assert_array_equal(steps["backward", "dZ1"], grads.dZ[1])
    np.testing.assert_array_equal(steps["backward", "dA1"], grads.dA[1])
    np.testing.assert_array_equal(steps["backward", "db2"], grads.db[2])


# --- any depth, every output and activation ---------------------------------------------

OUTPUTS = {
    "sigmoid": ("A{L} = sigmoid(Z{L})", "J = -1/m sum(Y log(A{L}) + (1 - Y) log(1 - A{L}))"),
    "softmax": ("A{L} = softmax(Z{L})", "J = -1/m sum(Y log(A{L}))"),
    "identity": ("A{L} = Z{L}", "J = 1/(2m) sum((A{L} - Y)**2)"),
}


def data_for(output: str, rng: np.random.Generator, m: int = 12):
    X = rng.normal(size=(m, 3))
    targets = {
        "sigmoid": (np.arange(m) % 2, 1),
        "softmax": (np.arange(m) % 3, 3),
        "identity": (rng.normal(size=m), 1),
    }
    return X, *targets[output]


@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_any_depth_and_each_output(output, depth):
    rng = np.random.default_rng(depth)
    X, y, n_out = data_for(output, rng)
    sizes = [3] + [4] * (depth - 1) + [n_out]
    network = gn.Network(sizes, hidden="relu", output=output, random_state=0)
    text = explain(network, X, y)
    L = depth
    activation, cost_formula = (s.format(L=L) for s in OUTPUTS[output])
    expected = []
    for l in range(1, L + 1):
        expected.append(f"Z{l} = {'X' if l == 1 else f'A{l - 1}'} W{l} + b{l}")
        expected.append(f"A{l} = max(0, Z{l})" if l < L else activation)
    expected += [cost_formula, f"dZ{L} = A{L} - Y"]
    for l in range(L, 0, -1):
        previous = "X" if l == 1 else f"A{l - 1}"
        if l < L:
            expected += [f"dA{l} = dZ{l + 1} W{l + 1}^T", f"dZ{l} = dA{l} * (Z{l} > 0)"]
        expected += [f"dW{l} = {previous}^T dZ{l} / m", f"db{l} = sum(dZ{l}) / m"]
    expected += [f"W{l} := W{l} - lr dW{l}" for l in range(1, L + 1)]
    positions = [text.index(step) for step in expected]
    assert positions == sorted(positions)
    assert "dA0" not in text and "dZ0" not in text
    if output == "softmax":
        assert "Y one-hot" in text


@pytest.mark.parametrize(
    ("hidden", "derivative"),
    [
        ("tanh", "dZ1 = dA1 * (1 - A1**2)"),
        ("relu", "dZ1 = dA1 * (Z1 > 0)"),
        ("sigmoid", "dZ1 = dA1 * A1 * (1 - A1)"),
        ("leaky_relu", "dZ1 = dA1 * where(Z1 > 0, 1, 0.01)"),
        ("identity", "dZ1 = dA1 "),
    ],
)
def test_each_activation_writes_its_own_derivative(moons, hidden, derivative):
    X, y = moons
    network = gn.Network([2, 3, 1], hidden=hidden, random_state=0)
    assert derivative in explain(network, X[:10], y[:10])


def test_per_layer_activations_are_named_per_layer(moons):
    X, y = moons
    network = gn.Network([2, 3, 3, 1], hidden=["tanh", "relu"], random_state=0)
    text = explain(network, X[:8], y[:8])
    assert "A1 = tanh(Z1)" in text and "A2 = max(0, Z2)" in text
    assert "dZ2 = dA2 * (Z2 > 0)" in text and "dZ1 = dA1 * (1 - A1**2)" in text


# --- rendering ------------------------------------------------------------------------------


def test_long_arrays_show_the_first_rows_and_the_count(moons, moons_net):
    X, y = moons
    text = explain(moons_net, X, y, max_rows=2)
    assert "... (500 rows)" in text
    assert values_after(text, "Z1 = X W1 + b1").shape == (2, 5)


def test_format_values():
    assert format_values(0.76314, decimals=3) == ["= 0.763"]
    assert format_values(np.array([1.0, -2.5]), decimals=1) == ["[ 1.0  -2.5]"]
    lines = format_values(np.arange(12.0).reshape(6, 2), max_rows=2, decimals=0)
    assert lines == ["[0  1]", "[2  3]", "... (6 rows)"]
    wide = format_values(np.zeros((1, 20)), decimals=0)
    assert wide[0].endswith("... (20 columns)]") and wide[0].count("0") == 8 + 1


def test_markdown_is_a_handout_with_headings(moons, moons_net):
    X, y = moons
    markdown = explain(moons_net, X, y, format="markdown")
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert headings == [
        "# One iteration, step by step",
        "## Inputs and starting parameters",
        "## Forward pass",
        "## Cost",
        "## Backward pass",
        "## Update (gradient descent, lr = 0.3)",
    ]
    assert "`Z1 = X W1 + b1`, shape (500, 5)" in markdown
    assert "`dZ2 = A2 - Y`, shape (500, 1)" in markdown
    assert markdown.count("```text") == markdown.count("```") // 2
    assert "Rows are samples" in markdown


def test_text_and_markdown_carry_the_same_numbers(moons, moons_net):
    X, y = moons
    text = explain(moons_net, X, y)
    markdown = explain(moons_net, X, y, format="markdown")
    assert NUMBER.findall(text.split("Forward pass")[1]) == NUMBER.findall(
        markdown.split("## Forward pass")[1]
    )


def test_a_rows_note_is_written_under_the_network_in_both_formats(moons, moons_net):
    X, y = moons
    note = "the 400 rows glassnet train fits, of 500 (100 held out)"
    text = explain(moons_net, X, y, rows_note=note).splitlines()
    assert text[1].endswith("m = 500 samples") and text[2] == f"Data: {note}"
    markdown = explain(moons_net, X, y, format="markdown", rows_note=note)
    assert f"\nData: {note}.\n" in markdown
    assert "Data:" not in explain(moons_net, X, y)  # no note, no line
    assert explain_step(moons_net, X, y, rows_note=note).rows_note == note


def test_bad_options_are_refused(moons, moons_net):
    X, y = moons
    with pytest.raises(gn.InputError, match="unknown format 'html': choose one of markdown, text"):
        explain(moons_net, X, y, format="html")
    with pytest.raises(gn.InputError, match="max_rows"):
        explain(moons_net, X, y, max_rows=0)
    with pytest.raises(gn.InputError, match="learning_rate"):
        explain(moons_net, X, y, learning_rate=-1)
    with pytest.raises(gn.InputError, match="features"):
        explain(moons_net, np.ones((4, 3)), y[:4])
    with pytest.raises(gn.InputError, match="samples"):
        explain(moons_net, X, y[:4])


# --- the unfused chain rule agrees with the fused A - Y (issue #5 item 4) -----------------


def fused(output: str, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dZ[L] as glassnet's backward computes it, from a one-layer trace whose output is A."""
    network = gn.Network([1, A.shape[1]], output=output, random_state=0)
    trace = gn.Trace(Z={1: A}, A={0: np.zeros((A.shape[0], 1)), 1: A})
    return gn.backward(network, trace, Y).dZ[1]


def unfused_sigmoid(Y, Yh):
    with np.errstate(divide="ignore", invalid="ignore"):
        dLoss_Yh = -(Y / Yh - (1 - Y) / (1 - Yh))  # dL/dYh of binary cross-entropy
        dSigmoid = Yh * (1 - Yh)  # sigma'(Z2) = Yh (1 - Yh)
        return dLoss_Yh * dSigmoid


def unfused_softmax(Y, Z, A):
    with np.errstate(divide="ignore", invalid="ignore"):
        dLoss_A = -Y / A  # dL/dA of cross-entropy, (n, k)
        return np.einsum("na,nab->nb", dLoss_A, softmax_jacobian(Z, A))  # dA/dZ^T dL/dA


def test_unfused_sigmoid_chain_equals_fused_where_finite():
    rng = np.random.default_rng(0)
    Z2 = rng.uniform(-10, 10, size=(2000, 1))
    Y = rng.integers(0, 2, size=(2000, 1)).astype(float)
    A2 = sigmoid(Z2)
    np.testing.assert_allclose(unfused_sigmoid(Y, A2), fused("sigmoid", A2, Y), rtol=0, atol=1e-10)


def test_unfused_sigmoid_chain_breaks_at_exactly_0_or_1():
    Z2 = np.array([[40.0], [-800.0], [40.0], [-800.0]])
    A2 = sigmoid(Z2)
    assert A2[0, 0] == 1.0 and A2[1, 0] == 0.0  # rounded to exactly 1 and 0 in float64
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    unfused = unfused_sigmoid(Y, A2)
    assert not np.isfinite(unfused).any()  # inf * 0 or 0 / 0: NaN in every row
    np.testing.assert_array_equal(fused("sigmoid", A2, Y), [[1.0], [-1.0], [0.0], [0.0]])


def test_unfused_softmax_chain_equals_fused_where_finite():
    rng = np.random.default_rng(1)
    Z = rng.uniform(-10, 10, size=(500, 4))
    Y = np.eye(4)[rng.integers(0, 4, size=500)]
    A = softmax(Z)
    np.testing.assert_allclose(unfused_softmax(Y, Z, A), fused("softmax", A, Y), rtol=0, atol=1e-10)


def test_unfused_softmax_chain_breaks_at_a_probability_of_exactly_0():
    Z = np.array([[0.0, -800.0, 0.0]])
    A = softmax(Z)
    assert A[0, 1] == 0.0
    Y = np.array([[0.0, 1.0, 0.0]])  # the true class got probability 0
    assert not np.isfinite(unfused_softmax(Y, Z, A)).all()
    np.testing.assert_array_equal(fused("softmax", A, Y), [[0.5, -1.0, 0.5]])


def test_unfused_identity_chain_equals_fused_everywhere():
    rng = np.random.default_rng(2)
    Z = rng.uniform(-1e6, 1e6, size=(500, 2))
    Y = rng.normal(size=(500, 2))
    A = Z  # identity
    dLoss_A = A - Y  # dL/dA of 1/2 (A - Y)^2
    unfused = dLoss_A * np.ones_like(Z)  # g'(Z) = 1
    np.testing.assert_array_equal(unfused, fused("identity", A, Y))
    assert np.isfinite(unfused).all()
