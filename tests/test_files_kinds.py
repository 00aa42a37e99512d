"""Which kinds of model file load does not depend on what was imported before.

``glassnet.files.kinds.KIND_MODULES`` names the module of each kind; ``load`` imports it on
first use. Each check runs in a fresh interpreter, where nothing else was imported.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet import MLPClassifier
from glassnet.files.kinds import KIND_MODULES, known_kinds
from glassnet.files.model_file import save


def fresh_python(code: str) -> str:
    """Run ``code`` in a new interpreter and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def estimator_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    model = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0).fit(X, y)
    path = tmp_path_factory.mktemp("kinds") / "est.npz"
    save(model, path)
    np.save(path.with_suffix(".X.npy"), X)
    np.save(path.with_suffix(".pred.npy"), model.predict(X))
    return path


def test_files_load_reads_an_estimator_in_a_fresh_interpreter(estimator_file: Path) -> None:
    code = f"""
import sys
import numpy as np
import glassnet.files
assert "glassnet.estimators" not in sys.modules
model = glassnet.files.load({str(estimator_file)!r})
X = np.load({str(estimator_file.with_suffix(".X.npy"))!r})
expected = np.load({str(estimator_file.with_suffix(".pred.npy"))!r})
print(type(model).__name__, bool((model.predict(X) == expected).all()))
"""
    assert fresh_python(code) == "MLPClassifier True"


def test_files_load_reads_a_trained_model_in_a_fresh_interpreter(tmp_path: Path) -> None:
    code = f"""
import glassnet.files
from glassnet.runs.run import RunConfig, run_training
path = glassnet.files.save(run_training(RunConfig(data="moons", epochs=5)).model,
                           {str(tmp_path / "model.npz")!r})
print(type(glassnet.files.load(path)).__name__)
"""
    assert fresh_python(code) == "TrainedModel"


def test_every_kind_names_an_importable_module() -> None:
    assert known_kinds() >= {"network", "trained_model", "estimator", "pipeline"}
    for module in set(KIND_MODULES.values()):
        assert fresh_python(f"import {module}; print('ok')") == "ok"
