"""The facts each theme publishes for the conclusion and the claims: a declared schema.

A theme writes its key numbers to ``<output_dir>/<theme>/facts.json``; the conclusion and the
2011 claims read them by name. The schema is each theme's facts dataclass, declared beside the
theme (:func:`declare`) from the shared fact types below: :func:`write` checks what a
theme hands over, :func:`read` turns a file back into typed objects and refuses one that does not
fit (a renamed or missing fact is an error in the build, never a silent "not testable"), and
:func:`resolve` checks a dotted path such as ``barriers.value_estimation`` against the schema
(a test runs it over every claim).

A published number is a float, ``None`` (nothing to publish, e.g. nobody answered) or
:data:`~analysis.protection.disclosure.HIDDEN` (suppressed; the file holds the marker).
"""
from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np

from analysis.protection.disclosure import HIDDEN, SUPPRESSED, _Hidden, is_hidden
from analysis.core.errors import Problem, SurveyDataError

#: A published number: a value, None (nothing to show) or HIDDEN (suppressed).
Number = Union[float, None, _Hidden]


@dataclass
class Share:
    """A share of respondents with its interval, on its base n."""
    n: Number = None
    pct: Number = None
    low: Number = None
    high: Number = None


@dataclass
class OptionShare:
    """One option of a multi-select question: % of respondents who ticked it."""
    option: str
    pct: Number = None
    low: Number = None
    high: Number = None


@dataclass
class PairTest:
    """Two items (or options) compared on the same respondents: one-sided p-values, unadjusted.

    ``p_greater``: "a is rated (ticked) higher than b"; ``p_less``: lower. For a grid, Wilcoxon
    signed-rank tests on everyone who rated both; for a multi-select, exact McNemar (binomial)
    tests on the discordant answers. Unweighted.
    """
    item_a: str
    item_b: str
    n: Number = None
    p_greater: Number = None
    p_less: Number = None


@dataclass
class MultiSelect:
    n: int = 0
    options: list[OptionShare] = field(default_factory=list)
    cochran_q: Number = None
    cochran_df: Number = None
    cochran_p: Number = None
    pairs: list[PairTest] = field(default_factory=list)
    #: the option shown to be ticked more often than every other (intersection-union test), if any
    first: str | None = None
    first_p: Number = None


@dataclass
class GridItem:
    """One rating item: top-2 and bottom-2 shares with intervals, base and median."""
    item: str
    n: Number = None
    top2_pct: Number = None
    top2_low: Number = None
    top2_high: Number = None
    bottom2_pct: Number = None
    bottom2_low: Number = None
    bottom2_high: Number = None
    median: Number = None
    top2_count: Number = None
    bottom2_count: Number = None


@dataclass
class Ranking:
    """Friedman test and Kendall's W over a grid (complete cases, ``n``), pairwise one-sided tests
    (everyone who rated both), and whether an item is shown to come first.

    ``first`` is the item rated higher than every other item by the intersection-union test
    (each one-sided Wilcoxon p below alpha), else None; ``first_p`` is that test's p (the largest
    one-sided p) for the item with the highest mean rank.
    """
    order: list[str] = field(default_factory=list)
    n: Number = None
    pairs: list[PairTest] = field(default_factory=list)
    first: str | None = None
    first_p: Number = None
    alpha: Number = None
    friedman_statistic: Number = None
    friedman_df: Number = None
    friedman_p: Number = None
    kendalls_w: Number = None
    top: str | None = None
    second: str | None = None
    top_vs_second_p_holm: Number = None
    top_vs_second_rank_biserial: Number = None


@dataclass
class Association:
    """A chi-square or Fisher test of association between two variables."""
    test: str | None = None
    statistic: Number = None
    df: Number = None
    p: Number = None
    cramers_v: Number = None
    n: Number = None


@dataclass
class CodeShare:
    """One code of an open question's coding frame: % of those who answered, with its interval."""
    code: str
    count: Number = None
    pct: Number = None
    low: Number = None
    high: Number = None


@dataclass
class CodeAgreement:
    """Agreement on one code: among the coders, and of the automatic first pass with the final codes."""
    code: str
    pct_agreement: Number = None
    kappa: Number = None
    alpha: Number = None
    alpha_low: Number = None
    alpha_high: Number = None
    automatic_kappa: Number = None


@dataclass
class OpenAnswers:
    """An open question: how many answered, who coded ("coders" or "automatic"), coded shares, agreement."""
    answered: Number = None
    coded_by: str | None = None
    coders: int | None = None
    codes: list[CodeShare] = field(default_factory=list)
    agreement: list[CodeAgreement] = field(default_factory=list)


@dataclass
class ShareChange:
    """A share in two waves (an option, a category, a top-2 share): the later minus the earlier
    wave in percentage points, Newcombe's interval, the Holm-adjusted p and whether it changed."""
    family: str
    key: str
    pct_old: Number = None
    pct_new: Number = None
    diff_pp: Number = None
    diff_low: Number = None
    diff_high: Number = None
    p_holm: Number = None
    changed: bool | None = None


@dataclass
class RatingChange:
    """A rating item in two waves: top-2 shares, their difference, Mann-Whitney between the waves."""
    family: str
    item: str
    top2_pct_old: Number = None
    top2_pct_new: Number = None
    diff_pp: Number = None
    diff_low: Number = None
    diff_high: Number = None
    rank_biserial: Number = None
    p_holm: Number = None
    changed: bool | None = None


@dataclass
class RankChange:
    """An item's rank in a grid in two waves, with bootstrap rank intervals."""
    grid: str
    item: str
    rank_old: Number = None
    rank_old_low: Number = None
    rank_old_high: Number = None
    rank_new: Number = None
    rank_new_low: Number = None
    rank_new_high: Number = None


@dataclass
class OrderChange:
    """Two items whose order differs between the waves; supported: the data show the change."""
    grid: str
    item_a: str
    item_b: str
    p_holm: Number = None
    supported: bool | None = None


@dataclass
class NotCompared:
    """An item (or option column) not compared between the waves: added, dropped or reworded."""
    item: str
    column: str | None = None
    status: str = ""


@dataclass
class ClaimByWave:
    id: str
    old: str
    new: str


@dataclass
class WaveChange:
    """A chapter's "Change since ..." part: what it publishes about the two waves."""
    since: str
    n_old: int
    n_new: int
    shares: list[ShareChange] = field(default_factory=list)
    ratings: list[RatingChange] = field(default_factory=list)
    ranks: list[RankChange] = field(default_factory=list)
    order_changes: list[OrderChange] = field(default_factory=list)
    not_compared: list[NotCompared] = field(default_factory=list)
    claims: list[ClaimByWave] = field(default_factory=list)


#: Theme key -> the dataclass of its facts, declared by each theme module (:func:`declare`); the theme
#: registry imports every theme module, so the schema is complete wherever the registry is loaded.
SCHEMA: dict[str, type] = {}


def declare(theme: str) -> Callable[[type], type]:
    """Class decorator of a theme's facts dataclass: the schema of ``<theme>/facts.json``."""
    def register(cls: type) -> type:
        SCHEMA[theme] = cls
        return cls
    return register


class FactsError(SurveyDataError):
    """Facts that do not fit the schema (a bug in a theme or a stale facts file)."""


# --------------------------------------------------------------------------- conversion

def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(value: Any, hint: Any, where: str) -> Any:
    """`value` (from a theme or a JSON file) as `hint`; raises FactsError naming `where`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        if is_hidden(value) and _Hidden in args:
            return HIDDEN
        others = [a for a in args if a not in (type(None), _Hidden)]
        errors = []
        for option in others:
            try:
                return _convert(value, option, where)
            except FactsError as exc:
                errors.append(exc)
        raise errors[0] if errors else _error(where, value, hint)
    if dataclasses.is_dataclass(hint):
        if dataclasses.is_dataclass(value):
            value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        if not isinstance(value, dict):
            raise _error(where, value, hint)
        hints = _hints(hint)
        unknown = set(value) - set(hints)
        if unknown:
            raise _error(f"{where}.{sorted(unknown)[0]}", value[sorted(unknown)[0]], "no such fact in the schema")
        kwargs = {}
        for f in dataclasses.fields(hint):
            if f.name in value:
                kwargs[f.name] = _convert(value[f.name], hints[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise _error(f"{where}.{f.name}", "(missing)", hints[f.name])
        return hint(**kwargs)
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise _error(where, value, hint)
        return [_convert(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _error(where, value, hint)
        return {str(k): _convert(v, args[1], f"{where}.{k}") for k, v in value.items()}
    if hint is float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise _error(where, value, hint)
        return None if math.isnan(float(value)) else float(value)
    if hint is int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)) \
                or not float(value).is_integer():
            raise _error(where, value, hint)
        return int(value)
    if hint is bool:
        if not isinstance(value, (bool, np.bool_)):
            raise _error(where, value, hint)
        return bool(value)
    if hint is str:
        if not isinstance(value, str) or is_hidden(value):
            raise _error(where, value, hint)
        return value
    raise _error(where, value, hint)


def _error(where: str, value: Any, expected: Any) -> FactsError:
    name = getattr(expected, "__name__", None) or str(expected).replace("typing.", "")
    return FactsError([Problem(where, "a theme fact does not fit the facts schema (analysis.report.facts)",
                               value=repr(value)[:80], expected=str(name))])


def build(theme: str, values: dict[str, Any]) -> Any:
    """The typed facts of `theme` from what its computation collected; refuses what does not fit."""
    return _convert(values, SCHEMA[theme], theme)


def as_json(facts: Any) -> Any:
    """Typed facts as JSON values: hidden numbers as the marker, numbers at full precision, whole numbers
    without a decimal point."""
    if dataclasses.is_dataclass(facts):
        return {f.name: as_json(getattr(facts, f.name)) for f in dataclasses.fields(facts)}
    if is_hidden(facts):
        return SUPPRESSED
    if isinstance(facts, dict):
        return {str(k): as_json(v) for k, v in facts.items()}
    if isinstance(facts, (list, tuple)):
        return [as_json(v) for v in facts]
    if isinstance(facts, float) and math.isnan(facts):
        return None
    if isinstance(facts, float) and facts.is_integer() and abs(facts) < 2 ** 53:
        return int(facts)  # counts and bases as whole numbers (a weighted base keeps its decimals)
    return facts


def write(facts: Any, path: Path) -> None:
    """Write typed facts to `path` (sorted keys, so the same facts give the same bytes)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(as_json(facts), fh, indent=2, ensure_ascii=False, sort_keys=True)
        fh.write("\n")


def read(theme: str, path: Path) -> Any:
    """The facts file of `theme` as typed facts; a file that does not fit the schema is refused."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FactsError([Problem(str(path), f"facts file could not be read ({exc})",
                                  expected=f"{theme}/facts.json written by the theme notebook")]) from None
    try:
        return _convert(data, SCHEMA[theme], theme)
    except FactsError as exc:
        raise FactsError([dataclasses.replace(p, file=f"{path}: {p.file}") for p in exc.problems]) from None


def resolve(path: str) -> Any:
    """The type a dotted fact path (``theme.field.field``) names; KeyError if the schema has no such fact."""
    theme, *parts = path.split(".")
    if theme not in SCHEMA:
        raise KeyError(f"{path}: no theme {theme!r} in the facts schema")
    hint: Any = SCHEMA[theme]
    for part in parts:
        if typing.get_origin(hint) in (Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if not dataclasses.is_dataclass(hint) or part not in _hints(hint):
            raise KeyError(f"{path}: {part!r} is not a fact of {getattr(hint, '__name__', hint)}")
        hint = _hints(hint)[part]
    return hint


def get(facts: dict[str, Any], path: str) -> Any:
    """The value at a dotted path in typed facts (the path is checked against the schema first)."""
    resolve(path)
    theme, *parts = path.split(".")
    value = facts[theme]
    for part in parts:
        if value is None:
            return None
        value = getattr(value, part)
    return value


def leading(items: list[GridItem]) -> GridItem | None:
    """The item with the highest shown top-2 share (grids are published in that order; an item
    whose share is hidden is never leading, as saying so would reveal something about it)."""
    shown = [i for i in items if isinstance(i.top2_pct, float)]
    return max(shown, key=lambda i: i.top2_pct, default=None)
