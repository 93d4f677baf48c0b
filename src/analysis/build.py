"""The build: validate the export, run the theme notebooks with papermill, assemble the report.

Everything is written into a staging directory beside the target; only a complete, successful
build replaces the previous outputs (the old directory is swapped out in one rename). A failed
build leaves the previous outputs untouched and keeps the failed run for inspection.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from .codebook import load_codebook
from .errors import Problem, SurveyDataError
from .paths import NOTEBOOKS_DIR, OUTPUTS_DIR, PROJECT_ROOT, SYNTHETIC_EXPORT
from .validation import load_with_log

THEMES = ("participants", "opportunities", "barriers", "enforcement", "investigation", "conclusion")
NOTEBOOKS = {theme: NOTEBOOKS_DIR / f"{i:02d}_{theme}.ipynb" for i, theme in enumerate(THEMES, start=1)}
KERNEL = "python3"
#: Notebook and cell metadata that changes from run to run (removed so outputs are deterministic).
VOLATILE_METADATA = ("papermill", "execution")


def strip_volatile(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run timestamps and durations (papermill/nbclient) from a notebook, in place."""
    for key in VOLATILE_METADATA:
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
    return notebook


def execute(theme: str, target: Path, parameters: dict[str, Any]) -> None:
    """Run one theme notebook with papermill into `target` (timestamps stripped)."""
    import papermill
    from traitlets.config import Config

    target.parent.mkdir(parents=True, exist_ok=True)
    # IPC transport: the kernel talks over local sockets in a private directory, not over TCP
    # (and ipykernel does not warn about unencrypted TCP). Socket paths must stay short.
    sockets = Path(tempfile.mkdtemp(prefix="politie20-"))
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
    try:
        papermill.execute_notebook(str(NOTEBOOKS[theme]), str(target), parameters=parameters, kernel_name=KERNEL,
                                   progress_bar=False, cwd=str(NOTEBOOKS_DIR), log_output=False,
                                   request_save_on_cell_execute=False, config=config)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        if target.exists():
            notebook = nbformat.read(target, as_version=4)
            nbformat.write(strip_volatile(notebook), target)


def _failure_message(theme: str, target: Path, exc: Exception) -> str:
    cell = "?"
    if target.exists():
        notebook = nbformat.read(target, as_version=4)
        for index, c in enumerate(notebook.cells):
            if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", [])):
                cell = f"{index} (id {c.get('id', '?')})"
                break
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc)).strip().splitlines()
    return (f"notebook {NOTEBOOKS[theme].name} failed in cell {cell}: {ename}: {evalue[0] if evalue else ''}\n"
            f"  executed copy: {target}")


def write_tables_workbook(staging: Path, themes: list[str], path: Path) -> None:
    """One sheet per published table (the suppressed CSVs), in report order."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for theme in themes:
        for csv_path in sorted((staging / theme).glob("*.csv")):
            table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
            name = f"{theme[:4]}_{csv_path.stem}"[:31]
            while name in used:
                name = name[:28] + f"_{len(used) % 100:02d}"
            used.add(name)
            sheet = book.create_sheet(name)
            sheet.append(list(table.columns))
            for row in table.itertuples(index=False):
                sheet.append([_cell(v) for v in row])
    book.properties.created = pd.Timestamp("2011-10-05").to_pydatetime()  # the 2011 report's date, not the build's
    book.properties.creator = "analysis.build"
    book.save(path)
    _fix_zip_timestamps(path)


def _fix_zip_timestamps(path: Path) -> None:
    """Rewrite a zip (xlsx) with fixed entry timestamps, so the same tables give the same bytes."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, content in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2011-10-05T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2011, 10, 5, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)


def _cell(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number


def _swap_into_place(staging: Path, out: Path) -> None:
    previous = out.parent / f".{out.name}.previous"
    if previous.exists():
        shutil.rmtree(previous)
    if out.exists():
        keep = out / ".gitkeep"
        if keep.exists():
            (staging / ".gitkeep").touch()
        out.rename(previous)
    staging.rename(out)
    if previous.exists():
        shutil.rmtree(previous)


def build(data: str | Path | None = None, out: str | Path | None = None, lang: str = "en", min_cell: int = 5,
          level: float = 0.95, only: list[str] | None = None, mapping: str | Path | None = None,
          sheet: str | None = None, weights: str | None = None, coding: str | Path | None = None) -> int:
    """Build the report; returns the exit status (0 ok, 1 a notebook failed; bad data raises).

    `coding`: folder of final codes of the open answers (``coding import``); without it the open
    answers are coded by the automatic first pass, and the report says so.
    """
    data = Path(data or SYNTHETIC_EXPORT).resolve()
    out = Path(out or OUTPUTS_DIR).resolve()
    themes = list(THEMES) if not only else [t for t in THEMES if t in only]
    unknown = sorted(set(only or []) - set(THEMES))
    if unknown:
        print(f"unknown theme(s) {unknown}; themes are {list(THEMES)}", file=sys.stderr)
        return 2
    if "conclusion" in themes and len(themes) < len(THEMES):
        print("the conclusion reads the facts of the five other themes: build it with all of them", file=sys.stderr)
        return 2
    frame, log = load_with_log(data, mapping=mapping, sheet=sheet)  # bad input: SurveyDataError, exit 2
    if len(frame) < min_cell:
        raise SurveyDataError([Problem(str(data), f"only {len(frame)} respondents: a report needs at least k = {min_cell}",
                                       expected=f"at least {min_cell} respondents (the small-cell rule's k)")])

    # --- coding of open answers (--coding DIR): checked against the export before any notebook runs
    coding_dir = _coding_folder(coding, frame)

    staging = out.parent / f".{out.name}.staging"
    failed = out.parent / f".{out.name}.failed"
    for stale in (staging, failed):
        if stale.exists():
            shutil.rmtree(stale)
    staging.mkdir(parents=True)
    parameters = {"data_path": str(data), "output_dir": str(staging), "lang": lang, "min_cell": int(min_cell),
                  "level": float(level), "mapping": str(Path(mapping).resolve()) if mapping else None,
                  "weights": weights, "coding": coding_dir}
    executed = []
    for number, theme in enumerate(themes, start=1):
        target = staging / "notebooks" / NOTEBOOKS[theme].name
        print(f"[{number}/{len(themes)}] {theme} ...", end=" ", flush=True)
        started = time.perf_counter()
        try:
            execute(theme, target, parameters)
        except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
            print("failed")
            staging.rename(failed)
            print(_failure_message(theme, failed / "notebooks" / target.name, exc), file=sys.stderr)
            print(f"  the previous outputs in {out} were left untouched", file=sys.stderr)
            return 1
        print(f"{time.perf_counter() - started:.1f} s", flush=True)
        executed.append(target)

    from .report import assemble

    frame.to_csv(staging / "survey_clean.csv", index=False, lineterminator="\n")
    cb = load_codebook()
    data_log = {"input": log.as_dict(), "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
                "codebook": {"path": str(cb.path.relative_to(PROJECT_ROOT)) if cb.path.is_relative_to(PROJECT_ROOT)
                             else str(cb.path), "version": cb.version},
                "themes": themes}
    data_log["parameters"]["data_path"] = str(data)
    (staging / "data_log.json").write_text(json.dumps(data_log, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
    detected = ", ".join(f"{k} {v}" for k, v in log.detected.items())
    context = {"source": data.name, "sha256": log.sha256, "detected": detected, "n": len(frame),
               "codebook_version": cb.version, "level": f"{100 * level:g}", "alpha": f"{1 - level:.2g}",
               "k": int(min_cell), "synthetic": bool(frame.attrs.get("synthetic"))}
    (staging / "report.html").write_text(assemble(executed, lang, context), encoding="utf-8")
    write_tables_workbook(staging, themes, staging / "tables.xlsx")
    _swap_into_place(staging, out)
    print(f"report: {out / 'report.html'}")
    return 0


def _coding_folder(coding: str | Path | None, frame: pd.DataFrame) -> str | None:
    """The --coding folder as an absolute path, checked against the export (bad: SurveyDataError)."""
    if coding is None:
        print("open answers: automatic first pass (no --coding folder of final codes)")
        return None
    from .coding import Coding

    folder = Path(coding).resolve()
    found = Coding.load(folder, frame)
    print(f"open answers: final codes of {len(found.coders)} coder(s) from {folder}")
    return str(folder)


def refresh_stored_notebooks() -> int:
    """Execute the notebooks in notebooks/ in place with their default parameters (for nbval)."""
    for theme in THEMES:
        path = NOTEBOOKS[theme]
        print(f"refreshing {path.name} ...", flush=True)
        execute(theme, path, {})
    return 0
