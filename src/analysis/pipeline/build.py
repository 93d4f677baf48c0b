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

Heavy libraries (pandas, nbformat, papermill) are imported where they are used: a no-op build pays for none of them.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.paths import OUTPUTS_DIR, PROJECT_ROOT
from analysis.pipeline import validated
from analysis.pipeline.cache import Inputs, ThemeCache, build_key, file_digest, outputs_digest, read_inputs
from analysis.pipeline.parameters import BuildParameters, load_comparison, load_survey
from analysis.pipeline.workers import NotebookWorkers, execute, redact_paths
from analysis.pipeline.weighted_findings import theme_context, weighted_findings
from analysis.pipeline.workforce import WORKFORCE, Workforce, section_html, workforce
from analysis.protection.rules import Rules
from analysis.report.text import message
from analysis.themes.registry import THEME_KEYS, THEMES as REGISTERED

if TYPE_CHECKING:
    import pandas as pd

    from analysis.pipeline.appendix import Appendix

#: Theme id -> stored notebook (a dict so a test can swap one notebook for another).
NOTEBOOKS = {theme.key: theme.notebook for theme in REGISTERED}
#: Theme id -> source file of its module (part of that theme's cache key only).
THEME_MODULES = {theme.key: Path(__file__).resolve().parents[1] / Path(*theme.module.split(".")[1:]).with_suffix(".py")
                 for theme in REGISTERED}
#: Theme id -> themes whose facts it reads (they must be built with it, and before it).
READS_FACTS_OF = {theme.key: theme.reads_facts_of for theme in REGISTERED}


def default_jobs() -> int:
    """Notebooks run at once by default: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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
    """Build the report (and report.pdf when `pdf`); returns the exit status (0 ok, 1 a notebook failed,
    2 unknown themes).

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
    extra = {"pdf": bool(pdf), **(inputs.assembly if inputs is not None else {})}
    if not force and inputs is not None and is_up_to_date(themes, inputs, cache, out, extra):
        print(f"nothing changed: reused {len(themes)} of {len(themes)} themes ({', '.join(themes)}); "
              f"outputs in {out} kept")
        return 0
    survey_file = cache.root / validated.FILE_NAME
    env = {validated.ENV_VAR: str(survey_file)}
    jobs = jobs or default_jobs()
    # kernels start (and import the stack) while the export is checked, unless every theme is cached
    needs_kernels = force or inputs is None or cached_keys(themes, inputs, cache) is None
    workers = NotebookWorkers(min(jobs, len(themes)), run_theme, warm=True, env=env) if needs_kernels else None
    refused = True  # until the checks pass; a refusal abandons the kernels' warm-up instead of awaiting it
    try:
        checked = preflight(params, out, survey_file)
        refused = False
        inputs = inputs or hash_inputs(checked.params)  # a file could not be hashed before the checks: now it can
        outcome = run_themes(themes, checked.staging, checked.parameters, checked.params, inputs, cache,
                             force=force, jobs=jobs, workers=workers, env=env)
    finally:
        if workers is not None:
            workers.close(cancel=refused)
        survey_file.unlink(missing_ok=True)
    if outcome.failure is not None:
        checked.clean_csv.exception()  # the analyst's copy is complete before the run is moved aside
        return _keep_failed(checked.staging, out, *outcome.failure)
    print(outcome.summary(), flush=True)
    assemble_outputs(checked, themes, pdf, outcome.sections)
    _swap_into_place(checked.staging, out)
    if inputs is not None:
        cache.record_build(build_key(outcome.keys, extra), outputs_digest(out))
    print(f"report: {out / 'report.html'}" + (f"\npdf: {out / 'report.pdf'}" if pdf else ""))
    return 0


@dataclass(frozen=True)
class Checked:
    """What the pre-flight established: the parameters (coding folder resolved), those the
    notebooks get, the validated survey and its load log, the earlier wave's, the rules in force
    and the empty staging directory; `clean_csv` writes the analyst's copy of the validated survey
    while the notebooks run (at 100,000 respondents it takes as long as a chapter)."""

    params: BuildParameters
    parameters: dict[str, Any]
    frame: pd.DataFrame
    log: Any
    earlier: Any
    rules: Rules
    staging: Path
    clean_csv: Future
    workforce: Workforce | None = None      # with --margins: the raking and what the workforce section shows
    appendix: Appendix | None = None        # with --analyses: the declared breakdowns, protected


def preflight(params: BuildParameters, out: Path, survey_file: Path) -> Checked:
    """Check every parameter and the export (and the earlier wave's) before any notebook runs,
    make an empty staging directory beside `out`, and write the validated survey to `survey_file`
    for the notebooks (:mod:`analysis.pipeline.validated`)."""
    survey = load_survey(params)
    earlier = load_comparison(params)  # the earlier wave (--compare), checked here too
    against = workforce(survey[0], params.margins) if params.margins else None  # bad margins: refused here
    params = params.with_(coding=_coding_folder(params.coding, survey[0]))
    appendix = None
    if params.analyses is not None:  # a bad analyses file: refused here (the import takes seconds: only then)
        from analysis.pipeline.appendix import declared
        appendix = declared(params, survey[0])
    staging = out.parent / f".{out.name}.staging"
    for stale in (staging, out.parent / f".{out.name}.failed"):
        if stale.exists():
            shutil.rmtree(stale)
    staging.mkdir(parents=True)
    parameters = params.with_(data_path=params.data, output_dir=staging).notebook_parameters()
    validated.write(survey_file, BuildParameters(**parameters), survey, earlier)
    return Checked(params, parameters, survey[0], survey[1], earlier, params.publication_rules(), staging,
                   _write_clean_survey(survey[0], staging / "analyst"), against, appendix)


def _write_clean_survey(frame: pd.DataFrame, analyst: Path) -> Future:
    """Start writing ``analyst/survey_clean.csv`` in a thread (the kernels are other processes, so
    it uses a core the notebooks leave idle); the result is awaited before the outputs are assembled."""
    analyst.mkdir(parents=True, exist_ok=True)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="survey-clean")
    written = pool.submit(frame.to_csv, analyst / "survey_clean.csv", index=False, lineterminator="\n")
    pool.shutdown(wait=False)  # the thread ends when the file is written
    return written


def _keep_failed(staging: Path, out: Path, theme: str, exc: Exception) -> int:
    """Keep a failed run beside `out` for inspection, say which cell failed; exit status 1."""
    failed = out.parent / f".{out.name}.failed"
    staging.rename(failed)
    print(_failure_message(theme, failed / "notebooks" / NOTEBOOKS[theme].name, exc), file=sys.stderr)
    print(f"  the previous outputs in {out} were left untouched", file=sys.stderr)
    return 1


def select_themes(only: list[str] | None) -> list[str] | int:
    """The themes to build, in report order; or exit status 2 (after saying why) when `only` names
    an unknown theme or leaves out a theme whose facts a chosen one reads."""
    themes = list(THEME_KEYS) if not only else [t for t in THEME_KEYS if t in only]
    unknown = sorted(set(only or []) - set(THEME_KEYS))
    if unknown:
        print(f"unknown theme(s) {unknown}; themes are {list(THEME_KEYS)}", file=sys.stderr)
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

    def restored(self, theme: str, entry: Path, staging: Path, cache: ThemeCache) -> None:
        """Record a theme copied from the cache `entry` into the staging directory."""
        section = cache.restore(entry, theme, NOTEBOOKS[theme].name, staging)
        if section is not None:
            self.sections[staging / "notebooks" / NOTEBOOKS[theme].name] = section
        self.facts[theme] = cache.facts_digest(entry)
        self.reused.append(theme)
        self.report(theme, "reused (unchanged)")

    def finished(self, theme: str, exc: Exception | None, seconds: float, staging: Path, cache: ThemeCache) -> None:
        """Record a theme whose notebook ran: its failure, or its section rendered and its outputs cached."""
        from analysis.report.assembly import render_notebook

        if exc is not None:
            self.report(theme, "failed")
            self.failure = self.failure or (theme, exc)
            return
        self.seconds[theme] = seconds
        notebook = staging / "notebooks" / NOTEBOOKS[theme].name
        self.sections[notebook] = render_notebook(notebook)
        if self.keys[theme] is not None:
            cache.store(theme, self.keys[theme], NOTEBOOKS[theme].name, staging, self.sections[notebook])
        self.facts[theme] = file_digest(staging / theme / "facts.json")
        self.report(theme, f"{seconds:.1f} s")

    def summary(self) -> str:
        ran = [t for t in self.themes if t in self.seconds]
        reused = [t for t in self.themes if t in self.reused]
        parts = [f"reused {len(reused)} of {len(self.themes)} themes" + (f" ({', '.join(reused)})" if reused else "")]
        if ran:
            parts.append(f"ran {', '.join(ran)}")
        return "; ".join(parts)


def run_themes(themes: list[str], staging: Path, parameters: dict[str, Any], params: BuildParameters,
               inputs: Inputs | None, cache: ThemeCache, force: bool = False, jobs: int = 1,
               workers: NotebookWorkers | None = None, env: dict[str, str] | None = None) -> ThemeRuns:
    """Fill the staging directory with every theme's outputs: from the cache when its key is
    stored (unless `force`), otherwise by running its notebook, `jobs` kernels at a time (in
    `workers` when given, otherwise in kernels started with `env`). Each theme's report section
    is rendered as soon as it is done, while other notebooks still run.

    A theme starts once the themes whose facts it reads are done (their facts are part of its
    key). After a failure no new theme starts; those running finish, and the failure is returned.
    """
    runs = ThemeRuns(themes)
    pending = list(themes)
    running: set[str] = set()
    own_workers = workers is None
    try:
        while pending or running:
            for theme in _take_ready(runs, pending, staging, inputs, cache, force):
                workers = workers or NotebookWorkers(min(jobs, len(themes)), run_theme, env=env)
                workers.submit(theme, staging, parameters, params)
                running.add(theme)
            if runs.failure is not None:
                pending.clear()
            if not running:
                break
            theme, exc, seconds = workers.results.get()
            running.discard(theme)
            runs.finished(theme, exc, seconds, staging, cache)
    finally:
        if own_workers and workers is not None:
            workers.close()
    return runs


def _take_ready(runs: ThemeRuns, pending: list[str], staging: Path, inputs: Inputs | None, cache: ThemeCache,
                force: bool) -> list[str]:
    """Take from `pending` every theme whose facts read are known (none after a failure): restore
    those whose key is in the cache (which may make more themes ready); return the others, to run."""
    to_run: list[str] = []
    progress = True
    while progress and runs.failure is None:
        progress = False
        for theme in [t for t in pending if all(d in runs.facts for d in READS_FACTS_OF[t])]:
            pending.remove(theme)
            progress = True
            key = (inputs.theme_key(theme, {t: runs.facts[t] for t in READS_FACTS_OF[theme]})
                   if inputs is not None else None)
            runs.keys[theme] = key
            entry = None if force or key is None else cache.lookup(theme, key)
            if entry is None:
                to_run.append(theme)
            else:
                runs.restored(theme, entry, staging, cache)
    return to_run


def run_theme(theme: str, staging: Path, parameters: dict[str, Any], params: BuildParameters,
              kernel: Any = None) -> Path:
    """Run one theme's notebook into the staging directory (in `kernel` when given) and withhold
    its paths; returns the executed notebook (raises what papermill raised when a cell fails)."""
    target = staging / "notebooks" / NOTEBOOKS[theme].name
    execute(NOTEBOOKS[theme], target, parameters, kernel=kernel)
    redact_paths(target, params)
    return target


def assemble_outputs(checked: Checked, themes: list[str], pdf: bool, sections: dict[Path, str] | None = None) -> None:
    """The files built from all themes together: the analyst's files, report.html (and .pdf), tables.xlsx
    and release.json."""
    from analysis.protection.release import manifest, write_manifest
    from analysis.report.assembly import assemble
    from analysis.report.tables import write_tables_workbook

    staging, params, rules = checked.staging, checked.params, checked.rules
    executed = [staging / "notebooks" / NOTEBOOKS[theme].name for theme in themes]
    if checked.workforce is not None:  # after the participants chapter (first when it is not built)
        findings = weighted_findings(checked.frame, checked.workforce.raking, theme_context(params, checked.frame))
        sections = {**(sections or {}), staging / WORKFORCE: section_html(checked.workforce, params.lang, rules.k,
                                                                         findings)}
        executed.insert(themes.index("participants") + 1 if "participants" in themes else 0, staging / WORKFORCE)
    folders = list(themes)  # of tables, and of pieces of the analyst's files
    if checked.appendix is not None:  # after the chapters, before the methods appendix
        from analysis.pipeline import appendix as declared
        declared.write(checked.appendix, staging)
        sections = {**(sections or {}), staging / declared.SECTION: declared.section_html(checked.appendix)}
        executed.append(staging / declared.SECTION)
        folders.append(declared.APPENDIX)
    checking = _write_analyst_files(checked, themes, folders)
    (staging / "report.html").write_text(assemble(executed, params.lang, _report_context(checked, checking), sections),
                                         encoding="utf-8")
    # --- readers' formats (issue 15): report.pdf from the same page and its print stylesheet
    if pdf:
        from analysis.report.assembly import write_pdf
        write_pdf(staging / "report.html", staging / "report.pdf")
    write_tables_workbook(staging, themes, staging / "tables.xlsx", appendix=folders[len(themes):])
    # the rules this release was made under, for check-release against a later one (nothing respondent-level)
    write_manifest(staging, manifest(k=rules.k, profile=rules.name, zeros_hidden=rules.zeros,
                                     label=params.label, input_sha256=checked.log.sha256, lang=params.lang,
                                     themes=themes, synthetic=bool(checked.frame.attrs.get("synthetic"))))


def _write_analyst_files(checked: Checked, themes: list[str], folders: list[str]) -> pd.DataFrame:
    """The analyst's files (respondent level, review and checking records), apart from what is
    published (the report never links them); returns the disclosure log combined over `folders`."""
    from analysis.survey.codebook import load_codebook

    analyst = checked.staging / "analyst"
    checked.clean_csv.result()  # written since the pre-flight; re-raises what went wrong there
    cb = load_codebook()
    data_log = {"input": checked.log.as_dict(),
                "parameters": {k: v for k, v in checked.parameters.items() if k != "output_dir"},
                "codebook": {"path": str(cb.path.relative_to(PROJECT_ROOT)) if cb.path.is_relative_to(PROJECT_ROOT)
                             else str(cb.path), "version": cb.version},
                "themes": themes, "compare_input": checked.earlier[1].as_dict() if checked.earlier else None}
    (analyst / "data_log.json").write_text(json.dumps(data_log, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
    return _combine_analyst_files(analyst, folders)


def _report_context(checked: Checked, checking: pd.DataFrame) -> dict[str, Any]:
    """What the report's front and method sections say about the data, the rules and what was hidden."""
    import pandas as pd

    from analysis.survey.codebook import load_codebook

    params, log = checked.params, checked.log
    reasons = checking["reason"].value_counts() if len(checking) else pd.Series(dtype=int)
    source = message("default_label", params.lang) if params.label == BuildParameters.label else params.label
    return {"source": source, "sha256": log.sha256, "detected": describe_detected(log.detected, params.lang),
            "n": len(checked.frame), "codebook_version": load_codebook().version, "level": f"{100 * params.level:g}",
            "alpha": f"{1 - params.level:.2g}", "k": int(checked.rules.k), "profile": checked.rules.name,
            "hidden": int(len(checking)), "primary": int(reasons.get("primary", 0)),
            "secondary": int(reasons.get("secondary", 0)), "linked": int(reasons.get("linked", 0)),
            "derived": int(reasons.get("derived", 0)),
            "respondents_hidden": int(pd.to_numeric(checking["respondents"], errors="coerce").sum())
            if len(checking) else 0,
            "showable": int((checking["showable"].astype(str) == "True").sum()) if len(checking) else 0,
            "zero": int(reasons.get("zero", 0) + reasons.get("class", 0)),
            "synthetic": bool(checked.frame.attrs.get("synthetic")), "empty_responses": len(log.empty_responses),
            "wave": checked.frame.attrs["wave"]}


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
