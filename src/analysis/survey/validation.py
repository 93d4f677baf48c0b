"""Checking a raw export against the codebook and turning it into the survey frame.

All problems are collected before anything is reported, so a researcher fixes an export in one
pass. The survey frame has one row per respondent; coded items are pandas Categoricals of the
codebook's codes in codebook order ("don't know" kept as its own code, last); multi-select items are
0/1 indicator columns (NaN when the whole question was skipped); empty cells are missing.

:func:`validate_table` does it in named steps: the mapping against the codebook
(:mod:`~analysis.survey.mapping`), the header (:mod:`~analysis.survey.headers`), the rows and
respondent ids, one-cell multi-selects (:mod:`~analysis.survey.multiselect`), each column's cells
(:mod:`~analysis.survey.cells`), and the survey frame with the rule for empty multi-select cells.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.cells import (EMPTY, MARKED_NOT_ANSWERED, NOT_ANSWERED, WILDCARD, convert_column,
                                  tick_vocabulary)
from analysis.survey.codebook import Codebook, Item, load_codebook
from analysis.survey.headers import Header, read_header
from analysis.survey.loadlog import LoadLog
from analysis.survey.mapping import Mapping, check_mapping, values_for
from analysis.survey.matching import value_key
from analysis.survey.multiselect import other_option, split_multi
from analysis.survey.reading import RawTable


@dataclass
class CellMarks:
    """Which cells of a converted column were empty in the export, and which the survey tool marked as not
    answered ("N/A", :data:`~analysis.survey.cells.NOT_ANSWERED`)."""

    empty: Any
    marked: Any


@dataclass
class _Rows:
    """The complete rows of an export, as columns of cell texts."""

    #: codebook column -> its cells (as read; stripped when converted)
    cells: dict[str, Any]
    #: position of a one-cell multi-select column -> its cells, stripped
    split_cells: dict[int, list[str]]
    ids: list[str | None]
    lines: list[int]
    #: codebook column -> the export column it was read from
    source_of: dict[str, str]


def validate_table(table: RawTable, codebook: Codebook | None = None,
                   mapping: Mapping | None = None) -> tuple[pd.DataFrame, LoadLog]:
    """Check a raw table against the codebook; return (survey frame, load log) or raise.

    Raises :class:`SurveyDataError` carrying every problem found.
    """
    codebook = codebook or load_codebook()
    mapping = mapping or Mapping()
    name = str(table.path)
    log = LoadLog(file=name, sha256=table.sha256, detected=dict(table.detected),
                  mapping_file=str(mapping.path) if mapping.path else None,
                  mapping_sha256=mapping.sha256 or None, blank_rows_skipped=table.blank_rows,
                  notes=list(table.notes))
    known = codebook.column_item()
    problems: list[Problem] = check_mapping(mapping, known, codebook)
    header, header_problems = read_header(table, mapping, codebook, known, log)
    problems += header_problems
    if not table.rows:
        problems.append(Problem(name, "the file has a header but no respondents",
                                expected="one row per respondent below the header"))
        raise SurveyDataError(problems)
    # rows are checked even when the header has problems, so all are reported at once
    rows = _read_rows(table, header, known, log, problems)
    _split_one_cell_answers(table, header, mapping, known, rows, log, problems)
    frame, cell_marks = _convert_columns(table, header, mapping, known, rows, log, problems)
    problems += _mixed_synthetic(frame.get("synthetic"), rows, name)
    if problems:
        raise SurveyDataError(problems)
    return _survey_frame(frame, cell_marks, codebook, known, log, name), log


def _read_rows(table: RawTable, header: Header, known: dict[str, Item], log: LoadLog,
               problems: list[Problem]) -> _Rows:
    """The rows with as many fields as the header, as columns, with their respondent ids; empty
    responses (no answer to any question) are left out and named in the log."""
    name = str(table.path)
    width = len(header.columns)
    positions = [header.columns.index(col) for col in header.usable]
    id_pos = header.columns.index("respondent_id") if "respondent_id" in header.usable else None
    questions = _question_positions(header, known)
    good_rows: list[list[str]] = []
    good_lines: list[int] = []
    for row, line in zip(table.rows, table.lines):
        rid = row[id_pos].strip() if id_pos is not None and id_pos < len(row) else None
        if len(row) != width:
            problems.append(Problem(name, f"the row has {len(row)} fields", line=line, respondent=rid,
                                    expected=f"{width} fields, as in the header"))
            continue
        if questions and all(row[pos].strip() == "" or (tick and value_key(row[pos]) in NOT_ANSWERED)
                             for pos, tick in questions):
            log.empty_responses.append({"line": line, "respondent": rid or None})
            continue
        good_rows.append(row)
        good_lines.append(line)
    # columns of cells as read (transposed in C); cells are stripped once per distinct text when
    # converted, or here for the columns read cell by cell
    transposed = list(zip(*good_rows)) if good_rows else [()] * width
    cells: dict[str, Any] = {col: transposed[pos] for col, pos in zip(header.usable, positions)}
    split_cells = {pos: [c.strip() for c in transposed[pos]] for pos in sorted(header.splits)}
    if log.empty_responses and not good_rows:
        problems.append(Problem(name, "every response is empty (no answer to any question)",
                                line=log.empty_responses[0]["line"], expected="at least one answered response"))
    if log.empty_responses:
        log.notes.append(f"{len(log.empty_responses)} empty response(s) left out (no answer to any question): "
                         + ", ".join(f"line {e['line']}" + (f" ({e['respondent']})" if e["respondent"] else "")
                                     for e in log.empty_responses))
    ids = _respondent_ids(table, header, cells, id_pos is not None, good_lines, log, problems)
    source_of = {col: src for col, (src, *_) in header.sources.items()}
    return _Rows(cells, split_cells, ids, good_lines, source_of)


def _question_positions(header: Header, known: dict[str, Item]) -> list[tuple[int, bool]]:
    """(position, is a 0/1 column) of every export column that holds an answer to a question: not the
    respondent id, flags such as 'synthetic', nor weights; one-cell multi-selects included."""
    out = [(header.columns.index(col), known[col].type == "multi") for col in header.usable
           if known[col].type not in ("identifier", "flag", "weight")]
    return out + [(pos, False) for pos in sorted(header.splits)]


def _respondent_ids(table: RawTable, header: Header, cells: dict[str, Any], has_ids: bool, lines: list[int],
                    log: LoadLog, problems: list[Problem]) -> list[str | None]:
    """Each row's respondent id (numbered by line when the export has none); empty and repeated ids are problems."""
    if has_ids:
        ids: list[str | None] = [c.strip() for c in cells["respondent_id"]]
    elif header.generate_ids:
        unit = "case number" if table.detected.get("format") == "sav" else "line number in the file"
        log.generated_ids = f"the export has no respondent id: each respondent's id is its {unit}"
        log.notes.append(log.generated_ids)
        return [str(line) for line in lines]
    else:
        return [None] * len(lines)
    seen: dict[str, int] = {}
    for rid, line in zip(ids, lines):
        if rid == "":
            problems.append(Problem(str(table.path), "the respondent id is empty", line=line, column="respondent_id",
                                    expected="a unique id on every row"))
        elif rid in seen:
            problems.append(Problem(str(table.path), f"duplicate respondent id (first on line {seen[rid]})",
                                    line=line, respondent=rid, column="respondent_id", value=rid,
                                    expected="unique ids"))
        else:
            seen[rid] = line
    return ids


def _split_one_cell_answers(table: RawTable, header: Header, mapping: Mapping, known: dict[str, Item], rows: _Rows,
                            log: LoadLog, problems: list[Problem]) -> None:
    """Multi-select answers held in one cell, split into the item's option columns (added to the usable columns)."""
    for pos, (item, separator) in header.splits.items():
        export_col = table.header[pos]
        if any(col in header.duplicated for col in item.columns):
            continue
        pieces_map = values_for(item.id, item, export_col, mapping, include_scales=False)
        result = split_multi(item, rows.split_cells[pos], separator, pieces_map)
        for idx, message, value, expected in result.problems:
            problems.append(Problem(str(table.path), message, line=rows.lines[idx], respondent=rows.ids[idx],
                                    column=export_col, value=value, expected=expected))
        for col, cells in result.options.items():
            rows.cells[col] = cells
            header.usable.append(col)
        log.split_columns[export_col] = {"item": item.id, "separator": result.separator,
                                         "separator_from": "the mapping" if separator else "the option labels",
                                         "cells": sum(1 for c in rows.split_cells[pos] if c)}
        if result.others:
            log.other_answers[item.id] = result.others
            other_col = item.attrs.get("other_text")
            if other_col in known and other_col not in header.sources:
                rows.cells[other_col] = result.other_texts
                header.usable.append(other_col)
                rows.source_of[other_col] = export_col


def _convert_columns(table: RawTable, header: Header, mapping: Mapping, known: dict[str, Item], rows: _Rows,
                     log: LoadLog, problems: list[Problem]) -> tuple[dict[str, pd.Series], dict[str, CellMarks]]:
    """Every usable column converted to its type: (column -> series, column -> which cells were empty or
    marked not answered by the survey tool)."""
    frame = {"respondent_id": pd.Series(list(rows.ids), dtype=object)}
    decimal = table.detected.get("decimal", ".")
    cell_marks: dict[str, CellMarks] = {}
    for col in header.usable:
        if col == "respondent_id":
            continue
        item = known[col]
        source = rows.source_of.get(col, col)
        values_map = values_for(col, item, source, mapping)
        vocabulary = _vocabulary(item, col, rows, mapping, header) if item.type == "multi" else None
        result = convert_column(item, col, rows.cells[col], values_map, decimal, table.value_labels.get(source, {}),
                                vocabulary)
        for idx, message, value, expected, *extra in result.problems:
            count, key = extra if extra else (1, None)
            problems.append(Problem(str(table.path), message, line=rows.lines[idx], respondent=rows.ids[idx],
                                    column=source, value=value, expected=expected, count=count, key=key))
        if result.recoded:
            log.labels_recoded[col] = result.recoded
        if result.mapped:
            log.mapped_values[col] = result.mapped
        if result.spss_recodes:
            log.spss_labels_recoded[col] = result.spss_recodes
        reasons = {reason: n for reason, n in result.missing.items() if n}
        if reasons:
            log.missing_reasons[col] = reasons
        frame[col] = result.series
        cell_marks[col] = CellMarks(result.empty, result.marked)
    return frame, cell_marks


def _vocabulary(item: Item, col: str, rows: _Rows, mapping: Mapping, header: Header) -> dict[str, str] | None:
    """The tick vocabulary of the option columns of `col`'s item, 'other' left out, when the mapping has
    a wildcard for `col` (see :func:`~analysis.survey.cells.tick_vocabulary`)."""
    values_map = values_for(col, item, rows.source_of.get(col, col), mapping)
    if WILDCARD not in values_map:
        return None
    other = f"{item.id}_{other_option(item)}"
    options = [c for c in item.columns if c != other and c in header.usable and c in rows.cells]
    return tick_vocabulary([rows.cells[c] for c in options], values_map)


def _survey_frame(frame: dict[str, pd.Series], cell_marks: dict[str, CellMarks], codebook: Codebook,
                  known: dict[str, Item], log: LoadLog, name: str) -> pd.DataFrame:
    """The survey frame in questionnaire order, empty multi-select cells decided, missing cells counted."""
    survey = pd.DataFrame(frame)
    decide_empty_options(survey, cell_marks, codebook, log)
    # questionnaire order, absent optional columns left out
    survey = survey[[c for c in codebook.columns() if c in survey.columns]]
    log.respondents = len(survey)
    for col in survey.columns:
        log.missing_cells[col] = int(survey[col].isna().sum())
        item = known[col]
        if item.dont_know_codes:
            log.dont_know_cells[col] = int(survey[col].isin(item.dont_know_codes).sum())
    survey.attrs["source"] = name
    marks = survey["synthetic"] if "synthetic" in survey.columns else None
    survey.attrs["synthetic"] = marks is not None and not marks.empty and bool(marks.eq(1).fillna(False).all())
    return survey


def _mixed_synthetic(marks: pd.Series | None, rows: _Rows, name: str) -> list[Problem]:
    """A file that mixes rows marked synthetic with unmarked rows: a problem per odd row (the fewer
    kind, at most five named), reported with the file's other problems.

    Synthetic data publish quotes without a person's review, so one test row marked synthetic must
    not make a real export synthetic."""
    if marks is None or marks.empty:
        return []
    marked = marks.eq(1).fillna(False).to_numpy(dtype=bool)
    if marked.all() or not marked.any():
        return []
    odd = ~marked if marked.sum() >= len(marked) / 2 else marked
    return [Problem(name, "the export mixes rows marked synthetic (synthetic = 1) with rows that are not: a report is "
                    "either of synthetic or of real answers", line=rows.lines[i], respondent=rows.ids[i],
                    column=rows.source_of.get("synthetic", "synthetic"), value=str(marks.iloc[i]),
                    count=int(odd.sum()), expected="remove the test rows, or the synthetic column")
            for i in np.flatnonzero(odd)[:5]]


def decide_empty_options(survey: pd.DataFrame, cell_marks: dict[str, CellMarks], codebook: Codebook,
                         log: LoadLog) -> None:
    """The one rule for empty multi-select cells, applied in place to the survey frame.

    A respondent who ticked at least one option of a question, or whom the export marks as having
    answered it (an explicit 0 / "not selected" in another option), did not tick an option whose
    cell is empty: it becomes 0. So is the item's 'other' text column when it holds the tool's "not
    answered" mark ("N/A") for such a respondent: no 'other' answer was given. A respondent with every
    option empty or marked did not answer the question: all options stay missing. Cells set to missing by
    the mapping are left missing. The load log counts the cells decided and the respondents who did not
    answer, per item.
    """
    for item in codebook.items:
        if item.type != "multi":
            continue
        cols = [c for c in item.columns if c in survey.columns and c in cell_marks]
        if not cols:
            continue
        answered = survey[cols].notna().any(axis=1).to_numpy()
        other = f"{item.id}_{other_option(item)}"
        decided = 0
        for col in cols:
            decided += _fill_not_ticked(survey, col, answered & np.asarray(cell_marks[col].empty, dtype=bool),
                                        EMPTY, log)
            if col == other:
                marked = np.asarray(cell_marks[col].marked, dtype=bool)
                decided += _fill_not_ticked(survey, col, answered & marked, MARKED_NOT_ANSWERED, log)
        if decided:
            log.options_not_ticked[item.id] = decided
        not_answered = int((~answered).sum())
        if not_answered:
            log.questions_not_answered[item.id] = not_answered


def _fill_not_ticked(survey: pd.DataFrame, col: str, fill: np.ndarray, reason: str, log: LoadLog) -> int:
    """Set the cells of `fill` to 0 (not ticked), no longer missing for `reason` in the log; how many."""
    n = int(fill.sum())
    if not n:
        return 0
    survey.loc[fill, col] = 0.0
    reasons = log.missing_reasons.get(col, {})
    reasons[reason] = reasons.get(reason, 0) - n
    if reasons[reason] <= 0:
        del reasons[reason]
    if reasons:
        log.missing_reasons[col] = reasons
    else:
        log.missing_reasons.pop(col, None)
    return n
