"""Take it away: the model file, the data as a CSV, and the setup as a command line and as Python.

The model is a :class:`~glassnet.runs.model.TrainedModel` whose inputs are the page's
feature columns (``x1``, ``x2``, ``x1^2``, ...) by name, so ``glassnet.load(path)``
predicts as the page did and ``glassnet predict model.npz --csv playground-data.csv``
reads the data file written here. The command line and the snippet train on that file.
"""

import io
import secrets
from pathlib import Path

import numpy as np

from glassnet.data import LabelCodec
from glassnet.files import save
from glassnet.playground.session import Snapshot
from glassnet.runs.model import TrainedModel


def trained_model(snapshot: Snapshot) -> TrainedModel:
    """The snapshot's network with its feature names, task and labels."""
    problem, setup = snapshot.problem, snapshot.setup
    codec = None
    if problem.task == "classification":
        codec = LabelCodec(order=list(problem.classes)).fit(np.asarray(problem.classes))
    return TrainedModel(
        snapshot.network,
        problem.task,
        label_codec=codec,
        feature_names=list(problem.features),
        target_name=problem.names[2],
        config={
            "source": "glassnet playground",
            "epochs": snapshot.epoch,
            "hidden": list(setup.hidden),
            "activations": list(setup.activations),
            "optimizer": setup.optimizer,
            "learning_rate": setup.learning_rate,
            "batch_size": setup.batch_size,
            "l2": setup.l2,
            "dropout": setup.dropout,
            "seed": setup.seed,
        },
    )


def model_bytes(snapshot: Snapshot, folder: Path) -> bytes:
    """The model file's bytes (written through ``glassnet.save`` to a server-named file)."""
    path = folder / f"model-{secrets.token_hex(8)}.npz"
    try:
        save(trained_model(snapshot), path)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def data_csv(snapshot: Snapshot, folder: Path) -> bytes:
    """The data as trained on: one column per feature, the target, and ``part`` (train/test)."""
    problem = snapshot.problem
    X = problem.X(problem.P)  # (n, d)
    target = problem.y
    if problem.task == "classification":
        target = np.asarray(problem.classes, dtype=object)[problem.y.astype(np.intp)]
    part = np.full(len(target), "train", dtype=object)
    part[problem.test] = "test"
    lines = [",".join([*problem.features, problem.names[2], "part"])]
    for row, value, where in zip(X, target, part, strict=True):
        lines.append(",".join([*(repr(float(x)) for x in row), str(value), str(where)]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def setup_texts(snapshot: Snapshot) -> dict[str, str]:
    """``{"command": ..., "python": ...}``: the setup for ``glassnet train`` and for Python."""
    problem, setup = snapshot.problem, snapshot.setup
    features, target = ",".join(problem.features), problem.names[2]
    epochs = max(snapshot.epoch, 1)
    command = [
        "glassnet train --data playground-data.csv",
        f"--target {target} --features '{features}'",
        f"--task {problem.task}",
        f"--hidden {','.join(map(str, setup.hidden))}" if setup.hidden else "--hidden ''",
        f"--activation {','.join(setup.activations)}" if setup.activations else "",
        f"--optimizer {setup.optimizer} --lr {setup.learning_rate:g}",
        f"--batch-size {setup.batch_size}" if setup.batch_size else "",
        f"--alpha {setup.l2:g}" if setup.l2 else "",
        f"--dropout {setup.dropout:g}" if setup.dropout else "",
        f"--epochs {epochs} --seed {setup.seed}",
        f"--test-size {1 - setup.train_ratio:.2g} --no-standardize",
        "# glassnet train pairs a sigmoid with cross-entropy" if problem.loss else "",
    ]
    out = io.StringIO()
    out.write("import pandas as pd\n\nimport glassnet as gn\n\n")
    out.write('table = pd.read_csv("playground-data.csv")\n')
    out.write('train, test = table[table.part == "train"], table[table.part == "test"]\n')
    out.write(f"features, target = {list(problem.features)!r}, {target!r}\n")
    out.write(
        f"network = gn.Network({problem.layer_sizes(setup.hidden)!r}, "
        f"hidden={list(setup.activations) or 'relu'!r}, output={problem.output!r}, "
        + (f"loss={problem.loss!r}, " if problem.loss else "")
        + f"random_state={setup.seed})\n"
    )
    batch = setup.batch_size or None
    out.write(
        "history = gn.train(\n"
        "    network, train[features].to_numpy(), train[target].to_numpy(),\n"
        f"    optimizer={setup.optimizer!r}, learning_rate={setup.learning_rate!r}, "
        f"batch_size={batch!r}, epochs={epochs},\n"
        f"    alpha={setup.l2!r}, dropout={setup.dropout or None!r}, random_state={setup.seed},\n"
        "    validation=(test[features].to_numpy(), test[target].to_numpy()),\n"
        ")\n"
    )
    return {"command": " ".join(part for part in command if part), "python": out.getvalue()}
