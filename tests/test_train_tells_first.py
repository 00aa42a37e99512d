"""glassnet train prints the column table, its notes and warnings before it trains."""

import numpy as np
from click.testing import CliRunner

from glassnet import cli


def messy_csv(path):
    rng = np.random.default_rng(0)
    lines = ["row_id,x1,x2,city,label"]
    for i in range(120):
        x1, x2 = rng.normal(size=2).round(3)
        lines.append(f"{i},{x1},{x2},town {i % 60},{'yes' if x1 + x2 > 0 else 'no'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_column_table_and_warnings_come_before_the_first_cost_line(tmp_path):
    data = messy_csv(tmp_path / "messy.csv")
    arguments = ["train", "--data", str(data), "--target", "label", "--iterations", "20"]
    arguments += ["--print-every", "10", "--recipe", "tutorial", "--out", str(tmp_path / "run")]
    result = CliRunner().invoke(cli.cli, arguments)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first_cost = next(i for i, line in enumerate(lines) if line.startswith("Cost after"))
    table = next(i for i, line in enumerate(lines) if line.strip() == "columns")
    note = next(i for i, line in enumerate(lines) if "row_id" in line and "note:" in line)
    warning = next(i for i, line in enumerate(lines) if line.startswith("warning:"))
    assert max(table, note, warning) < first_cost
    assert "city" in lines[warning]
    assert sum(line.strip() == "columns" for line in lines) == 1  # told once, not again at the end
