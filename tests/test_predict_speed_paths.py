"""The fast paths of issue 14 give what the plain paths give, bit for bit and error for error.

- ``check_X`` tests finiteness a block of rows at a time: the same answer and message.
- The estimators' ``_output`` skips ``validate_data`` for a finite NumPy array of the fitted
  width: the same outputs, and any bad input still gets ``validate_data``'s error.
- ``network_output`` runs the forward pass over chunks of rows: with one BLAS thread, equal to
  one pass in float64; the chunks are the ones its rule says.
- ``glassnet predict`` writes plain records as their text, with the numbers pandas parses
  from them: byte for byte what the cell-by-cell path writes (a text stream always takes that
  path), the same errors, and every probability reads back to its value.
"""

import csv
import io
import random
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_info, threadpool_limits

import glassnet.runs.model as trained_model
import glassnet.validation as validation
from glassnet import MLPClassifier, MLPRegressor
from glassnet.core.network import Network, forward
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.data.reading import open_table
from glassnet.data.table_encoder import make_preprocessor
from glassnet.errors import InputError
from glassnet.runs.model import OUTPUT_CHUNK_ROWS, TrainedModel, network_output
from glassnet.runs.predicting import predict_csv
from glassnet.validation import all_finite, check_X, nonfinite_rows

# --- check_X: finiteness a block at a time ----------------------------------------------------


@pytest.mark.parametrize("bad_rows", [[], [0], [4], [2, 3, 9], [10]])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_blocks_find_the_rows_that_one_whole_test_finds(monkeypatch, bad_rows, value):
    monkeypatch.setattr(validation, "FINITE_BLOCK_ROWS", 3)  # 11 rows: four blocks, one short
    X = np.arange(33, dtype=np.float64).reshape(11, 3)
    X[bad_rows, 1] = value
    expected = np.flatnonzero(~np.isfinite(X).all(axis=1))  # one test over the whole array
    assert all_finite(X) == (expected.size == 0)
    np.testing.assert_array_equal(nonfinite_rows(X), expected)
    if bad_rows:
        with pytest.raises(InputError) as error:
            check_X(X)
        assert str(error.value) == (
            f"X contains NaN or inf in {len(bad_rows)} row(s), first at row {bad_rows[0]}: "
            "drop or impute those values first"
        )


def test_check_X_makes_no_boolean_array_of_the_whole_input():
    X = np.ones((300_000, 20), dtype=np.float32)  # 24 MB; a boolean of it would take 6 MB
    tracemalloc.start()
    try:
        assert check_X(X) is X  # kept as it is: float32, C-contiguous
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.size / 2, f"{peak / 1e6:.1f} MB for a {X.size / 1e6:.0f} MB boolean"


# --- the estimators' fast path --------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    """A classifier fitted on float64 and a regressor on float32, 4 features."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = MLPClassifier((6,), max_iter=30, random_state=0).fit(X, X[:, 0] > 0)
        regressor = MLPRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0).fit(
            X.astype(np.float32), X[:, 1]
        )
    return classifier, regressor, X


class Subclass(np.ndarray):
    """An ndarray subclass: the fast path leaves it to validate_data."""


def through_validate_data(X: np.ndarray) -> np.ndarray:
    return X.view(Subclass)


def test_the_fast_path_gives_the_outputs_of_validate_data_bit_for_bit(fitted):
    classifier, regressor, X = fitted
    for model in (classifier, regressor):
        for dtype in (np.float64, np.float32):
            rows = np.asarray(X[:40], dtype=dtype)
            fast, slow = model._output(rows), model._output(through_validate_data(rows))
            assert fast.dtype == slow.dtype
            np.testing.assert_array_equal(fast, slow)
            reference = validate_data(model, rows, reset=False, dtype=(np.float64, np.float32))
            np.testing.assert_array_equal(fast, forward(model.network_, reference).output)
        np.testing.assert_array_equal(model.predict(X[:3]), model.predict(X[:3].tolist()))
    np.testing.assert_array_equal(
        classifier.predict_proba(X[:1]), classifier.predict_proba(through_validate_data(X[:1]))
    )


def bad_inputs(X: np.ndarray) -> dict[str, np.ndarray]:
    nan, inf = X[:3].copy(), X[:3].copy()
    nan[1, 2], inf[2, 0] = np.nan, np.inf
    return {
        "too wide": np.hstack([X[:2], X[:2, :1]]),
        "too narrow": X[:2, :3],
        "NaN": nan,
        "inf": inf,
        "no rows": X[:0],
        "1-D": X[0],
        "3-D": X[:2, :, None],
        "complex": X[:2].astype(complex),
    }


@pytest.mark.parametrize("case", list(bad_inputs(np.zeros((3, 4)))))
def test_bad_arrays_get_validate_datas_errors(fitted, case):
    classifier, _, X = fitted
    given = bad_inputs(X)[case]
    with pytest.raises(Exception) as fast:
        classifier.predict_proba(given)
    with pytest.raises(Exception) as slow:
        classifier.predict_proba(through_validate_data(given))
    with pytest.raises(Exception) as direct:  # scikit-learn's own check, called here
        validate_data(classifier, given, reset=False, dtype=(np.float64, np.float32))
    assert type(fast.value) is type(slow.value) is type(direct.value)
    assert str(fast.value) == str(slow.value) == str(direct.value)


def test_an_unfitted_model_and_feature_names_keep_scikit_learns_behaviour(fitted):
    _, _, X = fitted
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X[:2])
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        named = MLPClassifier((3,), max_iter=5, random_state=0).fit(frame, X[:, 0] > 0)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict_proba(X[:2])  # an array for a model fitted on named columns


# --- network_output: the forward pass in chunks ----------------------------------------------

C = OUTPUT_CHUNK_ROWS


@pytest.mark.parametrize(
    ("n", "chunks"),
    [
        (1, [1]),
        (C + C // 2 - 1, [C + C // 2 - 1]),  # a short rest joins the chunk before it
        (C + C // 2, [C, C // 2]),
        (3 * C, [C, C, C]),
        (3 * C + 7, [C, C, C + 7]),
    ],
)
def test_the_chunks_are_whole_chunks_and_a_last_of_half_a_chunk_or_more(monkeypatch, n, chunks):
    network = Network([2, 3, 1], "tanh", random_state=0)
    seen: list[int] = []
    real = trained_model.forward

    def counted(net: Network, X: np.ndarray) -> object:
        seen.append(X.shape[0])
        return real(net, X)

    monkeypatch.setattr(trained_model, "forward", counted)
    A = network_output(network, np.zeros((n, 2)))
    assert seen == chunks and A.shape == (n, 1)


@pytest.mark.parametrize(
    ("sizes", "output"),
    [([50, 64, 32, 1], "sigmoid"), ([8, 5, 3], "softmax"), ([3, 4, 2], "identity")],
)
@pytest.mark.parametrize("extra", [1, C // 2, C - 1])
def test_chunks_equal_one_pass_bit_for_bit_in_float64(sizes, output, extra):
    rng = np.random.default_rng(extra)
    network = Network(sizes, "relu", output, random_state=1)
    X = rng.normal(size=(2 * C + extra, sizes[0]))
    with threadpool_limits(1):  # several BLAS threads split one pass by its size too
        np.testing.assert_array_equal(network_output(network, X), forward(network, X).output)
        CSR = scipy.sparse.csr_matrix(np.where(X > 1, X, 0))
        np.testing.assert_array_equal(network_output(network, CSR), forward(network, CSR).output)


def test_estimators_and_model_files_predict_large_inputs_as_one_pass(fitted):
    classifier = fitted[0]
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(3 * C + 11, 4))
    with threadpool_limits(1):
        A = forward(classifier.network_, rows).output[:, 0]  # P(y = 1), (n,)
        np.testing.assert_array_equal(classifier.predict_proba(rows), np.column_stack([1 - A, A]))
        codec = LabelCodec().fit(np.array([0, 1]))
        model = TrainedModel(classifier.network_, "classification", label_codec=codec)
        np.testing.assert_array_equal(model.output(rows)[:, 0], A)


# --- glassnet predict: plain records ---------------------------------------------------------


def models() -> dict[str, TrainedModel]:
    """Models on the columns a, b, c: softmax with awkward labels, regression, float32 sigmoid,
    a numeric preprocessor, and a preprocessor with a text column."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    names = ["a", "b", "c"]
    labels = LabelCodec().fit(np.array(["cat", "d,og", 'e"mu']))
    frame = pd.DataFrame(X, columns=names)
    with_text = frame.assign(note=rng.choice(["x", "y z"], 60))
    text_preprocessor = make_preprocessor(with_text, categorical=["note"]).fit(with_text)
    width = len(text_preprocessor.get_feature_names_out())
    return {
        "softmax": TrainedModel(
            Network([3, 4, 3], "tanh", "softmax", random_state=0),
            "classification",
            standardizer=Standardizer().fit(X),
            label_codec=labels,
            feature_names=names,
        ),
        "regression": TrainedModel(
            Network([3, 4, 1], "tanh", "identity", random_state=1),
            "regression",
            feature_names=names,
        ),
        "sigmoid32": TrainedModel(
            Network([3, 5, 1], "relu", "sigmoid", random_state=2, dtype="float32"),
            "classification",
            label_codec=LabelCodec().fit(np.array([0, 1])),
            feature_names=names,
        ),
        "numeric table": TrainedModel(
            Network([3, 4, 1], "relu", "sigmoid", random_state=3),
            "classification",
            preprocessor=make_preprocessor(frame).fit(frame),
            label_codec=LabelCodec().fit(np.array(["n", "y"])),
        ),
        "text table": TrainedModel(
            Network([width, 4, 1], "relu", "identity", random_state=4),
            "regression",
            preprocessor=text_preprocessor,
        ),
    }


MODELS = models()


def predicted(model: TrainedModel, source: io.IOBase, **options: object) -> tuple[str, str]:
    """("ok", the output) or ("error", the message)."""
    out = io.StringIO()
    try:
        summary = predict_csv(model, source, out, **options)  # type: ignore[arg-type]
    except InputError as error:
        return "error", str(error)
    return "ok", f"{out.getvalue()}{summary}"


def assert_same_as_cell_by_cell(text: str, model: TrainedModel, **options: object) -> str:
    """The bytes path (plain records where they are) against a text stream (cell by cell)."""
    fast = predicted(model, io.BytesIO(text.encode("utf-8")), **options)
    slow = predicted(model, io.StringIO(text), **options)
    assert fast == slow
    return fast[1]


def numbers_file(n: int, seed: int = 0, columns: str = "id,b,note,a,c") -> str:
    rng = np.random.default_rng(seed)
    lines = [columns]
    for i, (a, b, c) in enumerate(rng.normal(0, 3, size=(n, 3)).tolist()):
        cells = {"id": str(i), "a": repr(a), "b": f"{b:.4f}", "c": str(c), "note": "n"}
        lines.append(",".join(cells[name] for name in columns.split(",")))
    return "\n".join(lines) + "\n"


def with_line(text: str, line: int, replacement: str) -> str:
    lines = text.split("\n")
    lines[line - 1] = replacement(lines[line - 1]) if callable(replacement) else replacement
    return "\n".join(lines)


def with_cell(text: str, line: int, column: int, cell: str) -> str:
    def replaced(record: str) -> str:
        cells = record.split(",")
        cells[column] = cell
        return ",".join(cells)

    return with_line(text, line, replaced)


PLAIN = numbers_file(40)
BOOLEANS = "".join(f"{t},{i},{i / 7}\n" for i, t in enumerate(["True", "false"] * 9))
WHOLE = "".join(f"{i - 5},-0,{2**53 + i}\n" for i in range(20))
CASES = {
    "plain": PLAIN,
    "only the features": numbers_file(30, columns="c,a,b"),
    "no last line break": PLAIN.rstrip("\n"),
    "a quote later on": with_line(PLAIN, 30, lambda line: line.replace(",n,", ',"n, q",')),
    "a quoted line break later on": with_line(PLAIN, 25, lambda line: line + ',"two\nlines"'),
    "CRLF": PLAIN.replace("\n", "\r\n"),
    "a blank line": with_line(PLAIN, 20, ""),
    "a short row": with_line(PLAIN, 33, lambda line: line.rsplit(",", 1)[0]),
    "a long row": with_line(PLAIN, 33, lambda line: line + ",x"),
    "a much longer row": with_line(PLAIN, 33, lambda line: line + ",x,y"),
    "a long and a short row": with_line(
        with_line(PLAIN, 12, lambda line: line + ",x"), 14, lambda line: line.rsplit(",", 1)[0]
    ),
    "a trailing comma": with_line(PLAIN, 9, lambda line: line + ","),
    "a missing cell": with_cell(PLAIN, 28, 3, ""),
    "text in a number column": with_cell(PLAIN, 37, 3, "abc"),
    "inf": with_cell(PLAIN, 5, 4, "inf"),
    "a cell of spaces": with_cell(PLAIN, 21, 1, "  "),
    "booleans": "a,b,c\n" + BOOLEANS,
    "whole numbers and minus zero": "a,b,c\n" + WHOLE,
    "spaces around numbers": "a,b,c\n" + "".join(f" {i} ,{i}.5 , {i}\n" for i in range(20)),
    "non-ASCII text": PLAIN.replace(",n,", ",néé ✓,"),
    "spaced header": PLAIN.replace("id,b,note,a,c", "id, b ,note,a,c", 1),
    "a header only": "a,b,c\n",
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("options", [{}, {"chunk_size": 7}, {"chunk_size": 4, "nan": "skip"}])
def test_plain_records_write_what_cell_by_cell_writes(case, name, options):
    model = MODELS[name]
    if options.get("nan") == "skip" or model.preprocessor is None:
        assert_same_as_cell_by_cell(CASES[case], model, **options)
    else:
        assert_same_as_cell_by_cell(CASES[case], model, nan="impute", **options)


def random_table(rng: random.Random) -> str:
    columns = rng.choice([["id", "a", "b", "note", "c"], ["a", "b", "c"], ["c", "note", "b", "a"]])
    rows = [",".join(columns)]
    odd = ["", "nan", "inf", "x", "True", "1e999", "-0", " 4 ", "+3", ".5", "é", "NA"]
    for i in range(rng.randint(0, 60)):
        cells = [
            (rng.choice(odd) if rng.random() < 0.03 else repr(rng.gauss(0, 3)))
            if name in "abc"
            else str(i)
            if name == "id"
            else rng.choice(["n", "a b", "", "é"])
            for name in columns
        ]
        row = ",".join(cells)
        spoil = rng.random()
        spoiled = {0: row + ",x", 1: row + ",x,y", 2: row.rsplit(",", 1)[0], 3: "", 4: row + ","}
        row = spoiled.get(int(spoil * 100), row)  # 1 % of the rows each
        rows.append('"' + row if spoil > 0.995 else row + "\r" if spoil > 0.99 else row)
    return "\n".join(rows) + ("\n" if rng.random() < 0.9 else "")


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_write_what_cell_by_cell_writes(seed):
    rng = random.Random(seed)
    text = random_table(rng)
    model = list(MODELS.values())[seed % len(MODELS)]
    options = rng.choice([{}, {"nan": "skip"}, {"chunk_size": rng.randint(1, 9)}])
    assert_same_as_cell_by_cell(text, model, **options)


def test_a_plain_file_is_read_as_records_and_numbers_and_a_quoted_one_cell_by_cell():
    with open_table(io.BytesIO(CASES["plain"].encode())) as table:
        chunks = list(table.chunks(16, ["a", "b", "c"]))
    assert [len(rows) for rows in chunks] == [16, 16, 8]
    assert all(rows.records is not None for rows in chunks)
    assert "".join(rows.records for rows in chunks) == CASES["plain"].split("\n", 1)[1]
    assert all(list(rows.frame.dtypes) == [np.float64] * 3 for rows in chunks)
    np.testing.assert_array_equal(chunks[2].lines, np.arange(34, 42))  # the header is line 1
    with open_table(io.BytesIO(CASES["a quote later on"].encode())) as table:
        chunks = list(table.chunks(16, ["a", "b", "c"]))
    assert [rows.records is not None for rows in chunks] == [True, False, False]
    assert chunks[1].frame.dtypes.tolist() == [object] * 5  # cells as text, from line 18 on
    np.testing.assert_array_equal(chunks[1].lines, np.arange(18, 34))


def test_every_written_probability_reads_back_to_its_value():
    model = MODELS["sigmoid32"]
    text = numbers_file(500, seed=5, columns="a,b,c")
    written = assert_same_as_cell_by_cell(text, model, chunk_size=64)
    rows = list(csv.DictReader(io.StringIO(written.rsplit("\n", 1)[0] + "\n")))
    X = np.array([[float(row[name]) for name in "abc"] for row in rows])
    P = model.predict_proba(X)  # float32, (n, 2)
    for j, label in enumerate(("0", "1")):
        texts = [row[f"probability_{label}"] for row in rows]
        assert all(float(value) == p for value, p in zip(texts, P[:, j].tolist(), strict=True))
    assert [row["prediction"] for row in rows] == [str(label) for label in model.predict(X)]


def test_labels_that_need_quotes_are_quoted_on_plain_records():
    written = assert_same_as_cell_by_cell(numbers_file(50, seed=2), MODELS["softmax"])
    output = list(csv.reader(io.StringIO(written.rsplit("\n", 1)[0] + "\n")))
    assert output[0][-3:] == ["probability_cat", "probability_d,og", 'probability_e"mu']
    assert {row[5] for row in output[1:]} <= {"cat", "d,og", 'e"mu'}
    assert '"d,og"' in written or '"e""mu"' in written  # written quoted, as csv.writer does


def test_an_error_in_a_later_plain_chunk_names_its_line_as_before():
    text = with_cell(PLAIN, 37, 3, "abc")
    assert_same_as_cell_by_cell(text, MODELS["regression"], chunk_size=8)
    assert predicted(MODELS["regression"], io.BytesIO(text.encode()), chunk_size=8) == (
        "error",
        "standard input, line 37, column 'a': 'abc' is not a number "
        "(fix or drop the row; --nan skip drops such rows)",
    )


def test_a_compressed_file_takes_the_plain_path_and_writes_the_same(tmp_path):
    import gzip

    text = CASES["a quote later on"]
    path = tmp_path / "rows.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write(text)
    out = tmp_path / "out.csv"
    summary = predict_csv(MODELS["softmax"], path, out, chunk_size=16)
    expected = predicted(MODELS["softmax"], io.StringIO(text), chunk_size=16)
    assert ("ok", f"{out.read_text(encoding='utf-8')}{summary}") == expected


# --- glassnet predict: the forward it runs ---------------------------------------------------


def embedded_model() -> TrainedModel:
    """The tabular recipe's kind of model: robust-scaled inputs, a periodic embedding, ReLU."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(size=(200, 3)).round(4), columns=["a", "b", "c"])
    network = Network([3, 16, 16, 1], "relu", "sigmoid", random_state=7, embedding=4)
    return TrainedModel(
        network,
        "classification",
        preprocessor=make_preprocessor(frame, scaling="robust").fit(frame),
        label_codec=LabelCodec().fit(np.array(["n", "y"])),
    )


@pytest.mark.parametrize("chunk_size", [10_000, 1_500])
def test_predict_writes_the_networks_forward_of_every_row(chunk_size):
    model = embedded_model()
    n = 2 * OUTPUT_CHUNK_ROWS + 300  # forward passes over several chunks of rows
    text = numbers_file(n, seed=11, columns="a,b,c")
    out = io.StringIO()
    predict_csv(model, io.BytesIO(text.encode("utf-8")), out, chunk_size=chunk_size)
    written = pd.read_csv(
        io.StringIO(out.getvalue()), dtype={"prediction": str}, float_precision="round_trip"
    )
    X = model.transform_features(pd.read_csv(io.StringIO(text))[["a", "b", "c"]])
    with threadpool_limits(limits=1, user_api="blas"):
        A = forward(model.network, X).output[:, 0]  # one pass over every row: A[L], (n,)
    np.testing.assert_array_equal(written["probability_y"].to_numpy(), A)
    np.testing.assert_array_equal(written["probability_n"].to_numpy(), 1 - A)
    assert written["prediction"].tolist() == np.where(A >= 0.5, "y", "n").tolist()


def test_predict_runs_a_network_of_small_layers_on_one_blas_thread(monkeypatch):
    seen: list[int] = []
    network_output = trained_model.network_output

    def counting(network: Network, X: np.ndarray) -> np.ndarray:
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return network_output(network, X)

    monkeypatch.setattr(trained_model, "network_output", counting)
    text = numbers_file(50, seed=12, columns="a,b,c")
    with threadpool_limits(limits=2, user_api="blas"):
        predict_csv(embedded_model(), io.BytesIO(text.encode("utf-8")), io.StringIO())
        outside = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert seen and set(seen) == {1}
    assert outside and set(outside) == {2}  # given back afterwards
