"""Numbers already on disk as a chunked store, opened as a dask array without reading them.

    a zarr array (or a group holding one array)   ──dask.array.from_zarr──>       its chunks
    a directory written by dask.array.to_npy_stack ──dask.array.from_npy_stack──>  one per file
    a single .npy file ──opened as a memory map in each task──> blocks of whole rows

Nothing is read here but the stores' headers: each chunk is read by the task that needs
it, on the worker that runs it, so a store far larger than memory trains chunk by chunk.
A ``.npy`` file is never shipped whole: each task maps the file and copies its own rows.
"""

from pathlib import Path

import dask
import dask.array as da
import numpy as np

from glassnet.errors import InputError

CHUNK_BYTES = 64 * 2**20  # a single .npy file's rows, per chunk
ZARR_MARKERS = ("zarr.json", ".zarray", ".zgroup")  # zarr 3, zarr 2 array, zarr 2 group
NPY_STACK_MARKER = "info"  # the file dask.array.to_npy_stack writes beside 0.npy, 1.npy, ...


def from_store(path: str | Path, *, chunk_rows: int | None = None) -> da.Array:
    """A dask array of the numbers in a zarr store, a ``.npy`` stack or a ``.npy`` file.

    Parameters
    ----------
    path
        A zarr array's directory (or a group's, when it holds exactly one array), a
        directory written by :func:`dask.array.to_npy_stack`, or a ``.npy`` file.
    chunk_rows
        Rows per chunk of a single ``.npy`` file (default: about 64 MiB of rows). The
        stores keep their own chunks.

    Returns
    -------
    dask.array.Array
        Lazy, with known chunk sizes, chunked along the rows only when the store is.

    Raises
    ------
    InputError
        A path that does not exist, a directory that is no store, a group without
        exactly one array, numbers that are not numbers (text, objects).
    """
    path = Path(path)
    where = repr(str(path))
    if not path.exists():
        raise InputError(f"store {where} does not exist: check the path")
    if path.is_file():
        if path.suffix.lower() != ".npy":
            raise InputError(
                f"{where} is a file but not a .npy file: a store is a .npy file, a directory "
                "written by dask.array.to_npy_stack, or a zarr store"
            )
        array = _from_npy_file(path, where, chunk_rows)
    elif (path / NPY_STACK_MARKER).is_file():
        array = da.from_npy_stack(str(path), mmap_mode="r")
    elif any((path / marker).is_file() for marker in ZARR_MARKERS):
        array = _from_zarr(path, where)
    else:
        raise InputError(
            f"{where} is a directory but not a store: no zarr.json or .zarray (zarr) and no "
            f"{NPY_STACK_MARKER!r} file (dask.array.to_npy_stack)"
        )
    if array.dtype.kind not in "biuf":
        raise InputError(
            f"store {where} holds {array.dtype} values, not numbers: a network trains on "
            "numbers (preprocess text columns first, e.g. with glassnet.distributed.prepare)"
        )
    return array


def _from_npy_file(path: Path, where: str, chunk_rows: int | None) -> da.Array:
    try:
        mapped = np.load(path, mmap_mode="r")  # reads the header only
    except (ValueError, OSError) as error:
        raise InputError(f"could not open {where} as a .npy file: {error}") from None
    if mapped.dtype.kind not in "biuf" or mapped.ndim == 0:
        raise InputError(
            f"store {where} holds {mapped.dtype} values of shape {mapped.shape}, not an array "
            "of numbers: a network trains on numbers"
        )
    n, rest = mapped.shape[0], mapped.shape[1:]
    row_bytes = max(1, mapped.itemsize * int(np.prod(rest)))
    step = chunk_rows if chunk_rows is not None else max(1, CHUNK_BYTES // row_bytes)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise InputError(f"chunk_rows must be a whole number of 1 or more, got {chunk_rows!r}")
    read = dask.delayed(_npy_rows, pure=True)
    blocks = [
        da.from_delayed(
            read(str(path), start, min(start + step, n)),
            (min(step, n - start), *rest),
            dtype=mapped.dtype,
        )
        for start in range(0, n, step)
    ]
    return da.concatenate(blocks) if blocks else da.zeros((0, *rest), dtype=mapped.dtype)


def _npy_rows(path: str, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of a ``.npy`` file, copied out of its memory map."""
    return np.array(np.load(path, mmap_mode="r")[start:stop])


def _from_zarr(path: Path, where: str) -> da.Array:
    import zarr

    try:
        node = zarr.open(str(path), mode="r")
    except (ValueError, OSError, KeyError) as error:
        raise InputError(f"could not open {where} as a zarr store: {error}") from None
    if isinstance(node, zarr.Group):
        arrays = sorted(name for name, _ in node.arrays())
        if len(arrays) != 1:
            found = ", ".join(arrays) or "none"
            raise InputError(
                f"zarr group {where} holds {len(arrays)} arrays ({found}): give the path of one "
                f"of them ({where[:-1]}/NAME')"
            )
        node = node[arrays[0]]
    return da.from_zarr(node)
