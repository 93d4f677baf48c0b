"""Free-text answers made safe to quote: contact details and names are replaced by placeholders."""
from __future__ import annotations

import re
from functools import lru_cache

from .paths import REFERENCE_DIR

_PATTERNS = [
    ("[e-mail]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("[url]", re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|be|eu|info)(?:/\S*)?\b",
                         re.IGNORECASE)),
    ("[handle]", re.compile(r"(?<![\w@])@\w{2,}")),
    ("[phone]", re.compile(r"(?:\+|00)\d{2}[\s-]?\d(?:[\s-]?\d){7,9}|\b0\d{1,3}[\s-]?\d(?:[\s-]?\d){5,8}\b")),
]


@lru_cache(maxsize=1)
def _names() -> re.Pattern:
    words = []
    for line in (REFERENCE_DIR / "names_nl.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(re.escape(line))
    words.sort(key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


def scrub_quote(text: str) -> str:
    """Replace e-mail addresses, URLs, social-media handles, phone numbers and names.

    Names are matched against ``data/reference/names_nl.txt`` (common Dutch first names and
    surnames, with and without the underscore forms used in handles); anything the list misses is
    why quotes are also reviewed before a real report is published (see the methods appendix).
    """
    for placeholder, pattern in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return _names().sub("[name]", text)
