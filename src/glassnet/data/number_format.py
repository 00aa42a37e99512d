"""How a CSV writes its numbers: the decimal mark and the thousands separator.

    --decimal, --thousands (pandas' read_csv options), else sniffed from the first lines
    cells written that way ──normalized──> the plain text every reader takes (``1234.5``)

The rule when neither is given and the delimiter is sniffed: a ``;``-separated file
whose first records hold numbers with a decimal comma (``183,7``, ``1.234,5``) and no
number with a decimal point that cannot be a thousands group (``3.75``) is read with
decimal ``,`` and thousands ``.``, the common European export; the reader says so in a
note. Otherwise numbers are plain (decimal ``.``, no thousands separator). ``--decimal ,``
alone takes ``.`` as the thousands separator. A cell is rewritten only when the whole cell
is a number in the format (``1.234,5``, ``-0,5``, ``658.681``); any other cell is left as
it is, so a column of text stays text.
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from glassnet.errors import InputError

DECIMALS = (".", ",")
THOUSANDS = (".", ",", " ", "'", "_")
SNIFFED_RECORDS = 200
COMMA_DECIMAL = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+")
POINT_DECIMAL = re.compile(r"[+-]?\d+\.\d+")
POINT_GROUPS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")  # 658.681: a thousands group, or not


@dataclass(frozen=True)
class NumberFormat:
    """The decimal mark and thousands separator a file's numbers are written with.

    Attributes
    ----------
    decimal : str
        ``"."`` or ``","``.
    thousands : str or None
        The thousands separator, or None.
    sniffed : bool
        Detected from the file, not given.
    """

    decimal: str = "."
    thousands: str | None = None
    sniffed: bool = False

    @property
    def plain(self) -> bool:
        """Numbers as every reader takes them: decimal point, no thousands separator."""
        return self.decimal == "." and self.thousands is None

    @property
    def pattern(self) -> re.Pattern[str]:
        """A whole cell that is a number in this format."""
        point = re.escape(self.decimal)
        groups = (
            "" if self.thousands is None else rf"\d{{1,3}}({re.escape(self.thousands)}\d{{3}})+|"
        )
        return re.compile(rf"\s*[+-]?({groups}\d+)({point}\d+)?([eE][+-]?\d+)?\s*")

    def note(self, delimiter: str) -> str:
        """What was detected, in words, with the option that reads the file otherwise."""
        return (
            f"numbers read with decimal {self.decimal!r} and thousands {self.thousands!r} "
            f"(sniffed: {delimiter!r}-separated with decimal commas); pass --decimal . to "
            "read them otherwise"
        )


def number_format(
    decimal: str | None, thousands: str | None, delimiter: str, sample: str, sniffed: str
) -> NumberFormat:
    """The format given (checked against the delimiter), or sniffed from ``sample`` when the
    delimiter was sniffed too (``sniffed``: that delimiter, else ``""``)."""
    if decimal is None and thousands is None:
        return sniff_format(sample, sniffed)
    decimal = "." if decimal is None else decimal
    if thousands is None and decimal == ",":
        thousands = "."
    if decimal not in DECIMALS:
        raise InputError(f"--decimal takes '.' or ',', got {decimal!r}")
    if thousands is not None and thousands not in THOUSANDS:
        raise InputError(
            f"--thousands takes one of {', '.join(map(repr, THOUSANDS))}, got {thousands!r}"
        )
    if thousands == decimal:
        raise InputError(
            f"--decimal and --thousands are both {decimal!r}: give two different marks"
        )
    if delimiter in (decimal, thousands):
        raise InputError(
            f"the file is {delimiter!r}-separated, so {delimiter!r} cannot also be the decimal "
            "mark or thousands separator: check --sep, --decimal and --thousands"
        )
    return NumberFormat(decimal, thousands)


def sniff_format(sample: str, delimiter: str) -> NumberFormat:
    """Decimal ``,`` and thousands ``.`` for a ``;`` file of decimal commas (the module's rule)."""
    if delimiter != ";":
        return NumberFormat()
    cells: list[str] = []
    try:
        for k, record in enumerate(csv.reader(io.StringIO(sample, newline=None), delimiter=";")):
            if k > SNIFFED_RECORDS:
                break
            cells += [cell.strip() for cell in record]
    except csv.Error:
        return NumberFormat()
    commas = sum(bool(COMMA_DECIMAL.fullmatch(cell)) for cell in cells)
    points = sum(
        bool(POINT_DECIMAL.fullmatch(cell)) and not POINT_GROUPS.fullmatch(cell) for cell in cells
    )
    return NumberFormat(",", ".", sniffed=True) if commas and not points else NumberFormat()


def normalized(frame: pd.DataFrame, number: NumberFormat) -> pd.DataFrame:
    """The frame's text cells that are numbers in ``number`` written plainly (``1234.5``)."""
    if number.plain:
        return frame
    pattern = number.pattern
    for name in frame.columns:
        cells = frame[name].to_numpy(dtype=object)
        hits = np.array([bool(pattern.fullmatch(cell)) for cell in cells], dtype=bool)
        if hits.any():
            frame[name] = cells.copy()
            frame.loc[hits, name] = [_plain(cell, number) for cell in cells[hits]]
    return frame


def _plain(cell: str, number: NumberFormat) -> str:
    text = cell.strip()
    if number.thousands is not None:
        text = text.replace(number.thousands, "")
    return text.replace(number.decimal, ".")


def decimal_commas(cells: Any) -> tuple[int, int]:
    """How many present text cells read as numbers written with a decimal comma
    (``183,7``, ``1.234,5``), and how many present text cells there are."""
    texts = [str(cell).strip() for cell in cells if isinstance(cell, str) and cell.strip()]
    return sum(bool(COMMA_DECIMAL.fullmatch(text)) for text in texts), len(texts)
