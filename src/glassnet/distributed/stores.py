"""Numbers already on disk as a chunked store, opened as a dask array without reading them.

    a zarr array (or a group holding one array)   ──dask.array.from_zarr──>       its chunks
    a directory written by dask.array.to_npy_stack ──dask.array.from_npy_stack──>  one per file
    a single .npy file ──its rows read from their offset by each task──> blocks of whole rows

Nothing is read here but the stores' headers: each chunk is read by the task that needs
it, on the worker that runs it, so a store far larger than memory trains chunk by chunk.
A ``.npy`` file is never shipped whole, nor mapped into memory: each task reads its own
rows from their byte offset (docs/distributed.md, "Out of core", says why and how large).
"""

from pathlib import Path

import dask
import dask.array as da
import numpy as np

from glassnet.errors import InputError

CHUNK_BYTES = 64 * 2**20  # a single .npy file's rows, per chunk, at most
MIN_CHUNK_BYTES = 2**20  # and at least, whatever the workers' memory
MEMORY_SHARE = 48  # a default chunk is 1/48 of the smallest worker memory limit, at most
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
        Rows per chunk of a single ``.npy`` file. The default is 1/48 of the smallest
        memory limit of the current Dask Client's workers, between 1 and 64 MiB of rows
        (64 MiB without a Client or a limit). The stores keep their own chunks.

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
    step = chunk_rows if chunk_rows is not None else max(1, default_chunk_bytes() // row_bytes)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise InputError(f"chunk_rows must be a whole number of 1 or more, got {chunk_rows!r}")
    read = dask.delayed(_npy_rows, pure=True)
    fortran = mapped.flags.f_contiguous and not mapped.flags.c_contiguous
    offset = int(mapped.offset)  # the header's bytes: rows begin there
    blocks = [
        da.from_delayed(
            read(str(path), start, min(start + step, n), offset, mapped.dtype, rest, fortran),
            (min(step, n - start), *rest),
            dtype=mapped.dtype,
        )
        for start in range(0, n, step)
    ]
    return da.concatenate(blocks) if blocks else da.zeros((0, *rest), dtype=mapped.dtype)


def default_chunk_bytes() -> int:
    """Bytes per default chunk: 1/48 of the current Client's smallest worker memory limit,
    between 1 and 64 MiB; 64 MiB without a Client, workers or limits."""
    from distributed import default_client

    try:
        workers = default_client().scheduler_info(n_workers=-1)["workers"].values()
    except ValueError:  # no Client in this process
        return CHUNK_BYTES
    limits = [int(worker.get("memory_limit") or 0) for worker in workers]
    limits = [limit for limit in limits if limit > 0]  # 0: no limit
    if not limits:
        return CHUNK_BYTES
    return max(MIN_CHUNK_BYTES, min(CHUNK_BYTES, min(limits) // MEMORY_SHARE))


def _npy_rows(
    path: str, start: int, stop: int, offset: int, dtype: np.dtype, rest: tuple, fortran: bool
) -> np.ndarray:
    """Rows ``start:stop`` of a ``.npy`` file, read from their byte offset (no memory map).

    Row r begins at ``offset + r * row_bytes`` in a C-ordered file. A Fortran-ordered
    file's rows are not contiguous: it is read through a memory map, as before.
    """
    if fortran:
        return np.array(np.load(path, mmap_mode="r")[start:stop])
    per_row = int(np.prod(rest))
    row_bytes = dtype.itemsize * per_row
    values = np.fromfile(
        path, dtype=dtype, count=(stop - start) * per_row, offset=offset + start * row_bytes
    )
    return values.reshape((stop - start, *rest))


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
