"""Rating items (5-point scales with "don't know"): distributions, medians, box shares, sign test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._common import _as_list, _codes, _empty, _weight_vector
from .proportions import _share_stats

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
    w_all = _weight_vector(data, weights)
    rows: list[dict[str, Any]] = []
    for col in cols:
        vals, w, dk, missing = _split_rating(data, col, scale, dont_know, w_all)
        n = int(vals.size)
        if n == 0 and dk == 0:
            continue
        wv = w.to_numpy()
        v = vals.to_numpy()
        groups = data.loc[vals.index, cluster].to_numpy() if cluster is not None else None
        for code in scale:
            hit = v == float(code)
            s = _share_stats(hit.astype(float), wv, groups, level, weights is not None)
            rows.append({"item": col, "code": code, "count": int(hit.sum()), "pct": s["pct"],
                         "pct_low": s["pct_low"], "pct_high": s["pct_high"], "n": n,
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
    w_all = _weight_vector(data, weights)
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

