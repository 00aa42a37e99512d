"""glassnet on Dask: one model on data larger than memory, many models at once.

Installed with the extra ``glassnet[dask]`` and imported only when asked for, so
``import glassnet`` never loads Dask: each public name (docs/distributed.md) is loaded from
its module (``_HOMES``) on first use.
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
