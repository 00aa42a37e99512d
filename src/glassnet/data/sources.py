"""Where a table's text comes from: a file (compressed or not) or a stream, and its first lines.

    path ──by suffix: .gz .bz2 .xz .zip, else plain──> bytes
    bytes ──first 64 KiB, a UTF-8 byte-order mark dropped──> the sample, decoded (to sniff)
    sample + the rest ──a stream that replays the sample──> pandas, which decodes the rest

pandas reads the bytes and decodes them itself, which keeps the memory of a chunked read
low; an already-decoded text stream (``io.StringIO``) is read as text. Text that does
not decode stops with an error naming the encoding tried and suggesting ``--encoding``.
"""

import bz2
import codecs
import contextlib
import gzip
import hashlib
import io
import lzma
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from glassnet.errors import InputError

SAMPLE_BYTES = 64 * 1024  # read to sniff the delimiter and find the header
READ_BUFFER_BYTES = 64 * 1024  # a replayed stream's buffer
STDIN_NAME = "standard input"


def _open_zip(path: Path, stack: contextlib.ExitStack) -> IO[bytes]:
    archive = stack.enter_context(zipfile.ZipFile(path))
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) != 1:
        names = ", ".join(info.filename for info in members[:5]) or "nothing"
        raise InputError(f"{str(path)!r} holds {names}: a zip file must hold exactly one table")
    return stack.enter_context(archive.open(members[0]))


def _opened(kind: Callable[[Path], Any]) -> Callable[[Path, contextlib.ExitStack], IO[bytes]]:
    return lambda path, stack: stack.enter_context(kind(path))


OPENERS: dict[str, Callable[[Path, contextlib.ExitStack], IO[bytes]]] = {  # by suffix
    ".gz": _opened(gzip.GzipFile),
    ".bz2": _opened(bz2.BZ2File),
    ".xz": _opened(lzma.LZMAFile),
    ".zip": _open_zip,
}


@dataclass
class Source:
    """An open source of CSV text.

    Attributes
    ----------
    stream
        What pandas reads: the whole text, the sample included (bytes, or text).
    sample
        The first lines, decoded: enough to sniff the delimiter and read the header.
    where
        The source's name in messages: ``'data.csv'`` or ``standard input``.
    encoding
        The codec pandas decodes ``stream`` with (None: ``stream`` is text already).
    asked
        The encoding to name in a message, None for the default (UTF-8).
    """

    stream: Any
    sample: str
    where: str
    encoding: str | None
    asked: str | None


def file_fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"file": name, "size": bytes, "sha256": hex digest}`` of a file's bytes."""
    file = Path(path)
    with file.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return {"file": file.name, "size": file.stat().st_size, "sha256": digest.hexdigest()}


def text_encoding(encoding: str | None) -> str:
    """The codec's name for an encoding (default UTF-8), or an error for an unknown one."""
    name = "utf-8" if encoding is None else encoding
    try:
        codec = codecs.lookup(name)
    except LookupError:
        codec = None
    if codec is None or not getattr(codec, "_is_text_encoding", True):  # rot13, base64: no text
        raise InputError(
            f"unknown encoding {name!r}: give a text encoding Python knows, such as utf-8, "
            "latin-1, cp1252"
        )
    return codec.name


def decode_error(where: str, encoding: str | None, error: UnicodeError) -> InputError:
    """The error for text that does not decode: the encoding tried, and --encoding."""
    tried = "UTF-8" if encoding is None else encoding
    if isinstance(error, UnicodeDecodeError):
        byte = error.object[error.start : error.start + 1].hex()
        problem = f"byte 0x{byte} is not {tried} text"
    else:  # utf-16 without its byte-order mark, say
        problem = str(error)
    return InputError(
        f"could not read {where} as a {tried} CSV file: {problem}; "
        "pass the file's encoding with --encoding (latin-1 or cp1252 for most Western "
        "European files)"
    )


def open_source(
    source: str | os.PathLike[str] | IO[str] | IO[bytes],
    encoding: str | None,
    stack: contextlib.ExitStack,
) -> Source:
    """Open a path or take a stream, read its sample; the stream closes with ``stack``."""
    codec = text_encoding(encoding)
    asked = None if codec == "utf-8" else encoding
    stream: Any
    if isinstance(source, str | os.PathLike):
        stream, where = _open_path(Path(source), stack), repr(str(source))
    else:
        name = getattr(source, "name", None)
        named = isinstance(name, str) and not name.startswith("<")
        stream, where = source, repr(name) if named else STDIN_NAME
    if isinstance(stream, io.TextIOBase):
        text = _read_text_sample(stream, where, asked)
        return Source(_Replayed(text, stream), text, where, None, asked)
    head = _read_byte_sample(stream)
    if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    try:  # a character cut at the end of the sample is left for pandas
        sample = codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeError as error:
        raise decode_error(where, asked, error) from None
    return Source(replayed(head, stream), sample, where, codec, asked)


def replayed(head: bytes, rest: IO[bytes]) -> IO[bytes]:
    """A byte stream that gives ``head`` (bytes already read) before the rest of ``rest``."""
    return io.BufferedReader(_ReplayedBytes(head, rest), buffer_size=READ_BUFFER_BYTES)


def _open_path(path: Path, stack: contextlib.ExitStack) -> IO[bytes]:
    where = repr(str(path))
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        if path.exists() and not path.is_dir():  # /dev/zero, a named pipe
            problem = "is not a regular file (a device or a pipe); pipe it in with --data -"
        raise InputError(f"data file {where} {problem}: check the path")
    opener = OPENERS.get(path.suffix.lower(), _opened(lambda file: file.open("rb")))
    try:
        return opener(path, stack)
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise InputError(f"could not open {where}: {error}") from None


def _read_sample(stream: Any) -> Any:
    """The first SAMPLE_BYTES bytes (or characters), or more until they hold the header and a
    row: two line ends (``\n``, or ``\r`` alone in old Mac files). Each block is read and
    counted once, so a 32 MB first line costs its length, not its square."""
    parts = [stream.read(SAMPLE_BYTES)]
    newline, carriage = ("\n", "\r") if isinstance(parts[0], str) else (b"\n", b"\r")
    ends = [parts[0].count(newline), parts[0].count(carriage)]
    while max(ends) < 2:
        more = stream.read(SAMPLE_BYTES)
        if not more:
            break
        parts.append(more)
        ends = [ends[0] + more.count(newline), ends[1] + more.count(carriage)]
    return parts[0][:0].join(parts)


def _read_byte_sample(stream: IO[bytes]) -> bytes:
    try:
        return bytes(_read_sample(stream))
    except (OSError, EOFError, zipfile.BadZipFile) as error:  # a damaged .gz, say
        raise InputError(f"could not read the file: {error}") from None


def _read_text_sample(stream: Any, where: str, asked: str | None) -> str:
    try:
        return str(_read_sample(stream))
    except UnicodeError as error:
        raise decode_error(where, asked, error) from None


class _ReplayedBytes(io.RawIOBase):
    """A byte stream that gives ``head`` (already read, to sniff) before the rest of ``rest``."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            taken, self._head = self._head[: len(view)], self._head[len(view) :]
        else:
            taken = self._rest.read(len(view))
        view[: len(taken)] = taken
        return len(taken)


class _Replayed(io.TextIOBase):
    """A text stream that gives ``head`` (already read, to sniff) before the rest of ``rest``."""

    def __init__(self, head: str, rest: Any) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if not self._head:
            return self._rest.read(-1 if size is None else size)
        if size is None or size < 0:
            text, self._head = self._head + self._rest.read(), ""
            return text
        text, self._head = self._head[:size], self._head[size:]
        return text
