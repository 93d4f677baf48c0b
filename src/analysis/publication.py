"""The rules for tables that are published together, in one place.

:func:`analysis.disclosure.suppress` protects one table. A chapter publishes several tables and
sentences from the same respondents, and a hidden cell of one can be solved from another: a
rating distribution from its top-2/bottom-2 sums, a count from its complement, a small count from
an exact test statistic or p-value, a hidden rating from the mean. Every theme protects what it
publishes through these functions, which return :class:`~analysis.disclosure.Published` tables.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .disclosure import Published, suppress


@dataclass(frozen=True)
class Rules:
    """A rule profile for publication (as output checkers such as ACRO and the ONS SRS define them).

    ``standard``: k = 5, zeros shown (a zero describes nobody). ``strict``: k = 10, zeros and
    counts that hold everyone of their total (all respondents in one category) hidden, models only
    with at least 10 residual degrees of freedom; both profiles publish a model only with at least
    k respondents in every predictor category.
    """

    name: str = "standard"
    k: int = 5
    zeros: bool = False
    whole: bool = False
    model_min_df: int = 1


PROFILES = {"standard": Rules(), "strict": Rules("strict", k=10, zeros=True, whole=True, model_min_df=10)}


def profile(name: str = "standard", k: int | None = None) -> Rules:
    """The rule profile `name`, with k overridden when given."""
    if name not in PROFILES:
        raise ValueError(f"unknown rule profile {name!r}; profiles are {sorted(PROFILES)}")
    base = PROFILES[name]
    return base if k is None else Rules(base.name, int(k), base.zeros, base.whole, base.model_min_df)


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
    middle category: all are declared public sums while the distribution is suppressed, so no
    hidden cell follows from them. The mean times n is the sum of code times count, and the median
    bounds the cumulative counts: neither is shown next to a hidden count of its item.
    """
    distribution = distribution.copy()
    distribution["top_box"] = distribution["code"].isin(list(scale[-2:]))
    distribution["bottom_box"] = distribution["code"].isin(list(scale[:2]))
    distribution_pub = _suppress(distribution, rules, within={"count": [["item"], ["item", "top_box"], ["item", "bottom_box"]]},
                                across=[["n", "dont_know_n", "missing_n"]])
    summary = summary.copy()
    summary["middle_count"] = summary["n"] - summary["top2_count"] - summary["bottom2_count"]
    summary_pub = _suppress(summary, rules, across=[["n", "dont_know_n", "missing_n"],
                                               ["top2_count", "bottom2_count", "middle_count"]])
    summary_pub = summary_pub.drop(["middle_count"])
    # the mean and the median are further equations (or inequalities) in the counts: neither is
    # shown next to a hidden count of the same item
    hidden_items = set(distribution_pub.values.loc[distribution_pub.mask["count"], "item"])
    summary_pub = summary_pub.hide(summary_pub.values["item"].isin(hidden_items), ["mean", "median"])
    return summary_pub, distribution_pub


def pairwise_ratings(pairs: pd.DataFrame, rules: Rules) -> Published:
    """Pairwise Wilcoxon tests: counts suppressed, medians follow their base, tests next to a small count hidden."""
    pub = _suppress(pairs, rules, counts=["n", "n_nonzero"], derived={"median_a": "n", "median_b": "n"}, within={},
                   across=[])
    return protect_tests(pub, ["n", "n_nonzero"], ["statistic", "p", "p_holm", "rank_biserial", "p_greater", "p_less"],
                         rules)


def multi_select_pairs(pairs: pd.DataFrame, rules: Rules) -> Published:
    """Pairwise McNemar tests of a multi-select: discordant counts suppressed, tests next to a small count hidden
    (not published as a table; their one-sided p-values feed sentences and facts)."""
    return protect_tests(unprotected(pairs), ["both_n", "only_a_n", "only_b_n"], ["statistic", "p", "p_holm", "p_greater", "p_less"],
                         rules)


def multi_select(table: pd.DataFrame, rules: Rules) -> Published:
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
    """
    if "public_group" in table:
        pub = _suppress(table, rules, counts=["count"], within={"count": [[], ["public_group"]]},
                        derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                                 "n_eff": (None, None), "deff": (None, None)})
        return pub.drop(["public_group"])
    return _suppress(table, rules, counts=["count"], within={"count": []},
                    derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                             "n_eff": (None, None), "deff": (None, None)})


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


def unprotected(table: pd.DataFrame) -> Published:
    """A table that holds no count of respondents (labels, bands, verdicts): nothing to hide."""
    return Published(table, pd.DataFrame(False, index=table.index, columns=table.columns))
