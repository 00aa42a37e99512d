"""A loaded model file as a notebook shows it: its columns, its network, its metadata.

The columns table is ``glassnet train``'s (:mod:`.columns`): each raw column, its role
and what the fitted preprocessing does to it, the target last. A model trained on plain
arrays lists its standardised features (mean and sd) instead.
"""

import json
from html import escape
from typing import Any

from glassnet.runs.model import TrainedModel
from glassnet.viz.html.columns import feature_words, fitted_steps
from glassnet.viz.html.markup import cell, number, table, view
from glassnet.viz.html.network_view import layers_table, network_svg

SHOWN_METADATA = 24  # config and metrics entries shown; the rest are counted


def column_rows(model: TrainedModel) -> list[list[str]]:
    """One row per input column (name, role, what is done to it), then the target's."""
    rows = []
    if model.preprocessor is not None:
        for name, fitted in fitted_steps(model.preprocessor).items():
            role, done = feature_words(fitted, missing=None)
            rows.append([cell(name, column=name), cell(role), cell(done)])
    elif model.standardizer is not None:
        scaler = model.standardizer
        for name, mean, sd in zip(model.feature_names, scaler.mean_, scaler.scale_, strict=True):
            done = f"standardised (mean {number(mean)}, sd {number(sd)})"
            rows.append([cell(name, column=name), cell("numeric"), cell(done)])
    else:
        for name in model.feature_names:
            rows.append([cell(name, column=name), cell("numeric"), cell("as is")])
    target = model.target_name or "target"
    if model.task == "classification" and model.classes_ is not None:
        labels = ", ".join(str(label) for label in model.classes_)
        what = f"classification: {len(model.classes_)} classes ({labels})"
    else:
        scaled = model.target_scaler is not None
        what = "regression" + ("; standardised inside, predictions mapped back" if scaled else "")
    rows.append([cell(target, column=target), cell("target"), cell(what)])
    return rows


def _value(value: Any) -> str:
    if isinstance(value, float):
        return number(value)
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def metadata_table(model: TrainedModel) -> str:
    """The model's config and metrics as name/value rows (long values cut at 80 characters)."""
    entries = [("metrics", k, v) for k, v in model.metrics.items()]
    entries += [("config", k, v) for k, v in model.config.items()]
    rows = [[cell(part), cell(str(k)), cell(_value(v))] for part, k, v in entries[:SHOWN_METADATA]]
    more = len(entries) - SHOWN_METADATA
    caption = "metadata" + (f" (first {SHOWN_METADATA}, {more} more)" if more > 0 else "")
    return table(["part", "name", "value"], rows, caption)


def model_html(model: TrainedModel) -> str:
    """``TrainedModel._repr_html_``: the columns table, the network and the metadata."""
    columns = table(["column", "role", "what is done"], column_rows(model), "columns")
    title = f"TrainedModel: {escape(model.task)}"
    return view(
        columns,
        network_svg(model.network),
        layers_table(model.network),
        metadata_table(model),
        title=title,
    )
