"""Reader-facing text: one message catalogue (English and Dutch) and number formatting.

Notebooks and the report never hold hard-coded prose; they ask for a message by key, with the
computed values filled in.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .disclosure import SUPPRESSED

CATALOGUE_PATH = Path(__file__).with_name("messages.yaml")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key -> {"en": ..., "nl": ...}."""
    with open(CATALOGUE_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def message(key: str, lang: str, **values: Any) -> str:
    """The message `key` in `lang` with `values` filled in (``{name}`` placeholders)."""
    try:
        template = catalogue()[key][lang]
    except KeyError as exc:
        raise KeyError(f"message {key!r} has no {lang!r} text in {CATALOGUE_PATH.name}") from exc
    return template.format(**values) if values else template


def is_suppressed(value: Any) -> bool:
    return isinstance(value, str) and value == SUPPRESSED


def fmt_number(value: Any, lang: str, digits: int = 0) -> str:
    """A number for prose: decimal comma in Dutch; the suppression marker passes through."""
    if is_suppressed(value):
        return SUPPRESSED
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\u2009").replace(".", ",")
    return text


def fmt_pct(value: Any, lang: str, digits: int = 0) -> str:
    """A percentage for prose ("42%")."""
    text = fmt_number(value, lang, digits)
    return text if text in (SUPPRESSED, "–") else f"{text}%"


def fmt_interval(low: Any, high: Any, lang: str) -> str:
    """A percentage interval for prose ("35–49%")."""
    if is_suppressed(low) or is_suppressed(high):
        return SUPPRESSED
    return f"{fmt_number(low, lang)}–{fmt_number(high, lang)}%"


def fmt_p(p: Any, lang: str) -> str:
    """A p-value as a report states it ("p < 0.001", "p = 0.03"); a suppressed one stays marked."""
    if is_suppressed(p):
        return SUPPRESSED
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = –"
    if p < 0.001:
        return "p < " + fmt_number(0.001, lang, 3)
    return "p = " + fmt_number(p, lang, 3 if p < 0.01 else 2)

