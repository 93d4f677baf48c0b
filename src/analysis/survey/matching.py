"""How export texts are compared with the codebook and the mapping.

Column names match ignoring case and runs of white space; answer values and mapping keys match
trimmed and case-folded, with '3.0' or '3,0' read as '3'; labels match ignoring case, surrounding
space and typographic apostrophes. Every module that reads an export compares texts this way.
Question texts in headings are compared :func:`normalise`-d with the :func:`heading_candidates`;
:func:`fits_question` and :func:`abbreviated_targets` say which codebook items a heading's question
part can belong to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from analysis.survey.codebook import Codebook, Item

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


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces (what the fuzzy match of headings compares)."""
    text = text.replace("\u2019", "'").casefold()
    return " ".join(re.sub(r"[^\w']+", " ", text).replace("_", " ").split())


@dataclass
class Candidate:
    """A codebook text an export heading may match, and the codebook column (or item) it stands for."""

    text: str       # normalised
    target: str     # codebook column, or a multi-select item id
    kind: str       # column | multi | statement
    item: Item


def heading_candidates(codebook: Codebook) -> list[Candidate]:
    """Every codebook text a heading may match: item ids and texts, option columns with their question, statements."""
    out = []
    for item in codebook.items:
        if item.type == "multi":
            for lang in item.text:
                out.append(Candidate(normalise(item.text[lang]), item.id, "multi", item))
            for col, option in zip(item.columns, item.options):
                out.append(Candidate(normalise(col), col, "column", item))
                for lang, label in option.labels.items():
                    out.append(Candidate(normalise(f"{item.text.get(lang, '')} {label}"), col, "column", item))
            continue
        out.append(Candidate(normalise(item.id), item.id, "column", item))
        for lang, text in item.text.items():
            out.append(Candidate(normalise(text), item.id, "column", item))
            if item.grid and ": " in text:  # a grid's statement alone (Microsoft Forms names columns so)
                out.append(Candidate(normalise(text.split(": ", 1)[1]), item.id, "statement", item))
        for lang, text in item.short.items():
            out.append(Candidate(normalise(text), item.id, "statement", item))
    return out


#: How closely a heading's question part must match an item's question to be that item's.
QUESTION_SCORE = 85.0
#: LimeSurvey's mark of a cut text in abbreviated headings ('Wat is uw gesla.. ', '[Forums / commun.. ]').
ABBREVIATION_CUT = ".."


def fits_question(head: str, item: Item) -> bool:
    """Whether the question part of a heading ('Question - statement', 'Question [statement]') can be the
    question of `item` (of a grid: the text before ': '): equal or close to it in some language, or its
    beginning when the heading is abbreviated. An empty question part fits every item, and so does every
    question part for a grid whose statements carry no 'stem: ' (the codebook does not hold its question)."""
    cut = head.rstrip().endswith(ABBREVIATION_CUT)
    wanted = normalise(head)
    if not wanted or (item.grid and not any(": " in text for text in item.text.values())):
        return True
    for text in item.text.values():
        question = normalise(text.split(": ", 1)[0] if item.grid else text)
        if question.startswith(wanted) if cut else fuzz.ratio(wanted, question) >= QUESTION_SCORE:
            return True
    return False


def abbreviated_targets(heading: str, codebook: Codebook) -> list[str] | None:
    """The codebook columns an abbreviated LimeSurvey heading can be (None: not abbreviated).

    LimeSurvey's "abbreviated" headings cut the question and the statement or option after 15
    characters and mark the cut with '..' ('Which social me..  [Forums / commun.. ]',
    data/examples/limesurvey/responses_en_abbreviated_short.csv, written by LimeSurvey 6.14). A
    column fits when the codebook's question begins with the heading's question and its statement
    (a grid's text after ': ', a multi-select's option) begins with or equals the heading's statement."""
    found = re.fullmatch(r"(.*?)\s*(?:\[(.*)\])?\s*", heading.strip(), re.DOTALL)
    head, tail = found.group(1), found.group(2) or ""
    if ABBREVIATION_CUT not in head and ABBREVIATION_CUT not in tail:
        return None
    wanted = (normalise(head), normalise(tail))
    cuts = (head.rstrip().endswith(ABBREVIATION_CUT), tail.rstrip().endswith(ABBREVIATION_CUT))
    targets: list[str] = []
    for column, question, statement in _question_parts(codebook):
        texts = (normalise(question) if question is not None else None, normalise(statement))
        if all(t is None or (t.startswith(w) if cut else t == w) for t, w, cut in zip(texts, wanted, cuts)) \
                and column not in targets:
            targets.append(column)
    return targets


def _question_parts(codebook: Codebook) -> list[tuple[str, str | None, str]]:
    """(codebook column, question, statement or option label) in every language; '' where there is no
    statement, None where the codebook does not hold the question (a grid whose statements have no stem)."""
    parts = []
    for item in codebook.items:
        for lang, text in item.text.items():
            if item.type == "multi":
                parts += [(col, text, option.labels.get(lang, "")) for col, option in zip(item.columns, item.options)]
            elif item.grid:
                parts.append((item.id, *text.split(": ", 1)) if ": " in text else (item.id, None, text))
            else:
                parts.append((item.id, text, ""))
    return parts


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
