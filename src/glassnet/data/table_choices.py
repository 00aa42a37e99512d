"""The choices a table's options take, named without importing pandas or scikit-learn.

The command line's options and a run's config check against these names, so
``glassnet --help`` and ``glassnet train --help`` load no table library. The readers and
encoders that act on them (:mod:`glassnet.data.tabular`, :mod:`glassnet.data.table_encoder`,
:mod:`glassnet.data.rows`) import them from here.
"""

from glassnet.errors import InputError

NAN_POLICIES = ("impute", "skip", "error")  # --nan: bad cells imputed, rows skipped, or refused
SCALINGS = ("standard", "robust")  # --scaling: (x - mean) / sd, or robust with smooth clipping
NUMERIC, CATEGORICAL = "numeric", "categorical"  # the transformers' names in the ColumnTransformer
DEFAULT_CHUNK_SIZE = 10_000  # rows a table is read (and predicted) in at a time


def check_nan_policy(nan: str) -> None:
    """Refuse (InputError, listing them) a ``nan`` policy not in :data:`NAN_POLICIES`."""
    if nan not in NAN_POLICIES:
        raise InputError(f"nan must be one of {', '.join(NAN_POLICIES)}, got {nan!r}")
