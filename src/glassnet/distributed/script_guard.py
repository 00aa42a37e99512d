"""A local cluster started from a script without ``if __name__ == "__main__":``, refused early.

Dask starts a local cluster's workers with multiprocessing's ``spawn``: each worker
imports the user's script again (as ``__mp_main__``). Code at the script's top level,
outside the guard, then runs again in every worker, which tries to start a cluster of
its own while it is still starting; multiprocessing refuses that with a long traceback
in every process. glassnet looks before it starts anything:

- in the script's own process, a ``connect`` called (directly or through functions)
  from the script's top level outside an ``if __name__ == "__main__":`` block;
- in a worker being started, a ``connect`` while the script is imported again (what
  multiprocessing itself checks: the process is still "inheriting" its parent's state);

and raises glassnet's error with the fix.
"""

import ast
import multiprocessing
import sys
from pathlib import Path
from types import FrameType

from glassnet.errors import InputError

FORKING = "fork"  # the start method that does not import the script again
MAIN_TESTS = ("__name__ == '__main__'", "'__main__' == __name__")  # the guard, either way round


def check_script_guard(call: str, start_method: str) -> None:
    """Refuse ``call`` (``connect('local:2')``) from an unguarded script's top level.

    Parameters
    ----------
    call
        The call as the message shows it.
    start_method
        How the workers' processes are started (Dask's
        ``distributed.worker.multiprocessing-method``); ``"fork"`` never re-imports.

    Raises
    ------
    InputError
        Naming the script and its line, and the fix.
    """
    if start_method == FORKING:
        return
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise InputError(
            f"{call} ran while a worker process was starting: the script that calls it is "
            f"imported again by each worker. {_FIX}"
        )
    frame = _unguarded_top_level(sys._getframe(1))
    if frame is not None:
        where = f"{frame.f_code.co_filename}, line {frame.f_lineno}"
        raise InputError(
            f"{call} is called from the top level of the script {where}, outside "
            f'`if __name__ == "__main__":`; each of the cluster\'s worker processes imports '
            f"the script again and would start a cluster of its own. {_FIX}"
        )


_FIX = (
    "Put the script's work under `if __name__ == \"__main__\":` (the README's example "
    'shows it: `if __name__ == "__main__":` then `with connect("local:2") as client:`)'
)


def _unguarded_top_level(frame: FrameType | None) -> FrameType | None:
    """The frame of the main script's top-level code calling us, if no guard encloses it."""
    while frame is not None:
        main = frame.f_globals.get("__name__") == "__main__"
        if main and frame.f_code.co_name == "<module>":
            path = frame.f_globals.get("__file__")
            if not isinstance(path, str):
                return None  # an interactive session or python -c: nothing is imported again
            guarded = _guarded_lines(Path(path))
            if guarded is None or any(start <= frame.f_lineno <= end for start, end in guarded):
                return None
            return frame
        frame = frame.f_back
    return None


def _guarded_lines(path: Path) -> list[tuple[int, int]] | None:
    """The line spans of the script's ``if __name__ == "__main__":`` blocks; None if unread."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) in MAIN_TESTS
    ]
