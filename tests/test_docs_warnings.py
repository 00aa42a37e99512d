"""The docs' examples fit to convergence, or say that they stop short on purpose.

The estimator examples of ``docs/migration.md`` run with ``ConvergenceWarning`` as an
error: a fit that hits ``max_iter`` by accident fails here, instead of printing a
warning in every run of the suite. A block that stops short on purpose (the 1- and
5-epoch parity check) records its warnings itself, and asserts them.
"""

import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

from test_docs import python_blocks

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("page", ["docs/migration.md"])
def test_no_example_stops_before_converging_by_accident(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "docs.warnings"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for block in python_blocks((ROOT / page).read_text(encoding="utf-8")):
            exec(compile(block.source, f"{page}:{block.line}", "exec"), namespace)
