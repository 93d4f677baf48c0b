"""Short text summaries of a loaded export (what `python -m analysis validate` prints)."""
from __future__ import annotations

import pandas as pd

from .codebook import load_codebook
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
    """A few lines: file, what was detected, respondents, items, and missingness per theme."""
    detected = ", ".join(f"{k} {v!r}" for k, v in log.detected.items())
    lines = [
        f"valid: {log.file}",
        f"  detected: {detected}",
        f"  sha256: {log.sha256}",
        f"  respondents: {len(frame)}" + ("  (SYNTHETIC data)" if frame.attrs.get("synthetic") else ""),
        f"  columns: {frame.shape[1]}",
    ]
    if log.renamed_columns:
        lines.append(f"  columns mapped: {len(log.renamed_columns)}")
    if log.labels_recoded:
        lines.append(f"  answer labels recoded to codes: {sum(log.labels_recoded.values())}")
    if log.mapped_values:
        lines.append(f"  values mapped: {sum(log.mapped_values.values())}")
    lines.append("  missing answers per theme:")
    for row in missingness_by_theme(frame).itertuples():
        lines.append(f"    {row.theme:<14} {row.items:>3} items  {row.missing_pct:5.1f}% empty")
    return "\n".join(lines)
