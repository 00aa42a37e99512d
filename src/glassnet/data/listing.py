"""How a message lists names (columns, features): the first few, then how many more.

Apart from the readers so that a module which imports no pandas (a resumed run's checks)
lists names as they do.
"""

from collections.abc import Sequence

SHOWN_NAMES = 20  # names listed in a message


def listed(names: Sequence[str], limit: int = SHOWN_NAMES) -> str:
    """``a, b, c``: the first ``limit`` names, then how many more (``, ... (3 more)``)."""
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
