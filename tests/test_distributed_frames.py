"""glassnet.distributed.read_frame and prepare against the single-machine path, on a LocalCluster.

The cluster runs its workers as processes here (the partitions' functions and the
fitted ColumnTransformer travel to them pickled). The single-machine reader
(``glassnet.data.read_tabular``) and scikit-learn's own
``ColumnTransformer.fit`` are the oracle: the roles, the task, the categories, the
modes, the scaler's mean and variance and the transformed X must equal theirs. The
median is approximate (dask's merged quantiles); it is checked by its rank, and the
rest is then checked against scikit-learn fitted on the data imputed with that median.
"""

import gzip
import logging
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import glassnet  # noqa: E402
from glassnet.data import read_tabular  # noqa: E402
from glassnet.data.array_encoders import LabelCodec  # noqa: E402
from glassnet.data.table_encoder import build_preprocessor, encoded  # noqa: E402
from glassnet.distributed import prepare, read_frame  # noqa: E402
from glassnet.errors import InputError  # noqa: E402
from glassnet.files.transformers import rebuild_transformer, transformer_record  # noqa: E402
from glassnet.runs.encoding import fit_target_scaler, scaled_targets  # noqa: E402

PENGUINS = Path(str(resources.files("palmerpenguins") / "data" / "penguins.csv"))
RANK_TOLERANCE = 0.005  # the approximate median's rank, as a share of the present values


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():  # another session's cluster may hold the http port
        warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def penguin_files(tmp_path_factory):
    """The penguins CSV split into three files, read back as one glob."""
    folder = tmp_path_factory.mktemp("penguins")
    lines = PENGUINS.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    for k, start in enumerate((0, 100, 230)):
        stop = {0: 100, 100: 230, 230: len(rows)}[start]
        (folder / f"part-{k}.csv").write_text("\n".join([header, *rows[start:stop]]) + "\n")
    return folder


@pytest.fixture(scope="module")
def generated_csv(tmp_path_factory):
    """3000 rows: NaN and text in numeric columns, categories with gaps, an id, a float target.

    The rows are sorted by ``x1``, so each partition holds a different range of it: the
    hardest case for a median merged from partitions.
    """
    rng = np.random.default_rng(13)
    n = 3000
    x1 = np.sort(rng.normal(50, 10, n)).round(3)
    x2 = rng.integers(0, 40, n)
    color = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    code = rng.choice([7, 11, 13], n)
    y = 0.3 * x1 - 0.2 * x2 + (color == "red") + rng.normal(0, 1, n)
    frame = pd.DataFrame(
        {
            "id": np.arange(n) + 1000,
            "x1": x1.astype(str),
            "x2": x2.astype(str),
            "color": color,
            "code": code,
            "target": y.round(4),
        }
    ).astype(object)
    frame.loc[rng.choice(n, 150, replace=False), "x1"] = "NA"
    frame.loc[rng.choice(n, 90, replace=False), "x2"] = ""
    frame.loc[rng.choice(n, 60, replace=False), "color"] = "null"
    frame.loc[rng.choice(n, 20, replace=False), "target"] = ""
    path = tmp_path_factory.mktemp("generated") / "generated.csv"
    frame.to_csv(path, index=False)
    return path


def check_median(medians, frame, numeric):
    """Each approximate median sits in the middle of its column's present values."""
    for name, median in zip(numeric, medians, strict=True):
        values = frame[name].dropna().to_numpy()
        assert np.mean(values < median) <= 0.5 + RANK_TOLERANCE, name
        assert np.mean(values <= median) >= 0.5 - RANK_TOLERANCE, name


def check_against_single_machine(prepared, dataset):
    """Roles, categories, modes exactly; the median by rank; the rest given that median."""
    table = dataset.table
    assert prepared.numeric == table.numeric
    assert prepared.categorical == table.categorical
    assert prepared.task == dataset.task
    assert prepared.task_reason == table.task_reason
    exact = build_preprocessor(table.numeric, table.categorical).fit(table.frame)
    ours = prepared.preprocessor
    medians = ours.named_transformers_["numeric"]["impute"].statistics_
    check_median(medians, table.frame, table.numeric)
    if table.categorical:
        mine, theirs = (
            ours.named_transformers_["categorical"],
            exact.named_transformers_["categorical"],
        )
        assert list(mine["impute"].statistics_) == list(theirs["impute"].statistics_)
        for got, want in zip(mine["onehot"].categories_, theirs["onehot"].categories_, strict=True):
            assert got.tolist() == want.tolist()
    filled = table.frame.fillna(dict(zip(table.numeric, medians, strict=True)))
    given = build_preprocessor(table.numeric, table.categorical).fit(filled)
    mine, theirs = (
        ours.named_transformers_["numeric"]["scale"],
        given.named_transformers_["numeric"]["scale"],
    )
    for attribute in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(getattr(mine, attribute), getattr(theirs, attribute), rtol=1e-12)
    assert mine.n_samples_seen_ == theirs.n_samples_seen_
    assert list(ours.get_feature_names_out()) == list(exact.get_feature_names_out())
    X = prepared.X.compute()
    np.testing.assert_allclose(X, encoded(given, filled), rtol=0, atol=1e-12)
    assert X.dtype == np.float64 and not any(np.isnan(prepared.X.chunks[0]))
    return X


def test_penguins_in_three_files_equal_the_single_machine_run(client, penguin_files):
    frame = read_frame(penguin_files / "part-*.csv")
    assert frame.npartitions == 3
    prepared = prepare(frame, "species")
    dataset = read_tabular(PENGUINS, "species")
    check_against_single_machine(prepared, dataset)
    codec = LabelCodec().fit(dataset.y)
    assert prepared.codec.classes_.tolist() == codec.classes_.tolist()
    np.testing.assert_array_equal(prepared.y.compute(), codec.encode(dataset.y))
    assert prepared.y.chunks[0] == prepared.X.chunks[0]


def test_penguins_regression_target_standardised_as_a_run_does(client):
    frame = read_frame(PENGUINS, blocksize=5000)
    assert frame.npartitions >= 3
    prepared = prepare(frame, "body_mass_g")
    dataset = read_tabular(PENGUINS, "body_mass_g")
    check_against_single_machine(prepared, dataset)
    scaler = fit_target_scaler(dataset.y)
    for attribute in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(
            getattr(prepared.target_scaler, attribute), getattr(scaler, attribute), rtol=1e-12
        )
    np.testing.assert_allclose(prepared.y.compute(), scaled_targets(scaler, dataset.y), atol=1e-12)
    assert prepared.notes == ("dropped 2 row(s) without a target 'body_mass_g'",)


def test_generated_csv_with_nan_text_and_an_id(client, generated_csv):
    frame = read_frame(generated_csv, blocksize=20_000)
    assert frame.npartitions >= 4
    prepared = prepare(frame, "target", categorical="code")
    dataset = read_tabular(generated_csv, "target", categorical="code")
    X = check_against_single_machine(prepared, dataset)
    assert prepared.left_out == {"id": "row id"}
    assert prepared.notes[-1] == dataset.table.notes[-1]  # the row id's note
    assert prepared.missing == dataset.table.missing
    assert X.shape == (2980, 2 + 3 + 3)
    scaler = fit_target_scaler(dataset.y)
    np.testing.assert_allclose(prepared.target_scaler.mean_, scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(prepared.target_scaler.scale_, scaler.scale_, rtol=1e-12)


def test_categories_are_what_dask_categorize_finds(client, generated_csv):
    prepared = prepare(read_frame(generated_csv, blocksize=20_000), "target", categorical="code")
    import dask.dataframe as dd

    table = read_tabular(generated_csv, "target", categorical="code").table
    typed = dd.from_pandas(table.frame[list(table.categorical)], npartitions=4)
    found = typed.categorize(columns=list(table.categorical))
    encoder = prepared.preprocessor.named_transformers_["categorical"]["onehot"]
    for name, categories in zip(table.categorical, encoder.categories_, strict=True):
        assert sorted(found[name].cat.categories) == categories.tolist()


def test_an_unseen_category_becomes_zeros_and_the_file_format_keeps_it(client, penguin_files):
    prepared = prepare(read_frame(penguin_files / "part-*.csv"), "species")
    dataset = read_tabular(PENGUINS, "species")
    rows = dataset.table.frame.iloc[:3].copy()
    rows["island"] = ["Atlantis", "Biscoe", "Atlantis"]
    X = encoded(prepared.preprocessor, rows)
    names = prepared.feature_names
    island = [j for j, name in enumerate(names) if name.startswith("island_")]
    np.testing.assert_array_equal(X[[0, 2]][:, island], 0.0)
    assert X[1, names.index("island_Biscoe")] == 1.0
    rebuilt = rebuild_transformer(transformer_record(prepared.preprocessor, "p"), "p")
    np.testing.assert_array_equal(encoded(rebuilt, rows), X)


def test_semicolons_gzip_and_parquet_read_as_the_plain_csv(client, tmp_path):
    plain = pd.read_csv(PENGUINS, dtype=str, keep_default_na=False)
    semicolons = tmp_path / "penguins.csv.gz"
    with gzip.open(semicolons, "wt") as handle:
        plain.to_csv(handle, sep=";", index=False)
    frame = read_frame(semicolons)
    assert frame.npartitions == 1
    pd.testing.assert_frame_equal(
        frame.compute().astype(object).reset_index(drop=True), plain.astype(object)
    )
    pytest.importorskip("pyarrow")
    folder = tmp_path / "parquet"
    folder.mkdir()
    typed = pd.read_csv(PENGUINS)
    for k, start in enumerate((0, 120, 240)):
        typed.iloc[start : start + 120].to_parquet(folder / f"part-{k}.parquet", index=False)
    prepared = prepare(read_frame(folder), "species")
    single = read_tabular(PENGUINS, "species")
    assert (prepared.numeric, prepared.categorical) == (
        single.table.numeric,
        single.table.categorical,
    )
    np.testing.assert_array_equal(prepared.y.compute(), LabelCodec().fit(single.y).encode(single.y))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder / "absent.csv", "does not exist"),
        (lambda folder: folder / "absent-*.csv", "matches no file"),
        (lambda folder: folder, "directory without .parquet files"),
    ],
)
def test_a_path_that_is_no_table_is_named(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        read_frame(make(tmp_path))


def test_an_empty_file_and_a_repeated_name_are_refused(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="is empty"):
        read_frame(tmp_path / "empty.csv")
    (tmp_path / "twice.csv").write_text("a,b,a\n1,2,3\n")
    with pytest.raises(InputError, match="duplicate column names a"):
        read_frame(tmp_path / "twice.csv")
    (tmp_path / "latin.csv").write_bytes("name,x\ncaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(InputError, match="--encoding"):
        read_frame(tmp_path / "latin.csv")


def test_bad_cells_are_named_by_column_and_row(client, tmp_path):
    path = tmp_path / "bad.csv"
    rows = [f"{k},{k % 3},{'a' if k % 2 else 'b'}" for k in range(40)]
    rows[25] = "25,12 kg,a"
    rows[31] = "31,,b"
    path.write_text("\n".join(["x,y,label", *rows]) + "\n")
    frame = read_frame(path, blocksize=200)
    with pytest.raises(InputError, match=r"data row 26, column 'y': '12 kg' is not a finite"):
        prepare(frame, "label")
    with pytest.raises(InputError, match=r"data row 26, column 'y'"):
        prepare(frame, "label", nan="error")
    skipped = prepare(frame, "label", nan="skip")
    assert skipped.X.shape[0] == 38
    with pytest.raises(InputError, match="unknown column"):
        prepare(frame, "label", features="z")
    with pytest.raises(InputError, match="nan must be one of"):
        prepare(frame, "label", nan="drop")


def test_transform_frame_encodes_other_rows_with_the_fitted_preprocessing(client, penguin_files):
    from glassnet.distributed.frames import transform_frame

    fitted = prepare(read_frame(penguin_files / "part-[12].csv"), "species")
    held_out = read_frame(penguin_files / "part-0.csv")
    X, y = transform_frame(held_out, fitted)
    table = read_tabular(PENGUINS, "species").table
    rows = table.frame.iloc[:100]
    np.testing.assert_array_equal(X.compute(), encoded(fitted.preprocessor, rows))
    labels = read_tabular(PENGUINS, "species").y[:100]
    np.testing.assert_array_equal(y.compute(), fitted.codec.encode(labels))
    assert X.chunks[0] == y.chunks[0] == (100,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 2 epochs
def test_raw_text_columns_given_to_fit_are_refused_with_prepare_named(client, tmp_path):
    from glassnet.distributed import fit

    frame = read_frame(PENGUINS, blocksize=5000)
    features = frame[["bill_length_mm", "island"]]  # a CSV's cells are text until prepared
    with pytest.raises(
        InputError, match=r"non-numeric column\(s\) bill_length_mm, island.*prepare"
    ):
        fit(glassnet.MLPClassifier(max_iter=2), features, frame["species"], client=client)
    prepared = prepare(frame[["bill_length_mm", "island", "species"]], "species")
    model = fit(
        glassnet.MLPClassifier(max_iter=2, random_state=0), prepared.X, prepared.y, client=client
    )
    assert model.coefs_[0].shape == (1 + 3, 100)


def test_two_regression_targets_are_standardised_together(client):
    targets = ["body_mass_g", "flipper_length_mm"]
    prepared = prepare(read_frame(PENGUINS, blocksize=5000), targets)
    dataset = read_tabular(PENGUINS, targets)
    assert (prepared.task, prepared.task_reason) == (dataset.task, dataset.table.task_reason)
    scaler = fit_target_scaler(dataset.y)
    np.testing.assert_allclose(prepared.target_scaler.scale_, scaler.scale_, rtol=1e-12)
    y = prepared.y.compute()
    assert y.shape == (342, 2)
    np.testing.assert_allclose(y, scaled_targets(scaler, dataset.y), atol=1e-12)
