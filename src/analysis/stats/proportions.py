"""Shares of respondents with Wilson score intervals, Kish and cluster effective n.

The Wilson and Newcombe intervals come from statsmodels; the weighted and
clustered effective sample sizes that feed them are our own (statsmodels has no
design-based proportion interval).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from ._common import _as_list, _check_level, _codes, _empty, _weight_vector

PROPORTION_COLUMNS = ["item", "n", "count", "pct", "pct_low", "pct_high", "n_eff", "deff"]


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


def _checked_count(count: float, n: float) -> float:
    """``count`` as float, within [0, n] (a rounding excess up to 1e-12 relative is clipped)."""
    count = float(count)
    if count < 0 or count > n * (1 + 1e-12):
        raise ValueError(f"count must be within [0, n], got count={count}, n={n}")
    return min(count, n)


def wilson_interval(count: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` for a proportion ``count / n`` (0-1 scale).

    Use it for any survey share: unlike the Wald interval it stays inside [0, 1] and
    keeps close to nominal coverage for small bases and extreme shares.  ``count``
    and ``n`` may be non-integer (weighted count and effective n).  ``n <= 0`` gives
    ``(nan, nan)``.  Computed by statsmodels' ``proportion_confint(method="wilson")``;
    a share of exactly 0 (or 1) has a lower (upper) limit of exactly 0 (1).
    """
    n = float(n)
    if not np.isfinite(n) or n <= 0:
        return (float("nan"), float("nan"))
    count = _checked_count(count, n)
    low, high = proportion_confint(count, n, alpha=1 - _check_level(level), method="wilson")
    p = count / n
    # the closed form leaves a rounding residue (~1e-17) at the boundary; the limit is exact
    low = 0.0 if p == 0 else float(low)
    high = 1.0 if p == 1 else float(high)
    return (low, high)


def newcombe_difference(
    count1: float, n1: float, count2: float, n2: float, level: float = 0.95
) -> tuple[float, float]:
    """Interval ``(low, high)`` for the difference ``count1/n1 - count2/n2`` (0-1 scale).

    Call it to say how much two independent groups (two waves, two organisations)
    differ in a share.  It is Newcombe's (1998, Statistics in Medicine 17:873-890)
    hybrid score interval, "method 10": the two Wilson intervals combined, computed
    by statsmodels' ``confint_proportions_2indep(method="newcomb")``.  It stays
    inside [-1, 1] (limits are clipped against rounding) and, like the Wilson interval, behaves well for small groups and
    shares near 0 or 1.  Counts and bases may be non-integer (weighted count and
    effective n).  An empty group (``n1 <= 0`` or ``n2 <= 0``) gives ``(nan, nan)``.
    """
    n1, n2 = float(n1), float(n2)
    if not (np.isfinite(n1) and np.isfinite(n2)) or n1 <= 0 or n2 <= 0:
        return (float("nan"), float("nan"))
    count1, count2 = _checked_count(count1, n1), _checked_count(count2, n2)
    low, high = confint_proportions_2indep(count1, n1, count2, n2, method="newcomb",
                                           compare="diff", alpha=1 - _check_level(level))
    # the Wilson limits' rounding residue can push a limit past +-1 (300/300 vs 0/1 gives
    # 1 + 2e-16); the interval itself never leaves [-1, 1]
    return (max(-1.0, float(low)), min(1.0, float(high)))


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
        # the design effect of clustering is floored at 1: clustering never narrows an interval
        n_eff = min(n_eff, _cluster_effective_n(success, w, groups, p, fallback=n_eff))
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
    A respondent whose cluster is unknown (NaN) is a cluster of their own: such
    respondents stay in the base.
    """
    codes, uniques = pd.factorize(pd.Series(groups), use_na_sentinel=True)
    codes = np.asarray(codes).copy()
    unknown = codes < 0
    g = len(uniques) + int(unknown.sum())
    codes[unknown] = len(uniques) + np.arange(int(unknown.sum()))
    if g < 2 or p <= 0 or p >= 1:
        return fallback
    z = w * (success - p) / np.sum(w)
    totals = np.bincount(codes, weights=z, minlength=g)
    var = g / (g - 1) * float(np.sum(totals**2))
    if var <= 0:
        return fallback
    return p * (1 - p) / var


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
    adjusted for clustering, as R's ``survey::svyciprop(method = "wilson")`` does,
    with the design effect floored at 1 (an interval is never narrowed by it);
    a respondent with an unknown cluster counts as a cluster of one.

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
