"""The bundled data sets, the CSV reader and its errors, and ``load``'s dispatch."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_moons

from glassnet.data.array_encoders import LabelCodec
from glassnet.data.loading import DATASETS, Dataset, cancer, circles, csv, load, moons, spiral, xor
from glassnet.errors import InputError

GENERATORS = {"moons": moons, "circles": circles, "xor": xor, "spiral": spiral}


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- generators -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_shapes_dtypes_and_labels(name):
    data = GENERATORS[name](n_samples=101, random_state=0)
    assert isinstance(data, Dataset)
    assert data.X.shape == (101, 2)
    assert data.X.dtype == np.float64
    assert data.y.shape == (101,)
    assert data.y.dtype == np.int64
    assert set(np.unique(data.y)) == {0, 1}
    assert data.feature_names == ["x1", "x2"]
    assert data.task == "classification"
    assert data.name == name
    assert "\n" not in data.description
    assert np.isfinite(data.X).all()


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_arrays_different_seed_different(name):
    first, again = GENERATORS[name](random_state=7), GENERATORS[name](random_state=7)
    other = GENERATORS[name](random_state=8)
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.X, other.X)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_a_generator_seeds_reproducibly(name):
    first = GENERATORS[name](random_state=np.random.default_rng(3))
    again = GENERATORS[name](random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(first.X, again.X)


def test_moons_equals_the_reference_make_moons():
    X, y = make_moons(n_samples=500, noise=0.2, random_state=42)
    data = moons(random_state=42)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)


def test_moons_default_is_the_reference_size():
    assert moons(random_state=0).X.shape == (500, 2)


def test_circles_without_noise_lie_on_their_radii():
    data = circles(n_samples=200, noise=0.0, factor=0.3, random_state=0)
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    np.testing.assert_allclose(radius[data.y == 0], 1.0)
    np.testing.assert_allclose(radius[data.y == 1], 0.3)


def test_xor_labels_follow_the_quadrant_rule_without_noise():
    data = xor(n_samples=400, noise=0.0, random_state=1)
    assert np.abs(data.X).max() <= 1.0
    np.testing.assert_array_equal(data.y, (data.X[:, 0] * data.X[:, 1] > 0).astype(int))


def test_xor_noise_moves_points_but_not_labels():
    clean = xor(n_samples=400, noise=0.0, random_state=1)
    noisy = xor(n_samples=400, noise=0.3, random_state=1)
    np.testing.assert_array_equal(clean.y, noisy.y)
    assert 0.2 < np.std(noisy.X - clean.X) < 0.4


@pytest.mark.parametrize(("n_samples", "classes"), [(300, 2), (301, 3), (10, 4), (5, 5)])
def test_spiral_splits_samples_evenly(n_samples, classes):
    data = spiral(n_samples=n_samples, classes=classes, random_state=0)
    counts = np.bincount(data.y, minlength=classes)
    assert data.X.shape == (n_samples, 2)
    assert counts.sum() == n_samples
    assert counts.max() - counts.min() <= 1
    assert set(np.unique(data.y)) == set(range(classes))


def test_spiral_arms_start_at_the_origin_and_reach_radius_one():
    data = spiral(n_samples=300, classes=3, noise=0.0, random_state=0)
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    for j in range(3):
        arm = radius[data.y == j]
        assert arm.min() == pytest.approx(0.0)
        assert arm.max() == pytest.approx(1.0)


def test_spiral_without_noise_follows_the_cs231n_formula():
    data = spiral(n_samples=20, classes=2, noise=0.0, random_state=0)
    r = np.linspace(0, 1, 10)
    t = np.linspace(4, 8, 10)  # arm 1
    expected = np.column_stack([r * np.sin(t), r * np.cos(t)])
    arm = data.X[data.y == 1]
    order = np.argsort(np.hypot(arm[:, 0], arm[:, 1]))
    np.testing.assert_allclose(arm[order], expected, atol=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: moons(n_samples=0), "n_samples must be a whole number of at least 2"),
        (lambda: moons(n_samples=2.5), "n_samples"),
        (lambda: xor(noise=-0.1), "noise must be a number of 0 or more"),
        (lambda: xor(noise=float("nan")), "noise"),
        (lambda: circles(factor=1.0), "factor must lie in [0, 1)"),
        (lambda: spiral(classes=1), "classes must be a whole number of at least 2"),
        (lambda: spiral(n_samples=2, classes=3), "n_samples must be a whole number of at least 3"),
        (lambda: moons(random_state=-1), "random_state"),
        (lambda: moons(random_state="seed"), "random_state must be an int"),
    ],
)
def test_generator_arguments_are_checked(call, message):
    with pytest.raises(InputError) as error:
        call()
    assert message in str(error.value)


def test_cancer_is_sklearns_breast_cancer():
    data = cancer()
    reference = load_breast_cancer()
    assert data.X.shape == (569, 30)
    assert data.X.dtype == np.float64
    np.testing.assert_array_equal(data.X, reference.data)
    np.testing.assert_array_equal(data.y, reference.target_names[reference.target])
    assert data.classes == ("malignant", "benign") == tuple(reference.target_names)
    codes = LabelCodec(order=data.classes).fit(data.y).encode(data.y)
    np.testing.assert_array_equal(codes, reference.target)  # malignant = 0, benign = 1
    assert np.bincount(codes).tolist() == [212, 357]
    assert data.feature_names == list(reference.feature_names)
    assert "malignant" in data.description
    assert data.task == "classification"


def test_dataset_is_frozen():
    data = xor(n_samples=10, random_state=0)
    with pytest.raises(AttributeError):
        data.name = "other"  # type: ignore[misc]
    assert "xor" in repr(data)
    assert (data.n_samples, data.n_features) == (10, 2)


# --- CSV ----------------------------------------------------------------------------


def test_csv_numeric_target_is_classification_with_int_labels(tmp_path):
    path = write(tmp_path, "a,label,b\n1,0,2.5\n3,1,4\n5,1,-6e-1\n")
    data = csv(path, "label")
    np.testing.assert_array_equal(data.X, [[1, 2.5], [3, 4], [5, -0.6]])
    assert data.X.dtype == np.float64
    assert data.y.dtype == np.int64
    assert data.y.tolist() == [0, 1, 1]
    assert data.feature_names == ["a", "b"]
    assert data.target_name == "label"
    assert data.task == "classification"
    assert data.name == "data"
    assert "\n" not in data.description


def test_csv_string_target_is_classification(tmp_path):
    path = write(tmp_path, "x1,x2,species\n1,2, setosa\n3,4,virginica\n")
    data = csv(path, "species")
    assert data.y.dtype.kind == "U"
    assert data.y.tolist() == ["setosa", "virginica"]
    assert data.task == "classification"


def test_csv_fractional_target_is_regression(tmp_path):
    path = write(tmp_path, "x,price\n1,2.5\n2,3.0\n3,1\n")
    data = csv(path, "price")
    assert data.task == "regression"
    assert data.y.dtype == np.float64
    assert data.y.tolist() == [2.5, 3.0, 1.0]


def test_csv_many_distinct_integers_are_regression(tmp_path):
    rows = "".join(f"{i},{i * 3}\n" for i in range(21))
    assert csv(write(tmp_path, "x,y\n" + rows), "y").task == "regression"
    rows = "".join(f"{i},{i % 20}\n" for i in range(40))
    data = csv(write(tmp_path, "x,y\n" + rows, "few.csv"), "y")
    assert data.task == "classification"
    assert data.y.dtype == np.int64


def test_csv_task_can_be_forced(tmp_path):
    path = write(tmp_path, "x,y\n1,0\n2,1\n")
    regression = csv(path, "y", task="regression")
    assert regression.task == "regression"
    assert regression.y.dtype == np.float64
    fractional = csv(write(tmp_path, "x,y\n1,0.5\n2,1.5\n", "f.csv"), "y", task="classification")
    assert fractional.task == "classification"
    assert fractional.y.dtype == np.float64


def test_csv_tolerates_bom_spaces_and_blank_lines(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf a , y \r\n1, 0\r\n\r\n2,1\r\n\r\n")
    data = csv(path, "y")
    assert data.feature_names == ["a"]
    assert data.X.ravel().tolist() == [1.0, 2.0]


def test_csv_string_target_cannot_be_regression(tmp_path):
    path = write(tmp_path, "x,y\n1,cat\n2,dog\n")
    with pytest.raises(InputError, match=r"line 2, column 'y': 'cat' is not a number"):
        csv(path, "y", task="regression")


def csv_error(tmp_path: Path, text: str, target: str = "y", **kwargs) -> str:
    with pytest.raises(InputError) as error:
        csv(write(tmp_path, text), target, **kwargs)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_csv_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(InputError) as error:
        csv(missing, "y")
    assert str(missing) in str(error.value)
    assert "does not exist" in str(error.value)


def test_csv_directory_is_not_a_file(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        csv(tmp_path, "y")


def test_csv_undecodable_file(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"x,y\n1,caf\xe9\n")
    with pytest.raises(InputError, match=r"could not read .* as a UTF-8 CSV"):
        csv(path, "y")


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_csv_empty_file(tmp_path, text):
    assert "is empty" in csv_error(tmp_path, text)


def test_csv_header_without_rows(tmp_path):
    assert "has a header but no data rows" in csv_error(tmp_path, "x,y\n")


def test_csv_without_header(tmp_path):
    message = csv_error(tmp_path, "1,2\n3,4\n")
    assert "no header row" in message
    assert "column names" in message


def test_csv_absent_target_lists_the_columns(tmp_path):
    message = csv_error(tmp_path, "height,weight,Label\n1,2,0\n", target="label")
    assert "target column 'label' is not in" in message
    assert "available columns are height, weight, Label" in message
    assert "did you mean 'Label'?" in message


def test_csv_duplicate_columns(tmp_path):
    message = csv_error(tmp_path, "a,b,a,y\n1,2,3,0\n")
    assert "duplicate column names a" in message


def test_csv_unnamed_column(tmp_path):
    message = csv_error(tmp_path, ",x,y\n0,1,0\n")
    assert "column 1 of the header has no name" in message


def test_csv_non_numeric_feature_gives_line_column_and_value(tmp_path):
    message = csv_error(tmp_path, "x,colour,y\n1,2,0\n\n3,red,1\n")
    assert "line 4, column 'colour'" in message
    assert "'red' is not a number" in message


def test_csv_ragged_row_gives_line_and_counts(tmp_path):
    message = csv_error(tmp_path, "x,z,y\n1,2,0\n1,2,3,4\n")
    assert "line 3: 4 fields but the header has 3" in message


def test_csv_quoted_cell_spanning_lines_keeps_line_numbers(tmp_path):
    message = csv_error(tmp_path, 'x,y\n1,"a\nb"\nbad,c\n')
    assert "line 4, column 'x': 'bad'" in message


@pytest.mark.parametrize("cell", ["", "NA", "nan", "NaN", "inf", "-inf", " "])
def test_csv_missing_or_infinite_feature(tmp_path, cell):
    message = csv_error(tmp_path, f"x,z,y\n1,2,0\n3,{cell},1\n", nan="error")
    assert "line 3, column 'z'" in message
    assert "drop or impute" in message


@pytest.mark.parametrize("cell", ["", "null", "nan", "inf"])
def test_csv_missing_or_infinite_target(tmp_path, cell):
    message = csv_error(tmp_path, f"x,y\n1,0\n2,1\n3,{cell}\n", nan="error")
    assert "line 4, column 'y'" in message
    assert "drop or impute" in message


def test_csv_missing_string_target(tmp_path):
    message = csv_error(tmp_path, "x,y\n1,cat\n2,\n", nan="error")
    assert "line 3, column 'y'" in message


def test_csv_needs_a_feature_column(tmp_path):
    message = csv_error(tmp_path, "y\n1\n2\n")
    assert "only the target column 'y'" in message
    assert "at least one feature column" in message


def test_csv_semicolons_get_a_hint(tmp_path):
    message = csv_error(tmp_path, "x;y\n1;2\n", target="x;y")
    assert "';'-separated" in message


def test_csv_unknown_task(tmp_path):
    assert "unknown task 'clustering'" in csv_error(tmp_path, "x,y\n1,0\n", task="clustering")


# --- load ---------------------------------------------------------------------------


def test_datasets_table_names_the_loaders():
    assert sorted(DATASETS) == ["cancer", "circles", "moons", "spiral", "xor"]


def test_load_passes_only_the_given_options():
    data = load("spiral", classes=4, n_samples=40, noise=0.0, random_state=0)
    assert data.X.shape == (40, 2)
    assert set(np.unique(data.y)) == {0, 1, 2, 3}
    np.testing.assert_array_equal(
        data.X, spiral(n_samples=40, classes=4, noise=0.0, random_state=0).X
    )
    np.testing.assert_array_equal(load("moons", random_state=5).X, moons(random_state=5).X)


def test_load_cancer_ignores_a_seed():
    assert load("cancer", random_state=0).X.shape == (569, 30)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("moons", {"classes": 3}, "classes: not an option of the moons data set"),
        ("cancer", {"noise": 0.1}, "noise: not an option of the cancer data set"),
        ("cancer", {"n_samples": 10}, "it takes no options"),
        ("xor", {"target": "label"}, "apply only to CSV files"),
        ("moons", {"task": "regression"}, "apply only to CSV files"),
    ],
)
def test_load_rejects_options_a_data_set_does_not_take(name, options, message):
    with pytest.raises(InputError, match=message):
        load(name, **options)


def test_load_reads_a_csv_path(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,x\n3,4,y\n")
    for given in (path, str(path)):
        data = load(given, target="t", random_state=0)
        assert data.y.tolist() == ["x", "y"]
    other = write(tmp_path, "a,t\n1,2.5\n", "table.txt")  # an existing file, any extension
    assert load(other, target="t").task == "regression"


def test_load_csv_needs_a_target(tmp_path):
    path = write(tmp_path, "a,t\n1,0\n")
    with pytest.raises(InputError, match="pass --target COLUMN"):
        load(path)


def test_load_csv_rejects_generator_options(tmp_path):
    path = write(tmp_path, "a,t\n1,0\n")
    with pytest.raises(InputError, match="noise: only generated data sets"):
        load(path, target="t", noise=0.1)


def test_load_missing_csv_names_the_path(tmp_path):
    with pytest.raises(InputError, match=r"missing\.csv' does not exist"):
        load(str(tmp_path / "missing.csv"), target="y")


def test_load_unknown_name_lists_the_data_sets():
    with pytest.raises(InputError) as error:
        load("moon")
    message = str(error.value)
    assert "unknown data set 'moon'" in message
    assert "cancer, circles, moons, spiral, xor" in message
    assert "CSV" in message


def test_load_rejects_a_non_name():
    with pytest.raises(InputError, match="data set name or a CSV path"):
        load(3)  # type: ignore[arg-type]
