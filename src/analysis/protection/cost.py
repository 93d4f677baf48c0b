"""Protection's cost: which counts to hide behind a small one, and which hidden cells could be shown.

A hidden small count (a primary cell) must keep a protection interval as wide as its marker states
(:func:`~analysis.protection.exactness.required_width`). Secondary cells buy that width, and every
respondent they hold is a number the reader does not get. Optimal cell suppression chooses them to
hide the least (here: the fewest respondents) subject to the protection of
every primary cell: Fischetti and Salazar (2000), "Models and algorithms for optimizing cell suppression
in tabular data with linear constraints", JASA 95, 916-928, the method behind the "OPT" choice of
sdcTable's protectTable (https://rdrr.io/pkg/sdcTable/man/protectTable.html, which also names the
"minSum" choice of its hypercube method) and tau-ARGUS's optimal method; Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, chapter 4. :class:`Protection` holds that rule for one table:

- :meth:`Protection.cheapest` finds the set of secondary cells with the fewest respondents (then the
  fewest cells) that protects every primary cell, exactly for small tables (every cheaper set is
  tried, cheapest first) and by removing superfluous cells otherwise;
- :meth:`Protection.showable` is the audit: the hidden secondary cells that could be shown, one at
  a time, with every primary cell keeping its protection (the target is none).

"Protected" is the rule of :mod:`~analysis.protection.suppression`: every primary cell's interval
stays as wide as its marker states (or, where no set of cells can make it so, no narrower than now),
and no hidden cell other than a secondary one follows exactly from what is public (a secondary cell
protects the others; pinned, it protects nobody and is shown).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

from analysis.protection.declarations import Cell
from analysis.protection.exactness import Sums, protection_intervals

__all__ = ["Protection"]

#: Exact search: at most this many cells to choose from, and this many sets tried.
EXACT_POOL = 12
EXACT_TRIES = 400


class _Reference:
    """What a hidden set leaves: each primary cell's interval width and the non-secondary cells it pins."""

    def __init__(self, widths: dict[Cell, float], pinned: set[Cell]):
        self.widths, self.pinned = widths, pinned


class Protection:
    """The protection rule of one table: its public sums, the values behind them, the primary cells,
    the cells that must not be pinned (primary, linked, zero, whole category) and the width required."""

    def __init__(self, constraints: list[list[Cell]], values: dict[Cell, float], primary: Iterable[Cell],
                 keep: Iterable[Cell], width: int):
        self.constraints, self.values, self.width = constraints, values, width
        self.sums = Sums(constraints)
        self.primary = sorted(set(primary) & set(self.sums.member))
        self.keep = set(keep)

    def reference(self, hidden: set[Cell]) -> _Reference:
        widths = {}
        for cell in self.primary:
            if cell in hidden:
                lo, hi = protection_intervals(self.constraints, self.values, hidden, [cell], self.sums.member)[cell]
                widths[cell] = hi - lo
        return _Reference(widths, set(self.sums.determined(hidden)) & self.keep)

    def holds(self, hidden: set[Cell], before: _Reference) -> bool:
        """Whether `hidden` protects every primary cell as well as the rule asks (or as well as `before`
        where the rule cannot be met) and pins no kept cell that `before` left open."""
        for cell, was in before.widths.items():
            lo, hi = protection_intervals(self.constraints, self.values, hidden, [cell], self.sums.member)[cell]
            if hi - lo < self.width and hi - lo < was - 1e-9:
                return False
        return not (set(self.sums.determined(hidden)) & self.keep) - before.pinned

    def showable(self, hidden: set[Cell], secondary: Iterable[Cell]) -> list[Cell]:
        """The audit: the secondary cells of `hidden` that could each be shown with the rule still met."""
        before = self.reference(hidden)
        return [cell for cell in sorted(secondary) if cell in hidden and self.holds(hidden - {cell}, before)]

    def cost(self, cells: Iterable[Cell]) -> tuple[float, int]:
        cells = list(cells)
        return (sum(self.values.get(c, 0.0) for c in cells), len(cells))

    def cheapest(self, hidden: set[Cell], secondary: set[Cell]) -> set[Cell]:
        """The secondary cells to hide instead of `secondary` (found by a first pass that met the rule):
        superfluous ones dropped, largest first; then, for a small table, the cheapest set that meets
        the rule as well, searched exactly."""
        base = hidden - secondary
        before = self.reference(hidden)
        chosen = set(secondary)
        for cell in sorted(secondary, key=lambda c: (-self.values.get(c, 0.0), c)):
            if self.holds(base | (chosen - {cell}), before):
                chosen.discard(cell)
        pool = self._pool(base | chosen, chosen)
        if not chosen or len(pool) > EXACT_POOL:
            return chosen
        limit = self.cost(chosen)
        subsets = sorted((s for r in range(len(pool) + 1) for s in itertools.combinations(pool, r)
                          if self.cost(s) < limit), key=lambda s: (self.cost(s), s))
        for subset in subsets[:EXACT_TRIES]:
            if self.holds(base | set(subset), before):
                return set(subset)
        return chosen

    def _pool(self, hidden: set[Cell], chosen: set[Cell]) -> list[Cell]:
        """The cells a cheaper choice is made of: the chosen ones and the shown cells of every public
        sum that holds a primary or a chosen cell."""
        pool = set(chosen)
        for cell in set(self.primary) | chosen:
            for r in self.sums.member.get(cell, ()):
                pool.update(c for c in self.constraints[r] if c not in hidden and np.isfinite(self.values[c]))
        return sorted(pool)
