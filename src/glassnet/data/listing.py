"""How a message lists names (columns, features): the first few, then how many more.

Apart from the readers so that a module which imports no pandas (a resumed run's checks)
lists names as they do.
"""

from collections.abc import Sequence

SHOWN_NAMES = 20  # names listed in a message


def listed(names: Sequence[str], limit: int = SHOWN_NAMES) -> str:
    """The names as a message lists them: ``a, b, c``.

    Parameters
    ----------
    names
        The names, in the order they are shown.
    limit
        How many are shown; past it, ``, ... (N more)`` counts the rest.

    Returns
    -------
    str
        ``"a, b, c"``, or ``"a, b, ... (3 more)"`` for five names and ``limit=2``.
    """
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
