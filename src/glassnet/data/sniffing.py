"""A CSV's delimiter, sniffed from its first lines, and its header.

The rule, applied to the first 20 records (quoted fields read as one field):

1. ``,``, ``;`` and tab are tried in turn. One that splits every record into the same
   number of fields, two or more, is consistent. Of the consistent ones, the one giving
   the most fields wins (a tie goes to the earlier in that list).
2. If none is consistent, the text is whitespace-separated when splitting each line at
   runs of spaces and tabs gives the same number of fields, two or more.
3. Otherwise ``,``: a one-column file, or a file pandas will then refuse with a message
   naming the delimiter (pass ``--sep``).
"""

import csv
import io

SEPARATORS = {",": ",", ";": ";", "\t": "\t", "whitespace": r"\s+"}  # name: what pandas takes
CANDIDATES = (",", ";", "\t")
SNIFFED_RECORDS = 20


def _complete(sample: str) -> str:
    """The sample without its last line when that line may be cut short."""
    if sample.endswith(("\n", "\r")) or "\n" not in sample:
        return sample
    return sample[: sample.rfind("\n") + 1]


def _field_counts(text: str, delimiter: str) -> list[int]:
    counts = []
    for record in csv.reader(io.StringIO(text), delimiter=delimiter):
        if any(cell.strip() for cell in record):
            counts.append(len(record))
        if len(counts) == SNIFFED_RECORDS:
            break
    return counts


def _whitespace_counts(text: str) -> list[int]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [len(_split_whitespace(line)) for line in lines[:SNIFFED_RECORDS]]


def _split_whitespace(line: str) -> list[str]:
    """A line's fields at runs of spaces and tabs, a double-quoted field kept whole."""
    cleaned = line.strip().replace("\t", " ")
    return next(csv.reader([cleaned], delimiter=" ", skipinitialspace=True), [])


def sniff_separator(sample: str) -> str:
    """The delimiter of the text that starts with ``sample``: ``,``, ``;``, ``\\t`` or
    ``whitespace`` (the rule is in the module's docstring)."""
    text = _complete(sample)
    best, most = ",", 1
    for delimiter in CANDIDATES:
        counts = _field_counts(text, delimiter)
        if counts and len(set(counts)) == 1 and counts[0] > most:
            best, most = delimiter, counts[0]
    if most > 1:
        return best
    counts = _whitespace_counts(text)
    if counts and len(set(counts)) == 1 and counts[0] > 1:
        return "whitespace"
    return ","


def header_of(sample: str, delimiter: str) -> tuple[list[str] | None, int, int]:
    """The header's cells, the records up to and including it, and the line it ends on.

    The header is the first record with a non-blank cell; blank lines before it are
    skipped. ``None`` when the sample holds no such record (an empty file).
    """
    if delimiter == "whitespace":
        for number, line in enumerate(sample.splitlines(), start=1):
            if line.strip():
                return _split_whitespace(line), number, number
        return None, 0, 0
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    for number, record in enumerate(reader, start=1):
        if any(cell.strip() for cell in record):
            return record, number, reader.line_num
    return None, 0, 0
