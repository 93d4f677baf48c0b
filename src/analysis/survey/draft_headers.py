"""Matching an export's column headings to codebook columns, for the mapping draft.

Tools decorate question texts (export tags such as ``Q3_2``, LimeSurvey codes and ``N - `` question
numbers, Qualtrics' "Selected Choice", SurveyMonkey's "(geef op)"): :func:`strip_decorations` removes
them; :func:`match_headers` scores each heading against the codebook's texts with rapidfuzz (100 only
for equal texts), and leaves weak, shared or tied matches unmatched, so the draft writes a TODO line
instead of a confident wrong one. "Other" text columns go to their item's "other" option.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from analysis.survey.codebook import Codebook, Item
from analysis.survey.matching import (ABBREVIATION_CUT, Candidate, abbreviated_targets, fits_question,
                                      heading_candidates, normalise)
from analysis.survey.multiselect import other_option

#: A header whose best score is below this is not matched (a TODO line instead).
MATCH_SCORE = 85.0
#: The highest score of a match that is not exact (part of the text, or close to it): 100 is only for equal texts.
PART_SCORE = 99.0
#: The score of an abbreviated heading whose beginning fits exactly one codebook column.
ABBREVIATED_SCORE = 90.0


# --- text normalisation ---------------------------------------------------------------------------

#: LimeSurvey's question number before a full-text heading ('8 - Hoe belangrijk ...', issue 20)
_QUESTION_NUMBER = re.compile(r"^\d+\s+-\s+")
_LIMESURVEY_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])*\.\s+")
_TOOL_TAG = re.compile(r"^(?:Q\d+(?:_\d+)*|V\d+(?:_\d+)*)\s*[.:)]\s+")
_SUBQUESTION_CODE = re.compile(r"\[(?:SQ\d+|other|comment|\d+)\]", re.IGNORECASE)
_SPECIFY = re.compile(r"\((?:please specify|geef op|graag specificeren|gelieve te specificeren|namelijk|specify)\)",
                      re.IGNORECASE)
#: The column of an answer's typed "other" text: Qualtrics ``Q5_8_TEXT``, SPSS ``v5_8_tekst`` / ``_other``,
#: LimeSurvey ``[other]`` (full and abbreviated headings: gT('Other') in the interface language, LimeSurvey
#: 6.14 locale/<lang>/<lang>.mo: nl "Overige", en "Other", de "Sonstiges", fr "Autre"), SurveyMonkey
#: "Anders (geef op)".
_OTHER_TEXT = re.compile(r"(?:_(?:TEXT|tekst|other|anders)$|\[other\]|\s-\s(?:Text|Tekst)$"
                         r"|\[(?:Anders|Other|Overige?|Sonstiges|Autre)\]$"
                         r"|\s-\s(?:Anders|Other|Overige?)\s*\((?:please specify|geef op|"
                         r"graag specificeren|gelieve te specificeren|namelijk|specify)\)$)", re.IGNORECASE)


def strip_decorations(text: str) -> str:
    """A header without what tools add: codes, 'Selected Choice', '(geef op)', brackets."""
    text = _LIMESURVEY_CODE.sub("", _QUESTION_NUMBER.sub("", text.strip()))
    text = _TOOL_TAG.sub("", text)
    text = _SUBQUESTION_CODE.sub(" ", text)
    text = re.sub(r"\s-\s(?:Selected Choice|Geselecteerde keuze)\b", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s-\s(?:Text|Tekst)$", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s\(\d+\)$", "", text)  # ' (2)': a repeated column name, see analysis.survey.layouts
    text = _SPECIFY.sub(" ", text)
    return text


# --- matching headers -------------------------------------------------------------------------------

@dataclass
class HeaderMatch:
    header: str
    target: str | None
    score: float
    kind: str = "column"
    note: str = ""
    options: list[tuple[str, float]] = field(default_factory=list)


def match_headers(headers: list[tuple[str, str]], codebook: Codebook) -> list[HeaderMatch]:
    """Each (export column, its question text) matched to a codebook column, or left unmatched (target None).

    A score of 100 means the whole text equals a codebook text after normalisation; a match of a part
    (a grid's statement alone, an abbreviated heading) scores less. A best match below MATCH_SCORE, or
    one that another column matches as well, is no match (see :func:`_resolve_ties`)."""
    candidates = heading_candidates(codebook)
    names = {normalise(c) for c in codebook.columns()}
    matches = [_match_header(header, question, candidates, names, codebook) for header, question in headers]
    _resolve_ties(matches, codebook)
    return matches


def _match_header(header: str, question: str, candidates: list[Candidate], names: set[str],
                  codebook: Codebook) -> HeaderMatch:
    """One export column's best codebook match (its target None when the best is weak)."""
    other_text = bool(_OTHER_TEXT.search(header) or _OTHER_TEXT.search(question))
    stripped = strip_decorations(question)
    abbreviated = abbreviated_targets(stripped, codebook)
    if abbreviated is not None:
        match = HeaderMatch(header, None, ABBREVIATED_SCORE, options=[(t, ABBREVIATED_SCORE) for t in abbreviated])
        if len(abbreviated) == 1:
            match.target, match.note = abbreviated[0], "abbreviated heading: the only codebook text it begins"
        else:
            match.score, match.note = 0.0, f"abbreviated heading that fits {len(abbreviated)} codebook columns"
    else:
        ranked = _ranked(header, question, stripped, candidates, names)
        match = HeaderMatch(header, None, ranked[0][0] if ranked else 0.0,
                            options=[(c.target, s) for s, c in ranked[:4]])
        if ranked and ranked[0][0] >= MATCH_SCORE:
            match.target, match.kind = ranked[0][1].target, ranked[0][1].kind
    if other_text:
        match.kind = "other_text"
        if match.target is None and abbreviated is not None:
            _abbreviated_other(match, stripped, codebook)
    return match


def _abbreviated_other(match: HeaderMatch, heading: str, codebook: Codebook) -> None:
    """An abbreviated 'other' heading ('Welke social me..  [Overige]', LimeSurvey 6.14,
    data/examples/limesurvey/responses_nl_abbreviated_long.csv) belongs to the only multi-select with an
    'other' option whose question begins with the heading's question; its item then takes the column."""
    head = heading.split("[", 1)[0].strip()
    if not head.endswith(ABBREVIATION_CUT):
        return
    stem = normalise(head)
    items = [i.id for i in codebook.items if i.type == "multi" and other_option(i) is not None
             and any(normalise(text).startswith(stem) for text in i.text.values())]
    if len(items) == 1:
        match.target, match.score = items[0], ABBREVIATED_SCORE
        match.note = "abbreviated heading: the only multi-select with an 'other' option whose question it begins"


def _ranked(header: str, question: str, stripped: str, candidates: list[Candidate],
            names: set[str]) -> list[tuple[float, Candidate]]:
    """Each codebook target's best (score, candidate), best first: the whole text, and a grid's statement
    after its question ('Question - statement', 'Question [statement]') where the question fits the item."""
    queries = [(normalise(stripped), "")]
    if header != question and normalise(header) in names:
        queries = [(normalise(header), "")]  # a tool variable already named after the codebook (embedded data)
    else:
        whole = stripped.rstrip("] ")
        tail = re.split(r"\s-\s|\[", whole)[-1]
        if tail != whole and len(normalise(tail)) > 3:
            queries.append((normalise(tail), whole[:-len(tail)].rstrip(" -[")))
    texts = [c.text for c in candidates]
    best: dict[str, tuple[float, Candidate]] = {}
    for n, (query, head) in enumerate(queries):
        for _, score, index in process.extract(query, texts, scorer=fuzz.ratio, limit=12):
            cand = candidates[index]
            if n and (cand.kind == "multi" or not fits_question(head, cand.item)):
                continue
            score = 100.0 if n == 0 and query == cand.text else min(score, PART_SCORE)
            if cand.target not in best or score > best[cand.target][0]:
                best[cand.target] = (score, cand)
    return sorted(best.values(), key=lambda sc: -sc[0])


def _resolve_ties(matches: list[HeaderMatch], codebook: Codebook) -> None:
    """One export column per codebook column, and no guess: a best match tied between targets goes to the
    one whose grid its neighbours share (Microsoft Forms repeats a statement's name across grids), else to
    none; a target matched by several columns goes to the one that matches it best (see :func:`_drop_shared`);
    an 'other' text column takes the option 'other' if it is free."""
    known = codebook.column_item()
    grid_of = {c: i.grid for c, i in known.items()}
    for k, match in enumerate(matches):
        if match.target is None and match.kind == "other_text":
            match.note, match.kind = "typed 'other' text: the codebook has no column for it", "null"
        if match.target is None or match.kind == "other_text":  # its item decides, not the tie (below)
            continue
        tied = [t for t, s in match.options if s >= match.score - 0.01 and s >= MATCH_SCORE]
        if len(tied) > 1:
            neighbours = [m.target for m in matches[max(0, k - 2):k] + matches[k + 1:k + 3] if m.target]
            grids = {grid_of.get(t) for t in neighbours} - {None}
            same_grid = [t for t in tied if grid_of.get(t) in grids]
            match.target = same_grid[0] if len(same_grid) == 1 else None
            match.note = "" if match.target else f"matches {' and '.join(tied)} equally well"
    _drop_shared([m for m in matches if m.kind != "other_text"], codebook)
    used = {m.target for m in matches if m.target is not None and m.kind != "other_text"}
    for match in matches:
        if match.kind == "other_text" and match.target is not None:
            _other_text_target(match, known, codebook, used)


def _drop_shared(matches: list[HeaderMatch], codebook: Codebook) -> None:
    """A codebook column that several export columns match stays with the one that matches it best, if
    one does; for the others it is no match, naming the column it shares. A multi-select matched as one
    cell is no match when other columns match its options one by one."""
    known = codebook.column_item()
    groups: dict[str, list[HeaderMatch]] = {}
    for match in matches:
        if match.target is not None:
            item = known.get(match.target)
            groups.setdefault(item.id if item is not None and item.type == "multi" else match.target, []).append(match)
    for group in groups.values():
        options = [m for m in group if m.kind != "multi"]
        if options and len(options) < len(group):
            for match in group:
                if match.kind == "multi":
                    _unmatch(match, options[0])
            group = options
        by_target: dict[str, list[HeaderMatch]] = {}
        for match in group:
            by_target.setdefault(match.target, []).append(match)
        for same in by_target.values():
            keep = [m for m in same if m.score == max(o.score for o in same)]
            for match in same:
                if len(keep) != 1 or match is not keep[0]:
                    _unmatch(match, next(o for o in same if o is not match))


def _unmatch(match: HeaderMatch, rival: HeaderMatch) -> None:
    match.note = f"also the best match of column {rival.header!r} (score {rival.score:.0f})"
    match.target = None


def _other_text_target(match: HeaderMatch, known: dict[str, Item], codebook: Codebook, used: set[str]) -> None:
    """An 'other' text column: the option 'other' of its multi-select when no column holds that option, else null."""
    item = known.get(match.target) or (codebook[match.target] if match.target in codebook else None)
    if item is not None and item.type == "multi":
        other = other_option(item)
        free_other = f"{item.id}_{other}" if other is not None else None
        if free_other and free_other not in used:
            match.target, match.note, match.kind = free_other, "typed 'other' answer: any text means ticked", "column"
            used.add(free_other)
            return
    match.target, match.note, match.kind = None, "typed 'other' text: the codebook has no column for it", "null"
