"""Small-cell protection for every table meant for publication.

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
   least as wide as its marker states (see :func:`required_width`).

Blanked cells are not dropped. :func:`suppress` returns a :class:`Published`
table: the values (numeric columns stay numeric; a blanked cell holds no value)
and a boolean mask beside them, as pandas keeps a mask beside nullable values.
The marker :data:`SUPPRESSED` (``"[c]"``, the "confidential" shorthand of the UK
Government Statistical Service) is written only at the edge: CSV, workbook, HTML
tables, prose and figures (:meth:`Published.marked`, :meth:`Published.cell`).

Declaring the table's structure
-------------------------------
``counts``
    list of count columns.  Default (naming convention): numeric columns named
    ``n`` or ``count``, or ending in ``_count`` or ``_n``.
``derived``
    ``{column: base}`` or ``{column: (numerator, base)}`` for percentages,
    interval bounds and other statistics; ``numerator`` and ``base`` are count
    columns of the same row (either may be ``None``; ``(None, None)`` exempts a
    column from the convention).  Default (naming
    convention): ``pct``, ``share``, ``low``, ``high``, ``mean``, ``median``,
    ``sd``, ``n_eff``, ``deff`` and names ending in ``_pct``, ``_share``,
    ``_low``, ``_high``, ``_mean``, ``_median`` have base ``n``; their numerator
    is ``<stem>_count`` / ``<stem>_n`` (``top2_pct``, ``top2_low`` ->
    ``top2_count``), else ``count``.  Explicit entries override the convention.
    A percentage column whose numerator is not in the table is checked through its
    implied count ``value * base / pct_scale``.
``within``
    ``{count_column: keys}``: the values of ``count_column`` in rows that share
    the ``keys`` columns add up to a (public) total - e.g. ``{"count": "item"}``
    for a long frequency table, ``{"count": [["column"], ["row"]]}`` for a long
    two-way table (two families of sums), ``{"count": []}`` when all rows add up.
    Rows whose label column (a text/categorical column that is not a key) holds
    ``total_label`` are taken as the total and left out of the sum.
``across``
    list of column lists: within every row, the listed count columns add up to a
    (public) total - e.g. ``[["agree_n", "neutral_n", "disagree_n"]]`` for a wide
    table.  Do not list the total column itself.

Tables produced by :mod:`analysis.stats` carry their ``within`` / ``across`` /
``derived`` declarations in ``table.attrs["disclosure"]``; :func:`suppress` uses
them for any argument not given.

Scope: the guarantee is against exact recovery by linear arithmetic on the
shown cells and totals.  Bounds reasoning (e.g. "both blanked cells are >= 1 and
sum to 2") is not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import null_space

__all__ = ["HIDDEN", "SUPPRESSED", "Published", "suppress"]

#: Marker written into every suppressed cell.
SUPPRESSED = "[c]"

_DERIVED_EXACT = {"pct", "share", "low", "high", "mean", "median", "sd", "n_eff", "deff"}
_DERIVED_SUFFIXES = ("_pct", "_share", "_low", "_high", "_mean", "_median")
_PCT_LIKE = ("pct", "share")

Cell = tuple[int, str]


def _is_numeric_type(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _default_counts(table: pd.DataFrame) -> list[str]:
    return [c for c, dtype in zip(table.columns, table.dtypes)
            if isinstance(c, str) and _is_numeric_type(dtype)
            and (c in ("n", "count") or c.endswith("_count") or c.endswith("_n"))]


def _numerator_for(col: str, counts: Sequence[str]) -> str | None:
    stem = col
    for suffix in ("_low", "_high"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    if stem in ("low", "high"):
        stem = "pct"
    if stem in ("mean", "median", "sd", "n_eff", "deff") or stem.endswith(("_mean", "_median")):
        return None
    candidates: list[str] = []
    if stem not in _PCT_LIKE:
        for suffix in ("_pct", "_share"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        candidates += [f"{stem}_count", f"{stem}_n"]
    candidates.append("count")
    return next((c for c in candidates if c in counts), None)


def _default_derived(table: pd.DataFrame, counts: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {}
    base = "n" if "n" in counts else None
    for c in table.columns:
        if not isinstance(c, str) or c in counts:
            continue
        if c in _DERIVED_EXACT or c.endswith(_DERIVED_SUFFIXES):
            out[c] = (_numerator_for(c, counts), base)
    return out


def _normalise_derived(derived: Mapping[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {}
    for col, spec in derived.items():
        if spec is None or isinstance(spec, str):
            out[col] = (None, spec)
        else:
            num, base = spec
            out[col] = (num, base)
    return out


def _families(keys: Any) -> list[list[str]]:
    if keys is None:
        return []
    if isinstance(keys, str):
        return [[keys]]
    keys = list(keys)
    if not keys:
        return [[]]
    if all(isinstance(k, str) for k in keys):
        return [keys]
    return [[k] if isinstance(k, str) else list(k) for k in keys]


def _numbers(series: pd.Series) -> np.ndarray:
    """A column as floats: what ``pd.to_numeric(errors="coerce")`` makes of each cell (NaN where none)."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
        return series.to_numpy(dtype=float)
    try:
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):  # a column type to_numeric does not take whole: cell by cell
        return np.array([pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0] for v in series], dtype=float)


def _is_small(values: np.ndarray | float, k: int, zeros: bool) -> np.ndarray | bool:
    """Counts from 1 to k - 1 (0 to k - 1 with `zeros`); NaN is not small."""
    return ((values >= 0) if zeros else (values > 0)) & (values < k)


def _constraints(
    table: pd.DataFrame,
    counts: Sequence[str],
    label_cols: Sequence[str],
    within: Mapping[str, Any],
    across: Sequence[Sequence[str]],
    total_label: Any,
) -> list[list[Cell]]:
    """Sets of count cells whose sum is public."""
    out: list[list[Cell]] = []
    positions = np.arange(len(table))
    for col, keys in within.items():
        if col not in table.columns:
            continue
        for fam in _families(keys):
            others = [c for c in label_cols if c not in fam]
            is_total = np.zeros(len(table), dtype=bool)
            for c in others:
                is_total |= (table[c].astype(object) == total_label).to_numpy()
            present = ~pd.isna(table[col].to_numpy()) & ~is_total
            if fam:
                key_frame = table[fam].astype(object).fillna("\x00NA")
                groups = key_frame.groupby(fam, sort=False).indices.values() if len(fam) > 1 \
                    else key_frame.groupby(fam[0], sort=False).indices.values()
            else:
                groups = [positions]
            for idx in groups:
                idx = np.asarray(idx, dtype=np.intp)
                cells = [(i, col) for i in idx[present[idx]].tolist()]
                if cells:
                    out.append(cells)
    for cols in across:
        cols = [c for c in cols if c in table.columns]
        if not cols:
            continue
        shown = np.column_stack([~pd.isna(table[c].to_numpy()) for c in cols]).tolist()
        for i, row in enumerate(shown):
            cells = [(i, c) for c, ok in zip(cols, row) if ok]
            if cells:
                out.append(cells)
    return out


class _Sums:
    """The public sums of one table, indexed once: which sums each cell is in, and their 0/1 matrix
    over every cell (columns in sorted cell order), so that each round of secondary suppression
    selects columns instead of rebuilding the system cell by cell."""

    def __init__(self, constraints: list[list[Cell]]):
        self.constraints = constraints
        self._solved: dict[bytes, list[int]] = {}
        self.cells = sorted({c for con in constraints for c in con})
        index = {c: j for j, c in enumerate(self.cells)}
        self.incidence = np.zeros((len(constraints), len(self.cells)))
        self.member: dict[Cell, list[int]] = {}
        for r, con in enumerate(constraints):
            for c in con:
                self.incidence[r, index[c]] = 1.0
                sums = self.member.setdefault(c, [])
                if not sums or sums[-1] != r:
                    sums.append(r)

    def determined(self, hidden: set[Cell]) -> list[Cell]:
        """Hidden cells whose value follows exactly from the public sums and the shown cells (in order).

        A hidden cell is determined when every vector of the null space of the sums (over the hidden
        cells) is 0 in it. The sums fall apart into groups that share no hidden cell; the null space
        of such a block-diagonal matrix is that of its blocks, so each group is solved on its own, and
        a group that did not change since the last round (secondary suppression hides one cell at a
        time) is not solved again.
        """
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        columns = np.array([j for j, c in enumerate(self.cells) if c in hidden], dtype=np.intp)
        if not len(columns):
            return []
        a = self.incidence[:, columns]
        a = a[a.any(axis=1)]
        # the graph of sums and hidden cells (a sum is linked to each of its cells)
        sums, cells = np.nonzero(a)
        size = len(a) + len(columns)
        graph = csr_matrix((np.ones(len(sums)), (sums, len(a) + cells)), shape=(size, size))
        _, labels = connected_components(graph, directed=False)
        labels = labels[len(a):]  # the groups of the hidden cells (each sum is in the group of its cells)
        determined: list[int] = []
        for label in np.unique(labels):
            part = np.flatnonzero(labels == label)
            key = columns[part].tobytes()
            if key not in self._solved:
                block = a[:, part]
                basis = null_space(block[block.any(axis=1)])
                fixed = part if basis.size == 0 else part[np.linalg.norm(basis, axis=1) <= 1e-9]
                self._solved[key] = columns[fixed].tolist()
            determined += self._solved[key]
        return [self.cells[j] for j in sorted(determined)]


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
) -> "Published":
    """Apply the small-cell rule (threshold ``k``) to a table before publication.

    Returns a :class:`Published` table: the values with every disclosive cell
    emptied, and the mask of those cells (True = suppressed); rows and columns are
    kept.  ``extra_mask`` (same shape, True = hide) marks cells that a rule outside
    this table requires hidden (linked statistics); they count as hidden here, so
    secondary suppression protects them too.  See the module docstring for how to
    declare ``counts``, ``derived``, ``within`` and ``across``; anything not given
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
    spec = dict(table.attrs.get("disclosure", {}) or {})
    count_cols = list(counts) if counts is not None else _default_counts(table)
    missing = [c for c in count_cols if c not in table.columns]
    if missing:
        raise KeyError(f"count columns not in table: {missing}")
    derived_map = _default_derived(table, count_cols)
    derived_map.update(_normalise_derived(spec.get("derived", {})))
    if derived is not None:
        derived_map.update(_normalise_derived(derived))
    derived_map = {c: v for c, v in derived_map.items() if c in table.columns}
    within_map = dict(within if within is not None else spec.get("within", {}))
    across_list = list(across if across is not None else spec.get("across", []))

    tab = table.reset_index(drop=True)
    if tab.empty:
        mask = pd.DataFrame(False, index=tab.index, columns=tab.columns)
        return Published(table.reset_index(drop=True), mask, count_columns=tuple(count_cols))
    tab.attrs = {}  # read above; pandas would copy them into every column taken from the table
    # the mask as one boolean array (rows x columns) and each column's cells as floats, read once
    col_order = {c: j for j, c in enumerate(tab.columns)}
    hide = np.zeros(tab.shape, dtype=bool)
    numbers: dict[str, np.ndarray] = {}

    def column_numbers(column: str) -> np.ndarray:
        if column not in numbers:
            numbers[column] = _numbers(tab[column])
        return numbers[column]

    def value(cell: Cell) -> float:
        return float(column_numbers(cell[1])[cell[0]])

    def small(v: float) -> bool:
        return bool(_is_small(v, k, suppress_zeros))

    reasons: dict[Cell, str] = {}
    if extra_mask is not None:
        extra = extra_mask.reset_index(drop=True).reindex(columns=tab.columns, fill_value=False).fillna(False)
        extra = extra.astype(bool)
        hide |= extra.to_numpy(dtype=bool)
        reasons.update({(i, c): "linked" for c in extra.columns for i in np.flatnonzero(extra[c].to_numpy()).tolist()})

    # 1. primary suppression of counts
    hidden: set[Cell] = {(i, c) for c in count_cols for i in np.flatnonzero(hide[:, col_order[c]]).tolist()}
    for c in count_cols:
        numbers_c = column_numbers(c)
        for i in np.flatnonzero(_is_small(numbers_c, k, suppress_zeros)).tolist():
            hidden.add((i, c))
            reasons.setdefault((i, c), "zero" if numbers_c[i] == 0 else "primary")
    primary = {cell for cell, why in reasons.items() if why == "primary"}

    # 1b. percentages whose numerator is not shown: check the implied count
    for c, (num, base) in derived_map.items():
        if num is None and base is not None and (c in _PCT_LIKE or c.endswith(("_pct", "_share"))):
            pv, bv = column_numbers(c), column_numbers(base)
            implied = np.round(pv * bv / pct_scale)
            for i in np.flatnonzero(~np.isnan(pv) & ~np.isnan(bv) & _is_small(implied, k, suppress_zeros)).tolist():
                hide[i, col_order[c]] = True
                reasons[(i, c)] = "primary"

    # 2. secondary suppression among additive counts
    constraints = _constraints(tab, count_cols,
                               [c for c, dtype in zip(tab.columns, tab.dtypes) if c not in count_cols
                                and c not in derived_map and not _is_numeric_type(dtype)],
                               within_map, across_list, total_label)
    constraints += [[(int(i), str(c)) for i, c in cells] for cells in (public_sums or [])]
    # a sum that is itself a small count is hidden wherever it is published (the primary rule holds
    # for every count), so it is not public: cells need no protection against it
    constraints = [con for con in constraints if not small(sum(value(c) for c in con))]
    base_cols = {b for _, b in derived_map.values() if b is not None}
    if suppress_whole:
        for con in constraints:
            shown_values = [value(c) for c in con]
            if len(con) > 1 and sum(v > 0 for v in shown_values) == 1:
                whole = con[int(np.argmax(shown_values))]
                if whole not in hidden:
                    hidden.add(whole)
                    reasons[whole] = "class"

    sums = _Sums(constraints)
    values_now = {c: value(c) for con in constraints for c in con}

    def pick_partner(target: Cell) -> Cell | None:
        candidates = {c for r in sums.member.get(target, ()) for c in constraints[r] if c not in hidden}
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c[1] in base_cols, values_now[c], col_order[c[1]], c[0]))

    def interval(cell: Cell) -> tuple[float, float]:
        return _intervals(constraints, values_now, hidden, [cell], sums.member)[cell]

    stuck: set[Cell] = set()
    protected: set[Cell] = set()
    width = required_width(k, suppress_zeros)
    while secondary:
        # 2a. no hidden cell may follow exactly from the shown cells and the public sums
        exposed = [c for c in sums.determined(hidden) if c not in stuck]
        if exposed:
            pick = pick_partner(exposed[0])
            if pick is None:
                stuck.add(exposed[0])  # equals a public total on its own: nothing to hide it behind
            else:
                hidden.add(pick)
                reasons.setdefault(pick, "secondary")
            continue
        # 2b. bounds reasoning (counts are not negative) must leave every primary cell a range
        # at least k wide (its protection interval)
        # (hiding more cells only widens ranges, so a cell found wide enough stays so)
        narrow = None
        for cell in sorted(primary - protected - stuck):
            lo, hi = interval(cell)
            if hi - lo >= width:
                protected.add(cell)
            else:
                narrow = [cell]
                break
        if not narrow:
            break
        pick = pick_partner(narrow[0])
        if pick is None:
            stuck.add(narrow[0])
            continue
        hidden.add(pick)
        reasons.setdefault(pick, "secondary")

    # 2c. a small count that no further cell can protect (every cell of its sums is hidden and the
    # public totals still narrow it): hide every count of the table rather than publish it so
    if secondary and primary & stuck:
        if any(hi - lo < width for cell in primary & stuck for lo, hi in [interval(cell)]):
            for c in count_cols:
                for i in np.flatnonzero(tab[c].notna().to_numpy()).tolist():
                    if (i, c) not in hidden:
                        hidden.add((i, c))
                        reasons.setdefault((i, c), "secondary")

    for i, c in hidden:
        hide[i, col_order[c]] = True

    # 3. derived cells: base small or hidden, or numerator hidden (also when empty)
    for c, (num, base) in derived_map.items():
        column = hide[:, col_order[c]]  # a view: updated in place, column after column as declared
        if num is not None and num in col_order:
            column |= hide[:, col_order[num]]
        if base is not None and base in col_order:
            column |= hide[:, col_order[base]] | _is_small(column_numbers(base), k, suppress_zeros)
        for i in np.flatnonzero(column).tolist():
            reasons.setdefault((i, c), "derived")

    mask = pd.DataFrame(hide, index=tab.index, columns=tab.columns)
    return Published(tab, mask, count_columns=tuple(count_cols), reasons=reasons, constraints=constraints,
                     primary=primary | {c for c, why in reasons.items() if why == "zero"}, k=k,
                     zeros_hidden=suppress_zeros)


def required_width(k: int, zeros_hidden: bool) -> int:
    """How wide the range of a hidden small count must stay: as wide as what its marker says.

    "[c]" already tells that a count lies in 1..k-1 (0..k-1 when zeros are hidden too); the
    published tables together must not narrow it further, and never pin it (width 0).
    """
    return max(1, k - 1 if zeros_hidden else k - 2)


def protection_intervals(constraints: list[list[Cell]], values: dict[Cell, float], hidden: set[Cell],
                         targets: Sequence[Cell] | None = None) -> dict[Cell, tuple[float, float]]:
    """The range each hidden cell (of `targets`, default all) can take given the shown cells, the
    public sums and x >= 0.

    One linear programme per bound (scipy's HiGHS) over the public sums connected to the cell; a
    cell in no public sum is unbounded above.
    """
    return _intervals(constraints, values, hidden, targets)


#: Bounds already found, by linear programme (matrix, right-hand side, cell, direction): the rules
#: solve the same small programme again and again (a table and the tables derived from it).
_BOUNDS: dict[tuple[Any, ...], float] = {}
_BOUNDS_LIMIT = 4096


def _bound(a_eq: np.ndarray, b_eq: np.ndarray, j: int, sign: float) -> float:
    """The least (sign 1) or, negated, the greatest (sign -1) value of unknown `j` with A x = b, x >= 0."""
    from scipy.optimize import linprog

    key = (a_eq.shape, a_eq.tobytes(), b_eq.tobytes(), j, sign)
    if key not in _BOUNDS:
        objective = np.zeros(a_eq.shape[1])
        objective[j] = sign
        result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * a_eq.shape[1], method="highs")
        if result.status == 3:  # unbounded
            bound = np.inf if sign < 0 else 0.0
        else:
            bound = sign * result.fun
        if len(_BOUNDS) >= _BOUNDS_LIMIT:
            _BOUNDS.clear()
        _BOUNDS[key] = bound
    return _BOUNDS[key]


def _intervals(constraints: list[list[Cell]], values: dict[Cell, float], hidden: set[Cell],
               targets: Sequence[Cell] | None = None, member: Mapping[Cell, Sequence[int]] | None = None,
               connected: bool | None = None) -> dict[Cell, tuple[float, float]]:
    """:func:`protection_intervals`; `member` (the sums each cell is in, by position) saves the search
    for the sums connected to a single target; `connected=False` solves over every sum even then."""
    if connected is None:
        connected = targets is not None and len(targets) == 1
    if connected:
        # only the public sums connected to the target (through hidden cells) matter; a sum equal to
        # one already taken adds nothing (and is left out)
        if member is None:
            member = {}
            for r, con in enumerate(constraints):
                for c in con:
                    sums = member.setdefault(c, [])  # type: ignore[union-attr]
                    if not sums or sums[-1] != r:
                        sums.append(r)
        component, frontier, used, seen = {targets[0]}, [targets[0]], [], set()
        while frontier:
            cell = frontier.pop()
            for r in member.get(cell, ()):
                con = constraints[r]
                key = tuple(con)
                if key not in seen:
                    seen.add(key)
                    used.append(con)
                    for other in con:
                        if other in hidden and other not in component:
                            component.add(other)
                            frontier.append(other)
        constraints = used
    unknown = sorted({c for con in constraints for c in con if c in hidden})
    if not unknown:
        return {t: (0.0, np.inf) for t in (targets or [])}
    pos = {c: j for j, c in enumerate(unknown)}
    rows, rhs = [], []
    for con in constraints:
        row = np.zeros(len(unknown))
        total = sum(values[c] for c in con)
        for c in con:
            if c in pos:
                row[pos[c]] = 1.0
        if row.any():
            rows.append(row)
            rhs.append(total - sum(values[c] for c in con if c not in pos))
    a_eq, b_eq = np.array(rows), np.array(rhs)
    wanted = None if targets is None else set(targets)
    return {cell: (_bound(a_eq, b_eq, j, 1.0), _bound(a_eq, b_eq, j, -1.0))
            for cell, j in pos.items() if wanted is None or cell in wanted}


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
        numbers = {c: _numbers(values[c]) for c in {cell[1] for con in (constraints or []) for cell in con}}
        self._true = {cell: float(numbers[cell[1]][cell[0]]) for con in (constraints or []) for cell in con}
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
        # a cell of a row or column that is not published is hidden
        columns, n = set(self.values.columns), len(self.values)
        hidden = {(i, c) for (i, c) in self._true if c not in columns or i >= n or self._hidden_in(c)[i]}
        # the intervals over all the public sums, of the primary cells only (the others are not judged)
        bounds = _intervals(self.constraints, self._true, hidden, targets=sorted(self.primary & hidden),
                            connected=False)
        width = required_width(self.k, self.zeros_hidden)
        return [(cell, self._true[cell], lo, hi) for cell, (lo, hi) in sorted(bounds.items())
                if cell in self.primary and hi - lo < width]

    def disclosure_log(self) -> list[dict[str, Any]]:
        """One row per hidden cell: row (by position and label), column and reason."""
        label_cols = [c for c in self.values.columns if self.values[c].dtype == object][:2]
        rows = []
        for (i, c), why in sorted(self.reasons.items()):
            label = " / ".join(str(self._cells_of(lc)[i]) for lc in label_cols if not self._hidden_in(lc)[i])
            rows.append({"row": i, "row_label": label, "column": c, "reason": why})
        for i, c in zip(*np.nonzero(self.mask.to_numpy())):
            column = self.values.columns[c]
            if (int(i), column) not in self.reasons:
                rows.append({"row": int(i), "row_label": "", "column": column, "reason": "derived"})
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
