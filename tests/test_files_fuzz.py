"""Fuzz: genuine model files, mutated thousands of ways, load or raise ModelFileError, cheaply.

Three genuine files (an estimator with a RandomState, a pipeline with a ColumnTransformer,
a CLI run's ``model.npz``) are mutated in five families: bytes flipped, truncated or
spliced; zip members swapped, dropped, renamed or duplicated; JSON values changed, nested
and enlarged; ``.npy`` headers altered; members compressed (with a bomb among them).

The loads run in a forked process under ``RLIMIT_AS``, and each load's peak resident
memory is read from ``VmHWM`` (reset before each load through ``/proc/self/clear_refs``).
Every outcome must be a load or a :class:`ModelFileError`, none taking more than 10 times
the file's size plus 64 MiB. The counts are printed (``pytest -s``).
"""

import io
import json
import multiprocessing
import resource
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet
from glassnet.errors import ModelFileError
from test_files_resources import make_genuine_files

N_CASES, N_PER_CASE = 4, 520  # 2,080 mutated files in all
ALLOWANCE = 64 * 2**20  # bytes a load may take beyond 10 x the file's size
Members = list[tuple[str, bytes]]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Members]:
    files = make_genuine_files(tmp_path_factory.mktemp("genuine"))
    return [members(path.read_bytes()) for path in files.values()]


def members(data: bytes) -> Members:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def zipped(entries: Members, deflate: frozenset[str] = frozenset()) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # a duplicated name, on purpose
        for name, data in entries:
            method = zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def split_npy(data: bytes) -> tuple[dict[str, Any], bytes]:
    handle = io.BytesIO(data)
    version = np.lib.format.read_magic(handle)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else None
    reader = reader or np.lib.format.read_array_header_2_0
    shape, fortran, dtype = reader(handle)
    header = {
        "shape": shape,
        "fortran_order": fortran,
        "descr": np.lib.format.dtype_to_descr(dtype),
    }
    return header, data[handle.tell() :]


def join_npy(header: dict[str, Any], body: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    """A ``.npy`` of ``header`` (any version number, as a hostile file may say) and ``body``."""
    text = repr(header).encode("latin1")
    size_format = "<H" if version == (1, 0) else "<I"
    prefix = 6 + 2 + struct.calcsize(size_format)
    text += b" " * (-(prefix + len(text) + 1) % 64) + b"\n"  # the data starts 64-aligned
    return b"\x93NUMPY" + bytes(version) + struct.pack(size_format, len(text)) + text + body


def metadata_of(entries: Members) -> dict[str, Any]:
    raw = dict(entries)["metadata.npy"]
    return json.loads(np.load(io.BytesIO(raw), allow_pickle=False).tobytes())


def with_metadata(entries: Members, metadata: Any, text: str | None = None) -> Members:
    blob = np.frombuffer((text or json.dumps(metadata)).encode(), np.uint8)
    handle = io.BytesIO()
    np.save(handle, blob, allow_pickle=False)
    return [(n, handle.getvalue() if n == "metadata.npy" else d) for n, d in entries]


# --- the five families -----------------------------------------------------------------


def mutate_bytes(entries: Members, others: list[Members], rng: np.random.Generator) -> bytes:
    data = bytearray(zipped(entries))
    action = rng.integers(3)
    if action == 0:
        for position in rng.integers(0, len(data), size=rng.integers(1, 9)):
            data[position] ^= int(rng.integers(1, 256))
        return bytes(data)
    if action == 1:
        return bytes(data[: rng.integers(0, len(data))])
    other = zipped(others[rng.integers(len(others))])
    i, j = rng.integers(0, len(data)), rng.integers(0, len(other))
    return bytes(data[:i]) + other[j:]


def mutate_members(entries: Members, others: list[Members], rng: np.random.Generator) -> bytes:
    entries = list(entries)
    i, j = rng.integers(len(entries), size=2)
    action = rng.integers(5)
    if action == 0:  # two members' data swapped
        (a, da), (b, db) = entries[i], entries[j]
        entries[i], entries[j] = (a, db), (b, da)
    elif action == 1:
        entries.pop(i)
    elif action == 2:
        entries.append(entries[i])
    elif action == 3:
        entries[i] = (["W9.npy", "extra.npy", "metadata", "b1.npy"][rng.integers(4)], entries[i][1])
    else:  # another file's metadata
        other = others[rng.integers(len(others))]
        entries = with_metadata(entries, metadata_of(other))
    return zipped(entries)


JUNK: list[Any] = [None, True, -1, 0, 2, 10**12, 2**63, 1.5, "", "relu", "<U65536", "|O", "{x}"]
JUNK += ["MT19937", "multilabel-indicator", "{feature_name:>300000000}", [], {}, [1, 2], {"a": 1}]
JUNK += [{"array": {"dtype": "<U65536", "shape": [3], "values": ["a", "b", "c"]}}]
JUNK += [{"array": {"dtype": "<f8", "shape": [2**24, 2**24], "values": []}}, {"tuple": [1] * 9}]


def json_slots(node: Any) -> list[tuple[Any, Any]]:
    slots = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        slots.append((node, key))
        if isinstance(value, dict | list):
            slots.extend(json_slots(value))
    return slots


def enlarged(value: Any, rng: np.random.Generator) -> Any:
    factor = int(rng.choice([10, 1000, 100_000]))
    if isinstance(value, str):
        return value * factor if value else "x" * factor
    if isinstance(value, list):
        return (value or [0]) * min(factor, 10_000)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [value * factor, 2**24, 10**300, -(10**30)][rng.integers(4)]
    return value


def mutate_json(entries: Members, others: list[Members], rng: np.random.Generator) -> bytes:
    metadata = metadata_of(entries)
    slots = json_slots(metadata)
    nests: list[tuple[str, int]] = []
    for _ in range(rng.integers(1, 4)):
        container, key = slots[rng.integers(len(slots))]
        action = rng.integers(5)
        if action == 0:
            container[key] = JUNK[rng.integers(len(JUNK))]
        elif action == 1:  # nested: too deep to build as Python lists, so put in as text
            depth = int(rng.choice([1, 5, 40, 70, 900, 5000]))
            container[key] = f"nested-{depth}-{len(nests)}"
            nests.append((container[key], depth))
        elif action == 2:
            container[key] = enlarged(container[key], rng)
        elif action == 3 and isinstance(container, dict):
            container.pop(key)
        elif isinstance(container, dict):
            container[f"junk{rng.integers(3)}"] = JUNK[rng.integers(len(JUNK))]
    text = json.dumps(metadata)
    for marker, depth in nests:
        text = text.replace(f'"{marker}"', "[" * depth + "0" + "]" * depth)
    return zipped(with_metadata(entries, metadata, text))


DESCRS = ["<f8", "<f4", ">f8", "|O", "<U65536", "<i8", "|u1", "<c16", "V8"]


def mutate_headers(entries: Members, others: list[Members], rng: np.random.Generator) -> bytes:
    entries = list(entries)
    i = int(rng.integers(len(entries)))
    name, data = entries[i]
    header, body = split_npy(data)
    action = rng.integers(5)
    if action == 0:
        header["descr"] = DESCRS[rng.integers(len(DESCRS))]
    elif action == 1:
        header["shape"] = tuple(
            int(n) * int(rng.choice([0, 2, 1000, 2**24])) for n in header["shape"]
        )
    elif action == 2:
        header["shape"] = (*header["shape"], int(rng.integers(1, 3)))
    elif action == 3:
        header["fortran_order"] = not header["fortran_order"]
    else:
        body = body[: rng.integers(0, len(body) + 1)]
    version = [(1, 0), (2, 0), (3, 0)][rng.integers(3)]
    entries[i] = (name, join_npy(header, body, version))
    return zipped(entries)


def mutate_compression(entries: Members, others: list[Members], rng: np.random.Generator) -> bytes:
    names = [name for name, _ in entries]
    deflate = frozenset(n for n in names if rng.random() < 0.6) or frozenset(names)
    if rng.random() < 0.4:  # a bomb: megabytes of spaces in the metadata
        metadata = metadata_of(entries)
        metadata["payload"]["padding"] = " " * int(rng.choice([10**5, 10**6, 2 * 10**7]))
        entries = with_metadata(entries, metadata)
        deflate |= {"metadata.npy"}
    return zipped(entries, deflate)


FAMILIES = [mutate_bytes, mutate_members, mutate_json, mutate_headers, mutate_compression]


# --- the loads, in a process with a memory cap -------------------------------------------


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def peak_bytes_of_load(path: Path) -> tuple[str, int]:
    """``"loaded"`` or ``"refused"`` (or what escaped), and the resident memory the load added."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # VmHWM := VmRSS
    before = status_kib("VmRSS")
    try:
        glassnet.load(path)
        outcome = "loaded"
    except ModelFileError:
        outcome = "refused"
    except BaseException as error:  # anything else is a bug in load
        outcome = f"{type(error).__name__}: {str(error)[:200]}"
    return outcome, (status_kib("VmHWM") - before) * 1024


def run_case(case: int, sources: list[Members], folder: Path, send: Any) -> None:
    """The child: cap the address space, then load ``N_PER_CASE`` mutated files."""
    try:
        rng = np.random.default_rng(case)
        files = []
        for i in range(N_PER_CASE):
            family = FAMILIES[i % len(FAMILIES)]
            data = family(sources[i % len(sources)], sources, rng)
            files.append((family.__name__, folder / f"fuzz{i}.npz", data))
            files[-1][1].write_bytes(data)
        largest = max(len(data) for _, _, data in files)
        limit = status_kib("VmSize") * 1024 + 10 * largest + ALLOWANCE
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        results = []
        for family_name, path, data in files:
            outcome, peak = peak_bytes_of_load(path)
            results.append((family_name, len(data), outcome, peak))
        send.send(results)
    except BaseException as error:
        send.send(f"the fuzz itself failed: {error!r}")


@pytest.mark.parametrize("case", range(N_CASES))
def test_mutated_genuine_files_load_or_are_refused_within_memory(case, sources, tmp_path):
    for entries in sources:  # warm: the first load imports scikit-learn and the kinds
        path = tmp_path / "genuine.npz"
        path.write_bytes(zipped(entries))
        glassnet.load(path)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=run_case, args=(case, sources, tmp_path, send))
    child.start()
    results = receive.recv()
    child.join(timeout=60)
    assert not isinstance(results, str), results
    assert len(results) == N_PER_CASE
    escaped = [r for r in results if r[2] not in ("loaded", "refused")]
    assert not escaped, escaped[:5]
    heavy = [r for r in results if r[3] > 10 * r[1] + ALLOWANCE]
    assert not heavy, heavy[:5]
    refused = sum(r[2] == "refused" for r in results)
    assert N_PER_CASE // 2 < refused < N_PER_CASE, refused  # most refused, some load
    largest = max(results, key=lambda r: r[3])
    print(
        f"\nfuzz case {case}: {len(results)} loads, {refused} refused, "
        f"{len(results) - refused} loaded; largest peak {largest[3] / 2**20:.1f} MiB "
        f"({largest[0]}, a {largest[1]:,}-byte file)"
    )
