"""A messy spreadsheet export, made in the tests: what a practitioner's first CSV looks like.

``;`` delimiters, decimal commas, thousands separators, dates as ``dd.mm.yyyy``, a free-text
column, an id column named like one, a mostly-missing comment, and typo'd target classes.
"""

from pathlib import Path

import numpy as np
import pandas as pd

KINDS = ["house", "apartment", "studio"]


def messy_frame(n_rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """The table's true values (numbers as numbers, dates as dates)."""
    rng = np.random.default_rng(seed)
    area = np.round(rng.uniform(20, 400, n_rows), 1)
    kind = np.array(KINDS)[np.digitize(area, [150, 60])]  # large: house, then apartment, studio
    kind = kind.astype(object)
    kind[[5, 17]] = "hosue"  # a typo
    kind[[8]] = "Apartment"  # a case
    kind[[11]] = "studio "  # a space (kept by the CSV, stripped by the reader)
    price = np.round(area * 3_500 + rng.normal(0, 20_000, n_rows), 2)
    listed = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n_rows), "D")
    words = ["bright", "quiet", "renovated", "garden", "balcony", "central", "cosy", "view"]
    descriptions = [
        f"{' and '.join(rng.choice(words, 3, replace=False))} home number {i}, near the "
        f"{rng.choice(['park', 'station', 'river', 'school'])}"
        for i in range(n_rows)
    ]
    comment = np.where(rng.random(n_rows) < 0.85, None, "owner abroad").astype(object)
    return pd.DataFrame(
        {
            "listing_id": 10_001 + np.arange(n_rows),
            "listed_on": listed,
            "area_m2": area,
            "rooms": np.maximum(1, (area // 40).astype(int)),
            "district": rng.choice(["Nord", "Süd", "Mitte"], n_rows),
            "description": descriptions,
            "comment": comment,
            "price_eur": price,
            "kind": kind,
        }
    )


def write_messy_export(path: Path, n_rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """Write the table as a German spreadsheet exports it; return the true values."""
    frame = messy_frame(n_rows, seed)
    text = frame.copy()
    text["listed_on"] = frame["listed_on"].dt.strftime("%d.%m.%Y")
    text["area_m2"] = [f"{value:.1f}".replace(".", ",") for value in frame["area_m2"]]
    text["price_eur"] = [
        f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        for value in frame["price_eur"]
    ]
    text.to_csv(path, sep=";", index=False, encoding="utf-8")
    return frame
