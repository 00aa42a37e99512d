"""Messages a command-line user can act on: no Python parameters, no import advice."""

import numpy as np
from click.testing import CliRunner
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import glassnet as gn
from glassnet import cli


def invoke(*args: object):
    return CliRunner().invoke(cli.cli, [str(arg) for arg in args])


def test_predict_from_a_device_says_it_is_not_a_regular_file(tmp_path):
    out = tmp_path / "run"
    assert invoke("train", "--data", "moons", "--samples", 40, "--iterations", 3, "--out", out)
    result = invoke("predict", out / "model.npz", "--data", "/dev/zero")
    assert result.exit_code == 2
    assert "'/dev/zero' is not a regular file" in result.stderr
    assert "does not exist" not in result.stderr


def test_predict_on_a_pipeline_file_says_to_use_it_in_python(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 2))
    pipeline = make_pipeline(StandardScaler(), gn.MLPClassifier(max_iter=300, random_state=0))
    path = gn.save(pipeline.fit(X, (X[:, 0] > 0).astype(int)), tmp_path / "pipe.npz")
    (tmp_path / "rows.csv").write_text("x0,x1\n1,2\n")
    result = invoke("predict", path, "--data", tmp_path / "rows.csv")
    assert result.exit_code == 2
    assert "holds a scikit-learn Pipeline saved from Python" in result.stderr
    assert "glassnet.load(path)" in result.stderr and "import glassnet" not in result.stderr


def test_a_class_of_one_row_names_the_command_line_fixes(tmp_path):
    rng = np.random.default_rng(0)
    labels = ["cat", "dog"] * 14 + ["emu", "yak"]  # two classes with a single row
    points = rng.normal(size=(30, 2))
    rows = [f"{a:.3f},{b:.3f},{label}" for (a, b), label in zip(points, labels, strict=True)]
    data = tmp_path / "animals.csv"
    data.write_text("a,b,animal\n" + "\n".join(rows) + "\n")
    result = invoke("train", "--data", data, "--target", "animal", "--out", tmp_path / "run")
    assert result.exit_code == 2
    message = result.stderr
    assert "2 of the target's 4 classes have fewer than 2 rows ('emu', 'yak')" in message
    assert "--test-size 0.2 keep each class's share" in message and "--test-size 0)" in message
    assert "stratify" not in message
