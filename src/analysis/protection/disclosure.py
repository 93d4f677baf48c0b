"""The published table: values with, beside them, the mask of the cells the small-cell rule hides.

:func:`~analysis.protection.suppression.suppress` returns a :class:`Published` table: the values
(numeric columns stay numeric; a blanked cell holds no value) and a boolean mask beside them, as
pandas keeps a mask beside nullable values. Blanked cells are not dropped. The marker
:data:`SUPPRESSED` (``"[c]"``, the "confidential" shorthand of the UK Government Statistical
Service) is written only at the edge: CSV, workbook, HTML tables, prose and figures
(:meth:`Published.marked`, :meth:`Published.cell`). A single hidden cell reads as :data:`HIDDEN`.

The small-cell rule itself: :mod:`~analysis.protection.declarations` (what a table declares),
:mod:`~analysis.protection.suppression` (the pass) and :mod:`~analysis.protection.exactness`
(what the shown cells still tell about the hidden ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.protection.declarations import Cell, as_floats
from analysis.protection.cost import Protection
from analysis.protection.exactness import protection_intervals, required_width

__all__ = ["HIDDEN", "SUPPRESSED", "Published", "is_hidden"]

#: Marker written into every suppressed cell.
SUPPRESSED = "[c]"
#: The reasons a count itself is hidden (its respondents are protection's cost); other hidden cells
#: ("linked", "derived") are numbers computed from counts.
COUNT_REASONS = ("primary", "secondary", "zero", "class")


class _Hidden:
    """The value of a suppressed cell where one cell is read (prose, facts, figures)."""

    __slots__ = ()
    _instance: "_Hidden | None" = None

    def __new__(cls) -> "_Hidden":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "HIDDEN"

    def __str__(self) -> str:
        return SUPPRESSED

    def __reduce__(self) -> str:
        return "HIDDEN"


#: A suppressed cell, read one at a time. Formatters print it as :data:`SUPPRESSED`.
HIDDEN = _Hidden()


def is_hidden(value: Any) -> bool:
    """True for a suppressed cell (:data:`HIDDEN`, or the marker read back from a file)."""
    return value is HIDDEN or (isinstance(value, str) and value == SUPPRESSED)


class Published:
    """A table after small-cell suppression: values and, beside them, the mask of hidden cells.

    ``values`` keeps every column's type (counts with a hidden cell become nullable integers);
    a hidden cell holds no value, so a hidden number cannot leak by accident. ``mask`` is True
    where a cell is suppressed. Numbers stay numbers until a writer: :meth:`marked` gives the
    table with the marker for files and HTML, :meth:`cell` and :meth:`column` give single
    cells for prose (a hidden one as :data:`HIDDEN`).
    """

    def __init__(self, values: pd.DataFrame, mask: pd.DataFrame, count_columns: Sequence[str] = (),
                 reasons: dict[Cell, str] | None = None, constraints: list[list[Cell]] | None = None,
                 primary: set[Cell] | None = None, k: int | None = None, zeros_hidden: bool = False):
        values = values.reset_index(drop=True).copy()
        mask = mask.reset_index(drop=True)
        if not mask.columns.equals(values.columns):
            mask = mask.reindex(columns=values.columns, fill_value=False)
        hidden = mask.to_numpy(dtype=bool)
        mask = pd.DataFrame(hidden, index=values.index, columns=values.columns)
        # the values behind the public sums, for the protection audit only (never written)
        numbers = {c: as_floats(values[c]) for c in {cell[1] for con in (constraints or []) for cell in con}}
        self._true = {cell: float(numbers[cell[1]][cell[0]]) for con in (constraints or []) for cell in con}
        # the respondents in each hidden count, for the disclosure log's cost of protection only (never written);
        # a hidden band of respondents ("20–39", strict profile) is no count and holds none
        self._dropped_shown: set[Cell] = set()
        self._hidden_counts = {(i, c): float(values[c].iloc[i]) for (i, c), why in (reasons or {}).items()
                               if why in COUNT_REASONS and c in values and i < len(values) and mask[c].iloc[i]
                               and pd.api.types.is_number(values[c].iloc[i]) and pd.notna(values[c].iloc[i])}
        for j in np.flatnonzero(hidden.any(axis=0)).tolist():
            c = values.columns[j]
            dtype = values[c].dtype
            # a hidden cell holds no value: integers and booleans become nullable, text becomes object
            if pd.api.types.is_integer_dtype(dtype):
                cells = values[c].astype("Int64").array.copy()
            elif pd.api.types.is_bool_dtype(dtype):
                cells = values[c].astype("boolean").array.copy()
            elif not pd.api.types.is_numeric_dtype(dtype):
                cells = values[c].to_numpy(dtype=object, copy=True)
            elif isinstance(dtype, np.dtype):
                cells = values[c].to_numpy(copy=True)
            else:
                cells = values[c].array.copy()
            cells[hidden[:, j]] = None if cells.dtype == object else np.nan
            # a Series keeps the object type (an array of text would become a text column again)
            values[c] = pd.Series(cells, index=values.index, dtype=cells.dtype, copy=False)
        values.attrs = {}
        self.values = values
        self.mask = mask
        # each column's mask and cells, read once for cell-by-cell access (a Published is not changed
        # after it is made: every method returns a new one)
        self._hidden: dict[str, np.ndarray] = {c: hidden[:, j] for j, c in enumerate(values.columns)}
        self._cells: dict[str, list[Any]] = {}
        self.count_columns = tuple(c for c in count_columns if c in values.columns)
        #: why each hidden cell is hidden: primary, zero, class, secondary, linked or derived
        self.reasons = {cell: why for cell, why in (reasons or {}).items() if self._hidden_in(cell[1])[cell[0]]}
        self.constraints = constraints or []
        self.primary = primary or set()
        self.k = k
        self.zeros_hidden = zeros_hidden

    # -- shape ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.values)

    @property
    def empty(self) -> bool:
        return self.values.empty

    @property
    def columns(self) -> list[str]:
        return list(self.values.columns)

    def __contains__(self, column: str) -> bool:
        return column in self.values.columns

    def __repr__(self) -> str:
        return f"Published(\n{self.marked()!r}\n)"

    # -- reading cells ----------------------------------------------------------------------
    def _hidden_in(self, column: str) -> np.ndarray:
        """A column's mask as an array, read once."""
        hidden = self._hidden.get(column)
        if hidden is None:
            hidden = self._hidden[column] = self.mask[column].to_numpy(dtype=bool)
        return hidden

    def _cells_of(self, column: str) -> list[Any]:
        """A column's cells as ``Series.iloc`` gives them, read once."""
        cells = self._cells.get(column)
        if cells is None:
            cells = self._cells[column] = list(self.values[column].array)
        return cells

    def cell(self, row: int, column: str) -> Any:
        """One cell by position: its value, :data:`HIDDEN` if suppressed."""
        if self._hidden_in(column)[row]:
            return HIDDEN
        value = self._cells_of(column)[row]
        return None if value is pd.NA else value

    def column(self, column: str) -> list[Any]:
        """All cells of a column, in order, hidden ones as :data:`HIDDEN`."""
        return [self.cell(i, column) for i in range(len(self))]

    def __getitem__(self, column: str) -> list[Any]:
        return self.column(column)

    def row(self, row: int) -> dict[str, Any]:
        return {c: self.cell(row, c) for c in self.columns}

    def rows(self) -> list[dict[str, Any]]:
        return [self.row(i) for i in range(len(self))]

    def find(self, column: str, value: Any) -> int | None:
        """Position of the first row whose (shown) `column` equals `value`, or None."""
        hits = np.flatnonzero((self.values[column] == value).fillna(False).to_numpy() & ~self.mask[column].to_numpy())
        return int(hits[0]) if len(hits) else None

    def shown(self, column: str) -> pd.Series:
        """The numeric values of a column that are shown (hidden and empty cells left out)."""
        values = pd.to_numeric(self.values[column], errors="coerce")
        return values[~self.mask[column] & values.notna()]

    def is_hidden(self, row: int, column: str) -> bool:
        return bool(self._hidden_in(column)[row])

    # -- new tables ---------------------------------------------------------------------------
    def _derive(self, values: pd.DataFrame, mask: pd.DataFrame, rows: dict[int, int] | None = None) -> "Published":
        """A new table from this one (rows renumbered by `rows`), keeping its suppression record."""
        rows = rows if rows is not None else {i: i for i in range(len(self))}
        def move(cell: Cell) -> Cell:
            return (rows[cell[0]], cell[1])
        columns = set(values.columns)
        out = Published(values, mask, self.count_columns,
                        reasons={move(c): r for c, r in self.reasons.items() if c[0] in rows and c[1] in columns},
                        primary={move(c) for c in self.primary if c[0] in rows},
                        k=self.k, zeros_hidden=self.zeros_hidden)
        # public sums keep referring to every cell (a dropped column still adds up in the audit)
        out.constraints = [[move(c) if c[0] in rows else c for c in con] for con in self.constraints]
        out._true = {move(c) if c[0] in rows else c: v for c, v in self._true.items()}
        out._hidden_counts = {move(c): v for c, v in self._hidden_counts.items() if c[0] in rows and c[1] in columns}
        # a count of a column left out that the table showed stays public (e.g. the middle category, a
        # complement): the audit takes it as shown
        out._dropped_shown = {move(c) if c[0] in rows else c for c in self._dropped_shown} | {
            move(c) for c in self._true if c[0] in rows and c[1] in self._hidden and c[1] not in columns
            and c[0] < len(self) and not self._hidden[c[1]][c[0]]}
        for cell, why in self.reasons.items():
            if cell[0] in rows and cell[1] in columns:
                out.reasons[move(cell)] = why
        return out

    def take(self, positions: Sequence[int]) -> "Published":
        positions = list(positions)
        rows = {old: new for new, old in enumerate(positions)}
        return self._derive(self.values.iloc[positions], self.mask.iloc[positions], rows)

    def drop(self, columns: Sequence[str]) -> "Published":
        keep = [c for c in self.values.columns if c not in set(columns)]
        return self._derive(self.values[keep], self.mask[keep])

    def hide(self, where: pd.Series | np.ndarray | Sequence[bool], columns: Sequence[str]) -> "Published":
        """A copy with `columns` also hidden in the rows where `where` is True."""
        where = np.asarray(where, dtype=bool)
        mask = self.mask.copy()
        for c in columns:
            mask[c] = mask[c].to_numpy() | where
        out = self._derive(self.values, mask)
        for c in columns:
            for i in np.flatnonzero(where):
                out.reasons.setdefault((int(i), c), "linked")
        return out

    def sorted_by(self, column: str, ascending: bool = False) -> "Published":
        """Rows sorted by `column`; hidden cells go last, in their original order (sorting by a
        hidden value would reveal something about it)."""
        if self.empty:
            return self
        key = pd.to_numeric(self.values[column], errors="coerce").where(~self.mask[column])
        key = key if not ascending else -key
        order = key.fillna(-np.inf).to_numpy()
        positions = sorted(range(len(self)), key=lambda i: -order[i])
        return self.take(positions)

    # -- the record ---------------------------------------------------------------------------
    def audit(self) -> list[tuple[Cell, float, float, float]]:
        """Primary cells whose protection interval is too narrow: (cell, value, low, high).

        The interval is what the shown cells, the public sums and x >= 0 leave possible.
        """
        if not self.primary or not self.k:
            return []
        hidden = self._hidden_counts_in_sums()
        # the intervals over all the public sums, of the primary cells only (the others are not judged)
        bounds = protection_intervals(self.constraints, self._true, hidden, targets=sorted(self.primary & hidden),
                            connected=False)
        width = required_width(self.k, self.zeros_hidden)
        return [(cell, self._true[cell], lo, hi) for cell, (lo, hi) in sorted(bounds.items())
                if cell in self.primary and hi - lo < width]

    def _hidden_counts_in_sums(self) -> set[Cell]:
        """The cells of the public sums that are hidden (a cell of a row or column not published is hidden,
        unless the table showed it before the column was left out)."""
        columns, n = set(self.values.columns), len(self.values)
        return {(i, c) for (i, c) in self._true if (c not in columns or i >= n or self._hidden_in(c)[i])
                and (i, c) not in self._dropped_shown}

    def showable(self) -> list[Cell]:
        """The audit of protection's cost: hidden secondary counts that could be shown, each on its own,
        with every hidden small count keeping its protection interval and no other hidden count pinned
        (:meth:`~analysis.protection.cost.Protection.showable`; the target is none)."""
        secondary = {cell for cell, why in self.reasons.items() if why == "secondary" and cell in self._true}
        if not secondary or not self.k:
            return []
        hidden = self._hidden_counts_in_sums()
        rule = Protection(self.constraints, self._true, self.primary & hidden, hidden - secondary,
                          required_width(self.k, self.zeros_hidden))
        return rule.showable(hidden, secondary)

    def disclosure_log(self) -> list[dict[str, Any]]:
        """One row per hidden cell: row (by position and label), column, reason and, for a hidden count
        (primary, secondary, zero or whole category), the respondents it holds: protection's cost; and
        whether the audit finds that it could be shown (:meth:`showable`)."""
        label_cols = [c for c in self.values.columns if self.values[c].dtype == object][:2]
        showable = set(self.showable())
        rows = []
        for (i, c), why in sorted(self.reasons.items()):
            label = " / ".join(str(self._cells_of(lc)[i]) for lc in label_cols if not self._hidden_in(lc)[i])
            value = self._hidden_counts.get((i, c)) if why in COUNT_REASONS else None
            respondents = None if value is None else int(round(value))
            rows.append({"row": i, "row_label": label, "column": c, "reason": why, "respondents": respondents,
                         "showable": (i, c) in showable})
        for i, c in zip(*np.nonzero(self.mask.to_numpy())):
            column = self.values.columns[c]
            if (int(i), column) not in self.reasons:
                rows.append({"row": int(i), "row_label": "", "column": column, "reason": "derived",
                             "respondents": None, "showable": False})
        return rows

    # -- the edge -----------------------------------------------------------------------------
    def marked(self, marker: str = SUPPRESSED) -> pd.DataFrame:
        """The table with `marker` in every hidden cell (columns with one become object)."""
        out = self.values.copy()
        for c in out.columns:
            hidden = self._hidden_in(c)
            if hidden.any():
                cells = out[c].astype(object).to_numpy(copy=True)
                cells[hidden] = marker
                out[c] = pd.Series(cells, index=out.index, dtype=object, copy=False)
        return out
