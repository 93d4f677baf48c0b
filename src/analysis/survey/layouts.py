"""Survey-tool export layouts: which rows are header rows, and which columns are the tool's own.

Survey tools do not write one header row above one row per respondent. Qualtrics writes three
header rows (export tags, question texts, ``{"ImportId": ...}`` JSON, written with single quotes in
2016), or two in its "Legacy" export (``V1``... then the names and question texts); SurveyMonkey two
(question texts with empty cells for the continued options of a question, then the answer-option
row, which may hold only "Response" / "Open-Ended Response"); LimeSurvey, Google Forms and Microsoft
Forms one, each with metadata columns of their own, LimeSurvey's in its interface language (see
:mod:`analysis.survey.tool_headings`). A Qualtrics-written SPSS file keeps Qualtrics' metadata. This
module recognises the layout from the first rows of a table (or takes it from ``format=``) and
says which rows are headers, what each column is called, its question text, and which columns
are tool metadata. It only describes cells; :mod:`analysis.survey.validation` decides what they mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.tool_headings import (QUALTRICS_LEGACY_NAMES, QUALTRICS_SAV_NAMES, limesurvey_headings,
                                           limesurvey_markers, unabbreviated)

#: Layouts a user can force with ``--format`` (``forms`` covers Google Forms and Microsoft Forms).
FORMATS = ("qualtrics", "limesurvey", "surveymonkey", "forms", "spss", "plain")


def _names(*names: str) -> frozenset[str]:
    return frozenset(_key(n) for n in names)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


#: Columns that hold personal data in any layout: never allowed to reach the survey frame.
PERSONAL_COLUMNS = _names(
    "Email", "E-mail", "E-mailadres", "Email Address", "E-mail address", "IP Address", "IPAddress", "ipaddr",
    "Name", "Naam", "EmailAddress", "First Name", "Last Name", "Voornaam", "Achternaam", "Adresse e-mail",
    "RecipientEmail", "RecipientFirstName", "RecipientLastName", "Recipient Email", "Recipient First Name",
    "Recipient Last Name", "LocationLatitude", "LocationLongitude", "Location Latitude", "Location Longitude")

#: Google Forms' first column, the response's time stamp, in the language of the form owner's account
#: ("Horodateur,Adresse e-mail,..." in a French export: shoklah/Olympic-Warriors,
#: server/olympic_warriors/tests/fixtures/registration_2026_sample.csv).
_GOOGLE_MARKERS = _names("Tijdstempel", "Timestamp", "Marca temporal", "Horodateur", "Zeitstempel")

#: Each tool's own columns (administration, timing, identifiers of the tool), dropped at load.
TOOL_COLUMNS: dict[str, frozenset[str]] = {
    "qualtrics": _names(
        "StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
        "ResponseId", "ExternalReference", "ExternalDataReference", "DistributionChannel", "UserLanguage",
        "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore", "Q_RelevantIDFraudScore",
        "Q_RelevantIDLastStartDate", "Q_BallotBoxStuffing", "Q_TotalDuration", *QUALTRICS_LEGACY_NAMES,
        *QUALTRICS_SAV_NAMES),
    "surveymonkey": _names("Respondent ID", "Collector ID", "Start Date", "End Date"),
    "limesurvey": _names(*limesurvey_headings()),
    "forms": _names(
        "Tijdstempel", "Timestamp", "Score", "Punten", "Id", "ID", "Start time", "Completion time",
        "Last modified time", "Begintijd", "Tijd van voltooien", "Tijdstip van laatste wijziging",
        "Total points", "Quiz feedback", "Totaal aantal punten") | _GOOGLE_MARKERS,
    "spss": frozenset(),
    "plain": frozenset(),
}
#: LimeSurvey timing columns (``groupTime12``, ``Q1Time``) when timings were exported.
_LIMESURVEY_TIMING = re.compile(r"^(?:groupTime\d+|interviewtime|[A-Za-z]\w*Time)$")

_LIMESURVEY_MARKERS = _names("id", "submitdate", "lastpage", "startlanguage", "seed", *limesurvey_markers())
_LIMESURVEY_HEADINGS = limesurvey_headings()
_QUALTRICS_MARKERS = _names("StartDate", "EndDate", "ResponseId", "ResponseID", "RecordedDate", "IPAddress",
                            "Finished")
#: The first header row of a Qualtrics "Legacy" export numbers its metadata columns V1, V2, ...
_QUALTRICS_LEGACY_NUMBER = re.compile(r"^V\d+$")
_SURVEYMONKEY_MARKERS = _names("Respondent ID", "Collector ID")
_MICROSOFT_MARKERS = _names("Start time", "Completion time", "Begintijd", "Tijd van voltooien")
#: SurveyMonkey's answer-option row names a single-column question's cell like this.
_SURVEYMONKEY_RESPONSE = _names("Response", "Open-Ended Response", "Antwoord", "Open antwoord", "Reactie")


@dataclass
class Layout:
    """How a tool laid out its export: header rows, column names, question texts, its own columns."""

    name: str
    header_rows: int
    header: list[str]
    #: Question text per column as the export states it ('' when the export has none).
    questions: list[str]
    #: Columns that are the tool's own (metadata and personal data); validation drops them.
    metadata: list[str] = field(default_factory=list)
    basis: str = ""
    flavour: str = ""
    notes: list[str] = field(default_factory=list)


def _is_import_id(cell: str) -> bool:
    """A Qualtrics ImportId cell: ``{"ImportId":"QID1"}``, or ``{'ImportId': 'QID1'}`` as written in 2016."""
    return cell.strip().casefold().startswith(('{"importid"', "{'importid'"))


def _is_qualtrics_legacy(rows: list[list[str]]) -> bool:
    """A Qualtrics "Legacy" export: V1, V2 ... in the first row, Qualtrics metadata names in the second."""
    if len(rows) < 2:
        return False
    numbered = sum(bool(_QUALTRICS_LEGACY_NUMBER.match(c.strip())) for c in rows[0])
    return numbered >= 3 and len({_key(c) for c in rows[1]} & _QUALTRICS_MARKERS) >= 3


def _import_id_row(rows: list[list[str]]) -> int | None:
    """Index of a Qualtrics ImportId row among the first rows (most non-empty cells are JSON)."""
    for k in (1, 2):
        if k < len(rows):
            cells = [c for c in rows[k] if c.strip()]
            if cells and sum(_is_import_id(c) for c in cells) >= max(1, len(cells) // 2):
                return k
    return None


def detect(rows: list[list[str]], is_sav: bool = False) -> tuple[str, str, str]:
    """(layout, flavour, what showed it) from a table's first rows."""
    first = {_key(c) for c in rows[0]} if rows else set()
    if is_sav:
        if len(first & _QUALTRICS_MARKERS) >= 3:
            return "spss", "qualtrics", "an SPSS .sav file written by Qualtrics (StartDate, ResponseId ...)"
        return "spss", "", "an SPSS .sav file"
    if _is_qualtrics_legacy(rows):
        return "qualtrics", "legacy", "a Qualtrics Legacy export (V1, V2 ... above ResponseID, StartDate ...)"
    import_id = _import_id_row(rows)
    if import_id is not None:
        return "qualtrics", "", f"row {import_id + 1} holds Qualtrics ImportId JSON"
    if len(first & _QUALTRICS_MARKERS) >= 3:
        return "qualtrics", "", "Qualtrics metadata columns (StartDate, EndDate, ResponseId ...)"
    if first >= _SURVEYMONKEY_MARKERS:
        return "surveymonkey", "", "SurveyMonkey columns 'Respondent ID' and 'Collector ID'"
    if _surveymonkey_response_row(rows, first):
        return "surveymonkey", "", "a second header row with 'Response' / 'Open-Ended Response'"
    if len({_key(unabbreviated(c, _LIMESURVEY_HEADINGS)) for c in rows[0]} & _LIMESURVEY_MARKERS) >= 2:
        return "limesurvey", "", "LimeSurvey columns (id, submitdate, lastpage, startlanguage ...)"
    if rows and _key(rows[0][0]) in _GOOGLE_MARKERS:
        return "forms", "google", f"Google Forms column '{rows[0][0].strip()}'"
    if len(first & _MICROSOFT_MARKERS) >= 2:
        return "forms", "microsoft", "Microsoft Forms columns 'Start time' and 'Completion time'"
    return "plain", "", "one header row with no survey-tool columns"


def _surveymonkey_response_row(rows: list[list[str]], first: set[str]) -> bool:
    """SurveyMonkey's second header row: 'Response' under single-column questions, options under the
    others (whose question cell in the first row is empty after the first option), or only 'Response'
    / 'Open-Ended Response' when every question is a single column (ajturner/dc-elections,
    src/utils/response.ts, quotes such a row)."""
    if len(rows) < 2:
        return False
    second = [_key(c) for c in rows[1] if c.strip()]
    responses = sum(c in _SURVEYMONKEY_RESPONSE for c in second)
    return responses >= 1 and ("" in first or responses == len(second))


def recognise(rows: list[list[str]], name: str, format: str | None = None, is_sav: bool = False,
              trim: bool = False) -> Layout:
    """The layout of a table whose first (non-blank) rows are `rows`; `format` forces it.

    With `trim` (spreadsheets, and every tool layout) trailing empty header cells are not columns.

    Raises :class:`SurveyDataError` for an unknown format, or ``spss`` forced on a text table.
    """
    _check_format(name, format, is_sav)
    detected, flavour, basis = detect(rows, is_sav)
    layout_name = format or detected
    if format is not None:
        basis = f"given with --format {format}" + (f" (the file looks like {detected})" if detected != format else "")
        if format not in ("forms", detected):
            flavour = ""
        elif detected != "forms":
            flavour = "google" if rows and _key(rows[0][0]) in _GOOGLE_MARKERS else "microsoft"
    header_rows = _header_rows(rows, layout_name, is_sav)
    if format is not None and header_rows > 1:
        _check_forced_header_rows(rows, name, format, detected, header_rows)
    if len(rows) < header_rows:
        raise SurveyDataError([Problem(name, f"the {layout_name} layout has {header_rows} header rows but the "
                                       f"file has {len(rows)} row(s)", expected="the complete export")])
    block = _header_block(rows, header_rows, trim or layout_name != "plain")
    header, questions = _column_names(block, layout_name, flavour)
    layout = Layout(name=layout_name, header_rows=header_rows, header=header, questions=questions,
                    basis=basis, flavour=flavour)
    if layout_name != "plain":
        _disambiguate(layout)
    layout.metadata = metadata_columns("qualtrics" if flavour == "qualtrics" else layout_name, layout.header)
    return layout


def _check_format(name: str, format: str | None, is_sav: bool) -> None:
    """Refuse an unknown forced format, and ``spss`` forced on a file that is not .sav."""
    if format is not None and format not in FORMATS:
        raise SurveyDataError([Problem(name, "unknown export format", value=format,
                                       expected="one of " + ", ".join(FORMATS))])
    if format == "spss" and not is_sav:
        raise SurveyDataError([Problem(name, "the format 'spss' was given but the file is not an SPSS .sav file",
                                       value=format, expected="an SPSS .sav export, or another --format")])


def _header_rows(rows: list[list[str]], layout_name: str, is_sav: bool) -> int:
    """How many rows the layout's header takes."""
    if is_sav or layout_name in ("plain", "limesurvey", "forms", "spss"):
        return 1
    if layout_name == "qualtrics":
        import_id = _import_id_row(rows)
        return import_id + 1 if import_id is not None else 2
    return 2  # surveymonkey


def _check_forced_header_rows(rows: list[list[str]], name: str, format: str, detected: str, header_rows: int) -> None:
    """Refuse a forced layout of several header rows on a file whose second row looks like answers."""
    second = [c.strip() for c in rows[1] if c.strip()] if len(rows) > 1 else []
    numbers = sum(bool(re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", c)) for c in second)
    answers_below_header = detected == "plain" and second and numbers >= len(second) / 2
    if not (detected in ("limesurvey", "forms", "spss") or answers_below_header):
        return
    cells = ", ".join(repr(c) for c in rows[1][:4] if c.strip()) if len(rows) > 1 else ""
    looks_like = "a " + detected + " export" if detected != "plain" else "a table"
    raise SurveyDataError([Problem(name, f"--format {format} reads {header_rows} header rows, but the file looks "
                                   f"like {looks_like} with one: its second row would be dropped as a "
                                   f"header although it looks like a respondent's answers", line=2,
                                   value=cells[:120],
                                   expected=f"--format {detected}, or no --format" if detected != "plain"
                                   else "no --format")])


def _header_block(rows: list[list[str]], header_rows: int, trim: bool) -> list[list[str]]:
    """The header rows, padded to one width (trailing empty cells dropped first when `trim`)."""
    header_block = [list(r) for r in rows[:header_rows]]
    if trim:
        for r in header_block:
            while r and not r[-1].strip():
                r.pop()
    width = max(len(r) for r in header_block) if header_block else 0
    for r in header_block:
        r += [""] * (width - len(r))
    return header_block


def _column_names(header_block: list[list[str]], layout_name: str, flavour: str = "") -> tuple[list[str], list[str]]:
    """(column names, question texts) from the header rows of a layout."""
    if layout_name == "surveymonkey":
        return _surveymonkey_header(header_block)
    header = [h.strip() for h in header_block[0]]
    if flavour == "legacy":  # V1...V10 are named in the second row (ResponseID, StartDate ...)
        header = [q.strip() if _QUALTRICS_LEGACY_NUMBER.match(h) else h for h, q in zip(header, header_block[1])]
    if layout_name == "qualtrics":
        return header, [q.strip() for q in header_block[1]] if len(header_block) > 1 else list(header)
    return header, list(header)


def _surveymonkey_header(block: list[list[str]]) -> tuple[list[str], list[str]]:
    """Column names from SurveyMonkey's two rows: question (carried over empty cells) and option."""
    header, questions = [], []
    question = ""
    for top, sub in zip(block[0], block[1]):
        top, sub = top.strip(), sub.strip()
        if top:
            question = top
        if not sub or _key(sub) in _SURVEYMONKEY_RESPONSE:
            header.append(question if top or not sub else f"{question} - {sub}")
        else:
            header.append(f"{question} - {sub}")
        questions.append(header[-1])
    return header, questions


def numbered(header: list[str]) -> list[str]:
    """The column names a mapping uses for `header`: the second and later columns of a repeated name
    get ' (2)', ' (3)' (Microsoft Forms names grid columns by statement; LimeSurvey's abbreviated
    headings repeat when questions begin alike)."""
    seen: dict[str, int] = {}
    out = []
    for h in header:
        seen[h] = seen.get(h, 0) + 1
        out.append(f"{h} ({seen[h]})" if h and seen[h] > 1 else h)
    return out


def _disambiguate(layout: Layout) -> None:
    """Give each repeated column name of the layout its number (:func:`numbered`), noted in the log."""
    for k, (h, name) in enumerate(zip(list(layout.header), numbered(layout.header))):
        if name != h:
            layout.header[k] = name
            layout.notes.append(f"column {k + 1} repeats the name {h!r}; it is called {name!r}")


def metadata_columns(layout: str, header: list[str]) -> list[str]:
    """Columns of `header` that are the tool's own or hold personal data (in file order)."""
    own = TOOL_COLUMNS.get(layout, frozenset()) | PERSONAL_COLUMNS
    out = []
    for h in header:
        if layout == "limesurvey":  # abbreviated headings ("Datum laatste a.. ") stand for their full text
            if _LIMESURVEY_TIMING.match(h) or _key(unabbreviated(h, _LIMESURVEY_HEADINGS)) in own:
                out.append(h)
        elif _key(h) in own:
            out.append(h)
    return out
