"""Does ``--ensemble 5`` pay for its time? N = 1 against N = 5 on real tables.

The Tabular estimators (the recipe of ``glassnet train``) on three of
``benchmarks/tabular.py``'s tables, its held-out split (a quarter of the rows) and seeds:
the held-out score (accuracy or R²), wall and CPU seconds of each fit.

    python benchmarks/ensemble.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from tabular import fair, penguins_mass, score, split, star98

from glassnet import TabularClassifier, TabularRegressor

SEEDS = (0, 1)
SIZES = (1, 5)


def main() -> None:
    print("| table | rows | N | seed | held-out score | wall s | CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for table in (penguins_mass(), star98(), fair()):
        for seed in SEEDS:
            X_train, X_test, y_train, y_test = split(table, seed, table.X)
            for n in SIZES:
                make = TabularRegressor if table.task == "regression" else TabularClassifier
                model = make(ensemble=n, random_state=seed)
                started, cpu = time.perf_counter(), time.process_time()
                model.fit(X_train, y_train)
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                held_out = score(table.task, y_test, model.predict(X_test))
                print(
                    f"| {table.name} | {len(table.y)} | {n} | {seed} | {held_out:.4f} | "
                    f"{wall:.1f} | {cpu:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
