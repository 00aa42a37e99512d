"""A hostile model file costs little to refuse, runs nothing, and fails as ModelFileError only.

Every case starts from a genuine file (an estimator, a pipeline, a CLI run's ``model.npz``)
and alters one thing; the peak memory of ``load`` is measured with ``tracemalloc``, which
sees NumPy's allocations too.
"""

import json
import re
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import glassnet
from glassnet import MLPClassifier, cli
from glassnet.errors import InputError, ModelFileError
from glassnet.files.npz_reader import BadFileError
from glassnet.files.typed_json import decode, encode

REFUSAL_BYTES = 4 * 2**20  # a file of a few kilobytes costs at most this to refuse


def penguins(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n).astype(object),
            "bill": rng.normal(44.0, 5.0, n),
            "flipper": rng.normal(200.0, 14.0, n),
        }
    )
    frame.loc[::7, "island"] = np.nan
    frame.loc[::9, "bill"] = np.nan
    frame["species"] = np.where(frame["flipper"] > 200, "Gentoo", "Adelie")
    return frame


def fitted_pipeline(frame: pd.DataFrame) -> Pipeline:
    numbers = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    text = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    prepare = ColumnTransformer([("num", numbers, ["bill", "flipper"]), ("cat", text, ["island"])])
    mlp = MLPClassifier((5,), max_iter=30, random_state=0)
    pipeline = Pipeline([("prepare", prepare), ("mlp", mlp)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged in 30 iterations
        return pipeline.fit(frame.drop(columns="species"), frame["species"])


def make_genuine_files(folder: Path) -> dict[str, Path]:
    """A classifier (with a RandomState), a pipeline and a CLI run's model.npz, as saved."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    estimator = MLPClassifier((4,), max_iter=20, random_state=np.random.RandomState(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
    frame = penguins()
    frame.to_csv(folder / "penguins.csv", index=False)
    args = ["train", "--data", folder / "penguins.csv", "--target", "species", "--epochs", 20]
    args += ["--out", folder / "run"]
    result = CliRunner().invoke(cli.cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {
        "estimator": glassnet.save(estimator, folder / "estimator.npz"),
        "pipeline": glassnet.save(fitted_pipeline(frame), folder / "pipeline.npz"),
        "run": folder / "run" / "model.npz",
    }


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_genuine_files(tmp_path_factory.mktemp("genuine"))


def read_parts(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return json.loads(arrays.pop("metadata").tobytes()), arrays


def write_metadata(
    path: Path, blob: bytes, arrays: dict[str, np.ndarray], compressed: bool = False
) -> Path:
    writer = np.savez_compressed if compressed else np.savez
    writer(path, metadata=np.frombuffer(blob, np.uint8), **arrays)
    return path


def tampered(source: Path, change: Callable[[dict[str, Any]], Any], target: Path) -> Path:
    """``source`` with its metadata passed through ``change``."""
    metadata, arrays = read_parts(source)
    change(metadata)
    return write_metadata(target, json.dumps(metadata).encode(), arrays)


def refusal(path: Path) -> tuple[str, int]:
    """The message of the ModelFileError ``load(path)`` raises, and the peak bytes it took."""
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as caught:
            glassnet.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(caught.value), peak


def assert_refused_cheaply(path: Path, message: str) -> None:
    said, peak = refusal(path)
    assert message in said
    assert peak < REFUSAL_BYTES, f"{peak / 2**20:.1f} MiB to refuse {path.stat().st_size} bytes"


# --- memory bounded by what the file holds ---------------------------------------------


def test_a_compression_bomb_is_refused_before_it_is_inflated(genuine, tmp_path):
    metadata, arrays = read_parts(genuine["estimator"])
    metadata["payload"]["padding"] = " " * 30_000_000  # 30 MB of spaces deflate to ~30 KB
    bomb = write_metadata(tmp_path / "bomb.npz", json.dumps(metadata).encode(), arrays, True)
    assert bomb.stat().st_size < 100_000
    assert_refused_cheaply(bomb, "more than 16 times the file's")


def test_a_genuine_file_compressed_whole_still_loads(genuine, tmp_path):
    metadata, arrays = read_parts(genuine["pipeline"])
    small = write_metadata(tmp_path / "small.npz", json.dumps(metadata).encode(), arrays, True)
    assert small.stat().st_size < genuine["pipeline"].stat().st_size
    frame = penguins(seed=3).drop(columns="species")
    expected = glassnet.load(genuine["pipeline"]).predict_proba(frame)
    assert np.array_equal(glassnet.load(small).predict_proba(frame), expected)


def widen_classes(metadata: dict[str, Any]) -> None:
    metadata["payload"]["fitted"]["classes_"]["array"]["dtype"] = "<U65536"


def test_a_str_dtype_wider_than_its_labels_is_refused(genuine, tmp_path):
    path = tampered(genuine["estimator"], widen_classes, tmp_path / "wide.npz")
    assert_refused_cheaply(path, "has dtype <U65536, wider than its 2 text(s) need")


def test_many_wide_labels_are_refused_before_they_are_allocated(genuine, tmp_path):
    def many_wide(metadata: dict[str, Any]) -> None:
        labels = [str(i) for i in range(2000)]  # 2,000 x 256 KiB = 500 MiB as <U65536
        metadata["payload"]["fitted"]["classes_"] = {
            "array": {"dtype": "<U65536", "shape": [2000], "values": labels}
        }

    assert_refused_cheaply(tampered(genuine["estimator"], many_wide, tmp_path / "w.npz"), "wider")


def test_a_label_codec_dtype_wider_than_its_labels_is_refused(genuine, tmp_path):
    def widen(metadata: dict[str, Any]) -> None:
        metadata["payload"]["label_codec"]["dtype"] = "<U65536"

    path = tampered(genuine["run"], widen, tmp_path / "wide.npz")
    assert_refused_cheaply(path, "payload.label_codec.dtype has dtype <U65536, wider")


def test_a_label_codec_of_more_classes_than_outputs_is_refused_before_it_is_built(
    genuine, tmp_path
):
    def many(metadata: dict[str, Any]) -> None:
        metadata["payload"]["label_codec"] = {
            "classes": [f"c{i:05d}" for i in range(5000)],
            "dtype": "<U65536",
        }

    path = tampered(genuine["run"], many, tmp_path / "many.npz")
    assert_refused_cheaply(path, "with 1 unit(s) for 5000 class(es)")


@pytest.mark.parametrize(("width", "kept"), [(3, True), (20, True), (64, True), (65, False)])
def test_a_str_dtype_is_kept_up_to_64_characters_wider_than_its_texts(width, kept):
    texts = np.array(["no", "yes"], dtype=f"<U{width}")  # numpy's fixed-width text, as read
    record = encode(texts, "labels")
    if kept:
        decoded = decode(record, "labels")
        assert decoded.dtype == texts.dtype and np.array_equal(decoded, texts)
    else:
        with pytest.raises(BadFileError, match="<U65, wider than its 2 text"):
            decode(record, "labels")


def test_a_long_label_among_many_short_ones_is_kept_within_eight_times_the_text():
    texts = np.array(["x" * 100, *(f"{i:03d}" for i in range(20))])  # 21 x 100 <= 21 x 64 + 8 x 160
    assert decode(encode(texts, "labels"), "labels").dtype == np.dtype("<U100")
    more = np.array(["x" * 100, *(f"{i:03d}" for i in range(200))])  # 201 x 100 > 201 x 64 + ...
    with pytest.raises(BadFileError, match="wider than its 201 text"):
        decode(encode(more, "labels"), "labels")


def test_the_class_count_is_checked_against_the_outputs_before_np_eye(genuine, tmp_path):
    def multilabel(metadata: dict[str, Any]) -> None:
        fitted = metadata["payload"]["fitted"]
        fitted["y_type_"] = "multilabel-indicator"  # np.eye(30000) would be 7.2 GB
        fitted["classes_"] = {"array": {"dtype": "<i8", "shape": [30000], "values": [0] * 30000}}

    path = tampered(genuine["estimator"], multilabel, tmp_path / "eye.npz")
    assert_refused_cheaply(path, "30000 class(es) of type multilabel-indicator need 30000 output")


# --- depth, templates, processes, random states ----------------------------------------


@pytest.mark.parametrize("depth", [65, 500, 980, 100_000])
def test_metadata_nested_too_deep_is_refused_without_recursion_error(genuine, tmp_path, depth):
    metadata, arrays = read_parts(genuine["run"])
    text = json.dumps(metadata).replace(
        '"config": {', '"config": {"deep": ' + "[" * depth + "]" * depth + ", ", 1
    )
    path = write_metadata(tmp_path / "deep.npz", text.encode(), arrays)
    said, peak = refusal(path)
    assert "nested deeper than 64 levels" in said or "not valid JSON" in said
    assert peak < REFUSAL_BYTES


def test_a_file_nested_as_deep_as_the_limit_is_not_refused_for_depth(genuine, tmp_path):
    metadata, arrays = read_parts(genuine["run"])
    metadata["payload"]["config"]["deep"] = json.loads("[" * 60 + "]" * 60)  # 2 + 60 + 1 levels
    loaded = glassnet.load(
        write_metadata(tmp_path / "ok.npz", json.dumps(metadata).encode(), arrays)
    )
    assert loaded.config["deep"] == json.loads("[" * 60 + "]" * 60)


def test_a_name_template_from_a_file_is_never_formatted(genuine, tmp_path):
    def template(metadata: dict[str, Any]) -> None:
        params = metadata["payload"]["preprocessor"]["transformer"]["params"]
        params["verbose_feature_names_out"] = "{feature_name:>300000000}"  # 1.2 GB if formatted

    path = tampered(genuine["run"], template, tmp_path / "template.npz")
    assert_refused_cheaply(path, "verbose_feature_names_out is '{feature_name:>300000000}'")


def test_a_name_template_is_refused_when_saving(tmp_path):
    frame = penguins()
    pipeline = fitted_pipeline(frame)
    pipeline[0].set_params(verbose_feature_names_out="{feature_name}")
    with pytest.raises(InputError, match=re.escape("verbose_feature_names_out='{feature_name}'")):
        glassnet.save(pipeline, tmp_path / "p.npz")
    assert not (tmp_path / "p.npz").exists()


def test_n_jobs_from_a_file_is_forced_to_none(genuine, tmp_path):
    def workers(metadata: dict[str, Any]) -> None:
        metadata["payload"]["transformers"]["transformer"]["steps"][0]["transformer"]["params"][
            "n_jobs"
        ] = 4

    loaded = glassnet.load(tampered(genuine["pipeline"], workers, tmp_path / "jobs.npz"))
    assert loaded[0].n_jobs is None
    assert glassnet.load(genuine["pipeline"])[0].n_jobs is None


def random_state_part(index: int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(metadata: dict[str, Any]) -> None:
        metadata["payload"]["random_state"]["tuple"][index] = value

    return change


KEYS = {"dtype": "<u4", "shape": [624], "values": [1] * 624}
RANDOM_STATES = {
    "position past the keys": (random_state_part(2, 10**6), "wrong pos"),
    "negative position": (random_state_part(2, -1), "wrong pos"),
    "has_gauss 7": (random_state_part(3, 7), "wrong has_gauss"),
    "cached gaussian a string": (random_state_part(4, "x"), "wrong cached_gaussian"),
    "623 keys": (
        random_state_part(1, {"array": {**KEYS, "shape": [623], "values": [1] * 623}}),
        "wrong keys",
    ),
    "int64 keys": (random_state_part(1, {"array": {**KEYS, "dtype": "<i8"}}), "wrong keys"),
    "another generator": (random_state_part(0, "PCG64"), "wrong 'MT19937'"),
    "four parts": (
        lambda m: m["payload"]["random_state"]["tuple"].pop(),
        "must be a tuple of 'MT19937', keys, pos, has_gauss, cached_gaussian",
    ),
}


@pytest.mark.parametrize(("change", "message"), RANDOM_STATES.values(), ids=RANDOM_STATES)
def test_random_state_records_are_checked_to_their_exact_shape(genuine, tmp_path, change, message):
    assert_refused_cheaply(tampered(genuine["estimator"], change, tmp_path / "rs.npz"), message)


def test_a_genuine_random_state_draws_as_the_saved_one(genuine):
    original = glassnet.load(genuine["estimator"]).random_state
    again = glassnet.load(genuine["estimator"]).random_state
    assert isinstance(original, np.random.RandomState)
    assert np.array_equal(original.normal(size=5), again.normal(size=5))


# --- the command line ------------------------------------------------------------------


def test_the_cli_prints_one_error_line_for_a_hostile_model(genuine, tmp_path):
    def template(metadata: dict[str, Any]) -> None:
        metadata["payload"]["preprocessor"]["transformer"]["params"]["n_jobs"] = "{x}"

    path = tampered(genuine["run"], template, tmp_path / "model.npz")
    result = CliRunner().invoke(
        cli.cli, ["predict", str(path), "--csv", str(genuine["run"].parent.parent / "penguins.csv")]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot load model file"), result.output
    assert "Traceback" not in result.output
