"""Multi-select ("tick all that apply") questions: option shares, Cochran's Q, pairwise McNemar."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.contingency_tables import cochrans_q as _sm_cochrans_q
from statsmodels.stats.contingency_tables import mcnemar as _sm_mcnemar

from analysis.stats._common import _codes, _empty, _weight_vector
from analysis.stats.multiple import holm_adjust
from analysis.stats.proportions import _share_stats

MULTI_COLUMNS = ["option", "n", "count", "pct", "pct_low", "pct_high", "mentions_pct",
                 "mentions_n", "mean_ticked"]
COCHRAN_COLUMNS = ["n", "k", "q", "df", "p"]
MCNEMAR_COLUMNS = ["option_a", "option_b", "n", "both_n", "only_a_n", "only_b_n",
                   "statistic", "p", "p_holm", "method", "p_greater", "p_less"]


def _answered(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Indicator block of respondents who answered the question (not all-NaN); NaN -> 0."""
    block = data[list(columns)].apply(_codes)
    answered = block.notna().any(axis=1)
    return block[answered].fillna(0.0)


def multi_select(
    data: pd.DataFrame,
    columns: Sequence[str],
    weights: str | None = None,
    level: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Results of a multi-select ("tick all that apply") question, one row per option.

    Call it for the option table of a multi-select question.  The base ``n`` is the
    respondents who answered the question (not NaN on every option column); within
    that base a NaN option counts as not ticked.  ``pct`` = % of respondents who
    ticked the option (Wilson interval; Kish effective n with weights; design-effect
    adjusted for clustering with ``cluster``, floored at 1);
    ``mentions_pct`` = % of all ticks (``mentions_n`` unweighted ticks in total);
    ``mean_ticked`` = mean number of options ticked per respondent (same in each row).

    Returns columns ``option, n, count, pct, pct_low, pct_high, mentions_pct,
    mentions_n, mean_ticked``.  ``attrs["disclosure"]`` declares that ``count``
    adds up to ``mentions_n``.
    """
    cols = list(columns)
    block = _answered(data, cols)
    w_all = _weight_vector(data, weights).loc[block.index]
    block = block[w_all.notna()]
    w = w_all[w_all.notna()].to_numpy()
    frame: pd.DataFrame
    if block.empty:
        frame = _empty(MULTI_COLUMNS)
    else:
        ticks = (block.to_numpy() > 0).astype(float)
        weighted_ticks = (ticks * w[:, None]).sum(axis=0)
        total_w_ticks = float(weighted_ticks.sum())
        mean_ticked = float(np.average(ticks.sum(axis=1), weights=w)) if w.sum() > 0 else np.nan
        rows = []
        groups = data.loc[block.index, cluster].to_numpy() if cluster is not None else None
        for j, col in enumerate(cols):
            s = _share_stats(ticks[:, j], w, groups, level, weights is not None)
            rows.append({"option": col, "n": s["n"], "count": s["count"], "pct": s["pct"],
                         "pct_low": s["pct_low"], "pct_high": s["pct_high"],
                         "mentions_pct": 100 * weighted_ticks[j] / total_w_ticks
                         if total_w_ticks > 0 else np.nan,
                         "mentions_n": int(ticks.sum()), "mean_ticked": mean_ticked})
        frame = pd.DataFrame(rows, columns=MULTI_COLUMNS)
    frame.attrs["disclosure"] = {"within": {"count": []},
                                 "derived": {"mentions_pct": ("count", "mentions_n"),
                                             "mean_ticked": (None, "n")}}
    return frame


def cochrans_q(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Cochran's Q test: are the options of a multi-select question ticked equally often?

    Uses respondents who answered the question (unweighted); computed by
    statsmodels' ``cochrans_q``.  Returns one row with columns ``n, k, q, df, p``
    (chi-square reference distribution with k-1 df); ``q`` and ``p`` are NaN when
    every respondent ticked either all options or none.
    """
    block = _answered(data, columns)
    x = (block.to_numpy() > 0).astype(float)
    k = x.shape[1]
    if x.shape[0] == 0 or k < 2:
        return _empty(COCHRAN_COLUMNS)
    ticked = x.sum(axis=1)
    if np.all((ticked == 0) | (ticked == k)):
        # everyone ticked all options or none: Q is 0/0 (statsmodels would divide by zero)
        q, p = np.nan, np.nan
    else:
        res = _sm_cochrans_q(x)
        q, p = float(res.statistic), float(res.pvalue)
    return pd.DataFrame([{"n": int(x.shape[0]), "k": k, "q": q, "df": k - 1, "p": p}],
                        columns=COCHRAN_COLUMNS)


def mcnemar_pairs(
    data: pd.DataFrame,
    columns: Sequence[str],
    exact_below: int = 25,
) -> pd.DataFrame:
    """Pairwise McNemar tests between the options of a multi-select question.

    Call it after :func:`cochrans_q` to see which options differ.  For each pair
    the discordant counts ``only_a_n`` / ``only_b_n`` are compared with the exact
    binomial test when their sum is below ``exact_below`` (``method = "exact"``),
    otherwise with the chi-square statistic without continuity correction
    (``method = "chi2"``), both by statsmodels' ``mcnemar``; ``statistic`` is the
    smaller discordant count for the exact test.  A pair without discordant
    answers gets ``p = 1`` and no statistic.  P-values are Holm-adjusted over all
    pairs.  ``p_greater`` / ``p_less`` are one-sided exact (binomial) p-values of
    "``option_a`` is ticked more / less often than ``option_b``" (1 without
    discordant answers).

    Returns columns ``option_a, option_b, n, both_n, only_a_n, only_b_n,
    statistic, p, p_holm, method, p_greater, p_less``.
    """
    block = _answered(data, columns)
    x = block.to_numpy() > 0
    cols = list(columns)
    if x.shape[0] == 0 or len(cols) < 2:
        return _empty(MCNEMAR_COLUMNS)
    rows = []
    for i, j in combinations(range(len(cols)), 2):
        a, b = x[:, i], x[:, j]
        only_a = int(np.sum(a & ~b))
        only_b = int(np.sum(~a & b))
        disc = only_a + only_b
        if disc == 0:  # no discordant pair: nothing to test (statsmodels would give p = 1, statistic 0)
            stat, p, method = np.nan, 1.0, "exact"
        else:
            exact = disc < exact_below
            table = [[int(np.sum(a & b)), only_a], [only_b, int(np.sum(~a & ~b))]]
            res = _sm_mcnemar(table, exact=exact, correction=False)
            stat, p = float(res.statistic), float(res.pvalue)
            method = "exact" if exact else "chi2"
        greater = float(sps.binomtest(only_a, disc, 0.5, alternative="greater").pvalue) if disc else 1.0
        less = float(sps.binomtest(only_a, disc, 0.5, alternative="less").pvalue) if disc else 1.0
        rows.append({"option_a": cols[i], "option_b": cols[j], "n": int(x.shape[0]),
                     "both_n": int(np.sum(a & b)), "only_a_n": only_a, "only_b_n": only_b,
                     "statistic": stat, "p": p, "method": method, "p_greater": greater, "p_less": less})
    frame = pd.DataFrame(rows)
    frame["p_holm"] = holm_adjust(frame["p"].to_numpy())
    return frame[MCNEMAR_COLUMNS]

