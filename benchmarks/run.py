"""Run the speed benchmarks (W1-W6) and write benchmarks/results.md.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py   # the full run
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py --quick
    python benchmarks/run.py --only W4,W5 --threads 1

Unset the two OpenBLAS variables, as a user's machine would have them: set, they slow a
current NumPy's matrix products about 2x (results.md records what the children saw).
The same as ``glassnet bench --targets --out benchmarks/results.md`` (plain ``glassnet
bench`` is the user's short comparison); see glassnet/bench/harness.py.
"""

import sys
from pathlib import Path

from glassnet.cli import cli

if __name__ == "__main__":
    results = Path(__file__).with_name("results.md")
    cli(["bench", "--targets", "--out", str(results), *sys.argv[1:]], prog_name="glassnet")
