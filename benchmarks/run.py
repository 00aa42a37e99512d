"""Run the speed benchmarks and write benchmarks/results.md.

    python benchmarks/run.py            # the full run (several minutes)
    python benchmarks/run.py --quick    # about a minute

The same as ``glassnet bench --out benchmarks/results.md``; see glassnet/bench/harness.py.
"""

import sys
from pathlib import Path

from glassnet.cli import cli

if __name__ == "__main__":
    results = Path(__file__).with_name("results.md")
    cli(["bench", "--out", str(results), *sys.argv[1:]], prog_name="glassnet")
