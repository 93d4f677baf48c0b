"""Rating items (5-point scales with "don't know"): distributions, medians, box shares, sign test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis.stats._common import _as_list, _codes, _empty, _in_levels, _levels, _weight_vector
from analysis.stats.proportions import _cluster_labels, _Clusters, _clusters_of, _share_stats

DISTRIBUTION_COLUMNS = ["item", "code", "count", "pct", "pct_low", "pct_high", "n",
                        "dont_know_n", "missing_n", "base"]
SUMMARY_COLUMNS = ["item", "n", "dont_know_n", "missing_n", "median",
                   "top2_count", "top2_pct", "top2_low", "top2_high",
                   "bottom2_count", "bottom2_pct", "bottom2_low", "bottom2_high",
                   "mean", "base"]
BASE_NOTE = "substantive answers; don't know and missing excluded"


class _Rating(NamedTuple):
    """One rating item's substantive answers (as levels of ``values``) and its other counts."""

    level: np.ndarray
    values: np.ndarray
    w: np.ndarray
    unit: bool
    clusters: _Clusters | None
    dont_know_n: int
    missing_n: int

    @property
    def n(self) -> int:
        return int(self.level.size)

    @property
    def total(self) -> float:
        """Weight of all substantive answers, ``np.sum(w)``."""
        return float(self.level.size) if self.unit else float(np.sum(self.w))

    def hits(self, codes: Sequence[float]) -> np.ndarray:
        """Which substantive answers are one of ``codes`` (``np.isin`` of the answer codes)."""
        return _in_levels(self.level, self.values, codes)

    def totals(self, codes: Sequence[float]) -> list[float]:
        """Weight of the answers of each code: ``np.sum(w[answers == code])``, bit for bit
        (with unit weights that sum is the count)."""
        if self.unit:
            counts = np.bincount(self.level, minlength=self.values.size)
            return [float(counts[self.values == float(c)].sum()) for c in codes]
        return [float(np.sum(self.w[self.hits([c])])) for c in codes]


class _Respondents(NamedTuple):
    """What every item of one call shares: weights (NaN = left out) and cluster labels."""

    w: np.ndarray
    valid_w: np.ndarray
    valid_n: int
    cluster_labels: np.ndarray | None


def _respondents(data: pd.DataFrame, weights: str | None, cluster: str | None) -> _Respondents:
    w = _weight_vector(data, weights).to_numpy(dtype=float)
    valid_w = ~np.isnan(w)
    labels = _cluster_labels(data[cluster]) if cluster is not None else None
    return _Respondents(w, valid_w, int(np.count_nonzero(valid_w)), labels)


def _split_rating(
    data: pd.DataFrame, col: str, scale: Sequence[float], dont_know: Sequence[float],
    respondents: _Respondents,
) -> _Rating:
    """Item ``col`` split into substantive answers (codes in ``scale``), don't know and missing."""
    level, values = _levels(data[col])
    dk = int(np.count_nonzero(_in_levels(level, values, dont_know) & respondents.valid_w))
    substantive = _in_levels(level, values, scale) & respondents.valid_w
    rows = np.flatnonzero(substantive)
    w = respondents.w[rows]
    clusters = _clusters_of(respondents.cluster_labels[rows]) if respondents.cluster_labels is not None else None
    return _Rating(level[rows], values, w, bool(np.all(w == 1.0)), clusters, dk,
                   respondents.valid_n - dk - rows.size)


def _weighted_median(totals: Sequence[float], order: Sequence[float], total: float) -> float:
    """Median in scale order from the weight of each code (``totals``, in ``order``) and of all
    answers (``total``); midpoint of two codes when the cumulative share is exactly 1/2."""
    if total <= 0:
        return float("nan")
    cum = 0.0
    ordered = [float(c) for c in order]
    for i, code in enumerate(ordered):
        cum += totals[i]
        share = cum / total
        if np.isclose(share, 0.5, rtol=0, atol=1e-12):
            nxt = next((c for c, t in zip(ordered[i + 1:], totals[i + 1:]) if t > 0), code)
            return (code + nxt) / 2
        if share > 0.5:
            return code
    return float("nan")


def _mean(rating: _Rating) -> float:
    """``np.average`` of the substantive codes (weighted); NaN without weight."""
    if rating.n == 0:
        return float("nan")
    if rating.unit:
        counts = np.bincount(rating.level, minlength=rating.values.size)
        exact = bool(np.all(rating.values == np.floor(rating.values))) and \
            float(np.abs(rating.values) @ counts) < 2.0**53
        if exact:
            # integer codes: the sum of the answers is exact, so it is the sum np.average forms
            return float(np.float64(float(rating.values @ counts)) / np.float64(rating.n))
    if np.sum(rating.w) <= 0:
        return float("nan")
    return float(np.average(rating.values[rating.level], weights=rating.w))


def rating_distribution(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    scale: Sequence[float] = (1, 2, 3, 4, 5),
    dont_know: Sequence[float] = (9,),
    weights: str | None = None,
    level: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Answer distribution of 5-point rating items, one row per item x scale code.

    Call it for the frequency table of a rating question.  The base ``n`` is the
    number of substantive answers (codes in ``scale``); "don't know" answers
    (``dont_know_n``) and missing answers (``missing_n``) are counted separately and
    excluded from the base; the ``base`` column says so in words.  Every scale code
    gets a row, also when nobody chose it.  ``pct`` (weighted if ``weights``) has a
    Wilson interval (Kish effective n when weighted; design-effect adjusted for
    clustering with ``cluster``, floored at 1).

    Returns columns ``item, code, count, pct, pct_low, pct_high, n, dont_know_n,
    missing_n, base``.  ``attrs["disclosure"]`` declares that ``count`` adds up to
    ``n`` within each item.
    """
    cols = _as_list(columns)
    respondents = _respondents(data, weights, cluster)
    rows: list[dict[str, Any]] = []
    for col in cols:
        rating = _split_rating(data, col, scale, dont_know, respondents)
        if rating.n == 0 and rating.dont_know_n == 0:
            continue
        for code in scale:
            hit = rating.hits([code])
            s = _share_stats(hit, rating.w, rating.clusters, level, weights is not None)
            rows.append({"item": col, "code": code, "count": s["count"], "pct": s["pct"],
                         "pct_low": s["pct_low"], "pct_high": s["pct_high"], "n": rating.n,
                         "dont_know_n": rating.dont_know_n, "missing_n": rating.missing_n,
                         "base": BASE_NOTE})
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
    design-effect adjusted with ``cluster``, floored at 1; a respondent with an unknown
    cluster is a cluster of one).  ``mean`` of the codes is a secondary
    column only: the scale is ordinal, report the median and box shares first.

    Returns columns ``item, n, dont_know_n, missing_n, median, top2_count,
    top2_pct, top2_low, top2_high, bottom2_count, bottom2_pct, bottom2_low,
    bottom2_high, mean, base``.
    """
    cols = _as_list(columns)
    if len(scale) < 4:
        raise ValueError("top-2/bottom-2 boxes need a scale of at least 4 codes")
    respondents = _respondents(data, weights, cluster)
    top = [float(c) for c in scale[-2:]]
    bottom = [float(c) for c in scale[:2]]
    rows: list[dict[str, Any]] = []
    for col in cols:
        rating = _split_rating(data, col, scale, dont_know, respondents)
        if rating.n == 0 and rating.dont_know_n == 0:
            continue
        row: dict[str, Any] = {"item": col, "n": rating.n, "dont_know_n": rating.dont_know_n,
                               "missing_n": rating.missing_n,
                               "median": _weighted_median(rating.totals(scale), scale, rating.total)}
        for name, box in (("top2", top), ("bottom2", bottom)):
            s = _share_stats(rating.hits(box), rating.w, rating.clusters, level, weights is not None)
            row.update({f"{name}_count": s["count"], f"{name}_pct": s["pct"],
                        f"{name}_low": s["pct_low"], f"{name}_high": s["pct_high"]})
        row["mean"] = _mean(rating)
        row["base"] = BASE_NOTE
        rows.append(row)
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS) if rows else _empty(SUMMARY_COLUMNS)
    frame.attrs["disclosure"] = {"across": [["n", "dont_know_n", "missing_n"]]}
    return frame



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

