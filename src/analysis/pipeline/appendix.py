"""The report's appendix "Additional analyses" (``build --analyses FILE``, issue 22).

Each breakdown the file declares (:mod:`analysis.pipeline.analyses`) becomes a protected exploration
table (:meth:`analysis.pipeline.explore.Survey.table`) of the frame the build validated, with the build's
parameters. :func:`declared` makes them in the pre-flight, so a bad file stops the build before any
notebook runs; :func:`section_html` is the appendix in the report's language (placed after the chapters,
like the workforce section); :func:`write` puts one CSV per analysis under ``analyses/`` (a sheet of
tables.xlsx each) and the appendix's rows of the disclosure log under ``analyst/``, after the audit.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import Problem
from analysis.pipeline.analyses import Analysis, read_analyses, survey_of, tables
from analysis.pipeline.explore import ExploreTable
from analysis.pipeline.explore_table import Part
from analysis.pipeline.parameters import BuildParameters
from analysis.report.tables import table_html
from analysis.report.text import file_table, message
from analysis.themes.result import DisclosureError

#: The appendix's folder of tables in the outputs, and its name in the disclosure log's ``theme`` column.
APPENDIX = "analyses"
#: The appendix's place among the executed notebooks when the report is assembled (rendered, never run).
SECTION = "analyses.html"
#: The columns of an appendix table's CSV: the part (a grid's item, an option), then the protected cells.
COLUMNS = ["part", "part_label", "group", "category", "n", "count", "pct", "pct_low", "pct_high"]


@dataclass(frozen=True)
class Appendix:
    """The declared analyses as protected tables, and the context they were made in."""

    tables: list[tuple[Analysis, ExploreTable]]
    lang: str
    k: int
    profile: str

    def names(self) -> list[str]:
        """Each table's file name (without ``.csv``): its place in the file, item and breakdown."""
        return [f"{i}_{analysis.item}_by_{analysis.by}" for i, (analysis, _) in enumerate(self.tables, start=1)]


def declared(params: BuildParameters, frame: pd.DataFrame) -> Appendix | None:
    """The appendix of ``params.analyses`` on the validated `frame` (None without the file); a bad file,
    or an item, breakdown or filter the survey cannot answer, raises
    :class:`~analysis.core.errors.SurveyDataError` naming the file, the entry's line, the key and the value."""
    if params.analyses is None:
        return None
    analyses = read_analyses(params.analyses)
    survey = survey_of(frame, params)
    rules = params.publication_rules()
    return Appendix(tables(survey, analyses, str(params.analyses)), params.lang, rules.k, rules.name)


def _caption(table: ExploreTable, part: Part) -> str:
    return table.caption if len(table.parts) == 1 else f"{table.caption}: {part.label}"


def _table_html(table: ExploreTable, part: Part, table_id: str, lang: str, k: int) -> str:
    """One part as the report shows a table: answers down, groups across, respondents per group last."""
    frame = table.display(part)
    frame.index.name = message("ad_col_answer", lang)
    return table_html(frame.reset_index(), _caption(table, part), table_id, message("suppressed_title", lang, k=k))


def section_html(appendix: Appendix) -> str:
    """The appendix (an ``h1`` title, demoted like a notebook's chapter when assembled): an introduction,
    then per analysis its declared title, its tables and the sentences of its tests."""
    lang = appendix.lang
    parts = [f"<h1>{html.escape(message('ad_heading', lang))}</h1>",
             f"<p>{html.escape(message('ad_intro', lang, count=len(appendix.tables), k=appendix.k))}</p>"]
    for name, (analysis, table) in zip(appendix.names(), appendix.tables):
        parts.append(f"<h2>{html.escape(analysis.title[lang])}</h2>")
        parts += [_table_html(table, part, f"table-{APPENDIX}-{name}-{i}", lang, appendix.k)
                  for i, part in enumerate(table.parts, start=1)]
        parts += [f"<p>{html.escape(text)}</p>" for text in table.sentences]
    return "\n".join(parts)


def published_table(table: ExploreTable) -> tuple[pd.DataFrame, list[dict]]:
    """One analysis as its CSV shows it (every part's protected cells, hidden ones marked, answers in words)
    and its rows of the disclosure log (row = the row of the CSV)."""
    frames, log = [], []
    for part in table.parts:
        cells = file_table(part.table)
        cells["category"] = [str(part.codes.get(c, c)) for c in part.table.values["category"]]
        cells.insert(0, "part_label", part.label)
        cells.insert(0, "part", part.name)
        start = sum(len(f) for f in frames)
        log += [{**entry, "row": entry["row"] + start} for entry in part.table.disclosure_log()]
        frames.append(cells)
    return pd.concat(frames, ignore_index=True)[COLUMNS], log


def audit(appendix: Appendix) -> list[Problem]:
    """Hidden small counts that an appendix table's shown cells and public sums pin or narrow (should be none)."""
    return [Problem(f"{APPENDIX}/{name}.csv", f"the published cells of {part.name} narrow a hidden count to "
                    f"{low:g}..{high:g}", line=row + 2, column=column,
                    expected="a protection interval as wide as the [c] marker states")
            for name, (_, table) in zip(appendix.names(), appendix.tables) for part in table.parts
            for (row, column), _, low, high in part.table.audit()]


def write(appendix: Appendix, output_dir: Path) -> None:
    """Write each analysis's CSV under ``analyses/`` and the appendix's disclosure log piece under
    ``analyst/`` (combined with the themes' by the build); refuses (:class:`DisclosureError`) when the
    audit finds a hidden count that the published cells pin."""
    problems = audit(appendix)
    if problems:
        raise DisclosureError(problems)
    folder = Path(output_dir) / APPENDIX
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (_, table) in zip(appendix.names(), appendix.tables):
        cells, log = published_table(table)
        cells.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        rows += [{"theme": APPENDIX, "table": name, **entry, "profile": appendix.profile} for entry in log]
    columns = ["theme", "table", "row", "row_label", "column", "reason", "respondents", "showable", "profile"]
    pd.DataFrame(rows, columns=columns).astype({"respondents": "Int64"}).to_csv(
        Path(output_dir) / "analyst" / f"disclosure_log_{APPENDIX}.csv", index=False, lineterminator="\n")
