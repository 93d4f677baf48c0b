"""Tests of analysis.protection.suppression.suppress (small-cell protection).

Rules follow common statistical-disclosure-control practice (threshold rule with
primary and secondary cell suppression; Hundepool et al. 2012, "Statistical
Disclosure Control", Wiley, ch. 4 and 5).  The recoverability check is an
independent linear-algebra test: a hidden cell is recoverable from the shown
cells and the public totals iff its unit vector lies in the row space of the
constraint matrix restricted to the hidden cells (compared by matrix rank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import stats
from analysis.protection.disclosure import SUPPRESSED
from analysis.protection.suppression import suppress


def _recoverable(groups: list[list[tuple[int, str]]], hidden: set[tuple[int, str]]) -> list[tuple[int, str]]:
    """Hidden cells whose value follows from sums over ``groups`` (totals public) by
    adding and subtracting shown values.  Independent of the module's algorithm."""
    unknown = sorted(hidden)
    if not unknown:
        return []
    pos = {c: j for j, c in enumerate(unknown)}
    rows = []
    for g in groups:
        r = np.zeros(len(unknown))
        for c in g:
            if c in pos:
                r[pos[c]] = 1
        rows.append(r)
    a = np.array(rows) if rows else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(a) if a.size else 0
    out = []
    for c, j in pos.items():
        e = np.zeros(len(unknown))
        e[j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(c)
    return out


def _hidden(table: pd.DataFrame, cols: list[str]) -> set[tuple[int, str]]:
    return {(i, c) for c in cols for i in range(len(table)) if table[c].iloc[i] == SUPPRESSED}


# --------------------------------------------------------------------------- primary rule


def test_primary_suppression_blanks_counts_1_to_k_minus_1_but_keeps_rows_and_zeros() -> None:
    t = pd.DataFrame({"item": ["a", "b", "c", "d"], "count": [0, 1, 4, 5]})
    out = suppress(t, k=5).marked()
    assert len(out) == 4
    assert out["count"].tolist() == [0, SUPPRESSED, SUPPRESSED, 5]
    assert suppress(t, k=5, suppress_zeros=True).marked()["count"].tolist() == [SUPPRESSED] * 3 + [5]
    assert suppress(t, k=2).marked()["count"].tolist() == [0, SUPPRESSED, 4, 5]


def test_marker_is_visible_string_and_original_unchanged() -> None:
    t = pd.DataFrame({"item": ["a"], "n": [3], "pct": [33.3]})
    out = suppress(t).marked()
    assert SUPPRESSED == "[c]"
    assert out.loc[0, "n"] == SUPPRESSED and out.loc[0, "pct"] == SUPPRESSED
    assert t.loc[0, "n"] == 3  # input not modified


def test_percentages_and_intervals_with_small_base_are_suppressed() -> None:
    t = pd.DataFrame({"item": ["a", "b"], "n": [4, 50], "count": [0, 30],
                      "pct": [0.0, 60.0], "pct_low": [0.0, 46.0], "pct_high": [49.0, 72.0],
                      "mean": [2.0, 3.1]})
    out = suppress(t).marked()
    assert out.loc[0, ["n", "pct", "pct_low", "pct_high", "mean"]].tolist() == [SUPPRESSED] * 5
    assert out.loc[0, "count"] == 0  # zero is not disclosive by itself
    assert out.loc[1].tolist() == t.loc[1].tolist()


def test_percentage_with_suppressed_numerator_is_suppressed_top2_convention() -> None:
    t = pd.DataFrame({"item": ["q1"], "n": [40], "top2_count": [3], "top2_pct": [7.5],
                      "top2_low": [2.6], "top2_high": [19.9], "bottom2_count": [20],
                      "bottom2_pct": [50.0]})
    out = suppress(t).marked()
    assert out.loc[0, ["top2_count", "top2_pct", "top2_low", "top2_high"]].tolist() == [SUPPRESSED] * 4
    assert out.loc[0, "bottom2_pct"] == 50.0 and out.loc[0, "n"] == 40


def test_percentage_without_count_column_checked_via_implied_count() -> None:
    t = pd.DataFrame({"item": ["a", "b"], "n": [40, 40], "pct": [5.0, 50.0]})  # 2 and 20 people
    out = suppress(t).marked()
    assert out["pct"].tolist() == [SUPPRESSED, 50.0]


def test_explicit_declarations_override_convention() -> None:
    t = pd.DataFrame({"org": ["x", "y"], "officers": [3, 30], "share_twitter": [33.0, 50.0]})
    out = suppress(t, counts=["officers"], derived={"share_twitter": "officers"}).marked()
    assert out["officers"].tolist() == [SUPPRESSED, 30]
    assert out["share_twitter"].tolist() == [SUPPRESSED, 50.0]
    # without declarations nothing is recognised: the convention does not match these names
    assert suppress(t).marked()["officers"].tolist() == [3, 30]


def test_empty_table_returned_unchanged() -> None:
    t = pd.DataFrame({"item": [], "n": [], "count": []})
    out = suppress(t).marked()
    assert out.empty and list(out.columns) == ["item", "n", "count"]


# --------------------------------------------------------------------------- secondary rule


def test_single_suppressed_cell_in_group_gets_next_smallest_partner() -> None:
    """Hundepool et al. (2012) sec. 4.2: one hidden cell in a line with a known total
    is recovered by subtraction, so a second cell (the smallest) must be hidden."""
    t = pd.DataFrame({"item": ["q"] * 4, "code": [1, 2, 3, 4], "count": [2, 30, 9, 12],
                      "pct": [3.8, 56.6, 17.0, 22.6], "n": [53] * 4})
    out = suppress(t, within={"count": "item"}).marked()
    assert out["count"].tolist() == [SUPPRESSED, 30, SUPPRESSED, 12]
    assert out["pct"].tolist() == [SUPPRESSED, 56.6, SUPPRESSED, 22.6]
    groups = [[(i, "count") for i in range(4)]]
    assert _recoverable(groups, _hidden(out, ["count"])) == []
    # without the declaration the single cell would be recoverable: the check is able to fail
    naive = suppress(t, within={}).marked()
    assert _recoverable(groups, _hidden(naive, ["count"])) == [(0, "count")]


def test_wide_table_with_total_row_and_column_cannot_be_recomputed() -> None:
    t = pd.DataFrame({
        "organisation": ["A", "B", "C", "Total"],
        "agree_n": [20, 12, 9, 41],
        "neutral_n": [3, 10, 8, 21],
        "disagree_n": [15, 6, 11, 32],
        "n": [38, 28, 28, 94],
    })
    parts = ["agree_n", "neutral_n", "disagree_n"]
    out = suppress(t, across=[parts], within={c: [] for c in [*parts, "n"]}).marked()
    assert out.loc[0, "neutral_n"] == SUPPRESSED
    # every hidden count: totals (column n, row Total) are public
    groups = [[(i, c) for c in parts] for i in range(4)]
    groups += [[(i, c) for i in range(3)] for c in [*parts, "n"]]
    hidden = _hidden(out, [*parts, "n"])
    assert len(hidden) >= 4  # a hidden cell needs partners in its row and its column
    assert _recoverable(groups, hidden) == []


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 14), min_size=c, max_size=c), min_size=r, max_size=r))))
def test_property_no_suppressed_count_recomputable_in_two_way_long_table(cells: list[list[int]]) -> None:
    """For random two-way tables in the long form of stats.crosstab (counts add up within
    each column group and within each row category, totals public) no hidden count can be
    recomputed, and no shown percentage or interval gives a hidden count back."""
    rows = []
    for i, line in enumerate(cells):
        for j, v in enumerate(line):
            rows.append({"row": f"r{i}", "column": f"c{j}", "count": v})
    t = pd.DataFrame(rows)
    t["n"] = t.groupby("column")["count"].transform("sum")
    t["pct"] = 100 * t["count"] / t["n"].where(t["n"] > 0)
    t["pct_low"] = t["pct"] * 0.8
    t["pct_high"] = t["pct"] * 1.2
    out = suppress(t, within={"count": [["column"], ["row"]]}).marked()
    hidden = _hidden(out, ["count"])
    groups = [list(g) for g in
              ([(int(i), "count") for i in idx] for idx in t.groupby("column").indices.values())]
    groups += [[(int(i), "count") for i in idx] for idx in t.groupby("row").indices.values()]
    # a total that is itself a count of 1..4 is hidden wherever it is published (the primary rule),
    # so it is not public: only the other totals can be used against the hidden cells
    groups = [g for g in groups if not 0 < sum(t.loc[i, "count"] for i, _ in g) < 5]
    assert _recoverable(groups, hidden) == []
    # every count 1..4 is hidden, and percentages of hidden counts are hidden too
    assert all(out.loc[i, "count"] == SUPPRESSED for i in range(len(t)) if 0 < t.loc[i, "count"] < 5)
    for i, _ in hidden:
        assert (out.loc[i, ["pct", "pct_low", "pct_high"]] == SUPPRESSED).all()
    for i in range(len(t)):
        if 0 < t.loc[i, "n"] < 5:
            assert (out.loc[i, ["pct", "pct_low", "pct_high"]] == SUPPRESSED).all()


# --------------------------------------------------------------------------- with stats tables


def test_rating_distribution_attrs_drive_suppression() -> None:
    codes = [1] * 2 + [2] * 10 + [3] * 12 + [4] * 20 + [5] * 8 + [9] * 3
    df = pd.DataFrame({"q": pd.Categorical(codes, categories=[1, 2, 3, 4, 5, 9], ordered=True)})
    table = stats.rating_distribution(df, "q")
    out = suppress(table).marked()
    assert out.loc[0, "count"] == SUPPRESSED and out.loc[0, "pct"] == SUPPRESSED
    assert (out["count"] == SUPPRESSED).sum() == 2  # code 1 plus one partner (code 5: 8)
    assert out.loc[4, "count"] == SUPPRESSED
    # dont_know_n = 3 is hidden; with missing_n = 0 shown and n shown it must get a partner
    assert (out["dont_know_n"] == SUPPRESSED).all()
    assert (out["missing_n"] == SUPPRESSED).all()
    assert (out["n"] == 52).all()


def test_multi_select_mentions_pct_follows_its_count() -> None:
    df = pd.DataFrame({"a": [1.0] * 30 + [0.0] * 10, "b": [1.0] * 2 + [0.0] * 38,
                       "c": [1.0] * 20 + [0.0] * 20})
    out = suppress(stats.multi_select(df, ["a", "b", "c"])).marked()
    b = out[out["option"] == "b"].iloc[0]
    assert b["count"] == SUPPRESSED and b["mentions_pct"] == SUPPRESSED and b["pct"] == SUPPRESSED
    # counts add up to mentions_n (public), so a second option is hidden as well
    assert (out["count"] == SUPPRESSED).sum() == 2


def test_return_mask_marks_exactly_the_suppressed_cells() -> None:
    t = pd.DataFrame({"item": ["a", "b"], "count": [2, 9], "n": [20, 20]})
    pub = suppress(t)
    out, mask = pub.marked(), pub.mask
    assert mask.shape == t.shape
    assert ((out == SUPPRESSED) == mask).all().all()
    # numbers stay numbers: the values keep their dtype, hidden cells hold no value
    assert pd.api.types.is_integer_dtype(pub.values["count"].dtype)
    assert pub.values["count"].isna().tolist() == [True, False]
    assert pub.cell(1, "n") == 20 and str(pub.cell(0, "count")) == SUPPRESSED
