"""Population margins for raking: the margins file of a wave, read and checked against the codebook
and the respondents.

A margins file (``data/reference/margins_<wave>.yaml``) gives, per background item, the number of
people in the population in each category (the item's codes, or its groups with ``by: group``).
Bad margins are refused with every problem named by file, line and category: a category the
codebook lacks, totals of different margins that disagree by more than the file's ``tolerance``,
a population category no respondent belongs to.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.core.errors import Problem, SurveyDataError
from analysis.core.yamlfile import SafeLoader
from analysis.survey.codebook import Codebook, Item

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
    text = Path(path).read_text(encoding="utf-8")
    try:
        raw = yaml.load(text, Loader=SafeLoader)  # noqa: S506 (a safe loader)
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SurveyDataError([Problem(name, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                                       line=None if mark is None else mark.line + 1)]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("margins"), list) or not raw["margins"]:
        raise SurveyDataError([Problem(name, "no list of margins", expected="a 'margins:' list (see the README)")])
    entries = _mapping_value(root, "margins").value
    margins = tuple(_margin(name, entry, node) for entry, node in zip(raw["margins"], entries))
    result = Margins(path=name, wave=str(raw.get("wave", "")), illustrative=bool(raw.get("illustrative", False)),
                     population=str(raw.get("population", "")),
                     tolerance=float(raw.get("tolerance", DEFAULT_TOLERANCE)), margins=margins)
    problems = [p for margin in margins for p in _category_problems(name, margin, codebook)]
    problems += _total_problems(result)
    if problems:
        raise SurveyDataError(problems)
    return result


def _mapping_value(node: yaml.Node, key: str) -> yaml.Node:
    """The value node of `key` in a YAML mapping node."""
    return next(value for k, value in node.value if k.value == key)


def _margin(name: str, entry: Any, node: yaml.Node) -> Margin:
    """One margin entry with the line of each of its categories."""
    line = node.start_mark.line + 1
    if not isinstance(entry, dict) or not isinstance(entry.get("totals"), dict) or "item" not in entry:
        raise SurveyDataError([Problem(name, "a margin needs 'item' and 'totals'", line=line,
                                       expected="item: <codebook item>, totals: {category: number, ...}")])
    totals_node = _mapping_value(node, "totals")
    lines = {key: k.start_mark.line + 1 for key, (k, _) in zip(entry["totals"], totals_node.value)}
    totals = {}
    for key, value in entry["totals"].items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise SurveyDataError([Problem(name, "a population total must be a positive number", line=lines[key],
                                           column=str(entry["item"]), value=f"{key}: {value}")])
        totals[key] = float(value)
    return Margin(item=str(entry["item"]), by=str(entry.get("by", "code")), source=str(entry.get("source", "")),
                  totals=totals, line=line, lines=lines)


def _category_problems(name: str, margin: Margin, codebook: Codebook) -> list[Problem]:
    """Categories of `margin` that its codebook item lacks (don't-know codes are no population category)."""
    if margin.item not in codebook:
        return [Problem(name, "no such item in the codebook", line=margin.line, value=margin.item)]
    item = codebook[margin.item]
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


def _total_problems(margins: Margins) -> list[Problem]:
    """Margins whose totals disagree with the first margin's by more than the stated tolerance."""
    first = margins.margins[0]
    return [Problem(margins.path, f"the totals of '{margin.item}' ({margin.total:,.0f}) and of '{first.item}' "
                    f"({first.total:,.0f}) differ by more than the tolerance {margins.tolerance:g}",
                    line=margin.line, column=margin.item, value=f"{margin.total:g}",
                    expected=f"a total within {margins.tolerance:.1%} of {first.total:g}")
            for margin in margins.margins[1:]
            if abs(margin.total - first.total) > margins.tolerance * first.total]


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
