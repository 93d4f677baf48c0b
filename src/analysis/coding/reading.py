"""Coding workbooks read back (:func:`read_sheet`): a coder's or the adjudicator's workbook,
checked against the export it was made from, every problem listed (file, sheet row, column, value)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.coding.answers import KEY, answers, open_items, shown_texts, wide_codes
from analysis.coding.workbooks import ABOUT, ANSWER, CODERS_SHEET, VOTES
from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.codebook import Codebook, Item, load_codebook

_MADE_BY_EXPORT = "an XLSX written by 'python -m analysis coding export'"
_MADE_BY_IMPORT = "the adjudication.xlsx written by 'coding import'"


@dataclass
class Sheet:
    """A coding workbook read back and checked: whose it is, and its 0/1 codes per question."""

    path: Path
    kind: str                      # "coder" or "adjudication"
    coder: str
    codes: dict[str, pd.DataFrame]  # item -> 0/1 frame (index respondent id, a column per code)
    about: dict[str, Any] = field(default_factory=dict)
    coders: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)  # adjudication: the coders' codes


@dataclass
class _Layout:
    """A question's worksheet: where it is (for problems), whose, and its columns."""

    where: str
    kind: str
    header: list[str]
    fixed: list[str]         # the columns before the codes
    code_columns: list[str]  # as in the sheet (trailing empty headers dropped)
    frame_codes: list[str]   # the codes of the question's frame


def _cell_value(value: Any) -> int | None | str:
    """0/1 from a cell (None if empty); anything else comes back as text for the problem report."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and float(value) in (0.0, 1.0):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return str(value)


def _open_workbook(path: Path) -> Any:
    """The workbook at `path`, refused when it is no workbook or has no ``about`` sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # not a zip, not xlsx
        raise SurveyDataError([Problem(str(path), f"the file could not be read as a workbook ({type(exc).__name__})",
                                       expected=_MADE_BY_EXPORT)]) from None
    if ABOUT not in book.sheetnames:
        raise SurveyDataError([Problem(str(path), "not a coding workbook (no 'about' sheet)",
                                       expected=_MADE_BY_EXPORT)])
    return book


def _about(book: Any, path: Path) -> dict[str, Any]:
    """The hidden ``about`` sheet's values; refused when it names no known kind of sheet."""
    about = {}
    for key, value in book[ABOUT].iter_rows(values_only=True):
        if key is not None:
            try:
                about[str(key)] = json.loads(value)
            except (TypeError, ValueError):
                about[str(key)] = value
    kind = about.get("kind")
    if kind not in ("coder", "adjudication"):
        raise SurveyDataError([Problem(str(path), "the 'about' sheet names no known kind of sheet", column="kind",
                                       value=str(kind), expected="coder or adjudication")])
    return about


def _layout(path: Path, item: Item, kind: str, header: list[str], problems: list[Problem]) -> _Layout | None:
    """The worksheet's columns checked: the fixed columns first (else None), then unknown and
    missing code columns."""
    where = f"{path} (sheet {item.id})"
    frame_codes = [c.code for c in item.frame]
    fixed = [KEY, ANSWER] + ([VOTES] if kind == "adjudication" else [])
    if header[:len(fixed)] != fixed:
        problems.append(Problem(where, "the first columns were changed", line=1, value=", ".join(header[:len(fixed)]),
                                expected=", ".join(fixed)))
        return None
    code_columns = header[len(fixed):]
    while code_columns and code_columns[-1] == "":
        code_columns.pop()
    for j, name in enumerate(code_columns):
        if name not in frame_codes:
            problems.append(Problem(where, "unknown code", line=1, column=name or f"column {len(fixed) + j + 1}",
                                    value=name, expected=f"a code of the frame: {', '.join(frame_codes)}"))
    for code in frame_codes:
        if code not in code_columns:
            problems.append(Problem(where, "a code column is missing", line=1, column=code,
                                    expected="one column per code of the frame"))
    return _Layout(where, kind, header, fixed, code_columns, frame_codes)


def _row_codes(layout: _Layout, row: list[Any], line: int, key: str, problems: list[Problem]) -> dict[str, int]:
    """The 0/1 codes of one answer's row; values other than 0/1, undecided cells of an adjudication
    and a coder's row with no code ticked are problems."""
    where, start = layout.where, len(layout.fixed)
    coded: dict[str, int] = {}
    for j, name in enumerate(layout.header[start:start + len(layout.code_columns)]):
        if name not in layout.frame_codes:
            continue
        value = _cell_value(row[start + j])
        if isinstance(value, str):
            problems.append(Problem(where, "not a code value", line=line, respondent=key, column=name,
                                    value=value, expected="1 (the code applies) or 0 / empty (it does not)"))
        elif value is None and layout.kind == "adjudication":
            problems.append(Problem(where, "not adjudicated: the coders disagree and the cell is empty",
                                    line=line, respondent=key, column=name, expected="0 or 1"))
        else:
            coded[name] = value or 0
    if layout.kind == "coder" and coded and not any(coded.values()) and len(coded) == len(layout.frame_codes):
        problems.append(Problem(where, "no code ticked", line=line, respondent=key,
                                expected="1 in at least one code column (the frame's 'other' code for an "
                                         "answer that fits none)"))
    return coded


def _row_answer(layout: _Layout, row: list[Any], line: int, expected_text: dict[str, str], seen: dict[str, int],
                problems: list[Problem]) -> str | None:
    """The respondent id of a row, or None for a duplicated or extra row; an edited answer text is a
    problem. Records the row in `seen`."""
    where = layout.where
    key = str(row[0]).strip() if row[0] is not None else ""
    if key in seen:
        problems.append(Problem(where, f"the answer appears twice (first in row {seen[key]})", line=line,
                                respondent=key, column=KEY, value=key, expected="each answer once"))
        return None
    seen[key] = line
    if key not in expected_text:
        problems.append(Problem(where, "extra row: no such answer in the export", line=line, respondent=key,
                                column=KEY, value=key, expected="the respondent ids of the exported answers"))
        return None
    text = " ".join(str(row[1] or "").split())
    if text != expected_text[key]:
        problems.append(Problem(where, "the answer text was edited (or the export changed)", line=line,
                                respondent=key, column=ANSWER, value=text[:60], expected=expected_text[key][:60]))
    return key


def _question_codes(layout: _Layout, rows: list[tuple[Any, ...]], expected_text: dict[str, str],
                    problems: list[Problem]) -> pd.DataFrame:
    """The 0/1 codes of every exported answer (rows in export order, a column per code of the
    frame); exported answers missing from the sheet are problems."""
    seen: dict[str, int] = {}
    values: dict[str, dict[str, int]] = {}
    for line, row in enumerate(rows[1:], start=2):
        row = list(row) + [None] * (len(layout.header) - len(row))
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        key = _row_answer(layout, row, line, expected_text, seen, problems)
        if key is not None:
            values[key] = _row_codes(layout, row, line, key, problems)
    for key in expected_text:
        if key not in seen:
            problems.append(Problem(layout.where, "missing row: an exported answer is not in the sheet",
                                    respondent=key, column=KEY, value=key, expected="every answer of the export, once"))
    table = pd.DataFrame.from_dict(values, orient="index").reindex(index=list(expected_text),
                                                                   columns=layout.frame_codes)
    return table.fillna(0).astype(int)


def _read_question(book: Any, path: Path, item: Item, kind: str, frame: pd.DataFrame,
                   problems: list[Problem]) -> pd.DataFrame | None:
    """One question's worksheet checked against the export's answers; None when it is missing or
    its first columns were changed."""
    if item.id not in book.sheetnames:
        problems.append(Problem(str(path), "the sheet of an open question is missing", column=item.id,
                                expected=f"a sheet named {item.id}"))
        return None
    rows = list(book[item.id].iter_rows(values_only=True))
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    layout = _layout(path, item, kind, header, problems)
    if layout is None:
        return None
    expected = answers(frame, item)
    expected_text = dict(zip(expected[KEY], shown_texts(expected["text"])))
    return _question_codes(layout, rows, expected_text, problems)


def _read_coders_sheet(book: Any, path: Path, final: dict[str, pd.DataFrame],
                       problems: list[Problem]) -> dict[str, dict[str, pd.DataFrame]]:
    """The coders' own codes, kept (hidden) in the adjudication workbook."""
    if CODERS_SHEET not in book.sheetnames:
        problems.append(Problem(str(path), "the coders' codes are missing (hidden sheet 'coders')",
                                expected=_MADE_BY_IMPORT))
        return {}
    rows = list(book[CODERS_SHEET].iter_rows(values_only=True))
    table = pd.DataFrame(rows[1:], columns=rows[0])
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for (coder, item_id), part in table.groupby(["coder", "item"], sort=False):
        wide = wide_codes(part, list(final[item_id].columns) if item_id in final else [])
        if item_id in final:
            wide = wide.reindex(index=final[item_id].index, columns=final[item_id].columns)
            if wide.isna().any().any():
                problems.append(Problem(str(path), "the coders' codes do not cover every answer", column=item_id,
                                        expected=_MADE_BY_IMPORT))
                continue
        out.setdefault(str(coder), {})[str(item_id)] = wide.astype(int)
    return out


def read_sheet(path: str | Path, frame: pd.DataFrame, codebook: Codebook | None = None) -> Sheet:
    """Read a coder's or the adjudicator's workbook and check it against the export.

    Raises :class:`SurveyDataError` listing every problem (file, sheet row, column, value):
    not a coding workbook, a missing question sheet, unknown or missing code columns, values other
    than 0/1, missing, extra or duplicated rows, answer texts that differ from the export's
    (scrubbed) answers, rows with no code ticked; in an adjudication sheet, cells left undecided.
    """
    codebook = codebook or load_codebook()
    path = Path(path)
    book = _open_workbook(path)
    about = _about(book, path)
    kind = about["kind"]
    problems: list[Problem] = []
    codes: dict[str, pd.DataFrame] = {}
    for item in open_items(codebook):
        table = _read_question(book, path, item, kind, frame, problems)
        if table is not None:
            codes[item.id] = table
    coders: dict[str, dict[str, pd.DataFrame]] = {}
    if kind == "adjudication" and not problems:
        coders = _read_coders_sheet(book, path, codes, problems)
    if problems:
        raise SurveyDataError(problems)
    return Sheet(path, kind, str(about.get("coder", path.stem)), codes, about, coders)
