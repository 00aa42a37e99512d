"""A table as a data set: choosing columns, row ids, the task rule, the preprocessor, --nan.

The preprocessor is checked against scikit-learn's own classes assembled here by hand,
and imputed values against NumPy's median and a count of the most frequent value.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from glassnet.data import make_preprocessor
from glassnet.data.tabular import read_tabular
from glassnet.errors import InputError

FRUIT = pd.DataFrame(
    {
        "weight": [120.0, 150.5, np.nan, 90.0, 200.0, 130.0, 110.0, np.nan],
        "colour": ["red", "green", "red", None, "yellow", "red", "green", "red"],
        "seeds": [5, 3, 4, 6, 2, 5, 4, 3],
        "kind": ["apple", "pear", "apple", "apple", "pear", "apple", "pear", "pear"],
    }
)


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "data.csv", **options) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, **options)
    return path


def error_of(call) -> str:
    with pytest.raises(InputError) as error:
        call()
    message = str(error.value)
    assert "\n" not in message
    return message


# --- the preprocessor -------------------------------------------------------------------


def test_make_preprocessor_is_scikit_learns_column_transformer_built_by_hand():
    features = FRUIT.drop(columns="kind")
    ours = make_preprocessor(features).fit(features)
    by_hand = ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ["weight", "seeds"],
            ),
            (
                "text",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                ["colour"],
            ),
        ]
    ).fit(features)
    np.testing.assert_allclose(ours.transform(features), by_hand.transform(features), rtol=1e-15)
    names = list(ours.get_feature_names_out())
    assert names == ["weight", "seeds", "colour_green", "colour_red", "colour_yellow"]


def test_missing_numbers_take_the_median_and_missing_text_the_most_frequent_value():
    features = FRUIT.drop(columns="kind")
    X = make_preprocessor(features, standardize=False).fit_transform(features)
    median = np.nanmedian(FRUIT["weight"])  # 125.0
    assert X[2, 0] == X[7, 0] == median
    assert X[3, 2:].tolist() == [0.0, 1.0, 0.0]  # 'red', the most frequent colour (4 of 7)


def test_a_category_never_seen_becomes_all_zeros():
    features = FRUIT.drop(columns="kind")
    preprocessor = make_preprocessor(features).fit(features)
    new = features.iloc[:1].assign(colour="purple")
    assert preprocessor.transform(new)[0, 2:].tolist() == [0.0, 0.0, 0.0]


def test_categorical_forces_numbers_to_categories_and_standardize_false_keeps_units():
    features = FRUIT.drop(columns="kind")
    preprocessor = make_preprocessor(features, categorical=["seeds"], standardize=False)
    X = preprocessor.fit_transform(features)
    assert "seeds_5" in preprocessor.get_feature_names_out()
    assert X[0, 0] == 120.0  # weight as it was: the scaler does nothing


def test_many_categories_and_almost_empty_columns_are_warned_about_by_name():
    frame = pd.DataFrame(
        {
            "city": [f"town {i}" for i in range(60)],
            "rare": [1.0] + [np.nan] * 59,
            "x": np.arange(60.0),
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_preprocessor(frame)
    messages = [str(w.message) for w in caught]
    assert any("'city' has 60 categories" in m for m in messages)
    assert any("'rare' is missing in 59 of 60 rows" in m for m in messages)
    assert not any("'x'" in m for m in messages)


def test_make_preprocessor_refuses_what_is_not_a_frame_or_an_unknown_column():
    assert "takes a pandas DataFrame" in error_of(lambda: make_preprocessor(np.zeros((2, 2))))
    assert "unknown column(s) 'nope'" in error_of(
        lambda: make_preprocessor(FRUIT, categorical=["nope"])
    )


# --- reading a table: columns -------------------------------------------------------------


def test_text_columns_are_categorical_and_the_rest_numeric(tmp_path):
    data = read_tabular(write(tmp_path, FRUIT), "kind")
    table = data.table
    assert table.numeric == ("weight", "seeds") and table.categorical == ("colour",)
    assert table.missing == {"weight": 2, "seeds": 0, "colour": 1, "kind": 0}
    assert data.X.shape == (8, 5) and data.y.tolist() == FRUIT["kind"].tolist()


def test_features_drop_and_categorical_choose_the_columns(tmp_path):
    path = write(tmp_path, FRUIT)
    only = read_tabular(path, "kind", features="weight,colour").table
    assert (only.numeric, only.categorical) == (("weight",), ("colour",))
    assert only.left_out == {"seeds": "--drop or not in --features"}
    dropped = read_tabular(path, "kind", drop=["colour"], categorical="seeds").table
    assert (dropped.numeric, dropped.categorical) == (("weight",), ("seeds",))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"features": "weight,size"}, "unknown column(s) 'size' in --features"),
        ({"drop": "colur"}, "unknown column(s) 'colur' in --drop"),
        ({"categorical": "x"}, "unknown column(s) 'x' in --categorical"),
        ({"drop": "kind"}, "'kind' is the target: drop it from --drop"),
        ({"features": "kind,weight"}, "'kind' is the target"),
        ({"drop": "seeds", "categorical": "seeds"}, "--categorical 'seeds': that column is not"),
        ({"features": "weight", "drop": "weight"}, "only the target column"),
    ],
)
def test_a_bad_column_name_is_an_error_listing_the_columns(tmp_path, options, expected):
    message = error_of(lambda: read_tabular(write(tmp_path, FRUIT), "kind", **options))
    assert expected in message
    if "unknown" in message:
        assert "weight, colour, seeds, kind" in message


def test_a_row_id_is_left_out_with_a_note_and_kept_when_named(tmp_path):
    path = write(tmp_path, FRUIT.assign(rownames=range(1, 9))[["rownames", *FRUIT.columns]])
    data = read_tabular(path, "kind")
    assert "rownames" not in (*data.table.numeric, *data.table.categorical)
    assert data.table.left_out["rownames"] == "row id"
    (note,) = data.table.notes
    assert "'rownames' looks like a row id" in note and "--features" in note
    kept = read_tabular(path, "kind", features="rownames,weight").table
    assert kept.numeric == ("rownames", "weight")


def test_pandas_unnamed_index_is_a_row_id_but_a_unique_measurement_is_not(tmp_path):
    frame = FRUIT.assign(weight=[120.0, 150.5, 99.0, 90.0, 200.0, 130.0, 110.0, 101.0])
    path = tmp_path / "indexed.csv"
    frame.to_csv(path)  # pandas writes its index as an unnamed first column
    table = read_tabular(path, "kind").table
    assert table.left_out == {"Unnamed: 0": "row id"}
    assert "weight" in table.numeric  # unique in every row too, but named as a measurement


def test_duplicate_names_an_empty_column_and_a_single_feature_file_are_errors(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a,kind\n1,2,3,x\n")
    assert "duplicate column names a" in error_of(lambda: read_tabular(dup, "kind"))
    empty = write(tmp_path, FRUIT.assign(blank=np.nan), "empty.csv")
    message = error_of(lambda: read_tabular(empty, "kind"))
    assert "column 'blank'" in message and "missing in every row" in message
    assert "--drop blank" in message


def test_a_number_column_with_a_stray_word_names_the_cell_and_the_fixes(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text("w,kind\n1,a\n2,b\nheavy,a\n4,b\n")
    message = error_of(lambda: read_tabular(path, "kind"))
    assert "line 4, column 'w': 'heavy' is not a number" in message
    assert "--categorical w" in message and "--nan skip" in message
    assert read_tabular(path, "kind", nan="skip").n_samples == 3
    assert read_tabular(path, "kind", categorical="w").table.categorical == ("w",)


# --- missing cells: --nan -------------------------------------------------------------------


def test_nan_impute_keeps_the_rows_skip_drops_them_error_names_the_first(tmp_path):
    path = write(tmp_path, FRUIT)
    assert read_tabular(path, "kind").n_samples == 8  # impute is the default
    skipped = read_tabular(path, "kind", nan="skip")
    assert skipped.n_samples == 5 and "dropped 3 row(s)" in skipped.table.notes[0]
    message = error_of(lambda: read_tabular(path, "kind", nan="error"))
    assert "line 4, column 'weight': missing or non-finite value ''" in message
    assert "--nan impute" in message


def test_rows_without_a_target_are_dropped_with_a_count_or_refused(tmp_path):
    path = write(tmp_path, FRUIT.assign(kind=["apple", None, *FRUIT["kind"][2:]]))
    data = read_tabular(path, "kind")
    assert data.n_samples == 7
    assert data.table.notes == ("dropped 1 row(s) without a target 'kind' (lines 3)",)
    message = error_of(lambda: read_tabular(path, "kind", nan="error"))
    assert "line 3, column 'kind': missing or non-finite target value ''" in message


# --- the task ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "values", "task", "reason"),
    [
        ("kind", FRUIT["kind"], "classification", "2 classes, text labels"),
        ("n", [0, 1, 2, 1, 0, 2, 1, 0], "classification", "3 classes, whole numbers"),
        ("n", [0.5, 1, 2, 1, 0, 2, 1, 0], "regression", "numbers with fractional values"),
    ],
)
def test_the_task_is_inferred_from_the_target_and_the_reason_stated(
    tmp_path, target, values, task, reason
):
    frame = FRUIT.drop(columns="kind").assign(**{target: values})
    data = read_tabular(write(tmp_path, frame), target)
    assert (data.task, data.table.task_reason) == (task, reason)


def test_more_than_twenty_whole_numbers_are_regression_and_task_overrides(tmp_path):
    frame = pd.DataFrame({"x": np.arange(30.0), "count": np.arange(30) * 7})
    path = write(tmp_path, frame)
    data = read_tabular(path, "count")
    assert data.task == "regression"
    assert data.table.task_reason == "30 distinct whole numbers (more than 20)"
    forced = read_tabular(path, "count", task="classification")
    assert forced.task == "classification" and "(asked with --task)" in forced.table.task_reason


def test_several_targets_are_multi_output_regression(tmp_path):
    data = read_tabular(write(tmp_path, FRUIT), "weight,seeds")  # 2 rows lack a weight
    assert data.task == "regression" and data.y.shape == (6, 2)
    assert data.table.task_reason == "2 numeric targets (multi-output)"
    message = error_of(lambda: read_tabular(write(tmp_path, FRUIT), "seeds,kind"))
    assert "'apple' is not a number" in message and "several targets" in message


def test_a_text_target_cannot_be_regression(tmp_path):
    message = error_of(lambda: read_tabular(write(tmp_path, FRUIT), "kind", task="regression"))
    assert "line 2, column 'kind': 'apple' is not a number" in message


def test_load_reads_a_compressed_or_semicolon_file_as_the_plain_one(tmp_path):
    from glassnet.data.loading import load

    plain = load(write(tmp_path, FRUIT), target="kind")
    semicolons = load(write(tmp_path, FRUIT, "semi.csv.gz", sep=";"), target="kind")
    np.testing.assert_array_equal(semicolons.X, plain.X)
    assert semicolons.table.sep == ";"
    message = error_of(lambda: load("moons", features="x1"))
    assert "apply only to CSV files" in message
