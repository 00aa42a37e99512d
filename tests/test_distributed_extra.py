"""Without the extra ``glassnet[dask]``, glassnet.distributed says how to install it."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("missing", ["distributed", "dask"])
def test_an_import_without_dask_names_the_extra(missing):
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "try:\n"
        "    from glassnet.distributed import connect\n"
        "except ModuleNotFoundError as error:\n"
        "    print(type(error).__name__, error.name, '|', error)\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    kind, name, message = found.stdout.replace("|", " ", 1).split(maxsplit=2)
    assert (kind, name) == ("ModuleNotFoundError", missing)  # the CLI's check still works
    assert f"({missing} is not installed): pip install 'glassnet[dask]'" in message
