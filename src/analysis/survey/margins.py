"""Population margins for raking: the margins file of a wave, read and checked against the codebook
and the respondents.

A margins file (``data/reference/margins_<wave>.yaml``) gives, per background item, the number of
people in the population in each category (the item's codes, or its groups with ``by: group``).
Bad margins are refused with every problem named by file, line and category: a key given twice in
one mapping (YAML would keep only the last, e.g. of two totals of one category), a total that is
not a positive finite number (empty, NaN, negative, text), a tolerance outside (0, 1), a second
margin of one item, a category the codebook lacks, totals of different margins that disagree by
more than the file's ``tolerance``, a population category no respondent belongs to.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.core.errors import Problem, SurveyDataError
from analysis.core.yamlfile import Document, load_document
from analysis.survey.codebook import Codebook, Item

#: A total written with points as thousands separators ("17.000" for 17000, Dutch style), which YAML
#: reads as a decimal number (17.0): ambiguous, so refused.
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(\.[0-9]{3})+")

#: The items a population margin can describe: the background questions with one answer.
BACKGROUND_THEME = "participants"
BACKGROUND_TYPES = ("single", "ordinal")

#: Relative disagreement allowed between the totals of different margins when the file states none.
DEFAULT_TOLERANCE = 0.01


@dataclass(frozen=True)
class Margin:
    """The population totals of one background item, per category (a code, or a group id)."""

    item: str
    by: str                          # "code" or "group"
    source: str
    totals: dict[Any, float]
    line: int                        # line of the margin's entry in the file
    lines: dict[Any, int]            # line of each category's total

    @property
    def total(self) -> float:
        """The population size this margin describes."""
        return float(sum(self.totals.values()))

    def shares(self) -> dict[Any, float]:
        """Each category's share of the population (sums to 1)."""
        return {key: value / self.total for key, value in self.totals.items()}


@dataclass(frozen=True)
class Margins:
    """A margins file: the wave, whether the figures are illustrative, and its margins."""

    path: str
    wave: str
    illustrative: bool
    population: str
    tolerance: float
    margins: tuple[Margin, ...]


def read_margins(path: str | Path, codebook: Codebook) -> Margins:
    """Read a margins file and check it against the codebook; raise SurveyDataError listing every problem."""
    name = str(path)
    document = _parse(name, _text(name, Path(path).read_bytes()))
    raw = document.data
    if not isinstance(raw, dict) or not isinstance(raw.get("margins"), list) or not raw["margins"]:
        raise SurveyDataError([Problem(name, "no list of margins", expected="a 'margins:' list (see the README)")])
    tolerance, problems = _tolerance(name, raw, document)
    problems += _duplicate_problems(name, document)
    read = [_margin(name, entry, node, document)
            for entry, node in zip(raw["margins"], _mapping_value(document.root, "margins").value)]
    margins = tuple(margin for margin, _ in read if margin is not None)
    problems += [p for _, found in read for p in found]
    problems += _repeated_item_problems(name, margins)
    problems += [p for margin in margins for p in _category_problems(name, margin, codebook)]
    if tolerance is not None and margins:
        problems += _total_problems(name, margins, tolerance)
    if problems:
        raise SurveyDataError(sorted(problems, key=lambda p: p.line or 0))
    return Margins(path=name, wave=str(raw.get("wave", "")), illustrative=bool(raw.get("illustrative", False)),
                   population=str(raw.get("population", "")), tolerance=float(tolerance), margins=margins)


def _text(name: str, data: bytes) -> str:
    """The file's text (UTF-8, with or without a byte order mark); another encoding is a problem at its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SurveyDataError([Problem(name, "the file is not UTF-8 text", line=line,
                                       value=repr(data[exc.start:exc.end]),
                                       expected="save the file as UTF-8")]) from None


def _parse(name: str, text: str) -> Document:
    """The YAML document of a margins file; invalid YAML is a problem at its line."""
    try:
        return load_document(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SurveyDataError([Problem(name, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                                       line=None if mark is None else mark.line + 1)]) from None


def _positive_number(value: Any) -> bool:
    """A finite number above 0 (not a boolean, not NaN, not infinite)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def _tolerance(name: str, raw: dict, document: Document) -> tuple[float | None, list[Problem]]:
    """The file's tolerance (a relative difference, strictly between 0 and 1), or None and the problem."""
    value = raw.get("tolerance", DEFAULT_TOLERANCE)
    if _positive_number(value) and value < 1:
        return float(value), []
    line = document.key_lines[document.root].get("tolerance")
    return None, [Problem(name, "the tolerance must be a relative difference between 0 and 1", line=line,
                          column="tolerance", value=str(value), expected="e.g. 0.01 for 1%")]


def _duplicate_problems(name: str, document: Document) -> list[Problem]:
    """Keys given twice in one mapping (YAML would silently keep only the last, e.g. of two totals of a
    category), each named with its line and, inside a margin, the margin's item."""
    entries = _mapping_value(document.root, "margins").value
    problems = []
    for line, key in document.duplicates:
        inside = [node for node in entries if isinstance(node, yaml.MappingNode) and _on_lines_of(node, line)]
        column = _scalar(inside[0], "item") if inside else None
        problems.append(Problem(name, "this key is given twice in the same mapping; YAML would silently keep "
                                "only the last value", line=line, column=column, value=str(key),
                                expected="each key once (add up or correct the figures)"))
    return problems


def _on_lines_of(node: yaml.Node, line: int) -> bool:
    """Whether 1-based `line` holds part of `node`. A block node's end mark is the start of the line after
    it (column 0): that line belongs to what follows, e.g. a top-level key after the last margin."""
    last = node.end_mark.line if node.end_mark.column > 0 else node.end_mark.line - 1
    return node.start_mark.line <= line - 1 <= last


def _scalar(node: yaml.MappingNode, key: str) -> str | None:
    """The text of the scalar value of `key` in a mapping node, if it has one."""
    found = [value for k, value in node.value if k.value == key and isinstance(value, yaml.ScalarNode)]
    return found[-1].value if found else None


def _mapping_value(node: yaml.Node, key: str) -> yaml.Node:
    """The value node of `key` in a YAML mapping node (the last, as YAML keeps it)."""
    return [value for k, value in node.value if k.value == key][-1]


def _margin(name: str, entry: Any, node: yaml.Node, document: Document) -> tuple[Margin | None, list[Problem]]:
    """One margin entry with the line of each of its categories, or None and its problems."""
    line = node.start_mark.line + 1
    if not isinstance(entry, dict) or not isinstance(entry.get("totals"), dict) or not entry["totals"] \
            or "item" not in entry:
        return None, [Problem(name, "a margin needs 'item' and 'totals'", line=line,
                              expected="item: <codebook item>, totals: {category: number, ...}")]
    totals_node = _mapping_value(node, "totals")
    lines = document.key_lines[totals_node]
    problems = [Problem(name, "a population total must be a positive number", line=lines[key],
                        column=str(entry["item"]), value=f"{key}: {'(empty)' if value is None else value}",
                        expected="a number of people above 0")
                for key, value in entry["totals"].items() if not _positive_number(value)]
    problems += [Problem(name, f"'{value.value}' reads as {float(value.value):g}: a point is a decimal point, not "
                         "a thousands separator", line=value.start_mark.line + 1, column=str(entry["item"]),
                         value=f"{key.value}: {value.value}",
                         expected=f"the number without separators, e.g. {value.value.replace('.', '')}")
                 for key, value in totals_node.value
                 if isinstance(value, yaml.ScalarNode) and _THOUSANDS.fullmatch(value.value)]
    if problems:
        return None, problems
    totals = {key: float(value) for key, value in entry["totals"].items()}
    return Margin(item=str(entry["item"]), by=str(entry.get("by", "code")), source=str(entry.get("source", "")),
                  totals=totals, line=line, lines=lines), []


def _repeated_item_problems(name: str, margins: tuple[Margin, ...]) -> list[Problem]:
    """A second margin of an item that already has one (raking takes one target per item)."""
    seen: set[str] = set()
    problems = []
    for margin in margins:
        if margin.item in seen:
            problems.append(Problem(name, "a second margin of the same item", line=margin.line, column=margin.item,
                                    value=margin.item, expected="one margin per item"))
        seen.add(margin.item)
    return problems


def _category_problems(name: str, margin: Margin, codebook: Codebook) -> list[Problem]:
    """Categories of `margin` that its codebook item lacks (don't-know codes are no population category)."""
    if margin.item not in codebook:
        return [Problem(name, "no such item in the codebook", line=margin.line, value=margin.item)]
    item = codebook[margin.item]
    if item.theme != BACKGROUND_THEME or item.type not in BACKGROUND_TYPES:
        return [Problem(name, "not a background item (a question about who the respondent is, with one answer)",
                        line=margin.line, column=margin.item, value=f"{item.type} item of theme '{item.theme}'",
                        expected="an item of theme 'participants' with one answer, e.g. organisation, role, age_band")]
    if margin.by not in ("code", "group"):
        return [Problem(name, "'by' must be 'code' or 'group'", line=margin.line, column=margin.item, value=margin.by)]
    known = _categories(item, margin.by)
    expected = ", ".join(str(k) for k in known)
    return [Problem(name, f"category not in the codebook's {margin.by}s of '{margin.item}'", line=margin.lines[key],
                    column=margin.item, value=str(key), expected=f"one of {expected}")
            for key in margin.totals if key not in known]


def _categories(item: Item, by: str) -> list[Any]:
    """The population categories an item offers: its substantive codes, or its group ids."""
    if by == "group":
        return [group.code for group in item.groups]
    return item.substantive_codes


def _total_problems(name: str, margins: tuple[Margin, ...], tolerance: float) -> list[Problem]:
    """Margins whose totals disagree with the first margin's by more than the stated tolerance."""
    first = margins[0]
    return [Problem(name, f"the totals of '{margin.item}' ({margin.total:,.0f}) and of '{first.item}' "
                    f"({first.total:,.0f}) differ by more than the tolerance {tolerance:g}",
                    line=margin.line, column=margin.item, value=f"{margin.total:g}",
                    expected=f"a total within {tolerance:.1%} of {first.total:g}")
            for margin in margins[1:] if abs(margin.total - first.total) > tolerance * first.total]


def respondent_categories(frame: pd.DataFrame, margins: Margins, codebook: Codebook) -> pd.DataFrame:
    """Each respondent's category in each margin (a column per margin item); NaN where the answer is
    missing, a don't-know code, or outside the margin's categories."""
    out = {}
    for margin in margins.margins:
        answers = frame[margin.item]
        if margin.by == "group":
            answers = answers.map(codebook[margin.item].code_attr("group"))
        out[margin.item] = answers.where(answers.isin(list(margin.totals)))
    return pd.DataFrame(out, index=frame.index)


@dataclass(frozen=True)
class Omission:
    """Categories of a margin's item that the margin leaves out, and how many respondents are in them:
    they are outside the population the margins describe, are not raked and keep weight 1."""

    margin: Margin
    categories: tuple[Any, ...]
    respondents: int

    def note(self, path: str) -> str:
        """The sentence the ``weights`` command and the build print (file, line, margin, categories, count)."""
        count = f"{self.respondents} respondent{'s' if self.respondents != 1 else ''}"
        return (f"{path}, line {self.margin.line}: the margin of '{self.margin.item}' leaves out its "
                f"{self.margin.by}s {', '.join(str(c) for c in self.categories)}: their {count} are outside the "
                "population, are not raked and keep weight 1")


def omitted_categories(frame: pd.DataFrame, margins: Margins, codebook: Codebook) -> tuple[Omission, ...]:
    """Per margin that leaves out some of its item's categories (codes or groups, not don't-know codes):
    those categories and the number of respondents of `frame` in them."""
    found = []
    for margin in margins.margins:
        item = codebook[margin.item]
        left = tuple(key for key in _categories(item, margin.by) if key not in margin.totals)
        if left:
            answers = frame[margin.item]
            if margin.by == "group":
                answers = answers.map(item.code_attr("group"))
            found.append(Omission(margin, left, int(answers.isin(list(left)).sum())))
    return tuple(found)


def check_coverage(categories: pd.DataFrame, margins: Margins) -> None:
    """Refuse margins with a population category that no (fully classified) respondent belongs to:
    raking cannot give such a category any weight."""
    complete = categories.dropna()
    problems = [Problem(margins.path, "no respondent belongs to this population category, so raking cannot "
                        "reach its total", line=margin.lines[key], column=margin.item, value=str(key),
                        expected="merge it with a neighbouring category in the margins file")
                for margin in margins.margins for key in margin.totals
                if not (complete[margin.item] == key).any()]
    if problems:
        raise SurveyDataError(problems)
