"""The message catalogue (``messages.yaml``: every reader-facing sentence, English and Dutch).

Apart from :mod:`analysis.report.text` (which formats numbers with pandas) so that the command line can
list the report languages without importing the analysis stack.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from analysis.core.yamlfile import safe_load

CATALOGUE_PATH = Path(__file__).with_name("messages.yaml")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key -> {"en": ..., "nl": ...}."""
    with open(CATALOGUE_PATH, encoding="utf-8") as fh:
        return safe_load(fh)
