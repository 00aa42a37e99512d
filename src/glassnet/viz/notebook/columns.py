"""What a fitted table encoder did to each column, in words: ``glassnet train``'s column table.

    numeric       median-imputed (44.5), standardised (mean 43.9, sd 5.46)
    categorical   one-hot: 3 categories (Biscoe, Dream, Torgersen)

The imputed values, scales and categories are read from the fitted scikit-learn
objects (:func:`fitted_steps`); :func:`feature_words` writes them. The command line's
summary (:mod:`glassnet.cli.train_summary`) and a model's notebook view share both.
"""

from typing import Any

from glassnet.data.table_choices import CATEGORICAL, NUMERIC

SHOWN_CATEGORIES = 6


def fitted_steps(preprocessor: Any) -> dict[str, dict[str, Any]]:
    """Per raw column, the fitted values that concern it: imputed value, scale, categories."""
    if preprocessor is None:
        return {}
    steps: dict[str, dict[str, Any]] = {}
    transformers = preprocessor.named_transformers_
    for kind, _, columns in preprocessor.transformers_:
        if kind not in (NUMERIC, CATEGORICAL):
            continue
        pipeline = transformers[kind].named_steps
        for j, name in enumerate(columns):
            fitted: dict[str, Any] = {"kind": kind, "fill": pipeline["impute"].statistics_[j]}
            if kind == NUMERIC:
                scaler = pipeline["scale"]
                robust = hasattr(scaler, "center_")  # RobustScaling: median, quartiles, clip
                scaled = robust or scaler.with_std
                center = scaler.center_ if robust else scaler.mean_
                fitted["scale"] = (center[j], scaler.scale_[j]) if scaled else None
                fitted["robust"] = robust
            else:
                fitted["categories"] = list(pipeline["onehot"].categories_[j])
            steps[str(name)] = fitted
    return steps


def feature_words(fitted: dict[str, Any], missing: int | None) -> tuple[str, str]:
    """A feature column's role and what was done to it; ``missing`` None: unknown (a model file)."""
    done = []
    if fitted["kind"] == NUMERIC:
        if missing is None:
            done.append(f"a missing cell gets the median ({_number(fitted['fill'])})")
        elif missing:
            done.append(f"median-imputed ({_number(fitted['fill'])})")
        if fitted["scale"] is not None:
            mean, sd = fitted["scale"]
            if fitted["robust"]:
                done.append(f"robust-scaled (median {_number(mean)}, scale {_number(sd)}), clipped")
            else:
                done.append(f"standardised (mean {_number(mean)}, sd {_number(sd)})")
        return "numeric", ", ".join(done) or "as is (--no-standardize)"
    if missing is None:
        done.append(f"a missing cell gets the most frequent ({fitted['fill']})")
    elif missing:
        done.append(f"most-frequent-imputed ({fitted['fill']})")
    categories = [str(value) for value in fitted["categories"]]
    shown = ", ".join(categories[:SHOWN_CATEGORIES])
    more = (
        f", ... {len(categories) - SHOWN_CATEGORIES} more"
        if len(categories) > SHOWN_CATEGORIES
        else ""
    )
    done.append(f"one-hot: {len(categories)} categories ({shown}{more})")
    return "categorical", ", ".join(done)


def _number(value: float) -> str:
    return f"{float(value):.4g}"
