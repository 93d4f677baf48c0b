"""The array-based suppression (issue 12, speed) makes the decisions of the cell-by-cell version.

References, each independent of the code under test:

* ``tests/reference/suppression_482b10f.csv``: the disclosure log (every hidden cell and its
  reason) and the protection interval of every hidden count of the tables built by
  :func:`_cases`, written by the cell-by-cell implementation of ``analysis.protection.disclosure`` and
  ``analysis.protection.publication`` at commit 482b10f (pandas ``.at`` per cell, one linear programme per
  bound and cell) with ``python tests/test_disclosure_arrays.py`` on that commit. The cases hold
  small tables and large ones (24 items, a 12 x 9 two-way table) with many tied counts, so that the
  order in which secondary cells are picked (smallest first, ties by column and row) is exercised.
* pandas itself (``Series.iloc``, ``astype`` and ``.loc`` assignment) for the cells that
  :class:`~analysis.protection.disclosure.Published` reads from arrays.
* the rank test of ``tests/test_disclosure.py`` (a hidden cell follows from the public sums iff its
  unit vector is in their row space) for the matrix of :class:`~analysis.protection.exactness.Sums`.
* enumeration of every non-negative integer solution (small tables), and scipy's ``linprog`` called
  directly on the whole system (large tables), for the protection intervals.
"""
from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.protection import publication
from analysis.protection.rules import Rules, profile
from analysis import stats
from analysis.protection.disclosure import Published
from analysis.protection.exactness import Sums, protection_intervals
from analysis.protection.suppression import suppress

REFERENCE = Path(__file__).parent / "reference" / "suppression_482b10f.csv"
FIELDS = ["case", "kind", "row", "column", "reason", "row_label", "low", "high"]


# --------------------------------------------------------------------------- the cases

def _ratings(items: int, respondents: int, seed: int) -> pd.DataFrame:
    """Answers 1-5 (9 = don't know, empty = missing), skewed per item, so that small and tied
    counts are common."""
    rng = np.random.default_rng(seed)
    codes = np.array([1, 2, 3, 4, 5, 9, np.nan])
    frame = {}
    for i in range(items):
        weights = rng.dirichlet(np.full(len(codes), 0.6))
        frame[f"q{i:02d}"] = rng.choice(codes, size=respondents, p=weights)
    return pd.DataFrame(frame)


def _rating_case(items: int, respondents: int, seed: int, rules: Rules) -> dict[str, Published]:
    frame = _ratings(items, respondents, seed)
    columns = list(frame.columns)
    summary = stats.rating_summary(frame, columns)
    distribution = stats.rating_distribution(frame, columns)
    summary_pub, distribution_pub = publication.rating_grid(summary, distribution, [1, 2, 3, 4, 5], rules)
    return {"summary": summary_pub, "distribution": distribution_pub}


def _two_way(rows: int, columns: int, seed: int) -> pd.DataFrame:
    """A long two-way table (both margins public) with many tied and small counts."""
    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15], size=(rows, columns))
    return pd.DataFrame([{"row": f"r{r}", "column": f"c{c}", "count": int(counts[r, c])}
                         for r in range(rows) for c in range(columns)])


def _wide(seed: int) -> pd.DataFrame:
    """A wide table with a total row and a total column (both public)."""
    rng = np.random.default_rng(seed)
    parts = rng.choice([0, 1, 2, 3, 4, 7, 12, 20], size=(9, 3))
    table = pd.DataFrame(parts, columns=["agree_n", "neutral_n", "disagree_n"])
    table.insert(0, "organisation", [f"org{i}" for i in range(len(table))])
    table["n"] = table[["agree_n", "neutral_n", "disagree_n"]].sum(axis=1)
    total = table.drop(columns="organisation").sum().to_dict()
    table = pd.concat([table, pd.DataFrame([{"organisation": "Total", **total}])], ignore_index=True)
    table["agree_pct"] = 100 * table["agree_n"] / table["n"].where(table["n"] > 0)
    return table


def _shares(groups: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = rng.choice([3, 6, 8, 11, 11, 25, 40], size=groups)
    count = np.array([rng.integers(0, m + 1) for m in n])
    return pd.DataFrame({"group": [f"g{i}" for i in range(groups)], "coarse": [f"c{i % 3}" for i in range(groups)],
                         "n": n, "count": count, "pct": 100 * count / n})


def _cases() -> dict[str, Published]:
    """Every table of the reference, by case name."""
    standard, strict = profile("standard"), profile("strict")
    out: dict[str, Published] = {}
    for name, (items, respondents, seed, rules) in {
        "ratings_small": (3, 25, 1, standard),
        "ratings_large": (24, 400, 2, standard),
        "ratings_large_strict": (24, 400, 3, strict),
    }.items():
        for part, pub in _rating_case(items, respondents, seed, rules).items():
            out[f"{name}/{part}"] = pub
    for name, (rows, columns, seed, k) in {"two_way_small": (3, 3, 4, 5), "two_way_large": (12, 9, 5, 5),
                                           "two_way_large_k10": (12, 9, 6, 10)}.items():
        out[name] = suppress(_two_way(rows, columns, seed), k, within={"count": [["column"], ["row"]]})
    parts = ["agree_n", "neutral_n", "disagree_n"]
    for seed in (7, 8):
        out[f"wide_{seed}"] = suppress(_wide(seed), across=[parts], within={c: [] for c in [*parts, "n"]},
                                       derived={"agree_pct": ("agree_n", "n")})
        out[f"wide_strict_{seed}"] = suppress(_wide(seed), 10, across=[parts], suppress_zeros=True,
                                              suppress_whole=True, within={c: [] for c in [*parts, "n"]})
    shares = _shares(30, 9)
    out["shares_by_group"] = publication.shares_by_group(shares, standard, coarse=True)
    out["shares_by_group_strict"] = publication.shares_by_group(shares, strict, coarse=True)
    out["multi_select"] = publication.multi_select_options(shares.drop(columns="coarse"), standard)
    out["implied_pct"] = suppress(shares[["group", "n", "pct"]], within={})  # no count column: implied count
    return out


def _record(cases: dict[str, Published]) -> list[dict[str, str]]:
    """The disclosure log and the protection interval of every hidden count in a public sum."""
    rows = []
    for name, pub in cases.items():
        for entry in pub.disclosure_log():
            rows.append({"case": name, "kind": "log", "row": str(entry["row"]), "column": entry["column"],
                         "reason": entry["reason"], "row_label": entry["row_label"], "low": "", "high": ""})
        hidden = {(i, c) for (i, c) in pub._true
                  if c not in pub.values.columns or i >= len(pub) or pub.mask.at[i, c]}
        for (i, c) in sorted(hidden):
            low, high = protection_intervals(pub.constraints, pub._true, hidden, targets=[(i, c)])[(i, c)]
            rows.append({"case": name, "kind": "interval", "row": str(i), "column": c, "reason": "",
                         "row_label": "", "low": repr(float(low)), "high": repr(float(high))})
        for (i, c), value, low, high in pub.audit():
            rows.append({"case": name, "kind": "audit", "row": str(i), "column": c, "reason": repr(value),
                         "row_label": "", "low": repr(float(low)), "high": repr(float(high))})
    return rows


# --------------------------------------------------------------------------- the tests

def test_decisions_match_the_cell_by_cell_implementation() -> None:
    """Same primary cells, reasons and audit as commit 482b10f (reference file); the secondary cells
    differ by design (issue 21): they are chosen to hide the fewest respondents, so in every case they
    hide no more respondents than the reference's smallest-first choice, and no hidden cell could be shown;
    a rating mean or median is hidden only where the reference hid it too (and it narrows a small count).
    One reference choice protected too little: item q02 of the strict ratings hid n (394) behind don't know (6)
    and missing (0) while top-2, bottom-2 and the middle were public, so n was their sum and don't know +
    missing = 400 - 394 (a range of 6 where 9 is required); hiding its bottom-2 count (99) closes that."""
    with REFERENCE.open(newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    cases = _cases()
    got = _record(cases)
    # (the audit rows: wide tables with a total row, where the published totals narrow a hidden count)
    assert len(expected) > 500 and {r["kind"] for r in expected} == {"log", "interval", "audit"}
    assert {r["reason"] for r in expected if r["kind"] == "log"} >= {"primary", "secondary", "derived", "zero",
                                                                      "class", "linked"}
    def fixed(r: dict[str, str]) -> bool:  # a mean or median is now hidden only where it narrows a small count
        return r["kind"] == "audit" or (r["kind"] == "log" and r["reason"] in ("primary", "zero", "class", "linked")
                                        and r["column"] not in ("mean", "median"))
    assert [r for r in got if fixed(r)] == [r for r in expected if fixed(r)]
    def hidden_statistics(rows: list[dict[str, str]]) -> set[tuple[str, str, str]]:
        return {(r["case"], r["row"], r["column"]) for r in rows
                if r["kind"] == "log" and r["column"] in ("mean", "median")}
    assert hidden_statistics(got) and hidden_statistics(got) < hidden_statistics(expected)
    fewer = 0
    for name, pub in cases.items():
        before = [(int(r["row"]), r["column"]) for r in expected
                  if r["case"] == name and r["kind"] == "log" and r["reason"] == "secondary"]
        now = [cell for cell, why in pub.reasons.items() if why == "secondary"]
        cost_before = sum(pub._true.get(cell, 0.0) for cell in before)
        closed = {"ratings_large_strict/summary": 99.0}.get(name, 0.0)  # the cost of closing the leak above
        assert sum(pub._true.get(cell, 0.0) for cell in now) <= cost_before + closed, name
        fewer += sum(pub._true.get(cell, 0.0) for cell in now) < cost_before
        assert not pub.showable(), name
    assert fewer >= 5


def _reference_published(values: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """Published values the way pandas makes them column by column (``astype``, then ``.loc``)."""
    values = values.reset_index(drop=True).copy()
    mask = mask.reset_index(drop=True).reindex(columns=values.columns, fill_value=False).astype(bool)
    for c in values.columns:
        if not mask[c].any():
            continue
        if pd.api.types.is_integer_dtype(values[c].dtype):
            values[c] = values[c].astype("Int64")
        elif pd.api.types.is_bool_dtype(values[c].dtype):
            values[c] = values[c].astype("boolean")
        elif not pd.api.types.is_numeric_dtype(values[c].dtype):
            values[c] = values[c].astype(object)
        values.loc[mask[c], c] = None if values[c].dtype == object else np.nan
    return values


def _every_dtype(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    return pd.DataFrame({
        "int": rng.integers(0, 9, n), "float": rng.random(n), "float32": rng.random(n).astype("float32"),
        "bool": rng.random(n) > .5, "Int64": pd.array(rng.choice([1, 2, None], n), dtype="Int64"),
        "boolean": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "Float64": pd.array(rng.choice([1.5, 2.0, None], n), dtype="Float64"),
        "text": rng.choice(["a", "b"], n), "text_na": rng.choice(["a", None], n),
        "object": pd.Series(rng.choice([1, "x", None, 2.5], n), dtype=object),
        "category": pd.Categorical(rng.choice(["x", "y"], n)), "date": pd.date_range("2011-01-01", periods=n),
    }, index=range(5, 5 + n))


@pytest.mark.parametrize("n", [4, 300])
def test_cells_are_read_as_pandas_reads_them(n: int) -> None:
    """Reference: pandas (``astype`` and ``.loc``; ``Series.iloc`` for one cell; the mask beside)."""
    values = _every_dtype(n)
    rng = np.random.default_rng(n + 1)
    for share in (0.0, 0.3, 1.0):
        mask = pd.DataFrame(rng.random(values.shape) < share, index=values.index, columns=values.columns)
        pub = Published(values, mask, reasons={(i, c): "linked" for i in range(n) for c in values.columns
                                               if mask.iloc[i][c]})
        expected = _reference_published(values, mask)
        pd.testing.assert_frame_equal(pub.values, expected, check_exact=True)
        assert pub.mask.equals(mask.reset_index(drop=True))
        for c in values.columns:
            column = [("HIDDEN",) if mask.iloc[i][c] else (type(v).__name__, repr(v))
                      for i in range(n) for v in [expected[c].iloc[i]]]
            assert [("HIDDEN",) if pub.is_hidden(i, c) else (type(v).__name__, repr(None if v is pd.NA else v))
                    for i in range(n) for v in [pub.cell(i, c)]] == \
                [cell if cell == ("HIDDEN",) else (("NoneType", "None") if cell[1] == "<NA>" else cell)
                 for cell in column]
        marked = expected.copy()
        for c in marked.columns:
            if mask[c].any():
                marked[c] = marked[c].astype(object)
                marked.loc[mask[c].to_numpy(), c] = "[c]"
        pd.testing.assert_frame_equal(pub.marked(), marked, check_exact=True)
        labels = [c for c in expected.columns if expected[c].dtype == object][:2]
        assert [e["row_label"] for e in pub.disclosure_log()][:n] == [
            " / ".join(str(expected.at[i, lc]) for lc in labels if not mask.iloc[i][lc])
            for (i, _c) in sorted(pub.reasons)][:n]


def _rank_determined(constraints: list[list[tuple[int, str]]], hidden: set[tuple[int, str]]) -> list:
    """A hidden cell follows from the public sums iff its unit vector is in their row space."""
    unknown = sorted({c for con in constraints for c in con if c in hidden})
    if not unknown:
        return []
    a = np.array([[1.0 if u in con else 0.0 for u in unknown] for con in constraints]).reshape(-1, len(unknown))
    rank = np.linalg.matrix_rank(a) if a.size else 0
    return [u for j, u in enumerate(unknown)
            if np.linalg.matrix_rank(np.vstack([a, np.eye(len(unknown))[j]])) == rank]


@pytest.mark.parametrize("rows,columns", [(2, 3), (12, 9)])
def test_determined_cells_match_the_rank_test(rows: int, columns: int) -> None:
    cells = [[(r * columns + c, "count") for c in range(columns)] for r in range(rows)]
    constraints = cells + [list(col) for col in zip(*cells)] + [cells[0]]  # a repeated sum as well
    sums = Sums(constraints)
    rng = np.random.default_rng(rows)
    everything = [c for row in cells for c in row]
    for share in (0.1, 0.3, 0.6, 0.9):
        for _ in range(5):
            hidden = {c for c in everything if rng.random() < share}
            assert sums.determined(hidden) == _rank_determined(constraints, hidden)


def _enumerated_bounds(constraints, values, hidden) -> dict:
    """The least and greatest value of each hidden cell over every non-negative integer filling of
    the hidden cells that keeps the public sums."""
    unknown = sorted({c for con in constraints for c in con if c in hidden})
    # no hidden cell exceeds what a sum it is in leaves for its hidden cells
    rest = [sum(values[c] for c in con if c in hidden) for con in constraints]
    top = [int(min(r for con, r in zip(constraints, rest) if u in con)) for u in unknown]
    position = {u: j for j, u in enumerate(unknown)}
    sums = [([position[c] for c in con if c in hidden], r) for con, r in zip(constraints, rest)]
    seen = [filling for filling in itertools.product(*(range(t + 1) for t in top))
            if all(sum(filling[j] for j in cells) == r for cells, r in sums)]
    return {u: (float(min(f[j] for f in seen)), float(max(f[j] for f in seen))) for u, j in position.items()}


def test_protection_intervals_match_enumeration_on_a_small_table() -> None:
    """A 3 x 3 two-way table (totally unimodular: the LP bounds are the integer bounds)."""
    table = pd.DataFrame({"row": list("aaabbbccc"), "column": list("xyzxyzxyz"), "count": [1, 3, 2, 6, 1, 2, 2, 5, 1]})
    pub = suppress(table, within={"count": [["column"], ["row"]]})
    suppressed = {c for c in pub._true if pub.mask.at[c[0], c[1]]}
    rectangle = {(0, "count"), (1, "count"), (3, "count"), (4, "count")}  # rows a, b x columns x, y
    narrowest = []
    for hidden in (suppressed, rectangle, {(0, "count"), (3, "count")}):
        expected = _enumerated_bounds(pub.constraints, pub._true, hidden)
        for cell in sorted(hidden):
            assert protection_intervals(pub.constraints, pub._true, hidden, targets=[cell])[cell] == expected[cell]
        assert protection_intervals(pub.constraints, pub._true, hidden) == expected
        narrowest.append(min(high - low for low, high in expected.values()))
    assert len(suppressed) >= 6 and narrowest == [3.0, 4.0, 0.0]  # a pinned cell too: the check can fail


def test_protection_intervals_match_linprog_on_a_large_table() -> None:
    """scipy ``linprog`` (HiGHS) called directly on the whole system, one cell and bound at a time."""
    from scipy.optimize import linprog

    pub = suppress(_two_way(12, 9, 5), within={"count": [["column"], ["row"]]})
    hidden = {c for c in pub._true if pub.mask.at[c[0], c[1]]}
    unknown = sorted(hidden)
    a = np.array([[1.0 if u in con else 0.0 for u in unknown] for con in pub.constraints])
    b = np.array([sum(pub._true[c] for c in con if c not in hidden) for con in pub.constraints])
    b = np.array([sum(pub._true[c] for c in con) for con in pub.constraints]) - b
    keep = a.any(axis=1)
    assert len(unknown) > 20
    for twice in range(2):  # the second time from the bounds already found
        for j, cell in enumerate(unknown):
            low = linprog(np.eye(len(unknown))[j], A_eq=a[keep], b_eq=b[keep], bounds=(0, None), method="highs").fun
            high = -linprog(-np.eye(len(unknown))[j], A_eq=a[keep], b_eq=b[keep], bounds=(0, None), method="highs").fun
            got = protection_intervals(pub.constraints, pub._true, hidden, targets=[cell])[cell]
            assert got == pytest.approx((low, high), abs=1e-7)


if __name__ == "__main__":  # write the reference file (run on the commit the reference is named after)
    with REFERENCE.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_record(_cases()))
    print(f"wrote {REFERENCE}", file=sys.stderr)
