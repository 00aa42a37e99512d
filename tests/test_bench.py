"""The benchmark: every floor computes what glassnet computes, the report's arithmetic, the batches.

No test here times anything: each checks that two implementations of the same work
agree (the floors against glassnet's forward/backward, the W5 peers against each
other), that the report turns given timings into the right medians and ratios, and
that gathering mini-batches into one reused buffer changed nothing that training sees.
"""

import importlib

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from glassnet.bench import report
from glassnet.bench.csv_end_to_end import measure_csv, prepare_csv, write_csv
from glassnet.bench.floors import FullBatchStep, Products, train_floor
from glassnet.bench.harness import run_one
from glassnet.bench.peers import train_glassnet
from glassnet.bench.serving import PREDICTORS
from glassnet.bench.targets import check_targets
from glassnet.bench.workloads import WORKLOADS, load_data, table, table_network
from glassnet.core.network import Network, backward, cost, forward
from glassnet.core.optimizers import GradientDescent
from glassnet.data.reading import open_table
from glassnet.errors import InputError
from glassnet.training.batches import Batch, BatchBuffers, batches
from glassnet.training.loop import train

# --- the floors compute glassnet's step, and glassnet's products ----------------------------


@pytest.mark.parametrize("name", ["W1", "W2"])
def test_the_full_batch_floor_takes_glassnets_step(name):
    """Three steps of the floor and of forward/cost/backward/GD agree to 1e-12 in float64."""
    w = WORKLOADS[name]
    X, y = load_data(w.data, "float64")
    X, y = X[:40], y[:40]  # a tiny size
    ours = Network([X.shape[1], *w.hidden, 1], hidden=w.activation, random_state=3)
    floor_net = ours.copy()
    step = FullBatchStep(floor_net, X, y, w.learning_rate)
    Y = y.reshape(-1, 1).astype(np.float64)
    gd = GradientDescent(w.learning_rate)
    for _ in range(3):
        J_floor = step()
        trace = forward(ours, X)
        J = cost(ours, trace, Y)
        gd.step(ours.parameters(), backward(ours, trace, Y).as_list())
        assert J_floor == pytest.approx(J, abs=1e-12)
        for mine, theirs in zip(floor_net.parameters(), ours.parameters(), strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)


def test_the_floors_run_ends_where_glassnets_run_ends():
    """W1's floor over 20 epochs predicts what glassnet.train's network predicts."""
    w = WORKLOADS["W1"]
    X, y = load_data(w.data, w.dtype)
    floor_predict = train_floor(w, X, y, 20)
    glassnet_predict = train_glassnet(w, X, y, 20)
    assert floor_predict is not None
    np.testing.assert_allclose(floor_predict(X), glassnet_predict(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["W3", "W4"])
def test_the_products_have_the_shapes_and_values_of_glassnets_pass(name):
    """The floor's Z[l], dW[l], dA[l]: glassnet's shapes on the same rows, and the products."""
    w = WORKLOADS[name]
    sizes = [{"W3": 64, "W4": 50}[name], *w.hidden, 1]
    products = Products(sizes, rows=8, dtype="float32")
    m = 5  # the last, smaller batch
    Z, dW, dA = products.step(m)
    network = Network(sizes, dtype="float32", random_state=0)
    X = np.random.default_rng(0).standard_normal((m, sizes[0])).astype(np.float32)
    trace = forward(network, X)
    grads = backward(network, trace, np.ones((m, 1), dtype=np.float32))
    assert {l: a.shape for l, a in Z.items()} == {l: a.shape for l, a in trace.Z.items()}
    assert {l: a.shape for l, a in dW.items()} == {l: a.shape for l, a in grads.dW.items()}
    assert {l: a.shape for l, a in dA.items()} == {l: a.shape for l, a in grads.dA.items()}
    A = products.A
    for l in Z:  # Z[l] = A[l-1] W[l]; dW[l] = A[l-1]^T dZ[l]; dA[l-1] = dZ[l] W[l]^T
        np.testing.assert_allclose(Z[l], A[l - 1][:m] @ products.W[l], rtol=1e-5)
        np.testing.assert_allclose(dW[l], A[l - 1][:m].T @ A[l][:m], rtol=1e-4)
        if l > 1:
            np.testing.assert_allclose(dA[l - 1], A[l][:m] @ products.W[l].T, rtol=1e-4)


def test_the_serving_floor_has_the_forward_shapes():
    network = table_network()
    products = Products(network.layer_sizes, rows=3, dtype="float32", backward=False)
    trace = forward(network, table(1)[0])
    assert {l: a.shape for l, a in products.forward(1).items()} == {
        l: a.shape for l, a in trace.Z.items()
    }
    assert products.dW == {} and products.dA == {}


@pytest.mark.parametrize("implementation", ["glassnet", "sklearn", "torch"])
def test_the_serving_peers_hold_the_same_network(implementation):
    """W5: each peer's P(y = 1) equals the network's own forward pass (float32)."""
    if implementation == "torch":
        pytest.importorskip("torch")
    X, y = table(300)
    network = table_network()
    predict = PREDICTORS[implementation](network, X, y)
    expected = forward(network, X[:20]).output[:, 0]
    np.testing.assert_allclose(predict(X[:20]), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(predict(X[:1]), expected[:1], rtol=1e-5, atol=1e-6)


def test_the_csv_floor_reads_what_glassnet_predict_predicts(tmp_path):
    """W6, tiny: the file pandas reads has the rows glassnet predict writes a prediction for."""
    pandas = pytest.importorskip("pandas")
    context = prepare_csv(tmp_path, megabytes=0)  # one block of rows
    frame = pandas.read_csv(context["csv"])
    assert frame.shape == (context["rows"], 50)
    assert list(frame.columns) == [f"x{j}" for j in range(50)]
    assert measure_csv("glassnet", context)["rows_out"] == context["rows"]
    assert measure_csv("floor", context)["rows"] == context["rows"]


def test_the_csv_is_read_as_plain_records_by_glassnet_predict(tmp_path):
    """W6 measures the fast path: every chunk of its file comes as records and numbers."""
    path = tmp_path / "t.csv"
    names = [f"x{j}" for j in range(50)]
    rows = write_csv(path, names, size=200_000)
    with open_table(path) as table:
        chunks = list(table.chunks(1000, names))
    assert sum(len(rows) for rows in chunks) == rows
    assert all(rows.records is not None for rows in chunks)
    assert all(rows.frame.shape[1] == 50 for rows in chunks)


def test_write_csv_stops_past_the_size(tmp_path):
    path = tmp_path / "t.csv"
    rows = write_csv(path, ["a", "b"], size=100_000)
    text = path.read_text()
    assert path.stat().st_size >= 100_000
    assert text.count("\n") == rows + 1
    assert text.startswith("a,b\n")


def test_a_workload_refuses_an_implementation_it_does_not_run():
    with pytest.raises(InputError, match="does not run W6"):
        run_one("sklearn", "W6", True, {})


def test_the_table_is_seeded_and_balanced():
    X, y = table(5000)
    X2, y2 = table(5000)
    assert X.dtype == np.float32 and X.shape == (5000, 50)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert 0.4 < y.mean() < 0.6


# --- the report: medians and ratios from given timings --------------------------------------


def _fake(workload, implementation, seconds, **details):
    return [
        {"workload": workload, "implementation": implementation, "times": {"train": s}, **details}
        for s in seconds
    ]


FAKE = [
    *_fake("W1", "glassnet", [1.0, 3.0, 2.0], accuracy=0.97, peak_mb=100.0),
    *_fake("W1", "sklearn", [5.0, 7.0, 6.0], accuracy=0.96, peak_mb=90.0),
    *_fake("W1", "torch", [10.0, 4.0, 8.0], accuracy=0.95, peak_mb=300.0),
    *_fake("W1", "floor", [1.5, 1.0, 2.5]),
]


def test_summarize_gives_medians_and_both_ratios():
    rows = {row["implementation"]: row for row in report.summarize(FAKE)}
    assert rows["glassnet"]["seconds"] == 2.0  # median of 1, 3, 2
    assert rows["sklearn"]["x_faster"] == 6.0 / 2.0
    assert rows["torch"]["x_faster"] == 8.0 / 2.0
    assert rows["glassnet"]["x_floor"] == pytest.approx(2.0 / 1.5)
    assert rows["glassnet"]["x_faster"] is None and rows["floor"]["x_floor"] is None
    assert rows["torch"]["accuracy"] == 0.95 and rows["glassnet"]["runs"] == 3


def test_the_targets_are_checked_against_the_ratios():
    checked = {t["target"]: t for t in check_targets(report.summarize(FAKE))}
    sklearn = checked["W1 train: x faster than sklearn >= 2.5"]
    assert sklearn["value"] == 3.0 and sklearn["met"]
    assert checked["W1 train: x faster than torch >= 4"]["met"]  # exactly 4
    floor = checked["W1 train: glassnet / floor <= 1.15"]
    assert floor["value"] == pytest.approx(4 / 3) and not floor["met"]
    assert len(checked) == 3  # nothing else was measured


def test_the_markdown_shows_the_medians_ratios_and_targets():
    text = report.to_markdown(report.summarize(FAKE), "glassnet bench", {"cpu": "a test CPU"})
    assert "| W1 | glassnet | train | 3 | 2.00s |" in text
    assert "| W1 | sklearn | train | 3 | 6.00s |  | 3.00 |" in text
    assert "| 1.33 |" in text  # glassnet / floor
    assert "| W1 train: glassnet / floor <= 1.15 | 1.33 | MISSED |" in text
    assert "- cpu: a test CPU" in text


def test_the_terminal_tables_fit_80_columns_without_cutting_a_header():
    rows = report.summarize(FAKE + _fake("W4", "glassnet", [12.3456], accuracy=0.9, peak_mb=1e4))
    console = Console(width=80, record=True)
    for rich_table in report.rich_tables(rows, "glassnet bench (quick)"):
        console.print(rich_table)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" not in text
    for header in report.HEADERS:
        assert header in text


def test_seconds_text_picks_the_unit():
    assert report.seconds_text(84.5e-6) == "84.5us"
    assert report.seconds_text(0.0123) == "12.3ms"
    assert report.seconds_text(4.2) == "4.20s"


def test_bench_refuses_an_unknown_workload():
    from glassnet.cli import cli

    result = CliRunner().invoke(cli, ["bench", "--only", "W1,W9"])
    assert result.exit_code == 2
    assert "unknown workload W9" in result.output


# --- batches gathered into one buffer: the same batches, the same training ------------------


def old_batches(X, Y, weights, batch_size, shuffle, rng):
    """The batches as they were made before the buffer: fancy indexing, a new array each."""
    n = X.shape[0]
    if batch_size >= n:
        yield Batch(X, Y, weights, 1.0)
        return
    total_weight = n if weights is None else float(weights.sum())
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]
        batch_weights = None if weights is None else weights[rows]
        seen = rows.size if batch_weights is None else float(batch_weights.sum())
        if seen == 0:
            continue
        yield Batch(X[rows], Y[rows], batch_weights, seen / total_weight)


def _copied(batch):
    weights = None if batch.weights is None else batch.weights.copy()
    return batch.X.copy(), batch.Y.copy(), weights, batch.share


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_buffer_gives_the_batches_the_old_code_gave(shuffle, weighted, dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((23, 4)).astype(dtype)
    Y = rng.standard_normal((23, 2)).astype(dtype)
    weights = rng.random(23).astype(dtype) if weighted else None
    if weights is not None:
        weights[5:10] = 0  # the second batch of 5 weighs nothing: skipped by both
    new = [_copied(b) for b in batches(X, Y, weights, 5, shuffle, np.random.default_rng(1))]
    old = [_copied(b) for b in old_batches(X, Y, weights, 5, shuffle, np.random.default_rng(1))]
    assert len(new) == len(old) >= 4
    for (X_n, Y_n, w_n, share_n), (X_o, Y_o, w_o, share_o) in zip(new, old, strict=True):
        np.testing.assert_array_equal(X_n, X_o)
        np.testing.assert_array_equal(Y_n, Y_o)
        assert (w_n is None) == (w_o is None)
        if w_n is not None:
            np.testing.assert_array_equal(w_n, w_o)
        assert share_n == share_o and X_n.dtype == X_o.dtype


def test_every_mini_batch_is_written_into_the_one_buffer():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((23, 4)), rng.standard_normal((23, 1))
    buffers = BatchBuffers(X, Y, None, 5)
    seen = list(batches(X, Y, None, 5, True, rng, buffers))
    assert [b.X.shape[0] for b in seen] == [5, 5, 5, 5, 3]  # the last one a view of 3 rows
    assert all(np.shares_memory(b.X, buffers.X) and np.shares_memory(b.Y, buffers.Y) for b in seen)
    full = next(batches(X, Y, None, 23, True, rng))
    assert full.X is X  # full batch: the data itself, no copy


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_with_the_buffer_gives_bit_identical_weights(monkeypatch, dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((101, 6)).astype(dtype)
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    weights = rng.random(101)
    options = {"optimizer": "adam", "epochs": 4, "batch_size": 16, "random_state": 7}

    def run():
        network = Network([6, 8, 5, 1], random_state=2, dtype=dtype)
        train(network, X, y, sample_weight=weights, learning_rate=0.01, **options)
        return network

    with_buffer = run()
    monkeypatch.setattr(
        importlib.import_module("glassnet.training.prepare"), "batches", old_batches
    )
    before = run()
    for mine, theirs in zip(with_buffer.parameters(), before.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_report_gives_w5s_largest_gap_between_the_peers_probabilities():
    results = [
        {"workload": "W5", "implementation": name, "times": {"one row": 1.0}, "probe": probe}
        for name, probe in [("glassnet", [0.5, 0.25]), ("torch", [0.5, 0.2503]), ("floor", None)]
    ]
    rows = {r["implementation"]: r for r in report.summarize(results)}
    assert rows["torch"]["probe_gap"] == pytest.approx(3e-4)
    assert "within 3.0e-04 of glassnet's" in " ".join(report.notes(list(rows.values())))


def test_bench_is_the_users_comparison_and_targets_stay_internal(monkeypatch):
    from glassnet.cli import bench as bench_command
    from glassnet.cli import cli

    asked = {}

    def fake_run_all(names, repetitions, quick, echo, threads, only):
        asked.update(names=names, repetitions=repetitions, only=only)
        return [
            {"workload": name, "implementation": impl, "times": {"train": seconds},
             "accuracy": 0.9, "peak_mb": 1.0, "repetition": 0}
            for name in names
            for impl, seconds in (("glassnet", 1.0), ("sklearn", 2.0), ("torch", 4.0))
        ]  # fmt: skip

    monkeypatch.setattr(bench_command, "run_all", fake_run_all)
    result = CliRunner().invoke(cli, ["bench", "--quick"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert asked == {"names": list(bench_command.QUICK_WORKLOADS), "repetitions": 1,
                     "only": bench_command.COMPARED}  # fmt: skip
    assert "scikit-learn" in result.stdout and "PyTorch" in result.stdout
    assert "2.0x" in result.stdout and "4.0x" in result.stdout
    assert "targets" not in result.stdout and "MISSED" not in result.stdout
    assert "'vs glassnet' is that time over glassnet's" in " ".join(result.stdout.split())
    internal = CliRunner().invoke(cli, ["bench", "--targets", "--only", "W1"])
    assert internal.exit_code == 0 and asked["only"] is None and asked["names"] == ["W1"]
    assert "targets" in internal.stdout
