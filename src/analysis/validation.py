"""Checking a raw export against the codebook and turning it into the survey frame.

All problems are collected before anything is reported, so a researcher fixes an export in one
pass. The survey frame has one row per respondent; coded items are pandas Categoricals of the
codebook's codes in codebook order ("don't know" kept as its own code, last); multi-select items are
0/1 indicator columns (NaN when the whole question was skipped); empty cells are missing.
"""
from __future__ import annotations

import difflib
import hashlib
import re
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

        columns:            # export column -> codebook column (null: ignore the column)
          "Bij welke organisatie werkt u?": organisation
          "Starttijd": null
        values:             # per codebook column (or item id): export value or label -> codebook code
          organisation: {"Politie Utrecht (regio)": 9}
          use_frequency: {"n.v.t.": null}     # null: set to missing (counted in the data log)
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    sha256: str = ""

    @classmethod
    def read(cls, path: str | Path) -> "Mapping":
        """Read a mapping YAML file; raises :class:`SurveyDataError` when it cannot be used."""
        path = Path(path)
        try:
            data = path.read_bytes()
            raw = yaml.safe_load(data.decode("utf-8-sig")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise SurveyDataError([Problem(str(path), f"the mapping file cannot be read ({exc})",
                                           expected="a UTF-8 YAML file with 'columns' and/or 'values'")])
        if not isinstance(raw, dict) or set(raw) - {"columns", "values"}:
            raise SurveyDataError([Problem(str(path), "the mapping file has an unexpected shape",
                                           value=str(sorted(map(str, raw)) if isinstance(raw, dict) else type(raw).__name__),
                                           expected="top-level keys 'columns' and/or 'values'")])
        problems = []
        columns_raw = raw.get("columns") or {}
        values_raw = raw.get("values") or {}
        if not isinstance(columns_raw, dict):
            problems.append(Problem(str(path), "'columns' is not a list of 'export column: codebook column' pairs",
                                    expected="columns:\n    \"Export column\": codebook_column"))
            columns_raw = {}
        if not isinstance(values_raw, dict) or not all(isinstance(v, dict) or v is None for v in values_raw.values()):
            problems.append(Problem(str(path), "'values' is not a set of 'codebook column: {export value: code}' maps",
                                    expected="values:\n    codebook_column: {\"export value\": code}"))
            values_raw = {}
        if problems:
            raise SurveyDataError(problems)
        columns = {str(k).strip(): (None if v is None else str(v).strip()) for k, v in columns_raw.items()}
        values = {str(col).strip(): {_value_key(k): v for k, v in (vals or {}).items()}
                  for col, vals in values_raw.items()}
        return cls(columns=columns, values=values, path=path, sha256=hashlib.sha256(data).hexdigest())


def _value_key(value: Any) -> str:
    """How export values are compared: trimmed, case-folded, '3.0' written as '3'."""
    return _number_text(str(value).strip()).casefold()


def _header_key(text: str) -> str:
    """Export column names are matched ignoring case and runs of white space."""
    return " ".join(text.split()).casefold()


@dataclass
class LoadLog:
    """What happened between the file and the survey frame (written to the build's data log)."""

    file: str
    sha256: str
    detected: dict[str, str]
    respondents: int = 0
    mapping_file: str | None = None
    mapping_sha256: str | None = None
    renamed_columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    labels_recoded: dict[str, int] = field(default_factory=dict)
    mapped_values: dict[str, int] = field(default_factory=dict)
    spss_labels_recoded: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing_cells: dict[str, int] = field(default_factory=dict)
    missing_reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    dont_know_cells: dict[str, int] = field(default_factory=dict)
    optional_columns_absent: list[str] = field(default_factory=list)
    blank_rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The log as plain JSON-serialisable data (str keys; int, float, str, list, dict values)."""
        return _jsonable(dict(self.__dict__))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")


def _number_text(text: str) -> str:
    """'3.0' or '3,0' -> '3' so that codes typed by spreadsheets match codebook codes."""
    if _NUMBER.match(text):
        return str(int(re.split(r"[.,]", text)[0]))
    return text


def _code_lookup(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
    """(code text -> code, label casefold -> code) for a coded item; labels in both languages."""
    by_code = {str(c.code): c.code for c in item.codes}
    by_label: dict[str, Any] = {}
    for c in item.codes:
        for label in c.labels.values():
            by_label.setdefault(_label_key(label), c.code)
    return by_code, by_label


def _label_key(label: str) -> str:
    """Labels match ignoring case, surrounding space, and typographic vs straight apostrophes."""
    return " ".join(label.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


def _expected_codes(item: Item, col: str) -> str:
    codes = ", ".join(str(c.code) for c in item.codes)
    return (f"one of the codes {codes} of '{item.id}' (or their labels), "
            f"or add it to the mapping under values: {col}")


def _check_mapping(mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[Problem]:
    """Mapping entries that point at nothing in the codebook (reported, never ignored)."""
    name = str(mapping.path) if mapping.path else "mapping"
    problems = []
    for export_col, target in mapping.columns.items():
        if target is not None and target not in known:
            problems.append(Problem(name, "the mapping maps a column to a name that is not a codebook column",
                                    column=export_col, value=target, expected=_suggest(target, known)))
    for col, values in mapping.values.items():
        targets = _value_targets(col, mapping, known, codebook)
        if not targets:
            problems.append(Problem(name, "'values' names a column that is neither a codebook column, an item, "
                                    "nor an export column in 'columns'", column=col,
                                    expected=_suggest(col, known)))
            continue
        for item in {known[t].id: known[t] for t in targets}.values():
            if item.type not in CODED_TYPES:
                continue
            by_code, by_label = _code_lookup(item)
            for key, code in values.items():
                if code is None:
                    continue
                if _number_text(str(code).strip()) not in by_code and _label_key(str(code)) not in by_label:
                    problems.append(Problem(name, "the mapping maps a value to a code the codebook does not have",
                                            column=col, value=f"{key} -> {code}", expected=_expected_codes(item, col).split(", or add")[0]))
    return problems


def _value_targets(key: str, mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[str]:
    """Codebook columns a 'values' entry applies to: a column, every column of an item, or a mapped export column."""
    if key in known:
        return [key]
    if key in codebook:
        return codebook[key].columns
    target = mapping.columns.get(key)
    return [target] if target in known else []


def _suggest(name: str, known: dict[str, Item]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return "a codebook column" + hint


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
    problems: list[Problem] = _check_mapping(mapping, known, codebook)

    # --- header -------------------------------------------------------------------------
    by_key = {_header_key(k): v for k, v in mapping.columns.items()}
    header: list[str | None] = []
    for h in table.header:
        if h in mapping.columns or (h not in known and _header_key(h) in by_key):
            target = mapping.columns[h] if h in mapping.columns else by_key[_header_key(h)]
            if target is None:
                log.ignored_columns.append(h)
            else:
                log.renamed_columns[h] = target
            header.append(target)
        else:
            header.append(h)
    sources: dict[str, list[str]] = {}
    for h, col in zip(table.header, header):
        if col is not None:
            sources.setdefault(col, []).append(h)
    for col, from_cols in sources.items():
        if len(from_cols) > 1:
            via = "" if len(set(from_cols)) == 1 else f" (after mapping {', '.join(repr(c) for c in from_cols)})"
            problems.append(Problem(name, f"the column name appears {len(from_cols)} times{via}", line=1, column=col,
                                    expected="each column once"))
    for col in header:
        if col is None:
            continue
        if col == "":
            problems.append(Problem(name, "a column has no name", line=1, expected="a name for every column"))
        elif col not in known:
            problems.append(Problem(name, "unknown column (not in the codebook, not mapped)", line=1, column=col,
                                    expected=_suggest(col, known) + ", or add it to the mapping under columns: "
                                    "(null to ignore it)"))
    for col, item in known.items():
        if col not in sources:
            if item.required:
                problems.append(Problem(name, "required column is missing", line=1, column=col,
                                        expected=f"a column for item '{item.id}'"))
            else:
                log.optional_columns_absent.append(col)
    if not table.rows:
        problems.append(Problem(name, "the file has a header but no respondents",
                                expected="one row per respondent below the header"))
        raise SurveyDataError(problems)
    duplicated = {col for col, from_cols in sources.items() if len(from_cols) > 1}
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
    columns_cells = {col: [r[k] for r in good_rows] for k, col in enumerate(usable)}
    ids = columns_cells["respondent_id"] if id_pos is not None else [None] * len(good_rows)
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
    source_of = {col: src for col, (src, *_) in sources.items()}
    for col in usable:
        if col == "respondent_id":
            continue
        item = known[col]
        raw = columns_cells[col]
        values_map = _values_for(col, item, source_of.get(col, col), mapping)
        spss_labels = table.value_labels.get(source_of.get(col, col), {})
        result = _convert_column(item, col, raw, values_map, decimal, spss_labels)
        for idx, message, value, expected in result.problems:
            problems.append(Problem(name, message, line=good_lines[idx], respondent=ids[idx],
                                    column=col, value=value, expected=expected))
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


def _values_for(col: str, item: Item, export_col: str, mapping: Mapping) -> dict[str, Any]:
    """The mapping's value entries for one codebook column (keyed by column, item id or export column)."""
    merged: dict[str, Any] = {}
    for key in (item.id, export_col, col):
        merged.update(mapping.values.get(key, {}))
    return merged


@dataclass
class _Converted:
    series: pd.Series
    problems: list[tuple[int, str, str, str]]
    recoded: int = 0
    mapped: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    spss_recodes: dict[str, Any] = field(default_factory=dict)


_WEIGHT = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_MISSING_BY_MAPPING = "set to missing by the mapping"
_EMPTY = "empty cell (not answered)"


def _convert_column(item: Item, col: str, raw: list[str], values_map: dict[str, Any], decimal: str,
                    spss_labels: dict[str, str] | None = None) -> _Converted:
    """Convert one column's text cells to the survey frame's type, collecting problems per cell."""
    problems: list[tuple[int, str, str, str]] = []
    recoded = mapped = empty = to_missing = 0
    spss_recodes: dict[str, Any] = {}
    if item.type in CODED_TYPES:
        by_code, by_label = _code_lookup(item)
        spss = _spss_translation(item, spss_labels or {}, values_map, by_code, by_label)
        disagreeing: dict[str, list[Any]] = {}
        out: list[Any] = []
        for i, text in enumerate(raw):
            if text == "":
                empty += 1
                out.append(np.nan)
                continue
            key = _value_key(text)
            if key in values_map:
                mapped += 1
                if values_map[key] is None:
                    to_missing += 1
                    out.append(np.nan)
                    continue
                text = str(values_map[key]).strip()
                key = _value_key(text)
            elif text in spss:
                code, label = spss[text]
                if code is None:  # reported once per value below, not once per respondent
                    disagreeing.setdefault(text, [i, 0, label])[1] += 1
                    out.append(np.nan)
                    continue
                if str(code) != text:
                    spss_recodes[f"{text} ({label})"] = code
                out.append(code)
                continue
            if key in by_code:
                out.append(by_code[key])
            elif _label_key(text) in by_label:
                out.append(by_label[_label_key(text)])
                recoded += 1
            else:
                message = ("code outside the codebook" if _WEIGHT.match(text)
                           else "text where an answer code is expected")
                problems.append((i, message, text, _expected_codes(item, col)))
                out.append(np.nan)
        for text, (first, count, label) in disagreeing.items():
            problems.append((first, f"the SPSS value label disagrees with the codebook ({count} respondent(s) "
                             "have this value; this is the first)", f"{text} = {label!r}",
                             _expected_codes(item, col).replace("one of the codes", "a label of the codes")))
        series = pd.Series(pd.Categorical(out, categories=item.category_codes,
                                          ordered=item.type in ("ordinal", "rating")))
        missing = {_EMPTY: empty, _MISSING_BY_MAPPING: to_missing}
        return _Converted(series, problems, recoded, mapped, missing, spss_recodes)
    if item.type in ("multi", "flag"):
        out_f: list[float] = []
        yes = {"1", "yes", "ja", "true", "waar", "x"}
        no = {"0", "no", "nee", "false", "onwaar"}
        for i, text in enumerate(raw):
            key = _value_key(text)
            if key in values_map:
                mapped += 1
                if values_map[key] is None:
                    to_missing += 1
                    out_f.append(np.nan)
                    continue
                key = _value_key(values_map[key])
            if key == "":
                empty += 1
                out_f.append(np.nan)
            elif key in yes:
                out_f.append(1.0)
            elif key in no:
                out_f.append(0.0)
            else:
                problems.append((i, "not a 0/1 answer", text, "1 (ticked), 0 (not ticked) or empty, "
                                 f"or add it to the mapping under values: {col}"))
                out_f.append(np.nan)
        dtype = "Int64" if item.type == "flag" else float
        missing = {_EMPTY: empty, _MISSING_BY_MAPPING: to_missing}
        return _Converted(pd.Series(out_f, dtype=float).astype(dtype), problems, recoded, mapped, missing)
    if item.type == "weight":
        out_w: list[float] = []
        for i, text in enumerate(raw):
            if text == "":
                empty += 1
                out_w.append(np.nan)
                continue
            # one decimal mark at most (the pattern refuses "1.234,5"), so ',' can only be decimal
            value = float(text.replace(",", ".")) if _WEIGHT.match(text) else float("nan")
            if not np.isfinite(value) or value <= 0:
                problems.append((i, "not a positive number", text,
                                 f"a positive weight (empty = 1), decimal mark '{decimal}'"))
            out_w.append(value)
        return _Converted(pd.Series(out_w, dtype=float), problems, missing={_EMPTY: empty})
    # open text: kept exactly, empty is missing
    empty = sum(1 for t in raw if t == "")
    return _Converted(pd.Series([t if t != "" else None for t in raw], dtype=object), problems,
                      missing={_EMPTY: empty})


def _spss_translation(item: Item, labels: dict[str, str], values_map: dict[str, Any],
                      by_code: dict[str, Any], by_label: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """SPSS stored value -> (codebook code or None when the label disagrees, label).

    A value label that is a codebook label (either language) decides the code, even when the stored
    number differs; a label the codebook does not know is a disagreement unless the mapping covers
    the stored value or its label.
    """
    out: dict[str, tuple[Any, str]] = {}
    for stored, label in labels.items():
        key = _label_key(label)
        if _value_key(label) in values_map and values_map[_value_key(label)] is not None:
            target = str(values_map[_value_key(label)])
            code = by_code.get(_number_text(target), by_label.get(_label_key(target)))
            out[stored] = (code, label)
        elif key in by_label:
            out[stored] = (by_label[key], label)
        elif _value_key(stored) in values_map:
            continue  # the mapping covers the stored value itself
        else:
            out[stored] = (None, label)
    return out


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
