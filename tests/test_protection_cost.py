"""Protection's cost (issue 21): secondary cells hide the fewest respondents, no hidden cell could be
shown, and a rating mean or median is hidden only where it narrows a hidden small count.

The aim of the secondary choice is that of optimal cell suppression (Fischetti and Salazar 2000, JASA
95, 916-928; the "OPT" method of sdcTable's protectTable, https://rdrr.io/pkg/sdcTable/man/protectTable.html):
the fewest respondents hidden subject to every primary cell's protection. The optima below are worked
out by hand in the docstrings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import stats
from analysis.protection import publication
from analysis.protection.disclosure import is_hidden
from analysis.protection.exactness import required_width
from analysis.protection.rating_statistics import statistics_to_hide
from analysis.protection.rules import profile
from analysis.protection.suppression import suppress


def _two_way() -> pd.DataFrame:
    return pd.DataFrame({"row": ["A", "A", "A", "B", "B", "B"], "col": ["x", "y", "z"] * 2,
                         "count": [2, 30, 8, 9, 10, 40]})


def test_secondary_cells_of_a_two_way_table_hide_the_fewest_respondents():
    """Rows and columns add up (totals public). A x = 2 is small. Its column holds one other cell, B x = 9,
    which must be hidden; then row A and row B each need one more hidden cell, in the same column (a
    hidden cell alone in its column follows from the column total): y (30 + 10 = 40) or z (8 + 40 = 48).
    The optimum hides B x, A y and B y: 49 respondents. Hiding the smallest partner first (the earlier
    rule) picks A z = 8 and ends with 8 + 9 + 10 + 30 + 40 = 97."""
    pub = suppress(_two_way(), 5, counts=["count"], within={"count": [["row"], ["col"]]})
    secondary = sorted(cell for cell, why in pub.reasons.items() if why == "secondary")
    assert secondary == [(1, "count"), (3, "count"), (4, "count")]
    assert sum(pub._true[c] for c in secondary) == 49
    assert not pub.audit() and not pub.showable()


def test_a_secondary_cell_that_protects_nobody_is_shown():
    """One row adding up to a public total, a small 2 and three larger counts: one partner is enough, and
    the cheapest is the smallest (6): hiding 2 and 6 leaves 0..8 for the small count."""
    table = pd.DataFrame({"code": list("abcd"), "count": [2, 6, 7, 20]})
    pub = suppress(table, 5, counts=["count"], within={"count": []})
    assert sorted(pub.reasons.items()) == [((0, "count"), "primary"), ((1, "count"), "secondary")]
    assert not pub.showable()


def test_the_audit_finds_a_hidden_cell_that_could_be_shown():
    """The audit itself: a table whose secondary cells were picked by position (all three larger cells
    hidden behind the 2) protects the 2 just as well with any one of them shown."""
    table = pd.DataFrame({"code": list("abcd"), "count": [2, 6, 7, 20]})
    extra = pd.DataFrame(False, index=table.index, columns=table.columns)
    pub = suppress(table, 5, counts=["count"], within={"count": []}, secondary=False, extra_mask=extra)
    pub = pub.hide(np.array([False, True, True, True]), ["count"])
    for cell in [(1, "count"), (2, "count"), (3, "count")]:
        pub.reasons[cell] = "secondary"
    assert pub.showable() == [(1, "count"), (2, "count"), (3, "count")]


def _rating(counts: list[int], bottom2_public: bool):
    table = pd.DataFrame({"item": "q", "code": [1, 2, 3, 4, 5], "count": counts})
    sums = [[(0, "count"), (1, "count")]] if bottom2_public else []
    return suppress(table, 5, counts=["count"], within={"count": []}, public_sums=sums)


def test_a_mean_that_pins_a_hidden_small_count_is_hidden_and_the_median_is_shown():
    """The issue's example (usefulness for investigation: 1, 14, ... with the bottom-2 sum 15 public):
    the hidden 1 and 14 add up to 15, and the mean gives 1 x c1 + 2 x c2 = 29 (the shown codes known),
    which pins c1 = 1. The median (5: the top code holds more than half) says nothing about c1 or c2."""
    counts = [1, 14, 30, 100, 195]
    pub = _rating(counts, bottom2_public=True)
    assert pub.is_hidden(0, "count") and pub.is_hidden(1, "count")
    n = sum(counts)
    mean = float(np.dot(counts, [1, 2, 3, 4, 5])) / n
    assert statistics_to_hide(pub, range(5), [1, 2, 3, 4, 5], n, mean, 5.0) == {"mean"}
    assert statistics_to_hide(pub, range(5), [1, 2, 3, 4, 5], n, None, 5.0) == set()


def test_a_median_at_the_small_code_is_hidden():
    """Counts 4, 1, 0, 0, 0 (n = 5): the median is code 1, so at least 3 answers are 1; with the two
    lowest codes hidden behind their sum 5 that leaves c1 in 3..5 instead of 0..5 (4 is small)."""
    counts = [4, 1, 0, 0, 0]
    pub = _rating(counts, bottom2_public=True)
    assert pub.is_hidden(0, "count")
    assert statistics_to_hide(pub, range(5), [1, 2, 3, 4, 5], 5, None, 1.0) == {"median"}


def _attacker_range(summary: dict, distribution: pd.DataFrame, respondents: int, unknown: str) -> tuple[float, float]:
    """What a reader can work out for one hidden number of a rating item from the two published tables: the
    least and greatest value of `unknown` (c1..c5, n, dont_know_n, missing_n) by linear programme (scipy's HiGHS)
    over every published equation: the shown cells, codes adding up to n, n + don't know + missing = the
    respondents, and the top-2 and bottom-2 counts of the summary."""
    from scipy.optimize import linprog

    names = ["c1", "c2", "c3", "c4", "c5", "n", "dont_know_n", "missing_n"]
    rows, rhs = [], []

    def equation(weights: dict[str, float], value: float) -> None:
        rows.append([weights.get(name, 0.0) for name in names])
        rhs.append(value)

    equation({"c1": 1, "c2": 1, "c3": 1, "c4": 1, "c5": 1, "n": -1}, 0)
    equation({"n": 1, "dont_know_n": 1, "missing_n": 1}, respondents)
    for code, row in zip(range(1, 6), distribution.to_dict("records")):
        if not is_hidden(row["count"]):
            equation({f"c{code}": 1}, float(row["count"]))
    for column in ("n", "dont_know_n", "missing_n"):
        if not is_hidden(summary[column]):
            equation({column: 1}, float(summary[column]))
    for column, codes in (("top2_count", ("c4", "c5")), ("bottom2_count", ("c1", "c2"))):
        if not is_hidden(summary[column]):
            equation(dict.fromkeys(codes, 1.0), float(summary[column]))
    bounds = []
    for sign in (1.0, -1.0):
        objective = [sign if name == unknown else 0.0 for name in names]
        result = linprog(objective, A_eq=rows, b_eq=rhs, bounds=[(0, None)] * len(names), method="highs")
        bounds.append(sign * result.fun)
    return bounds[0], bounds[1]


def test_a_hidden_n_does_not_hide_dont_know_and_missing_that_the_box_counts_give_back():
    """Found on a 30-respondent sample of the bundled export (item opp_events): don't know 1 and missing 1,
    both small, were protected by hiding n, while the summary showed top-2 (23) and bottom-2 (5) and the
    distribution the middle code (0). n = 23 + 5 + 0 = 28, so don't know + missing = 30 - 28 = 2: both hidden
    small counts narrowed to 0..2, narrower than their marker (1..4) allows."""
    values = [1.0] * 2 + [2.0] * 3 + [4.0] * 11 + [5.0] * 12 + [9.0, np.nan]
    frame = pd.DataFrame({"q": values})
    summary_pub, distribution_pub = publication.rating_grid(stats.rating_summary(frame, ["q"]),
                                                            stats.rating_distribution(frame, ["q"]),
                                                            [1, 2, 3, 4, 5], profile("standard", 5))
    summary, distribution = summary_pub.marked().iloc[0].to_dict(), distribution_pub.marked()
    assert is_hidden(summary["dont_know_n"]) and is_hidden(summary["missing_n"])
    for unknown in ("dont_know_n", "missing_n"):
        low, high = _attacker_range(summary, distribution, len(values), unknown)
        assert high - low >= required_width(5, False), (unknown, low, high)


def test_the_mean_stays_hidden_where_n_links_the_codes_to_dont_know_and_missing():
    """Found on a 30-respondent sample (item bar_embedding): codes 2, 4, 5 shown (0, 12, 8), n = 27 shown, don't
    know and missing small and hidden, the bottom-2 count hidden. The codes add up to n, so c1 + c3 = 7, and the
    mean (3.963 x 27 = 107) gives c1 + 3 c3 = 19: c1 = 1, pinned. The audit must see n through the sum that
    declares the codes with don't know and missing (n + don't know + missing = the respondents)."""
    values = [1.0] + [3.0] * 6 + [4.0] * 12 + [5.0] * 8 + [9.0] * 2 + [np.nan]
    frame = pd.DataFrame({"q": values})
    summary_pub, _ = publication.rating_grid(stats.rating_summary(frame, ["q"]),
                                             stats.rating_distribution(frame, ["q"]), [1, 2, 3, 4, 5],
                                             profile("standard", 5))
    summary = summary_pub.marked().iloc[0]
    assert not is_hidden(summary["n"]) and is_hidden(summary["bottom2_count"])
    assert is_hidden(summary["mean"])
