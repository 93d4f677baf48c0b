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

from jupyter_client.manager import AsyncKernelManager

from .codebook import load_codebook
from .parameters import BuildParameters, load_survey
from .paths import NOTEBOOKS_DIR, OUTPUTS_DIR, PROJECT_ROOT
from .registry import THEME_KEYS, THEMES as REGISTERED

#: Theme ids in report order (from the registry, i.e. the codebook's ``themes:``).
THEMES = THEME_KEYS
#: Theme id -> stored notebook (a dict so a test can swap one notebook for another).
NOTEBOOKS = {theme.key: theme.notebook for theme in REGISTERED}
#: Theme id -> themes whose facts it reads (they must be built with it, and before it).
READS_FACTS_OF = {theme.key: theme.reads_facts_of for theme in REGISTERED}
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


class QuietShutdownKernelManager(AsyncKernelManager):
    """A kernel manager that shuts an idle kernel down without interrupting it first.

    jupyter_client sends SIGINT before every shutdown request. When the signal lands while the
    kernel is handling a message, ipykernel logs ``[IPKernelApp] ERROR | KeyboardInterrupt caught in
    kernel.`` to stderr: noise in a successful build's output (it came in about one run in seven).
    Papermill shuts the kernel down only after the last cell has finished (or failed), so there is
    nothing to interrupt; a kernel that does not exit is still killed after ``shutdown_wait_time``.
    """

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()


def execute(theme: str, target: Path, parameters: dict[str, Any], source: Path | None = None) -> None:
    """Run one theme notebook (its stored notebook unless `source` is given) with papermill into
    `target` (timestamps stripped)."""
    import papermill
    from traitlets.config import Config

    target.parent.mkdir(parents=True, exist_ok=True)
    # IPC transport: the kernel talks over local sockets in a private directory, not over TCP
    # (and ipykernel does not warn about unencrypted TCP). Socket paths must stay short.
    sockets = Path(tempfile.mkdtemp(prefix="politie20-"))
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
    try:
        papermill.execute_notebook(str(source or NOTEBOOKS[theme]), str(target), parameters=parameters,
                                   kernel_name=KERNEL, progress_bar=False, cwd=str(NOTEBOOKS_DIR), log_output=False,
                                   request_save_on_cell_execute=False, config=config,
                                   kernel_manager_class=QuietShutdownKernelManager)
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


#: Keyword names the build accepted before :class:`BuildParameters` (still accepted by :func:`build`).
_ALIASES = {"data": "data_path", "out": "output_dir"}


def build(params: BuildParameters | None = None, only: list[str] | None = None, pdf: bool = False,
          **fields: Any) -> int:
    """Build the report (and report.pdf when `pdf`); returns the exit status (0 ok, 1 a notebook failed, 2 unknown themes).

    `params` holds everything the notebooks see; `fields` change single parameters (``data`` and
    ``out`` are accepted for ``data_path`` and ``output_dir``). Bad parameters or a bad export
    raise :class:`~analysis.errors.SurveyDataError` before any notebook runs.
    """
    params = (params or BuildParameters()).with_(**{_ALIASES.get(k, k): v for k, v in fields.items()})
    out = Path(params.output_dir or OUTPUTS_DIR).resolve()
    themes = list(THEMES) if not only else [t for t in THEMES if t in only]
    unknown = sorted(set(only or []) - set(THEMES))
    if unknown:
        print(f"unknown theme(s) {unknown}; themes are {list(THEMES)}", file=sys.stderr)
        return 2
    for theme in themes:
        missing = [t for t in READS_FACTS_OF[theme] if t not in themes]
        if missing:
            print(f"the {theme} theme reads the facts of {', '.join(READS_FACTS_OF[theme])}: build it with them "
                  f"(missing: {', '.join(missing)})", file=sys.stderr)
            return 2
    # the pre-flight: every parameter and the export are checked here, before any notebook runs
    frame, log = load_survey(params)
    data = params.data
    coding_dir = _coding_folder(params.coding, frame)
    params = params.with_(coding=coding_dir)

    staging = out.parent / f".{out.name}.staging"
    failed = out.parent / f".{out.name}.failed"
    for stale in (staging, failed):
        if stale.exists():
            shutil.rmtree(stale)
    staging.mkdir(parents=True)
    parameters = params.with_(data_path=data, output_dir=staging).notebook_parameters()
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

    # the analyst's files (respondent level, review and checking records) live apart from what is
    # published; the report never links them
    analyst = staging / "analyst"
    analyst.mkdir(exist_ok=True)
    frame.to_csv(analyst / "survey_clean.csv", index=False, lineterminator="\n")
    cb = load_codebook()
    data_log = {"input": log.as_dict(), "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
                "codebook": {"path": str(cb.path.relative_to(PROJECT_ROOT)) if cb.path.is_relative_to(PROJECT_ROOT)
                             else str(cb.path), "version": cb.version},
                "themes": themes}
    (analyst / "data_log.json").write_text(json.dumps(data_log, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
    checking = _combine_analyst_files(analyst, themes)
    for target in executed:
        redact_paths(target, params)
    detected = ", ".join(f"{k} {v}" for k, v in log.detected.items())
    reasons = checking["reason"].value_counts() if len(checking) else pd.Series(dtype=int)
    context = {"source": params.label, "sha256": log.sha256, "detected": detected, "n": len(frame),
               "codebook_version": cb.version, "level": f"{100 * params.level:g}",
               "alpha": f"{1 - params.level:.2g}", "k": int(params.k), "profile": params.rules,
               "hidden": int(len(checking)), "primary": int(reasons.get("primary", 0)),
               "secondary": int(reasons.get("secondary", 0)), "linked": int(reasons.get("linked", 0)),
               "derived": int(reasons.get("derived", 0)),
               "zero": int(reasons.get("zero", 0) + reasons.get("class", 0)),
               "synthetic": bool(frame.attrs.get("synthetic"))}
    (staging / "report.html").write_text(assemble(executed, params.lang, context), encoding="utf-8")
    # --- readers' formats (issue 15): report.pdf from the same page and its print stylesheet
    if pdf:
        from .report import write_pdf
        write_pdf(staging / "report.html", staging / "report.pdf")
    write_tables_workbook(staging, themes, staging / "tables.xlsx")
    # the rules this release was made under, for check-release against a later one (nothing respondent-level)
    from .publication import profile as rule_profile
    from .release import manifest, write_manifest

    write_manifest(staging, manifest(k=params.k, profile=params.rules, zeros_hidden=rule_profile(params.rules).zeros,
                                     label=params.label, input_sha256=log.sha256, lang=params.lang, themes=themes,
                                     synthetic=bool(frame.attrs.get("synthetic"))))
    _swap_into_place(staging, out)
    print(f"report: {out / 'report.html'}")
    if pdf:
        print(f"pdf: {out / 'report.pdf'}")
    return 0


def _combine_analyst_files(analyst: Path, themes: list[str]) -> pd.DataFrame:
    """One disclosure log and one quote review file from the themes' pieces (in report order)."""
    combined = {}
    for kind in ("disclosure_log", "quotes_review"):
        parts = [pd.read_csv(analyst / f"{kind}_{t}.csv", dtype=str, keep_default_na=False)
                 for t in themes if (analyst / f"{kind}_{t}.csv").exists()]
        table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        table.to_csv(analyst / f"{kind}.csv", index=False, lineterminator="\n")
        for t in themes:
            (analyst / f"{kind}_{t}.csv").unlink(missing_ok=True)
        combined[kind] = table
    return combined["disclosure_log"]


#: What an executed notebook shows instead of a path (the published notebooks carry no path).
PATH_WITHHELD = "[path withheld]"


def redact_paths(notebook_path: Path, params: BuildParameters) -> None:
    """Replace every path parameter in the injected parameters cell of an executed notebook."""
    notebook = nbformat.read(notebook_path, as_version=4)
    paths = {name: getattr(params, name) for name in ("data_path", "output_dir", "mapping", "quotes_approved", "coding")}
    for cell in notebook.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            lines = []
            for line in cell.source.splitlines():
                name = line.split("=", 1)[0].strip()
                if name in paths and "None" not in line.split("=", 1)[1]:
                    line = f'{name} = "{PATH_WITHHELD}"'
                lines.append(line)
            cell.source = "\n".join(lines)
    nbformat.write(notebook, notebook_path)


#: Source of the cell after a notebook's parameters cell: the chapter, from the parameters above it.
CHAPTER_CELL = ('from analysis.notebook import BuildParameters, ThemeNotebook\n\n'
                'chapter = ThemeNotebook("{theme}", BuildParameters.from_namespace(globals()))\n'
                'chapter.run()')


def sync_parameters_cells(theme: str, path: Path) -> bool:
    """Rewrite a stored notebook's parameters cell (and the chapter cell after it) from
    :class:`BuildParameters`; returns whether anything changed."""
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    index = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    wanted = {index: BuildParameters.parameters_cell(), index + 1: CHAPTER_CELL.format(theme=theme)}
    changed = False
    for i, source in wanted.items():
        if cells[i].source != source:
            cells[i].source = source
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


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
    """Execute the notebooks in notebooks/ in place with their default parameters (for nbval),
    after writing their parameters cells from :class:`BuildParameters`."""
    for theme in THEMES:
        path = NOTEBOOKS[theme]
        sync_parameters_cells(theme, path)
        print(f"refreshing {path.name} ...", flush=True)
        execute(theme, path, {})
    return 0
