"""Statistical core for the 2011 survey of Dutch police on social media.

Every table-producing function takes the survey frame (one row per respondent)
plus column names, and returns a tidy :class:`pandas.DataFrame` that carries the
unweighted base ``n`` in every row.  Empty or all-missing input gives an empty
frame with the same columns, never an exception.

Conventions (set by the loader):

* rating items are ordered categoricals of integer codes, e.g. ``[1, 2, 3, 4, 5, 9]``
  where 1..5 is the substantive scale and 9 = "don't know"; missing is NaN;
* multi-select items are 0/1 indicator columns, NaN when the respondent skipped the
  whole question;
* ``cluster`` names the organisation column (respondents are clustered in forces);
* ``weights`` names an optional numeric weight column.  Rows with a missing or
  negative weight are left out.

Percentages in tables are on the 0-100 scale (columns named ``*pct*``, ``*_low``,
``*_high``); :func:`wilson_interval` itself works on the 0-1 scale.  Counts
(``n``, ``count``, ``*_count``, ``*_n``) are always unweighted respondent counts so
that :func:`analysis.disclosure.suppress` can apply the small-cell rule to them.
Tables that have additive counts say so in ``DataFrame.attrs["disclosure"]``,
which :func:`analysis.disclosure.suppress` reads.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = [
    "wilson_interval",
    "kish_effective_n",
    "holm_adjust",
    "proportion",
    "rating_distribution",
    "rating_summary",
    "multi_select",
    "cochrans_q",
    "mcnemar_pairs",
    "split_test",
    "mean_ranks",
    "friedman_test",
    "kendalls_w",
    "pairwise_wilcoxon",
    "crosstab",
    "crosstab_test",
    "kruskal_test",
    "pairwise_mannwhitney",
    "ordinal_logit",
    "logistic_regression",
    "cohens_kappa",
    "krippendorff_alpha",
]

#: Seed for the Monte-Carlo p-values of :func:`crosstab_test` (results are reproducible).
MONTE_CARLO_SEED = 20110601
#: Number of Monte-Carlo resamples for r x c tables with small expected counts.
MONTE_CARLO_RESAMPLES = 9999

# --------------------------------------------------------------------------- helpers


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(sps.norm.ppf(1 - (1 - level) / 2))


def _as_list(columns: str | Sequence[str]) -> list[str]:
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _codes(series: pd.Series) -> pd.Series:
    """Numeric codes of a (categorical) column as float, NaN for missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = np.asarray(series.astype(object), dtype=object)
        return pd.to_numeric(pd.Series(values, index=series.index), errors="coerce").astype(float)
    return pd.to_numeric(series, errors="coerce").astype(float)


def _weight_vector(data: pd.DataFrame, weights: str | None) -> pd.Series:
    """Weights as float; NaN (to be dropped) where missing or negative."""
    if weights is None:
        return pd.Series(1.0, index=data.index)
    w = pd.to_numeric(data[weights], errors="coerce").astype(float)
    return w.where(w >= 0)


def _empty(columns: Sequence[str], index_name: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    if index_name is not None:
        frame.index.name = index_name
    return frame


def kish_effective_n(weights: Iterable[float] | pd.Series | np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Call it to know how many unweighted respondents a weighted estimate is "worth";
    it is the ``n`` used in weighted Wilson intervals.  NaN weights are ignored;
    an empty or all-zero weight vector gives 0.0.
    """
    w = np.asarray(list(weights) if not isinstance(weights, (np.ndarray, pd.Series)) else weights,
                   dtype=float)
    w = w[~np.isnan(w)]
    s2 = float(np.sum(w**2))
    if w.size == 0 or s2 == 0:
        return 0.0
    return float(np.sum(w) ** 2 / s2)


def wilson_interval(count: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` for a proportion ``count / n`` (0-1 scale).

    Use it for any survey share: unlike the Wald interval it stays inside [0, 1] and
    keeps close to nominal coverage for small bases and extreme shares.  ``count``
    and ``n`` may be non-integer (weighted count and effective n).  ``n <= 0`` gives
    ``(nan, nan)``.
    """
    n = float(n)
    if not np.isfinite(n) or n <= 0:
        return (float("nan"), float("nan"))
    count = float(count)
    if count < 0 or count > n * (1 + 1e-12):
        raise ValueError(f"count must be within [0, n], got count={count}, n={n}")
    z = _z(level)
    p = min(max(count / n, 0.0), 1.0)
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return (float(low), float(high))


def holm_adjust(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN entries stay NaN and are not counted."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(p[ok], kind="mergesort")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def _share_stats(
    success: np.ndarray,
    w: np.ndarray,
    groups: np.ndarray | None,
    level: float,
    weighted: bool,
) -> dict[str, float]:
    """Share, Wilson interval, effective n and design effect for a 0/1 vector."""
    n = int(success.size)
    count = int(np.sum(success))
    wsum = float(np.sum(w))
    if n == 0 or wsum <= 0:
        return {"n": n, "count": count, "pct": np.nan, "pct_low": np.nan, "pct_high": np.nan,
                "n_eff": np.nan, "deff": np.nan}
    p = float(np.sum(w * success) / wsum)
    n_eff = kish_effective_n(w) if weighted else float(n)
    if groups is not None:
        n_eff = _cluster_effective_n(success, w, groups, p, fallback=n_eff)
    low, high = wilson_interval(p * n_eff, n_eff, level)
    return {"n": n, "count": count, "pct": 100 * p, "pct_low": 100 * low,
            "pct_high": 100 * high, "n_eff": n_eff, "deff": n / n_eff if n_eff > 0 else np.nan}


def _cluster_effective_n(
    success: np.ndarray, w: np.ndarray, groups: np.ndarray, p: float, fallback: float
) -> float:
    """Design-based effective n ``p(1-p) / var(p)`` under cluster sampling.

    ``var(p)`` is the linearisation (with-replacement, ultimate-cluster) variance of
    the weighted ratio estimator with the ``G / (G - 1)`` factor, as R's ``survey``
    package computes for ``svydesign(ids = ~organisation, weights = ...)``; this is
    the effective n that ``svyciprop(method = "wilson")`` plugs into the Wilson
    formula.  When the variance is 0 (p is 0 or 1) or fewer than two clusters are
    present the design effect cannot be estimated and ``fallback`` (Kish n) is used.
    """
    codes, uniques = pd.factorize(pd.Series(groups), use_na_sentinel=True)
    if len(uniques) < 2 or p <= 0 or p >= 1:
        return fallback
    z = w * (success - p) / np.sum(w)
    totals = np.bincount(codes, weights=z, minlength=len(uniques))
    g = len(uniques)
    var = g / (g - 1) * float(np.sum(totals**2))
    if var <= 0:
        return fallback
    return p * (1 - p) / var


# --------------------------------------------------------------------------- proportions

PROPORTION_COLUMNS = ["item", "n", "count", "pct", "pct_low", "pct_high", "n_eff", "deff"]


def proportion(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    weights: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
    success: Any = None,
) -> pd.DataFrame:
    """Share of respondents with a characteristic, with a Wilson score interval.

    Call it for "what % of officers ..." figures.  ``columns`` is one column or a
    list; each gives one row.  By default a column must be 0/1 (or boolean);
    pass ``success=`` (a code or a collection of codes) to count those codes as
    "yes" in a coded column.  Missing values are excluded from the base.

    With ``weights`` the share is weighted and the interval uses Kish's effective n.
    With ``cluster`` (the organisation column) the effective n is design-effect
    adjusted for clustering, as R's ``survey::svyciprop(method = "wilson")`` does.

    Returns columns ``item, n, count, pct, pct_low, pct_high, n_eff, deff``:
    ``n`` = unweighted base, ``count`` = unweighted "yes" count, ``pct`` and its
    interval in percent, ``n_eff`` the effective n used for the interval and
    ``deff = n / n_eff``.
    """
    cols = _as_list(columns)
    rows: list[dict[str, Any]] = []
    w_all = _weight_vector(data, weights)
    for col in cols:
        raw = data[col]
        keep = raw.notna() & w_all.notna()
        if cluster is not None:
            keep &= data[cluster].notna()
        if success is None:
            vals = _codes(raw[keep])
            if not vals.isin([0.0, 1.0]).all():
                raise ValueError(f"column {col!r} is not 0/1; pass success= to define 'yes'")
            yes = vals.to_numpy() == 1.0
        else:
            targets = list(success) if isinstance(success, (list, tuple, set, frozenset)) else [success]
            numeric = [float(t) for t in targets
                       if isinstance(t, (int, float, np.number)) and not isinstance(t, bool)]
            # match raw values (labels) and numeric codes (4 matches a categorical code 4.0)
            yes = (raw[keep].astype(object).isin(targets).to_numpy()
                   | _codes(raw[keep]).isin(numeric).to_numpy())
        if yes.size == 0:
            continue
        groups = data.loc[keep, cluster].to_numpy() if cluster is not None else None
        stats_ = _share_stats(yes.astype(float), w_all[keep].to_numpy(), groups, level,
                              weights is not None)
        rows.append({"item": col, **stats_})
    if not rows:
        return _empty(PROPORTION_COLUMNS)
    return pd.DataFrame(rows, columns=PROPORTION_COLUMNS)


# --------------------------------------------------------------------------- rating items

DISTRIBUTION_COLUMNS = ["item", "code", "count", "pct", "pct_low", "pct_high", "n",
                        "dont_know_n", "missing_n", "base"]
SUMMARY_COLUMNS = ["item", "n", "dont_know_n", "missing_n", "median",
                   "top2_count", "top2_pct", "top2_low", "top2_high",
                   "bottom2_count", "bottom2_pct", "bottom2_low", "bottom2_high",
                   "mean", "base"]
BASE_NOTE = "substantive answers; don't know and missing excluded"


def _split_rating(
    data: pd.DataFrame, col: str, scale: Sequence[float], dont_know: Sequence[float],
    w_all: pd.Series,
) -> tuple[pd.Series, pd.Series, int, int]:
    codes = _codes(data[col])
    valid_w = w_all.notna()
    dk = int((codes.isin([float(d) for d in dont_know]) & valid_w).sum())
    substantive = codes.isin([float(s) for s in scale]) & valid_w
    missing = int(valid_w.sum()) - dk - int(substantive.sum())
    return codes[substantive], w_all[substantive], dk, missing


def _weighted_median(values: np.ndarray, w: np.ndarray, order: Sequence[float]) -> float:
    """Median in scale order; midpoint of two codes when the cumulative share is exactly 1/2."""
    total = float(np.sum(w))
    if total <= 0:
        return float("nan")
    cum = 0.0
    ordered = [float(c) for c in order]
    for i, code in enumerate(ordered):
        cum += float(np.sum(w[values == code]))
        share = cum / total
        if np.isclose(share, 0.5, rtol=0, atol=1e-12):
            nxt = next((c for c in ordered[i + 1:] if np.sum(w[values == c]) > 0), code)
            return (code + nxt) / 2
        if share > 0.5:
            return code
    return float("nan")


def rating_distribution(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    scale: Sequence[float] = (1, 2, 3, 4, 5),
    dont_know: Sequence[float] = (9,),
    weights: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Answer distribution of 5-point rating items, one row per item x scale code.

    Call it for the frequency table of a rating question.  The base ``n`` is the
    number of substantive answers (codes in ``scale``); "don't know" answers
    (``dont_know_n``) and missing answers (``missing_n``) are counted separately and
    excluded from the base; the ``base`` column says so in words.  Every scale code
    gets a row, also when nobody chose it.  ``pct`` (weighted if ``weights``) has a
    Wilson interval (Kish effective n when weighted).

    Returns columns ``item, code, count, pct, pct_low, pct_high, n, dont_know_n,
    missing_n, base``.  ``attrs["disclosure"]`` declares that ``count`` adds up to
    ``n`` within each item.
    """
    cols = _as_list(columns)
    w_all = _weight_vector(data, weights)
    rows: list[dict[str, Any]] = []
    for col in cols:
        vals, w, dk, missing = _split_rating(data, col, scale, dont_know, w_all)
        n = int(vals.size)
        if n == 0 and dk == 0:
            continue
        wv = w.to_numpy()
        v = vals.to_numpy()
        n_eff = kish_effective_n(wv) if weights is not None else float(n)
        wsum = float(np.sum(wv))
        for code in scale:
            hit = v == float(code)
            p = float(np.sum(wv[hit]) / wsum) if wsum > 0 else np.nan
            low, high = wilson_interval(p * n_eff, n_eff, level) if n > 0 else (np.nan, np.nan)
            rows.append({"item": col, "code": code, "count": int(hit.sum()), "pct": 100 * p,
                         "pct_low": 100 * low, "pct_high": 100 * high, "n": n,
                         "dont_know_n": dk, "missing_n": missing, "base": BASE_NOTE})
    frame = pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS) if rows else _empty(DISTRIBUTION_COLUMNS)
    frame.attrs["disclosure"] = {"within": {"count": ["item"]},
                                 "across": [["n", "dont_know_n", "missing_n"]]}
    return frame


def rating_summary(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    scale: Sequence[float] = (1, 2, 3, 4, 5),
    dont_know: Sequence[float] = (9,),
    weights: str | None = None,
    level: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """One-line summary per rating item: median, top-2 and bottom-2 box shares.

    Call it to compare rating items.  ``scale`` lists the substantive codes from
    the bottom to the top of the scale: top-2 box = the last two codes, bottom-2
    box = the first two (pass the scale reversed if code 1 is the most positive).
    The base ``n`` excludes "don't know" (``dont_know_n``) and missing
    (``missing_n``).  Shares get Wilson intervals (Kish effective n with weights;
    design-effect adjusted with ``cluster``).  ``mean`` of the codes is a secondary
    column only: the scale is ordinal, report the median and box shares first.

    Returns columns ``item, n, dont_know_n, missing_n, median, top2_count,
    top2_pct, top2_low, top2_high, bottom2_count, bottom2_pct, bottom2_low,
    bottom2_high, mean, base``.
    """
    cols = _as_list(columns)
    if len(scale) < 4:
        raise ValueError("top-2/bottom-2 boxes need a scale of at least 4 codes")
    w_all = _weight_vector(data, weights)
    if cluster is not None:
        w_all = w_all.where(data[cluster].notna())
    top = [float(c) for c in scale[-2:]]
    bottom = [float(c) for c in scale[:2]]
    rows: list[dict[str, Any]] = []
    for col in cols:
        vals, w, dk, missing = _split_rating(data, col, scale, dont_know, w_all)
        n = int(vals.size)
        if n == 0 and dk == 0:
            continue
        v = vals.to_numpy()
        wv = w.to_numpy()
        groups = data.loc[vals.index, cluster].to_numpy() if cluster is not None else None
        row: dict[str, Any] = {"item": col, "n": n, "dont_know_n": dk, "missing_n": missing,
                               "median": _weighted_median(v, wv, scale)}
        for name, box in (("top2", top), ("bottom2", bottom)):
            s = _share_stats(np.isin(v, box).astype(float), wv, groups, level, weights is not None)
            row.update({f"{name}_count": s["count"], f"{name}_pct": s["pct"],
                        f"{name}_low": s["pct_low"], f"{name}_high": s["pct_high"]})
        row["mean"] = float(np.average(v, weights=wv)) if n and np.sum(wv) > 0 else np.nan
        row["base"] = BASE_NOTE
        rows.append(row)
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS) if rows else _empty(SUMMARY_COLUMNS)
    frame.attrs["disclosure"] = {"across": [["n", "dont_know_n", "missing_n"]]}
    return frame


# --------------------------------------------------------------------------- multi-select

MULTI_COLUMNS = ["option", "n", "count", "pct", "pct_low", "pct_high", "mentions_pct",
                 "mentions_n", "mean_ticked"]
COCHRAN_COLUMNS = ["n", "k", "q", "df", "p"]
MCNEMAR_COLUMNS = ["option_a", "option_b", "n", "both_n", "only_a_n", "only_b_n",
                   "statistic", "p", "p_holm", "method"]


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
) -> pd.DataFrame:
    """Results of a multi-select ("tick all that apply") question, one row per option.

    Call it for the option table of a multi-select question.  The base ``n`` is the
    respondents who answered the question (not NaN on every option column); within
    that base a NaN option counts as not ticked.  ``pct`` = % of respondents who
    ticked the option (Wilson interval; Kish effective n with weights);
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
        for j, col in enumerate(cols):
            s = _share_stats(ticks[:, j], w, None, level, weights is not None)
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

    Uses respondents who answered the question (unweighted).  Returns one row with
    columns ``n, k, q, df, p`` (chi-square reference distribution with k-1 df).
    """
    block = _answered(data, columns)
    x = (block.to_numpy() > 0).astype(float)
    k = x.shape[1]
    if x.shape[0] == 0 or k < 2:
        return _empty(COCHRAN_COLUMNS)
    col_tot = x.sum(axis=0)
    row_tot = x.sum(axis=1)
    total = x.sum()
    denom = k * total - np.sum(row_tot**2)
    q = (k - 1) * (k * np.sum(col_tot**2) - total**2) / denom if denom > 0 else np.nan
    p = float(sps.chi2.sf(q, k - 1)) if np.isfinite(q) else np.nan
    return pd.DataFrame([{"n": int(x.shape[0]), "k": k, "q": float(q), "df": k - 1, "p": p}],
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
    (``method = "chi2"``).  P-values are Holm-adjusted over all pairs.

    Returns columns ``option_a, option_b, n, both_n, only_a_n, only_b_n,
    statistic, p, p_holm, method``.
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
        if disc == 0:
            stat, p, method = np.nan, 1.0, "exact"
        elif disc < exact_below:
            stat = float(min(only_a, only_b))
            p = float(sps.binomtest(only_a, disc, 0.5).pvalue)
            method = "exact"
        else:
            stat = (only_a - only_b) ** 2 / disc
            p = float(sps.chi2.sf(stat, 1))
            method = "chi2"
        rows.append({"option_a": cols[i], "option_b": cols[j], "n": int(x.shape[0]),
                     "both_n": int(np.sum(a & b)), "only_a_n": only_a, "only_b_n": only_b,
                     "statistic": stat, "p": p, "method": method})
    frame = pd.DataFrame(rows)
    frame["p_holm"] = holm_adjust(frame["p"].to_numpy())
    return frame[MCNEMAR_COLUMNS]


SPLIT_COLUMNS = ["item", "n", "low_count", "high_count", "low_pct", "high_pct", "p", "method"]


def split_test(
    data: pd.DataFrame,
    column: str,
    low: Sequence[float],
    high: Sequence[float],
) -> pd.DataFrame:
    """Exact sign test: do respondents lean to one side of a scale more than the other?

    Call it for questions like "is social media over- or underestimated?": the
    respondents answering a ``low`` code are compared with those answering a
    ``high`` code (everyone else, including "don't know" and missing, is left
    out), with a two-sided exact binomial test of a 50/50 split.  Unweighted.

    Returns one row with columns ``item, n, low_count, high_count, low_pct,
    high_pct, p, method`` where ``n = low_count + high_count`` and the
    percentages are shares of ``n``.
    """
    codes = _codes(data[column])
    low_n = int(codes.isin([float(c) for c in low]).sum())
    high_n = int(codes.isin([float(c) for c in high]).sum())
    n = low_n + high_n
    if n == 0:
        return _empty(SPLIT_COLUMNS)
    p = float(sps.binomtest(low_n, n, 0.5).pvalue)
    return pd.DataFrame([{"item": column, "n": n, "low_count": low_n, "high_count": high_n,
                          "low_pct": 100 * low_n / n, "high_pct": 100 * high_n / n, "p": p,
                          "method": "exact binomial (sign) test"}], columns=SPLIT_COLUMNS)


# --------------------------------------------------------------------------- repeated ratings

FRIEDMAN_COLUMNS = ["n", "k", "statistic", "df", "p", "kendalls_w"]
MEAN_RANK_COLUMNS = ["item", "n", "mean_rank", "median"]
WILCOXON_COLUMNS = ["item_a", "item_b", "n", "n_nonzero", "median_a", "median_b",
                    "statistic", "p", "p_holm", "rank_biserial"]


def _complete(frame: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float]) -> pd.DataFrame:
    """Numeric codes of ``columns`` for respondents who rated them all (don't know = missing)."""
    block = frame[list(columns)].apply(_codes)
    block = block.mask(block.isin([float(d) for d in dont_know]))
    return block.dropna()


def mean_ranks(
    data: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,)
) -> pd.DataFrame:
    """Mean within-respondent rank and median rating of items rated by the same respondents.

    Call it to order domains (rank 1 = lowest code; ties get mid-ranks), on the
    complete cases that :func:`friedman_test` uses.  Returns columns
    ``item, n, mean_rank, median``.
    """
    block = _complete(data, columns, dont_know)
    if block.empty:
        return _empty(MEAN_RANK_COLUMNS)
    ranks = block.rank(axis=1)
    return pd.DataFrame({"item": list(columns), "n": len(block),
                         "mean_rank": ranks.mean().to_numpy(),
                         "median": block.median().to_numpy()}, columns=MEAN_RANK_COLUMNS)


def _friedman(block: pd.DataFrame) -> tuple[float, float]:
    """Tie-corrected Friedman chi-square and p (Conover's formula, as scipy)."""
    x = block.to_numpy(dtype=float)
    n, k = x.shape
    ranks = np.apply_along_axis(sps.rankdata, 1, x)
    rsum = ranks.sum(axis=0)
    ties = 0.0
    for row in x:
        _, counts = np.unique(row, return_counts=True)
        ties += float(np.sum(counts**3 - counts))
    c = 1 - ties / (k * (k * k - 1) * n)
    if c <= 0:
        return float("nan"), float("nan")
    chi2 = (12.0 / (n * k * (k + 1)) * np.sum(rsum**2) - 3 * n * (k + 1)) / c
    return float(chi2), float(sps.chi2.sf(chi2, k - 1))


def kendalls_w(
    frame: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,)
) -> float:
    """Kendall's coefficient of concordance W (tie-corrected) over respondents.

    Call it as the effect size of a ranking of domains: 0 = respondents' orders
    are unrelated, 1 = everybody orders the items the same way.  Equals the
    tie-corrected Friedman chi-square divided by ``n (k - 1)``.  Complete cases,
    don't-know codes treated as missing.  NaN when it cannot be computed.
    """
    block = _complete(frame, columns, dont_know)
    n, k = block.shape
    if n == 0 or k < 2:
        return float("nan")
    chi2, _ = _friedman(block)
    return float(chi2 / (n * (k - 1))) if np.isfinite(chi2) else float("nan")


def friedman_test(
    data: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,)
) -> pd.DataFrame:
    """Friedman test: do respondents rate these items (e.g. domains) differently?

    Complete cases across ``columns``; don't-know codes are treated as missing.
    Returns one row with columns ``n, k, statistic, df, p, kendalls_w``
    (tie-corrected chi-square; Kendall's W as effect size).
    """
    block = _complete(data, columns, dont_know)
    n, k = block.shape
    if n < 2 or k < 3:
        if k < 3 and k >= 1:
            warnings.warn("Friedman test needs at least 3 items; use pairwise_wilcoxon",
                          stacklevel=2)
        return _empty(FRIEDMAN_COLUMNS)
    chi2, p = _friedman(block)
    w = chi2 / (n * (k - 1)) if np.isfinite(chi2) else np.nan
    return pd.DataFrame([{"n": n, "k": k, "statistic": chi2, "df": k - 1, "p": p,
                          "kendalls_w": w}], columns=FRIEDMAN_COLUMNS)


def _paired_rank_biserial(diff: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation (T+ - T-) / (T+ + T-), zeros dropped."""
    d = diff[diff != 0]
    if d.size == 0:
        return float("nan")
    r = sps.rankdata(np.abs(d))
    t_plus = float(r[d > 0].sum())
    t_minus = float(r[d < 0].sum())
    return (t_plus - t_minus) / (t_plus + t_minus)


def pairwise_wilcoxon(
    data: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,)
) -> pd.DataFrame:
    """Pairwise Wilcoxon signed-rank tests between items rated by the same respondents.

    Call it after :func:`friedman_test` to see which domains differ.  Uses the
    same complete cases as the Friedman test; zero differences are dropped
    (``zero_method="wilcox"``), scipy chooses exact or normal p-values.  P-values
    are Holm-adjusted over all pairs.  ``rank_biserial`` > 0 means ``item_a`` is
    rated higher (range -1..1).

    Returns columns ``item_a, item_b, n, n_nonzero, median_a, median_b,
    statistic, p, p_holm, rank_biserial``.
    """
    cols = list(columns)
    block = _complete(data, cols, dont_know)
    if block.empty or len(cols) < 2:
        return _empty(WILCOXON_COLUMNS)
    rows = []
    for a, b in combinations(cols, 2):
        diff = (block[a] - block[b]).to_numpy()
        nz = int(np.sum(diff != 0))
        if nz == 0:
            stat, p = np.nan, np.nan
        else:
            res = sps.wilcoxon(block[a].to_numpy(), block[b].to_numpy(), zero_method="wilcox")
            stat, p = float(res.statistic), float(res.pvalue)
        rows.append({"item_a": a, "item_b": b, "n": len(block), "n_nonzero": nz,
                     "median_a": float(block[a].median()), "median_b": float(block[b].median()),
                     "statistic": stat, "p": p, "rank_biserial": _paired_rank_biserial(diff)})
    frame = pd.DataFrame(rows)
    frame["p_holm"] = holm_adjust(frame["p"].to_numpy())
    return frame[WILCOXON_COLUMNS]


# --------------------------------------------------------------------------- group comparisons

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
    v = float(np.sqrt(chi2 / (n * (min(r, c) - 1))))
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
        method = sps.PermutationMethod(n_resamples=MONTE_CARLO_RESAMPLES,
                                       rng=np.random.default_rng(MONTE_CARLO_SEED))
        res = sps.chi2_contingency(obs.astype(int), correction=False, method=method)
        test, stat, p = "chi2_monte_carlo", float(res.statistic), float(res.pvalue)
        note = "expected count below {:g}: Monte-Carlo p-value ({} resamples)".format(
            min_expected, MONTE_CARLO_RESAMPLES)
    return pd.DataFrame([{**base, "test": test, "statistic": stat, "df": int(dof), "p": p,
                          "cramers_v": v, "min_expected": float(expected.min()),
                          "share_expected_lt5": small, "note": note}],
                        columns=CROSSTAB_TEST_COLUMNS)


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


# --------------------------------------------------------------------------- models

MODEL_COLUMNS = ["term_type", "coef", "se", "z", "p", "odds_ratio", "or_low", "or_high", "n",
                 "clusters"]


def _design(frame: pd.DataFrame, predictors: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix; categorical predictors become ``col[T.level]`` dummies."""
    parts = []
    for col in predictors:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or \
                pd.api.types.is_string_dtype(s.dtype):
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            cat = cat.cat.remove_unused_categories()
            levels = list(cat.cat.categories)
            for lev in levels[1:]:
                parts.append(pd.Series((cat == lev).astype(float).to_numpy(), index=frame.index,
                                       name=f"{col}[T.{lev}]"))
        elif pd.api.types.is_bool_dtype(s.dtype):
            parts.append(s.astype(float).rename(col))
        else:
            parts.append(pd.to_numeric(s, errors="coerce").astype(float).rename(col))
    if not parts:
        return pd.DataFrame(index=frame.index)
    return pd.concat(parts, axis=1)


def _model_frame(
    frame: pd.DataFrame, outcome: str, predictors: Sequence[str], cluster: str | None,
    dont_know: Sequence[Any],
) -> pd.DataFrame:
    cols = [outcome, *predictors] + ([cluster] if cluster is not None else [])
    sub = frame[list(dict.fromkeys(cols))].copy()
    y = sub[outcome]
    if len(dont_know):
        y = y.mask(y.isin(list(dont_know)))
        sub[outcome] = y
    return sub.dropna()


def _result_table(
    params: pd.Series, bse: pd.Series, pvalues: pd.Series, term_type: pd.Series,
    n: int, clusters: int | None, level: float,
) -> pd.DataFrame:
    z = _z(level)
    out = pd.DataFrame({"term_type": term_type, "coef": params, "se": bse,
                        "z": params / bse, "p": pvalues})
    is_pred = out["term_type"] == "predictor"
    out["odds_ratio"] = np.where(is_pred, np.exp(out["coef"]), np.nan)
    out["or_low"] = np.where(is_pred, np.exp(out["coef"] - z * out["se"]), np.nan)
    out["or_high"] = np.where(is_pred, np.exp(out["coef"] + z * out["se"]), np.nan)
    out["n"] = n
    out["clusters"] = clusters if clusters is not None else np.nan
    out.index.name = "term"
    return out[MODEL_COLUMNS]


def ordinal_logit(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    cluster: str | None = None,
    level: float = 0.95,
    dont_know: Sequence[Any] = (9,),
) -> pd.DataFrame:
    """Proportional-odds (ordinal logistic) regression with odds ratios.

    Call it to model a rating (e.g. 5-point agreement) on respondent
    characteristics.  ``outcome`` is an ordered categorical (an unordered or
    numeric column is ordered by its sorted values); unused categories and the
    ``dont_know`` codes are dropped, rows with any missing value are dropped.
    Categorical predictors become dummy terms ``col[T.level]`` against their first
    category; numeric/boolean predictors keep their column name.  ``cluster``
    (organisation) gives cluster-robust (sandwich) standard errors.

    Fitted with statsmodels' ``OrderedModel`` (logit link, BFGS), so a positive
    ``coef`` means higher outcome categories are more likely (``odds_ratio`` > 1).
    Returns a frame indexed by ``term`` with columns ``term_type, coef, se, z, p,
    odds_ratio, or_low, or_high, n, clusters``; predictor terms come first,
    then the cut points ``cut[a|b]`` (``term_type = "threshold"``, on the logit
    scale with delta-method SEs; no odds ratio).
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    sub = _model_frame(frame, outcome, predictors, cluster, dont_know)
    empty = _empty(MODEL_COLUMNS, index_name="term")
    if sub.empty:
        return empty
    y = sub[outcome]
    if isinstance(y.dtype, pd.CategoricalDtype):
        cats = [c for c in y.cat.categories if c not in set(dont_know)]
        y = pd.Categorical(y.astype(object), categories=cats, ordered=True)
        y = pd.Series(y, index=sub.index).cat.remove_unused_categories()
    else:
        y = pd.Series(pd.Categorical(y, categories=sorted(y.unique()), ordered=True),
                      index=sub.index)
    levels = list(y.cat.categories)
    if len(levels) < 2:
        return empty
    x = _design(sub, predictors)
    x = x.loc[:, x.std(ddof=0) > 0] if len(x.columns) else x
    model = OrderedModel(y, x, distr="logit")
    fit_kw: dict[str, Any] = {"method": "bfgs", "disp": False, "maxiter": 2000}
    groups = None
    if cluster is not None:
        groups = pd.factorize(sub[cluster])[0]
        fit_kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(**fit_kw)
    if not res.mle_retvals.get("converged", True):
        warnings.warn(f"ordinal_logit for {outcome!r} did not converge", RuntimeWarning,
                      stacklevel=2)
    k = x.shape[1]
    params = pd.Series(np.asarray(res.params), index=list(x.columns) + _threshold_names(levels))
    cov = np.asarray(res.cov_params())
    bse = pd.Series(np.sqrt(np.diag(cov)), index=params.index)
    pvals = pd.Series(np.asarray(res.pvalues), index=params.index)
    # thresholds: statsmodels stores the first cut point and log increments
    raw = params.iloc[k:].to_numpy()
    cuts = raw[0] + np.concatenate([[0.0], np.cumsum(np.exp(raw[1:]))])
    jac = np.zeros((len(raw), len(raw)))
    jac[:, 0] = 1.0
    for j in range(1, len(raw)):
        jac[j, 1:j + 1] = np.exp(raw[1:j + 1])
    cut_cov = jac @ cov[k:, k:] @ jac.T
    cut_se = np.sqrt(np.diag(cut_cov))
    cut_p = 2 * sps.norm.sf(np.abs(cuts / cut_se))
    names = params.index[k:]
    params.iloc[k:] = cuts
    bse.iloc[k:] = cut_se
    pvals.iloc[k:] = cut_p
    term_type = pd.Series(["predictor"] * k + ["threshold"] * len(names), index=params.index)
    return _result_table(params, bse, pvals, term_type, len(sub),
                         int(len(np.unique(groups))) if groups is not None else None, level)


def _threshold_names(levels: Sequence[Any]) -> list[str]:
    return [f"cut[{a}|{b}]" for a, b in zip(levels[:-1], levels[1:])]


def logistic_regression(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    cluster: str | None = None,
    level: float = 0.95,
    event: Any = None,
) -> pd.DataFrame:
    """Binary logistic regression with odds ratios.

    Call it to model a yes/no answer (e.g. "uses Twitter for work").  ``outcome``
    is 0/1 or boolean, or any two-valued column with ``event=`` naming the value
    modelled as 1 (for a two-category categorical the second category is the
    event by default).  Rows with a missing value are dropped; categorical
    predictors become ``col[T.level]`` dummies.  ``cluster`` (organisation) gives
    cluster-robust standard errors.

    Returns a frame indexed by ``term`` (``Intercept`` first, ``term_type =
    "intercept"``, no odds ratio) with columns ``term_type, coef, se, z, p,
    odds_ratio, or_low, or_high, n, clusters``.
    """
    import statsmodels.api as sm

    sub = _model_frame(frame, outcome, predictors, cluster, ())
    empty = _empty(MODEL_COLUMNS, index_name="term")
    if sub.empty:
        return empty
    y_raw = sub[outcome]
    if event is not None:
        y = (y_raw == event).astype(float)
    elif isinstance(y_raw.dtype, pd.CategoricalDtype):
        cats = list(y_raw.cat.remove_unused_categories().cat.categories)
        if len(cats) != 2:
            raise ValueError(f"outcome {outcome!r} must have two categories; pass event=")
        y = (y_raw == cats[1]).astype(float)
    else:
        y = pd.to_numeric(y_raw.astype(object) if y_raw.dtype == bool else y_raw,
                          errors="coerce").astype(float)
        if not y.isin([0.0, 1.0]).all():
            raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean; pass event=")
    if y.nunique() < 2:
        return empty
    x = _design(sub, predictors)
    x = x.loc[:, x.std(ddof=0) > 0] if len(x.columns) else x
    x.insert(0, "Intercept", 1.0)
    fit_kw: dict[str, Any] = {"disp": False, "maxiter": 200}
    groups = None
    if cluster is not None:
        groups = pd.factorize(sub[cluster])[0]
        fit_kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    res = sm.Logit(y, x).fit(**fit_kw)
    if not res.mle_retvals.get("converged", True):
        warnings.warn(f"logistic_regression for {outcome!r} did not converge", RuntimeWarning,
                      stacklevel=2)
    params = pd.Series(np.asarray(res.params), index=x.columns)
    bse = pd.Series(np.asarray(res.bse), index=x.columns)
    pvals = pd.Series(np.asarray(res.pvalues), index=x.columns)
    term_type = pd.Series(["intercept"] + ["predictor"] * (len(x.columns) - 1), index=x.columns)
    return _result_table(params, bse, pvals, term_type, len(sub),
                         int(len(np.unique(groups))) if groups is not None else None, level)


# --------------------------------------------------------------------------- agreement


def cohens_kappa(a: Iterable[Any], b: Iterable[Any], weighting: str | None = None) -> float:
    """Cohen's kappa for two coders' labels of the same units (chance-corrected agreement).

    Call it to report intercoder reliability of two coders.  Units where either
    label is missing are dropped.  ``weighting`` = ``"linear"`` or ``"quadratic"``
    gives weighted kappa for ordered codes (distance = difference in position among
    the sorted observed categories).  NaN when undefined (no units, or expected
    agreement of 1).
    """
    sa = pd.Series(list(a), dtype=object)
    sb = pd.Series(list(b), dtype=object)
    if len(sa) != len(sb):
        raise ValueError("a and b must have the same length")
    keep = sa.notna() & sb.notna()
    sa, sb = sa[keep], sb[keep]
    if sa.empty:
        return float("nan")
    cats = sorted(set(sa) | set(sb), key=lambda v: (str(type(v)), v))
    pos = {c: i for i, c in enumerate(cats)}
    m = len(cats)
    table = np.zeros((m, m))
    for x, y in zip(sa, sb):
        table[pos[x], pos[y]] += 1
    table /= table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    i, j = np.indices((m, m))
    if weighting is None:
        dis = (i != j).astype(float)
    elif weighting == "linear":
        dis = np.abs(i - j).astype(float)
    elif weighting == "quadratic":
        dis = ((i - j) ** 2).astype(float)
    else:
        raise ValueError("weighting must be None, 'linear' or 'quadratic'")
    de = float(np.sum(dis * expected))
    if de == 0:
        return float("nan")
    return float(1 - np.sum(dis * table) / de)


def krippendorff_alpha(data: Any, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing codes.

    Call it for intercoder reliability when there are more than two coders or
    missing codes.  ``data`` is coders x units (2-D array-like, NaN = not coded);
    ``level`` is ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.
    Units coded by fewer than two coders are not pairable and are ignored.
    Computed from the coincidence matrix (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability").  NaN when there is no variation.
    """
    arr = np.asarray(pd.DataFrame(data).apply(pd.to_numeric, errors="coerce"), dtype=float)
    if arr.ndim != 2:
        raise ValueError("data must be 2-D: coders x units")
    if level not in {"nominal", "ordinal", "interval", "ratio"}:
        raise ValueError(f"unknown level {level!r}")
    values = np.unique(arr[~np.isnan(arr)])
    v = values.size
    if v == 0:
        return float("nan")
    index = {val: i for i, val in enumerate(values)}
    o = np.zeros((v, v))
    for unit in arr.T:
        present = unit[~np.isnan(unit)]
        m_u = present.size
        if m_u < 2:
            continue
        counts = np.zeros(v)
        for val in present:
            counts[index[val]] += 1
        o += (np.outer(counts, counts) - np.diag(counts)) / (m_u - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    c, k = np.indices((v, v))
    if level == "nominal":
        delta = (c != k).astype(float)
    elif level == "interval":
        delta = (values[c] - values[k]) ** 2
    elif level == "ratio":
        s = values[c] + values[k]
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.where(s == 0, 0.0, ((values[c] - values[k]) / s) ** 2)
    else:  # ordinal
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        lo, hi = np.minimum(c, k), np.maximum(c, k)
        delta = (cum[hi + 1] - cum[lo] - (n_c[c] + n_c[k]) / 2) ** 2
    d_o = np.sum(o * delta)
    d_e = np.sum(np.outer(n_c, n_c) * delta)
    if d_e == 0:
        return float("nan")
    return float(1 - (n - 1) * d_o / d_e)
