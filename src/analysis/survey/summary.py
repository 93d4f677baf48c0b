"""Short text summaries of a loaded export (what `python -m analysis validate` prints)."""
from __future__ import annotations

import json
import re

import pandas as pd

from analysis.survey.cells import tick_decision
from analysis.survey.codebook import load_codebook
from analysis.core.errors import SurveyDataError
from analysis.survey.loadlog import LoadLog


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
    basis = {"decimal": "decimal_basis", "layout": "layout_basis"}
    detected = ", ".join(f"{k} {v!r}" + (f" ({log.detected[basis[k]]})" if basis.get(k) in log.detected else "")
                         for k, v in log.detected.items() if k not in basis.values())
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


def problems_overview(error: SurveyDataError, wave: str | None = None, taken: frozenset[str] = frozenset()) -> str:
    """After the list of problems: unmapped columns and values as YAML to paste into the mapping.

    Columns are matched as ``mapping draft`` matches them (its matcher and threshold), against the
    codebook of `wave` when given, else of the wave the loader checked the export against (``error.wave``:
    the one its header row fits best, judged on all its columns, not the unmapped ones alone): a match is a
    mapping line with its score, what cannot be matched is ``null  # TODO ...``, never a guess. A match to a
    codebook column (or item) in `taken`, which another export column already fills, is a TODO too, as in the draft.
    Counts are respondents. Returns '' when there is nothing.
    """
    columns: dict[str, None] = {}
    values: dict[str, dict[str, list]] = {}
    for p in error.problems:
        if p.message.startswith("unknown column") and p.column is not None:
            columns[p.column] = None
        elif p.expected and "mapping under values:" in p.expected:
            target = re.search(r"mapping under values: (\S+)", p.expected).group(1)
            key = p.key if p.key is not None else str(p.value)
            entry = values.setdefault(target, {}).setdefault(key, [0, p])
            entry[0] += p.count
    lines = []
    if columns:
        lines.append(f"unmapped columns ({len(columns)}): paste into the mapping (export column: codebook column; "
                     "null ignores the column):")
        lines.append("columns:")
        basis = "given" if wave is not None else "the wave the export's columns fit best"
        lines += _column_lines(list(columns), wave or error.wave, basis, taken)
    if values:
        lines.append("unmapped values: paste into the mapping (export value: codebook code; null = missing):")
        lines.append("values:")
        for col, counts in values.items():
            lines.append(f"  {col}:")
            for key, (n, p) in sorted(counts.items(), key=lambda kv: -kv[1][0]):
                code, why = _guess_code(col, key, p)
                who = f"{n} respondent{'s' if n != 1 else ''}"
                lines.append(f"    {json.dumps(key, ensure_ascii=False)}: {code}  # {who}; {why}")
    return "\n".join(lines)


def _column_lines(columns: list[str], wave: str | None, basis: str, taken: frozenset[str]) -> list[str]:
    """A mapping line per unmapped export column, matched as ``mapping draft`` matches columns against the
    codebook of `wave` (found as `basis` says; without a wave, the wave the unmapped columns match best)."""
    from analysis.survey.mapping_draft import detect_wave

    codebook = load_codebook()
    found, found_basis, matches = detect_wave([(c, c) for c in columns], codebook, wave)
    items = codebook.column_item()
    lines = [f"  # codebook wave {found} ({basis if wave is not None else found_basis})"] if found else []
    for match in matches:
        key = json.dumps(match.header, ensure_ascii=False)
        item = items.get(match.target)
        if match.target in taken or (item is not None and item.id in taken):
            lines.append(f"  {key}: null  # TODO its best match {match.target} (score {match.score:.0f}) is "
                         "already filled by another export column; null ignores the column")
        elif match.target is not None:
            lines.append(f"  {key}: {match.target}  # score {match.score:.0f}: check it")
        else:
            best = ", ".join(f"{t} {s:.0f}" for t, s in match.options[:3]) or "none"
            why = match.note or "no codebook column matched"
            lines.append(f"  {key}: null  # TODO {why} (best: {best}); null ignores the column")
    return lines


def _guess_code(col: str, key: str, problem) -> tuple[str, str]:
    """(YAML value, why) for an unmapped value of a codebook column."""
    from rapidfuzz import fuzz, process

    from analysis.survey.matching import normalise

    codebook = load_codebook()
    known = codebook.column_item()
    item = known.get(col) or (codebook[col] if col in codebook else None)
    if item is None:
        return "null", "not a codebook column"
    if item.type in ("multi", "flag"):  # a 'no' in a language without a word list must not be guessed a tick
        decision = tick_decision(key)
        if decision is None:
            return "null", "TODO decide: 1 ticked, 0 not ticked, null not answered"
        return decision, "its meaning"
    if not item.codes:
        return "null", "set to missing"
    text = str(problem.value)
    if problem.key is not None and " = " in text:  # an SPSS code and its value label
        text = text.split(" = ", 1)[1].strip("'\"")
    labels = {label: c.code for c in item.codes for label in c.labels.values()}
    found = process.extractOne(text, list(labels), scorer=fuzz.WRatio, processor=normalise)
    codes = ", ".join(f"{c.code} = {c.labels.get('nl', '')}" for c in item.codes)
    if found and found[1] >= 85:
        return json.dumps(labels[found[0]]), f"best match {found[0]!r} (score {found[1]:.0f}): check it"
    return "null", f"no close answer label: null sets it to missing, or one of {codes}"
