"""Group comparisons: crosstabs with association tests, Kruskal-Wallis and pairwise Mann-Whitney."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis.stats._common import _codes, _empty, _weight_vector
from analysis.stats.multiple import holm_adjust
from analysis.stats.proportions import kish_effective_n, wilson_interval

#: Seed for the Monte-Carlo p-values of :func:`crosstab_test` (results are reproducible).
MONTE_CARLO_SEED = 20110601
#: Number of Monte-Carlo resamples for r x c tables with small expected counts.
MONTE_CARLO_RESAMPLES = 9999

CROSSTAB_COLUMNS = ["row", "column", "count", "pct", "pct_low", "pct_high", "n"]
CROSSTAB_TEST_COLUMNS = ["row_var", "column_var", "n", "test", "statistic", "df", "p",
                         "cramers_v", "min_expected", "share_expected_lt5", "note"]
KRUSKAL_COLUMNS = ["outcome", "group", "n", "groups", "statistic", "df", "p", "epsilon_squared"]
MANNWHITNEY_COLUMNS = ["group_a", "group_b", "n_a", "n_b", "median_a", "median_b",
                       "u", "p", "p_holm", "rank_biserial"]


def crosstab(
    data: pd.DataFrame,
    row: str,
    column: str,
    weights: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Column-percentage crosstab in long form: % of each ``column`` group in each ``row`` category.

    Call it for "answer by organisation/role" tables.  Rows with a missing value
    on either variable are left out; ``n`` is the unweighted base of the column
    group, ``pct`` (weighted if ``weights``) has a Wilson interval.
    Returns columns ``row, column, count, pct, pct_low, pct_high, n``;
    ``attrs["disclosure"]`` declares that ``count`` adds up within each column
    group (to ``n``) and within each row category.
    """
    w_all = _weight_vector(data, weights)
    keep = data[row].notna() & data[column].notna() & w_all.notna()
    sub = data.loc[keep, [row, column]]
    frame: pd.DataFrame
    if sub.empty:
        frame = _empty(CROSSTAB_COLUMNS)
    else:
        w = w_all[keep]
        rows = []
        r_levels = _levels(sub[row])
        c_levels = _levels(sub[column])
        for c in c_levels:
            in_c = (sub[column] == c).to_numpy()
            wc = w.to_numpy()[in_c]
            n = int(in_c.sum())
            if n == 0:
                continue
            n_eff = kish_effective_n(wc) if weights is not None else float(n)
            for r in r_levels:
                hit = (sub[row].to_numpy()[in_c] == r)
                p = float(np.sum(wc[hit]) / np.sum(wc)) if np.sum(wc) > 0 else np.nan
                low, high = wilson_interval(p * n_eff, n_eff, level)
                rows.append({"row": r, "column": c, "count": int(hit.sum()), "pct": 100 * p,
                             "pct_low": 100 * low, "pct_high": 100 * high, "n": n})
        frame = pd.DataFrame(rows, columns=CROSSTAB_COLUMNS)
    frame.attrs["disclosure"] = {"within": {"count": [["column"], ["row"]]}}
    return frame


def _levels(series: pd.Series) -> list[Hashable]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique(), key=lambda v: (str(type(v)), v))


def crosstab_test(
    data: pd.DataFrame,
    row: str,
    column: str,
    min_expected: float = 5.0,
) -> pd.DataFrame:
    """Test of association between two categorical variables, with Cramér's V.

    Call it to ask whether answers differ between groups (e.g. organisations).
    Uses unweighted counts of respondents with both variables present.

    * All expected counts >= ``min_expected``: Pearson chi-square
      (``test = "chi2"``, no continuity correction).
    * Otherwise, 2 x 2 table: Fisher's exact test (``test = "fisher"``).
    * Otherwise, larger table: chi-square statistic with a Monte-Carlo p-value
      (``test = "chi2_monte_carlo"``; 9999 tables with the same margins drawn
      with the fixed seed :data:`MONTE_CARLO_SEED`, like R's
      ``chisq.test(simulate.p.value = TRUE)``).

    Cramér's V uses the uncorrected chi-square.  Returns one row with columns
    ``row_var, column_var, n, test, statistic, df, p, cramers_v, min_expected,
    share_expected_lt5, note``.
    """
    keep = data[row].notna() & data[column].notna()
    if not keep.any():
        return _empty(CROSSTAB_TEST_COLUMNS)
    table = pd.crosstab(data.loc[keep, row].astype(object), data.loc[keep, column].astype(object))
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    obs = table.to_numpy(dtype=float)
    n = int(obs.sum())
    r, c = obs.shape
    base = {"row_var": row, "column_var": column, "n": n}
    if r < 2 or c < 2:
        return pd.DataFrame([{**base, "test": "none", "statistic": np.nan, "df": 0, "p": np.nan,
                              "cramers_v": np.nan, "min_expected": np.nan,
                              "share_expected_lt5": np.nan,
                              "note": "fewer than two categories present; no test"}],
                            columns=CROSSTAB_TEST_COLUMNS)
    chi2, p_chi, dof, expected = sps.chi2_contingency(obs, correction=False)
    v = float(sps.contingency.association(obs.astype(int), method="cramer"))
    small = float(np.mean(expected < min_expected))
    note = ""
    if expected.min() >= min_expected:
        test, stat, p = "chi2", float(chi2), float(p_chi)
    elif (r, c) == (2, 2):
        res = sps.fisher_exact(obs.astype(int))
        test, stat, p = "fisher", float(res.statistic), float(res.pvalue)
        note = "expected count below {:g}: Fisher's exact test; statistic = odds ratio".format(
            min_expected)
    else:
        test, stat, p = "chi2_monte_carlo", float(chi2), monte_carlo_chi2_p(obs, float(chi2))
        note = "expected count below {:g}: Monte-Carlo p-value ({} resamples)".format(
            min_expected, MONTE_CARLO_RESAMPLES)
    return pd.DataFrame([{**base, "test": test, "statistic": stat, "df": int(dof), "p": p,
                          "cramers_v": v, "min_expected": float(expected.min()),
                          "share_expected_lt5": small, "note": note}],
                        columns=CROSSTAB_TEST_COLUMNS)


def monte_carlo_chi2_p(observed: np.ndarray, statistic: float,
                       resamples: int = MONTE_CARLO_RESAMPLES, seed: int = MONTE_CARLO_SEED) -> float:
    """Monte-Carlo p-value of Pearson's chi-square for a table, given its margins.

    Draws `resamples` tables with the observed row and column totals (Patefield's algorithm,
    :func:`scipy.stats.random_table`, as R's ``r2dtable``) and returns ``(1 + #{X2 >= observed})
    / (resamples + 1)``, like R's ``chisq.test(simulate.p.value = TRUE)``. The cost depends on the
    table's size and `resamples`, not on the number of respondents (a permutation of the
    respondents would cost n per resample).
    """
    observed = np.asarray(observed, dtype=int)
    rows, columns = observed.sum(axis=1), observed.sum(axis=0)
    expected = np.outer(rows, columns) / observed.sum()
    tables = sps.random_table(rows, columns).rvs(size=resamples, random_state=np.random.default_rng(seed))
    simulated = ((tables - expected) ** 2 / expected).sum(axis=(1, 2))
    # the same tolerance as R: ties within rounding count as at least as extreme
    extreme = int(np.count_nonzero(simulated >= statistic - 1e-7 * max(1.0, abs(statistic))))
    return (1 + extreme) / (resamples + 1)


def _ordinal_groups(
    data: pd.DataFrame, outcome: str, group: str, dont_know: Sequence[float]
) -> tuple[list[Hashable], dict[Hashable, np.ndarray]]:
    y = _codes(data[outcome])
    y = y.mask(y.isin([float(d) for d in dont_know]))
    keep = y.notna() & data[group].notna()
    levels = _levels(data.loc[keep, group])
    out = {g: y[keep & (data[group] == g)].to_numpy() for g in levels}
    return levels, out


def kruskal_test(
    data: pd.DataFrame, outcome: str, group: str, dont_know: Sequence[float] = (9,)
) -> pd.DataFrame:
    """Kruskal-Wallis test: does an ordinal rating differ between groups?

    Don't-know codes are treated as missing.  Returns one row with columns
    ``outcome, group, n, groups, statistic, df, p, epsilon_squared``
    (tie-corrected H; effect size epsilon^2 = H / (n - 1)).
    """
    levels, samples = _ordinal_groups(data, outcome, group, dont_know)
    samples = {g: s for g, s in samples.items() if s.size}
    n = int(sum(s.size for s in samples.values()))
    if len(samples) < 2 or n == 0:
        return _empty(KRUSKAL_COLUMNS)
    allv = np.concatenate(list(samples.values()))
    if np.unique(allv).size < 2:
        h, p = np.nan, np.nan
    else:
        h, p = sps.kruskal(*samples.values())
    return pd.DataFrame([{"outcome": outcome, "group": group, "n": n, "groups": len(samples),
                          "statistic": float(h), "df": len(samples) - 1, "p": float(p),
                          "epsilon_squared": float(h) / (n - 1) if n > 1 else np.nan}],
                        columns=KRUSKAL_COLUMNS)


def pairwise_mannwhitney(
    data: pd.DataFrame, outcome: str, group: str, dont_know: Sequence[float] = (9,)
) -> pd.DataFrame:
    """Pairwise Mann-Whitney U tests between groups on an ordinal rating (Holm-adjusted).

    Call it after :func:`kruskal_test`.  ``u`` is the U statistic of ``group_a``;
    ``rank_biserial = 2U / (n_a n_b) - 1`` > 0 means ``group_a`` tends to rate
    higher.  Returns columns ``group_a, group_b, n_a, n_b, median_a, median_b, u,
    p, p_holm, rank_biserial``.
    """
    levels, samples = _ordinal_groups(data, outcome, group, dont_know)
    samples = {g: s for g, s in samples.items() if s.size}
    if len(samples) < 2:
        return _empty(MANNWHITNEY_COLUMNS)
    rows = []
    for a, b in combinations(list(samples), 2):
        xa, xb = samples[a], samples[b]
        if np.unique(np.concatenate([xa, xb])).size < 2:
            u, p = xa.size * xb.size / 2, 1.0
        else:
            res = sps.mannwhitneyu(xa, xb, alternative="two-sided")
            u, p = float(res.statistic), float(res.pvalue)
        rows.append({"group_a": a, "group_b": b, "n_a": int(xa.size), "n_b": int(xb.size),
                     "median_a": float(np.median(xa)), "median_b": float(np.median(xb)),
                     "u": float(u), "p": float(p),
                     "rank_biserial": 2 * float(u) / (xa.size * xb.size) - 1})
    frame = pd.DataFrame(rows)
    frame["p_holm"] = holm_adjust(frame["p"].to_numpy())
    return frame[MANNWHITNEY_COLUMNS]

