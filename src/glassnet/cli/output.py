"""Where a command writes its output: a file, standard output, a pipe or a device.

A regular file (or a new one) is written whole or not at all: to a temporary file
beside it, then renamed over it (:func:`glassnet.files.atomic.atomic_write`); a
symbolic link is followed, so the link stays and its target is replaced. Anything
else that exists (``/dev/null``, a named pipe, ``/dev/stdout``, a terminal) cannot be
renamed over without destroying it, so it is opened and written straight into. ``-``
means standard output.
"""

import contextlib
import io
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from glassnet.files.atomic import atomic_write

STDOUT = "-"


def is_regular_or_new(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file (through any symbolic link) or does not exist yet."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


@contextlib.contextmanager
def open_output(path: str, newline: str | None = None) -> Iterator[IO[str]]:
    """A UTF-8 text stream writing to ``path``: see the module's docstring for which way.

    Raises
    ------
    IsADirectoryError
        When ``path`` is a folder.
    """
    if path == STDOUT:
        text = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline=newline)
        try:
            yield text
        finally:
            text.detach()  # flushes, and leaves standard output itself open
        return
    if Path(path).is_dir():
        raise IsADirectoryError(f"{path!r} is a folder: give the name of the file to write")
    if is_regular_or_new(path):
        with atomic_write(Path(path).resolve(), "w", encoding="utf-8", newline=newline) as handle:
            yield handle
        return
    with open(path, "w", encoding="utf-8", newline=newline) as handle:
        yield handle
