"""glassnet on Dask: one model on data larger than memory, many models at once.

Installed with the extra ``glassnet[dask]`` and imported only when asked for, so
``import glassnet`` never loads Dask. Each public name is loaded from its module on
first use::

    connect        a Client from "local", "local:N" or "tcp://HOST:PORT"  (cluster.py)
    fit            an estimator fitted on dask arrays, exactly or by local SGD  (fitting.py)
    read_frame     a dask DataFrame from CSV or Parquet files  (frame_reading.py)
    prepare        a dask DataFrame's features and target, preprocessed  (frames.py)
    transform_frame  another frame through the preprocessing prepare fitted  (frames.py)
    from_store     a dask array from a zarr or .npy store on disk  (stores.py)
    run_training   ``glassnet train --dask``: a run on a cluster  (run.py)
    RoundState, SchedulerLost, RoundFailedError
                   what on_round sees; the errors of a lost scheduler, of a round  (cluster.py)
"""

from importlib import import_module
from typing import Any

_HOMES = {
    "connect": "cluster",
    "fit": "fitting",
    "read_frame": "frame_reading",
    "prepare": "frames",
    "transform_frame": "frames",
    "from_store": "stores",
    "run_training": "run",
    "RoundState": "cluster",
    "SchedulerLost": "cluster",
    "RoundFailedError": "cluster",
}

DASK_MODULES = ("dask", "distributed", "dask_ml")  # what the extra glassnet[dask] installs
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'glassnet.distributed' has no attribute {name!r}")
    try:
        home = import_module(f"glassnet.distributed.{_HOMES[name]}")
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in DASK_MODULES:
            raise
        raise ModuleNotFoundError(
            f"glassnet.distributed needs Dask ({error.name} is not installed): "
            "pip install 'glassnet[dask]'",
            name=error.name,
        ) from None
    return getattr(home, name)
