"""The bundled survey written as the survey tools write their exports (examples and tests).

Each writer takes the bundled survey frame and writes it in one tool's layout: its header rows,
its own metadata columns (with made-up personal data, which the loader must drop), its way of
writing answers (labels, numbers, answer codes, ticks, one-cell multi-selects). The registry of
the layouts and the examples in ``data/examples/`` are in :mod:`analysis.survey.examples`; the
tests write the full survey the same way and check that ``mapping draft`` -> ``load`` gives back
the bundled frame.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.survey.codebook import Codebook, Item, load_codebook

#: Typed "other" answers used where a tool asks for the text of an "other" option (synthetic).
OTHER_TEXTS = ("WhatsApp", "Instagram", "Flickr", "Eigen intranet", "Snapchat")
#: Header of SurveyMonkey's "other" option.
_SM_OTHER = "Anders (geef op)"


def _label(item: Item, code) -> str:
    return next(c.labels["nl"] for c in item.codes if c.code == code)


def _position(item: Item, code) -> int:
    """A tool's own numbering of the answers: 1 for the first answer in questionnaire order."""
    return 1 + [c.code for c in item.codes].index(code)


def _grid_parts(item: Item) -> tuple[str, str]:
    """(grid question, statement) of a grid item: the text before and after its colon."""
    text = item.text["nl"]
    if item.grid and ": " in text:
        stem, statement = text.split(": ", 1)
        return stem + ":", statement
    if item.grid:
        return "In hoeverre bent u het eens met de volgende stellingen?", text
    return text, ""


@dataclass
class Question:
    """One question as a tool shows it: a single item, a grid of items, or a multi-select."""

    kind: str            # single | grid | multi | open
    items: list[Item]
    text: str


def questions(codebook: Codebook) -> list[Question]:
    """The questionnaire as questions (consecutive items of one grid form one question)."""
    out: list[Question] = []
    for item in codebook.items:
        if item.type in ("weight",):
            continue
        if item.grid and out and out[-1].kind == "grid" and out[-1].items[0].grid == item.grid:
            out[-1].items.append(item)
        elif item.grid:
            out.append(Question("grid", [item], _grid_parts(item)[0]))
        elif item.type == "multi":
            out.append(Question("multi", [item], item.text["nl"]))
        elif item.type == "open" or item.type == "identifier" or item.type == "flag":
            out.append(Question("open", [item], item.text["nl"]))
        else:
            out.append(Question("single", [item], item.text["nl"]))
    return out


def _other_text(k: int) -> str:
    return OTHER_TEXTS[k % len(OTHER_TEXTS)]


def _ticked(frame: pd.DataFrame, item: Item, k: int) -> list:
    """Codes of the options respondent k ticked; None when the question was not answered."""
    values = frame.loc[k, item.columns]
    if values.isna().all():
        return None
    return [o.code for o, v in zip(item.options, values) if v == 1]


def _code(frame: pd.DataFrame, item: Item, k: int):
    value = frame.at[k, item.id]
    return None if pd.isna(value) else value


def _text(frame: pd.DataFrame, item: Item, k: int) -> str:
    value = frame.at[k, item.id]
    if pd.isna(value):
        return ""
    return str(int(value)) if item.type == "flag" else str(value)


def _timestamp(k: int, minutes: int = 0) -> pd.Timestamp:
    return pd.Timestamp("2011-06-10 09:00") + pd.Timedelta(hours=7 * k, minutes=minutes)


def _person(k: int) -> dict[str, str]:
    """Made-up personal data of respondent k (TEST-NET addresses, example.org mail)."""
    return {"ip": f"192.0.2.{k % 250 + 1}", "email": f"medewerker{k + 1}@example.org",
            "first": "Voornaam", "last": f"Achternaam{k + 1}", "name": f"Voornaam Achternaam{k + 1}"}


# --- Qualtrics -------------------------------------------------------------------------------------

_QUALTRICS_META = [("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Amsterdam"}'),
                   ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Amsterdam"}'),
                   ("Status", "Response Type", '{"ImportId":"status"}'),
                   ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
                   ("Progress", "Progress", '{"ImportId":"progress"}'),
                   ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
                   ("Finished", "Finished", '{"ImportId":"finished"}'),
                   ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Amsterdam"}'),
                   ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
                   ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
                   ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
                   ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
                   ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
                   ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
                   ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
                   ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
                   ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}')]


def qualtrics(frame: pd.DataFrame, path: Path, numeric: bool = False, codebook: Codebook | None = None) -> Path:
    """Qualtrics "Export data > CSV": three header rows (export tags, question texts, ImportId JSON),
    choice text or numeric values, multi-selects split into one column per choice (empty when not
    chosen), a text column for "other", embedded data (respondent_id, synthetic) at the end."""
    codebook = codebook or load_codebook()
    cols: list[tuple[str, str, str, Callable[[int], str]]] = []
    embedded = []
    number = 0
    for q in questions(codebook):
        item = q.items[0]
        if item.type in ("identifier", "flag"):
            embedded.append(item)
            continue
        number += 1
        tag, qid = f"Q{number}", f"QID{number}"
        if q.kind == "grid":
            for j, it in enumerate(q.items, start=1):
                cols.append((f"{tag}_{j}", f"{q.text} - {_grid_parts(it)[1]}", f'{{"ImportId":"{qid}_{j}"}}',
                             _qualtrics_coded(frame, it, numeric)))
        elif q.kind == "multi":
            for j, o in enumerate(item.options, start=1):
                other = str(o.code) == "other" and item.id == "platforms"
                text = f"{q.text} - Selected Choice - {o.labels['nl']}" if item.id == "platforms" else \
                    f"{q.text} - {o.labels['nl']}"
                cols.append((f"{tag}_{j}", text, f'{{"ImportId":"{qid}_{j}"}}',
                             _qualtrics_tick(frame, item, o.code, j, numeric)))
                if other:
                    cols.append((f"{tag}_{j}_TEXT", f"{q.text} - {o.labels['nl']} - Text",
                                 f'{{"ImportId":"{qid}_{j}_TEXT"}}', _other_column(frame, item, o.code)))
        elif q.kind == "open":
            cols.append((tag, q.text, f'{{"ImportId":"{qid}_TEXT"}}', lambda k, it=item: _text(frame, it, k)))
        else:
            cols.append((tag, q.text, f'{{"ImportId":"{qid}"}}', _qualtrics_coded(frame, item, numeric)))
    for item in embedded:
        cols.append((item.id, item.id, f'{{"ImportId":"{item.id}"}}', lambda k, it=item: _text(frame, it, k)))
    meta = [(a, b, c) for a, b, c in _QUALTRICS_META]
    rows = [[m[0] for m in meta] + [c[0] for c in cols], [m[1] for m in meta] + [c[1] for c in cols],
            [m[2] for m in meta] + [c[2] for c in cols]]
    for k in range(len(frame)):
        person = _person(k)
        start = _timestamp(k)
        values = [start.strftime("%Y-%m-%d %H:%M:%S"), _timestamp(k, 14).strftime("%Y-%m-%d %H:%M:%S"),
                  "0" if numeric else "IP Address", person["ip"], "100", str(840 + k % 300),
                  "1" if numeric else "True", _timestamp(k, 14).strftime("%Y-%m-%d %H:%M:%S"),
                  f"R_{k:015x}", person["last"], person["first"], person["email"], "",
                  "52.09", "5.12", "anonymous", "NL"]
        rows.append(values + [c[3](k) for c in cols])
    return _write_csv(path, rows, bom=True)


def _qualtrics_coded(frame, item, numeric):
    def cell(k: int) -> str:
        code = _code(frame, item, k)
        if code is None:
            return ""
        return str(_position(item, code)) if numeric else _label(item, code)
    return cell


def _qualtrics_tick(frame, item, code, position, numeric):
    col = f"{item.id}_{code}"

    def cell(k: int) -> str:
        if frame.at[k, col] != 1:
            return ""
        return str(position) if numeric else next(o.labels["nl"] for o in item.options if o.code == code)
    return cell


def _other_column(frame, item, code):
    col = f"{item.id}_{code}"
    return lambda k: _other_text(k) if frame.at[k, col] == 1 else ""


# --- LimeSurvey --------------------------------------------------------------------------------------

def limesurvey(frame: pd.DataFrame, path: Path, answers: bool = False, codebook: Codebook | None = None) -> Path:
    """LimeSurvey "Export results" (the respondent number a hidden question "Respondentnummer"): with
    answer codes (heading "Question code & question text";
    ``A1``... answer codes, ``Y``/empty ticks, ``-oth-`` plus an ``[other]`` text column) or with
    full answers (heading "Full question text"; Dutch labels, ``Ja``/``Nee`` ticks)."""
    codebook = codebook or load_codebook()
    cols: list[tuple[str, Callable[[int], str]]] = []
    number = 0
    for q in questions(codebook):
        number += 1
        code = f"G01Q{number:02d}"
        item = q.items[0]
        if q.kind == "grid":
            for j, it in enumerate(q.items, start=1):
                statement = _grid_parts(it)[1]
                head = f"{q.text} [{statement}]" if answers else f"{code}[SQ{j:03d}]. {q.text} [{statement}]"
                cols.append((head, _ls_coded(frame, it, answers)))
        elif q.kind == "multi":
            for j, o in enumerate(item.options, start=1):
                if str(o.code) == "other":
                    head = f"{q.text} [Anders]" if answers else f"{code}[other]. {q.text} [Anders]"
                    cols.append((head, _other_column(frame, item, o.code)))
                else:
                    option = f"{q.text} [{o.labels['nl']}]"
                    head = option if answers else f"{code}[SQ{j:03d}]. {option}"
                    cols.append((head, _ls_tick(frame, item, o.code, answers)))
        elif q.kind == "open":
            cols.append((q.text if answers else f"{code}. {q.text}", lambda k, it=item: _text(frame, it, k)))
        else:
            cols.append((q.text if answers else f"{code}. {q.text}", _ls_coded(frame, item, answers)))
            if item.id == "role":  # a list question with "other": the typed text in its own column
                head = f"{q.text} [Anders]" if answers else f"{code}[other]. {q.text} [Anders]"
                cols.append((head, lambda k, it=item: "Projectleider" if _code(frame, it, k) == 10 else ""))
    meta = (["Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
             "Date last action", "IP address", "Referrer URL"] if answers else
            ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl"])
    rows = [meta + [c[0] for c in cols]]
    for k in range(len(frame)):
        start = _timestamp(k).strftime("%Y-%m-%d %H:%M:%S")
        end = _timestamp(k, 14).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([str(k + 1), end, "7", "nl", str(1000003 * (k + 1) % 99991), start, end, _person(k)["ip"],
                     "https://www.politie20.example/enquete"] + [c[1](k) for c in cols])
    return _write_csv(path, rows)


def _ls_coded(frame, item, answers):
    def cell(k: int) -> str:
        code = _code(frame, item, k)
        if code is None:
            return ""
        if item.id == "role" and code == 10:
            return "Anders" if answers else "-oth-"
        return _label(item, code) if answers else f"A{_position(item, code)}"
    return cell


def _ls_tick(frame, item, code, answers):
    col = f"{item.id}_{code}"

    def cell(k: int) -> str:
        value = frame.at[k, col]
        if pd.isna(value):
            return ""
        if answers:
            return "Ja" if value == 1 else "Nee"
        return "Y" if value == 1 else ""
    return cell


# --- SurveyMonkey ------------------------------------------------------------------------------------

def surveymonkey_rows(frame: pd.DataFrame, codebook: Codebook | None = None) -> list[list]:
    """SurveyMonkey "All responses data" (expanded): row 1 question texts (empty over a question's
    further columns, trailing empty cells trimmed), row 2 the answer-option row ("Response",
    "Open-Ended Response", option or statement labels), custom variables respondent_id, synthetic."""
    codebook = codebook or load_codebook()
    cols: list[tuple[str, str, Callable[[int], str]]] = []
    custom = []
    for q in questions(codebook):
        item = q.items[0]
        if item.type in ("identifier", "flag"):
            custom.append(item)
        elif q.kind == "grid":
            for j, it in enumerate(q.items):
                cols.append((q.text if j == 0 else "", _grid_parts(it)[1], _qualtrics_coded(frame, it, False)))
        elif q.kind == "multi":
            for j, o in enumerate(item.options):
                if str(o.code) == "other":
                    cols.append(("" if j else q.text, _SM_OTHER, _other_column(frame, item, o.code)))
                else:
                    cols.append(("" if j else q.text, o.labels["nl"], _qualtrics_tick(frame, item, o.code, 0, False)))
        elif q.kind == "open":
            cols.append((q.text, "Open-Ended Response", lambda k, it=item: _text(frame, it, k)))
        else:
            cols.append((q.text, "Response", _qualtrics_coded(frame, item, False)))
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
            "First Name", "Last Name", "Custom Data 1"]
    first = meta + [it.id for it in custom] + [c[0] for c in cols]
    while first and first[-1] == "":
        first.pop()
    rows: list[list] = [first, [""] * (len(meta) + len(custom)) + [c[1] for c in cols]]
    for k in range(len(frame)):
        person = _person(k)
        rows.append([str(11400000000 + 7919 * k), "254000123", _timestamp(k).strftime("%m/%d/%Y %I:%M:%S %p"),
                     _timestamp(k, 14).strftime("%m/%d/%Y %I:%M:%S %p"), person["ip"], person["email"],
                     person["first"], person["last"], ""] + [_text(frame, it, k) for it in custom]
                    + [c[2](k) for c in cols])
    return rows


def surveymonkey_csv(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None) -> Path:
    return _write_csv(path, surveymonkey_rows(frame, codebook))


def surveymonkey_xlsx(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None) -> Path:
    return _write_xlsx(path, surveymonkey_rows(frame, codebook), sheet="Sheet")


# --- Google Forms and Microsoft Forms ----------------------------------------------------------------

def google_forms(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None) -> Path:
    """Google Forms responses downloaded as CSV: Tijdstempel and E-mailadres first, no respondent
    id, a grid as "Question [row]", a multi-select in one cell joined by ", " (a typed "other"
    answer as its text)."""
    codebook = codebook or load_codebook()
    cols: list[tuple[str, Callable[[int], str]]] = []
    for q in questions(codebook):
        item = q.items[0]
        if item.type == "identifier":
            continue
        if q.kind == "grid":
            for it in q.items:
                cols.append((f"{q.text} [{_grid_parts(it)[1]}]", _qualtrics_coded(frame, it, False)))
        elif q.kind == "multi":
            cols.append((q.text, _joined(frame, item, ", ", trailing="")))
        elif q.kind == "open":
            cols.append((q.text, lambda k, it=item: _text(frame, it, k)))
        else:
            cols.append((q.text, _qualtrics_coded(frame, item, False)))
    rows = [["Tijdstempel", "E-mailadres"] + [c[0] for c in cols]]
    for k in range(len(frame)):
        stamp = _timestamp(k)
        rows.append([f"{stamp.day}-{stamp.month}-{stamp.year} {stamp.hour}:{stamp.minute:02d}:00",
                     _person(k)["email"]] + [c[1](k) for c in cols])
    return _write_csv(path, rows)


def microsoft_forms(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None) -> Path:
    """Microsoft Forms "Open in Excel": Id, Start time, Completion time, Email, Name, then one column
    per question; a grid (Likert) gives one column per statement named by the statement alone (so
    a statement in two grids repeats its name); a multi-select in one cell joined by ";"."""
    codebook = codebook or load_codebook()
    cols: list[tuple[str, Callable[[int], str]]] = []
    for q in questions(codebook):
        item = q.items[0]
        if item.type == "identifier":
            continue
        if q.kind == "grid":
            for it in q.items:
                statement = _grid_parts(it)[1]
                cols.append((statement[:1].upper() + statement[1:], _qualtrics_coded(frame, it, False)))
        elif q.kind == "multi":
            cols.append((q.text, _joined(frame, item, ";", trailing=";")))
        elif q.kind == "open":
            cols.append((q.text, lambda k, it=item: _text(frame, it, k)))
        else:
            cols.append((q.text, _qualtrics_coded(frame, item, False)))
    rows: list[list] = [["Id", "Start time", "Completion time", "Email", "Name"] + [c[0] for c in cols]]
    for k in range(len(frame)):
        person = _person(k)
        rows.append([k + 1, _timestamp(k).to_pydatetime(), _timestamp(k, 14).to_pydatetime(), person["email"],
                     person["name"]] + [c[1](k) for c in cols])
    return _write_xlsx(path, rows, sheet="Sheet1")


def _joined(frame, item, separator, trailing):
    def cell(k: int) -> str:
        ticked = _ticked(frame, item, k)
        if not ticked:
            return ""
        labels = [_other_text(k) if str(c) == "other" else next(o.labels["nl"] for o in item.options if o.code == c)
                  for c in ticked]
        return separator.join(labels) + trailing
    return cell


# --- SPSS ----------------------------------------------------------------------------------------------

def spss(frame: pd.DataFrame, path: Path, codebook: Codebook | None = None) -> Path:
    """An SPSS .sav as survey tools write it: variables named by the tool (V1, V2_1 ...), the
    question text as variable label, Dutch value labels, "weet niet" (9) declared user-missing."""
    import pyreadstat

    codebook = codebook or load_codebook()
    data, labels, value_labels, missing = {}, [], {}, {}
    number = 0
    for item in codebook.items:
        if item.type == "weight" or not set(item.columns) <= set(frame.columns):
            continue
        number += 1
        if item.type == "multi":
            for j, (col, o) in enumerate(zip(item.columns, item.options), start=1):
                name = f"V{number}_{j}"
                data[name] = frame[col].astype(float)
                labels.append(f"{item.text['nl']} - {o.labels['nl']}")
                value_labels[name] = {1.0: "Geselecteerd", 0.0: "Niet geselecteerd"}
            continue
        name = {"identifier": "RespID", "flag": "Synth"}.get(item.type, f"V{number}")
        if item.type in ("identifier", "open"):
            data[name] = frame[item.id].astype(object).where(frame[item.id].notna(), "")
        elif item.type == "flag":
            data[name] = frame[item.id].astype(float)
        else:
            data[name] = frame[item.id].astype(float)
            value_labels[name] = {float(c.code): c.labels["nl"] for c in item.codes}
            if item.dont_know_codes:
                missing[name] = [float(c) for c in item.dont_know_codes]
        labels.append(item.text["nl"])
    pyreadstat.write_sav(pd.DataFrame(data), str(path), column_labels=labels, variable_value_labels=value_labels,
                         missing_ranges=missing)
    return path


# --- files and the registry ------------------------------------------------------------------------------

def _write_csv(path: Path, rows: list[list], bom: bool = False) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    Path(path).write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return Path(path)


def _write_xlsx(path: Path, rows: list[list], sheet: str) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for r, row in enumerate(rows):
        ws.append([None if v == "" else (int(v) if r > 1 and isinstance(v, str) and v.isdigit() and len(v) < 3 else v)
                   for v in row])
    book.properties.created = pd.Timestamp("2011-10-05").to_pydatetime()
    book.save(path)
    from analysis.core.files import fix_zip_timestamps  # the same bytes every time (examples are committed)

    fix_zip_timestamps(Path(path))
    return Path(path)
