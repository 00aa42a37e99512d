"""Model files: exact round trips, TrainedModel on raw data, every bad file refused, fuzz.

A good file loads with bit-identical weights and identical predictions; a bad one
raises ModelFileError naming the file and the problem, and nothing else ever
escapes ``load``: not for pickles, truncations, flipped bytes or hostile metadata.
"""

import json
import os
import pickle
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.losses import LOSS_FOR_OUTPUT
from glassnet.core.network import Network, forward
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.errors import InputError, ModelFileError
from glassnet.files.model_file import KINDS, Payload, load, register_kind, save
from glassnet.runs.model import TrainedModel

DTYPES = ("float32", "float64")
OUTPUTS = tuple(LOSS_FOR_OUTPUT)  # every output activation, each with its paired loss
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- helpers --------------------------------------------------------------------------


def make_network(sizes, hidden="relu", output="sigmoid", dtype="float64", seed=0, init="he"):
    """A network with random weights and random (non-zero) biases."""
    network = Network(sizes, hidden, output, init, random_state=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 1)
    for b in network.b.values():
        b[:] = rng.standard_normal(b.shape)
    return network


def assert_same_network(loaded: Network, original: Network) -> None:
    assert loaded.layer_sizes == original.layer_sizes
    assert loaded.hidden == original.hidden
    assert loaded.output == original.output
    assert loaded.loss.name == original.loss.name
    assert loaded.init == original.init
    assert loaded.dtype == original.dtype
    assert loaded.parameter_names() == original.parameter_names()
    for mine, theirs in zip(loaded.parameters(), original.parameters(), strict=True):
        assert mine.dtype == theirs.dtype
        assert np.array_equal(mine, theirs)  # bit-identical, not merely close


def raw_features(n: int, d: int, seed: int) -> np.ndarray:
    """Raw features far from standardised: offsets of tens, scales from 0.1 to 100."""
    rng = np.random.default_rng(seed)
    return rng.normal(rng.uniform(-50, 50, d), rng.uniform(0.1, 100, d), size=(n, d))


def classifier(
    labels: np.ndarray, *, softmax: bool, dtype: str = "float64", standardize: bool = True
) -> tuple[TrainedModel, np.ndarray]:
    """A TrainedModel for ``labels`` with 3 raw features, and those features."""
    X = raw_features(labels.size, 3, seed=7)
    codec = LabelCodec().fit(labels)
    k = codec.n_classes
    output, n_out = ("softmax", k) if softmax else ("sigmoid", 1)
    network = make_network([3, 5, n_out], "tanh", output, dtype, seed=3)
    model = TrainedModel(
        network,
        "classification",
        standardizer=Standardizer().fit(X) if standardize else None,
        label_codec=codec,
        feature_names=["a", "b", "c"],
        target_name="label",
        config={"epochs": 10, "optimizer": "adam", "hidden": [5]},
        metrics={"accuracy": 0.75},
    )
    return model, X


def regressor(n_out: int = 1, dtype: str = "float64") -> tuple[TrainedModel, np.ndarray]:
    X = raw_features(12, 2, seed=8)
    network = make_network([2, 4, n_out], "relu", "identity", dtype, seed=4)
    model = TrainedModel(network, "regression", standardizer=Standardizer().fit(X))
    return model, X


def read_parts(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A model file's metadata (parsed) and its other arrays."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    metadata = json.loads(arrays.pop("metadata").tobytes().decode("utf-8"))
    return metadata, arrays


def write_parts(path: Path, metadata: Any, arrays: dict[str, np.ndarray]) -> Path:
    """Write an .npz as glassnet does, but with any metadata (object, bytes) and arrays."""
    blob = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode("utf-8")
    with path.open("wb") as handle:
        np.savez(handle, metadata=np.frombuffer(blob, np.uint8), **arrays)
    return path


def load_error(path: Path) -> str:
    """Load ``path``, expecting ModelFileError; return its message (which names the path)."""
    with pytest.raises(ModelFileError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message
    return message


class RunsOnUnpickle:
    """Unpickling this creates ``marker``: proof that a pickle's code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


# --- round trips ----------------------------------------------------------------------


@st.composite
def networks(draw) -> Network:
    depth = draw(st.integers(0, 3))
    sizes = draw(st.lists(st.integers(1, 6), min_size=depth + 2, max_size=depth + 2))
    hidden = draw(st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=depth, max_size=depth))
    output = draw(st.sampled_from(OUTPUTS))
    init = draw(st.sampled_from(sorted(INITIALIZERS)))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**32 - 2))
    return make_network(sizes, hidden, output, dtype, seed, init)


@PROPERTY
@given(network=networks(), seed=st.integers(0, 2**32 - 1))
def test_network_round_trip_is_exact(network, seed):
    X = np.random.default_rng(seed).standard_normal((7, network.layer_sizes[0]))
    X = X.astype(network.dtype)
    with tempfile.TemporaryDirectory() as folder:
        path = save(network, Path(folder) / "net.npz")
        loaded = load(path)
    assert_same_network(loaded, network)
    assert np.array_equal(forward(loaded, X).output, forward(network, X).output)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_every_activation_output_and_dtype_round_trips(tmp_path, hidden, output, dtype):
    network = make_network([3, 4, 5, 2], hidden, output, dtype, seed=11)
    loaded = load(save(network, tmp_path / "net.npz"))
    assert_same_network(loaded, network)
    X = np.random.default_rng(0).standard_normal((6, 3)).astype(dtype)
    assert np.array_equal(loaded.predict_output(X), network.predict_output(X))


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_every_depth_round_trips(tmp_path, depth):
    network = make_network([4] + [3] * depth + [2], "leaky_relu", "softmax", seed=depth)
    assert_same_network(load(save(network, tmp_path / "net.npz")), network)


LABELS = {
    "strings": np.array(["cat", "dog", "emu", "cat", "dog", "emu", "cat", "dog"]),
    "ints": np.array([3, -1, 7, 3, 7, -1, 3, 7]),
    "floats": np.array([0.5, 2.0, 0.5, 2.0, 0.5, 2.0, 0.5, 2.0]),
    "bools": np.array([True, False, True, True, False, False, True, False]),
}


@st.composite
def trained_models(draw) -> tuple[TrainedModel, np.ndarray]:
    kind = draw(st.sampled_from([*LABELS, "regression"]))
    dtype = draw(st.sampled_from(DTYPES))
    standardize = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    depth = draw(st.integers(0, 3))
    d = draw(st.integers(1, 4))
    X = raw_features(8, d, seed)
    hidden = [draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in range(depth)]
    codec, task = None, "regression"
    output, n_out = "identity", draw(st.integers(1, 2))
    if kind != "regression":
        codec, task = LabelCodec().fit(LABELS[kind]), "classification"
        softmax = codec.n_classes > 2 or draw(st.booleans())
        output, n_out = ("softmax", codec.n_classes) if softmax else ("sigmoid", 1)
    network = make_network([d, *[3] * depth, n_out], hidden, output, dtype, seed)
    model = TrainedModel(
        network,
        task,
        standardizer=Standardizer().fit(X) if standardize else None,
        label_codec=codec,
        target_name=draw(st.none() | st.text(max_size=5)),
        config={"seed": seed, "kind": kind},
        metrics={"score": draw(st.floats(-1, 1)), "best": draw(st.none() | st.integers())},
    )
    return model, X


@PROPERTY
@given(drawn=trained_models())
def test_trained_model_round_trip_predicts_identically_on_raw_data(drawn):
    model, X = drawn
    with tempfile.TemporaryDirectory() as folder:
        loaded = load(save(model, Path(folder) / "model.npz"))
    assert isinstance(loaded, TrainedModel)
    assert_same_network(loaded.network, model.network)
    for attribute in ("task", "feature_names", "target_name", "config", "metrics"):
        assert getattr(loaded, attribute) == getattr(model, attribute)
    before, after = model.predict(X), loaded.predict(X)
    assert after.dtype == before.dtype
    assert np.array_equal(after, before)
    if model.task == "classification":
        assert loaded.classes_.dtype == model.classes_.dtype
        assert np.array_equal(loaded.classes_, model.classes_)
        assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    if model.standardizer is None:
        assert loaded.standardizer is None
    else:
        assert np.array_equal(loaded.standardizer.mean_, model.standardizer.mean_)
        assert np.array_equal(loaded.standardizer.scale_, model.standardizer.scale_)


@pytest.mark.parametrize("labels", LABELS, ids=str)
def test_labels_come_back_in_their_own_type(tmp_path, labels):
    model, X = classifier(LABELS[labels], softmax=True)
    loaded = load(save(model, tmp_path / "model.npz"))
    predicted = loaded.predict(X)
    assert predicted.dtype == LABELS[labels].dtype
    assert set(predicted.tolist()) <= set(LABELS[labels].tolist())
    assert np.array_equal(predicted, model.predict(X))


def test_compressed_npz_is_read_too(tmp_path):
    model, X = classifier(LABELS["strings"], softmax=True)
    metadata, arrays = read_parts(save(model, tmp_path / "model.npz"))
    blob = np.frombuffer(json.dumps(metadata).encode(), np.uint8)
    np.savez_compressed(tmp_path / "small.npz", metadata=blob, **arrays)
    assert np.array_equal(load(tmp_path / "small.npz").predict(X), model.predict(X))


def test_save_writes_exactly_the_path_given(tmp_path):
    path = save(make_network([2, 1]), tmp_path / "model")
    assert path == tmp_path / "model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert isinstance(load(tmp_path / "model"), Network)


def test_file_is_plain_npz_with_documented_metadata(tmp_path):
    model, _ = classifier(LABELS["ints"][LABELS["ints"] != 7], softmax=False)
    path = save(model, tmp_path / "model.npz")
    with zipfile.ZipFile(path) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    metadata, arrays = read_parts(path)
    assert metadata["format"] == "glassnet-model"
    assert metadata["format_version"] == 1
    assert metadata["kind"] == "trained_model"
    assert metadata["network"] == {
        "layer_sizes": [3, 5, 1],
        "hidden": ["tanh"],
        "output": "sigmoid",
        "loss": "binary_cross_entropy",
        "init": "he",
        "dtype": "float64",
    }
    assert metadata["payload"]["label_codec"] == {"classes": [-1, 3], "dtype": "<i8"}
    assert sorted(arrays) == sorted(
        ["W1", "b1", "W2", "b2", "standardizer_mean", "standardizer_scale"]
    )


def test_config_and_metrics_numpy_values_are_stored_as_plain_json(tmp_path):
    network = make_network([2, 1], output="identity")
    model = TrainedModel(
        network,
        "regression",
        config={"lr": np.float32(0.5), "sizes": (np.int64(3), 4), "flags": np.array([True])},
        metrics={"r2": np.float64(0.25), "nan": float("nan")},
    )
    loaded = load(save(model, tmp_path / "m.npz"))
    assert loaded.config == {"lr": 0.5, "sizes": [3, 4], "flags": [True]}
    assert type(loaded.config["sizes"][0]) is int
    assert loaded.metrics == {"r2": 0.25, "nan": None}  # strict JSON: NaN and inf become null


def test_save_refuses_what_it_could_not_load(tmp_path):
    network = make_network([2, 3, 1])
    network.W[2][0, 0] = np.nan
    with pytest.raises(InputError, match=r"W2 contains NaN"):
        save(network, tmp_path / "bad.npz")
    network = make_network([2, 3, 1])
    network.b[1] = network.b[1].astype(np.float32)
    with pytest.raises(InputError, match=r"b1 has dtype float32"):
        save(network, tmp_path / "bad.npz")
    with pytest.raises(InputError, match=r"cannot save a dict"):
        save({"W1": 1}, tmp_path / "bad.npz")
    model, _ = regressor()
    model.feature_names.append("edited later")
    with pytest.raises(InputError, match=r"could not be loaded: .*feature_names lists 3 name"):
        save(model, tmp_path / "bad.npz")
    model, _ = regressor()
    model.config["when"] = object()
    with pytest.raises(InputError, match=r"config\['when'\] holds a object"):
        save(model, tmp_path / "bad.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_registered_kind_round_trips(tmp_path, monkeypatch):
    class Wrapped:
        def __init__(self, network: Network, note: str) -> None:
            self.network, self.note = network, note

    def to_payload(obj: Wrapped) -> Payload:
        return Payload(obj.network, {"note": obj.note}, {"extra": np.arange(3.0)})

    def from_payload(network, fields, arrays):
        if not isinstance(fields["note"], str) or not np.array_equal(arrays["extra"], [0, 1, 2]):
            raise InputError("bad wrapped payload")
        return Wrapped(network, fields["note"])

    monkeypatch.setitem(KINDS, "wrapped", KINDS["network"])  # restored after the test
    register_kind("wrapped", Wrapped, to_payload, from_payload)
    path = save(Wrapped(make_network([2, 2], output="softmax"), "hello"), tmp_path / "w.npz")
    loaded = load(path)
    assert isinstance(loaded, Wrapped) and loaded.note == "hello"
    metadata, arrays = read_parts(path)
    metadata["payload"]["note"] = 5
    write_parts(path, metadata, arrays)
    assert "invalid wrapped payload: bad wrapped payload" in load_error(path)
    with pytest.raises(InputError, match="lower-case"):
        register_kind("Bad Name", Wrapped, to_payload, from_payload)


# --- TrainedModel on raw data ---------------------------------------------------------


def test_predict_is_standardise_forward_argmax_decode():
    model, X = classifier(LABELS["strings"], softmax=True)
    X_std = (X - X.mean(axis=0)) / X.std(axis=0)
    np.testing.assert_allclose(model.transform_features(X), X_std, rtol=1e-12, atol=1e-12)
    A = forward(model.network, model.transform_features(X)).output
    assert np.array_equal(model.predict_proba(X), A)
    assert np.array_equal(model.predict(X), np.array(["cat", "dog", "emu"])[A.argmax(axis=1)])


def test_single_sigmoid_gives_two_probability_columns():
    model, X = classifier(LABELS["ints"][LABELS["ints"] != 7], softmax=False)
    proba = model.predict_proba(X)
    p = forward(model.network, model.transform_features(X)).output[:, 0]
    assert proba.shape == (X.shape[0], 2)
    assert np.array_equal(proba[:, 1], p)
    assert np.array_equal(proba[:, 0], 1 - p)
    assert np.array_equal(model.predict(X), np.where(p >= 0.5, 3, -1))


def test_float32_model_and_no_standardizer():
    model, X = classifier(LABELS["bools"], softmax=False, dtype="float32", standardize=False)
    assert model.transform_features(X).dtype == np.float32
    assert np.array_equal(model.transform_features(X), X.astype(np.float32))
    assert model.predict(X).dtype == np.bool_
    assert model.predict_proba(X).dtype == np.float32


def test_regression_returns_values_1d_for_one_output_2d_for_more():
    model, X = regressor(1)
    expected = forward(model.network, model.transform_features(X)).output
    assert model.predict(X).shape == (X.shape[0],)
    assert np.array_equal(model.predict(X), expected[:, 0])
    two, X2 = regressor(2)
    assert two.predict(X2).shape == (X2.shape[0], 2)
    assert model.classes_ is None
    with pytest.raises(InputError, match="predict_proba needs a classification model"):
        model.predict_proba(X)


def test_bad_X_gets_a_clear_error():
    model, X = classifier(LABELS["strings"], softmax=True)
    with pytest.raises(InputError, match=r"X has 2 feature\(s\) but the model was trained on 3"):
        model.predict(X[:, :2])
    with pytest.raises(InputError, match="1-D"):
        model.predict(X[0])
    X[1, 2] = np.nan
    with pytest.raises(InputError, match="NaN or inf"):
        model.predict_proba(X)
    with pytest.raises(InputError, match="non-numeric"):
        model.predict([["a", "b", "c"]])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda n, c: TrainedModel(n, "clustering", label_codec=c), "unknown task"),
        (lambda n, c: TrainedModel(n, "classification"), "needs a fitted LabelCodec"),
        (lambda n, c: TrainedModel(n, "regression", label_codec=c), "takes no label_codec"),
        (lambda n, c: TrainedModel(n, "regression"), "needs an identity output"),
        (
            lambda n, c: TrainedModel(n, "classification", label_codec=LabelCodec().fit([1, 2])),
            r"'softmax' with 3 unit\(s\) for 2 class",
        ),
        (
            lambda n, c: TrainedModel(
                n, "classification", label_codec=c, standardizer=Standardizer().fit([[1.0]])
            ),
            "statistics for 1 feature",
        ),
        (
            lambda n, c: TrainedModel(n, "classification", label_codec=c, feature_names=["a"]),
            r"feature_names lists 1 name\(s\)",
        ),
        (
            lambda n, c: TrainedModel(n, "classification", label_codec=c, feature_names="ab"),
            "list of strings",
        ),
        (
            lambda n, c: TrainedModel(n, "classification", label_codec=c, target_name=3),
            "target_name must be a string",
        ),
        (lambda n, c: TrainedModel(n, "classification", label_codec=c, metrics=[1]), "dict"),
        (lambda n, c: TrainedModel("net", "classification", label_codec=c), "glassnet Network"),
    ],
)
def test_trained_model_refuses_parts_that_do_not_fit(build, message):
    network = make_network([2, 3, 3], output="softmax")
    codec = LabelCodec().fit(["x", "y", "z"])
    with pytest.raises(InputError, match=message):
        build(network, codec)


def test_trained_model_defaults():
    model = TrainedModel(make_network([3, 1], output="identity"), "regression")
    assert model.feature_names == ["x0", "x1", "x2"]
    assert (model.config, model.metrics, model.target_name) == ({}, {}, None)
    assert "regression" in repr(model)


# --- bad files ------------------------------------------------------------------------


@pytest.fixture
def good(tmp_path) -> tuple[Path, dict[str, Any], dict[str, np.ndarray]]:
    """A saved classifier (string labels, standardizer, 2 layers) and its parts."""
    model, _ = classifier(LABELS["strings"], softmax=True)
    path = save(model, tmp_path / "model.npz")
    metadata, arrays = read_parts(path)
    return path, metadata, arrays


def _set(*keys_and_value):
    """A mutation setting metadata[k1][k2]... = value."""
    *keys, value = keys_and_value

    def mutate(metadata, arrays):
        target = metadata
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def _array(name, value):
    def mutate(metadata, arrays):
        arrays[name] = value(arrays[name]) if callable(value) else value

    return mutate


def _drop(*names):
    def mutate(metadata, arrays):
        for name in names:
            arrays.pop(name)
            metadata["arrays"].pop(name, None)

    return mutate


def _spoil(name, index, value):
    def mutate(metadata, arrays):
        arrays[name] = arrays[name].copy()
        arrays[name].flat[index] = value

    return mutate


METADATA_CASES = {
    "wrong format": (_set("format", "keras"), "format is 'keras', not 'glassnet-model'"),
    "future version": (
        _set("format_version", 2),
        "format version 2 (written by glassnet '0.1.0'); this glassnet 0.1.0 reads format "
        "version 1: upgrade glassnet",
    ),
    "version as text": (_set("format_version", "1"), "format_version must be a whole number"),
    "version zero": (_set("format_version", 0), "versions start at 1"),
    "unknown kind": (_set("kind", "pickle"), "unknown kind 'pickle'"),
    "unknown hidden activation": (
        _set("network", "hidden", 0, "swish"),
        "unknown hidden activation 'swish' in network.hidden[0]: known are identity, "
        "leaky_relu, relu, sigmoid, tanh",
    ),
    "softmax as hidden": (_set("network", "hidden", 0, "softmax"), "hidden activation 'softmax'"),
    "code as a name": (
        _set("network", "output", "os.system"),
        "unknown output 'os.system' in network.output",
    ),
    "loss not paired": (
        _set("network", "loss", "squared_error"),
        "a softmax output pairs with 'cross_entropy'",
    ),
    "unknown init": (_set("network", "init", "orthogonal"), "unknown initialiser 'orthogonal'"),
    "unknown dtype": (_set("network", "dtype", "float16"), "unknown dtype 'float16'"),
    "negative size": (_set("network", "layer_sizes", 1, -5), "layer_sizes[1] must be a whole"),
    "huge size": (_set("network", "layer_sizes", 1, 10**12), "layer_sizes[1] must be a whole"),
    "bool size": (_set("network", "layer_sizes", 0, True), "layer_sizes[0] must be a whole"),
    "float size": (_set("network", "layer_sizes", 0, 3.0), "layer_sizes[0] must be a whole"),
    "sizes not a list": (_set("network", "layer_sizes", "3,5,3"), "layer_sizes must be a list"),
    "too few sizes": (_set("network", "layer_sizes", [3]), "must list 2 to 1024 sizes"),
    "hidden count": (_set("network", "hidden", []), "names 0 activation(s) for 1 hidden layer"),
    "unknown field": (_set("network", "eval", "x"), "network has unknown field(s) 'eval'"),
    "missing network": (
        lambda m, a: m.pop("network"),
        "metadata.network is missing",
    ),
    "sizes disagree with arrays": (
        _set("network", "layer_sizes", 1, 6),
        "array W1 has shape (3, 5), but the metadata implies (3, 6)",
    ),
    "unknown task": (_set("payload", "task", "ranking"), "unknown task 'ranking'"),
    "too many classes": (
        _set("payload", "label_codec", "classes", ["cat", "dog", "emu", "fox"]),
        "got 'softmax' with 3 unit(s) for 4 class(es)",
    ),
    "repeated classes": (
        _set("payload", "label_codec", "classes", ["dog", "cat", "dog"]),
        "must be distinct",
    ),
    "object label dtype": (
        _set("payload", "label_codec", "dtype", "|O"),
        "dtype '|O' is not a label dtype",
    ),
    "nonsense label dtype": (
        _set("payload", "label_codec", "dtype", "rubbish"),
        "dtype 'rubbish' is not a NumPy dtype",
    ),
    "labels of another type": (
        _set("payload", "label_codec", "dtype", "<i8"),
        "classes do not all match the dtype <i8",
    ),
    "labels that overflow": (
        lambda m, a: m["payload"]["label_codec"].update(classes=[1, 2, 300], dtype="|u1"),
        "payload.label_codec",
    ),
    "labels cut short": (
        _set("payload", "label_codec", "dtype", "<U2"),
        "classes do not fit in the dtype <U2",
    ),
    "feature names count": (
        _set("payload", "feature_names", ["a"]),
        "feature_names lists 1 name(s) but the network takes 3",
    ),
    "config not an object": (_set("payload", "config", [1]), "payload.config must be an object"),
    "standardizer flag without arrays": (
        _drop("standardizer_mean", "standardizer_scale"),
        "payload.standardizer is true but the extra arrays are none",
    ),
    "standardizer of the wrong size": (
        lambda m, a: (
            a.update(standardizer_mean=np.zeros(2), standardizer_scale=np.ones(2)),
            m["arrays"].update(
                standardizer_mean={"shape": [2], "dtype": "float64"},
                standardizer_scale={"shape": [2], "dtype": "float64"},
            ),
        ),
        "statistics for 2 feature(s) but the network takes 3",
    ),
    "standardizer zero scale": (_spoil("standardizer_scale", 1, 0.0), "standardizer is invalid"),
    "reserved extra name": (
        lambda m, a: m["arrays"].update(b3={"shape": [1], "dtype": "float64"}),
        "reserved or malformed name 'b3'",
    ),
    "missing array": (_array("b2", None), "missing array(s) b2"),
    "extra array": (_array("W9", np.zeros((2, 2))), "unexpected entr(y/ies) W9.npy"),
    "wrong shape": (_array("W1", lambda W: W.T.copy()), "array W1 has shape (5, 3)"),
    "float32 for float64": (
        _array("W2", lambda W: W.astype(np.float32)),
        "array W2 has dtype float32, expected float64",
    ),
    "int weights": (_array("b1", lambda b: b.astype(np.int64)), "b1 has dtype int64"),
    "NaN weight": (_spoil("W1", 4, np.nan), "array W1 contains NaN or inf"),
    "inf bias": (_spoil("b2", 0, -np.inf), "array b2 contains NaN or inf"),
    "NaN standardizer mean": (_spoil("standardizer_mean", 0, np.nan), "contains NaN or inf"),
}


@pytest.mark.parametrize(("mutate", "message"), METADATA_CASES.values(), ids=METADATA_CASES)
def test_bad_content_is_refused_with_a_message(good, mutate, message):
    path, metadata, arrays = good
    mutate(metadata, arrays)
    arrays = {name: array for name, array in arrays.items() if array is not None}
    write_parts(path, metadata, arrays)
    assert message in load_error(path)


BLOB_CASES = {
    "not UTF-8": (b"\xff\xfe{}", "the metadata is not UTF-8 text"),
    "not JSON": (b'{"format": ', "the metadata is not valid JSON"),
    "JSON list": (b"[1, 2]", "the metadata is not a JSON object"),
    "NaN token": (b'{"format": NaN}', "NaN is not JSON (save writes NaN and inf as null)"),
    "deep JSON": (b"[" * 100_000, "not valid JSON"),
    "huge number": (
        b'{"format": "glassnet-model", "format_version": 1' + b"0" * 5000 + b"}",
        "not valid JSON",
    ),
}


@pytest.mark.parametrize(("blob", "message"), BLOB_CASES.values(), ids=BLOB_CASES)
def test_bad_metadata_bytes_are_refused(good, blob, message):
    path, _, arrays = good
    write_parts(path, blob, arrays)
    assert message in load_error(path)


def test_metadata_of_the_wrong_dtype_or_missing(good):
    path, metadata, arrays = good
    blob = np.frombuffer(json.dumps(metadata).encode(), np.uint8)
    np.savez(path, metadata=blob.astype(np.int32), **arrays)
    assert "array metadata has dtype int32, expected uint8" in load_error(path)
    np.savez(path, **arrays)
    assert "no 'metadata' entry: an .npz archive, but not a glassnet model" in load_error(path)


def test_object_array_is_refused_and_its_pickle_never_runs(good, tmp_path):
    path, metadata, arrays = good
    marker = tmp_path / "ran"
    arrays["W1"] = np.array([[RunsOnUnpickle(marker)] * 5] * 3, dtype=object)
    write_parts(path, metadata, arrays)  # np.savez pickles object arrays inside the .npy
    assert "array W1 has dtype object, expected float64" in load_error(path)
    assert not marker.exists()


def test_pickle_renamed_npz_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(RunsOnUnpickle(marker)))
    message = load_error(path)
    assert "it is a Python pickle; glassnet never loads pickles" in message
    assert not marker.exists()
    pickle.loads(path.read_bytes())  # the payload is live: unpickling does run it
    assert marker.exists()


def test_file_level_problems(tmp_path, good):
    path, _, _ = good
    data = path.read_bytes()
    assert "no such file" in load_error(tmp_path / "absent.npz")
    assert "not a regular file" in load_error(tmp_path)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    assert "the file is empty" in load_error(empty)
    text = tmp_path / "text.npz"
    text.write_text("W1,b1\n1,2\n")
    assert "not an .npz (zip) archive" in load_error(text)
    single = tmp_path / "single.npz"
    np.save(single.open("wb"), np.zeros(3))
    assert "a single NumPy array (.npy)" in load_error(single)
    for length in (len(data) - 1, len(data) // 2, 30, 4):
        path.write_bytes(data[:length])
        assert "damaged or not a glassnet model" in load_error(path)
    flipped = bytearray(data)
    flipped[data.index(b"\x93NUMPY", 200) + 200] ^= 0xFF  # inside some array's data
    path.write_bytes(bytes(flipped))
    assert "damaged or not a glassnet model (BadZipFile: Bad CRC-32" in load_error(path)


def test_a_damaged_file_is_closed_after_the_refusal(tmp_path, good):
    """np.load leaves its own file open when the zip is bad; the reader opens and closes it."""
    import gc
    import warnings

    path, _, _ = good
    path.write_bytes(path.read_bytes()[:30])  # a zip signature, then nothing whole
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert "damaged or not a glassnet model" in load_error(path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize("bug", [TypeError, KeyError, MemoryError, IndexError])
@pytest.mark.parametrize(
    "where",
    ["glassnet.files.model_file.parse_metadata", "glassnet.files.npz_reader.NpzReader.read_finite"],
)
def test_a_bug_in_the_loader_is_not_reported_as_a_damaged_file(good, monkeypatch, bug, where):
    path, _, _ = good

    def planted(*args, **kwargs):
        raise bug("planted in glassnet's own loader")

    monkeypatch.setattr(where, planted)
    with pytest.raises(bug, match="planted"):
        load(path)
    monkeypatch.undo()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a damaged file still reads as one
    assert "damaged or not a glassnet model" in load_error(path)


def test_error_messages_render_with_the_path(tmp_path):
    with pytest.raises(ModelFileError, match=r"cannot load model file .*absent\.npz: no such file"):
        load(tmp_path / "absent.npz")
    assert issubclass(ModelFileError, ValueError)


# --- atomic writes --------------------------------------------------------------------


class FailingFile:
    """Passes writes through to ``handle`` until ``limit`` bytes, then raises like a full disk."""

    def __init__(self, handle, limit: int, error: BaseException) -> None:
        self._handle, self._left, self._error = handle, limit, error

    def write(self, data) -> int:
        if len(data) > self._left:
            self._handle.write(bytes(data[: self._left]))
            raise self._error
        self._left -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture
def savez_fails_half_way(monkeypatch):
    """Make ``np.savez`` write ~1 KiB of a real archive, then fail."""
    real_savez = np.savez
    errors = {"error": OSError(28, "No space left on device")}

    def savez(file, *args, **kwargs):
        real_savez(FailingFile(file, 1024, errors["error"]), *args, **kwargs)

    monkeypatch.setattr(np, "savez", savez)
    return errors


def test_interrupted_save_keeps_the_old_file(tmp_path, savez_fails_half_way):
    path = tmp_path / "model.npz"
    model, _ = regressor()
    bigger, _ = classifier(LABELS["strings"], softmax=True)
    path.write_bytes(b"the old model")
    with pytest.raises(OSError, match="No space left"):
        save(bigger, path)
    assert path.read_bytes() == b"the old model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    savez_fails_half_way["error"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        save(model, path)
    assert path.read_bytes() == b"the old model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_interrupted_save_of_a_real_model_keeps_it_bit_for_bit(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    original, X = classifier(LABELS["ints"], softmax=True)
    save(original, path)
    before = path.read_bytes()
    real_savez = np.savez
    monkeypatch.setattr(
        np, "savez", lambda file, **arrays: real_savez(FailingFile(file, 700, OSError()), **arrays)
    )
    retrained = classifier(LABELS["ints"], softmax=True)[0]
    retrained.network.W[1] += 1.0
    with pytest.raises(OSError):
        save(retrained, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    assert np.array_equal(load(path).predict(X), original.predict(X))


def test_interrupted_save_to_a_fresh_path_leaves_nothing(tmp_path, savez_fails_half_way):
    path = tmp_path / "sub" / "model.npz"
    with pytest.raises(OSError):
        save(make_network([3, 4, 1]), path)
    assert not path.exists()
    assert list(path.parent.iterdir()) == []


# --- fuzz -----------------------------------------------------------------------------

N_FUZZ = 2400  # mutated files, a third each: raw bytes, metadata, arrays

JUNK = [None, True, False, -1, 0, 1, 2, 7, 10**12, 2**63, -(2**70), 1.5, float("nan"), ""]
JUNK += ["relu", "softmax", "swish", "float16", "float32", "|O", "<U99999999", "network"]
JUNK += [[], {}, [1, 2], [-3, 5], ["relu"], {"shape": [3], "dtype": "float64"}, {"a": [1]}]


def json_slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair in a parsed JSON tree."""
    slots = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        slots.append((node, key))
        if isinstance(value, dict | list):
            slots.extend(json_slots(value))
    return slots


TARGETED = [
    lambda m, r: m.update(format_version=int(r.integers(-2, 5))),
    lambda m, r: m["network"]["layer_sizes"].__setitem__(0, [-3, 0, 10**9, 2**40][r.integers(4)]),
    lambda m, r: m["network"]["layer_sizes"].append(int(r.integers(1, 4))),
    lambda m, r: m["network"]["hidden"].append(["swish", "relu", "softmax"][r.integers(3)]),
    lambda m, r: m["network"].update(dtype=["float16", "float32", "int64"][r.integers(3)]),
    lambda m, r: m["network"].update(output=["sigmoid", "softmax", "identity"][r.integers(3)]),
]


def mutate_json(metadata: dict[str, Any], rng: np.random.Generator) -> None:
    if rng.random() < 0.25:
        TARGETED[rng.integers(len(TARGETED))](metadata, rng)
        return
    slots = json_slots(metadata)
    for _ in range(rng.integers(1, 4)):
        container, key = slots[rng.integers(len(slots))]
        action = rng.integers(4)
        if action == 0 and isinstance(container, dict):
            container.pop(key, None)
        elif action == 1 and isinstance(container, dict):
            container[f"junk{rng.integers(3)}"] = JUNK[rng.integers(len(JUNK))]
        elif isinstance(container, dict) or key < len(container):
            container[key] = JUNK[rng.integers(len(JUNK))]


def mutate_arrays(arrays: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    name = sorted(arrays)[rng.integers(len(arrays))]
    array = arrays[name]
    changes = [
        lambda: array.astype([np.float16, np.float32, np.float64, np.int32, bool][rng.integers(5)]),
        lambda: array.astype(np.complex128),
        lambda: array.astype(object),
        lambda: array.T.copy(),
        lambda: array.reshape(-1),
        lambda: array[..., None],
        lambda: array[:-1],
        lambda: np.concatenate([array, array]),
        lambda: np.where(rng.random(array.shape) < 0.5, np.nan, array),
        lambda: np.full_like(array, np.inf),
        lambda: None,
        lambda: np.asfortranarray(array),
    ]
    arrays[name] = changes[rng.integers(len(changes))]()
    if arrays[name] is None:
        del arrays[name]
    if rng.random() < 0.2:
        arrays[f"extra{rng.integers(2)}"] = rng.standard_normal(3)


def mutate_bytes(data: bytes, others: list[bytes], rng: np.random.Generator) -> bytes:
    action = rng.integers(3)
    if action == 0:  # flip bytes
        mutated = bytearray(data)
        for position in rng.integers(0, len(data), size=rng.integers(1, 9)):
            mutated[position] ^= int(rng.integers(1, 256))
        return bytes(mutated)
    if action == 1:  # truncate
        return data[: rng.integers(0, len(data))]
    other = others[rng.integers(len(others))]  # splice two files
    i, j = rng.integers(0, len(data)), rng.integers(0, len(other))
    return data[:i] + other[j:] if rng.random() < 0.5 else data[:i] + other[j : j + 64] + data[i:]


def check_consistent(obj: Any) -> None:
    """A model that did load must be whole: shapes match layer sizes, finite, and it predicts."""
    network = obj.network if isinstance(obj, TrainedModel) else obj
    assert isinstance(network, Network)
    sizes = network.layer_sizes
    assert len(network.W) == len(network.b) == len(sizes) - 1
    for l in network.W:
        assert network.W[l].shape == (sizes[l - 1], sizes[l])
        assert network.b[l].shape == (sizes[l],)
        assert network.W[l].dtype == network.b[l].dtype == network.dtype
        assert np.isfinite(network.W[l]).all() and np.isfinite(network.b[l]).all()
    X = np.ones((2, sizes[0]))
    if isinstance(obj, TrainedModel):
        assert obj.predict(X).shape[0] == 2
    else:
        assert obj.predict_output(X).shape == (2, sizes[-1])


def test_fuzz_load_returns_a_whole_model_or_raises_model_file_error(tmp_path):
    rng = np.random.default_rng(0)
    sources = [
        classifier(LABELS["strings"], softmax=True)[0],
        classifier(LABELS["bools"], softmax=False, dtype="float32", standardize=False)[0],
        regressor(2)[0],
        make_network([2, 1]),
    ]
    paths = [save(source, tmp_path / f"base{i}.npz") for i, source in enumerate(sources)]
    bases = [path.read_bytes() for path in paths]
    parts = [read_parts(path) for path in paths]
    outcomes = {"loaded": 0, "refused": 0}
    target = tmp_path / "fuzzed.npz"
    start = time.process_time()  # CPU time: a busy machine does not make it flaky
    for i in range(N_FUZZ):
        family, base = i % 3, int(rng.integers(len(bases)))
        if family == 0:
            target.write_bytes(mutate_bytes(bases[base], bases, rng))
        else:
            metadata, arrays = json.loads(json.dumps(parts[base][0])), dict(parts[base][1])
            if family == 1:
                mutate_json(metadata, rng)
            else:
                mutate_arrays(arrays, rng)
            write_parts(target, metadata, arrays)
        try:
            loaded = load(target)
        except ModelFileError as error:
            assert str(target) in str(error)
            outcomes["refused"] += 1
            continue
        except Exception as error:  # anything else is a bug in load
            raise AssertionError(f"mutation {i} (family {family}) escaped as {error!r}") from error
        check_consistent(loaded)
        outcomes["loaded"] += 1
    assert sum(outcomes.values()) == N_FUZZ
    assert outcomes["refused"] > N_FUZZ // 2 and outcomes["loaded"] > 0, outcomes
    assert time.process_time() - start < 20
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    assert os.listdir(tmp_path)
