"""Reader-facing text: one message catalogue (English and Dutch) and number formatting.

Notebooks and the report never hold hard-coded prose; they ask for a message by key, with the
computed values filled in.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.messages import CATALOGUE_PATH, catalogue
from analysis.protection.disclosure import SUPPRESSED, Published, is_hidden


def message(key: str, lang: str, **values: Any) -> str:
    """The message `key` in `lang` with `values` filled in (``{name}`` placeholders)."""
    try:
        template = catalogue()[key][lang]
    except KeyError as exc:
        raise KeyError(f"message {key!r} has no {lang!r} text in {CATALOGUE_PATH.name}") from exc
    return template.format(**values) if values else template


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: Any, lang: str, digits: int = 0) -> str:
    """A number for prose: decimal comma in Dutch; the suppression marker passes through.

    A value that rounds to zero reads "0", never "-0" (a gap of -0.3 points is no gap at this precision).
    """
    if is_hidden(value):
        return SUPPRESSED
    if _missing(value):
        return "–"
    number = float(value)
    text = f"{0.0 if round(number, digits) == 0 else number:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\u2009").replace(".", ",")
    return text


def fmt_pct(value: Any, lang: str, digits: int = 0) -> str:
    """A percentage for prose ("42%")."""
    text = fmt_number(value, lang, digits)
    return text if text in (SUPPRESSED, "–") else f"{text}%"


def fmt_interval(low: Any, high: Any, lang: str) -> str:
    """A percentage interval for prose ("35–49%")."""
    if is_hidden(low) or is_hidden(high):
        return SUPPRESSED
    return f"{fmt_number(low, lang)}–{fmt_number(high, lang)}%"


def fmt_median(value: Any, codes: Sequence[Any], labels: Mapping[Any, str], lang: str) -> str:
    """The median of an ordinal item as an answer: the label of its code, or "between A and B" when it
    falls between two answer codes (the midpoint of an even count); a hidden median stays marked."""
    if is_hidden(value):
        return SUPPRESSED
    if _missing(value):
        return "–"
    number = float(value)
    below, above = [c for c in codes if c <= number], [c for c in codes if c >= number]
    if not below or not above:
        raise ValueError(f"median {number} lies outside the answer codes {list(codes)}")
    low, high = max(below), min(above)
    if low == high:
        return labels[low]
    return message("median_between", lang, low=labels[low], high=labels[high])


def fmt_p(p: Any, lang: str) -> str:
    """A p-value as a report states it ("p < 0.001", "p = 0.03"); a suppressed one stays marked."""
    if is_hidden(p):
        return SUPPRESSED
    if _missing(p):
        return "p = –"
    if p < 0.001:
        return "p < " + fmt_number(0.001, lang, 3)
    return "p = " + fmt_number(p, lang, 3 if p < 0.01 else 2)



# --------------------------------------------------------------------------- files (the edge)

def file_number(value: Any) -> str:
    """A number as published tables write it (CSV, workbook): one format for each kind of value.

    Whole numbers (counts, bases, degrees of freedom) without decimals; other numbers with four
    significant digits, in positional notation from 0.001 up (p-values below that keep theirs in
    scientific notation, so they never read as 0).
    """
    if _missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if abs(number) >= 1000:
        return f"{number:.0f}" if abs(number) >= 10000 else f"{number:.4g}"
    return f"{number:.4g}"


def file_table(table: Published | pd.DataFrame) -> pd.DataFrame:
    """The text of a published table for CSV and workbook: numbers formatted, hidden cells marked."""
    pub = table if isinstance(table, Published) else Published(table, pd.DataFrame(False, index=table.index,
                                                                                  columns=table.columns))
    out = pd.DataFrame(index=range(len(pub)))
    for c in pub.columns:
        values = pub.values[c]
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
        cells = [file_number(v) if numeric else ("" if _missing(v) else str(v)) for v in values]
        out[c] = [SUPPRESSED if hidden else cell for cell, hidden in zip(cells, pub.mask[c])]
    return out
