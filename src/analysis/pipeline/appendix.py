"""The report's appendix "Additional analyses" (``build --analyses FILE``, issue 22).

Each breakdown the file declares (:mod:`analysis.pipeline.analyses`) becomes a protected exploration
table (:meth:`analysis.pipeline.explore.Survey.table`) of the frame the build validated, with the build's
parameters. :func:`declared` makes them in the pre-flight, so a bad file stops the build before any
notebook runs; :func:`section_html` is the appendix in the report's language (placed after the chapters,
like the workforce section), its captions naming a grid as its chapter does and the types of organisation
in the codebook's words; :func:`write` puts one CSV per analysis under ``analyses/`` (a sheet of
tables.xlsx each) and the appendix's rows of the disclosure log under ``analyst/``, after the audit.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import Problem
from analysis.pipeline.analyses import Analysis, read_analyses, tables
from analysis.pipeline.explore import ORGANISATION_TYPE, ExploreTable, survey_of
from analysis.pipeline.explore_table import WORDING, Part
from analysis.pipeline.parameters import BuildParameters
from analysis.report.tables import table_html
from analysis.report.text import file_table, fmt_number, message
from analysis.themes.result import DisclosureError

#: The appendix's folder of tables in the outputs, and its name in the disclosure log's ``theme`` column.
APPENDIX = "analyses"
#: The appendix's place among the executed notebooks when the report is assembled (rendered, never run).
SECTION = "analyses.html"
#: The columns of an appendix table's CSV: the part (a grid's item, an option), then the protected cells.
COLUMNS = ["part", "part_label", "group", "category", "n", "count", "pct", "pct_low", "pct_high"]
#: The title each rating grid's table has in its chapter (a key of messages.yaml): the codebook names a grid
#: only by its id, so a grid's caption here uses the words the report's readers met in the chapter.
GRID_TITLES = {"opportunity_domains": "o_title_ratings", "current_barriers": "b_title_barriers",
               "future_threats": "b_title_threats", "enforcement_applications": "e_title_applications",
               "investigation_applications": "i_title_applications", "solved_today": "i_title_solved",
               "statements": "c_title_statements"}


@dataclass(frozen=True)
class Appendix:
    """The declared analyses as protected tables, and the context they were made in."""

    tables: list[tuple[Analysis, ExploreTable]]
    lang: str
    k: int
    profile: str
    #: the significance level of the tests (1 - the build's level)
    alpha: float

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
    return Appendix(tables(survey, analyses, str(params.analyses)), params.lang, rules.k, rules.name,
                    survey.ctx.alpha)


def organisation_types(table: ExploreTable) -> dict[str, str]:
    """The codebook's name of each type of organisation in the table's language (the group ids of the
    organisation item, as the participants chapter names them)."""
    return {str(group.code): group.labels[table.ctx.lang] for group in table.ctx.codebook["organisation"].groups}


def caption(analysis: Analysis, table: ExploreTable) -> str:
    """The exploration's caption of an analysis in the report's words: a grid named by its chapter's title
    (the exploration names it by its id), a filter on the type of organisation by the types' names."""
    text, lang = table.caption, table.ctx.lang
    grid_words = analysis.item.replace("_", " ")
    if analysis.item in GRID_TITLES and text.startswith(grid_words):
        text = message(GRID_TITLES[analysis.item], lang) + text.removeprefix(grid_words)
    wanted = analysis.within.get(ORGANISATION_TYPE)
    if wanted is not None:
        ids = [str(code) for code in (wanted if isinstance(wanted, list) else [wanted])]
        names = organisation_types(table)
        tail = f"{', '.join(ids)})"
        text = text.removesuffix(tail) + f"{', '.join(names.get(i, i) for i in ids)})"
    return text


def _filter_text(analysis: Analysis, text: str, lang: str) -> str:
    """The filter as the caption words it ("type of organisation: Regional police forces"); empty without one."""
    if not analysis.within:
        return ""
    opening = " (" + WORDING[lang]["within"].format(within="")
    return text[text.rindex(opening) + len(opening):-1]


def fully_hidden(part: Part) -> bool:
    """Whether a part shows no count above zero: every count is hidden or zero (a table of [c] only)."""
    counts, hidden = part.table.values["count"], part.table.mask["count"]
    return not ((~hidden) & (counts > 0)).any()


def _display(analysis: Analysis, table: ExploreTable, part: Part) -> pd.DataFrame:
    """A part as the reader's table (answers down, groups across, respondents per group last), the types
    of organisation named in words."""
    frame = table.display(part)
    if analysis.by == ORGANISATION_TYPE:
        frame = frame.rename(columns=organisation_types(table))
    frame.index.name = message("ad_col_answer", table.ctx.lang)
    return frame.reset_index()


def _analysis_html(analysis: Analysis, table: ExploreTable, name: str, k: int) -> list[str]:
    """One analysis: its declared title, the filter it counts, its tables (a part that shows no count in
    one sentence instead) and the sentences of its tests."""
    lang = table.ctx.lang
    text = caption(analysis, table)
    out = [f"<h2>{html.escape(analysis.title[lang])}</h2>"]
    within = _filter_text(analysis, text, lang)
    if within:
        out.append(f"<p>{html.escape(message('ad_within', lang, within=within))}</p>")
    for i, part in enumerate(table.parts, start=1):
        part_caption = text if len(table.parts) == 1 else f"{text}: {part.label}"
        if fully_hidden(part):
            out.append(f"<p>{html.escape(message('ad_all_hidden', lang, caption=part_caption, k=k))}</p>")
        else:
            out.append(table_html(_display(analysis, table, part), part_caption, f"table-{APPENDIX}-{name}-{i}",
                                  message("suppressed_title", lang, k=k)))
    return out + [f"<p>{html.escape(sentence)}</p>" for sentence in table.sentences]


def section_html(appendix: Appendix) -> str:
    """The appendix (an ``h1`` title, demoted like a notebook's chapter when assembled): an introduction,
    then each analysis (:func:`_analysis_html`)."""
    lang = appendix.lang
    intro = message("ad_intro", lang, count=len(appendix.tables), k=appendix.k,
                    alpha=fmt_number(appendix.alpha, lang, 2))
    parts = [f"<h1>{html.escape(message('ad_heading', lang))}</h1>", f"<p>{html.escape(intro)}</p>"]
    for name, (analysis, table) in zip(appendix.names(), appendix.tables):
        parts += _analysis_html(analysis, table, name, appendix.k)
    return "\n".join(parts)


def published_table(analysis: Analysis, table: ExploreTable) -> tuple[pd.DataFrame, list[dict]]:
    """One analysis as its CSV shows it (every part's protected cells, hidden ones marked, answers and
    types of organisation in words) and its rows of the disclosure log (row = the row of the CSV)."""
    frames, log = [], []
    groups = organisation_types(table) if analysis.by == ORGANISATION_TYPE else {}
    for part in table.parts:
        cells = file_table(part.table)
        cells["category"] = [str(part.codes.get(c, c)) for c in part.table.values["category"]]
        cells["group"] = [groups.get(g, g) for g in cells["group"]]
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
    for name, (analysis, table) in zip(appendix.names(), appendix.tables):
        cells, log = published_table(analysis, table)
        cells.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        rows += [{"theme": APPENDIX, "table": name, **entry, "profile": appendix.profile} for entry in log]
    columns = ["theme", "table", "row", "row_label", "column", "reason", "respondents", "showable", "profile"]
    pd.DataFrame(rows, columns=columns).astype({"respondents": "Int64"}).to_csv(
        Path(output_dir) / "analyst" / f"disclosure_log_{APPENDIX}.csv", index=False, lineterminator="\n")
