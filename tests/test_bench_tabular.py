"""The tabular benchmark's tables load offline, with the shape and task the benchmark states.

No model is fitted: each loader reads a file shipped inside an installed package
(scikit-learn, palmerpenguins, statsmodels), so a download or a changed file shows here.
"""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("statsmodels")
pytest.importorskip("palmerpenguins")

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "tabular.py"
spec = importlib.util.spec_from_file_location("bench_tabular", SCRIPT)
assert spec is not None and spec.loader is not None
tabular = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tabular)

EXPECTED = {  # key: (task, rows, columns, classes or None, text columns, missing cells)
    "breast_cancer": ("binary", 569, 30, 2, 0, 0),
    "penguins_sex": ("binary", 333, 16, 2, 9, 307),
    "fair": ("binary", 6366, 8, 2, 2, 0),
    "wine": ("multiclass", 178, 13, 3, 0, 0),
    "digits": ("multiclass", 1797, 64, 10, 0, 0),
    "anes96": ("multiclass", 944, 10, 7, 0, 0),
    "diabetes": ("regression", 442, 10, None, 0, 0),
    "penguins_mass": ("regression", 342, 7, None, 3, 9),
    "star98": ("regression", 303, 20, None, 0, 0),
    "grunfeld": ("regression", 220, 4, None, 1, 0),
    "randhie": ("regression", 5000, 9, None, 0, 0),
}


def test_every_loader_is_checked_here():
    """A table added to the benchmark without a line here fails."""
    assert set(tabular.LOADERS) == set(EXPECTED)
    assert set(tabular.QUICK) <= set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_a_table_loads_with_its_shape_and_task(key):
    task, rows, columns, classes, text, missing = EXPECTED[key]
    table = tabular.LOADERS[key]()
    assert table.task == task
    assert table.X.shape == (rows, columns)
    assert len(table.y) == rows
    assert table.y.notna().all()
    assert len(tabular.text_columns(table.X)) == text
    assert int(table.X.isna().sum().sum()) == missing
    if classes is None:
        assert pd.api.types.is_float_dtype(table.y)
        assert table.y.nunique() > 20  # a number to regress, not a few labels in disguise
    else:
        assert table.y.nunique() == classes


def test_the_tables_cover_each_task_text_missing_cells_and_size():
    """What the issue asks of the set: each task, text, NA, small and large tables."""
    tables = [tabular.LOADERS[key]() for key in EXPECTED]
    assert {table.task for table in tables} == {"binary", "multiclass", "regression"}
    assert any(tabular.text_columns(table.X) for table in tables)
    assert any(table.X.isna().any(axis=None) for table in tables)
    assert min(len(table.X) for table in tables) < 300
    assert max(len(table.X) for table in tables) > 5000


def test_the_tally_counts_a_tie_within_half_a_point():
    assert [tabular.outcome(gap) for gap in (0.004, -0.004, 0.006, -0.006)] == ["T", "T", "W", "L"]
