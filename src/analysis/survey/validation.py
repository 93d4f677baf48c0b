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
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.survey.codebook import CODED_TYPES, Codebook, Item, load_codebook
from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.reading import RawTable, read_table


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML SafeLoader that refuses a key written twice in one mapping (YAML would keep the last)."""

    duplicates: list[tuple[str, int, int]]

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except Exception:  # unhashable keys are reported by PyYAML itself
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                self.duplicates.append((str(key), seen[key], line))
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml_unique(data: str, name: str) -> Any:
    """Parse YAML text, refusing keys written twice (each reported with both line numbers)."""
    loader = _UniqueKeyLoader(data)
    loader.duplicates = []
    try:
        raw = loader.get_single_data()
    finally:
        loader.dispose()
    if loader.duplicates:
        raise SurveyDataError([
            Problem(name, f"the key appears twice (first on line {first}); YAML would silently keep only the "
                    "last one", line=line, value=key, expected="each key once: merge the two entries")
            for key, first, line in loader.duplicates])
    return raw


#: Top-level sections of a mapping file.
MAPPING_SECTIONS = ("columns", "values", "scales")


@dataclass
class Mapping:
    """How an export's own column names and answer values translate to the codebook.

    YAML form::

        columns:            # export column -> codebook column (null: ignore the column)
          "Bij welke organisatie werkt u?": organisation
          "Starttijd": null
          # a multi-select question in one cell -> its item; split into the item's option columns
          "Welke social media gebruikt u voor uw werk?": platforms
          "Platforms (Forms)": {item: platforms, split: ";"}   # separator given instead of detected
        values:             # per codebook column, item id or export column: export value -> code
          organisation: {"Politie Utrecht (regio)": 9}
          use_frequency: {"n.v.t.": null}     # null: set to missing (counted in the data log)
        scales:             # once per scale or grid of the codebook, or for a list of columns
          size: {"A6": 9}
          statements: {"Weet ik niet": 9}
          ticks: {columns: [platforms, uses_made], values: {"*": 1}}   # "*": any other text

    Precedence, lowest first: scales (by scale, by grid, listed columns), then ``values`` by item,
    by export column, by codebook column.
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    scales: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: scales entries given as ``{columns: [...], values: {...}}``: name -> the columns or items listed
    scale_columns: dict[str, list[str]] = field(default_factory=dict)
    #: export column -> separator of a multi-select answer held in one cell
    split: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    sha256: str = ""

    @classmethod
    def read(cls, path: str | Path) -> "Mapping":
        """Read a mapping YAML file; raises :class:`SurveyDataError` when it cannot be used."""
        path = Path(path)
        try:
            data = path.read_bytes()
            raw = read_yaml_unique(data.decode("utf-8-sig"), str(path)) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise SurveyDataError([Problem(str(path), f"the mapping file cannot be read ({exc})",
                                           expected="a UTF-8 YAML file with 'columns', 'values' and/or 'scales'")])
        if not isinstance(raw, dict) or set(raw) - set(MAPPING_SECTIONS):
            raise SurveyDataError([Problem(str(path), "the mapping file has an unexpected shape",
                                           value=str(sorted(map(str, raw)) if isinstance(raw, dict) else type(raw).__name__),
                                           expected="top-level keys 'columns', 'values' and/or 'scales'")])
        mapping = cls.from_dict(raw, str(path))
        mapping.path = path
        mapping.sha256 = hashlib.sha256(data).hexdigest()
        return mapping

    @classmethod
    def from_dict(cls, raw: dict, name: str = "mapping") -> "Mapping":
        """A mapping from its parsed YAML (``columns``, ``values``, ``scales``)."""
        problems = []
        columns_raw = raw.get("columns") or {}
        values_raw = raw.get("values") or {}
        scales_raw = raw.get("scales") or {}
        if not isinstance(columns_raw, dict):
            problems.append(Problem(name, "'columns' is not a list of 'export column: codebook column' pairs",
                                    expected="columns:\n    \"Export column\": codebook_column"))
            columns_raw = {}
        if not isinstance(values_raw, dict) or not all(isinstance(v, dict) or v is None for v in values_raw.values()):
            problems.append(Problem(name, "'values' is not a set of 'codebook column: {export value: code}' maps",
                                    expected="values:\n    codebook_column: {\"export value\": code}"))
            values_raw = {}
        if not isinstance(scales_raw, dict) or not all(isinstance(v, dict) or v is None for v in scales_raw.values()):
            problems.append(Problem(name, "'scales' is not a set of 'scale or grid: {export value: code}' maps",
                                    expected="scales:\n    size: {\"export value\": code}"))
            scales_raw = {}
        columns: dict[str, str | None] = {}
        split: dict[str, str] = {}
        for k, v in columns_raw.items():
            key = str(k).strip()
            if isinstance(v, dict):
                target = v.get("item", v.get("column"))
                if target is None or set(v) - {"item", "column", "split"}:
                    problems.append(Problem(name, "a column entry with options must name the item and may give "
                                            "a separator", column=key, value=str(v),
                                            expected='{item: platforms, split: ";"}'))
                    continue
                columns[key] = str(target).strip()
                if v.get("split") is not None:
                    split[key] = str(v["split"])
            else:
                columns[key] = None if v is None else str(v).strip()
        problems += _clashes(name, "columns", {str(k): v for k, v in columns_raw.items()}, _header_key)
        problems += _clashes(name, "values", {str(k): v for k, v in values_raw.items()}, str.strip)
        problems += _clashes(name, "scales", {str(k): v for k, v in scales_raw.items()}, str.strip)
        for col, vals in values_raw.items():
            problems += _clashes(name, f"values of {col}", vals or {}, _value_key)
        for scale, entry in scales_raw.items():
            entry = entry or {}
            listed = entry.get("values") if isinstance(entry, dict) and set(entry) == {"columns", "values"} else entry
            if isinstance(listed, dict):
                problems += _clashes(name, f"scales of {scale}", listed, _value_key)
        values = {str(col).strip(): {_value_key(k): v for k, v in (vals or {}).items()}
                  for col, vals in values_raw.items()}
        scales: dict[str, dict[str, Any]] = {}
        scale_columns: dict[str, list[str]] = {}
        for scale, entry in scales_raw.items():
            entry = entry or {}
            if set(entry) == {"columns", "values"}:
                listed = entry["columns"]
                if not isinstance(listed, list) or not isinstance(entry["values"], dict):
                    problems.append(Problem(name, "a scales entry with 'columns' needs a list of columns and a "
                                            "'values' map", column=str(scale),
                                            expected="{columns: [col_a, col_b], values: {\"export value\": code}}"))
                    continue
                scale_columns[str(scale)] = [str(c).strip() for c in listed]
                entry = entry["values"]
            scales[str(scale).strip()] = {_value_key(k): v for k, v in entry.items()}
        if problems:
            raise SurveyDataError(problems)
        return cls(columns=columns, values=values, scales=scales, scale_columns=scale_columns, split=split)


def _clashes(name: str, where: str, entries: dict[Any, Any], key: Any) -> list[Problem]:
    """Entries of one map whose keys are compared as the same (case, spaces, '3.0' vs '3') but that
    say different things: the loader would keep one of them silently."""
    seen: dict[str, tuple[Any, Any]] = {}
    problems = []
    for k, v in entries.items():
        norm = key(str(k))
        if norm in seen and seen[norm][1] != v:
            first = seen[norm][0]
            problems.append(Problem(name, f"two entries of '{where}' are the same key once case and spaces are "
                                    f"ignored ({first!r}: {seen[norm][1]!r} and {k!r}: {v!r})", column=str(where),
                                    value=str(k), expected="one entry per export column or value (matching ignores "
                                    "case): keep the right one"))
        seen.setdefault(norm, (k, v))
    return problems


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
    #: Survey-tool columns (metadata, personal data) dropped at load: they never reach the frame.
    metadata_columns_dropped: list[str] = field(default_factory=list)
    #: How respondent ids were made when the export has none ('' when the export has them).
    generated_ids: str = ""
    #: Multi-select answers held in one cell: export column -> item, separator, cells split.
    split_columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Typed "other" answers found in one-cell multi-selects, per item (ticked the item's 'other').
    other_answers: dict[str, int] = field(default_factory=dict)
    #: The rule for empty multi-select cells, per item: empty options of respondents who answered
    #: the question counted as "not ticked" (0), and respondents with every option empty ("not answered").
    options_not_ticked: dict[str, int] = field(default_factory=dict)
    questions_not_answered: dict[str, int] = field(default_factory=dict)
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
        if target is not None and target not in known and _multi_item(target, codebook) is None:
            problems.append(Problem(name, "the mapping maps a column to a name that is not a codebook column "
                                    "(nor a multi-select item, for answers in one cell)",
                                    column=export_col, value=target, expected=_suggest(target, known)))
    for export_col, sep in mapping.split.items():
        if sep == "":
            problems.append(Problem(name, "the separator is empty", column=export_col, value=sep,
                                    expected='a separator such as ";" or ", "'))
    for scale, values in mapping.scales.items():
        targets = _scale_targets(scale, mapping, known, codebook)
        if not targets:
            problems.append(Problem(name, "'scales' names neither a scale nor a grid of the codebook", column=scale,
                                    expected="a scale (" + ", ".join(sorted({i.scale for i in codebook.items if i.scale}))
                                    + "), a grid (" + ", ".join(sorted({i.grid for i in codebook.items if i.grid}))
                                    + ") or {columns: [...], values: {...}}"))
            continue
        listed = mapping.scale_columns.get(scale, [])
        for col in listed:
            if col not in known and col not in codebook and col not in mapping.columns:
                problems.append(Problem(name, "'scales' lists a column that is neither a codebook column, an item, "
                                        "nor an export column in 'columns'", column=col, expected=_suggest(col, known)))
        problems += _check_codes(name, f"scales: {scale}", values, targets, known)
    for col, values in mapping.values.items():
        targets = _value_targets(col, mapping, known, codebook)
        if not targets:
            problems.append(Problem(name, "'values' names a column that is neither a codebook column, an item, "
                                    "nor an export column in 'columns'", column=col,
                                    expected=_suggest(col, known)))
            continue
        problems += _check_codes(name, col, values, targets, known)
    return problems


def _check_codes(name: str, col: str, values: dict[str, Any], targets: list[str],
                 known: dict[str, Item]) -> list[Problem]:
    problems = []
    for item in {known[t].id: known[t] for t in targets if t in known}.values():
        if item.type not in CODED_TYPES:
            continue
        by_code, by_label = _code_lookup(item)
        for key, code in values.items():
            if code is None:
                continue
            if _number_text(str(code).strip()) not in by_code and _label_key(str(code)) not in by_label:
                problems.append(Problem(name, "the mapping maps a value to a code the codebook does not have",
                                        column=col, value=f"{key} -> {code}",
                                        expected=_expected_codes(item, col).split(", or add")[0]))
    return problems


def _multi_item(name: str | None, codebook: Codebook) -> Item | None:
    """The multi-select item called `name` (a one-cell multi-select maps to it), else None."""
    if name is not None and name in codebook and codebook[name].type == "multi":
        return codebook[name]
    return None


def _value_targets(key: str, mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[str]:
    """Codebook columns a 'values' entry applies to: a column, every column of an item, or a mapped export column."""
    if key in known:
        return [key]
    if key in codebook:
        return codebook[key].columns
    target = mapping.columns.get(key)
    if target is not None and _multi_item(target, codebook) is not None:
        return codebook[target].columns
    return [target] if target in known else []


def _scale_targets(scale: str, mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[str]:
    """Codebook columns a 'scales' entry applies to: a scale's items, a grid's items, or the listed columns."""
    if scale in mapping.scale_columns:
        out = []
        for col in mapping.scale_columns[scale]:
            out += _value_targets(col, mapping, known, codebook)
        return out
    return [c for item in codebook.items if scale in (item.scale, item.grid) for c in item.columns]


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
    by_key = {_header_key(k): k for k in mapping.columns}
    metadata = set(table.metadata_columns)
    header: list[str | None] = []
    splits: dict[int, tuple[Item, str | None]] = {}  # position -> (multi-select item, separator if given)
    for pos, h in enumerate(table.header):
        map_key = h if h in mapping.columns else (by_key.get(_header_key(h)) if h not in known else None)
        if map_key is not None:
            target = mapping.columns[map_key]
            multi = _multi_item(target, codebook) if target not in known else None
            if target is None:
                log.ignored_columns.append(h)
            else:
                log.renamed_columns[h] = target
            if multi is not None:
                splits[pos] = (multi, mapping.split.get(map_key))
                target = None
            header.append(target)
        elif h in metadata and h not in known:
            log.metadata_columns_dropped.append(h)  # the tool's own columns, personal data: never loaded
            header.append(None)
        else:
            header.append(h)
    sources: dict[str, list[str]] = {}
    for h, col in zip(table.header, header):
        if col is not None:
            sources.setdefault(col, []).append(h)
    for pos, (item, _) in splits.items():
        for col in item.columns:
            sources.setdefault(col, []).append(table.header[pos])
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
    generate_ids = "respondent_id" not in sources and table.layout != "plain"
    for col, item in known.items():
        if col not in sources:
            if col == "respondent_id" and generate_ids:
                continue
            if item.required:
                expected = f"a column for item '{item.id}'"
                if col == "respondent_id":
                    expected += (" (or name the survey tool with --format, and respondents are numbered by "
                                 "their line in the file)")
                problems.append(Problem(name, "required column is missing", line=1, column=col, expected=expected))
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
    split_positions = sorted(splits)
    id_pos = header.index("respondent_id") if "respondent_id" in usable else None
    good_rows: list[list[str]] = []
    good_lines: list[int] = []
    for row, line in zip(table.rows, table.lines):
        if len(row) != width:
            rid = row[id_pos].strip() if id_pos is not None and id_pos < len(row) else None
            problems.append(Problem(name, f"the row has {len(row)} fields", line=line, respondent=rid,
                                    expected=f"{width} fields, as in the header"))
            continue
        good_rows.append(row)
        good_lines.append(line)
    # columns of cells as read (transposed in C); cells are stripped once per distinct text when
    # converted (_distinct), or here for the columns read cell by cell
    transposed = list(zip(*good_rows)) if good_rows else [()] * width
    columns_cells: dict[str, Any] = {col: transposed[pos] for col, pos in zip(usable, positions)}
    split_cells = {pos: [c.strip() for c in transposed[pos]] for pos in split_positions}
    if id_pos is not None:
        ids: list[str | None] = [c.strip() for c in columns_cells["respondent_id"]]
    elif generate_ids:
        ids = [str(line) for line in good_lines]
        unit = "case number" if table.detected.get("format") == "sav" else "line number in the file"
        log.generated_ids = f"the export has no respondent id: each respondent's id is its {unit}"
        log.notes.append(log.generated_ids)
    else:
        ids = [None] * len(good_rows)
    seen: dict[str, int] = {}
    for rid, line in zip(ids, good_lines):
        if rid is None or id_pos is None:
            continue
        if rid == "":
            problems.append(Problem(name, "the respondent id is empty", line=line, column="respondent_id",
                                    expected="a unique id on every row"))
        elif rid in seen:
            problems.append(Problem(name, f"duplicate respondent id (first on line {seen[rid]})", line=line,
                                    respondent=rid, column="respondent_id", value=rid, expected="unique ids"))
        else:
            seen[rid] = line

    # --- multi-select answers held in one cell: split into the item's option columns -------
    source_of = {col: src for col, (src, *_) in sources.items()}
    for pos, (item, separator) in splits.items():
        export_col = table.header[pos]
        if any(col in duplicated for col in item.columns):
            continue
        pieces_map = _values_for(item.id, item, export_col, mapping, codebook, include_scales=False)
        result = _split_multi(item, split_cells[pos], separator, pieces_map)
        for idx, message, value, expected in result.problems:
            problems.append(Problem(name, message, line=good_lines[idx], respondent=ids[idx],
                                    column=export_col, value=value, expected=expected))
        for col, cells in result.options.items():
            columns_cells[col] = cells
            usable.append(col)
        log.split_columns[export_col] = {"item": item.id, "separator": result.separator,
                                         "separator_from": "the mapping" if separator else "the option labels",
                                         "cells": sum(1 for c in split_cells[pos] if c)}
        if result.others:
            log.other_answers[item.id] = result.others
            other_col = item.attrs.get("other_text")
            if other_col in known and other_col not in sources:
                columns_cells[other_col] = result.other_texts
                usable.append(other_col)
                source_of[other_col] = export_col

    frame = {"respondent_id": pd.Series(list(ids), dtype=object)}
    decimal = table.detected.get("decimal", ".")
    empty_cells: dict[str, list[bool]] = {}
    for col in usable:
        if col == "respondent_id":
            continue
        item = known[col]
        raw = columns_cells[col]
        values_map = _values_for(col, item, source_of.get(col, col), mapping, codebook)
        spss_labels = table.value_labels.get(source_of.get(col, col), {})
        result = _convert_column(item, col, raw, values_map, decimal, spss_labels)
        for idx, message, value, expected, *extra in result.problems:
            count, key = extra if extra else (1, None)
            problems.append(Problem(name, message, line=good_lines[idx], respondent=ids[idx],
                                    column=source_of.get(col, col), value=value, expected=expected,
                                    count=count, key=key))
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
        empty_cells[col] = result.empty
    if problems:
        raise SurveyDataError(problems)

    survey = pd.DataFrame(frame)
    decide_empty_options(survey, empty_cells, codebook, log)
    # questionnaire order, absent optional columns left out
    survey = survey[[c for c in codebook.columns() if c in survey.columns]]
    log.respondents = len(survey)
    for col in survey.columns:
        log.missing_cells[col] = int(survey[col].isna().sum())
        item = known[col]
        if item.dont_know_codes:
            log.dont_know_cells[col] = int(survey[col].isin(item.dont_know_codes).sum())
    survey.attrs["source"] = name
    survey.attrs["synthetic"] = _all_synthetic(survey, name)
    return survey, log


def _all_synthetic(survey: pd.DataFrame, name: str) -> bool:
    """True when every row is marked synthetic; a file that mixes marked and unmarked rows is refused.

    Synthetic data publish quotes without a person's review, so one test row marked synthetic must
    not make a real export synthetic."""
    if "synthetic" not in survey.columns or survey.empty:
        return False
    marked = (survey["synthetic"] == 1).to_numpy()
    if marked.all() or not marked.any():
        return bool(marked.all())
    odd = ~marked if marked.sum() >= len(marked) / 2 else marked
    ids = survey["respondent_id"].astype(str).to_numpy() if "respondent_id" in survey.columns else None
    rows = np.flatnonzero(odd)[:5]
    raise SurveyDataError([Problem(name, "the export mixes rows marked synthetic (synthetic = 1) with rows that are "
                                   "not: a report is either of synthetic or of real answers", column="synthetic",
                                   respondent=None if ids is None else ids[i],
                                   value=str(survey["synthetic"].iloc[i]), count=int(odd.sum()),
                                   expected="remove the test rows, or the synthetic column") for i in rows])


_NOT_TICKED = "empty option of an answered question: not ticked (0)"


def decide_empty_options(survey: pd.DataFrame, empty_cells: dict[str, list[bool]], codebook: Codebook,
                         log: LoadLog) -> None:
    """The one rule for empty multi-select cells, applied in place to the survey frame.

    A respondent who ticked at least one option of a question, or whom the export marks as having
    answered it (an explicit 0 / "not selected" in another option), did not tick an option whose
    cell is empty: it becomes 0. A respondent with every option empty did not answer the question:
    all options stay missing. Cells set to missing by the mapping are left missing. The load log
    counts the cells decided and the respondents who did not answer, per item.
    """
    for item in codebook.items:
        if item.type != "multi":
            continue
        cols = [c for c in item.columns if c in survey.columns and c in empty_cells]
        if not cols:
            continue
        answered = survey[cols].notna().any(axis=1).to_numpy()
        decided = 0
        for col in cols:
            fill = answered & np.asarray(empty_cells[col], dtype=bool)
            n = int(fill.sum())
            if n:
                survey.loc[fill, col] = 0.0
                decided += n
                reasons = log.missing_reasons.get(col, {})
                reasons[_EMPTY] = reasons.get(_EMPTY, 0) - n
                if reasons[_EMPTY] <= 0:
                    del reasons[_EMPTY]
                if reasons:
                    log.missing_reasons[col] = reasons
                else:
                    log.missing_reasons.pop(col, None)
        if decided:
            log.options_not_ticked[item.id] = decided
        not_answered = int((~answered).sum())
        if not_answered:
            log.questions_not_answered[item.id] = not_answered


def _values_for(col: str, item: Item, export_col: str, mapping: Mapping, codebook: Codebook | None = None,
                include_scales: bool = True) -> dict[str, Any]:
    """The mapping's value entries for one codebook column, lowest precedence first: scales (by scale,
    by grid, by listed columns), then values by item id, by export column, by codebook column."""
    merged: dict[str, Any] = {}
    if include_scales:
        for key in (item.scale, item.grid):
            if key and key in mapping.scales and key not in mapping.scale_columns:
                merged.update(mapping.scales[key])
        for scale, listed in mapping.scale_columns.items():
            if any(entry in (col, item.id, export_col) for entry in listed):
                merged.update(mapping.scales[scale])
    for key in (item.id, export_col, col):
        merged.update(mapping.values.get(key, {}))
    return merged


@dataclass
class _Split:
    options: dict[str, list[str]]
    separator: str
    problems: list[tuple[int, str, str, str]]
    others: int = 0
    other_texts: list[str] = field(default_factory=list)


#: Separators tools put between the ticked options of a multi-select in one cell, most specific first.
_SEPARATORS = (";", ", ", ",", "|", "\n")


def _option_lookup(item: Item, pieces_map: dict[str, Any]) -> dict[str, Any]:
    """Option label (either language) or code, matched as labels are -> option code (None: ignore)."""
    lookup: dict[str, Any] = {}
    for o in item.options:
        lookup[_label_key(str(o.code))] = o.code
        for label in o.labels.values():
            lookup.setdefault(_label_key(label), o.code)
    for key, target in pieces_map.items():
        if key == "*" or (target is not None and _label_key(str(target)) not in lookup):
            continue  # tick values (1/0, "*") belong to the option columns, not to the pieces
        lookup[_label_key(key)] = None if target is None else lookup[_label_key(str(target))]
    return lookup


def _pieces(cell: str, separator: str, protected: list[str]) -> list[str]:
    """A one-cell multi-select answer cut at `separator`; option labels that contain the separator stay whole."""
    kept: list[str] = []
    text = cell
    for label in protected:
        if separator in label and label.casefold() in text.casefold():
            pattern = re.compile(r"(?<!\w)" + re.escape(label) + r"(?!\w)", re.IGNORECASE)

            def keep(match: re.Match) -> str:
                kept.append(match.group())
                return f"\x00{len(kept) - 1}\x00"
            text = pattern.sub(keep, text)
    parts = [re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], p).strip() for p in text.split(separator)]
    return [p for p in parts if p]


def _detect_separator(cells: list[str], lookup: dict[str, Any], protected: list[str]) -> str:
    """The separator under which most pieces of the cells are option labels."""
    sample = [c for c in cells if c][:500]
    best, best_score = _SEPARATORS[0], None
    for separator in _SEPARATORS:
        score = 0
        for cell in sample:
            for piece in _pieces(cell, separator, protected):
                score += 1 if _label_key(piece) in lookup else -1
        if best_score is None or score > best_score:
            best, best_score = separator, score
    return best


def _other_option(item: Item) -> Any:
    """The code of the item's "other" option, if it has one."""
    for o in item.options:
        if str(o.code) == "other" or {_label_key(v) for v in o.labels.values()} & {"anders", "other"}:
            return o.code
    return None


def _split_multi(item: Item, cells: list[str], separator: str | None, pieces_map: dict[str, Any]) -> _Split:
    """Option columns ("1", "0", or "" when the cell is empty) from one-cell multi-select answers."""
    lookup = _option_lookup(item, pieces_map)
    protected = sorted({label for o in item.options for label in o.labels.values()}, key=len, reverse=True)
    if separator is None:
        separator = _detect_separator(cells, lookup, protected)
    other = _other_option(item)
    options: dict[str, list[str]] = {f"{item.id}_{o.code}": [] for o in item.options}
    problems: list[tuple[int, str, str, str]] = []
    others = 0
    other_texts: list[str] = []
    labels = ", ".join(repr(o.labels.get("nl", o.code)) for o in item.options)
    for i, cell in enumerate(cells):
        if cell == "":
            for out in options.values():
                out.append("")
            other_texts.append("")
            continue
        ticked, unknown = set(), []
        for piece in _pieces(cell, separator, protected):
            key = _label_key(piece)
            if key in lookup:
                if lookup[key] is not None:
                    ticked.add(lookup[key])
            else:
                unknown.append(piece)
        text = ""
        if unknown and other is not None:
            ticked.add(other)
            others += 1
            text = separator.join(unknown)
        elif unknown:
            for piece in unknown:
                problems.append((i, "an answer that is not an option of the question", piece,
                                 f"options separated by {separator!r}: {labels}; or add it to the mapping under "
                                 f"values: {item.id}"))
        other_texts.append(text)
        for o in item.options:
            options[f"{item.id}_{o.code}"].append("1" if o.code in ticked else "0")
    return _Split(options, separator, problems, others, other_texts)


@dataclass
class _Converted:
    series: pd.Series
    problems: list[tuple[int, str, str, str]]
    recoded: int = 0
    mapped: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    spss_recodes: dict[str, Any] = field(default_factory=dict)
    #: per cell: empty in the export (not set to missing by the mapping)
    empty: list[bool] = field(default_factory=list)


_WEIGHT = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_MISSING_BY_MAPPING = "set to missing by the mapping"
_EMPTY = "empty cell (not answered)"
#: Answers a 0/1 (multi-select option, flag) cell may hold besides the mapping's (LimeSurvey: Y / N).
_TICKED = frozenset({"1", "yes", "ja", "true", "waar", "x", "y"})
_NOT_TICKED_VALUES = frozenset({"0", "no", "nee", "false", "onwaar", "n", "not selected", "niet geselecteerd"})
#: A mapping key that stands for any other non-empty answer ("*": 1 - any text means ticked).
WILDCARD = "*"


@dataclass
class _Cell:
    """What one distinct cell text of a column becomes (the same for every cell that holds it)."""

    value: Any
    mapped: int = 0
    to_missing: bool = False
    recoded: bool = False
    empty: bool = False
    #: (message, value shown, expected) when the text is not an answer of the item
    problem: tuple[str, str, str] | None = None
    #: the SPSS value label, when it disagrees with the codebook
    disagrees: str | None = None
    spss_recode: tuple[str, Any] | None = None


def _coded_cell(text: str, values_map: dict[str, Any], spss: dict[str, tuple[Any, str]], by_code: dict[str, Any],
                by_label: dict[str, Any], expected: str) -> _Cell:
    """One cell of a coded item: export code, label, mapped value or SPSS value -> codebook code."""
    if text == "":
        return _Cell(np.nan, empty=True)
    key = _value_key(text)
    mapped = 0
    if key in values_map:
        mapped = 1
        if values_map[key] is None:
            return _Cell(np.nan, mapped=1, to_missing=True)
        text = str(values_map[key]).strip()
        key = _value_key(text)
    elif text in spss:
        code, label = spss[text]
        if code is None:  # reported once per value, not once per respondent
            return _Cell(np.nan, disagrees=label)
        return _Cell(code, spss_recode=(f"{text} ({label})", code) if str(code) != text else None)
    if key in by_code:
        return _Cell(by_code[key], mapped=mapped)
    if _label_key(text) in by_label:
        return _Cell(by_label[_label_key(text)], mapped=mapped, recoded=True)
    if WILDCARD in values_map and values_map[WILDCARD] is None:
        return _Cell(np.nan, mapped=mapped + 1, to_missing=True)
    if WILDCARD in values_map and _value_key(values_map[WILDCARD]) in by_code:
        return _Cell(by_code[_value_key(values_map[WILDCARD])], mapped=mapped + 1)
    message = "code outside the codebook" if _WEIGHT.match(text) else "text where an answer code is expected"
    return _Cell(np.nan, mapped=mapped, problem=(message, text, expected))


def _tick_cell(text: str, values_map: dict[str, Any], col: str) -> _Cell:
    """One cell of a 0/1 column (multi-select option, flag): ticked 1, not ticked 0, empty missing."""
    key = _value_key(text)
    mapped = 0
    if key in values_map:
        mapped = 1
        if values_map[key] is None:
            return _Cell(np.nan, mapped=1, to_missing=True)
        key = _value_key(values_map[key])
    if key == "":
        return _Cell(np.nan, mapped=mapped, empty=True)
    if key in _TICKED:
        return _Cell(1.0, mapped=mapped)
    if key in _NOT_TICKED_VALUES:
        return _Cell(0.0, mapped=mapped)
    if WILDCARD in values_map and (values_map[WILDCARD] is None
                                   or _value_key(values_map[WILDCARD]) in _TICKED | _NOT_TICKED_VALUES):
        if values_map[WILDCARD] is None:
            return _Cell(np.nan, mapped=mapped + 1, to_missing=True)
        return _Cell(1.0 if _value_key(values_map[WILDCARD]) in _TICKED else 0.0, mapped=mapped + 1)
    return _Cell(np.nan, mapped=mapped, problem=("not a 0/1 answer", text, "1 (ticked), 0 (not ticked) or empty, "
                                                 f"or add it to the mapping under values: {col}"))


def _weight_cell(text: str, decimal: str) -> _Cell:
    """One cell of a weight column: a positive number (one decimal mark at most), empty missing."""
    if text == "":
        return _Cell(np.nan, empty=True)
    # one decimal mark at most (the pattern refuses "1.234,5"), so ',' can only be decimal
    value = float(text.replace(",", ".")) if _WEIGHT.match(text) else float("nan")
    if not np.isfinite(value) or value <= 0:
        return _Cell(value, problem=("not a positive number", text,
                                     f"a positive weight (empty = 1), decimal mark '{decimal}'"))
    return _Cell(value)


def _distinct(raw: Sequence[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(index of each cell's text among the distinct texts, the distinct texts in order of first
    appearance, how many cells hold each), cells stripped of surrounding space: a column is
    converted once per distinct text."""
    codes, uniques = pd.factorize(np.asarray(raw, dtype=object), sort=False)
    texts = [str(u).strip() for u in uniques]
    if any(len(t) != len(u) for t, u in zip(texts, uniques)):  # '1' and ' 1' are one text
        merged, texts = pd.factorize(np.asarray(texts, dtype=object), sort=False)
        codes, texts = merged[codes], [str(t) for t in texts]
    return codes, texts, np.bincount(codes, minlength=len(texts))


def _convert_column(item: Item, col: str, raw: list[str], values_map: dict[str, Any], decimal: str,
                    spss_labels: dict[str, str] | None = None) -> _Converted:
    """Convert one column's text cells to the survey frame's type, collecting problems per cell.

    Each distinct text is converted once and the result spread over the cells holding it (a
    column of 100,000 answers holds a handful of distinct texts); problems still name every cell.
    """
    codes, texts, counts = _distinct(raw)
    empty_mask = (np.asarray(texts, dtype=object) == "")[codes] if texts else np.zeros(0, dtype=bool)
    if item.type in CODED_TYPES:
        by_code, by_label = _code_lookup(item)
        spss = _spss_translation(item, spss_labels or {}, values_map, by_code, by_label)
        expected = _expected_codes(item, col)
        cells = [_coded_cell(t, values_map, spss, by_code, by_label, expected) for t in texts]
    elif item.type in ("multi", "flag"):
        cells = [_tick_cell(t, values_map, col) for t in texts]
    elif item.type == "weight":
        cells = [_weight_cell(t, decimal) for t in texts]
    else:  # open text: kept exactly, empty is missing
        empty = int(empty_mask.sum())
        return _Converted(pd.Series([t.strip() or None for t in raw], dtype=object), [],
                          missing={_EMPTY: empty}, empty=empty_mask)

    def total(attribute: str) -> int:
        return int(sum(int(getattr(c, attribute)) * int(n) for c, n in zip(cells, counts)))

    problems: list[tuple] = []
    for j, cell in enumerate(cells):
        if cell.problem is not None:
            message, shown, wanted = cell.problem
            problems += [(int(i), message, shown, wanted) for i in np.flatnonzero(codes == j)]
    problems.sort(key=lambda p: p[0])
    disagreeing = sorted((int(np.flatnonzero(codes == j)[0]), j) for j, c in enumerate(cells) if c.disagrees is not None)
    for first, j in disagreeing:
        problems.append((first, f"the SPSS value label disagrees with the codebook ({counts[j]} respondent(s) "
                         "have this value; this is the first)", f"{texts[j]} = {cells[j].disagrees!r}",
                         _expected_codes(item, col).replace("one of the codes", "a label of the codes"),
                         int(counts[j]), texts[j]))
    spss_recodes = dict(c.spss_recode for c in cells if c.spss_recode is not None)
    missing = {_EMPTY: total("empty"), _MISSING_BY_MAPPING: total("to_missing")}
    if item.type in CODED_TYPES:
        position = {code: k for k, code in enumerate(item.category_codes)}
        category = np.array([position.get(c.value, -1) for c in cells], dtype=np.int64)
        series = pd.Series(pd.Categorical.from_codes(category[codes] if len(cells) else np.zeros(0, dtype=np.int64),
                                                     categories=item.category_codes,
                                                     ordered=item.type in ("ordinal", "rating")))
        return _Converted(series, problems, total("recoded"), total("mapped"), missing, spss_recodes, empty_mask)
    values = np.array([c.value for c in cells], dtype=float)[codes] if len(cells) else np.zeros(0)
    if item.type == "weight":
        return _Converted(pd.Series(values, dtype=float), problems, missing={_EMPTY: total("empty")}, empty=empty_mask)
    dtype = "Int64" if item.type == "flag" else float
    return _Converted(pd.Series(values, dtype=float).astype(dtype), problems, total("recoded"), total("mapped"),
                      missing, empty=empty_mask)


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
                  format: str | None = None, codebook: Codebook | None = None) -> tuple[pd.DataFrame, LoadLog]:
    """Read and validate an export; return the survey frame and the log of what was done.

    `format` forces the survey tool's layout (qualtrics, limesurvey, surveymonkey, forms, spss,
    plain); by default it is recognised from the file, and ``log.detected["layout"]`` says which.
    """
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = Mapping.read(mapping)
    table = read_table(path, sheet=sheet, format=format)
    return validate_table(table, codebook=codebook, mapping=mapping)


def load(path: str | Path, mapping: str | Path | Mapping | None = None, sheet: str | None = None,
         format: str | None = None, codebook: Codebook | None = None) -> pd.DataFrame:
    """Read an export (CSV, XLSX, SPSS .sav) into the validated survey frame.

    Raises :class:`~analysis.core.errors.SurveyDataError` listing every problem when the file does not
    fit the codebook.
    """
    return load_with_log(path, mapping=mapping, sheet=sheet, format=format, codebook=codebook)[0]
