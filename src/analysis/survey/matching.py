"""How export texts are compared with the codebook and the mapping.

Column names match ignoring case and runs of white space; answer values and mapping keys match
trimmed and case-folded, with '3.0' or '3,0' read as '3'; labels match ignoring case, surrounding
space and typographic apostrophes. Every module that reads an export compares texts this way.
"""
from __future__ import annotations

import re
from typing import Any

from analysis.survey.codebook import Item

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")


def number_text(text: str) -> str:
    """'3.0' or '3,0' -> '3' so that codes typed by spreadsheets match codebook codes."""
    if _NUMBER.match(text):
        return str(int(re.split(r"[.,]", text)[0]))
    return text


def value_key(value: Any) -> str:
    """How export values are compared: trimmed, case-folded, '3.0' written as '3'."""
    return number_text(str(value).strip()).casefold()


def header_key(text: str) -> str:
    """Export column names are matched ignoring case and runs of white space."""
    return " ".join(text.split()).casefold()


def label_key(label: str) -> str:
    """Labels match ignoring case, surrounding space, and typographic vs straight apostrophes."""
    return " ".join(label.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


def code_lookup(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
    """(code text -> code, label casefold -> code) for a coded item; labels in both languages."""
    by_code = {str(c.code): c.code for c in item.codes}
    by_label: dict[str, Any] = {}
    for c in item.codes:
        for label in c.labels.values():
            by_label.setdefault(label_key(label), c.code)
    return by_code, by_label


def expected_codes(item: Item, col: str) -> str:
    """What a cell of `item` in column `col` may hold (the 'expected' of a problem)."""
    codes = ", ".join(str(c.code) for c in item.codes)
    return (f"one of the codes {codes} of '{item.id}' (or their labels), "
            f"or add it to the mapping under values: {col}")
