"""Header checks: which codebook column each export column is, and what the header lacks.

Export columns are renamed by the mapping (names matched ignoring case and spaces), dropped when the
mapping ignores them or the survey tool's layout marks them as its own (metadata, personal data), or
recognised as a one-cell multi-select to split. Columns named twice, unknown columns and missing
required columns are problems.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.core.errors import Problem
from analysis.survey.codebook import Codebook, Item
from analysis.survey.loadlog import LoadLog
from analysis.survey.mapping import Mapping, multi_item, suggest
from analysis.survey.matching import header_key
from analysis.survey.reading import RawTable


@dataclass
class Header:
    """The export's header read against the codebook."""

    #: per export column: the codebook column it holds, or None (ignored, dropped, or split)
    columns: list[str | None]
    #: position -> (multi-select item held in one cell, separator when the mapping gives one)
    splits: dict[int, tuple[Item, str | None]]
    #: codebook column -> the export columns that hold it (more than one is a problem)
    sources: dict[str, list[str]]
    #: codebook columns held by more than one export column
    duplicated: set[str]
    #: codebook columns to convert, in export order (each held by one export column)
    usable: list[str]
    #: respondents are numbered by their line because the export has no id column
    generate_ids: bool


def read_header(table: RawTable, mapping: Mapping, codebook: Codebook, known: dict[str, Item],
                log: LoadLog) -> tuple[Header, list[Problem]]:
    """The header against the codebook and its problems; renamed, ignored and dropped columns go to `log`."""
    name = str(table.path)
    columns, splits = _resolve(table, mapping, codebook, known, log)
    sources: dict[str, list[str]] = {}
    for h, col in zip(table.header, columns):
        if col is not None:
            sources.setdefault(col, []).append(h)
    for pos, (item, _) in splits.items():
        for col in item.columns:
            sources.setdefault(col, []).append(table.header[pos])
    problems = _name_problems(name, columns, sources, known)
    generate_ids = "respondent_id" not in sources and table.layout != "plain"
    problems += _missing_columns(name, known, sources, generate_ids, log)
    duplicated = {col for col, from_cols in sources.items() if len(from_cols) > 1}
    usable = [col for col in columns if col in known and col not in duplicated]
    return Header(columns, splits, sources, duplicated, usable, generate_ids), problems


def _resolve(table: RawTable, mapping: Mapping, codebook: Codebook, known: dict[str, Item],
             log: LoadLog) -> tuple[list[str | None], dict[int, tuple[Item, str | None]]]:
    """Per export column the codebook column it holds (None: ignored, dropped or split), and the splits."""
    by_key = {header_key(k): k for k in mapping.columns}
    metadata = set(table.metadata_columns)
    columns: list[str | None] = []
    splits: dict[int, tuple[Item, str | None]] = {}
    for pos, h in enumerate(table.header):
        map_key = h if h in mapping.columns else (by_key.get(header_key(h)) if h not in known else None)
        if map_key is not None:
            target = mapping.columns[map_key]
            multi = multi_item(target, codebook) if target not in known else None
            if target is None:
                log.ignored_columns.append(h)
            else:
                log.renamed_columns[h] = target
            if multi is not None:
                splits[pos] = (multi, mapping.split.get(map_key))
                target = None
            columns.append(target)
        elif h in metadata and h not in known:
            log.metadata_columns_dropped.append(h)  # the tool's own columns, personal data: never loaded
            columns.append(None)
        else:
            columns.append(h)
    return columns, splits


def _name_problems(name: str, columns: list[str | None], sources: dict[str, list[str]],
                   known: dict[str, Item]) -> list[Problem]:
    """Columns held twice, columns without a name, and columns the codebook does not know."""
    problems = []
    for col, from_cols in sources.items():
        if len(from_cols) > 1:
            via = "" if len(set(from_cols)) == 1 else f" (after mapping {', '.join(repr(c) for c in from_cols)})"
            problems.append(Problem(name, f"the column name appears {len(from_cols)} times{via}", line=1, column=col,
                                    expected="each column once"))
    for col in columns:
        if col is None:
            continue
        if col == "":
            problems.append(Problem(name, "a column has no name", line=1, expected="a name for every column"))
        elif col not in known:
            problems.append(Problem(name, "unknown column (not in the codebook, not mapped)", line=1, column=col,
                                    expected=suggest(col, known) + ", or add it to the mapping under columns: "
                                    "(null to ignore it)"))
    return problems


def _missing_columns(name: str, known: dict[str, Item], sources: dict[str, list[str]], generate_ids: bool,
                     log: LoadLog) -> list[Problem]:
    """Required codebook columns the export lacks; absent optional columns go to the log."""
    problems = []
    for col, item in known.items():
        if col in sources or (col == "respondent_id" and generate_ids):
            continue
        if item.required:
            expected = f"a column for item '{item.id}'"
            if col == "respondent_id":
                expected += (" (or name the survey tool with --format, and respondents are numbered by "
                             "their line in the file)")
            problems.append(Problem(name, "required column is missing", line=1, column=col, expected=expected))
        else:
            log.optional_columns_absent.append(col)
    return problems
