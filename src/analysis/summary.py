"""Short text summaries of a loaded export (what `python -m analysis validate` prints)."""
from __future__ import annotations

import pandas as pd

from .codebook import load_codebook
from .errors import SurveyDataError
from .validation import LoadLog


def missingness_by_theme(frame: pd.DataFrame) -> pd.DataFrame:
    """Per theme: number of items and the share of empty answer cells (not "don't know")."""
    codebook = load_codebook()
    rows = []
    for theme in codebook.theme_ids:
        cols = [c for item in codebook.items_of(theme) if item.type not in ("identifier", "flag", "weight")
                for c in item.columns if c in frame.columns]
        cells = frame[cols].size
        rows.append({"theme": theme, "items": len({codebook.column_item()[c].id for c in cols}),
                     "missing_pct": 100 * frame[cols].isna().to_numpy().sum() / cells if cells else float("nan")})
    return pd.DataFrame(rows)


def validation_summary(frame: pd.DataFrame, log: LoadLog) -> str:
    """A few lines: file, what was detected, what was mapped, respondents, missingness per theme."""
    shown = {k: v for k, v in log.detected.items() if k not in ("decimal_basis", "layout_basis")}
    detected = ", ".join(f"{k} {v!r}" for k, v in shown.items())
    if "decimal_basis" in log.detected:
        detected += f" ({log.detected['decimal_basis']})"
    if "layout_basis" in log.detected:
        detected += f"; layout from {log.detected['layout_basis']}"
    lines = [
        f"valid: {log.file}",
        f"  detected: {detected}",
        f"  sha256: {log.sha256}",
        f"  respondents: {len(frame)}" + ("  (SYNTHETIC data)" if frame.attrs.get("synthetic") else ""),
        f"  columns: {frame.shape[1]}",
    ]
    if log.mapping_file:
        lines.append(f"  mapping: {log.mapping_file} (sha256 {log.mapping_sha256})")
    if log.renamed_columns:
        lines.append(f"  columns mapped: {len(log.renamed_columns)}")
    if log.ignored_columns:
        lines.append(f"  columns ignored (null in the mapping): {', '.join(log.ignored_columns)}")
    if log.metadata_columns_dropped:
        lines.append(f"  survey-tool columns dropped (never loaded): {', '.join(log.metadata_columns_dropped)}")
    if log.generated_ids:
        lines.append(f"  respondent ids: generated ({log.generated_ids})")
    for export_col, split in log.split_columns.items():
        lines.append(f"  multi-select in one cell split into the options of {split['item']}: {export_col!r} "
                     f"(separator {split['separator']!r} from {split['separator_from']})")
    for item, n in log.other_answers.items():
        lines.append(f"  typed 'other' answers in {item}: {n} (counted as the option 'other')")
    if log.options_not_ticked:
        lines.append(f"  empty multi-select options of respondents who answered the question, counted as not "
                     f"ticked: {sum(log.options_not_ticked.values())} cells in {len(log.options_not_ticked)} item(s)")
    if log.optional_columns_absent:
        lines.append(f"  optional columns absent: {', '.join(log.optional_columns_absent)}")
    if log.labels_recoded:
        lines.append(f"  answer labels recoded to codes: {sum(log.labels_recoded.values())} "
                     f"in {len(log.labels_recoded)} column(s)")
    if log.mapped_values:
        lines.append(f"  values mapped: {sum(log.mapped_values.values())} in {len(log.mapped_values)} column(s)")
    for col, recodes in log.spss_labels_recoded.items():
        pairs = ", ".join(f"{k} -> {v}" for k, v in recodes.items())
        lines.append(f"  SPSS codes recoded by their labels in {col}: {pairs}")
    reasons: dict[str, int] = {}
    for per_column in log.missing_reasons.values():
        for reason, count in per_column.items():
            reasons[reason] = reasons.get(reason, 0) + count
    for reason, count in reasons.items():
        lines.append(f"  missing cells, {reason}: {count}")
    if log.blank_rows_skipped:
        lines.append(f"  blank rows skipped: {log.blank_rows_skipped}")
    for note in log.notes:
        lines.append(f"  NOTE: {note}")
    lines.append("  missing answers per theme:")
    for row in missingness_by_theme(frame).itertuples():
        lines.append(f"    {row.theme:<14} {row.items:>3} items  {row.missing_pct:5.1f}% empty")
    return "\n".join(lines)


def problems_overview(error: SurveyDataError) -> str:
    """After the list of problems: unmapped columns and unmapped values, grouped for a mapping file.

    Returns an empty string when there is nothing to group.
    """
    columns: list[str] = []
    values: dict[str, dict[str, int]] = {}
    for p in error.problems:
        if p.message.startswith("unknown column") and p.column is not None:
            columns.append(p.column)
        elif p.expected and "mapping under values:" in p.expected and p.column is not None:
            per_column = values.setdefault(p.column, {})
            per_column[str(p.value)] = per_column.get(str(p.value), 0) + 1
    lines = []
    if columns:
        lines.append(f"unmapped columns ({len(columns)}): add them to the mapping under 'columns:' "
                     "(export column: codebook column, or null to ignore):")
        lines += [f"  - {c!r}" for c in columns]
    if values:
        lines.append("unmapped values: add them to the mapping under 'values:' (export value: codebook code):")
        for col, counts in values.items():
            shown = ", ".join(f"{v!r} ({n}x)" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            lines.append(f"  - {col}: {shown}")
    return "\n".join(lines)
