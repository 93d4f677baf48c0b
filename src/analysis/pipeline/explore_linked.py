"""The linked protection of a filtered breakdown: one pattern of hidden lines per pair of background items.

A filtered table (answer O by B among those with F = v) is a slice of the 3-D count table T(o, b, f);
the unfiltered tables (O by B, O by F) are its sums over f and over b. Protecting each slice on its own
lets a reader subtract: O by B minus O by B within v is the rest's count. The rule here is the line rule
of the hypercube method (Repsilber 1999, "Das Quaderverfahren", tau-ARGUS's GHMITER; as sdcTable's
``protectTable(method = "HYPERCUBE")`` documents it, rdocumentation.org/packages/sdcTable/topics/protectTable):
hide whole lines of the 3-D table so that every line through a hidden cell holds at least two.

:func:`planes` finds the lines hidden in every slice for a pair of background items B and F: on the
(o, b) plane (lines along f) and on the (o, f) plane (lines along b). Each small count of the 3-D table,
each count whose rest of the line is small, and each small group size must lie on a hidden line; the
lines the unfiltered tables hide are hidden lines from the start. Each plane then goes through
:func:`~analysis.pipeline.explore_table.protect` (the report's
:func:`~analysis.protection.suppression.suppress` on the plane's unfiltered counts, margins public), which
hides partners so that no row or column of the plane has a hidden cell that follows from the rest. A
3-D cell is hidden when its (o, b) line or its (o, f) line is (:class:`Linked`), whichever value of F or
of B is filtered on and in whichever orientation; where every row and column of each plane with a public
sum holds 0 or at least 2 hidden cells, so does every line of the 3-D table (a union of two such sets).
tests/test_explore.py checks the result with an attacker's linear programme on the bundled data.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import stats
from analysis.pipeline.explore_table import Protected, Shield, protect, protect_once
from analysis.protection.declarations import is_small
from analysis.themes.base import Context

#: The layer of the respondents who did not answer the other background item (no label can equal it).
NOT_ANSWERED = "\x00not answered"


@dataclass(frozen=True)
class Plane:
    """The hidden lines of the (answer, group) plane: (category, group) pairs and groups whose size is hidden."""

    cells: frozenset[tuple[Any, Any]]
    sizes: frozenset[Any]
    #: the counts and group sizes the unfiltered table (the answer by this plane's item) hides: a slice's
    #: category total or size total is a public sum only where that table shows it
    table_cells: frozenset[tuple[Any, Any]] = frozenset()
    table_sizes: frozenset[Any] = frozenset()


def planes(outcome: pd.Series, first: pd.Series, second: pd.Series, ctx: Context,
           unfiltered: Protected | None = None) -> tuple[Plane, Plane]:
    """The lines hidden in every slice: of the (outcome, first) plane and of the (outcome, second) plane.

    Each small count T(o, b, f) of the 3-D table (and each small group size n(b, f)), and each count
    whose rest is small (the unfiltered count minus the slice's: the others of its line), must fall on a
    hidden line: one already hidden by an unfiltered table (O by B, O by F) or one hidden before, else
    the line with the smaller unfiltered total (the rarer combination, so fewer people's counts go),
    the first plane on a tie. A respondent who did not answer B can only be covered on the (o, f) line
    (no b-slice shows them), and the other way round. Each plane then goes through the report's
    suppression with its lines as linked cells, so that no row or column of it is exactly determined.
    `unfiltered` caches the protection of the unfiltered tables by the series' names (each is computed
    once and serves every pair it is in and the unfiltered breakdown, :func:`protect_once`)."""
    tables = [_table(outcome, groups) for groups in (first, second)]
    if any(t.empty for t in tables):
        return Plane(frozenset(), frozenset()), Plane(frozenset(), frozenset())
    cache = {} if unfiltered is None else unfiltered
    own = [protect_once(t, ctx, str(groups.name), cache) for t, groups in zip(tables, (first, second))]
    lines = [{"cells": set(_pairs(t, cells)), "sizes": set(_groups(t, sizes))}
             for t, (cells, sizes) in zip(tables, own)]
    totals = [{"cells": dict(zip(zip(t["category"], t["group"]), t["count"])),
               "sizes": dict(zip(t["group"], t["n"]))} for t in tables]
    keep = outcome.notna().to_numpy()
    layers = [g.astype(object).where(g.notna(), NOT_ANSWERED)[keep] for g in (first, second)]
    counts = pd.crosstab([outcome[keep].astype(object), layers[0]], layers[1]).stack()
    sizes = counts.groupby(level=[1, 2]).sum()
    for kind, found in (("cells", counts), ("sizes", sizes)):
        for key in found.index[_exposed(found, ctx)]:
            _cover(key, kind, lines, totals)
    out = []
    for t, (cells, sizes_hidden), line in zip(tables, own, lines):
        secondary = cells & ~is_small(t["count"].to_numpy(dtype=float), ctx.k, ctx.rules.zeros)
        linked = np.array([p in line["cells"] for p in zip(t["category"], t["group"])]) | secondary
        order = list(dict.fromkeys(t["group"]))
        hidden, size_hidden = protect(t, ctx, linked, np.array([g in line["sizes"] for g in order]))
        shown_hidden = cells | sizes_hidden  # the unfiltered table hides a group of hidden size whole
        out.append(Plane(frozenset(_pairs(t, hidden)), frozenset(_groups(t, size_hidden)),
                         frozenset(_pairs(t, shown_hidden)), frozenset(_groups(t, sizes_hidden))))
    return out[0], out[1]


def _exposed(found: pd.Series, ctx: Context) -> np.ndarray:
    """The entries of the 3-D table (by ``(..., b, f)``) that are small, or whose rest is small: the line's
    total minus the entry, over f (b's unfiltered count minus the slice f) or over b (likewise)."""
    b, f = found.index.get_level_values(-2), found.index.get_level_values(-1)
    levels = list(range(found.index.nlevels))
    over_f = found.groupby(level=levels[:-1]).transform("sum") - found
    over_b = found.groupby(level=levels[:-2] + levels[-1:]).transform("sum") - found
    published = np.asarray((b != NOT_ANSWERED) & (f != NOT_ANSWERED))
    rests = np.where(published[:, None], np.c_[over_f.to_numpy(dtype=float), over_b.to_numpy(dtype=float)], np.nan)
    return (is_small(found.to_numpy(dtype=float), ctx.k, ctx.rules.zeros)
            | is_small(rests, ctx.k, ctx.rules.zeros).any(axis=1))


def _cover(key: tuple, kind: str, lines: list[dict[str, set]], totals: list[dict[str, dict]]) -> None:
    """Put a small count of the 3-D table (``(o, b, f)``, or a size ``(b, f)``) on a hidden line."""
    *head, b, f = key
    candidates = [(0, (*head, b)), (1, (*head, f))]
    candidates = [(side, line) for side, line in candidates if NOT_ANSWERED not in line]
    if not candidates or any(_key(line) in lines[side][kind] for side, line in candidates):
        return
    side, line = min(candidates, key=lambda c: (totals[c[0]][kind].get(_key(c[1]), 0), c[0]))
    lines[side][kind].add(_key(line))


def _key(line: tuple) -> Any:
    return line[0] if len(line) == 1 else line


def _table(outcome: pd.Series, groups: pd.Series) -> pd.DataFrame:
    data = pd.DataFrame({"outcome": outcome, "group": groups})
    return stats.crosstab(data, "outcome", "group").rename(columns={"row": "category", "column": "group"})


def _pairs(table: pd.DataFrame, hidden: np.ndarray) -> list[tuple[Any, Any]]:
    return [p for p, h in zip(zip(table["category"], table["group"]), hidden) if h]


def _groups(table: pd.DataFrame, hidden: np.ndarray) -> list[Any]:
    return list(dict.fromkeys(g for g, h in zip(table["group"], hidden) if h))


@dataclass(frozen=True)
class Linked:
    """The protection of one slice: the (o, b) plane of the breakdown, the (o, f) plane of the filter and
    the filter's values (several values: the slice is their sum, hidden where any of them hides)."""

    by_plane: Plane
    filter_plane: Plane
    values: Sequence[Any]

    def __call__(self, table: pd.DataFrame, ctx: Context) -> Shield:
        """Which counts and which group sizes of the slice's long crosstab are hidden: the lines of the two
        planes, and every count of a group whose size here is small (its zeros would place its members);
        and the public sums of the slice: a category's count over the groups where the unfiltered table by
        the filter item shows it for every value, the sizes' total where it shows every value's size."""
        cells = np.array([(c, g) in self.by_plane.cells or any((c, v) in self.filter_plane.cells for v in self.values)
                          for c, g in zip(table["category"], table["group"])], dtype=bool)
        filter_size = any(v in self.filter_plane.sizes for v in self.values)
        sizes = np.array([filter_size or g in self.by_plane.sizes for g in table["group"]], dtype=bool)
        few = is_small(table["n"].to_numpy(dtype=float), ctx.k, ctx.rules.zeros)
        plane = self.filter_plane
        categories = frozenset(c for c in table["category"]
                               if not any((c, v) in plane.table_cells for v in self.values))
        return Shield(cells | (sizes & few), sizes, categories, not any(v in plane.table_sizes for v in self.values),
                      "linked")
