"""The rules for tables that are published together, in one place.

:func:`analysis.protection.suppression.suppress` protects one table. A chapter publishes several tables and
sentences from the same respondents, and a hidden cell of one can be solved from another: a
rating distribution from its top-2/bottom-2 sums, a count from its complement, a small count from
an exact test statistic or p-value, a hidden rating from the mean. Every theme protects what it
publishes through these functions, which return :class:`~analysis.protection.disclosure.Published` tables.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.protection.declarations import as_floats
from analysis.protection.disclosure import Published, is_hidden
from analysis.protection.exactness import required_width
from analysis.protection.rating_statistics import statistics_to_hide
from analysis.protection.rules import Rules
from analysis.protection.suppression import suppress


def _suppress(table: pd.DataFrame, rules: Rules, **declarations: Any) -> Published:
    return suppress(table, rules.k, suppress_zeros=rules.zeros, suppress_whole=rules.whole, **declarations)


def small_or_hidden(pub: Published, counts: Sequence[str], k: int, zeros: bool = False) -> np.ndarray:
    """Rows where one of `counts` is hidden, or shown but between 1 and k - 1."""
    rows = np.zeros(len(pub), dtype=bool)
    for column in counts:
        if column not in pub:
            continue
        values = pd.to_numeric(pub.values[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        low = (values >= 0) if zeros else (values > 0)
        rows |= pub.mask[column].to_numpy() | (low & (values < k))
    return rows


def protect_tests(pub: Published, counts: Sequence[str], statistics: Sequence[str], rules: Rules | int) -> Published:
    """Hide test statistics, p-values and effect sizes in rows where a count is hidden or below k.

    An exact test statistic computed from a small cell can be inverted to recover the cell.
    """
    rules = rules if isinstance(rules, Rules) else Rules(k=rules)
    return pub.hide(small_or_hidden(pub, counts, rules.k, rules.zeros), [c for c in statistics if c in pub])


def rating_grid(summary: pd.DataFrame, distribution: pd.DataFrame, scale: Sequence[Any],
                rules: Rules) -> tuple[Published, Published]:
    """A rating grid's summary and distribution, protected together.

    The summary's top-2 and bottom-2 counts are sums of distribution cells, and n minus both is the
    middle category. Where the summary shows a box count, its sum is declared public while the
    distribution is suppressed; where it hides one, the hidden box count joins the distribution's
    suppression as an unpublished cell (box + the item's other codes = n), so the distribution
    cannot give it back (n minus the shown codes outside the box). n itself is such a sum (the codes,
    or the boxes and the middle), so a hidden n protects nothing where those are public: every sum that
    adds up to n is declared with the item's don't know and missing, adding up to the respondents
    (n + don't know + missing), which keeps a hidden n from hiding them. The mean times n is the sum of
    code times count, and the median bounds the cumulative counts: next to a hidden count of its item
    each is shown only where it narrows no hidden small count (:mod:`~analysis.protection.rating_statistics`).
    """
    summary = summary.copy()
    summary["middle_count"] = summary["n"] - summary["top2_count"] - summary["bottom2_count"]
    # the boxes and the middle add up to n, so with don't know and missing to the respondents; a middle of
    # zero is published as such (the distribution shows its code), so it cannot hide them
    zero_middle = (as_floats(summary["middle_count"]) == 0) & (not rules.zeros)
    outside = [[(i, c) for c in ("top2_count", "bottom2_count", "dont_know_n", "missing_n") if c in summary]
               for i in np.flatnonzero(zero_middle).tolist()]
    summary_pub = _suppress(summary, rules, across=[["n", "dont_know_n", "missing_n"],
                                                    ["top2_count", "bottom2_count", "middle_count", "dont_know_n",
                                                     "missing_n"]],
                            public_sums=outside)
    summary_pub = summary_pub.drop(["middle_count"])
    distribution_pub = _rating_distribution(distribution, summary_pub, list(scale), rules)
    # the mean and the median are further equations (or inequalities) in the counts: each is hidden
    # next to a hidden count of its item where it narrows a hidden small count
    return _rating_statistics(summary_pub, distribution_pub, list(scale)), distribution_pub


def _rating_statistics(summary_pub: Published, distribution_pub: Published, scale: list[Any]) -> Published:
    """The summary with each item's mean and median hidden where they narrow a hidden small count of its
    distribution (:func:`~analysis.protection.rating_statistics.statistics_to_hide`)."""
    items = distribution_pub.values["item"].to_numpy(dtype=object)
    codes = list(distribution_pub.values["code"].array)
    hidden_items = set(distribution_pub.values.loc[distribution_pub.mask["count"], "item"])
    for position, item in enumerate(summary_pub.values["item"]):
        if item not in hidden_items:
            continue
        rows = sorted(np.flatnonzero(items == item).tolist(), key=lambda r: scale.index(codes[r]))
        shown = {c: _number(summary_pub.cell(position, c)) for c in ("n", "mean", "median") if c in summary_pub}
        if shown.get("n") is None:
            continue
        hide = statistics_to_hide(distribution_pub, rows, [float(codes[r]) for r in rows], shown["n"],
                                  shown.get("mean"), shown.get("median"))
        where = np.arange(len(summary_pub)) == position
        summary_pub = summary_pub.hide(where, sorted(hide)) if hide else summary_pub
    return summary_pub


def _number(value: Any) -> float | None:
    return None if value is None or is_hidden(value) or pd.isna(value) else float(value)


def _rating_distribution(distribution: pd.DataFrame, summary_pub: Published, scale: list[Any],
                         rules: Rules) -> Published:
    """The distribution of a rating grid, suppressed with the box counts its summary publishes or hides."""
    table = distribution.reset_index(drop=True).copy()
    table["top_box"] = table["code"].isin(scale[-2:])
    table["bottom_box"] = table["code"].isin(scale[:2])
    published_rows = len(table)
    boxes = {"top2_count": scale[-2:], "bottom2_count": scale[:2]}
    sums: list[list[tuple[int, str]]] = []
    unpublished, linked = [], []
    summary_rows = {item: position for position, item in enumerate(summary_pub.values["item"])}
    items, item_codes = table["item"].to_numpy(dtype=object), list(table["code"].array)
    for item in table["item"].unique():
        rows = np.flatnonzero(items == item).tolist()
        position = summary_rows.get(item)
        # the codes add up to n: with the item's don't know and missing, to the respondents (n may be hidden)
        rest = [(rows[0], c) for c in ("dont_know_n", "missing_n") if c in table.columns]
        sums.append([(i, "count") for i in rows] + rest)
        for column, codes in boxes.items():
            inside = [i for i in rows if item_codes[i] in codes]
            if position is None or not summary_pub.is_hidden(position, column):
                sums.append([(i, "count") for i in inside])  # the box count is shown: a public sum
                continue
            # hidden in the summary: an unpublished cell, with the codes outside the box adding up to n
            box = published_rows + len(unpublished)
            value = summary_pub._true[(position, column)] if (position, column) in summary_pub._true \
                else float(table.loc[inside, "count"].sum())
            unpublished.append({"item": item, "code": column, "count": value})
            sums.append([(box, "count")] + [(i, "count") for i in rows if i not in inside] + rest)
            if not 0 < value < rules.k and not (rules.zeros and value == 0):
                linked.append(box)  # hidden for another reason than its size: hidden all the same
    table = pd.concat([table, pd.DataFrame(unpublished, columns=["item", "code", "count"])], ignore_index=True) \
        if unpublished else table
    extra = pd.DataFrame(False, index=table.index, columns=table.columns)
    extra.loc[linked, "count"] = True
    pub = _suppress(table, rules, within={}, across=[["n", "dont_know_n", "missing_n"]], public_sums=sums,
                    extra_mask=extra)
    return pub.take(range(published_rows)) if unpublished else pub


def pairwise_ratings(pairs: pd.DataFrame, rules: Rules) -> Published:
    """Pairwise Wilcoxon tests: counts suppressed, tests next to a small count hidden.

    The medians of the pair's respondents are left out of the published table: on a subset other
    than the grid's summary they are further inequalities in counts the grid hides (the test and
    effect size say which item is rated higher), and a column hidden in every row is not published.
    """
    pub = _suppress(pairs.drop(columns=["median_a", "median_b"], errors="ignore"), rules, counts=["n", "n_nonzero"],
                    within={}, across=[])
    return protect_tests(pub, ["n", "n_nonzero"], ["statistic", "p", "p_holm", "rank_biserial", "p_greater", "p_less"],
                         rules)


def multi_select_pairs(pairs: pd.DataFrame, rules: Rules) -> Published:
    """Pairwise McNemar tests of a multi-select: discordant counts suppressed, tests next to a small count hidden
    (not published as a table; their one-sided p-values feed sentences and facts)."""
    return protect_tests(unprotected(pairs), ["both_n", "only_a_n", "only_b_n"],
                         ["statistic", "p", "p_holm", "p_greater", "p_less"], rules)


def paired_summary(summary: pd.DataFrame, rules: Rules) -> Published:
    """A rating summary of two items on the respondents who rated both (a subset of each item's own
    summary): top-2 and bottom-2 with the middle as a cell. Its mean and median, further equations in
    counts the items' own distributions hide, are left out (a column hidden in every row is not published)."""
    summary = summary.drop(columns=["mean", "median"], errors="ignore")
    summary["middle_count"] = summary["n"] - summary["top2_count"] - summary["bottom2_count"]
    pub = _suppress(summary, rules, across=[["n", "dont_know_n", "missing_n"],
                                            ["top2_count", "bottom2_count", "middle_count"]])
    return pub.drop(["middle_count"])


def multi_select_options(table: pd.DataFrame, rules: Rules) -> Published:
    """Options of a multi-select question: who ticked and who did not are both cells of respondents."""
    table = table.copy()
    table["rest"] = table["n"] - table["count"]
    pub = _suppress(table, rules, counts=["n", "count", "rest"], within={"count": []}, across=[["count", "rest"]],
                   derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                            "mentions_pct": ("count", None), "mentions_n": (None, None), "mean_ticked": (None, None)})
    return pub.drop(["rest"])


def coded_answers(table: pd.DataFrame, rules: Rules) -> Published:
    """Shares of those who answered an open question, per code (an answer can carry several codes).

    Coded and not coded are both cells of respondents (their sum, the base, is public). The codes'
    counts do not add up to anything published (the total number of codes and the mean per answer
    are not shown), so a small code hides itself and its complement, not the other codes.
    """
    table = table.copy()
    table["rest"] = table["n"] - table["count"]
    pub = _suppress(table, rules, counts=["n", "count", "rest"], within={}, across=[["count", "rest"]],
                   derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n")})
    return pub.drop(["rest"])


def coding_agreement(agreement: pd.DataFrame, codes: Published, rules: Rules) -> Published:
    """Agreement per code of an open question, protected with the code frequencies.

    Prevalence, percent agreement, kappa and alpha of a code on n answers give back how many answers
    carry it; so every figure of a code whose count (or share) is hidden in `codes` is hidden too.
    ``units`` is the number who answered, public in the frequency table.
    """
    hidden = {code for code, count_hidden, pct_hidden in
              zip(codes.values["code"], codes.mask["count"], codes.mask["pct"]) if count_hidden or pct_hidden}
    pub = unprotected(agreement)
    statistics = [c for c in agreement.columns if c not in ("item", "code", "label", "comparison", "coders", "units")]
    return pub.hide(agreement["code"].isin(hidden).to_numpy(), statistics)


def categories(table: pd.DataFrame, rules: Rules) -> Published:
    """Shares of respondents per category of one question (the categories add up to the base).

    A ``public_group`` column marks categories whose sum is published elsewhere (use frequency:
    weekly + daily is the published share of active respondents); those sums are declared too.
    A table describing the sample has no interval or design-effect columns.
    """
    derived = {c: of for c, of in {"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                                   "n_eff": (None, None), "deff": (None, None)}.items() if c in table}
    if "public_group" in table:
        pub = _suppress(table, rules, counts=["count"], within={"count": [[], ["public_group"]]}, derived=derived)
        return pub.drop(["public_group"])
    return _suppress(table, rules, counts=["count"], within={"count": []}, derived=derived)


def shares_by_group(table: pd.DataFrame, rules: Rules, coarse: bool = False) -> Published:
    """A 0/1 outcome's share per group: yes and no are cells of respondents; group totals add up.

    With `coarse`, the table has a ``coarse`` column naming a coarser grouping whose totals are
    published elsewhere (role -> citizen-facing or not), so those sums are declared public too.
    """
    table = table.copy()
    table["rest"] = table["n"] - table["count"]
    keys: list[list[str]] = [[]] + ([["coarse"]] if coarse else [])
    pub = _suppress(table, rules, counts=["n", "count", "rest"], within={"count": keys, "n": keys, "rest": keys},
                   across=[["count", "rest"]],
                   derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                            "n_eff": (None, None), "deff": (None, None)})
    return pub.drop([c for c in ("rest", "coarse") if c in pub])


def model_allowed(frame: pd.DataFrame, predictors: Sequence[str], n_parameters: int, rules: Rules) -> bool:
    """Whether a model may be published: at least k complete cases in every category of every
    predictor (a predictor cell of 2 could be solved from its odds ratio), and enough residual
    degrees of freedom for the profile."""
    complete = frame.dropna()
    if len(complete) - n_parameters < rules.model_min_df:
        return False
    for column in predictors:
        counts = complete[column].value_counts()
        if len(counts) < 2 or (counts < rules.k).any():
            return False
    return True


def model(table: pd.DataFrame, rules: Rules) -> Published:
    """Odds ratios of a regression (already allowed by :func:`model_allowed`): the base is a count."""
    return _suppress(table, rules, counts=["n"], within={}, across=[],
                    derived={c: (None, None) for c in ("or_low", "or_high")})


def importance_practice_gap(gap: pd.DataFrame, rules: Rules) -> Published:
    """Importance vs practice per application, on the same respondents.

    Who rates an application important and who does not, who uses it and who does not, are all
    cells of respondents (a complement n - count is published implicitly); McNemar's exact p
    gives back the discordant counts, so it is shown only when every cell of the 2x2 table is
    at least k; a gap next to one hidden share gives the other back.
    """
    table = gap.copy()
    table["not_important_count"] = table["n"] - table["important_count"]
    table["not_used_count"] = table["n"] - table["used_count"]
    cells = [c for c in ("both_count", "important_only_count", "used_only_count", "neither_count") if c in table]
    pub = _suppress(table, rules, counts=["n", "important_count", "used_count", "not_important_count",
                                          "not_used_count", *cells], within={},
                    across=[["important_count", "not_important_count"], ["used_count", "not_used_count"]],
                    derived={"important_pct": ("important_count", "n"), "used_pct": ("used_count", "n"),
                             "gap_pp": "n"})
    pub = protect_tests(pub, ["n", "important_count", "used_count", "not_important_count", "not_used_count", *cells],
                        ["p", "p_holm"], rules)
    either = pub.mask["important_pct"].to_numpy() | pub.mask["used_pct"].to_numpy()
    return pub.hide(either, ["gap_pp"]).drop(["not_important_count", "not_used_count", *cells])


def split_test(table: pd.DataFrame, rules: Rules) -> Published:
    """The sign test of a split opinion: its exact p gives back small counts."""
    pub = _suppress(table, rules, counts=["n", "low_count", "high_count"], within={}, across=[])
    return protect_tests(pub, ["low_count", "high_count"], ["p"], rules)


def count_band(count: int, k: int) -> str:
    """A respondent count as a band (0, 1..k-1, then k..2k-1, 2k..4k-1, 4k or more)."""
    if count == 0:
        return "0"
    if count < k:
        return f"1–{k - 1}"
    if count < 2 * k:
        return f"{k}–{2 * k - 1}"
    if count < 4 * k:
        return f"{2 * k}–{4 * k - 1}"
    return f"{4 * k}+"


def _band_bounds(count: int, k: int) -> tuple[float, float]:
    if count == 0:
        return (0.0, 0.0)
    if count < k:
        return (1.0, k - 1.0)
    if count < 2 * k:
        return (float(k), 2 * k - 1.0)
    if count < 4 * k:
        return (2.0 * k, 4 * k - 1.0)
    return (4.0 * k, np.inf)


def _narrowed(counts: Sequence[int], bounds: Sequence[tuple[float, float]], rules: Rules) -> bool:
    """Whether a small count is narrowed below its marker's range by its bounds and the public total.

    The group's total (e.g. regional police respondents) is published, so each count lies in its
    own bounds and in the total minus the other counts' bounds (exact for one sum of bounded terms).
    """
    total = sum(counts)
    lows, highs = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
    for count, (low, high) in zip(counts, bounds):
        if not (0 < count < rules.k or (rules.zeros and count == 0)):
            continue
        low, high = max(low, total - (highs - high)), min(high, total - (lows - low))
        if high - low < required_width(rules.k, rules.zeros):
            return True
    return False


def organisation_coverage(table: pd.DataFrame, rules: Rules) -> Published:
    """Per organisation of a reference list: represented or not, and a band of its respondents.

    `table` has ``kind`` (organisations of one kind add up to a published total, e.g. the number
    of regional police respondents) and ``count``, which is not published. The bands and that
    total are one sum with bounded terms: a force of 1 beside a force in 5–9 and a total of 6 is
    pinned. So, per kind, the bands are shown only when no small count is narrowed below its
    marker's range; else only represented yes/no, if that narrows nothing; else neither. Under a
    profile that hides zeros and all-in-one-category counts (strict), a kind with a force of no
    respondents, or with all of them in one force, shows neither.
    """
    out = table.drop(columns=["count"]).reset_index(drop=True)
    counts = table["count"].astype(int).reset_index(drop=True)
    out["represented"] = counts > 0
    out["respondents"] = [count_band(c, rules.k) for c in counts]
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    reasons = {}
    for kind in out["kind"].unique():
        rows = list(np.flatnonzero((out["kind"] == kind).to_numpy()))
        group = [int(counts[i]) for i in rows]
        total = sum(group)
        if (rules.zeros and 0 in group) or (rules.whole and len(group) > 1 and total in group and total > 0):
            hide, why = ["represented", "respondents"], "zero" if 0 in group else "class"
        elif not _narrowed(group, [_band_bounds(c, rules.k) for c in group], rules):
            continue
        elif not _narrowed(group, [(1.0, np.inf) if c else (0.0, 0.0) for c in group], rules):
            hide, why = ["respondents"], "linked"
        else:
            hide, why = ["represented", "respondents"], "linked"
        for column in hide:
            mask.loc[rows, column] = True
            reasons.update({(int(i), column): why for i in rows})
    return Published(out, mask, reasons=reasons)


def unprotected(table: pd.DataFrame) -> Published:
    """A table that holds no count of respondents (labels, bands, verdicts): nothing to hide."""
    return Published(table, pd.DataFrame(False, index=table.index, columns=table.columns))


# --------------------------------------------------------------------------- two waves (issue 14)

#: What a difference between waves publishes besides the two waves' own cells.
DIFFERENCE_COLUMNS = ("diff_pp", "diff_low", "diff_high", "p", "p_holm", "changed")


def wave_change(table: pd.DataFrame, rules: Rules, adds_up: bool = False,
                old_linked: Sequence[bool] | None = None, new_linked: Sequence[bool] | None = None) -> Published:
    """Shares of two waves and their difference (:func:`analysis.stats.waves.share_change`), protected
    together with each wave's own tables.

    Each wave's count and its complement are cells of respondents (with `adds_up` the rows of one
    ``family`` are the categories of one question and add up to its base); `old_linked` and
    `new_linked` mark rows whose count that wave's own published table hides, so they are hidden
    here too (a cell shown here must not unlock a cell hidden there). The difference, its interval
    and its test are functions of both counts: they are shown only when both waves' counts and
    complements are shown and at least k (a difference of two published shares next to one hidden
    share gives it back).
    """
    table = table.copy()
    if adds_up:  # the other categories are the complement: the sum over the family says it all
        counts, across = ["n_old", "count_old", "n_new", "count_new"], []
    else:
        table["rest_old"] = table["n_old"] - table["count_old"]
        table["rest_new"] = table["n_new"] - table["count_new"]
        counts = ["n_old", "count_old", "rest_old", "n_new", "count_new", "rest_new"]
        across = [["count_old", "rest_old"], ["count_new", "rest_new"]]
    extra = pd.DataFrame(False, index=range(len(table)), columns=table.columns)
    for linked, column in ((old_linked, "count_old"), (new_linked, "count_new")):
        if linked is not None:
            extra[column] = np.asarray(linked, dtype=bool)
    families: dict[str, Any] = {"count_old": [["family"]], "count_new": [["family"]]} if adds_up else {}
    derived = {f"pct_{w}{s}": (f"count_{w}", f"n_{w}") for w in ("old", "new") for s in ("", "_low", "_high")}
    derived.update({f"n_eff_{w}": (None, None) for w in ("old", "new")})
    derived.update({c: (None, None) for c in DIFFERENCE_COLUMNS if c in table})
    pub = _suppress(table.reset_index(drop=True), rules, counts=counts, within=families, across=across,
                    derived=derived, extra_mask=extra)
    pub = hide_difference(pub, counts, rules)
    return pub.drop([c for c in ("rest_old", "rest_new", "n_eff_old", "n_eff_new") if c in pub])


def hide_difference(pub: Published, counts: Sequence[str], rules: Rules,
                    shares: Sequence[str] = ("pct_old", "pct_new")) -> Published:
    """Hide a difference and its test where a count of either wave is hidden or below k, or
    where either wave's share is hidden."""
    rows = small_or_hidden(pub, counts, rules.k, rules.zeros)
    for column in shares:
        if column in pub:
            rows |= pub.mask[column].to_numpy()
    return pub.hide(rows, [c for c in (*DIFFERENCE_COLUMNS, "u", "rank_biserial") if c in pub])


def rating_change(table: pd.DataFrame, rules: Rules, test_hidden: Sequence[bool],
                  median_hidden_old: Sequence[bool], median_hidden_new: Sequence[bool],
                  top2_hidden_old: Sequence[bool], top2_hidden_new: Sequence[bool]) -> Published:
    """Ratings of two waves (:func:`analysis.stats.waves.rating_change`), protected with each wave's own grid.

    The Mann-Whitney statistic is a function of every count it is computed from; it is computed on
    the full scale only when every cell of both waves' published distributions is shown, otherwise
    on the bottom-2 / middle / top-2 groups, whose counts each wave's summary publishes
    (``analysis.stats.waves.rating_change(collapse=...)``). `test_hidden` marks items where even those
    are hidden: the test, its p-value and effect size are hidden there. The median is hidden where
    the wave's own table hides it; `top2_hidden_*` marks items whose top-2 share a wave's summary
    hides, and a top-2 difference is shown only when both top-2 shares are.
    """
    table = table.copy()
    for w in ("old", "new"):
        table[f"rest_{w}"] = table[f"n_{w}"] - table[f"top2_count_{w}"]
    counts = ["n_old", "top2_count_old", "rest_old", "n_new", "top2_count_new", "rest_new"]
    extra = pd.DataFrame(False, index=range(len(table)), columns=table.columns)
    extra["top2_count_old"] = np.asarray(top2_hidden_old, dtype=bool)
    extra["top2_count_new"] = np.asarray(top2_hidden_new, dtype=bool)
    derived = {f"top2_pct_{w}": (f"top2_count_{w}", f"n_{w}") for w in ("old", "new")}
    derived.update({f"median_{w}": f"n_{w}" for w in ("old", "new")})
    derived.update({c: (None, None) for c in (*DIFFERENCE_COLUMNS, "u", "rank_biserial", "test_on") if c in table})
    pub = _suppress(table.reset_index(drop=True), rules, counts=counts, within={},
                    across=[["top2_count_old", "rest_old"], ["top2_count_new", "rest_new"]], derived=derived,
                    extra_mask=extra)
    pub = pub.hide(np.asarray(median_hidden_old, dtype=bool), ["median_old"])
    pub = pub.hide(np.asarray(median_hidden_new, dtype=bool), ["median_new"])
    pub = pub.hide(np.asarray(test_hidden, dtype=bool), ["u", "p", "p_holm", "rank_biserial", "changed"])
    rows = small_or_hidden(pub, ["n_old", "n_new"], rules.k, rules.zeros)
    pub = pub.hide(rows, ["u", "p", "p_holm", "rank_biserial", "changed"])
    rows = rows | small_or_hidden(pub, counts, rules.k, rules.zeros) | pub.mask["top2_pct_old"].to_numpy() \
        | pub.mask["top2_pct_new"].to_numpy()
    pub = pub.hide(rows, ["diff_pp", "diff_low", "diff_high"])
    return pub.drop(["rest_old", "rest_new"])


def side_by_side(old: Published, new: Published, keys: Sequence[str], columns: Sequence[str]) -> Published:
    """Two waves' published rows joined on `keys` (``<column>_old``, ``<column>_new``), each cell
    hidden as in its own wave's table (rows missing from one wave stay empty there)."""
    def part(pub: Published, suffix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        values = pub.values[list(keys) + list(columns)].copy()
        mask = pub.mask[list(keys) + list(columns)].copy()
        renamed = {c: f"{c}_{suffix}" for c in columns}
        return values.rename(columns=renamed), mask.rename(columns=renamed)
    (vo, mo), (vn, mn) = part(old, "old"), part(new, "new")
    values = vo.merge(vn, on=list(keys), how="outer", sort=False)
    mask_o = vo[list(keys)].join(mo.drop(columns=list(keys))).merge(vn[list(keys)], on=list(keys), how="outer")
    mask_n = vn[list(keys)].join(mn.drop(columns=list(keys))).merge(vo[list(keys)], on=list(keys), how="outer")
    mask = pd.DataFrame(False, index=values.index, columns=values.columns)
    for c in columns:
        mask[f"{c}_old"] = values[list(keys)].merge(mask_o, on=list(keys), how="left")[f"{c}_old"].fillna(False)\
            .astype(bool).to_numpy()
        mask[f"{c}_new"] = values[list(keys)].merge(mask_n, on=list(keys), how="left")[f"{c}_new"].fillna(False)\
            .astype(bool).to_numpy()
    return Published(values, mask)
