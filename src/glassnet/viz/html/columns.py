"""What a fitted table encoder did to each column, in words: ``glassnet train``'s column table.

    numeric       median-imputed (44.5), standardised (mean 43.9, sd 5.46)
    categorical   one-hot: 3 categories (Biscoe, Dream, Torgersen)
    categorical   a missing cell is the category "(missing)"; one-hot: 2 categories (...)
    date          dates written dd.mm.yyyy, as 5 numbers: year, day of year (sin, cos),
                  day of week (sin, cos); standardised (year: mean 2022, sd 0.71)

The imputed values, scales, categories and date formats are read from the fitted
scikit-learn objects (:func:`fitted_steps`); :func:`feature_words` writes them. The
command line's summary (:mod:`glassnet.cli.train_summary`) and a model's notebook view
share both. The encoders' names are imported when a preprocessor is read, so ``glassnet
--help`` loads no pandas.
"""

from typing import Any

from glassnet.data.table_choices import CATEGORICAL, NUMERIC

SHOWN_CATEGORIES = 6
DATE = "date"  # a date column's kind, as the table shows it
DATE_PARTS = "year, day of year (sin, cos), day of week (sin, cos)"  # DateEncoder's PARTS


def fitted_steps(preprocessor: Any) -> dict[str, dict[str, Any]]:
    """Per raw column, the fitted values that concern it: imputed value, scale, categories,
    and a date column's format (the year's imputed value and scale standing for its five)."""
    from glassnet.data.column_encoders import DATES, MISSING_AS_CATEGORY

    if preprocessor is None:
        return {}
    steps: dict[str, dict[str, Any]] = {}
    readers = {
        NUMERIC: _numeric_step,
        CATEGORICAL: _categorical_step,
        MISSING_AS_CATEGORY: _categorical_step,
        DATES: _date_step,
    }
    for kind, _, columns in preprocessor.transformers_:
        if kind in readers:
            pipeline = preprocessor.named_transformers_[kind].named_steps
            for j, name in enumerate(columns):
                steps[str(name)] = readers[kind](pipeline, j)
    return steps


def _numeric_step(pipeline: Any, j: int) -> dict[str, Any]:
    return {"kind": NUMERIC, "fill": pipeline["impute"].statistics_[j], **_scale(pipeline, j)}


def _categorical_step(pipeline: Any, j: int) -> dict[str, Any]:
    from glassnet.data.column_encoders import MISSING_CATEGORY

    imputer = pipeline["impute"]
    own = imputer.strategy == "constant"  # a missing cell is a category of its own
    return {
        "kind": CATEGORICAL,
        "fill": MISSING_CATEGORY if own else imputer.statistics_[j],
        "own_category": own,
        "categories": list(pipeline["onehot"].categories_[j]),
    }


def _date_step(pipeline: Any, j: int) -> dict[str, Any]:
    from glassnet.data.date_encoder import PARTS

    first = len(PARTS) * j  # the column's year: its first of five numbers
    year = {"kind": DATE, "format": pipeline["parse"].formats[j]}
    return year | {"fill": pipeline["impute"].statistics_[first], **_scale(pipeline, first)}


def _scale(pipeline: Any, j: int) -> dict[str, Any]:
    """The scaler's centre and scale of output ``j`` (None when it does not scale)."""
    scaler = pipeline["scale"]
    robust = hasattr(scaler, "center_")  # RobustScaling: median, quartiles, clip
    scaled = robust or scaler.with_std
    center = scaler.center_ if robust else scaler.mean_
    return {"scale": (center[j], scaler.scale_[j]) if scaled else None, "robust": robust}


def feature_words(fitted: dict[str, Any], missing: int | None) -> tuple[str, str]:
    """A feature column's role and what was done to it; ``missing`` None: unknown (a model file)."""
    words = {NUMERIC: _numeric_words, CATEGORICAL: _categorical_words, DATE: _date_words}
    return fitted["kind"], words[fitted["kind"]](fitted, missing)


def _filled(missing: int | None, unknown: str, counted: str) -> list[str]:
    """How missing cells are filled: ``unknown`` for a model file, ``counted`` if any were."""
    if missing is None:
        return [unknown]
    return [counted] if missing else []


def _numeric_words(fitted: dict[str, Any], missing: int | None) -> str:
    fill = _number(fitted["fill"])
    done = _filled(missing, f"a missing cell gets the median ({fill})", f"median-imputed ({fill})")
    done += _scale_words(fitted, "")
    return ", ".join(done) or "as is (--no-standardize)"


def _categorical_words(fitted: dict[str, Any], missing: int | None) -> str:
    fill = fitted["fill"]
    if fitted.get("own_category"):
        done = [f"a missing cell is the category {fill!r}"]
    else:
        unknown = f"a missing cell gets the most frequent ({fill})"
        done = _filled(missing, unknown, f"most-frequent-imputed ({fill})")
    categories = [str(value) for value in fitted["categories"]]
    shown = ", ".join(categories[:SHOWN_CATEGORIES])
    more = (
        f", ... {len(categories) - SHOWN_CATEGORIES} more"
        if len(categories) > SHOWN_CATEGORIES
        else ""
    )
    done.append(f"one-hot: {len(categories)} categories ({shown}{more})")
    return ", ".join(done)


def dates_written(date_format: str) -> str:
    """A date column's strftime format as a person writes it (``%d.%m.%Y``: ``dd.mm.yyyy``),
    and the five numbers it becomes."""
    written = date_format.replace("%Y", "yyyy").replace("%m", "mm").replace("%d", "dd")
    return f"dates written {written}, as 5 numbers: {DATE_PARTS}"


def _date_words(fitted: dict[str, Any], missing: int | None) -> str:
    parts = dates_written(fitted["format"])
    year = _number(fitted["fill"])
    unknown = f"a missing or unreadable date gets the medians (year {year})"
    done = _filled(missing, unknown, f"median-imputed (year {year})")
    done += _scale_words(fitted, "year: ")
    return f"{parts}; {', '.join(done)}" if done else parts


def _scale_words(fitted: dict[str, Any], which: str) -> list[str]:
    if fitted["scale"] is None:
        return []
    center, scale = (_number(value) for value in fitted["scale"])
    if fitted["robust"]:
        return [f"robust-scaled ({which}median {center}, scale {scale}), clipped"]
    return [f"standardised ({which}mean {center}, sd {scale})"]


def _number(value: float) -> str:
    return f"{float(value):.4g}"
