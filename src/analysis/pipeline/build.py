"""The build: validate the export, run the theme notebooks with papermill, assemble the report.

Everything is written into a staging directory beside the target; only a complete, successful
build replaces the previous outputs (the old directory is swapped out in one rename). A failed
build leaves the previous outputs untouched and keeps the failed run for inspection.

The build is incremental and parallel:

- a theme whose inputs are unchanged (:mod:`analysis.pipeline.cache`: the export's bytes, every parameter,
  the codebook, the package's source, the notebook, the facts it reads) is copied from the cache
  into the staging directory instead of being run; ``force`` (``--force``) runs every theme;
- a build with nothing changed, whose output directory is as the last build left it, stops after
  hashing its inputs: no kernel, no loading of the export;
- themes run in separate kernels, ``jobs`` at a time (default: one per core); a theme that reads
  other themes' facts (the conclusion) starts when they are done. Outputs do not depend on the
  order or on ``jobs``: each notebook writes its own files only.

Heavy libraries (pandas, nbformat, papermill) are imported where they are used, so a no-op build
pays for none of them.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.files import fix_zip_timestamps
from analysis.pipeline.cache import Inputs, ThemeCache, build_key, file_digest, outputs_digest, read_inputs
from analysis.pipeline.parameters import BuildParameters, load_comparison
from analysis.report.text import message
from analysis.core.paths import NOTEBOOKS_DIR, OUTPUTS_DIR, PROJECT_ROOT
from analysis.themes.registry import THEME_KEYS, THEMES as REGISTERED

if TYPE_CHECKING:
    import nbformat
    import pandas as pd

#: Theme ids in report order (from the registry, i.e. the codebook's ``themes:``).
THEMES = THEME_KEYS
#: Theme id -> stored notebook (a dict so a test can swap one notebook for another).
NOTEBOOKS = {theme.key: theme.notebook for theme in REGISTERED}
#: Theme id -> source file of its module (part of that theme's cache key only).
THEME_MODULES = {theme.key: Path(__file__).resolve().parents[1] / Path(*theme.module.split(".")[1:]).with_suffix(".py")
                 for theme in REGISTERED}
#: Theme id -> themes whose facts it reads (they must be built with it, and before it).
READS_FACTS_OF = {theme.key: theme.reads_facts_of for theme in REGISTERED}
KERNEL = "python3"
#: Notebook and cell metadata that changes from run to run (removed so outputs are deterministic).
VOLATILE_METADATA = ("papermill", "execution")


def __getattr__(name: str) -> Any:
    if name == "QuietShutdownKernelManager":  # kept importable from here; lives apart (jupyter_client is heavy)
        from analysis.pipeline.kernels import QuietShutdownKernelManager
        return QuietShutdownKernelManager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_jobs() -> int:
    """Notebooks run at once by default: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def strip_volatile(notebook: nbformat.NotebookNode, name: str | None = None) -> nbformat.NotebookNode:
    """Remove run timestamps and durations (papermill/nbclient) from a notebook, in place, and give
    papermill's injected parameters cell (a random id on every run) the id ``injected-<name>``."""
    for key in VOLATILE_METADATA:
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        if name and "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = f"injected-{name}"[:64]
    return notebook


def execute(theme: str, target: Path, parameters: dict[str, Any], source: Path | None = None,
            kernel: Any = None) -> None:
    """Run one theme notebook (its stored notebook unless `source` is given) with papermill into
    `target` (timestamps stripped): in `kernel` (a :class:`~analysis.pipeline.kernels.WarmKernel`, reset
    first) when given, otherwise in a new kernel."""
    import nbformat
    import papermill

    target.parent.mkdir(parents=True, exist_ok=True)
    from analysis.pipeline.kernels import ENGINE

    options: dict[str, Any] = {"kernel_name": KERNEL, "progress_bar": False, "log_output": False,
                               "request_save_on_cell_execute": False, "engine_name": ENGINE}
    try:
        if kernel is not None:
            kernel.prepare()
            papermill.execute_notebook(str(source or NOTEBOOKS[theme]), str(target), parameters=parameters,
                                       km=kernel.manager, **options)
        else:
            from analysis.pipeline.kernels import WarmKernel

            single = WarmKernel(KERNEL, NOTEBOOKS_DIR)
            try:
                single.prepare()
                papermill.execute_notebook(str(source or NOTEBOOKS[theme]), str(target), parameters=parameters,
                                           km=single.manager, **options)
            finally:
                single.shutdown()
    finally:
        if target.exists():
            notebook = nbformat.read(target, as_version=4)
            nbformat.write(strip_volatile(notebook, target.stem), target)


class NotebookWorkers:
    """`jobs` threads, each with a kernel of its own kept warm, running the theme notebooks
    handed to them (:meth:`submit`); results arrive in :attr:`results` as
    ``(theme, exception or None, seconds)``.

    A kernel starts when its worker gets its first notebook; a kernel whose notebook failed is
    shut down (its state is unknown) and the worker starts a new one for its next notebook.
    """

    def __init__(self, jobs: int, warm: bool = False):
        import queue
        import threading

        self.warm = warm
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.threads = [threading.Thread(target=self._work, name=f"notebook-worker-{i + 1}", daemon=True)
                        for i in range(max(1, jobs))]
        for thread in self.threads:
            thread.start()

    def submit(self, theme: str, staging: Path, parameters: dict[str, Any], params: BuildParameters) -> None:
        self.tasks.put((theme, staging, parameters, params))

    def _work(self) -> None:
        from analysis.pipeline.kernels import WarmKernel

        kernel = None
        try:
            if self.warm:  # start the kernel and import the stack now, while the build checks the export
                try:
                    kernel = WarmKernel(KERNEL, NOTEBOOKS_DIR)
                    kernel.warm_up()
                except Exception:  # started again for the first notebook, which reports the problem
                    kernel = None
            while (task := self.tasks.get()) is not None:
                theme, staging, parameters, params = task
                began = time.perf_counter()
                try:
                    if kernel is None:
                        kernel = WarmKernel(KERNEL, NOTEBOOKS_DIR)
                    run_theme(theme, staging, parameters, params, kernel)
                    self.results.put((theme, None, time.perf_counter() - began))
                except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
                    self.results.put((theme, exc, time.perf_counter() - began))
                    if kernel is not None:
                        kernel.shutdown()
                        kernel = None
        finally:
            if kernel is not None:
                kernel.shutdown()

    def close(self) -> None:
        """Let every worker finish its notebook, shut its kernel down and stop."""
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join()


def _failure_message(theme: str, target: Path, exc: Exception) -> str:
    import nbformat

    cell = "?"
    if target.exists():
        notebook = nbformat.read(target, as_version=4)
        for index, c in enumerate(notebook.cells):
            if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", [])):
                cell = f"{index} (id {c.get('id', '?')})"
                break
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc)).strip().splitlines()
    detail = "\n    ".join(evalue[:8]) if evalue else ""
    return (f"notebook {NOTEBOOKS[theme].name} failed in cell {cell}: {ename}: {detail}\n"
            f"  executed copy: {target}")


def describe_detected(detected: dict[str, str], lang: str) -> str:
    """How the export was read, in the report's language: format, then what was detected
    (encoding, separator, decimal mark, sheet, layout, header rows, wave). The reasons for each
    decision stay in the analyst's data log."""
    parts = [str(detected.get("format", "")).upper()]
    for key in ("encoding", "delimiter", "decimal", "sheet", "layout", "header_rows", "wave"):
        value = detected.get(key)
        if value in (None, ""):
            continue
        if key == "delimiter":
            value = {"\t": "tab"}.get(value, value)
        if key == "layout" and value == "plain":
            value = message("layout_plain", lang)
        if key == "header_rows" and value == "1":
            continue
        if key == "wave":
            value = str(value).split(" ")[0]  # "2011 (from its columns)": the reason is in the data log
        parts.append(message(f"detected_{key}", lang, value=value))
    return ", ".join(p for p in parts if p)


def write_tables_workbook(staging: Path, themes: list[str], path: Path) -> None:
    """One sheet per published table (the suppressed CSVs), in report order, after a "contents"
    sheet that gives each sheet's chapter and file (sheet names are cut to Excel's 31 characters)."""
    import pandas as pd
    from openpyxl import Workbook

    book = Workbook()
    contents = book.active
    contents.title = "contents"
    contents.append(["sheet", "chapter", "file"])
    used: set[str] = {"contents"}
    for theme in themes:
        for csv_path in sorted((staging / theme).glob("*.csv")):
            table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
            name = f"{theme[:4]}_{csv_path.stem}"[:31]
            while name in used:
                name = name[:28] + f"_{len(used) % 100:02d}"
            used.add(name)
            contents.append([name, theme, f"{theme}/{csv_path.name}"])
            sheet = book.create_sheet(name)
            sheet.append(list(table.columns))
            for row in table.itertuples(index=False):
                sheet.append([_cell(v) for v in row])
    book.properties.created = pd.Timestamp("2011-10-05").to_pydatetime()  # the 2011 report's date, not the build's
    book.properties.creator = "analysis.build"  # the producer named in the xlsx (kept, so tables.xlsx stays byte-identical)
    book.save(path)
    fix_zip_timestamps(path)


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
          force: bool = False, jobs: int | None = None, **fields: Any) -> int:
    """Build the report (and report.pdf when `pdf`); returns the exit status (0 ok, 1 a notebook failed, 2 unknown themes).

    `params` holds everything the notebooks see; `fields` change single parameters (``data`` and
    ``out`` are accepted for ``data_path`` and ``output_dir``). Bad parameters or a bad export
    raise :class:`~analysis.core.errors.SurveyDataError` before any notebook runs. Themes whose inputs
    are unchanged are reused from the cache unless `force`; `jobs` notebooks run at once
    (default: one per core). Neither changes a byte of the outputs.
    """
    params = (params or BuildParameters()).with_(**{_ALIASES.get(k, k): v for k, v in fields.items()})
    out = Path(params.output_dir or OUTPUTS_DIR).resolve()
    themes = select_themes(only)
    if isinstance(themes, int):
        return themes
    cache = ThemeCache.beside(out)
    inputs = hash_inputs(params)
    extra = {"pdf": bool(pdf)}
    if not force and inputs is not None and is_up_to_date(themes, inputs, cache, out, extra):
        print(f"nothing changed: reused {len(themes)} of {len(themes)} themes ({', '.join(themes)}); "
              f"outputs in {out} kept")
        return 0

    jobs = jobs or default_jobs()
    # kernels start (and import the stack) while the export is checked, unless every theme is cached
    needs_kernels = force or inputs is None or cached_keys(themes, inputs, cache) is None
    workers = NotebookWorkers(min(jobs, len(themes)), warm=True) if needs_kernels else None
    try:
        # the pre-flight: every parameter and the export are checked here, before any notebook runs
        from analysis.pipeline.parameters import load_survey

        frame, log = load_survey(params)
        earlier = load_comparison(params)  # the earlier wave (--compare), checked here too
        params = params.with_(coding=_coding_folder(params.coding, frame))
        if inputs is None:  # a file could not be hashed before the checks: they passed, so hash now
            inputs = hash_inputs(params)

        staging = out.parent / f".{out.name}.staging"
        failed = out.parent / f".{out.name}.failed"
        for stale in (staging, failed):
            if stale.exists():
                shutil.rmtree(stale)
        staging.mkdir(parents=True)
        parameters = params.with_(data_path=params.data, output_dir=staging).notebook_parameters()
        outcome = run_themes(themes, staging, parameters, params, inputs, cache, force=force, jobs=jobs,
                             workers=workers)
    finally:
        if workers is not None:
            workers.close()
    if outcome.failure is not None:
        theme, exc = outcome.failure
        staging.rename(failed)
        print(_failure_message(theme, failed / "notebooks" / NOTEBOOKS[theme].name, exc), file=sys.stderr)
        print(f"  the previous outputs in {out} were left untouched", file=sys.stderr)
        return 1
    print(outcome.summary(), flush=True)

    assemble_outputs(staging, themes, params, parameters, frame, log, pdf, outcome.sections, earlier=earlier)
    _swap_into_place(staging, out)
    if inputs is not None:
        cache.record_build(build_key(outcome.keys, extra), outputs_digest(out))
    print(f"report: {out / 'report.html'}")
    if pdf:
        print(f"pdf: {out / 'report.pdf'}")
    return 0


def select_themes(only: list[str] | None) -> list[str] | int:
    """The themes to build, in report order; or exit status 2 (after saying why) when `only` names
    an unknown theme or leaves out a theme whose facts a chosen one reads."""
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
    return themes


def hash_inputs(params: BuildParameters) -> Inputs | None:
    """Digests of the build's inputs (None when a named file cannot be read: the checks say why)."""
    try:
        return read_inputs(params, NOTEBOOKS, THEME_MODULES)
    except OSError:
        return None


def cached_keys(themes: list[str], inputs: Inputs, cache: ThemeCache) -> dict[str, str] | None:
    """Every theme's key when every theme is in the cache (None as soon as one is not)."""
    keys: dict[str, str] = {}
    facts: dict[str, str] = {}
    for theme in themes:
        keys[theme] = inputs.theme_key(theme, {t: facts[t] for t in READS_FACTS_OF[theme]})
        entry = cache.lookup(theme, keys[theme])
        if entry is None:
            return None
        facts[theme] = cache.facts_digest(entry)
    return keys


def is_up_to_date(themes: list[str], inputs: Inputs, cache: ThemeCache, out: Path, extra: dict[str, Any]) -> bool:
    """Whether the output directory is exactly what a build of these inputs writes: every theme
    is cached, the last build had the same key, and nobody changed its files since."""
    keys = cached_keys(themes, inputs, cache)
    if keys is None:
        return False
    last = cache.last_build()
    return last.get("key") == build_key(keys, extra) and last.get("outputs") == outputs_digest(out)


class ThemeRuns:
    """What :func:`run_themes` did: each theme's key, which were reused, run (with seconds) or failed."""

    def __init__(self, themes: list[str]):
        self.themes = themes
        self.keys: dict[str, str] = {}
        self.facts: dict[str, str] = {}
        self.reused: list[str] = []
        self.seconds: dict[str, float] = {}
        self.failure: tuple[str, Exception] | None = None
        #: executed notebook -> its report section (rendered as soon as the theme is done)
        self.sections: dict[Path, str] = {}

    def report(self, theme: str, what: str) -> None:
        """One line per theme as it finishes: its place in the report, its id, what happened."""
        print(f"[{self.themes.index(theme) + 1}/{len(self.themes)}] {theme} ... {what}", flush=True)

    def summary(self) -> str:
        ran = [t for t in self.themes if t in self.seconds]
        reused = [t for t in self.themes if t in self.reused]
        parts = [f"reused {len(reused)} of {len(self.themes)} themes" + (f" ({', '.join(reused)})" if reused else "")]
        if ran:
            parts.append(f"ran {', '.join(ran)}")
        return "; ".join(parts)


def run_themes(themes: list[str], staging: Path, parameters: dict[str, Any], params: BuildParameters,
               inputs: Inputs | None, cache: ThemeCache, force: bool = False, jobs: int = 1,
               workers: NotebookWorkers | None = None) -> ThemeRuns:
    """Fill the staging directory with every theme's outputs: from the cache when its key is
    stored (unless `force`), otherwise by running its notebook, `jobs` kernels at a time (in
    `workers` when given). Each theme's report section is rendered as soon as it is done, while
    other notebooks still run.

    A theme starts once the themes whose facts it reads are done (their facts are part of its
    key). After a failure no new theme starts; those running finish, and the failure is returned.
    """
    from analysis.report.assembly import render_notebook

    runs = ThemeRuns(themes)
    pending = list(themes)
    running: set[str] = set()
    own_workers = workers is None
    try:
        while pending or running:
            progress = True
            while progress and runs.failure is None:  # reusing one theme may make the next ready
                progress = False
                for theme in [t for t in pending if all(d in runs.facts for d in READS_FACTS_OF[t])]:
                    pending.remove(theme)
                    progress = True
                    key = (inputs.theme_key(theme, {t: runs.facts[t] for t in READS_FACTS_OF[theme]})
                           if inputs is not None else None)
                    runs.keys[theme] = key
                    entry = None if force or key is None else cache.lookup(theme, key)
                    if entry is not None:
                        section = cache.restore(entry, theme, NOTEBOOKS[theme].name, staging)
                        if section is not None:
                            runs.sections[staging / "notebooks" / NOTEBOOKS[theme].name] = section
                        runs.facts[theme] = cache.facts_digest(entry)
                        runs.reused.append(theme)
                        runs.report(theme, "reused (unchanged)")
                        continue
                    workers = workers or NotebookWorkers(min(jobs, len(themes)))
                    workers.submit(theme, staging, parameters, params)
                    running.add(theme)
            if runs.failure is not None:
                pending.clear()
            if not running:
                break
            theme, exc, seconds = workers.results.get()
            running.discard(theme)
            if exc is not None:
                runs.report(theme, "failed")
                runs.failure = runs.failure or (theme, exc)
                continue
            runs.seconds[theme] = seconds
            notebook = staging / "notebooks" / NOTEBOOKS[theme].name
            runs.sections[notebook] = render_notebook(notebook)
            if runs.keys[theme] is not None:
                cache.store(theme, runs.keys[theme], NOTEBOOKS[theme].name, staging, runs.sections[notebook])
            runs.facts[theme] = file_digest(staging / theme / "facts.json")
            runs.report(theme, f"{seconds:.1f} s")
    finally:
        if own_workers and workers is not None:
            workers.close()
    return runs


def run_theme(theme: str, staging: Path, parameters: dict[str, Any], params: BuildParameters,
              kernel: Any = None) -> Path:
    """Run one theme's notebook into the staging directory (in `kernel` when given) and withhold
    its paths; returns the executed notebook (raises what papermill raised when a cell fails)."""
    target = staging / "notebooks" / NOTEBOOKS[theme].name
    execute(theme, target, parameters, kernel=kernel)
    redact_paths(target, params)
    return target


def assemble_outputs(staging: Path, themes: list[str], params: BuildParameters, parameters: dict[str, Any],
                     frame: pd.DataFrame, log: Any, pdf: bool, sections: dict[Path, str] | None = None,
                     earlier: Any = None) -> None:
    """The files built from all themes together: the analyst's files, report.html (and .pdf), tables.xlsx."""
    import pandas as pd

    from analysis.survey.codebook import load_codebook
    from analysis.report.assembly import assemble

    executed = [staging / "notebooks" / NOTEBOOKS[theme].name for theme in themes]
    # the analyst's files (respondent level, review and checking records) live apart from what is
    # published; the report never links them
    analyst = staging / "analyst"
    analyst.mkdir(exist_ok=True)
    frame.to_csv(analyst / "survey_clean.csv", index=False, lineterminator="\n")
    cb = load_codebook()
    data_log = {"input": log.as_dict(), "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
                "codebook": {"path": str(cb.path.relative_to(PROJECT_ROOT)) if cb.path.is_relative_to(PROJECT_ROOT)
                             else str(cb.path), "version": cb.version},
                "themes": themes, "compare_input": earlier[1].as_dict() if earlier else None}
    (analyst / "data_log.json").write_text(json.dumps(data_log, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
    checking = _combine_analyst_files(analyst, themes)
    detected = describe_detected(log.detected, params.lang)
    reasons = checking["reason"].value_counts() if len(checking) else pd.Series(dtype=int)
    source = message("default_label", params.lang) if params.label == BuildParameters.label else params.label
    context = {"source": source, "sha256": log.sha256, "detected": detected, "n": len(frame),
               "codebook_version": cb.version, "level": f"{100 * params.level:g}",
               "alpha": f"{1 - params.level:.2g}", "k": int(params.k), "profile": params.rules,
               "hidden": int(len(checking)), "primary": int(reasons.get("primary", 0)),
               "secondary": int(reasons.get("secondary", 0)), "linked": int(reasons.get("linked", 0)),
               "derived": int(reasons.get("derived", 0)),
               "zero": int(reasons.get("zero", 0) + reasons.get("class", 0)),
               "synthetic": bool(frame.attrs.get("synthetic")), "empty_responses": len(log.empty_responses)}
    (staging / "report.html").write_text(assemble(executed, params.lang, context, sections), encoding="utf-8")
    # --- readers' formats (issue 15): report.pdf from the same page and its print stylesheet
    if pdf:
        from analysis.report.assembly import write_pdf
        write_pdf(staging / "report.html", staging / "report.pdf")
    write_tables_workbook(staging, themes, staging / "tables.xlsx")
    # the rules this release was made under, for check-release against a later one (nothing respondent-level)
    from analysis.protection.publication import profile as rule_profile
    from analysis.protection.release import manifest, write_manifest

    write_manifest(staging, manifest(k=params.k, profile=params.rules, zeros_hidden=rule_profile(params.rules).zeros,
                                     label=params.label, input_sha256=log.sha256, lang=params.lang, themes=themes,
                                     synthetic=bool(frame.attrs.get("synthetic"))))


def _combine_analyst_files(analyst: Path, themes: list[str]) -> pd.DataFrame:
    """One disclosure log and one quote review file from the themes' pieces (in report order)."""
    import pandas as pd

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
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    paths = {name: getattr(params, name) for name in BuildParameters.path_fields()}
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
CHAPTER_CELL = ('from analysis.pipeline.notebook import BuildParameters, ThemeNotebook\n\n'
                'chapter = ThemeNotebook("{theme}", BuildParameters.from_namespace(globals()))\n'
                'chapter.run()')


def sync_parameters_cells(theme: str, path: Path) -> bool:
    """Rewrite a stored notebook's parameters cell (and the chapter cell after it) from
    :class:`BuildParameters`; returns whether anything changed."""
    import nbformat

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
    from analysis.coding import Coding

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
