"""Shares of respondents with Wilson score intervals, Kish and cluster effective n.

The Wilson and Newcombe intervals come from statsmodels; the weighted and
clustered effective sample sizes that feed them are our own (statsmodels has no
design-based proportion interval).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from analysis.stats._common import _as_list, _check_level, _codes, _empty, _weight_vector

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
    inside [-1, 1] (limits are clipped against rounding) and, like the Wilson interval,
    behaves well for small groups and shares near 0 or 1.  Counts and bases may be non-integer (weighted count and
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


@dataclass(frozen=True)
class _Clusters:
    """Respondents' clusters numbered 0, 1, ... in order of first appearance.

    A respondent whose cluster is unknown is a cluster of their own (numbered after the
    known ones, in row order); ``count`` is the number of clusters.
    """

    codes: np.ndarray
    count: int


def _cluster_labels(column: pd.Series) -> np.ndarray:
    """Integer label of every respondent's cluster (-1 unknown), for :func:`_clusters_of`.

    Labelling the whole column once lets each subset of respondents be numbered with a
    few array operations instead of hashing the cluster names again.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.intp)
    return np.asarray(pd.factorize(column, use_na_sentinel=True)[0], dtype=np.intp)


def _clusters_of(labels: np.ndarray) -> _Clusters:
    """The clusters of the respondents with these :func:`_cluster_labels` (a subset, in row order).

    Numbered as ``pandas.factorize`` numbers the cluster names of the same respondents, so
    that the cluster totals are added up in the same order.
    """
    labels = np.asarray(labels, dtype=np.intp)
    known = labels >= 0
    every = bool(known.all())
    positions = np.arange(labels.size) if every else np.flatnonzero(known)
    known_labels = labels if every else labels[positions]
    first = np.full(int(known_labels.max()) + 1 if known_labels.size else 0, labels.size, dtype=np.intp)
    np.minimum.at(first, known_labels, positions)
    present = np.flatnonzero(first < labels.size)
    in_order = present[np.argsort(first[present], kind="stable")]
    number = np.empty(first.size, dtype=np.intp)
    number[in_order] = np.arange(in_order.size)
    if every:
        return _Clusters(number[labels], int(in_order.size))
    codes = np.empty(labels.size, dtype=np.intp)
    codes[positions] = number[known_labels]
    unknown = labels.size - positions.size
    codes[~known] = in_order.size + np.arange(unknown)
    return _Clusters(codes, int(in_order.size + unknown))


def _clusters(groups: np.ndarray | pd.Series) -> _Clusters:
    """The clusters of respondents given their cluster names (NaN = unknown)."""
    codes, uniques = pd.factorize(pd.Series(groups), use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.intp).copy()
    unknown = codes < 0
    codes[unknown] = len(uniques) + np.arange(int(unknown.sum()))
    return _Clusters(codes, len(uniques) + int(unknown.sum()))


def _share_stats(
    success: np.ndarray,
    w: np.ndarray,
    groups: np.ndarray | _Clusters | None,
    level: float,
    weighted: bool,
) -> dict[str, float]:
    """Share, Wilson interval, effective n and design effect for a 0/1 (or boolean) vector.

    ``groups`` are the respondents' cluster names, or their :class:`_Clusters` when the
    caller numbered them once for several shares.
    """
    success = np.asarray(success)
    w = np.asarray(w, dtype=float)
    n = int(success.size)
    count = int(np.sum(success))
    # unit weights (no weights given): w * x is x and sum(w) is n, so both are skipped
    unit = bool(np.all(w == 1.0))
    wsum = float(n) if unit else float(np.sum(w))
    if n == 0 or wsum <= 0:
        return {"n": n, "count": count, "pct": np.nan, "pct_low": np.nan, "pct_high": np.nan,
                "n_eff": np.nan, "deff": np.nan}
    p = float(np.sum(success if unit else w * success) / wsum)
    n_eff = kish_effective_n(w) if weighted else float(n)
    if groups is not None:
        clusters = groups if isinstance(groups, _Clusters) else _clusters(groups)
        # the design effect of clustering is floored at 1: clustering never narrows an interval
        n_eff = min(n_eff, _cluster_effective_n(success, None if unit else w, clusters, p, fallback=n_eff))
    low, high = wilson_interval(p * n_eff, n_eff, level)
    return {"n": n, "count": count, "pct": 100 * p, "pct_low": 100 * low,
            "pct_high": 100 * high, "n_eff": n_eff, "deff": n / n_eff if n_eff > 0 else np.nan}


def _cluster_effective_n(
    success: np.ndarray, w: np.ndarray | None, groups: np.ndarray | _Clusters, p: float, fallback: float
) -> float:
    """Design-based effective n ``p(1-p) / var(p)`` under cluster sampling.

    ``var(p)`` is the linearisation (with-replacement, ultimate-cluster) variance of
    the weighted ratio estimator with the ``G / (G - 1)`` factor, as R's ``survey``
    package computes for ``svydesign(ids = ~organisation, weights = ...)``; this is
    the effective n that ``svyciprop(method = "wilson")`` plugs into the Wilson
    formula.  When the variance is 0 (p is 0 or 1) or fewer than two clusters are
    present the design effect cannot be estimated and ``fallback`` (Kish n) is used.
    A respondent whose cluster is unknown (NaN) is a cluster of their own: such
    respondents stay in the base.  ``w=None`` stands for unit weights.
    """
    clusters = groups if isinstance(groups, _Clusters) else _clusters(groups)
    g = clusters.count
    if g < 2 or p <= 0 or p >= 1:
        return fallback
    if w is None:
        z = (success - p) / float(success.size)
    else:
        z = w * (success - p) / np.sum(w)
    totals = np.bincount(clusters.codes, weights=z, minlength=g)
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
    w_all = _weight_vector(data, weights).to_numpy(dtype=float)
    labels = _cluster_labels(data[cluster]) if cluster is not None else None
    for col in cols:
        # "yes" is decided once per distinct value of the column, then looked up per respondent
        position, distinct = _distinct(data[col])
        keep = np.flatnonzero((position >= 0) & ~np.isnan(w_all))
        if success is None:
            vals = _codes(distinct).to_numpy()
            used = np.bincount(position[keep], minlength=len(distinct)) > 0
            if not np.isin(vals[used], [0.0, 1.0]).all():
                raise ValueError(f"column {col!r} is not 0/1; pass success= to define 'yes'")
            yes_by_value = vals == 1.0
        else:
            targets = list(success) if isinstance(success, (list, tuple, set, frozenset)) else [success]
            numeric = [float(t) for t in targets
                       if isinstance(t, (int, float, np.number)) and not isinstance(t, bool)]
            # match raw values (labels) and numeric codes (4 matches a categorical code 4.0)
            yes_by_value = (distinct.astype(object).isin(targets).to_numpy()
                            | _codes(distinct).isin(numeric).to_numpy())
        if keep.size == 0:
            continue
        yes = yes_by_value[position[keep]]
        groups = _clusters_of(labels[keep]) if labels is not None else None
        stats_ = _share_stats(yes, w_all[keep], groups, level, weights is not None)
        rows.append({"item": col, **stats_})
    if not rows:
        return _empty(PROPORTION_COLUMNS)
    return pd.DataFrame(rows, columns=PROPORTION_COLUMNS)


def _distinct(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A column as ``(position, distinct)``: its distinct values (a Series of the column's type)
    and each respondent's position among them (-1 for missing, as ``isna``)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        every = pd.Categorical.from_codes(np.arange(len(column.cat.categories)), dtype=column.dtype)
        return column.cat.codes.to_numpy().astype(np.intp), pd.Series(every)
    position, distinct = pd.factorize(column, use_na_sentinel=True)
    return np.asarray(position, dtype=np.intp), pd.Series(distinct, dtype=column.dtype)
