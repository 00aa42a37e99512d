"""What report.html says in words: the run's summary, recipe, columns, history, model and data.

Each function takes what the folder recorded (config.json and metrics.json as dicts,
history.csv's path) and returns escaped HTML, or "" when the folder did not record it.
"""

import csv
import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from glassnet.viz.figures import data_title, metric_label
from glassnet.viz.html.columns import dates_written
from glassnet.viz.report_raw import matrix_table, scalar, text

PARTS = (("n_train", "training"), ("n_validation", "validation"), ("n_test", "held-out"))


def _number(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}"


def _rows(value: int) -> str:
    return f"{value:,} row{'s' if value != 1 else ''}"


def title(config: Mapping[str, Any]) -> str:
    """The data's name for the page's title: a glob's is its folder's."""
    described = config.get("dataset")
    name = described.get("name") if isinstance(described, Mapping) else None
    return data_title(str(name or config.get("data", "run")), str(config.get("data", "")))


def summary(config: Mapping[str, Any], metrics: Mapping[str, Any]) -> str:
    """The run in a few sentences: its scores with their rows, the network, the training."""
    if not metrics:
        return ""
    lines = [_scores(metrics), _network(config), _training(config, metrics)]
    return "".join(f"<p>{line}</p>" for line in lines if line)


def _scores(metrics: Mapping[str, Any]) -> str:
    key = str(metrics.get("metric", "accuracy"))
    said = []
    for part, where in (("test", "n_test"), ("validation", "n_validation"), ("train", "n_train")):
        score, n = metrics.get(f"{part}_{key}"), metrics.get(where)
        if not isinstance(score, int | float) or not n:
            continue
        name = {"test": "held-out", "train": "training"}.get(part, part)
        shown = f"{score:.1%}" if key == "accuracy" else _number(score, 3)
        rmse = metrics.get(f"{part}_rmse")
        if isinstance(rmse, int | float):
            shown += f", RMSE {_number(rmse)} in the target's units"
        said.append(f"{text(name)} {text(metric_label(key))} <b>{text(shown)}</b> ({_rows(n)})")
    if not said:
        return ""
    return "Scores: " + "; ".join(said) + "."


def _network(config: Mapping[str, Any]) -> str:
    sizes = config.get("layer_sizes")
    if not isinstance(sizes, list) or len(sizes) < 2:
        return ""
    activations = [*(config.get("activation") or []), config.get("output") or "output"]
    if len(activations) != len(sizes) - 1:  # one hidden activation named for every layer
        activations = [activations[0]] * (len(sizes) - 2) + [activations[-1]]
    layers = [str(sizes[0])] + [f"{n} {g}" for n, g in zip(sizes[1:], activations, strict=True)]
    return f"Network: {text(' → '.join(layers))}, {parameter_count(sizes):,} parameters."


def parameter_count(sizes: list[int]) -> int:
    """Weights and biases of a network of ``sizes``: sum of n[l-1] * n[l] + n[l]."""
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


def _training(config: Mapping[str, Any], metrics: Mapping[str, Any]) -> str:
    passes = "iterations" if config.get("batch_size") is None else "epochs"
    how = "full-batch" if config.get("batch_size") is None else f"batches of {config['batch_size']}"
    optimizer = {"gd": "gradient descent"}.get(
        str(config.get("optimizer")), config.get("optimizer")
    )
    run, asked = metrics.get("epochs_run"), metrics.get("epochs_requested")
    if not isinstance(run, int) or not isinstance(asked, int):
        return ""
    done = f"{run:,} of {asked:,}"
    line = (
        f"Training: {done} {passes} of {how} {optimizer}, learning rate "
        f"{scalar(config.get('lr'))} ({metrics.get('stop_reason', 'stopped')})"
    )
    seconds = metrics.get("seconds")
    if isinstance(seconds, int | float):
        line += f", in {seconds:.2f} s"
    cost = metrics.get("final_cost")
    if isinstance(cost, int | float):
        line += f"; final training cost {_number(cost)}"
        if metrics.get("cost_of"):
            line += f" (of the {metrics['cost_of']})"
    return text(line + ".")


def confusion(metrics: Mapping[str, Any]) -> str:
    """The confusion matrix in words and as a table: rows true class, columns predicted."""
    counts, classes = metrics.get("confusion_matrix"), metrics.get("classes")
    if not isinstance(counts, list) or not isinstance(classes, list) or not counts:
        return ""
    total = sum(sum(row) for row in counts)
    right = sum(counts[i][i] for i in range(len(counts)))
    part = metrics.get("confusion_matrix_part", "held-out")
    said = f"{right:,} of {total:,} {part} rows classified right ({right / max(total, 1):.1%})."
    return f"<p>{text(said)}</p>" + matrix_table(counts, classes)


def recipe(config: Mapping[str, Any]) -> str:
    """Which recipe chose the defaults, and why each default is what it is."""
    name = config.get("recipe")
    if not name:
        return ""
    reasons = config.get("recipe_reasons") or {}
    head = f"<p>Recipe: <b>{text(name)}</b>.</p>"
    if not isinstance(reasons, Mapping) or not reasons:
        return head
    items = "".join(
        f"<dt>{text(_set_to(config, key))}</dt><dd>{text(why)}</dd>" for key, why in reasons.items()
    )
    return head + f"<dl>{items}</dl>"


def _set_to(config: Mapping[str, Any], key: str) -> str:
    """``hidden = 64, 64``: an option and the value the run used, or the option alone."""
    if key not in config or key == "recipe":
        return key
    value = config[key]
    shown = ", ".join(scalar(v) for v in value) if isinstance(value, list) else scalar(value)
    return f"{key} = {shown}"


def model(folder: Path, config: Mapping[str, Any]) -> str:
    """The model's size: layers, parameters, the model file's bytes."""
    sizes = config.get("layer_sizes")
    facts = []
    if isinstance(sizes, list) and len(sizes) > 1:
        facts.append(("layers", " → ".join(str(size) for size in sizes)))
        facts.append(("parameters", f"{parameter_count(sizes):,} weights and biases"))
    path = folder / "model.npz"
    if path.is_file():
        facts.append(("model.npz", f"{path.stat().st_size / 1024:,.1f} KiB"))
    return _facts(facts)


def data(config: Mapping[str, Any], metrics: Mapping[str, Any]) -> str:
    """The data: what it is, its size, the file's fingerprint, the split."""
    recorded = config.get("dataset")
    described: Mapping[str, Any] = recorded if isinstance(recorded, Mapping) else {}
    facts = [("data", str(config.get("data", "")))]
    if described.get("description"):
        facts.append(("described", str(described["description"])))
    if described.get("n_samples") is not None:
        shape = f"{described['n_samples']:,} rows, {described.get('n_features', '?')} features"
        facts.append(("size", shape + " (after encoding)"))
    fingerprint = config.get("data_file")
    if isinstance(fingerprint, Mapping):
        facts.append(("file", f"{fingerprint.get('file')}, {fingerprint.get('size', 0):,} bytes"))
        facts.append(("sha256", str(fingerprint.get("sha256"))))
    elif described:
        facts.append(("source", f"generated by glassnet, seed {config.get('seed')}"))
    split = [f"{_rows(metrics[key])} {name}" for key, name in PARTS if metrics.get(key)]
    if split:
        facts.append(("split", ", ".join(split) + f" (seed {config.get('seed')})"))
    return _facts(facts)


def _facts(facts: list[tuple[str, str]]) -> str:
    if not facts:
        return ""
    items = "".join(f"<dt>{text(label)}</dt><dd>{text(value)}</dd>" for label, value in facts)
    return f"<dl>{items}</dl>"


def columns(config: Mapping[str, Any]) -> str:
    """A table's columns and what the run decided for each: target, feature, left out."""
    record = config.get("columns")
    if not isinstance(record, Mapping):
        return ""
    scaled = "standardised" if config.get("standardize", True) else "as is"
    if config.get("scaling") == "robust":
        scaled = "robust-scaled (median, quartiles)"
    decided = [(name, "target", str(config.get("task_reason", ""))) for name in record["targets"]]
    decided += [(name, "numeric", scaled) for name in record.get("numeric", [])]
    names = (config.get("dataset") or {}).get("feature_names") or []
    for name in record.get("categorical", []):
        count = sum(1 for feature in names if str(feature).startswith(f"{name}_"))
        decided.append((name, "categorical", f"one-hot: {count} categories"))
    dates = record.get("dates", {})
    decided += [(name, "date", dates_written(written)) for name, written in dates.items()]
    decided += [(name, "left out", str(why)) for name, why in record.get("left_out", {}).items()]
    head = "<tr><th>column</th><th>role</th><th>what was done</th></tr>"
    rows = "".join(
        f"<tr><th>{text(name)}</th><td>{text(role)}</td><td>{text(done)}</td></tr>"
        for name, role, done in decided
    )
    return "<table>" + head + rows + "</table>"


def history(path: Path, metric: str) -> str:
    """The first, best and last epochs of history.csv: cost, validation cost and metric."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return ""
    if not rows or "cost" not in rows[0]:
        return ""
    names = ["cost", "val_cost", "val_metric"]
    shown = [name for name in names if any(_finite(row.get(name)) for row in rows)]
    judged = "val_cost" if "val_cost" in shown else "cost"
    best = min(range(len(rows)), key=lambda i: _value_or_inf(rows[i].get(judged)))
    picked = {"first": 0, f"best ({'validation ' if judged == 'val_cost' else ''}cost)": best}
    picked["last"] = len(rows) - 1
    headings = {"cost": "cost", "val_cost": "validation cost"}
    headings["val_metric"] = f"validation {metric_label(metric)}"
    head = "<tr><th></th><th>epoch</th>" + "".join(
        f"<th>{text(headings[name])}</th>" for name in shown
    )
    lines = [head + "</tr>"]
    for label, i in picked.items():
        cells = "".join(f'<td class="num">{_cell(rows[i].get(name))}</td>' for name in shown)
        lines.append(f'<tr><th>{text(label)}</th><td class="num">{text(rows[i].get("epoch"))}</td>')
        lines[-1] += cells + "</tr>"
    return "<table>" + "".join(lines) + "</table>"


def _finite(cell: str | None) -> bool:
    return math.isfinite(_value_or_inf(cell))


def _value_or_inf(cell: str | None) -> float:
    try:
        value = float(cell or "nan")
    except ValueError:
        return math.inf
    return value if math.isfinite(value) else math.inf


def _cell(cell: str | None) -> str:
    return text(_number(_value_or_inf(cell), 6)) if _finite(cell) else "—"
