"""The README's command-line examples run as written: its predict example after its main command.

The main command (after ``<!-- main-command -->``) trains moons into ``runs/moons``;
the predict example writes its own CSV and predicts it with that model. Both run in
bash, in a temporary folder, as a reader would type them there (the ``pip install .``
before the main command is skipped: the package under test is installed already).
"""

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet.files.model_file import load

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAIN_MARKER = "<!-- main-command -->"


def bash_blocks(markdown: str) -> list[list[str]]:
    """The lines of every ```bash block, in order."""
    return [block.splitlines() for block in re.findall(r"```bash\n(.*?)```", markdown, re.S)]


def main_command() -> str:
    """The README's main command without its ``python -m pip install . &&`` step."""
    (line,) = bash_blocks(README.split(MAIN_MARKER, 1)[1])[0]
    install, command = (part.strip() for part in line.split("&&"))
    assert install == "python -m pip install ."
    return command


def predict_example() -> tuple[list[str], Path, Path, list[str]]:
    """The lines that write the predict example's CSV and run it, its --csv and --out files,
    and the columns its comment says the output has."""
    (block,) = [
        lines for lines in bash_blocks(README) if any("glassnet predict" in x for x in lines)
    ]
    (predict,) = [line for line in block if line.startswith("glassnet predict")]
    words = shlex.split(predict, comments=True)
    source, out = words[words.index("--csv") + 1], words[words.index("--out") + 1]
    (writer,) = [line for line in block if re.search(rf">\s*{re.escape(source)}\b", line)]
    columns = predict.split(f"{out}:", 1)[1].strip().split(",")
    return [writer, predict], Path(source), Path(out), columns


def run_in_bash(line: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run one README line in bash in ``folder``, with this Python's scripts first on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        ["bash", "-c", line], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def readme_folder(tmp_path_factory) -> Path:
    """A folder in which the README's main command has run."""
    folder = tmp_path_factory.mktemp("readme")
    done = run_in_bash(main_command(), folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "runs" / "moons" / "model.npz").is_file()
    return folder


def test_the_predict_example_runs_as_written_after_the_main_command(readme_folder):
    lines, source, out, columns = predict_example()
    assert "--csv new.csv" not in README  # a file nobody had
    for line in lines:
        done = run_in_bash(line, readme_folder)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    with (readme_folder / source).open(newline="") as handle:
        given = list(csv.DictReader(handle))
    with (readme_folder / out).open(newline="") as handle:
        reader = csv.DictReader(handle)
        predicted = list(reader)
    assert reader.fieldnames == columns  # the columns the README's comment names
    assert len(predicted) == len(given) > 0  # one row out per row in
    model = load(readme_folder / "runs" / "moons" / "model.npz")
    assert list(given[0]) == list(model.feature_names)  # the example names moons' features
    X = np.array([[float(row[name]) for name in model.feature_names] for row in given])
    expected = model.predict_proba(X)  # (n, 2), columns in classes_ order
    got = np.array(
        [[float(row["probability_0"]), float(row["probability_1"])] for row in predicted]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert [int(row["prediction"]) for row in predicted] == model.predict(X).tolist()
    assert [row["x1"] for row in predicted] == [row["x1"] for row in given]  # passed through


def test_the_example_s_csv_has_the_moons_feature_names_and_three_points():
    lines, source, _, _ = predict_example()
    written = subprocess.run(
        ["bash", "-c", lines[0].split(">")[0]], capture_output=True, text=True, check=True
    ).stdout
    header, *rows = written.splitlines()
    assert header == "x1,x2" and len(rows) == 3 and source.suffix == ".csv"
