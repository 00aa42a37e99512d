"""A tab's uploaded CSV: written under the server's own name, read by glassnet's reader.

The bytes go to a file the server names (never a name the page sends), then
:func:`glassnet.data.open_table` reads it whole, as ``glassnet train --data`` does, so
a bad file gets the same error as on the command line. The page gets the columns and
the number of rows, and picks two feature columns and a target from them.
"""

import os
from pathlib import Path
from typing import Any

from glassnet.data import open_table
from glassnet.errors import InputError


def read_upload(content: bytes, destination: Path) -> dict[str, Any]:
    """Keep ``content`` as ``destination`` if glassnet's reader reads it; its columns and rows.

    Raises
    ------
    InputError
        The reader's error (an empty file, a row with too many fields, text that does not
        decode...), with the server's file name replaced by "the upload".
    """
    staging = destination.with_suffix(".new.csv")
    staging.write_bytes(content)
    try:
        with open_table(staging) as reader:
            rows = reader.read()
        columns = [str(name) for name in reader.columns]
    except InputError as error:
        staging.unlink(missing_ok=True)
        raise InputError(str(error).replace(str(staging), "the upload")) from None
    if len(columns) < 3 or not len(rows):
        staging.unlink(missing_ok=True)
        raise InputError(
            f"the upload has {len(columns)} column(s) and {len(rows)} row(s): the playground "
            "needs two feature columns, a target column and at least one row"
        )
    os.replace(staging, destination)
    return {"columns": columns, "rows": len(rows)}
