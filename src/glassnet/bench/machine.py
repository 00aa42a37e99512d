"""What a benchmark ran on (the computer, and what each measuring process saw), and memory.

Memory is read from ``/proc/self/status`` on Linux: ``VmRSS`` now, ``VmHWM`` the peak,
which :func:`reset_peak` sets back to the current size, so that the peak of one phase
(training, after the data are made) can be read on its own.
"""

import importlib.metadata
import os
import platform
import resource
from pathlib import Path
from typing import Any

import numpy as np

OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # set, they slow NumPy about 2x
PEER_PACKAGES = ("numpy", "scikit-learn", "torch", "pandas", "threadpoolctl")
MB = 2**20
STATUS = Path("/proc/self/status")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The computer and the libraries: CPU, cores, load average, Python and package versions."""
    versions = {}
    for package in PEER_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": versions,
    }


def seen_by_child() -> dict[str, Any]:
    """The OpenBLAS variables and the thread pools (BLAS, OpenMP) of this process."""
    from threadpoolctl import threadpool_info

    pools = sorted(
        {
            f"{pool.get('internal_api')} {pool.get('version') or ''} "
            f"{pool.get('architecture') or ''} ({pool.get('num_threads')} threads, "
            f"{Path(pool.get('filepath', '')).name})".replace("  ", " ")
            for pool in threadpool_info()
        }
    )
    torch = _torch_threads()
    return {
        **{name: os.environ.get(name, "unset") for name in OPENBLAS_VARIABLES},
        "pools": pools,
        **({"torch_threads": torch} if torch else {}),
        "numpy": np.__version__,
    }


def _torch_threads() -> int | None:
    import sys

    torch = sys.modules.get("torch")
    return None if torch is None else int(torch.get_num_threads())


def _status_mb(field: str) -> float | None:
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB -> MB
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """This process's resident memory now, in MB (2^20 bytes)."""
    now = _status_mb("VmRSS")
    return now if now is not None else peak_mb()


def reset_peak() -> bool:
    """Set the peak resident memory back to the current one; False where Linux does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset VmHWM (Linux >= 4.0)
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """The peak resident memory since the start, or since the last :func:`reset_peak`, in MB."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
