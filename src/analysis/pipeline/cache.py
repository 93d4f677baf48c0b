"""What an incremental build may reuse: a key per theme over everything its outputs depend on.

A theme's outputs (its folder of tables, figures and facts, its executed notebook and its pieces
of the analyst's files) depend only on:

- the export's bytes (SHA-256) and, when given, the mapping file, the coding folder's files and
  the quote review file (by their bytes, never by their path);
- every :class:`~analysis.pipeline.parameters.BuildParameters` field except ``output_dir`` (the build
  writes into a staging directory and redacts paths, so the output directory leaves no trace);
- whether an analyses file is given (``--analyses``; a notebook shows only that, its path withheld):
  the file itself shapes the assembled report alone, so its bytes are part of the whole build's key
  (:attr:`Inputs.assembly`), not of a theme's;
- the codebook and the reference lists (``data/codebook.yaml``, ``data/reference/``);
- the analysis package's source (``src/analysis``, the message catalogue included), except the
  other themes' modules, so that editing one theme reruns that theme alone;
- the theme's stored notebook;
- the versions of Python and of the libraries that compute or draw;
- for a theme that reads other themes' facts (the conclusion), those facts files' bytes.

:func:`theme_key` hashes all of it (SHA-256). :class:`ThemeCache` keeps the outputs of the last
few keys of each theme beside the output directory (``.<out>.cache/``, never in ``data/``), and a
record of the last complete build, so that a build with nothing changed can stop after hashing.
This module imports nothing heavy: the no-op build runs in well under a second.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.core.files import file_digest
from analysis.core.paths import CODEBOOK_PATH, REFERENCE_DIR

#: The analysis package's source folder.
SOURCE_DIR = Path(__file__).resolve().parents[1]
#: Files of the source folder that are not source (byte-code, editor leftovers).
_NOT_SOURCE = {".pyc", ".pyo", ".swp"}
#: Libraries whose version changes what a theme computes or draws (part of every key).
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "deduce", "nbformat", "nbclient",
             "nbconvert", "papermill", "ipykernel")
#: Entries kept per theme (older keys are removed): enough to switch between a few parameter sets.
KEEP_PER_THEME = 4
#: Parameters that name files: their contents enter the key, not their paths.
PATH_PARAMETERS = ("data_path", "mapping", "coding", "quotes_approved", "compare", "compare_mapping", "margins")
#: Parameters that name files read only when the report is assembled: their bytes enter the build's key.
ASSEMBLY_PARAMETERS = ("analyses",)


def tree_digest(folder: Path, exclude: frozenset[Path] = frozenset()) -> str:
    """SHA-256 over the relative names and bytes of every file under `folder` (sorted), except
    `exclude` and files that are not source (byte-code)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if (not path.is_file() or path in exclude or path.suffix in _NOT_SOURCE
                or "__pycache__" in path.parts or path.name.startswith(".")):
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file_digest(path).encode() + b"\0")
    return digest.hexdigest()


def _optional_digest(path: Path | None) -> str | None:
    if path is None:
        return None
    path = Path(path)
    return tree_digest(path) if path.is_dir() else file_digest(path)


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Python's and the computing libraries' versions (a new version may change the outputs)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


@dataclass(frozen=True)
class Inputs:
    """Digests of everything a build reads, computed once per build (cheap: hashing, no parsing)."""

    parameters: str
    shared_source: str
    theme_sources: dict[str, str]
    notebooks: dict[str, str]
    data_sha256: str
    #: digests of the files only the assembly reads (parameter -> digest, None when not given)
    assembly: dict[str, str | None]

    def theme_key(self, theme: str, facts_read: dict[str, str] | None = None) -> str:
        """The theme's cache key: SHA-256 over its inputs and the digests of the facts it reads."""
        record = {"parameters": self.parameters, "source": self.shared_source,
                  "theme_source": self.theme_sources.get(theme), "notebook": self.notebooks[theme],
                  "facts_read": dict(sorted((facts_read or {}).items()))}
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def read_inputs(params: Any, notebooks: dict[str, Path], theme_modules: dict[str, Path]) -> Inputs:
    """Hash the inputs of a build with `params` (a :class:`~analysis.pipeline.parameters.BuildParameters`).

    `notebooks` maps theme id -> stored notebook; `theme_modules` maps theme id -> source file of
    its module (left out of the shared source, so each counts for its own theme only).
    Raises OSError when a named file cannot be read (the caller then runs the normal checks,
    which say so in a researcher's words).
    """
    data_sha = file_digest(params.data)
    record: dict[str, Any] = {}
    for spec in fields(params):
        if spec.name == "output_dir":
            continue
        value = getattr(params, spec.name)
        if spec.name == "data_path":
            record[spec.name] = data_sha
        elif spec.name in PATH_PARAMETERS:
            record[spec.name] = _optional_digest(value)
        elif spec.name in ASSEMBLY_PARAMETERS:
            record[spec.name] = value is not None
        else:
            record[spec.name] = value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
    record["codebook"] = file_digest(CODEBOOK_PATH)
    record["reference"] = tree_digest(REFERENCE_DIR)
    record["libraries"] = library_versions()
    parameters = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    modules = {theme: path.resolve() for theme, path in theme_modules.items()}
    shared = tree_digest(SOURCE_DIR, exclude=frozenset(modules.values()))
    return Inputs(parameters=parameters, shared_source=shared,
                  theme_sources={theme: file_digest(path) for theme, path in modules.items()},
                  notebooks={theme: file_digest(path) for theme, path in notebooks.items()},
                  data_sha256=data_sha,
                  assembly={name: _optional_digest(getattr(params, name)) for name in ASSEMBLY_PARAMETERS})


def theme_files(theme: str, notebook_name: str) -> list[str]:
    """A theme's outputs, relative to the output directory (folders end in ``/``)."""
    return [f"{theme}/", f"notebooks/{notebook_name}", f"analyst/disclosure_log_{theme}.csv",
            f"analyst/quotes_review_{theme}.csv"]


def _copy(relative: str, source: Path, target: Path) -> None:
    src, dst = source / relative.rstrip("/"), target / relative.rstrip("/")
    if not src.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copyfile(src, dst)


class ThemeCache:
    """Outputs of earlier builds, per theme and key, in a folder beside the output directory."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def beside(cls, out: Path) -> ThemeCache:
        """The cache of output directory `out`: ``.<name>.cache`` in the same parent folder."""
        return cls(out.parent / f".{out.name}.cache")

    def _entry(self, theme: str, key: str) -> Path:
        return self.root / theme / key

    def lookup(self, theme: str, key: str) -> Path | None:
        """The stored outputs of `theme` under `key` (None: not stored)."""
        entry = self._entry(theme, key)
        return entry if (entry / "entry.json").is_file() else None

    def facts_digest(self, entry: Path) -> str:
        """SHA-256 of the stored theme's facts file (what a theme reading its facts depends on)."""
        return json.loads((entry / "entry.json").read_text(encoding="utf-8"))["facts_sha256"]

    def restore(self, entry: Path, theme: str, notebook_name: str, staging: Path) -> str | None:
        """Copy a stored theme's outputs into the staging directory; returns the notebook's
        rendered report section when it was stored (None: render it again)."""
        for relative in theme_files(theme, notebook_name):
            _copy(relative, entry / "files", staging)
        os.utime(entry)  # recently used: kept longest
        fragment = entry / "section.html"
        return fragment.read_text(encoding="utf-8") if fragment.is_file() else None

    def store(self, theme: str, key: str, notebook_name: str, staging: Path, section: str | None = None) -> None:
        """Keep a freshly built theme's outputs and its rendered report section (written
        atomically: a half-written entry is never found)."""
        entry = self._entry(theme, key)
        if entry.exists():
            return
        partial = entry.with_name(f".{key}.{os.getpid()}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for relative in theme_files(theme, notebook_name):
            _copy(relative, staging, partial / "files")
        if section is not None:
            (partial / "section.html").write_text(section, encoding="utf-8")
        facts = staging / theme / "facts.json"
        (partial / "entry.json").write_text(json.dumps(
            {"theme": theme, "key": key, "facts_sha256": file_digest(facts) if facts.exists() else None}) + "\n",
            encoding="utf-8")
        partial.rename(entry)
        self._prune(theme)

    def _prune(self, theme: str) -> None:
        entries = sorted((p for p in (self.root / theme).iterdir() if not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_PER_THEME:]:
            shutil.rmtree(old, ignore_errors=True)

    # --- the last complete build (for the no-op check) --------------------------------------------
    def last_build(self) -> dict[str, Any]:
        path = self.root / "last_build.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def record_build(self, build_key: str, outputs: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "last_build.json").write_text(json.dumps({"key": build_key, "outputs": outputs}) + "\n",
                                                   encoding="utf-8")


def build_key(theme_keys: dict[str, str], extra: dict[str, Any]) -> str:
    """Key of a whole build: its themes' keys (in order) and the build options that shape the
    assembled files (e.g. whether report.pdf is written)."""
    record = {"themes": list(theme_keys.items()), **extra}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def outputs_digest(out: Path) -> str:
    """SHA-256 over an output directory's files (to tell that nobody changed them since)."""
    return tree_digest(out) if out.is_dir() else ""


__all__ = ["Inputs", "ThemeCache", "build_key", "file_digest", "outputs_digest", "read_inputs", "theme_files",
           "tree_digest"]
