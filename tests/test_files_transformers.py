"""Fitted scikit-learn transformers in a model file: exact round trips, check rows, refusals.

The oracle is scikit-learn itself: a rebuilt transformer must give the original's
output bit for bit (on the training frame, on unseen categories and missing cells),
carry the same fitted attributes and parameters, and the saved check rows must be
what the original transformer gives for them. A rebuilt transformer that no longer
reproduces them (a scikit-learn whose internals moved, simulated by patching its
``transform``) is refused with both versions named.
"""

import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from glassnet.errors import InputError
from glassnet.files import check_rows
from glassnet.files.npz_reader import BadFileError
from glassnet.files.transformers import rebuild_transformer, transformer_record

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMERIC = ["bill", "flipper", "year"]
CATEGORICAL = ["island", "sex", "tagged"]


def penguin_frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """A penguins-like frame: text with gaps, floats with gaps, ints, booleans."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n).astype(object),
            "bill": rng.normal(44.0, 5.0, n),
            "flipper": rng.normal(200.0, 14.0, n),
            "sex": rng.choice(["female", "male"], n).astype(object),
            "year": rng.choice([2007, 2008, 2009], n),
            "tagged": rng.choice([True, False], n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "island"] = np.nan
    frame.loc[rng.random(n) < 0.1, "bill"] = np.nan
    frame.loc[rng.random(n) < 0.15, "sex"] = np.nan
    return frame


def preprocessor(**encoder: object) -> ColumnTransformer:
    """issue 11's preprocessing: median + scale the numbers, mode + one-hot the rest."""
    numbers = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    options = {"handle_unknown": "ignore", **encoder}
    categories = Pipeline(
        [("impute", SimpleImputer(strategy="most_frequent")), ("onehot", OneHotEncoder(**options))]
    )
    return ColumnTransformer([("num", numbers, NUMERIC), ("cat", categories, CATEGORICAL)])


def round_trip(obj: object) -> object:
    """Through the record and real JSON text, as a model file stores it."""
    text = json.dumps(transformer_record(obj, "preprocessor"), allow_nan=False)
    return rebuild_transformer(json.loads(text), "preprocessor")


def dense(output: object) -> np.ndarray:
    return output.toarray() if sparse.issparse(output) else np.asarray(output)


def assert_same_output(rebuilt: object, original: object, X: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, want = rebuilt.transform(X), original.transform(X)
    assert sparse.issparse(got) == sparse.issparse(want)
    got, want = dense(got), dense(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f")  # bit for bit


def leaves(obj: object) -> list[object]:
    if isinstance(obj, Pipeline):
        return [leaf for _, step in obj.steps for leaf in leaves(step)]
    if isinstance(obj, ColumnTransformer):
        return [
            leaf for _, t, _ in obj.transformers_ if not isinstance(t, str) for leaf in leaves(t)
        ]
    return [obj]


FITTED = ("statistics_", "mean_", "var_", "scale_", "n_samples_seen_", "n_features_in_")


def assert_same_state(rebuilt: object, original: object) -> None:
    assert type(rebuilt) is type(original)
    assert repr(rebuilt.get_params(deep=True)) == repr(original.get_params(deep=True))
    for mine, theirs in zip(leaves(rebuilt), leaves(original), strict=True):
        assert type(mine) is type(theirs)
        for name in FITTED:
            if hasattr(theirs, name):
                a, b = getattr(mine, name), getattr(theirs, name)
                if b is None:
                    assert a is None, name
                    continue
                assert type(a) is type(b) and np.asarray(a).dtype == np.asarray(b).dtype, name
                assert same_values(a, b), name
        if hasattr(theirs, "categories_"):
            for a, b in zip(mine.categories_, theirs.categories_, strict=True):
                assert a.dtype == b.dtype and same_values(a, b)
        names = getattr(theirs, "feature_names_in_", None)
        assert np.array_equal(getattr(mine, "feature_names_in_", None), names)


def same_values(a: object, b: object) -> bool:
    """Equal element by element, NaN equal to NaN, in any dtype (object arrays too)."""
    left, right = np.asarray(a).ravel().tolist(), np.asarray(b).ravel().tolist()
    nan = lambda v: isinstance(v, float) and math.isnan(v)  # noqa: E731
    return len(left) == len(right) and all(
        x == y or (nan(x) and nan(y)) for x, y in zip(left, right, strict=True)
    )


def fitted(obj, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return obj.fit(X)


# --- round trips ------------------------------------------------------------------------


def test_the_issue_11_preprocessor_round_trips_bit_for_bit():
    frame = penguin_frame()
    original = fitted(preprocessor(), frame)
    rebuilt = round_trip(original)
    assert_same_state(rebuilt, original)
    assert_same_output(rebuilt, original, frame)
    new = penguin_frame(20, seed=5)
    new.loc[0, "island"] = "Atlantis"  # unseen: all zeros in training's columns
    new.loc[1, ["bill", "sex"]] = np.nan
    assert_same_output(rebuilt, original, new)
    assert list(rebuilt.get_feature_names_out()) == list(original.get_feature_names_out())
    assert rebuilt.output_indices_ == original.output_indices_


def test_the_real_penguins_round_trip():
    penguins = pytest.importorskip("palmerpenguins").load_penguins()
    X = penguins.drop(columns="species")
    numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
    ct = ColumnTransformer(
        [
            (
                "num",
                Pipeline([("i", SimpleImputer(strategy="median")), ("s", StandardScaler())]),
                numbers,
            ),
            (
                "cat",
                Pipeline(
                    [
                        ("i", SimpleImputer(strategy="most_frequent")),
                        ("o", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                ["island", "sex"],
            ),
        ]
    ).fit(X)
    rebuilt = round_trip(ct)
    assert_same_state(rebuilt, ct)
    assert_same_output(rebuilt, ct, X)


@pytest.mark.parametrize(
    "transformer",
    [
        StandardScaler(),
        StandardScaler(with_mean=False),
        StandardScaler(with_std=False),
        StandardScaler(with_mean=False, with_std=False),
        SimpleImputer(strategy="mean"),
        SimpleImputer(strategy="constant", fill_value=-1.5),
        SimpleImputer(strategy="median", keep_empty_features=True),
    ],
    ids=repr,
)
def test_number_leaves_on_arrays_round_trip(transformer):
    rng = np.random.default_rng(3)
    X = rng.normal([5.0, -300.0, 0.01], [2.0, 50.0, 0.001], size=(30, 3))
    X[::4, 1] = np.nan
    X[:, 2] = np.nan if isinstance(transformer, SimpleImputer) else X[:, 2]  # an empty column
    original = fitted(transformer, X)
    rebuilt = round_trip(original)
    assert_same_state(rebuilt, original)
    assert_same_output(rebuilt, original, X)


@pytest.mark.parametrize(
    "encoder",
    [
        OneHotEncoder(),
        OneHotEncoder(drop="first", sparse_output=False),
        OneHotEncoder(drop="if_binary", dtype=np.float32, handle_unknown="ignore"),
        OneHotEncoder(handle_unknown="warn"),
        OneHotEncoder(categories=[["a", "b", "z"], [1, 2, 3], [False, True]]),
    ],
    ids=repr,
)
def test_encoders_on_frames_round_trip(encoder):
    frame = pd.DataFrame({"t": list("abab"), "n": [1, 2, 3, 1], "b": [True, False, True, True]})
    original = fitted(encoder, frame)
    rebuilt = round_trip(original)
    assert_same_state(rebuilt, original)
    assert_same_output(rebuilt, original, frame)


def test_a_text_imputer_alone_round_trips():
    frame = pd.DataFrame({"t": ["x", np.nan, "y", "x"], "u": ["p", "q", np.nan, "q"]})
    for strategy in ("most_frequent", "constant"):
        original = fitted(
            SimpleImputer(strategy=strategy, fill_value="?" if strategy == "constant" else None),
            frame,
        )
        rebuilt = round_trip(original)
        assert_same_output(rebuilt, original, frame)
        assert rebuilt.statistics_.tolist() == original.statistics_.tolist()


column_kinds = st.sampled_from(["float", "int", "text", "bool"])


@st.composite
def frames_and_preprocessors(draw):
    """A random frame (2-5 columns, gaps) and a ColumnTransformer with random options."""
    n = draw(st.integers(4, 25))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    kinds = draw(st.lists(column_kinds, min_size=2, max_size=5))
    data, numbers, categories = {}, [], []
    for j, kind in enumerate(kinds):
        name = f"c{j}"
        if kind == "float":
            column = rng.normal(rng.uniform(-1e3, 1e3), rng.uniform(1e-3, 1e3), n)
            column[rng.random(n) < 0.2] = np.nan
            numbers.append(name)
        elif kind == "int":
            column = rng.integers(-3, 4, n)
            (numbers if draw(st.booleans()) else categories).append(name)
        elif kind == "text":
            column = rng.choice(["a", "b", "c d", "ü"], n).astype(object)
            column[rng.random(n) < 0.2] = np.nan
            categories.append(name)
        else:
            column = (rng.random(n) < 0.5).astype(object)  # SimpleImputer refuses a bool dtype
            categories.append(name)
        data[name] = column
    frame = pd.DataFrame(data)
    parts = []
    if numbers:
        strategy = draw(st.sampled_from(["mean", "median", "most_frequent"]))
        scaler = StandardScaler(with_mean=draw(st.booleans()), with_std=draw(st.booleans()))
        parts.append(
            ("num", Pipeline([("i", SimpleImputer(strategy=strategy)), ("s", scaler)]), numbers)
        )
    if categories:
        encoder = OneHotEncoder(
            handle_unknown=draw(st.sampled_from(["ignore", "error", "infrequent_if_exist"])),
            drop=draw(st.sampled_from([None, "if_binary"])),
            sparse_output=draw(st.booleans()),
        )
        imputer = SimpleImputer(strategy=draw(st.sampled_from(["most_frequent", "constant"])))
        parts.append(("cat", Pipeline([("i", imputer), ("o", encoder)]), categories))
    threshold = draw(st.sampled_from([0.0, 0.3, 1.0]))
    return frame, ColumnTransformer(parts, sparse_threshold=threshold)


@PROPERTY
@given(frames_and_preprocessors())
def test_random_preprocessors_round_trip_bit_for_bit(case):
    frame, ct = case
    original = fitted(ct, frame)
    rebuilt = round_trip(original)
    assert_same_state(rebuilt, original)
    assert_same_output(rebuilt, original, frame)


def test_constant_imputer_that_drops_an_all_missing_column_round_trips():
    # hypothesis found it: scikit-learn 1.9.1's SimpleImputer(strategy="constant") drops a
    # column with no value, as the other strategies do, so the check rows must skip it too
    frame = pd.DataFrame(
        {"c0": [-398.9, 1871.6, np.nan, 603.5], "c1": [-1, -3, 0, 1], "c3": [np.nan] * 4}
    )
    categories = Pipeline(
        [("i", SimpleImputer(strategy="constant")), ("o", OneHotEncoder(handle_unknown="ignore"))]
    )
    ct = ColumnTransformer(
        [("num", SimpleImputer(), ["c0"]), ("cat", categories, ["c1", "c3"])], sparse_threshold=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Skipping features without any ..."
        original = fitted(ct, frame)
        rebuilt = round_trip(original)
        assert_same_state(rebuilt, original)
        assert_same_output(rebuilt, original, frame)


# --- the check rows ---------------------------------------------------------------------


def test_check_rows_are_raw_rows_with_gaps_and_unseen_categories_and_their_output():
    original = fitted(preprocessor(), penguin_frame())
    check = transformer_record(original, "p")["check"]
    assert check["columns"] == ["island", "bill", "flipper", "sex", "year", "tagged"]
    assert 1 <= len(check["rows"]) <= check_rows.MAX_ROWS
    cells = [row[check["columns"].index("island")] for row in check["rows"]]
    assert None in cells  # a missing cell, stored as null
    assert any(c not in (None, "Biscoe", "Dream", "Torgersen") for c in cells)  # an unseen one
    assert any(c in ("Biscoe", "Dream", "Torgersen") for c in cells)
    # the saved output is what scikit-learn gives for those rows, built here by hand
    frame = pd.DataFrame(check["rows"], columns=check["columns"]).astype(
        dict(zip(check["columns"], check["dtypes"], strict=True))
    )
    frame = frame.where(frame.notna(), np.nan)
    want = dense(original.transform(frame))
    saved = check["output"]
    assert saved["shape"] == list(want.shape)
    assert np.array_equal(np.array(saved["values"], dtype=float).reshape(want.shape), want)


def record_of(obj, version=None):
    record = json.loads(json.dumps(transformer_record(obj, "p")))
    if version is not None:
        record["sklearn_version"] = version
    return record


def test_a_moved_internal_fails_loudly_naming_both_versions(monkeypatch):
    original = fitted(preprocessor(), penguin_frame())
    record = record_of(original, version="1.2.3")
    plain = StandardScaler.transform
    monkeypatch.setattr(
        StandardScaler, "transform", lambda self, X, copy=None: plain(self, X) * (1 + 1e-9)
    )
    with pytest.raises(BadFileError, match="does not reproduce its check rows") as caught:
        rebuild_transformer(record, "p")
    message = str(caught.value)
    assert "scikit-learn 1.2.3" in message and f"scikit-learn {sklearn.__version__}" in message
    assert "pip install scikit-learn==1.2.3" in message


def test_one_hot_columns_must_match_exactly_scaled_ones_within_1e_12(monkeypatch):
    original = fitted(preprocessor(sparse_output=False), penguin_frame())
    record = record_of(original)
    plain_scale, plain_encode = StandardScaler.transform, OneHotEncoder.transform
    monkeypatch.setattr(
        StandardScaler, "transform", lambda self, X, copy=None: plain_scale(self, X) * (1 + 1e-14)
    )
    rebuild_transformer(record, "p")  # scaled numbers: within 1e-12, accepted
    monkeypatch.setattr(StandardScaler, "transform", plain_scale)
    monkeypatch.setattr(
        OneHotEncoder, "transform", lambda self, X: plain_encode(self, X) * (1 + 1e-14)
    )
    with pytest.raises(BadFileError, match="same scikit-learn"):
        rebuild_transformer(record, "p")  # one-hot: exact


def test_swapped_categories_are_caught_by_the_check_rows():
    original = fitted(preprocessor(), penguin_frame())
    record = record_of(original)
    onehot = record["transformer"]["transformers"][1]["transformer"]["steps"][1]["transformer"]
    values = onehot["fitted"]["categories_"][0]["array"]["values"]
    values[0], values[1] = values[1], values[0]  # Biscoe <-> Dream: unsorted, or misread
    with pytest.raises(BadFileError):
        rebuild_transformer(record, "p")


def test_a_tampered_output_is_refused_as_altered():
    original = fitted(StandardScaler(), np.arange(12.0).reshape(4, 3))
    record = record_of(original)
    record["check"]["output"]["values"][0] += 1.0
    with pytest.raises(BadFileError, match=r"row 0, output column 0.*same scikit-learn"):
        rebuild_transformer(record, "p")


# --- refused when saving ----------------------------------------------------------------

SUPPORTED = "ColumnTransformer, Pipeline, SimpleImputer, OneHotEncoder, StandardScaler"


class MyScaler(StandardScaler):
    pass


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Pipeline([("log", FunctionTransformer(np.log1p)), ("s", StandardScaler())]),
            "p/log.*FunctionTransformer",
        ),
        (
            lambda: ColumnTransformer([("f", FunctionTransformer(), ["bill"])]),
            "p/f.*FunctionTransformer",
        ),
        (lambda: MyScaler(), "MyScaler"),
    ],
)
def test_another_class_is_refused_naming_the_step_and_the_supported_ones(build, message):
    obj = fitted(build(), penguin_frame()[["bill", "flipper"]].fillna(0.0))
    with pytest.raises(InputError, match=message) as caught:
        transformer_record(obj, "p")
    assert SUPPORTED in str(caught.value)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: ColumnTransformer([("s", StandardScaler(), ["bill"])], remainder="passthrough"),
            "remainder",
        ),
        (lambda: SimpleImputer(add_indicator=True), "add_indicator"),
        (lambda: OneHotEncoder(min_frequency=2), "min_frequency"),
        (lambda: SimpleImputer(strategy=np.nanmax), "strategy"),
        (lambda: OneHotEncoder(feature_name_combiner=lambda f, c: f), "feature_name_combiner"),
        (lambda: ColumnTransformer([("s", StandardScaler(), [1])]), "list of column names"),
        (
            lambda: ColumnTransformer(
                [("a", StandardScaler(), ["bill"]), ("b", StandardScaler(), ["bill"])]
            ),
            "also used by 'a'",
        ),
        (lambda: SimpleImputer(missing_values=-1.0), "missing_values"),
    ],
)
def test_configurations_a_file_cannot_rebuild_are_refused(build, message):
    frame = penguin_frame()[["bill", "flipper", "year"]].fillna(0.0)
    obj = fitted(build(), frame if not isinstance(build(), OneHotEncoder) else frame[["year"]])
    with pytest.raises(InputError, match=message):
        transformer_record(obj, "p")


def test_a_column_transformer_fitted_on_an_array_or_unfitted_is_refused():
    with pytest.raises(InputError, match="DataFrame"):
        transformer_record(
            fitted(ColumnTransformer([("s", StandardScaler(), [0])]), np.ones((3, 2))), "p"
        )
    with pytest.raises(InputError, match="not fitted"):
        transformer_record(StandardScaler(), "p")


# --- hostile records --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["os.system", "sklearn.svm.SVC", "glassnet_evil.Module", "FunctionTransformer", ""]
)
def test_an_unknown_class_name_is_refused_and_nothing_is_imported(name):
    record = record_of(fitted(preprocessor(), penguin_frame()))
    record["transformer"]["transformers"][0]["transformer"]["steps"][1]["transformer"]["class"] = (
        name
    )
    before = set(sys.modules)
    with pytest.raises(BadFileError, match=f"a model file holds {SUPPORTED}"):
        rebuild_transformer(record, "p")
    assert set(sys.modules) == before


def leaf_paths(value, path=()):
    """Every path to a JSON leaf (and to every list and object) in ``value``."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaf_paths(item, (*path, i))


HOSTILE = [
    None,
    True,
    -1,
    0,
    2**40,
    1.5,
    "x",
    "nan",
    [],
    {},
    {"float": "nan"},
    [[1]],
    {"array": {"dtype": "|O", "shape": [1], "values": [None]}},
    {"array": {"dtype": "<c16", "shape": [], "values": [1]}},
]


@PROPERTY
@given(st.data())
def test_any_mutated_record_loads_exactly_or_is_refused_with_bad_file_error(data):
    original = fitted(preprocessor(), penguin_frame())
    record = record_of(original)
    paths = [p for p in leaf_paths(record) if p]
    path = data.draw(st.sampled_from(paths))
    replacement = data.draw(st.sampled_from(HOSTILE))
    parent = record
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = replacement
    try:
        rebuilt = rebuild_transformer(record, "p")
    except BadFileError:
        return
    assert_same_output(rebuilt, original, penguin_frame(10, seed=9))  # loaded: then it is right


@pytest.mark.parametrize(
    "value",
    [
        {"tuple": [1], "dict": []},
        {"set": [1]},
        {"array": {"dtype": "V8", "shape": [1], "values": [1]}},
        {"array": {"dtype": "<f8", "shape": [3], "values": [1.0]}},
        {"array": {"dtype": "<i8", "shape": [1], "values": [2**70]}},
        {"array": {"dtype": "|O", "shape": [1], "values": [{"tuple": []}]}},
        {"array": {"dtype": "|b1", "shape": [1], "values": [1]}},
        {"float": "Infinity"},
        {"dict": [[[1], 2]]},
    ],
)
def test_hostile_typed_values_are_refused(value):
    from glassnet.files.typed_json import decode

    with pytest.raises(BadFileError):
        decode(value, "x")


def test_deep_nesting_is_refused():
    from glassnet.files.typed_json import decode

    value: object = 1
    for _ in range(100):
        value = [value]
    with pytest.raises(BadFileError, match="nested"):
        decode(value, "x")


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3)
    ),
    max_leaves=12,
)
arrays = st.sampled_from(["<f8", "<f4", "<i8", "|u1", "|b1", "<U3"]).flatmap(
    lambda dtype: st.lists(st.integers(0, 3), min_size=0, max_size=3).map(
        lambda shape: np.arange(math.prod(shape)).astype(dtype).reshape(shape)
    )
)


def same(a, b):
    if isinstance(b, np.ndarray | np.generic):
        return (
            type(a) is type(b)
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=b.dtype.kind == "f")
        )
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    if isinstance(b, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, dict):
        return type(a) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in b)
    return type(a) is type(b) and a == b


@PROPERTY
@given(st.one_of(plain, arrays, st.lists(arrays, max_size=3)))
def test_typed_json_round_trips_values_with_their_types(value):
    from glassnet.files.typed_json import decode, encode

    text = json.dumps(encode(value, "v"), allow_nan=False)  # strict JSON: no NaN tokens
    assert same(decode(json.loads(text), "v"), value)


def test_object_arrays_keep_their_elements_types():
    from glassnet.files.typed_json import decode, encode

    array = np.array(["a", 1, 2.5, True, None, np.nan, -np.inf], dtype=object)
    back = decode(json.loads(json.dumps(encode(array, "v"))), "v")
    assert back.dtype == object
    assert [type(v) for v in back[:5]] == [str, int, float, bool, type(None)]
    assert math.isnan(back[5]) and back[6] == -math.inf
    with pytest.raises(InputError, match="object array"):
        encode(np.array([object()], dtype=object), "v")
