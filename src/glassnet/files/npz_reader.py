"""Read an ``.npz`` archive safely: every size and header is checked before data is read.

``np.load`` trusts a file: its ``.npy`` headers say how much to allocate, its zip
entries may be compressed a thousandfold, and an object array would unpickle
code. :class:`NpzReader` reads only what a glassnet model file may hold:

    signature       a zip archive (a pickle or a bare ``.npy`` is refused unread)
    members         exactly the expected entries, each listed once
    compression     stored, or deflate; all entries together inflate the file at most
                    :data:`MAX_INFLATION` times (``save`` never compresses)
    header          ``.npy`` version 1.0 or 2.0, a header under 10,000 bytes
    dtype, shape    as the caller expects, and as many data bytes as they imply

Any problem raises :class:`BadFileError` with what is wrong (:func:`reading` turns the
zip and NumPy readers' errors into one); :func:`glassnet.files.model_file.load` adds the
file's name.
"""

import contextlib
import json
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

MAX_HEADER_SIZE = 10_000  # bytes of a .npy header, as numpy's own limit
MAX_JSON_BYTES = 64 * 2**20
MAX_JSON_DEPTH = 64  # nested lists and objects; a glassnet file nests under 50 deep
MAX_INFLATION = 16  # sum of the entries' sizes <= 16 x the file's (+ INFLATION_SLACK)
INFLATION_SLACK = 2**16
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
READ_ERRORS = (  # what reading a damaged or hostile archive raises; never a bug of ours
    OSError,  # also zipfile's truncated reads
    EOFError,
    ValueError,  # also UnicodeError; NumPy's header parser on a garbled header
    RuntimeError,  # an entry marked encrypted; also NotImplementedError (compression method)
    OverflowError,  # a header whose numbers do not fit
    zipfile.BadZipFile,  # also a bad CRC-32
    zipfile.LargeZipFile,
    struct.error,  # a zip header cut short
    zlib.error,  # a garbled deflate stream
)
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class BadFileError(Exception):
    """A problem with a file's content; :func:`glassnet.files.load` adds the path and re-raises."""


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Turn what the zip and NumPy readers raise on a damaged file into :class:`BadFileError`."""
    try:
        yield
    except READ_ERRORS as error:
        raise BadFileError(
            f"it is damaged or not a glassnet model ({type(error).__name__}: {error})"
        ) from error


def check_signature(path: Path) -> None:
    """Refuse anything but a zip archive from its first bytes, without parsing it.

    Raises
    ------
    BadFileError
        For a missing or empty file, a folder, a pickle (never unpickled), a bare
        ``.npy`` array, or any other content.
    """
    if not path.exists():
        raise BadFileError("no such file")
    if not path.is_file():
        raise BadFileError("not a regular file")
    with path.open("rb") as handle:
        head = handle.read(6)
    if head[:4] in ZIP_SIGNATURES:  # a zip archive, as np.savez writes
        return
    if not head:
        raise BadFileError("the file is empty")
    if head[:1] == b"\x80":
        raise BadFileError(
            "it is a Python pickle; glassnet never loads pickles, because loading a pickle "
            "runs code from the file. Save models with glassnet.save"
        )
    if head == b"\x93NUMPY":
        raise BadFileError("it holds a single NumPy array (.npy), not a glassnet model archive")
    raise BadFileError(
        "not an .npz (zip) archive; glassnet model files are written by glassnet.save"
    )


class NpzReader:
    """An open ``.npz`` archive whose entries are read only after their headers are checked.

    Use it as a context manager: ``with NpzReader(path) as reader: ...``.

    Parameters
    ----------
    path
        The archive; its signature is checked before it is opened.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with reading():
            check_signature(self.path)
            self.size = self.path.stat().st_size  # bounds what any entry may claim
            self._file = self.path.open("rb")  # ours to close: np.load leaks its own on a bad zip
            try:
                self._npz = np.load(self._file, allow_pickle=False)
            except BaseException:
                self._file.close()
                raise
        self.archive: zipfile.ZipFile = self._npz.zip
        self._check_inflation()

    def __enter__(self) -> "NpzReader":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _check_inflation(self) -> None:
        """Refuse entries that together claim more bytes than the file can honestly hold.

        ``save`` writes stored entries, whose sizes add up to the file's; a compressed
        copy (``np.savez_compressed``) is read too, but a few kilobytes that inflate to
        megabytes (a zip bomb, or overlapping entries) are refused before any is read.
        """
        claimed = sum(info.file_size for info in self.archive.infolist())
        allowed = MAX_INFLATION * self.size + INFLATION_SLACK  # bytes = 16 x file + 64 KiB
        if claimed > allowed:
            self.close()
            raise BadFileError(
                f"its entries claim {claimed} bytes, more than {MAX_INFLATION} times the "
                f"file's {self.size}: it is a compression bomb, or damaged"
            )

    def close(self) -> None:
        """Close the archive and the file."""
        self._npz.close()
        self._file.close()

    def names(self) -> list[str]:
        """The arrays (``.npy`` entries) in the archive, without the suffix, as listed."""
        return [name[:-4] for name in self.archive.namelist() if name.endswith(".npy")]

    def check_members(self, expected: Collection[str]) -> None:
        """Require exactly the arrays ``expected``, each listed once."""
        listed = self.archive.namelist()
        if len(set(listed)) != len(listed):
            raise BadFileError("the archive lists an entry twice")
        wanted = {f"{name}.npy" for name in expected}
        missing = sorted(wanted - set(listed))
        if missing:
            raise BadFileError(f"missing array(s) {', '.join(n[:-4] for n in missing)}")
        unexpected = sorted(set(listed) - wanted)
        if unexpected:
            raise BadFileError(
                f"unexpected entr(y/ies) {', '.join(unexpected[:10])}: expected only "
                f"{', '.join(sorted(expected))}"
            )

    def read_json(self, name: str) -> Any:
        """Parse the 1-D uint8 array ``name`` as UTF-8 JSON (NaN and Infinity refused)."""
        raw = self.read_array(name, np.dtype(np.uint8), None)
        try:
            parsed = json.loads(raw.tobytes().decode("utf-8"), parse_constant=_not_json)
        except UnicodeDecodeError:
            raise BadFileError(f"the {name} is not UTF-8 text") from None
        except (ValueError, RecursionError) as error:  # RecursionError: thousands of levels
            raise BadFileError(f"the {name} is not valid JSON ({error})") from None
        if json_depth(parsed) > MAX_JSON_DEPTH:
            raise BadFileError(f"the {name} is nested deeper than {MAX_JSON_DEPTH} levels")
        return parsed

    def read_finite(self, name: str, dtype: np.dtype, shape: tuple[int, ...]) -> NDArray[Any]:
        """Read a float array of exactly ``dtype`` and ``shape``; NaN or inf is refused."""
        array = self.read_array(name, dtype, shape)
        if not np.isfinite(array).all():
            raise BadFileError(f"array {name} contains NaN or inf")
        return np.ascontiguousarray(array)

    def read_array(self, name: str, dtype: np.dtype, shape: tuple[int, ...] | None) -> NDArray[Any]:
        """Read ``name.npy`` after checking its header: dtype, shape (None: 1-D JSON), size."""
        with reading():
            info = self.archive.getinfo(f"{name}.npy")
            self._check_compression(info, name)
            found_shape, found_dtype, header_size = self._read_header(info, name)
            if found_dtype != dtype:
                raise BadFileError(f"array {name} has dtype {found_dtype}, expected {dtype.name}")
            if shape is None and (len(found_shape) != 1 or found_shape[0] > MAX_JSON_BYTES):
                raise BadFileError(f"array {name} must be 1-D and at most {MAX_JSON_BYTES} bytes")
            if shape is not None and found_shape != shape:
                raise BadFileError(
                    f"array {name} has shape {found_shape}, but the metadata implies {shape}"
                )
            n_bytes = math.prod(found_shape) * dtype.itemsize
            if info.file_size != header_size + n_bytes:
                raise BadFileError(
                    f"array {name} holds {info.file_size - header_size} data bytes, "
                    f"its shape needs {n_bytes}"
                )
            with self.archive.open(info) as handle:
                return np.lib.format.read_array(handle, allow_pickle=False)

    def _check_compression(self, info: zipfile.ZipInfo, name: str) -> None:
        """Bound what reading an entry can allocate by the size of the file itself."""
        if info.compress_size > self.size:
            raise BadFileError(f"array {name} claims more bytes than the file has: it is truncated")
        if info.compress_type == zipfile.ZIP_STORED:
            if info.file_size != info.compress_size:
                raise BadFileError(f"array {name} has inconsistent sizes in the archive")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if info.file_size > MAX_INFLATION * info.compress_size + INFLATION_SLACK:
                raise BadFileError(
                    f"array {name} inflates more than {MAX_INFLATION} times: a compression bomb"
                )
        else:
            raise BadFileError(
                f"array {name} uses compression method {info.compress_type}, not stored"
            )

    def _read_header(
        self, info: zipfile.ZipInfo, name: str
    ) -> tuple[tuple[int, ...], np.dtype, int]:
        """The .npy header's shape and dtype, and where the data starts, without reading data."""
        with self.archive.open(info) as handle:
            version = np.lib.format.read_magic(handle)
            reader = _HEADER_READERS.get(version)
            if reader is None:
                raise BadFileError(
                    f"array {name} uses .npy version {version}; glassnet reads 1.0 and 2.0"
                )
            shape, _fortran_order, dtype = reader(handle, max_header_size=MAX_HEADER_SIZE)
            return shape, dtype, handle.tell()


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar: 0), without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth + 1)
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON (save writes NaN and inf as null)")
