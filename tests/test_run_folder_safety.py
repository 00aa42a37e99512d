"""Nothing of the user's is lost: output paths that are not files, run folders, killed runs."""

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from glassnet import cli
from glassnet.files.atomic import atomic_write
from glassnet.runs import folder as run_folder

SMALL = ("--data", "moons", "--samples", "60", "--iterations", "5", "--seed", "0")


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.cli, [str(arg) for arg in args])


def train(out: Path, *args: object) -> Result:
    return invoke("train", *SMALL, "--out", out, *args)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "run"
    result = train(out)
    assert result.exit_code == 0, result.output
    return out


def points_csv(folder: Path) -> Path:
    path = folder / "points.csv"
    path.write_text("x1,x2\n0.1,0.2\n1.0,-0.5\n")
    return path


# --- 1. predict --out and evaluate --json into what is not a regular file ------------------


def test_predict_writes_into_a_named_pipe_and_leaves_it_a_pipe(run, tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = invoke("predict", run / "model.npz", "--csv", points_csv(tmp_path), "--out", pipe)
    if reader.is_alive():  # the old writer never opened the pipe: release the reader
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(5)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)  # still a pipe, not a regular file
    lines = received[0].decode().splitlines()
    assert lines[0].startswith("x1,x2,prediction,probability_") and len(lines) == 3


def test_evaluate_json_through_a_link_to_dev_null_keeps_the_link(run, tmp_path):
    link = tmp_path / "metrics.json"
    link.symlink_to(os.devnull)
    result = invoke("evaluate", run / "model.npz", "--data", "moons", "--json", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_link_to_a_regular_file_stays_a_link_and_its_target_is_replaced(run, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = invoke("evaluate", run / "model.npz", "--data", "moons", "--json", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and json.loads(target.read_text())["task"] == "classification"


def test_predict_out_dash_is_standard_output(run, tmp_path):
    result = invoke("predict", run / "model.npz", "--csv", points_csv(tmp_path), "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("x1,x2,prediction")
    assert not (tmp_path / "-").exists()


# --- 2. train --out into a folder that holds something ----------------------------------------


def test_train_refuses_a_folder_of_the_users_own_files(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    files = {"config.json": "{}", "report.html": "<p>mine</p>", "notes.txt": "notes"}
    for name, text in files.items():
        (mine / name).write_text(text)
    (mine / "boundary.png").write_bytes(b"png")
    for extra in ((), ("--overwrite",)):
        result = train(mine, *extra)
        assert result.exit_code == 2
        assert "is not empty" in result.stderr and "not a glassnet run folder" in result.stderr
    assert {path.name: path.read_bytes() for path in mine.iterdir()} == {
        **{name: text.encode() for name, text in files.items()},
        "boundary.png": b"png",
    }


def test_a_run_folder_is_replaced_only_with_overwrite_and_other_files_stay(run, tmp_path):
    folder = Path(shutil.copytree(run, tmp_path / "run"))
    (folder / "notes.txt").write_text("keep me")
    model = (folder / "model.npz").read_bytes()
    refused = train(folder, "--hidden", "3")
    assert refused.exit_code == 2 and "pass --overwrite" in refused.stderr
    assert (folder / "model.npz").read_bytes() == model
    assert invoke("plot", folder).exit_code == 0  # a refused run leaves the old one readable
    replaced = train(folder, "--hidden", "3", "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads((folder / "config.json").read_text())["layer_sizes"] == [2, 3, 1]
    assert (folder / "notes.txt").read_text() == "keep me"


def test_an_empty_folder_is_a_fine_out(tmp_path):
    (tmp_path / "empty").mkdir()
    assert train(tmp_path / "empty").exit_code == 0


# --- 3. a run stopped while it overwrites a run folder -----------------------------------------


def stopped_overwrite(run: Path, tmp_path: Path, monkeypatch) -> Path:
    """The run folder after a run with other layers was killed between config.json and model.npz."""
    folder = Path(shutil.copytree(run, tmp_path / "run"))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_folder, "save", killed)
    result = train(folder, "--hidden", "9,9", "--overwrite")
    monkeypatch.undo()
    assert result.exit_code != 0
    assert json.loads((folder / "config.json").read_text())["layer_sizes"] == [2, 9, 9, 1]
    return folder


@pytest.mark.parametrize(
    "reader",
    [
        ("plot", "{folder}"),
        ("evaluate", "{folder}/model.npz", "--data", "moons"),
        ("predict", "{folder}/model.npz", "--csv", "{folder}/../points.csv"),
    ],
)
def test_every_reader_refuses_a_folder_a_stopped_run_left_mixed(run, tmp_path, monkeypatch, reader):
    folder = stopped_overwrite(run, tmp_path, monkeypatch)
    points_csv(tmp_path)
    result = invoke(*(part.format(folder=folder) for part in reader))
    assert result.exit_code == 2
    assert "was not completely written" in result.stderr


def test_resume_of_a_mixed_folder_takes_only_the_stopped_runs_own_checkpoint(
    run, tmp_path, monkeypatch
):
    folder = stopped_overwrite(run, tmp_path, monkeypatch)
    out = tmp_path / "resumed"
    result = invoke("train", "--resume", folder, "--iterations", 2, "--out", out)
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert config["resume_from"] == str(folder / "checkpoint.npz")
    assert config["layer_sizes"] == [2, 9, 9, 1]  # the stopped run's network, not the old one's


def test_a_file_swapped_in_from_another_run_is_refused_by_name(run, tmp_path):
    folder = Path(shutil.copytree(run, tmp_path / "run"))
    other = tmp_path / "other"
    assert train(other, "--hidden", "4").exit_code == 0
    shutil.copy(other / "model.npz", folder / "model.npz")
    for args in (("plot", folder), ("evaluate", folder / "model.npz", "--data", "moons")):
        result = invoke(*args)
        assert result.exit_code == 2
        assert "model.npz in the run folder" in result.stderr and "mixes runs" in result.stderr
    resumed = invoke("train", "--resume", folder, "--out", tmp_path / "resumed")
    assert resumed.exit_code == 2 and "mixes runs" in resumed.stderr


# --- 4. temporary files a killed write left behind ---------------------------------------------


def test_the_next_write_removes_its_own_stale_temporary_files_only(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                              capture_output=True, text=True)  # fmt: skip
    dead = int(finished.stdout)
    stale = tmp_path / f".model.npz.{dead}.abc123.tmp"
    live = tmp_path / f".model.npz.{os.getppid()}.def456.tmp"  # a writer still running
    other = tmp_path / f".history.csv.{dead}.ghi789.tmp"  # another file's
    for path in (stale, live, other):
        path.write_bytes(b"x" * 100)
    with atomic_write(tmp_path / "model.npz", "wb") as handle:
        handle.write(b"new")
    assert (tmp_path / "model.npz").read_bytes() == b"new"
    assert not stale.exists() and live.exists() and other.exists()
