"""Items rated by the same respondents: mean ranks, Friedman test, Kendall's W, pairwise Wilcoxon."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._common import _codes, _empty
from .multiple import holm_adjust

FRIEDMAN_COLUMNS = ["n", "k", "statistic", "df", "p", "kendalls_w"]
MEAN_RANK_COLUMNS = ["item", "n", "mean_rank", "median"]
WILCOXON_COLUMNS = ["item_a", "item_b", "n", "n_nonzero", "median_a", "median_b",
                    "statistic", "p", "p_holm", "rank_biserial", "p_greater", "p_less"]


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
    """Tie-corrected Friedman chi-square and p (k - 1 df) of complete-case ratings.

    scipy's ``friedmanchisquare`` computes it for three or more items.  For two
    items (which scipy refuses) the same tie-corrected statistic reduces exactly
    to the sign-test chi-square ``(a - b)^2 / (a + b)``, with ``a`` and ``b`` the
    respondents rating the first or the second item higher.  NaN when every
    respondent gave all items the same code (the tie correction is then 0).
    """
    x = block.to_numpy(dtype=float)
    k = x.shape[1]
    if np.all(x == x[:, :1]):
        return float("nan"), float("nan")
    if k == 2:
        first, second = int(np.sum(x[:, 0] > x[:, 1])), int(np.sum(x[:, 0] < x[:, 1]))
        chi2 = (first - second) ** 2 / (first + second)
        return float(chi2), float(sps.chi2.sf(chi2, 1))
    res = sps.friedmanchisquare(*x.T)
    return float(res.statistic), float(res.pvalue)


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
    (tie-corrected chi-square from scipy's ``friedmanchisquare``; Kendall's W as
    effect size).
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
    data: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,),
    complete_cases: bool = False,
) -> pd.DataFrame:
    """Pairwise Wilcoxon signed-rank tests between items rated by the same respondents.

    Call it after :func:`friedman_test` to see which domains differ.  Each pair
    uses everyone who rated both items (``n`` per pair; with
    ``complete_cases=True`` only those who rated every item, as the Friedman test
    does); zero differences are dropped (``zero_method="wilcox"``), scipy chooses
    exact or normal p-values.  Two-sided p-values are Holm-adjusted over all
    pairs.  ``rank_biserial`` > 0 means ``item_a`` is rated higher (range -1..1).
    ``p_greater`` and ``p_less`` are the one-sided p-values of "``item_a`` is rated
    higher" and "lower" (not adjusted: an intersection-union test, "X is rated
    higher than every other item", needs none).

    Returns columns ``item_a, item_b, n, n_nonzero, median_a, median_b,
    statistic, p, p_holm, rank_biserial, p_greater, p_less``.
    """
    cols = list(columns)
    frame_codes = data[cols].apply(_codes)
    frame_codes = frame_codes.mask(frame_codes.isin([float(d) for d in dont_know]))
    block = frame_codes.dropna() if complete_cases else frame_codes
    if block.dropna(how="all").empty or len(cols) < 2:
        return _empty(WILCOXON_COLUMNS)
    rows = []
    for a, b in combinations(cols, 2):
        pair = block[[a, b]].dropna()
        if pair.empty:
            continue
        x, y = pair[a].to_numpy(), pair[b].to_numpy()
        diff = x - y
        nz = int(np.sum(diff != 0))
        if nz == 0:
            stat, p, greater, less = np.nan, np.nan, np.nan, np.nan
        else:
            res = sps.wilcoxon(x, y, zero_method="wilcox")
            stat, p = float(res.statistic), float(res.pvalue)
            greater = float(sps.wilcoxon(x, y, zero_method="wilcox", alternative="greater").pvalue)
            less = float(sps.wilcoxon(x, y, zero_method="wilcox", alternative="less").pvalue)
        rows.append({"item_a": a, "item_b": b, "n": len(pair), "n_nonzero": nz,
                     "median_a": float(np.median(x)), "median_b": float(np.median(y)),
                     "statistic": stat, "p": p, "rank_biserial": _paired_rank_biserial(diff),
                     "p_greater": greater, "p_less": less})
    if not rows:
        return _empty(WILCOXON_COLUMNS)
    frame = pd.DataFrame(rows)
    frame["p_holm"] = holm_adjust(frame["p"].to_numpy())
    return frame[WILCOXON_COLUMNS]
