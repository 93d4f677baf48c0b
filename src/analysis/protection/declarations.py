"""How a table declares its structure to the small-cell rule: which columns are counts, which
statistics rest on which counts, and which sums of counts are public.

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
``derived`` declarations in ``table.attrs["disclosure"]``;
:func:`~analysis.protection.suppression.suppress` uses them for any argument not given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_DERIVED_EXACT = {"pct", "share", "low", "high", "mean", "median", "sd", "n_eff", "deff"}
_DERIVED_SUFFIXES = ("_pct", "_share", "_low", "_high", "_mean", "_median")
#: Derived statistics that are shares of their base (a percentage or a proportion).
PCT_LIKE = ("pct", "share")

#: A cell of a table: (row position, column).
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
    if stem not in PCT_LIKE:
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


def as_floats(series: pd.Series) -> np.ndarray:
    """A column as floats: what ``pd.to_numeric(errors="coerce")`` makes of each cell (NaN where none)."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
        return series.to_numpy(dtype=float)
    try:
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):  # a column type to_numeric does not take whole: cell by cell
        return np.array([pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0] for v in series], dtype=float)


def is_small(values: np.ndarray | float, k: int, zeros: bool) -> np.ndarray | bool:
    """Counts from 1 to k - 1 (0 to k - 1 with `zeros`); NaN is not small."""
    return ((values >= 0) if zeros else (values > 0)) & (values < k)


@dataclass(frozen=True)
class Declarations:
    """One table's declared structure, with the naming convention filling in what is not declared."""

    counts: list[str]
    derived: dict[str, tuple[str | None, str | None]]
    within: dict[str, Any]
    across: list[Sequence[str]]
    #: text columns that are neither counts nor derived: the row labels (``total_label`` is looked for there)
    labels: list[str]

    @property
    def base_columns(self) -> set[str]:
        """The count columns that serve as a base for a derived statistic."""
        return {b for _, b in self.derived.values() if b is not None}


def read_declarations(table: pd.DataFrame, counts: Sequence[str] | None, derived: Mapping[str, Any] | None,
                      within: Mapping[str, Any] | None, across: Sequence[Sequence[str]] | None) -> Declarations:
    """The declarations given, else those in ``table.attrs["disclosure"]``, else the naming convention."""
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
    labels = [c for c, dtype in zip(table.columns, table.dtypes)
              if c not in count_cols and c not in derived_map and not _is_numeric_type(dtype)]
    return Declarations(count_cols, derived_map, dict(within if within is not None else spec.get("within", {})),
                        list(across if across is not None else spec.get("across", [])), labels)


def declared_sums(table: pd.DataFrame, declared: Declarations, total_label: Any) -> list[list[Cell]]:
    """Sets of count cells whose sum is public (by ``within``, then by ``across``)."""
    out: list[list[Cell]] = []
    positions = np.arange(len(table))
    for col, keys in declared.within.items():
        if col not in table.columns:
            continue
        for fam in _families(keys):
            others = [c for c in declared.labels if c not in fam]
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
    for cols in declared.across:
        cols = [c for c in cols if c in table.columns]
        if not cols:
            continue
        shown = np.column_stack([~pd.isna(table[c].to_numpy()) for c in cols]).tolist()
        for i, row in enumerate(shown):
            cells = [(i, c) for c, ok in zip(cols, row) if ok]
            if cells:
                out.append(cells)
    return out
