"""The tables one survey has shown, protected against each other: an attacker's linear programme over them.

Each table of :meth:`~analysis.pipeline.explore.Survey.table` is protected on its own against the report's
margins, and a filtered table against the other tables of its pair of background items (the planes of
:mod:`~analysis.pipeline.explore_linked`). Tables of different pairs are sums over the same respondents
too: knowledge by age band within a role hides a group of two, role by age band hides the same two people
as a count with other partners, and the two patterns together can pin it. The record closes that gap for
the tables one :class:`~analysis.pipeline.explore.Survey` shows (the notebook's session, the build's
appendix): it keeps every table shown and audits each new one before it is shown, as an attacker would.

The audit is the one of sdcTable's ``attack()`` and tau-ARGUS's audit (Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, section 4.2): for each answer (a part), the unknowns are the numbers of
respondents in every combination of that answer and the background items the record uses (each with
"not answered"); the equalities are every shown count and group size of the record's tables within those
items, the report's own tables of one item by another (:func:`report_table`: the participants chapter's
active users by age band, by role and by citizen-facing role, taken as wholly shown), each item's
distribution as the report publishes it (a small count hidden with its smallest partner,
:func:`_distribution`) and the number of respondents; counts are never negative. Every
hidden count of those tables between 1 and k - 1, the rest of a filtered count (the respondents outside
the filter) when it is that small, and every hidden margin then needs a range of at least one respondent
(HiGHS, :class:`~analysis.protection.exactness.Programme`; tests/test_explore_record.py checks it on the
bundled data). A new table that narrows one below that hides more of its counts
(:meth:`~analysis.pipeline.explore.Survey.table` tries them one at a time) or is refused with
:class:`~analysis.pipeline.explore.ExploreError` naming it;
:meth:`Record.forget` starts a new record. Left out: the group sizes of another answer's tables
(a different set of respondents: those who answered it), the parts of one grid or multi-select question
against each other (they share the breakdown and the filter; auditing every pair of a question's twelve
options took minutes per table), and tables of another survey object.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.protection.declarations import is_small
from analysis.protection.exactness import Programme

#: The largest number of answer combinations one audit solves over (an answer by every background item the
#: record uses); a record wider than that refuses a new table and asks for a new record.
MAX_CELLS = 40_000


@dataclass(frozen=True)
class Finding:
    """What a new table would give back: the sentence, and the category and group of the count (None
    where it is an answer's total or a group's size)."""

    text: str
    category: Any = None
    group: Any = None


class RecordError(ValueError):
    """A table the record refuses: shown beside the tables before it, it would narrow a hidden count."""


@dataclass(frozen=True)
class Shown:
    """One part of a shown table: its answer, breakdown and filter (the filter item and its values), the
    caption the reader saw and its long counts (group, category, n, count; a hidden one empty)."""

    part: str
    by: str
    within: str | None
    values: tuple[Any, ...]
    caption: str
    counts: pd.DataFrame = field(repr=False)
    #: the question the part belongs to (a grid's or a multi-select question's parts share it)
    item: str = ""


@dataclass
class Record:
    """The tables a survey has shown and the audit a new one passes before it is shown: `variable` gives
    the labels of an answer or a background item for every respondent (empty: not answered)."""

    variable: Callable[[str], pd.Series]
    k: int
    zeros: bool
    #: the report's own tables of one item by another, taken as wholly known (the audit's safe side)
    report: list[Shown] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)

    def forget(self) -> None:
        """Start a new record: the tables shown so far no longer count (publish them apart from new ones)."""
        self.shown.clear()

    def check(self, new: Sequence[Shown]) -> Finding | None:
        """What the parts of a new table, beside the tables shown before and the report's, would give back
        (a hidden count whose range narrows below one respondent, as a sentence), or None."""
        everything = [*self.report, *self.shown, *new]
        for items in _spaces(new, everything):
            tables = [s for s in everything if set(_names(s)) <= set(items)]
            problem = _audit(items, tables, self)
            if problem:
                return problem
        return None

    def admit(self, new: Sequence[Shown]) -> None:
        """Record the parts of a new table, or raise :class:`RecordError` when :meth:`check` finds what
        they would give back."""
        problem = self.check(new)
        if problem:
            raise RecordError(problem.text)
        self.shown.extend(new)


def _names(shown: Shown) -> list[str]:
    return [shown.part, shown.by] + ([shown.within] if shown.within else [])


def _spaces(new: Sequence[Shown], everything: Sequence[Shown]) -> list[list[str]]:
    """The sets of items an audit solves over: each new part's items, and its items with those of each
    other table (shown before, or another part of the new one) that shares at least two of them. Tables
    that share one item are linked only through its distribution, which the report publishes: any two
    tables that each agree with it can be put together, so they are audited apart."""
    spaces: dict[frozenset[str], list[str]] = {}
    for one in new:
        mine = _names(one)
        spaces.setdefault(frozenset(mine), mine)
        for other in everything:
            theirs = _names(other)
            if one.item and other.item == one.item and other.part != one.part:
                continue  # another part of the same question: see the module's "left out"
            if len(set(mine) & set(theirs)) >= 2:
                union = list(dict.fromkeys(mine + theirs))
                spaces.setdefault(frozenset(union), union)
    return list(spaces.values())


def report_table(part: str, by: str, categories: Sequence[tuple[Any, ...]], groups: Sequence[Any],
                 variable: Callable[[str], pd.Series], caption: str) -> Shown:
    """A table of the report as the record takes it: every count of `part`'s answers in each of
    `categories` (a set of answers each) by each of `groups` (an answer of `by`, or a set of them) and
    every group's size, all shown (the report may hide some: taking them as known is the safe side)."""
    answers, among = variable(part), variable(by)
    rows = []
    for group in groups:
        members = among.isin(group if isinstance(group, tuple) else (group,)) & answers.notna()
        rows += [{"group": group, "category": category, "n": int(members.sum()),
                  "count": int((members & answers.isin(category)).sum())} for category in categories]
    return Shown(part, by, None, (), caption, pd.DataFrame(rows, columns=["group", "category", "n", "count"]))


class _Space:
    """Every combination of the answers of `names` (each with "not answered", the last code): its
    respondents' count (the truth the audit compares with) and each name's code per combination."""

    def __init__(self, names: list[str], record: Record):
        labels = [record.variable(n).astype(object) for n in names]
        self.codes = {n: [*dict.fromkeys(v for v in s if not pd.isna(v))] for n, s in zip(names, labels)}
        shape = tuple(len(c) + 1 for c in self.codes.values())
        self.size = int(np.prod(shape))
        if self.size > MAX_CELLS:
            return
        index = [s.map({v: j for j, v in enumerate(self.codes[n])}).fillna(len(self.codes[n])).astype(int)
                 for n, s in zip(names, labels)]
        self.truth = np.bincount(np.ravel_multi_index(index, shape), minlength=self.size).astype(float)
        self.level = dict(zip(names, np.unravel_index(np.arange(self.size), shape)))

    def answered(self, name: str) -> np.ndarray:
        return self.level[name] < len(self.codes[name])

    def equals(self, name: str, value: Any) -> np.ndarray:
        codes = self.codes[name]
        return self.level[name] == (codes.index(value) if value in codes else -1)

    def among(self, name: str, values: Sequence[Any]) -> np.ndarray:
        return np.isin(self.level[name], [self.codes[name].index(v) for v in values if v in self.codes[name]])

    def of(self, name: str, value: Any) -> np.ndarray:
        """The combinations with this answer of `name`, or with any of a set of answers (a tuple)."""
        return self.among(name, value) if isinstance(value, tuple) else self.equals(name, value)


def _audit(names: list[str], tables: list[Shown], record: Record) -> Finding | None:
    """What a new table would give back (a sentence), or None: the attacker's programme over `names`."""
    space = _Space(names, record)
    if space.size > MAX_CELLS:
        return (f"the tables shown so far and this one combine {len(names)} items ({', '.join(names)}), "
                f"{space.size:,} combinations of answers, more than the record can check ({MAX_CELLS:,})")
    rows: dict[bytes, float] = {_key(np.ones(space.size, bool)): float(space.truth.sum())}
    targets: dict[bytes, tuple[str, Any, Any]] = {}

    def publish(mask: np.ndarray, value: float, what: str, category: Any = None, group: Any = None) -> None:
        true = float(space.truth[mask].sum())
        if pd.isna(value) or is_small(np.array([value]), record.k, record.zeros)[0]:
            if 0 < true < record.k:
                targets.setdefault(_key(mask), (what, category, group))
        elif mask.any():
            rows[_key(mask)] = float(value)

    for name in names:  # the report's distribution of each answer
        masks = [space.equals(name, value) for value in space.codes[name]]
        for value, mask, shown in zip(space.codes[name], masks, _distribution(space, masks, record)):
            publish(mask, float(space.truth[mask].sum()) if shown else float("nan"),
                    f"the number answering {value!r} to {name}")
    for shown in tables:
        _publish_table(shown, space, publish)
    return _pinned(space, rows, targets, tables[-1].caption)


def _distribution(space: _Space, masks: list[np.ndarray], record: Record) -> list[bool]:
    """Which counts of an answer's distribution the report shows: not the small ones and, where exactly one
    is small, not the smallest other either (the partner with the fewest respondents that the report's
    suppression hides beside it, :class:`~analysis.protection.cost.Protection`)."""
    counts = np.array([space.truth[mask].sum() for mask in masks])
    shown = ~is_small(counts, record.k, record.zeros)
    if (~shown).sum() == 1 and len(counts) > 1:
        others = np.where(shown & (counts > 0), counts, np.inf)
        if np.isfinite(others.min()):
            shown[int(np.argmin(others))] = False
    return shown.tolist()


def _publish_table(shown: Shown, space: _Space, publish: Callable[..., None]) -> None:
    """The equalities and targets of one shown part: its counts and group sizes, and the rests outside
    its filter."""
    rows = space.answered(shown.part)
    if shown.within:
        rows = rows & space.among(shown.within, shown.values)
        outside = space.answered(shown.part) & space.answered(shown.within) & ~space.among(shown.within, shown.values)
    for row in shown.counts.itertuples():
        group = space.of(shown.by, row.group)
        cell = rows & group & space.of(shown.part, row.category)
        publish(cell, row.count, f"the hidden count of {row.category!r} in group {row.group!r} of {shown.caption!r}",
                row.category, row.group)
        publish(rows & group, row.n, f"the hidden size of group {row.group!r} of {shown.caption!r}")
        if shown.within:  # the rest: the unfiltered count minus this one
            publish(outside & group & space.of(shown.part, row.category), float("nan"),
                    f"the count of {row.category!r} in group {row.group!r} outside the filter of {shown.caption!r}")


def _key(mask: np.ndarray) -> bytes:
    """A sum's cells as a compact key (the positions of the combinations it adds up)."""
    return np.flatnonzero(mask).astype(np.int32).tobytes()


def _pinned(space: _Space, rows: dict[bytes, float], targets: dict[bytes, tuple[str, Any, Any]],
            caption: str) -> Finding | None:
    """The first target whose range, given `rows`, is narrower than one respondent (a sentence), or None."""
    cells = [np.frombuffer(key, dtype=np.int32) for key in rows]
    matrix = sparse.csr_matrix((np.ones(sum(len(c) for c in cells)), np.concatenate(cells),
                                np.cumsum([0] + [len(c) for c in cells])), shape=(len(cells), space.size))
    programme = Programme(matrix, np.array(list(rows.values())))
    for key, (what, category, group) in targets.items():
        objective = np.zeros(space.size)
        objective[np.frombuffer(key, dtype=np.int32)] = 1.0
        true = float(objective @ space.truth)
        top = programme.greatest(objective)
        if top - true >= 1 - 1e-9:
            continue
        if top - programme.least(objective) < 1 - 1e-9:
            return Finding(f"beside the tables shown before from this survey and the report's own tables, "
                           f"{caption!r} would give back {what}", category, group)
    return None
