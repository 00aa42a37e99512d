"""A CSV's delimiter, sniffed from its first lines, and its header.

The rule, applied to the first 20 records (quoted fields read as one field):

1. ``,``, ``;`` and tab are tried in turn. One that splits every record into the same
   number of fields, two or more, is consistent. Of the consistent ones, the one giving
   the most fields wins (a tie goes to the earlier in that list).
2. If none is consistent, the text is whitespace-separated when splitting each line at
   runs of spaces and tabs gives the same number of fields, two or more.
3. Otherwise ``,``: a one-column file, or a file pandas will then refuse with a message
   naming the delimiter (pass ``--sep``).

The rule reads at most :data:`SNIFFED_CHARS` characters (a first line longer than that is
sniffed from its start), so a 30,000-column header or a 32 MB line costs no more than a
short one. Old Mac files, whose lines end in a carriage return alone, are read as any other.
"""

import csv
import io

from glassnet.errors import InputError

SEPARATORS = {",": ",", ";": ";", "\t": "\t", "whitespace": r"\s+"}  # name: what pandas takes
CANDIDATES = (",", ";", "\t")
SNIFFED_RECORDS = 20
SNIFFED_CHARS = 64 * 1024  # the delimiter is sniffed from at most this much text


def _complete(sample: str) -> str:
    """The sample's first :data:`SNIFFED_CHARS` characters, without a last line that may be
    cut short (a first line longer than that is kept, cut: its start is what is sniffed)."""
    text = sample[:SNIFFED_CHARS]
    end = max(text.rfind("\n"), text.rfind("\r"))
    if (len(text) == len(sample) and text.endswith(("\n", "\r"))) or end < 0:
        return text
    return text[: end + 1]


def _field_counts(text: str, delimiter: str) -> list[int]:
    """Fields per record of the first SNIFFED_RECORDS records; none when the csv module
    refuses the text with this delimiter (a field longer than its limit)."""
    counts = []
    try:
        for record in csv.reader(io.StringIO(text, newline=None), delimiter=delimiter):
            if any(cell.strip() for cell in record):
                counts.append(len(record))
            if len(counts) == SNIFFED_RECORDS:
                break
    except csv.Error:
        return []
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
    reader = csv.reader(io.StringIO(sample, newline=None), delimiter=delimiter)  # \r, \n or \r\n
    limit = csv.field_size_limit()
    try:  # a header cell may be as long as the sample (a 1,000,000-column header, misread)
        csv.field_size_limit(max(limit, len(sample) + 1))
        for number, record in enumerate(reader, start=1):
            if any(cell.strip() for cell in record):
                return record, number, reader.line_num
    except csv.Error as error:
        raise InputError(
            f"the header could not be read ({error}): check --sep and --encoding"
        ) from None
    finally:
        csv.field_size_limit(limit)
    return None, 0, 0
