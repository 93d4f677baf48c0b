"""Cell converters: one export column's text cells -> the survey frame's typed column.

Coded items become Categoricals of the codebook's codes (an export code, a label in either language,
a mapped value or an SPSS value label); multi-select options and flags become 0/1; weights become
positive numbers; open text is kept as written. Empty cells are missing. Each distinct text of a
column is converted once; problems still name every cell.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.survey.codebook import CODED_TYPES, Item
from analysis.survey.matching import code_lookup, expected_codes, label_key, number_text, value_key
from analysis.survey.multiselect import other_option

_WEIGHT = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_MISSING_BY_MAPPING = "set to missing by the mapping"
#: The missing reason of an empty cell (the load log counts cells per reason).
EMPTY = "empty cell (not answered)"
#: Answers of a 0/1 cell (multi-select option, flag) that mean ticked or shown and not ticked, besides the
#: mapping's. LimeSurvey's long answers write its "Yes" / "No" in the export's language (6.14,
#: locale/*/*.mo: nl "Ja" / "Nee", de "Ja" / "Nein", fr "Oui" / "Non"); its short answers write Y / empty.
TICKED = frozenset({"1", "yes", "ja", "oui", "true", "waar", "x", "y"})
NOT_TICKED = frozenset({"0", "no", "nee", "nein", "non", "false", "onwaar", "n", "not selected", "niet geselecteerd"})
#: Answers of a 0/1 cell that mean the question was not answered: LimeSurvey's long answers write "N/A" in
#: every option of a multiple choice left unanswered (untranslated in all 123 locales of LimeSurvey 6.14).
NOT_ANSWERED = frozenset({"n/a"})
#: The missing reason of a cell the survey tool marks as not answered (:data:`NOT_ANSWERED`).
MARKED_NOT_ANSWERED = "marked not answered by the survey tool (N/A)"
#: A mapping key that stands for any other non-empty answer ("*": 1 - any text means ticked).
WILDCARD = "*"


def tick_word(text: Any) -> float | None:
    """What a 0/1 cell's own text says: 1.0 ticked, 0.0 not ticked, NaN not answered (empty or "N/A"),
    None when it is no tick word (an option's text, typed 'other' text)."""
    key = value_key(text)
    if key == "" or key in NOT_ANSWERED:
        return float("nan")
    if key in TICKED:
        return 1.0
    return 0.0 if key in NOT_TICKED else None


@dataclass
class Converted:
    """One converted column: the typed series, its problems per cell and what the log counts."""

    series: pd.Series
    problems: list[tuple[int, str, str, str]]
    recoded: int = 0
    mapped: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    spss_recodes: dict[str, Any] = field(default_factory=dict)
    #: per cell: empty in the export (not set to missing by the mapping)
    empty: list[bool] = field(default_factory=list)
    #: per cell: missing because the survey tool marks it as not answered (:data:`NOT_ANSWERED`)
    marked: list[bool] = field(default_factory=list)


@dataclass
class _Cell:
    """What one distinct cell text of a column becomes (the same for every cell that holds it)."""

    value: Any
    mapped: int = 0
    to_missing: bool = False
    recoded: bool = False
    empty: bool = False
    #: the survey tool marks the cell as not answered (:data:`NOT_ANSWERED`)
    not_answered: bool = False
    #: (message, value shown, expected) when the text is not an answer of the item
    problem: tuple[str, str, str] | None = None
    #: the SPSS value label, when it disagrees with the codebook
    disagrees: str | None = None
    spss_recode: tuple[str, Any] | None = None
    #: the value was decided by the mapping's wildcard
    by_wildcard: bool = False


def _coded_cell(text: str, values_map: dict[str, Any], spss: dict[str, tuple[Any, str]], by_code: dict[str, Any],
                by_label: dict[str, Any], expected: str) -> _Cell:
    """One cell of a coded item: export code, label, mapped value or SPSS value -> codebook code."""
    if text == "":
        return _Cell(np.nan, empty=True)
    key = value_key(text)
    mapped = 0
    if key in values_map:
        mapped = 1
        if values_map[key] is None:
            return _Cell(np.nan, mapped=1, to_missing=True)
        text = str(values_map[key]).strip()
        key = value_key(text)
    elif text in spss:
        code, label = spss[text]
        if code is None:  # reported once per value, not once per respondent
            return _Cell(np.nan, disagrees=label)
        return _Cell(code, spss_recode=(f"{text} ({label})", code) if str(code) != text else None)
    if key in by_code:
        return _Cell(by_code[key], mapped=mapped)
    if label_key(text) in by_label:
        return _Cell(by_label[label_key(text)], mapped=mapped, recoded=True)
    if WILDCARD in values_map and values_map[WILDCARD] is None:
        return _Cell(np.nan, mapped=mapped + 1, to_missing=True)
    if WILDCARD in values_map and value_key(values_map[WILDCARD]) in by_code:
        return _Cell(by_code[value_key(values_map[WILDCARD])], mapped=mapped + 1)
    message = "code outside the codebook" if _WEIGHT.match(text) else "text where an answer code is expected"
    return _Cell(np.nan, mapped=mapped, problem=(message, text, expected))


def _tick_cell(text: str, values_map: dict[str, Any], col: str) -> _Cell:
    """One cell of a 0/1 column (multi-select option, flag): ticked 1, not ticked 0, empty or "N/A" missing.

    The mapping's entry for the text decides first, then the text's own meaning (:func:`tick_word`), then
    the wildcard; a mapping that would count a text meaning "no" or "not answered" as ticked is refused."""
    key = value_key(text)
    own = tick_word(text)
    wildcard = values_map.get(WILDCARD)
    if key in values_map:
        target = values_map[key]
        decided = None if target is None else tick_word(target)
        if decided is None and target is None:  # null on the tool's own "not answered" mark agrees with it
            marked = own is not None and key != "" and bool(np.isnan(own))
            return _Cell(np.nan, mapped=1, to_missing=not marked, not_answered=marked)
        if decided == 1.0 and own is not None and own != 1.0:
            return _Cell(np.nan, mapped=1, problem=_tick_against_meaning(text, own, f"{text!r}: {target!r}", col))
        if decided is not None:
            blank = np.isnan(decided) and value_key(target) == ""
            return _Cell(decided, mapped=1, empty=blank, to_missing=np.isnan(decided) and not blank)
        own = None  # mapped to a text that is no tick word: the wildcard may decide it
    elif own is not None and key != "" and own != 1.0 and wildcard is not None and tick_word(wildcard) == 1.0:
        return _Cell(np.nan, problem=_tick_against_meaning(text, own, f"{WILDCARD!r}: {wildcard!r}", col))
    if own is not None:
        return _Cell(own, empty=key == "", not_answered=key != "" and bool(np.isnan(own)))
    if WILDCARD in values_map and (wildcard is None or tick_word(wildcard) in (0.0, 1.0)):
        if wildcard is None:
            return _Cell(np.nan, mapped=1, to_missing=True)
        return _Cell(tick_word(wildcard), mapped=1, by_wildcard=True)
    return _Cell(np.nan, problem=("not a 0/1 answer", text, "1 (ticked), 0 (not ticked) or empty, "
                                  f"or add it to the mapping under values: {col}"))


def _tick_against_meaning(text: str, own: float, entry: str, col: str) -> tuple[str, str, str]:
    """The problem of a mapping entry that counts a text meaning "no" or "not answered" as ticked."""
    meaning, value = ("not answered", "null") if np.isnan(own) else ("not ticked", "0")
    return (f"the mapping ({entry}) counts a value that means '{meaning}' as ticked", text,
            f"{text!r}: {value} under values: {col} (ticked 1, not ticked 0, not answered null)")


def _weight_cell(text: str, decimal: str) -> _Cell:
    """One cell of a weight column: a positive number (one decimal mark at most), empty missing."""
    if text == "":
        return _Cell(np.nan, empty=True)
    # one decimal mark at most (the pattern refuses "1.234,5"), so ',' can only be decimal
    value = float(text.replace(",", ".")) if _WEIGHT.match(text) else float("nan")
    if not np.isfinite(value) or value <= 0:
        return _Cell(value, problem=("not a positive number", text,
                                     f"a positive weight (empty = 1), decimal mark '{decimal}'"))
    return _Cell(value)


def _distinct(raw: Sequence[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(index of each cell's text among the distinct texts, the distinct texts in order of first
    appearance, how many cells hold each), cells stripped of surrounding space: a column is
    converted once per distinct text."""
    codes, uniques = pd.factorize(np.asarray(raw, dtype=object), sort=False)
    texts = [str(u).strip() for u in uniques]
    if any(len(t) != len(u) for t, u in zip(texts, uniques)):  # '1' and ' 1' are one text
        merged, texts = pd.factorize(np.asarray(texts, dtype=object), sort=False)
        codes, texts = merged[codes], [str(t) for t in texts]
    return codes, texts, np.bincount(codes, minlength=len(texts))


def convert_column(item: Item, col: str, raw: list[str], values_map: dict[str, Any], decimal: str,
                   spss_labels: dict[str, str] | None = None, vocabulary: dict[str, str] | None = None) -> Converted:
    """Convert one column's text cells to the survey frame's type, collecting problems per cell.

    `vocabulary` is the tick vocabulary of the item's option columns (:func:`tick_vocabulary`).

    Each distinct text is converted once and the result spread over the cells holding it (a
    column of 100,000 answers holds a handful of distinct texts); problems still name every cell.
    """
    codes, texts, counts = _distinct(raw)
    empty_mask = (np.asarray(texts, dtype=object) == "")[codes] if texts else np.zeros(0, dtype=bool)
    if item.type not in CODED_TYPES and item.type not in ("multi", "flag", "weight"):
        empty = int(empty_mask.sum())  # open text: kept exactly, empty is missing
        return Converted(pd.Series([t.strip() or None for t in raw], dtype=object), [],
                         missing={EMPTY: empty}, empty=empty_mask)
    cells = _distinct_cells(item, col, texts, values_map, decimal, spss_labels)

    def total(attribute: str) -> int:
        return int(sum(int(getattr(c, attribute)) * int(n) for c, n in zip(cells, counts)))

    problems = _cell_problems(item, col, cells, codes, texts, counts)
    missing = {EMPTY: total("empty"), _MISSING_BY_MAPPING: total("to_missing"),
               MARKED_NOT_ANSWERED: total("not_answered")}
    if item.type in CODED_TYPES:
        spss_recodes = dict(c.spss_recode for c in cells if c.spss_recode is not None)
        return Converted(_categorical(item, cells, codes), problems, total("recoded"), total("mapped"), missing,
                         spss_recodes, empty_mask)
    values = np.array([c.value for c in cells], dtype=float)[codes] if len(cells) else np.zeros(0)
    if item.type == "weight":
        return Converted(pd.Series(values, dtype=float), problems, missing={EMPTY: total("empty")}, empty=empty_mask)
    dtype = "Int64" if item.type == "flag" else float
    marked = np.array([c.not_answered for c in cells], dtype=bool)[codes] if len(cells) else np.zeros(0, dtype=bool)
    problems += _wildcard_problems(item, col, texts, cells, codes, values_map, vocabulary or {})
    return Converted(pd.Series(values, dtype=float).astype(dtype), problems, total("recoded"), total("mapped"),
                     missing, empty=empty_mask, marked=marked)


def tick_vocabulary(columns: list[list[str]], values_map: dict[str, Any]) -> dict[str, str]:
    """The answers (value key -> text as written) that two or more option columns of one item hold: a
    tool's words for ticked and not ticked ("Ja" / "Nej"), not one option's own text (Qualtrics and
    SurveyMonkey write each option's text only in its own column). Empty cells, "N/A", answers the
    mapping names and the wildcard's own value are left out."""
    seen: dict[str, list[str]] = {}
    for cells in columns:
        for text in {c.strip() for c in cells}:
            if _counted(text, values_map):
                seen.setdefault(value_key(text), []).append(text)
    return {key: texts[0] for key, texts in seen.items() if len(texts) > 1}


def _counted(text: str, values_map: dict[str, Any]) -> bool:
    """Whether a 0/1 cell's text is an answer the wildcard could stand for (see :func:`tick_vocabulary`)."""
    own = value_key(values_map[WILDCARD]) if WILDCARD in values_map else None
    key = value_key(text)
    return key not in values_map and key not in NOT_ANSWERED and key not in ("", own)


def _wildcard_problems(item: Item, col: str, texts: list[str], cells: list[_Cell], codes: np.ndarray,
                       values_map: dict[str, Any], vocabulary: dict[str, str]) -> list[tuple]:
    """The problem of a wildcard that decides a 0/1 column whose item answers with two or more words.

    One option's column holds one answer besides empty cells, whatever the tool and language: the
    option's text (Qualtrics, SurveyMonkey), "1", or LimeSurvey's "Y". A second answer in the column, or
    in the item's tick vocabulary (a column where every respondent said "Nej" while others hold "Ja"), is
    a "no" in words the loader may not know (LimeSurvey 6.14 writes Danish and Swedish "Nej", Polish "Nie",
    Portuguese "Não"), so the wildcard may not decide it. The item's 'other' text column is exempt (it
    holds whatever was typed). One problem per column, at the first cell the wildcard decided, counting
    the cells it decided."""
    by_wildcard = np.isin(codes, [j for j, c in enumerate(cells) if c.by_wildcard])
    if not by_wildcard.any() or col == f"{item.id}_{other_option(item)}":
        return []
    answers = {value_key(t): t for t in texts if _counted(t, values_map)}
    answers = list({**answers, **{k: t for k, t in vocabulary.items() if k not in answers}}.values())
    if len(answers) < 2:
        return []
    shown = ", ".join(json.dumps(t, ensure_ascii=False) for t in answers)
    instead = ", ".join(f"{json.dumps(t, ensure_ascii=False)}: {tick_decision(t) or '?'}" for t in answers)
    return [(int(np.flatnonzero(by_wildcard)[0]),
             f"the mapping's wildcard ({WILDCARD!r}: {values_map[WILDCARD]!r}) decides a column that holds "
             f"{len(answers)} different answers; one of them may mean 'not ticked'", shown,
             f"each answer decided under values: {col} instead of the wildcard: {{{instead}}} "
             "(1 ticked, 0 not ticked, null not answered)", int(by_wildcard.sum()), None)]


def tick_decision(text: str) -> str | None:
    """A 0/1 answer's value in a suggested mapping line by its own meaning ("1", "0" or "null"; see
    :func:`tick_word`), None when it has none: then a person decides, never a guess."""
    meaning = tick_word(text)
    if meaning is None:
        return None
    return "null" if np.isnan(meaning) else str(int(meaning))


def _distinct_cells(item: Item, col: str, texts: list[str], values_map: dict[str, Any], decimal: str,
                    spss_labels: dict[str, str] | None) -> list[_Cell]:
    """What each distinct text of a coded, 0/1 or weight column becomes."""
    if item.type in CODED_TYPES:
        by_code, by_label = code_lookup(item)
        spss = _spss_translation(item, spss_labels or {}, values_map, by_code, by_label)
        expected = expected_codes(item, col)
        return [_coded_cell(t, values_map, spss, by_code, by_label, expected) for t in texts]
    if item.type in ("multi", "flag"):
        return [_tick_cell(t, values_map, col) for t in texts]
    return [_weight_cell(t, decimal) for t in texts]


def _cell_problems(item: Item, col: str, cells: list[_Cell], codes: np.ndarray, texts: list[str],
                   counts: np.ndarray) -> list[tuple]:
    """Every cell's problem in row order, then one problem per SPSS value label the codebook disagrees with."""
    problems: list[tuple] = []
    for j, cell in enumerate(cells):
        if cell.problem is not None:
            message, shown, wanted = cell.problem
            problems += [(int(i), message, shown, wanted) for i in np.flatnonzero(codes == j)]
    problems.sort(key=lambda p: p[0])
    disagreeing = sorted((int(np.flatnonzero(codes == j)[0]), j) for j, c in enumerate(cells)
                         if c.disagrees is not None)
    for first, j in disagreeing:
        problems.append((first, f"the SPSS value label disagrees with the codebook ({counts[j]} respondent(s) "
                         "have this value; this is the first)", f"{texts[j]} = {cells[j].disagrees!r}",
                         expected_codes(item, col).replace("one of the codes", "a label of the codes"),
                         int(counts[j]), texts[j]))
    return problems


def _categorical(item: Item, cells: list[_Cell], codes: np.ndarray) -> pd.Series:
    """A coded column as a Categorical of the codebook's codes (ordered for ordinal and rating items)."""
    position = {code: k for k, code in enumerate(item.category_codes)}
    category = np.array([position.get(c.value, -1) for c in cells], dtype=np.int64)
    return pd.Series(pd.Categorical.from_codes(category[codes] if len(cells) else np.zeros(0, dtype=np.int64),
                                               categories=item.category_codes,
                                               ordered=item.type in ("ordinal", "rating")))


def _spss_translation(item: Item, labels: dict[str, str], values_map: dict[str, Any],
                      by_code: dict[str, Any], by_label: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """SPSS stored value -> (codebook code or None when the label disagrees, label).

    A value label that is a codebook label (either language) decides the code, even when the stored
    number differs; a label the codebook does not know is a disagreement unless the mapping covers
    the stored value or its label.
    """
    out: dict[str, tuple[Any, str]] = {}
    for stored, label in labels.items():
        key = label_key(label)
        if value_key(label) in values_map and values_map[value_key(label)] is not None:
            target = str(values_map[value_key(label)])
            code = by_code.get(number_text(target), by_label.get(label_key(target)))
            out[stored] = (code, label)
        elif key in by_label:
            out[stored] = (by_label[key], label)
        elif value_key(stored) in values_map:
            continue  # the mapping covers the stored value itself
        else:
            out[stored] = (None, label)
    return out
