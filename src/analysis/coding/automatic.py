"""The automatic first pass: codes from the frame's Dutch hints (Snowball's Dutch stemmer), a
draft for coders (``export --draft``) and the fallback when nobody coded."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis.protection.quotes import strip_addresses
from analysis.survey.codebook import Item

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _stems(words: list[str]) -> list[str]:
    """Snowball stems of `words` (each distinct word stemmed once per process: answers repeat words)."""
    return [_stem(w) for w in words]


def _hint_rules(item: Item) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per code: ("prefix", (start,)) for ``word*`` hints, ("stems", stems) for words and phrases."""
    rules: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for code in item.frame:
        rules[code.code] = []
        for hint in code.hints:
            if hint.endswith("*"):
                rules[code.code].append(("prefix", (hint[:-1].lower(),)))
            else:
                rules[code.code].append(("stems", tuple(_stems(_words(hint)))))
    return rules


def _code_pattern(rules: list[tuple[str, tuple[str, ...]]]) -> tuple[re.Pattern[str] | None,
                                                                   re.Pattern[str] | None]:
    """One pattern over a text's words and one over its stems (each joined by single spaces) that
    match when any of a code's hints does: a ``word*`` hint as the start of a word, a word or phrase
    as consecutive whole stems."""
    prefixes = [re.escape(parts[0]) for kind, parts in rules if kind == "prefix"]
    phrases = [" ".join(map(re.escape, parts)) for kind, parts in rules if kind == "stems" and parts]
    words = re.compile(rf"(?:^| )(?:{'|'.join(prefixes)})") if prefixes else None
    stems = re.compile(rf"(?:^| )(?:{'|'.join(phrases)})(?= |$)") if phrases else None
    return words, stems


def automatic_codes(texts: pd.Series, item: Item) -> pd.DataFrame:
    """The automatic first pass: 0/1 per code of `item`'s frame for each text (index kept).

    A code applies when one of its hints occurs in the text: a word or phrase after Snowball's
    Dutch stemming (so "getuigen" matches the hint "getuige"), a ``word*`` hint as the start of
    a word (compounds: "getuig*" matches "getuigenoproep"). The frame's ``other`` code applies when
    no other code does. E-mail addresses, URLs and handles are not read
    (:func:`analysis.protection.quotes.strip_addresses`); everything else is, so pass the answers as given.
    Each distinct text is read once and every code is one regular expression over its words and
    stems, so the pass scales to every answer of a large export.
    """
    rules = _hint_rules(item)
    codes = [c.code for c in item.frame]
    other = next((c.code for c in item.frame if c.other), None)
    values = texts.astype(str).to_numpy(dtype=object)
    distinct, inverse = np.unique(values, return_inverse=True) if len(values) else (values, np.zeros(0, int))
    words = [_words(strip_addresses(text)) for text in distinct]
    joined_words = pd.Series([" ".join(w) for w in words], dtype=object)
    joined_stems = pd.Series([" ".join(_stems(w)) for w in words], dtype=object)
    table = np.zeros((len(distinct), len(codes)), dtype=int)
    for j, code in enumerate(codes):
        if code == other:
            continue
        word_pattern, stem_pattern = _code_pattern(rules[code])
        hit = np.zeros(len(distinct), dtype=bool)
        if word_pattern is not None:
            hit |= joined_words.str.contains(word_pattern).to_numpy(dtype=bool)
        if stem_pattern is not None:
            hit |= joined_stems.str.contains(stem_pattern).to_numpy(dtype=bool)
        table[:, j] = hit
    if other is not None:
        j = codes.index(other)
        table[:, j] = table.sum(axis=1) == 0
    return pd.DataFrame(table[inverse.ravel()], index=texts.index, columns=codes, dtype=int)
