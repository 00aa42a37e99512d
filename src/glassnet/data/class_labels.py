"""Target classes that look like one class misspelled, or that have a handful of rows.

Warned about by name, with the fix; never merged (the file is the user's to correct):

- classes that differ only in case or spaces (``Apartment``, ``apartment``);
- classes one typo apart (``house``, ``hosue``: one letter changed, added, dropped, or two
  neighbours swapped), among names of :data:`TYPO_MIN_CHARS` characters or more;
- classes with fewer than :data:`FEW_ROWS` rows, and fewer than :data:`SMALL_SHARE` of the
  largest class's (a tiny table's classes are all small, and not warned about).
"""

from collections.abc import Sequence
from itertools import combinations

FEW_ROWS = 5  # a class with fewer rows gets a warning (if small beside the largest)
SMALL_SHARE = 0.1
TYPO_MIN_CHARS = 4  # shorter names are not compared for typos ("A" and "B" are one apart)
MAX_COMPARED = 300  # classes compared pairwise for typos, at most


def _folded(label: str) -> str:
    return " ".join(label.lower().split())


def one_typo_apart(a: str, b: str) -> bool:
    """One letter changed, added or dropped, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:k] + long[k + 1 :] == short for k in range(len(long)))


def label_warnings(name: str, labels: Sequence[str], counts: Sequence[int]) -> list[str]:
    """The warnings on a text target's classes (the module's rules), each naming the fix."""
    rows = dict(zip(labels, counts, strict=True))
    found = []
    for a, b in combinations(labels[:MAX_COMPARED], 2):
        same = _folded(a) == _folded(b)
        typo = min(len(a), len(b)) >= TYPO_MIN_CHARS and one_typo_apart(_folded(a), _folded(b))
        if same or typo:
            kept, other = (a, b) if rows[a] >= rows[b] else (b, a)
            how = "only in case or spaces" if same else "by one typo"
            found.append(
                f"target {name!r}: classes {other!r} ({rows[other]} rows) and {kept!r} "
                f"({rows[kept]} rows) differ {how}: if they are one class, write {kept!r} for "
                "both in the file (glassnet keeps them apart)"
            )
    largest = max(counts, default=0)
    few = [
        f"{label!r} ({rows[label]})"
        for label in labels
        if rows[label] < min(FEW_ROWS, SMALL_SHARE * largest)
    ]
    if few:
        found.append(
            f"target {name!r}: {len(few)} class(es) with fewer than {FEW_ROWS} rows, "
            f"{', '.join(few[:10])}: too few to learn or to score; fix or merge their labels, "
            "or drop those rows"
        )
    return found
