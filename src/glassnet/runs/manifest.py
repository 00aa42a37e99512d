"""A run folder's manifest: which files make up its run, with their sizes and hashes.

``manifest.json`` is written twice by every write of a run folder: first as
``{"complete": false}`` (the folder is being written), last with each data file's
name, size and SHA-256. A run killed in between leaves the first, so a folder holding
two runs' files never passes for one run: :func:`check_run_folder` refuses it, as it
refuses a folder whose files are not the ones the manifest names. A folder without a
manifest was written by an older glassnet (or by a run that crashed before writing
anything but its checkpoint) and is read as before.
"""

import json
import os
from pathlib import Path
from typing import Any

from glassnet.data.sources import file_fingerprint
from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.files.typed_json import json_safe
from glassnet.runs.run import CHECKPOINT

MANIFEST = "manifest.json"
MARK = "glassnet_run_folder"  # the manifest's own key: version of its layout
LAYOUT = 1


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a glassnet run: a manifest, an older run's config.json, or
    nothing but a crashed run's checkpoint (and temporary files)."""
    if _read(folder / MANIFEST) is not None:
        return True
    record = _json_object(folder / "config.json")
    if record is not None and {"layer_sizes", "dataset", "version"} <= set(record):
        return True
    names = {path.name for path in folder.iterdir() if not _is_temporary(path.name)}
    return names == {CHECKPOINT}


def claim_run_folder(folder: Path, *, overwrite: bool) -> None:
    """Check that a run may write ``folder``; mark a run folder it will overwrite as incomplete.

    Raises
    ------
    InputError
        When ``folder`` is a file, a non-empty folder that is not a run folder, or a
        run folder without ``overwrite``.
    """
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(f"--out {str(folder)!r} exists and is not a folder: give a folder")
    entries = sorted(path.name for path in folder.iterdir())
    if not entries:
        return
    if not is_run_folder(folder):
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise InputError(
            f"--out {str(folder)!r} is not empty ({shown}) and is not a glassnet run folder: "
            "give a new or empty folder"
        )
    if not overwrite:
        raise InputError(
            f"--out {str(folder)!r} holds a glassnet run: pass --overwrite to replace it "
            "(your other files there are kept), or give another folder"
        )
    begin_writing(folder)


def begin_writing(folder: Path) -> None:
    """Mark ``folder`` as being written: until :func:`seal_run_folder`, readers refuse it.

    A mark already there is kept, with its time: the time the run claimed the folder.
    """
    if not is_complete(folder):
        return
    write_json(folder / MANIFEST, {MARK: LAYOUT, "complete": False})


def seal_run_folder(folder: Path, names: list[str]) -> Path:
    """Write the manifest last: each of ``names`` (files in ``folder``) with size and SHA-256."""
    files = {name: _describe(folder / name) for name in sorted(names)}
    return write_json(folder / MANIFEST, {MARK: LAYOUT, "complete": True, "files": files})


def check_run_folder(folder: Path) -> None:
    """Refuse a run folder whose manifest says it is incomplete or whose files disagree with it.

    A folder without a manifest passes (an older glassnet's run folder).

    Raises
    ------
    InputError
        Naming the folder, what is wrong, and what to do.
    """
    manifest = _read(folder / MANIFEST)
    if manifest is None:
        if (folder / MANIFEST).exists():
            raise InputError(f"{folder / MANIFEST} could not be read: train the run again")
        return
    if manifest.get("complete") is not True:
        raise InputError(
            f"the run folder {str(folder)!r} was not completely written (its run was stopped "
            "while writing it), so its files may belong to two runs: train it again"
        )
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise InputError(f"{folder / MANIFEST} lists no files: train the run again")
    for name, recorded in files.items():
        path = folder / name
        if not path.is_file():
            raise InputError(
                f"the run folder {str(folder)!r} lacks {name}, which its manifest lists: "
                "train the run again"
            )
        if _describe(path) != recorded:
            raise InputError(
                f"{name} in the run folder {str(folder)!r} is not the file its run wrote "
                "(its size or SHA-256 differs from manifest.json): the folder mixes runs; "
                "train it again"
            )


def check_beside(model_file: str | os.PathLike[str]) -> None:
    """:func:`check_run_folder` on the folder holding ``model_file``, when it has a manifest."""
    path = Path(model_file)
    if path.is_file():
        check_run_folder(path.parent)


def written_since_claimed(folder: Path, name: str) -> bool:
    """Whether ``name`` in a folder marked incomplete was written after the mark (by the
    run that was stopped, not by the run it replaced)."""
    manifest, path = folder / MANIFEST, folder / name
    if not path.is_file() or not manifest.is_file():
        return path.is_file()
    return path.stat().st_mtime_ns >= manifest.stat().st_mtime_ns


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` has no manifest (an older run folder) or a complete one."""
    manifest = _read(folder / MANIFEST)
    return manifest is None or manifest.get("complete") is True


def _describe(path: Path) -> dict[str, Any]:
    fingerprint = file_fingerprint(path)
    return {"size": fingerprint["size"], "sha256": fingerprint["sha256"]}


def write_json(path: Path, content: dict[str, Any]) -> Path:
    """A JSON file (NaN and inf as null), written whole or not at all."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        json.dump(json_safe(content, path.name), handle, indent=2, allow_nan=False)
        handle.write("\n")
    return path


def _read(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path``, or None when there is none (or it is not glassnet's)."""
    record = _json_object(path)
    return record if record is not None and MARK in record else None


def _json_object(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return content if isinstance(content, dict) else None


def _is_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")
