"""MLPClassifier, MLPRegressor and Pipelines ending in one: saved and loaded bit for bit.

Every fitted attribute comes back equal in value and type (arrays bit for bit),
get_params() is equal, and predict / predict_proba give identical arrays. A file
that names an unknown class, step or parameter is refused with ModelFileError,
and loading it imports nothing.
"""

import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import glassnet
from glassnet import MLPClassifier, MLPRegressor
from glassnet.errors import InputError, ModelFileError
from glassnet.files.model_file import load, save
from glassnet.training.callbacks import PrintCost

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATTRIBUTES = (
    "coefs_",
    "intercepts_",
    "classes_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "n_iter_",
    "t_",
    "n_features_in_",
    "feature_names_in_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
    "validation_scores_",
    "validation_loss_curve_",
    "best_validation_score_",
    "_no_improvement_count",
)


def quietly_fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "the training cost rose")  # dropout's noisy cost
        return estimator.fit(X, y)


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=n)


def assert_same_value(a, b, name):
    if isinstance(b, list):
        assert type(a) is list and len(a) == len(b), name
        for x, y in zip(a, b, strict=True):
            assert_same_value(x, y, name)
    elif isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, name
        assert np.array_equal(a, b, equal_nan=b.dtype.kind == "f"), name
    else:
        assert type(a) is type(b), (name, type(a), type(b))
        assert a == b or (a != a and b != b), name  # NaN equals NaN here


def assert_same_estimator(loaded, original):
    assert type(loaded) is type(original)
    for name in ATTRIBUTES:
        assert hasattr(loaded, name) == hasattr(original, name), name
        if hasattr(original, name):
            assert_same_value(getattr(loaded, name), getattr(original, name), name)
    params, theirs = loaded.get_params(), original.get_params()
    if isinstance(theirs["random_state"], np.random.RandomState):
        state, their_state = (
            params.pop("random_state").get_state(),
            theirs.pop("random_state").get_state(),
        )
        assert all(np.array_equal(a, b) for a, b in zip(state, their_state, strict=True))
    assert repr(params) == repr(theirs) and params == theirs
    assert dict(loaded.history_.columns).keys() == dict(original.history_.columns).keys()
    for column, values in original.history_.columns.items():
        assert_same_value(loaded.history_.columns[column], values, column)
    assert loaded.history_.as_dict().keys() == original.history_.as_dict().keys()
    for key in ("metric_name", "best_epoch", "stop_reason", "interrupted", "step_cost"):
        assert getattr(loaded.history_, key) == getattr(original.history_, key), key


def round_trip(obj, tmp_path: Path, name="model.npz"):
    path = save(obj, tmp_path / name)
    return load(path)


X, y_numbers = data()
CASES = {
    "binary ints, adam": (
        MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0),
        y_numbers > 0,
    ),
    "3 string classes, sgd, early stopping": (
        MLPClassifier(
            (6, 4),
            solver="sgd",
            early_stopping=True,
            max_iter=40,
            random_state=1,
            activation=["tanh", "relu"],
        ),
        np.array(["adelie", "chinstrap", "gentoo", "adelie"])[np.arange(40) % 4],
    ),
    "multi-label, lbfgs": (
        MLPClassifier([4], solver="lbfgs", max_iter=25, random_state=2),
        np.column_stack([y_numbers > 0, X[:, 0] > 0]).astype(int),
    ),
    "class weights, gd, RandomState": (
        MLPClassifier(
            hidden_layer_sizes=np.array([3]),
            solver="gd",
            max_iter=15,
            class_weight={False: 1.0, True: 2.5},
            random_state=np.random.RandomState(4),
        ),
        y_numbers > 1,
    ),
    "regressor, adam": (
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0, n_iter_no_change=np.inf),
        y_numbers,
    ),
    "regressor, 2 outputs, lbfgs, sigmoid, he": (
        MLPRegressor(
            hidden_layer_sizes=[4, 3],
            solver="lbfgs",
            activation="sigmoid",
            init="he",
            max_iter=30,
            random_state=5,
        ),
        np.column_stack([y_numbers, -y_numbers]),
    ),
    "regressor, early stopping": (
        MLPRegressor(hidden_layer_sizes=(3,), early_stopping=True, max_iter=30, random_state=6),
        y_numbers,
    ),
    "regressor, Poisson (exp output)": (
        MLPRegressor(loss="poisson", hidden_layer_sizes=(4,), max_iter=30, random_state=7),
        np.exp(0.5 * X[:, 0]),
    ),
    "dropout, clipping, weight decay": (
        MLPClassifier(
            (5,), dropout=0.2, clip_norm=1.0, weight_decay=0.01, max_iter=20, random_state=8
        ),
        y_numbers > 0,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fitted_estimators_round_trip_bit_for_bit(case, dtype, tmp_path):
    estimator, y = CASES[case]
    original = quietly_fit(estimator.__class__(**estimator.get_params()), X.astype(dtype), y)
    loaded = round_trip(original, tmp_path)
    assert_same_estimator(loaded, original)
    new = data(15, seed=9)[0].astype(dtype)
    assert np.array_equal(loaded.predict(new), original.predict(new))
    if hasattr(original, "predict_proba"):
        assert np.array_equal(loaded.predict_proba(new), original.predict_proba(new))
    assert loaded.network_.dtype == original.network_.dtype == np.dtype(dtype)


def test_feature_names_round_trip_and_are_checked_at_predict(tmp_path):
    frame = pd.DataFrame(X, columns=["bill", "flipper", "mass"])
    original = quietly_fit(
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0), frame, y_numbers
    )
    loaded = round_trip(original, tmp_path)
    assert_same_estimator(loaded, original)
    assert list(loaded.feature_names_in_) == ["bill", "flipper", "mass"]
    assert np.array_equal(loaded.predict(frame), original.predict(frame))
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(frame.rename(columns={"bill": "beak"}))


def test_warm_start_after_loading_continues_as_without_saving(tmp_path):
    original = quietly_fit(
        MLPClassifier((5,), max_iter=10, random_state=0, warm_start=True), X, y_numbers > 0
    )
    loaded = round_trip(original, tmp_path)
    quietly_fit(original, X, y_numbers > 0)  # ten more epochs each, a fresh optimizer in both
    quietly_fit(loaded, X, y_numbers > 0)
    assert_same_estimator(loaded, original)


def test_partial_fit_after_loading_runs_from_the_saved_weights(tmp_path):
    original = MLPRegressor(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, y_numbers)
    loaded = round_trip(original, tmp_path)
    loaded.partial_fit(X, y_numbers)  # a fresh optimizer: Adam's moments are not saved
    assert loaded.n_iter_ == 1 and loaded.t_ == 2 * X.shape[0]


@PROPERTY
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=3),
    st.sampled_from(["relu", "tanh", "logistic", "identity", "leaky_relu"]),
    st.sampled_from(["adam", "sgd", "gd", "lbfgs"]),
    st.integers(2, 4),
    st.integers(0, 1000),
)
def test_random_classifiers_round_trip(tmp_path_factory, sizes, activation, solver, k, seed):
    estimator = MLPClassifier(
        sizes, activation=activation, solver=solver, max_iter=5, random_state=seed
    )
    original = quietly_fit(estimator, X, np.arange(40) % k)
    loaded = round_trip(original, tmp_path_factory.mktemp("m"))
    assert_same_estimator(loaded, original)
    assert np.array_equal(loaded.predict_proba(X), original.predict_proba(X))


# --- pipelines ---------------------------------------------------------------------------


def penguins_like(n=80, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n).astype(object),
            "bill": rng.normal(44.0, 5.0, n),
            "flipper": rng.normal(200.0, 14.0, n),
            "sex": rng.choice(["female", "male"], n).astype(object),
            "year": rng.choice([2007, 2008, 2009], n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "island"] = np.nan
    frame.loc[rng.random(n) < 0.1, "bill"] = np.nan
    species = np.where(
        frame["flipper"] > 205, "gentoo", np.where(frame["bill"] > 44, "chinstrap", "adelie")
    )
    return frame, species


def column_transformer():
    numbers = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categories = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    return ColumnTransformer(
        [("num", numbers, ["bill", "flipper", "year"]), ("cat", categories, ["island", "sex"])]
    )


def test_a_pipeline_with_a_column_transformer_round_trips(tmp_path):
    frame, species = penguins_like()
    pipeline = Pipeline(
        [
            ("prepare", column_transformer()),
            ("mlp", MLPClassifier((6,), max_iter=40, random_state=0)),
        ]
    )
    original = quietly_fit(pipeline, frame, species)
    loaded = round_trip(original, tmp_path)
    assert type(loaded) is Pipeline and [n for n, _ in loaded.steps] == ["prepare", "mlp"]
    assert_same_estimator(loaded[-1], original[-1])
    new, _ = penguins_like(30, seed=3)
    new.loc[0, "island"] = "Atlantis"  # unseen: all zeros
    new.loc[1, ["bill", "sex"]] = np.nan
    for rows in (frame, new):
        assert np.array_equal(loaded.predict(rows), original.predict(rows))
        assert np.array_equal(loaded.predict_proba(rows), original.predict_proba(rows))
    assert repr(loaded.get_params()) == repr(original.get_params())


@pytest.mark.parametrize(
    "steps",
    [
        [("scale", StandardScaler())],
        [("impute", SimpleImputer()), ("scale", StandardScaler(with_mean=False))],
        [],
    ],
    ids=["scaler", "imputer+scaler", "estimator only"],
)
def test_pipelines_on_arrays_round_trip(steps, tmp_path):
    X_gaps = X * [1.0, 100.0, 0.01] + [0.0, 5e3, -1.0]
    X_gaps[::5, 1] = np.nan if steps and isinstance(steps[0][1], SimpleImputer) else X_gaps[::5, 1]
    pipeline = Pipeline(
        [*steps, ("mlp", MLPRegressor(hidden_layer_sizes=(4,), max_iter=30, random_state=0))]
    )
    original = quietly_fit(pipeline, X_gaps, y_numbers)
    loaded = round_trip(original, tmp_path)
    assert_same_estimator(loaded[-1], original[-1])
    assert np.array_equal(loaded.predict(X_gaps), original.predict(X_gaps))


# --- refused when saving ------------------------------------------------------------------


def test_an_unfitted_estimator_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"not fitted.*fit it first"):
        save(MLPClassifier(), tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_callbacks_are_refused_they_are_code(tmp_path):
    estimator = quietly_fit(
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, callbacks=[PrintCost(every=100)]),
        X,
        y_numbers,
    )
    with pytest.raises(InputError, match=r"callbacks are code.*set_params"):
        save(estimator, tmp_path / "m.npz")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            [
                ("log", FunctionTransformer(np.abs)),
                ("mlp", MLPRegressor(hidden_layer_sizes=(3,), max_iter=5)),
            ],
            "pipeline/log.*FunctionTransformer",
        ),
        (
            [("scale", StandardScaler()), ("clf", LogisticRegression())],
            "last step 'clf' is a LogisticRegression",
        ),
        (
            [("scale", StandardScaler()), ("mlp", SklearnMLPClassifier((3,), max_iter=5))],
            "last step 'mlp' is a MLPClassifier",
        ),
    ],
)
def test_other_steps_are_refused_naming_the_step(steps, message, tmp_path):
    target = y_numbers > 0
    pipeline = quietly_fit(Pipeline(steps), X, target)
    with pytest.raises(InputError, match=message):
        save(pipeline, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


# --- hostile files ------------------------------------------------------------------------


def rewrite_metadata(path: Path, change) -> Path:
    """The same archive with its JSON metadata changed by ``change(metadata)``."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(arrays.pop("metadata").tobytes())
    change(metadata)
    blob = json.dumps(metadata).encode()
    target = path.with_name("tampered.npz")
    np.savez(target, metadata=np.frombuffer(blob, np.uint8), **arrays)
    return target


def saved_pipeline(tmp_path):
    frame, species = penguins_like()
    pipeline = Pipeline(
        [
            ("prepare", column_transformer()),
            ("mlp", MLPClassifier((4,), max_iter=10, random_state=0)),
        ]
    )
    return save(quietly_fit(pipeline, frame, species), tmp_path / "p.npz")


def set_estimator_name(name):
    def change(metadata):
        metadata["payload"]["estimator"]["estimator"] = name

    return change


def set_transformer_class(name):
    def change(metadata):
        prepare = metadata["payload"]["transformers"]["transformer"]["steps"][0]["transformer"]
        prepare["transformers"][1]["transformer"]["steps"][1]["transformer"]["class"] = name

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            set_estimator_name("sklearn.neural_network.MLPClassifier"),
            "a model file holds MLPClassifier, MLPRegressor",
        ),
        (set_estimator_name("glassnet_evil.Backdoor"), "a model file holds MLPClassifier"),
        (set_transformer_class("subprocess.Popen"), "a model file holds ColumnTransformer"),
        (set_transformer_class("glassnet_evil.Encoder"), "a model file holds ColumnTransformer"),
        (lambda m: m["payload"]["estimator"]["params"].update(evil=1), "params must name exactly"),
        (
            lambda m: m["payload"]["estimator"]["params"].update(callbacks=["os.system"]),
            "callbacks",
        ),
        (lambda m: m["payload"]["estimator"]["fitted"].update(n_outputs_=7), "n_outputs_"),
        (
            lambda m: m["payload"]["estimator"]["fitted"].update(out_activation_="logistic"),
            "out_activation_",
        ),
        (
            lambda m: m["payload"]["estimator"]["params"].update(activation="tanh"),
            "do not match the network",
        ),
        (lambda m: m["payload"].update(estimator_step="prepare"), "new step name"),
        (lambda m: m.update(kind="os.system"), "unknown kind"),
    ],
)
def test_a_tampered_file_is_refused_and_nothing_is_imported(change, message, tmp_path):
    tampered = rewrite_metadata(saved_pipeline(tmp_path), change)
    before = set(sys.modules)
    with pytest.raises(ModelFileError, match=message):
        load(tampered)
    assert set(sys.modules) == before


def json_paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_paths(item, (*path, i))


HOSTILE = [None, True, -1, 0, 3, 2.5, "x", "relu", [], {}, {"float": "inf"}, {"tuple": [1, 2]}]


def test_any_mutated_estimator_field_loads_exactly_or_raises_model_file_error(tmp_path):
    original = quietly_fit(
        MLPClassifier((3,), early_stopping=True, max_iter=8, random_state=0), X, y_numbers > 0
    )
    path = save(original, tmp_path / "m.npz")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "W1.npy",
            "W2.npy",
            "b1.npy",
            "b2.npy",
            "metadata.npy",
        ]
    with np.load(path) as archive:
        metadata = json.loads(archive["metadata"].tobytes())
    paths = [p for p in json_paths(metadata["payload"]) if p]
    rng = np.random.default_rng(0)
    for index in rng.choice(len(paths), size=min(300, len(paths)), replace=False):
        for replacement in rng.choice(np.array(HOSTILE, dtype=object), size=2):

            def change(m, p=paths[index], r=replacement):
                parent = m["payload"]
                for key in p[:-1]:
                    parent = parent[key]
                parent[p[-1]] = r

            tampered = rewrite_metadata(path, change)
            try:
                loaded = load(tampered)
            except ModelFileError:
                continue
            assert np.array_equal(loaded.predict_proba(X), original.predict_proba(X))


def test_glassnet_load_reads_an_estimator_file_in_a_fresh_interpreter(tmp_path):
    path = save(
        quietly_fit(
            MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0), X, y_numbers
        ),
        tmp_path / "m.npz",
    )
    code = f"import glassnet; print(type(glassnet.load({str(path)!r})).__name__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "MLPRegressor", result.stderr


def test_without_the_estimators_imported_files_load_still_reads_an_estimator(tmp_path):
    path = save(
        quietly_fit(
            MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0), X, y_numbers
        ),
        tmp_path / "m.npz",
    )
    code = f"from glassnet.files.model_file import load; print(type(load({str(path)!r})).__name__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "MLPRegressor", result.stderr


def test_glassnet_save_and_load_an_estimator_and_record_the_versions(tmp_path):
    original = quietly_fit(MLPClassifier((4,), max_iter=10, random_state=0), X, y_numbers > 0)
    path = glassnet.save(original, tmp_path / "m.npz")  # "cannot save a MLPClassifier" before
    assert np.array_equal(glassnet.load(path).predict_proba(X), original.predict_proba(X))
    with np.load(path) as archive:
        metadata = json.loads(archive["metadata"].tobytes())
    assert metadata["kind"] == "estimator"
    assert metadata["payload"]["sklearn_version"] == sklearn.__version__
    assert metadata["payload"]["estimator"] == "MLPClassifier"
