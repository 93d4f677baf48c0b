"""Checking a raw export against the codebook and turning it into the survey frame.

All problems are collected before anything is reported, so a researcher fixes an export in one
pass. The survey frame has one row per respondent; coded items are pandas Categoricals of the
codebook's codes in codebook order ("don't know" kept as its own code, last); multi-select items are
0/1 indicator columns (NaN when the whole question was skipped); empty cells are missing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .codebook import CODED_TYPES, Codebook, Item, load_codebook
from .errors import Problem, SurveyDataError
from .reading import RawTable, read_table


@dataclass
class Mapping:
    """How an export's own column names and answer values translate to the codebook.

    YAML form::

        columns:            # export column -> codebook column
          "Organisatie": organisation
        values:             # per codebook column: export value -> codebook code
          organisation: {"Politie Utrecht": 9}
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def read(cls, path: str | Path) -> "Mapping":
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise SurveyDataError([Problem(str(path), f"the mapping file cannot be read ({exc})",
                                           expected="a YAML file with 'columns' and/or 'values'")])
        if not isinstance(raw, dict) or set(raw) - {"columns", "values"}:
            raise SurveyDataError([Problem(str(path), "the mapping file has an unexpected shape",
                                           value=str(sorted(raw) if isinstance(raw, dict) else type(raw).__name__),
                                           expected="top-level keys 'columns' and/or 'values'")])
        columns = {str(k).strip(): str(v) for k, v in (raw.get("columns") or {}).items()}
        values = {str(col): {str(k).strip().casefold(): v for k, v in (vals or {}).items()}
                  for col, vals in (raw.get("values") or {}).items()}
        return cls(columns=columns, values=values, path=path)


@dataclass
class LoadLog:
    """What happened between the file and the survey frame (written to the build's data log)."""

    file: str
    sha256: str
    detected: dict[str, str]
    respondents: int = 0
    renamed_columns: dict[str, str] = field(default_factory=dict)
    labels_recoded: dict[str, int] = field(default_factory=dict)
    mapped_values: dict[str, int] = field(default_factory=dict)
    missing_cells: dict[str, int] = field(default_factory=dict)
    dont_know_cells: dict[str, int] = field(default_factory=dict)
    optional_columns_absent: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _number_text(text: str) -> str:
    """'3.0' -> '3' so that codes typed by spreadsheets match codebook codes."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _code_lookup(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
    """(code text -> code, label casefold -> code) for a coded item; labels in both languages."""
    by_code = {str(c.code): c.code for c in item.codes}
    by_label: dict[str, Any] = {}
    for c in item.codes:
        for label in c.labels.values():
            by_label.setdefault(label.strip().casefold(), c.code)
    return by_code, by_label


def _expected_codes(item: Item) -> str:
    codes = ", ".join(str(c.code) for c in item.codes)
    return f"one of the codes {codes} of '{item.id}' (or their labels)"


def validate_table(table: RawTable, codebook: Codebook | None = None,
                   mapping: Mapping | None = None) -> tuple[pd.DataFrame, LoadLog]:
    """Check a raw table against the codebook; return (survey frame, load log) or raise.

    Raises :class:`SurveyDataError` carrying every problem found.
    """
    codebook = codebook or load_codebook()
    mapping = mapping or Mapping()
    name = str(table.path)
    log = LoadLog(file=name, sha256=table.sha256, detected=dict(table.detected))
    problems: list[Problem] = []

    # --- header -------------------------------------------------------------------------
    header = [mapping.columns.get(h, h) for h in table.header]
    log.renamed_columns = {h: mapping.columns[h] for h in table.header if h in mapping.columns}
    for col, count in Counter(header).items():
        if count > 1:
            problems.append(Problem(name, f"the column name appears {count} times", line=1, column=col,
                                    expected="each column once"))
    known = codebook.column_item()
    for col in header:
        if col not in known and col != "":
            problems.append(Problem(name, "unknown column (not in the codebook, not mapped)", line=1, column=col,
                                    expected="a codebook column, or a mapping for it (--mapping)"))
        if col == "":
            problems.append(Problem(name, "a column has no name", line=1, expected="a name for every column"))
    for col, item in known.items():
        if col not in header:
            if item.required:
                problems.append(Problem(name, "required column is missing", line=1, column=col,
                                        expected=f"a column for item '{item.id}'"))
            else:
                log.optional_columns_absent.append(col)
    if not table.rows:
        problems.append(Problem(name, "the file has a header but no respondents",
                                expected="one row per respondent below the header"))
        raise SurveyDataError(problems)
    duplicated = {col for col, count in Counter(header).items() if count > 1}
    usable = [col for col in header if col in known and col not in duplicated]

    # --- rows (checked even when the header has problems, so all are reported at once) ----
    width = len(header)
    positions = [header.index(col) for col in usable]
    id_pos = header.index("respondent_id") if "respondent_id" in usable else None
    good_rows: list[list[str]] = []
    good_lines: list[int] = []
    for row, line in zip(table.rows, table.lines):
        rid = row[id_pos].strip() if id_pos is not None and id_pos < len(row) else None
        if len(row) != width:
            problems.append(Problem(name, f"the row has {len(row)} fields", line=line, respondent=rid,
                                    expected=f"{width} fields, as in the header"))
            continue
        good_rows.append([row[pos].strip() for pos in positions])
        good_lines.append(line)
    cells = pd.DataFrame(good_rows, columns=usable, dtype=object)
    ids = (cells["respondent_id"] if id_pos is not None
           else pd.Series([None] * len(cells), dtype=object))
    seen: dict[str, int] = {}
    for rid, line in zip(ids, good_lines):
        if rid is None:
            continue
        if rid == "":
            problems.append(Problem(name, "the respondent id is empty", line=line, column="respondent_id",
                                    expected="a unique id on every row"))
        elif rid in seen:
            problems.append(Problem(name, f"duplicate respondent id (first on line {seen[rid]})", line=line,
                                    respondent=rid, column="respondent_id", value=rid, expected="unique ids"))
        else:
            seen[rid] = line

    frame = {"respondent_id": pd.Series(list(ids), dtype=object)}
    decimal = table.detected.get("decimal", ".")
    for col in usable:
        if col == "respondent_id":
            continue
        item = known[col]
        raw = cells[col].tolist()
        values_map = mapping.values.get(col, {})
        converted, col_problems, recoded, mapped = _convert_column(item, col, raw, values_map, decimal)
        for idx, message, value, expected in col_problems:
            problems.append(Problem(name, message, line=good_lines[idx], respondent=raw_id(ids, idx),
                                    column=col, value=value, expected=expected))
        if recoded:
            log.labels_recoded[col] = recoded
        if mapped:
            log.mapped_values[col] = mapped
        frame[col] = converted
    if problems:
        raise SurveyDataError(problems)

    survey = pd.DataFrame(frame)
    # questionnaire order, absent optional columns left out
    survey = survey[[c for c in codebook.columns() if c in survey.columns]]
    log.respondents = len(survey)
    for col in survey.columns:
        log.missing_cells[col] = int(survey[col].isna().sum())
        item = known[col]
        if item.dont_know_codes:
            log.dont_know_cells[col] = int(survey[col].isin(item.dont_know_codes).sum())
    survey.attrs["source"] = name
    survey.attrs["synthetic"] = bool("synthetic" in survey.columns and (survey["synthetic"] == 1).any())
    return survey, log


def raw_id(ids: pd.Series, idx: int) -> str | None:
    return ids.iloc[idx] if idx < len(ids) else None


def _convert_column(item: Item, col: str, raw: list[str], values_map: dict[str, Any], decimal: str):
    """Convert one column's text cells; returns (series, problems, labels recoded, values mapped)."""
    problems: list[tuple[int, str, str, str]] = []
    recoded = mapped = 0
    if item.type in CODED_TYPES:
        by_code, by_label = _code_lookup(item)
        out: list[Any] = []
        for i, text in enumerate(raw):
            if text == "":
                out.append(np.nan)
                continue
            key = text.casefold()
            if key in values_map:
                text = str(values_map[key])
                mapped += 1
            number = _number_text(text)
            if number in by_code:
                out.append(by_code[number])
            elif key in by_label:
                out.append(by_label[key])
                recoded += 1
            else:
                try:
                    float(text.replace(",", "."))
                    message = "code outside the codebook"
                except ValueError:
                    message = "text where an answer code is expected"
                problems.append((i, message, text, _expected_codes(item)))
                out.append(np.nan)
        series = pd.Series(pd.Categorical(out, categories=item.category_codes,
                                          ordered=item.type in ("ordinal", "rating")))
        return series, problems, recoded, mapped
    if item.type in ("multi", "flag"):
        out_f: list[float] = []
        yes = {"1", "yes", "ja", "true", "waar", "x"}
        no = {"0", "no", "nee", "false", "onwaar"}
        for i, text in enumerate(raw):
            key = _number_text(text).casefold()
            if key in values_map:
                key = str(values_map[key]).casefold()
                mapped += 1
            if key == "":
                out_f.append(np.nan)
            elif key in yes:
                out_f.append(1.0)
            elif key in no:
                out_f.append(0.0)
            else:
                problems.append((i, "not a 0/1 answer", text, "1 (ticked), 0 (not ticked) or empty"))
                out_f.append(np.nan)
        dtype = "Int64" if item.type == "flag" else float
        return pd.Series(out_f, dtype=float).astype(dtype), problems, recoded, mapped
    if item.type == "weight":
        out_w: list[float] = []
        for i, text in enumerate(raw):
            if text == "":
                out_w.append(np.nan)
                continue
            candidate = text.replace(",", ".") if decimal == "," or "," in text and "." not in text else text
            try:
                value = float(candidate)
            except ValueError:
                value = float("nan")
            if not np.isfinite(value) or value <= 0:
                problems.append((i, "not a positive number", text, "a positive weight (empty = 1)"))
            out_w.append(value)
        return pd.Series(out_w, dtype=float), problems, recoded, mapped
    # open text: kept exactly, empty is missing
    return pd.Series([t if t != "" else None for t in raw], dtype=object), problems, recoded, mapped


def load_with_log(path: str | Path, mapping: str | Path | Mapping | None = None, sheet: str | None = None,
                  codebook: Codebook | None = None) -> tuple[pd.DataFrame, LoadLog]:
    """Read and validate an export; return the survey frame and the log of what was done."""
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = Mapping.read(mapping)
    table = read_table(path, sheet=sheet)
    return validate_table(table, codebook=codebook, mapping=mapping)


def load(path: str | Path, mapping: str | Path | Mapping | None = None, sheet: str | None = None,
         codebook: Codebook | None = None) -> pd.DataFrame:
    """Read an export (CSV, XLSX, SPSS .sav) into the validated survey frame.

    Raises :class:`~analysis.errors.SurveyDataError` listing every problem when the file does not
    fit the codebook.
    """
    return load_with_log(path, mapping=mapping, sheet=sheet, codebook=codebook)[0]
