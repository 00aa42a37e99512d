"""A suggested command names a column as a shell needs it: quoted when it has a space."""

import shlex

import pytest

from glassnet.data import read_tabular
from glassnet.errors import InputError


def test_a_column_missing_everywhere_is_suggested_quoted(tmp_path):
    path = tmp_path / "people.csv"
    rows = "".join(f"{i},,{i % 2}\n" for i in range(30))
    path.write_text("Height cm,Individual ID,label\n" + rows)
    with pytest.raises(InputError) as refused:
        read_tabular(path, target="label")
    message = str(refused.value)
    assert "--drop 'Individual ID'" in message
    suggested = message.split("--drop ", 1)[1]
    assert shlex.split(suggested)[0] == "Individual ID"  # a shell reads it back as one column
