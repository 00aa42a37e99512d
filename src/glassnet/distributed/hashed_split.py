"""The one out-of-core split: a cluster run's held-out and validation rows, by each row's hash.

    row's cells ──siphash keyed by the seed──> u in [0, 1)
    u < test_size                      the held-out part
    otherwise, v < validation          the validation part (v: the same, another key)
    otherwise                          the fit part

Data read in blocks has no row numbers to shuffle (a CSV numbers its rows again in every
block), so a row's part depends on its cells alone and the seed (pandas'
``hash_pandas_object``): the same rows however the data is split into partitions or files,
on every machine. A part holds about its fraction f of n rows (f n +- sqrt(f (1 - f) n)),
not stratified; exact copies of a row fall in the same part.

With ``test_size`` 0 and no validation every row is in the fit part, in the file's
order: the rows a single-machine run with ``--test-size 0`` trains on.
"""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

KEYS = {  # each split's 16-character siphash key, the seed (0..2^32 - 1) in 8 hex digits
    "test": "glasstst{:08x}",
    "validation": "glassval{:08x}",
}
UNIT = 2.0**-53  # u = (h >> 11) * 2^-53: a 64-bit hash's top 53 bits as a float in [0, 1)
FIT, VALIDATION, TEST = 0, 1, 2
PARTS = {  # a part's name: its rows' labels
    "fit": (FIT,),
    "validation": (VALIDATION,),
    "test": (TEST,),
    "seen": (FIT, VALIDATION),  # the training part, on which the preprocessing is fitted
}


def row_uniforms(part: pd.DataFrame, key: str) -> NDArray[np.float64]:
    """One number in [0, 1) per row, from its cells only: the row's keyed hash, scaled."""
    hashes = pd.util.hash_pandas_object(part, index=False, hash_key=key).to_numpy(np.uint64)
    return (hashes >> np.uint64(11)).astype(np.float64) * UNIT  # u_i = (h_i >> 11) 2^-53


def part_labels(
    part: pd.DataFrame, test_size: float, validation: float | None, seed: int
) -> NDArray[np.int8]:
    """Each row's part: FIT (0), VALIDATION (1) or TEST (2), one per row of ``part``."""
    labels = np.zeros(len(part), dtype=np.int8)
    if validation:
        validating = row_uniforms(part, KEYS["validation"].format(seed)) < validation
        labels[validating] = 1
    if test_size:
        held = row_uniforms(part, KEYS["test"].format(seed)) < test_size
        labels[held] = 2  # held-out first: the validation part is a share of the rest
    return labels


def rows_of(
    part: pd.DataFrame,
    which: tuple[int, ...],
    test_size: float,
    validation: float | None,
    seed: int,
) -> pd.DataFrame:
    """The rows of one partition whose label is in ``which`` (FIT, VALIDATION, TEST)."""
    return part[np.isin(part_labels(part, test_size, validation, seed), which)]


def split_frame(
    frame: Any, test_size: float, validation: float | None, seed: int
) -> dict[str, Any]:
    """A dask DataFrame's rows of each part: "fit", "validation", "test" and "seen" (the
    training part: fit and validation).

    A part not asked for (a fraction of 0 or None) is None, and without a held-out part
    "seen" is ``frame`` itself. Each part is a lazy filter of every partition of
    ``frame``; nothing is read here.
    """
    if not test_size and not validation:  # every row trains: the frame as it is, in order
        return {"fit": frame, "validation": None, "test": None, "seen": frame}
    asked = {"fit": True, "validation": bool(validation), "test": bool(test_size), "seen": True}
    return {
        name: frame.map_partitions(rows_of, which, test_size, validation, seed, meta=frame._meta)
        if asked[name]
        else None
        for name, which in PARTS.items()
    }
