"""Small-cell protection for every table meant for publication: the suppression pass.

Pass each published table through :func:`suppress`.  It

1. **primary suppression** - blanks counts from 1 to ``k - 1`` (zero counts are
   *not* suppressed by default: a zero says nobody gave that answer, which is not
   disclosive about an individual by itself and is usually substantively
   important; pass ``suppress_zeros=True`` to treat 0 like 1..k-1);
2. blanks percentages, interval bounds and other statistics whose **base** is
   below ``k`` (or whose base is itself blanked), and those whose **numerator
   count** is blanked (a percentage with its base shown gives the count back);
3. **secondary suppression** - blanks further counts (smallest first, cells that
   serve as a base for percentages last) until no blanked count can be
   recomputed exactly by adding and subtracting what the table still shows,
   including totals.  Every declared total is treated as public, whether or not
   it is printed, so showing or hiding a total row never weakens the protection;
   the exception is a total that is itself a small count (1 to ``k - 1``): the
   primary rule hides it wherever it is published, so it is not public.
4. **protection intervals** - hides further counts until bounds reasoning
   (counts are never negative) leaves every hidden small count a range at
   least as wide as its marker states (see
   :func:`~analysis.protection.exactness.required_width`).

Blanked cells are not dropped: :func:`suppress` returns a
:class:`~analysis.protection.disclosure.Published` table, the values and the mask of hidden cells.
How a table declares its counts, derived statistics and public sums:
:mod:`~analysis.protection.declarations`.

Scope: the guarantee is against exact recovery by linear arithmetic on the
shown cells and totals.  Bounds reasoning (e.g. "both blanked cells are >= 1 and
sum to 2") is not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.protection.declarations import (PCT_LIKE, Cell, Declarations, as_floats, declared_sums, is_small,
                                              read_declarations)
from analysis.protection.cost import Protection
from analysis.protection.disclosure import Published
from analysis.protection.exactness import Sums, protection_intervals, required_width

__all__ = ["suppress"]


def suppress(
    table: pd.DataFrame,
    k: int = 5,
    *,
    counts: Sequence[str] | None = None,
    derived: Mapping[str, Any] | None = None,
    within: Mapping[str, Any] | None = None,
    across: Sequence[Sequence[str]] | None = None,
    total_label: Any = "Total",
    suppress_zeros: bool = False,
    pct_scale: float = 100.0,
    extra_mask: pd.DataFrame | None = None,
    suppress_whole: bool = False,
    secondary: bool = True,
    public_sums: Sequence[Sequence[Cell]] | None = None,
) -> Published:
    """Apply the small-cell rule (threshold ``k``) to a table before publication.

    Returns a :class:`Published` table: the values with every disclosive cell
    emptied, and the mask of those cells (True = suppressed); rows and columns are
    kept.  ``extra_mask`` (same shape, True = hide) marks cells that a rule outside
    this table requires hidden (linked statistics); they count as hidden here, so
    secondary suppression protects them too.  See :mod:`~analysis.protection.declarations`
    for how to declare ``counts``, ``derived``, ``within`` and ``across``; anything not given
    is read from ``table.attrs["disclosure"]`` and otherwise from the naming
    convention.  An empty table gives an empty :class:`Published`.

    ``suppress_whole`` (the strict profile) also hides a count that holds everyone
    of its public total (all respondents in one category).  After secondary
    suppression every primary cell must keep a protection interval of at least
    ``k``: the range its value can take, given the shown cells, the public totals
    and that counts are not negative (a linear programme), must be ``k`` wide;
    if not, more cells are hidden.  ``secondary=False`` switches the secondary
    steps off (only for tests of the audit). ``public_sums`` adds sets of count cells
    ``(row position, column)`` whose sum is public, for sums that ``within`` and ``across``
    cannot declare (a count published in another table as the sum of some of these cells).
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    declared = read_declarations(table, counts, derived, within, across)
    tab = table.reset_index(drop=True)
    if tab.empty:
        mask = pd.DataFrame(False, index=tab.index, columns=tab.columns)
        return Published(table.reset_index(drop=True), mask, count_columns=tuple(declared.counts))
    tab.attrs = {}  # read above; pandas would copy them into every column taken from the table
    run = _Pass(tab, k, suppress_zeros, declared)
    if extra_mask is not None:
        run.hide_linked(extra_mask)
    run.hide_small_counts()
    run.hide_small_implied_counts(pct_scale)
    constraints = run.public_constraints(total_label, public_sums)
    if suppress_whole:
        run.hide_whole_classes(constraints)
    if secondary:
        _Secondary(run, constraints).protect_all()
    run.hide_derived()
    return run.published(constraints)


class _Pass:
    """One table on its way through the rule: the mask so far (rows x columns), why each cell is
    hidden, the count cells hidden, and each column's cells as floats (read once)."""

    def __init__(self, table: pd.DataFrame, k: int, zeros: bool, declared: Declarations):
        self.table, self.k, self.zeros, self.declared = table, k, zeros, declared
        self.col_order = {c: j for j, c in enumerate(table.columns)}
        self.hide = np.zeros(table.shape, dtype=bool)
        self.reasons: dict[Cell, str] = {}
        self.hidden: set[Cell] = set()  # count cells hidden (written into `hide` once they are all known)
        self.primary: set[Cell] = set()
        self._numbers: dict[str, np.ndarray] = {}

    def numbers(self, column: str) -> np.ndarray:
        if column not in self._numbers:
            self._numbers[column] = as_floats(self.table[column])
        return self._numbers[column]

    def value(self, cell: Cell) -> float:
        return float(self.numbers(cell[1])[cell[0]])

    def small(self, values: np.ndarray | float) -> np.ndarray | bool:
        return is_small(values, self.k, self.zeros)

    def hide_linked(self, extra_mask: pd.DataFrame) -> None:
        """Cells that a rule outside this table requires hidden (linked statistics)."""
        extra = extra_mask.reset_index(drop=True).reindex(columns=self.table.columns, fill_value=False).fillna(False)
        extra = extra.astype(bool)
        self.hide |= extra.to_numpy(dtype=bool)
        self.reasons.update({(i, c): "linked" for c in extra.columns
                             for i in np.flatnonzero(extra[c].to_numpy()).tolist()})

    def hide_small_counts(self) -> None:
        """1. Primary suppression of counts (linked count cells are hidden counts too)."""
        counts = self.declared.counts
        self.hidden = {(i, c) for c in counts for i in np.flatnonzero(self.hide[:, self.col_order[c]]).tolist()}
        for c in counts:
            numbers = self.numbers(c)
            for i in np.flatnonzero(self.small(numbers)).tolist():
                self.hidden.add((i, c))
                self.reasons.setdefault((i, c), "zero" if numbers[i] == 0 else "primary")
        self.primary = {cell for cell, why in self.reasons.items() if why == "primary"}

    def hide_small_implied_counts(self, pct_scale: float) -> None:
        """1b. Percentages whose numerator is not in the table: their implied count is checked."""
        for c, (num, base) in self.declared.derived.items():
            if num is None and base is not None and (c in PCT_LIKE or c.endswith(("_pct", "_share"))):
                pv, bv = self.numbers(c), self.numbers(base)
                implied = np.round(pv * bv / pct_scale)
                for i in np.flatnonzero(~np.isnan(pv) & ~np.isnan(bv) & self.small(implied)).tolist():
                    self.hide[i, self.col_order[c]] = True
                    self.reasons[(i, c)] = "primary"

    def public_constraints(self, total_label: Any, public_sums: Sequence[Sequence[Cell]] | None) -> list[list[Cell]]:
        """The public sums: declared ones and those given. A sum that is itself a small count is hidden
        wherever it is published (the primary rule holds for every count), so it is not public: cells
        need no protection against it."""
        constraints = declared_sums(self.table, self.declared, total_label)
        constraints += [[(int(i), str(c)) for i, c in cells] for cells in (public_sums or [])]
        return [con for con in constraints if not self.small(sum(self.value(c) for c in con))]

    def hide_whole_classes(self, constraints: list[list[Cell]]) -> None:
        """The strict profile: a count that holds everyone of its public total is hidden."""
        for con in constraints:
            shown_values = [self.value(c) for c in con]
            if len(con) > 1 and sum(v > 0 for v in shown_values) == 1:
                whole = con[int(np.argmax(shown_values))]
                if whole not in self.hidden:
                    self.hidden.add(whole)
                    self.reasons[whole] = "class"

    def hide_every_count(self) -> None:
        """Every count of the table hidden (a small count that no further cell can protect)."""
        for c in self.declared.counts:
            for i in np.flatnonzero(self.table[c].notna().to_numpy()).tolist():
                if (i, c) not in self.hidden:
                    self.hidden.add((i, c))
                    self.reasons.setdefault((i, c), "secondary")

    def hide_derived(self) -> None:
        """3. The hidden counts into the mask; then derived cells: base small or hidden, or numerator
        hidden (also when empty)."""
        for i, c in self.hidden:
            self.hide[i, self.col_order[c]] = True
        for c, (num, base) in self.declared.derived.items():
            column = self.hide[:, self.col_order[c]]  # a view: updated in place, column after column as declared
            if num is not None and num in self.col_order:
                column |= self.hide[:, self.col_order[num]]
            if base is not None and base in self.col_order:
                column |= self.hide[:, self.col_order[base]] | self.small(self.numbers(base))
            for i in np.flatnonzero(column).tolist():
                self.reasons.setdefault((i, c), "derived")

    def published(self, constraints: list[list[Cell]]) -> Published:
        mask = pd.DataFrame(self.hide, index=self.table.index, columns=self.table.columns)
        return Published(self.table, mask, count_columns=tuple(self.declared.counts), reasons=self.reasons,
                         constraints=constraints, k=self.k, zeros_hidden=self.zeros,
                         primary=self.primary | {c for c, why in self.reasons.items() if why == "zero"})


class _Secondary:
    """2. Secondary suppression: hides further counts, one at a time, until no hidden count follows
    exactly from the shown cells and the public sums (2a) and bounds reasoning (counts are not
    negative) leaves every primary cell a range at least as wide as its marker states (2b)."""

    def __init__(self, run: _Pass, constraints: list[list[Cell]]):
        self.run, self.constraints = run, constraints
        self.sums = Sums(constraints)
        self.values = {c: run.value(c) for con in constraints for c in con}
        self.base_columns = run.declared.base_columns
        self.width = required_width(run.k, run.zeros)
        self.stuck: set[Cell] = set()  # cells with nothing left to hide them behind
        self.protected: set[Cell] = set()  # primary cells found wide enough (hiding more only widens)
        # cells that must not follow exactly from what is public: every hidden count but a secondary one
        self.keep = set(run.hidden)

    def protect_all(self) -> None:
        while True:
            cell = self.exposed()
            if cell is None:
                cell = self.narrow()
            if cell is None:
                break
            self.hide_partner(cell)
        self.hide_unprotectable()
        self.cheapest()

    def exposed(self) -> Cell | None:
        """2a. The first hidden cell (other than a secondary one) whose value follows exactly from what is public."""
        return next((c for c in self.sums.determined(self.run.hidden) if c in self.keep and c not in self.stuck),
                    None)

    def narrow(self) -> Cell | None:
        """2b. The first primary cell whose protection interval is too narrow."""
        for cell in sorted(self.run.primary - self.protected - self.stuck):
            lo, hi = self.interval(cell)
            if hi - lo >= self.width:
                self.protected.add(cell)
            else:
                return cell
        return None

    def interval(self, cell: Cell) -> tuple[float, float]:
        return protection_intervals(self.constraints, self.values, self.run.hidden, [cell], self.sums.member)[cell]

    def hide_partner(self, target: Cell) -> None:
        """Hide the shown cell that shares a public sum with `target`: smallest first, cells that serve
        as a base last. With none (it equals a public total on its own) `target` is stuck."""
        candidates = {c for r in self.sums.member.get(target, ()) for c in self.constraints[r]
                      if c not in self.run.hidden}
        if not candidates:
            self.stuck.add(target)
            return
        order = self.run.col_order
        pick = min(candidates, key=lambda c: (c[1] in self.base_columns, self.values[c], order[c[1]], c[0]))
        self.run.hidden.add(pick)
        self.run.reasons.setdefault(pick, "secondary")

    def cheapest(self) -> None:
        """2d. The secondary cells that hide the fewest respondents with every primary cell as well protected
        (:meth:`~analysis.protection.cost.Protection.cheapest`)."""
        secondary = {c for c in self.run.hidden if self.run.reasons.get(c) == "secondary"}
        if not secondary:
            return
        rule = Protection(self.constraints, self.values, self.run.primary, self.keep, self.width)
        chosen = rule.cheapest(set(self.run.hidden), secondary)
        for cell in secondary - chosen:
            self.run.hidden.discard(cell)
            del self.run.reasons[cell]
        for cell in chosen - secondary:
            self.run.hidden.add(cell)
            self.run.reasons[cell] = "secondary"

    def hide_unprotectable(self) -> None:
        """2c. A small count that no further cell can protect (every cell of its sums is hidden and the
        public totals still narrow it): every count of the table is hidden rather than publish it so."""
        stuck = self.run.primary & self.stuck
        if stuck and any(hi - lo < self.width for cell in stuck for lo, hi in [self.interval(cell)]):
            self.run.hide_every_count()
