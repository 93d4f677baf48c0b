"""Change between two waves of the survey: shares, ratings, rankings and multi-select options.

Pure functions on two survey frames (the earlier wave ``old``, the later wave ``new``) returning
tidy tables, one row per item (or option, or category). They are the statistics behind each
chapter's "Change since ..." part (:mod:`analysis.themes.comparison` protects and words them) and
behind the calibration script ``benchmarks/waves.py``.

- Shares: each wave's share with its Wilson interval (weighted shares use Kish's effective n, as
  single-wave shares do), the difference new - old in percentage points with Newcombe's hybrid
  score interval (Newcombe 1998, method 10: :func:`analysis.stats.newcombe_difference`) and the
  p-value found by inverting that interval (the level at which it just touches 0), Holm-adjusted
  across the shares of one family (the options of one question, the categories of one item, the
  items of one grid). ``changed`` is True only when the Holm-adjusted p is below 1 - level.
- Ratings: both distributions, the Mann-Whitney U test between the waves (two independent
  samples; asymptotic with tie correction) with the rank-biserial correlation as effect size
  (positive: higher ratings in the later wave), Holm-adjusted across the items of a family; and the
  top-2 shares with their Newcombe difference.
- Rankings: each item's rank per wave (by mean within-respondent rank, as the single-wave ranking)
  with bootstrap rank intervals (respondents resampled; seeded and vectorised), and for every pair
  whose order differs between the waves a test of whether the gap between the two items changed
  (bootstrap standard error, Holm across the pairs): the data support an order change only then.

Tests between waves are unweighted (as the single-wave tests are); only shares are weighted.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis import stats
from analysis.stats._common import _codes

#: Columns of :func:`share_change`.
SHARE_COLUMNS = ["family", "key", "n_old", "count_old", "pct_old", "pct_old_low", "pct_old_high", "n_eff_old",
                 "n_new", "count_new", "pct_new", "pct_new_low", "pct_new_high", "n_eff_new",
                 "diff_pp", "diff_low", "diff_high", "p", "p_holm", "changed"]
#: Columns of :func:`rating_change`.
RATING_COLUMNS = ["family", "item", "n_old", "n_new", "median_old", "median_new", "top2_count_old",
                  "top2_pct_old", "top2_count_new", "top2_pct_new", "diff_pp", "diff_low", "diff_high",
                  "u", "p", "p_holm", "rank_biserial", "changed"]
#: Columns of :func:`rank_change` (items) and of its order changes.
RANK_COLUMNS = ["item", "n_old", "mean_rank_old", "rank_old", "rank_old_low", "rank_old_high",
                "n_new", "mean_rank_new", "rank_new", "rank_new_low", "rank_new_high"]
ORDER_COLUMNS = ["item_a", "item_b", "gap_old", "gap_new", "gap_change", "p", "p_holm", "supported"]


# --------------------------------------------------------------------------- Newcombe's interval, inverted

def _wilson_limits(p: np.ndarray, n: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits (vectorised over rows and critical values)."""
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half


def _newcombe_bound_towards_zero(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray,
                                 z: np.ndarray) -> np.ndarray:
    """The limit of Newcombe's interval for p1 - p2 that lies towards 0, at critical value z."""
    l1, u1 = _wilson_limits(p1, n1, z)
    l2, u2 = _wilson_limits(p2, n2, z)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return np.where(d >= 0, low, -high)


def newcombe_p(count1: Any, n1: Any, count2: Any, n2: Any) -> np.ndarray:
    """Two-sided p-value of "no difference" that matches Newcombe's hybrid score interval.

    The p-value is 1 - the confidence level at which the interval's limit nearest 0 is exactly 0,
    so p < alpha exactly when the (1 - alpha) Newcombe interval excludes 0. Vectorised (arrays in,
    array out); counts and bases may be weighted counts and effective n. NaN for an empty base.
    """
    c1, m1, c2, m2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (count1, n1, count2, n2))
    valid = (m1 > 0) & (m2 > 0)
    p1, p2 = np.where(valid, c1 / np.where(valid, m1, 1), 0.5), np.where(valid, c2 / np.where(valid, m2, 1), 0.5)
    m1, m2 = np.where(valid, m1, 1.0), np.where(valid, m2, 1.0)
    lo, hi = np.zeros_like(p1), np.full_like(p1, 40.0)  # z in [0, 40]: p from 1 down to ~0
    for _ in range(80):  # bisection on z: the limit towards 0 moves towards (and past) 0 as z grows
        mid = (lo + hi) / 2
        past = _newcombe_bound_towards_zero(p1, m1, p2, m2, mid) <= 0
        hi, lo = np.where(past, mid, hi), np.where(past, lo, mid)
    p = 2 * sps.norm.sf((lo + hi) / 2)
    p = np.where(p1 == p2, 1.0, p)
    return np.where(valid, p, np.nan)


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values (NaN stays NaN and is left out of the family)."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.holm_adjust(p[ok])
    return out


# --------------------------------------------------------------------------- shares

def _share(indicator: pd.Series, weights: pd.Series | None, level: float) -> dict[str, float]:
    frame = pd.DataFrame({"yes": indicator})
    if weights is not None:
        frame["w"] = weights
    row = stats.proportion(frame, "yes", weights="w" if weights is not None else None, level=level)
    if row.empty:
        return {"n": 0, "count": 0, "pct": np.nan, "pct_low": np.nan, "pct_high": np.nan, "n_eff": np.nan}
    return row.iloc[0].to_dict()


def share_change(old: dict[str, pd.Series], new: dict[str, pd.Series], family: str = "",
                 old_weights: pd.Series | None = None, new_weights: pd.Series | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """Shares in two waves and their difference, one row per key of `old` and `new` (the same keys).

    Each value is a 0/1 indicator (NaN: not in the base) over one wave's respondents. Returns
    :data:`SHARE_COLUMNS`: per wave the unweighted base and count, the (weighted) share in percent with
    its Wilson interval and the effective n; the difference new - old in percentage points with
    Newcombe's interval, its p-value and the Holm-adjusted p across the rows (one family).
    """
    rows = []
    for key in old:
        a = _share(old[key], old_weights, level)
        b = _share(new[key], new_weights, level)
        row = {"family": family, "key": key}
        for wave, s in (("old", a), ("new", b)):
            row.update({f"n_{wave}": int(s["n"]), f"count_{wave}": int(s["count"]), f"pct_{wave}": s["pct"],
                        f"pct_{wave}_low": s["pct_low"], f"pct_{wave}_high": s["pct_high"],
                        f"n_eff_{wave}": s["n_eff"]})
        rows.append(row)
    table = pd.DataFrame(rows, columns=SHARE_COLUMNS[:14])
    return _add_difference(table, "pct_new", "pct_old", "n_eff_new", "n_eff_old", level)


def _add_difference(table: pd.DataFrame, new: str, old: str, n_new: str, n_old: str, level: float) -> pd.DataFrame:
    """Difference new - old (percentage points), Newcombe's interval, p and Holm-adjusted p."""
    table = table.copy()
    lows, highs = [], []
    for r in table.itertuples(index=False):
        values = r._asdict()
        pn, po, nn, no = values[new], values[old], values[n_new], values[n_old]
        if any(pd.isna(v) for v in (pn, po, nn, no)) or nn <= 0 or no <= 0:
            lows.append(np.nan)
            highs.append(np.nan)
            continue
        low, high = stats.newcombe_difference(pn / 100 * nn, nn, po / 100 * no, no, level)
        lows.append(100 * low)
        highs.append(100 * high)
    table["diff_pp"] = table[new] - table[old]
    table["diff_low"], table["diff_high"] = lows, highs
    table["p"] = newcombe_p(table[new].to_numpy(float) / 100 * table[n_new].to_numpy(float),
                            table[n_new].to_numpy(float),
                            table[old].to_numpy(float) / 100 * table[n_old].to_numpy(float),
                            table[n_old].to_numpy(float)) if len(table) else []
    table["p_holm"] = holm(table["p"]) if len(table) else []
    table["changed"] = (table["p_holm"] < 1 - level).fillna(False).astype(bool)
    return table


def category_indicators(frame: pd.DataFrame, column: str, codes: Sequence[Any]) -> dict[str, pd.Series]:
    """One 0/1 indicator per answer code of a single-choice item (base: everyone who answered)."""
    values = _codes(frame[column])
    answered = values.notna()
    return {str(code): (values == float(code)).astype(float).where(answered) for code in codes}


def option_indicators(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, pd.Series]:
    """One 0/1 indicator per option column of a multi-select item (base: who answered the question;
    an empty option of an answered question counts as not ticked)."""
    block = frame[list(columns)].apply(_codes)
    answered = block.notna().any(axis=1)
    return {c: (block[c].fillna(0) > 0).astype(float).where(answered) for c in columns}


def top2_indicators(frame: pd.DataFrame, items: Sequence[Any]) -> dict[str, pd.Series]:
    """One 0/1 indicator per rating item: in the top two codes of its scale (base: substantive answers)."""
    out = {}
    for item in items:
        values = _codes(frame[item.id])
        scale = [float(c) for c in item.substantive_codes]
        out[item.id] = values.isin(scale[-2:]).astype(float).where(values.isin(scale))
    return out


# --------------------------------------------------------------------------- ratings

def rating_change(old: pd.DataFrame, new: pd.DataFrame, items: Sequence[Any], family: str = "",
                  level: float = 0.95, collapse: Sequence[bool] | None = None) -> pd.DataFrame:
    """Per rating (or ordinal) item: both waves' bases, medians and top-2 shares, the top-2
    difference with Newcombe's interval, and Mann-Whitney U between the waves with the
    rank-biserial correlation (positive: higher in the later wave), Holm-adjusted across `items`.

    Don't know and missing answers are left out. Where `collapse` is True for an item, the test is
    computed on three ordered groups (bottom two codes, the middle, top two codes) instead of the
    full scale (``test_on`` says which): what the small-cell rule allows when a cell of the full
    distribution is not published. Returns :data:`RATING_COLUMNS` and ``test_on``.
    """
    rows = []
    for position, item in enumerate(items):
        scale = [float(c) for c in item.substantive_codes]
        a = _codes(old[item.id])
        b = _codes(new[item.id])
        a, b = a[a.isin(scale)].to_numpy(), b[b.isin(scale)].to_numpy()
        grouped = bool(collapse[position]) if collapse is not None else False
        ta, tb = (_three_groups(a, scale), _three_groups(b, scale)) if grouped else (a, b)
        row: dict[str, Any] = {"family": family, "item": item.id, "n_old": len(a), "n_new": len(b),
                               "test_on": "groups" if grouped else "scale",
                               "median_old": float(np.median(a)) if len(a) else np.nan,
                               "median_new": float(np.median(b)) if len(b) else np.nan,
                               "top2_count_old": int(np.isin(a, scale[-2:]).sum()),
                               "top2_count_new": int(np.isin(b, scale[-2:]).sum())}
        row["top2_pct_old"] = 100 * row["top2_count_old"] / len(a) if len(a) else np.nan
        row["top2_pct_new"] = 100 * row["top2_count_new"] / len(b) if len(b) else np.nan
        row["n_eff_old"], row["n_eff_new"] = float(len(a)), float(len(b))
        if len(a) and len(b) and len(np.unique(np.concatenate([ta, tb]))) > 1:
            test = sps.mannwhitneyu(tb, ta, alternative="two-sided", method="asymptotic", use_continuity=True)
            row.update({"u": float(test.statistic), "p": float(test.pvalue),
                        "rank_biserial": 2 * float(test.statistic) / (len(a) * len(b)) - 1})
        else:
            row.update({"u": np.nan, "p": np.nan if not (len(a) and len(b)) else 1.0, "rank_biserial": 0.0})
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=RATING_COLUMNS + ["test_on"])
    mann_whitney = table[["p"]].copy()
    table = _add_difference(table.drop(columns=["p"]), "top2_pct_new", "top2_pct_old", "n_eff_new", "n_eff_old",
                            level)
    table["p"] = mann_whitney["p"].to_numpy()  # the wave test of a rating is Mann-Whitney, not the top-2 share's
    table["p_holm"] = holm(table["p"])
    table["changed"] = (table["p_holm"] < 1 - level).fillna(False).astype(bool)
    return table[RATING_COLUMNS + ["test_on"]]


def _three_groups(values: np.ndarray, scale: Sequence[float]) -> np.ndarray:
    """Codes as 1 (bottom two), 2 (middle) or 3 (top two) of the scale."""
    return np.where(np.isin(values, scale[:2]), 1.0, np.where(np.isin(values, scale[-2:]), 3.0, 2.0))


def rating_distributions(old: pd.DataFrame, new: pd.DataFrame, items: Sequence[Any]) -> pd.DataFrame:
    """Both waves' answer distributions side by side: item, code, count and % per wave (base:
    substantive answers)."""
    rows = []
    for item in items:
        scale = [float(c) for c in item.substantive_codes]
        counts = {}
        for wave, frame in (("old", old), ("new", new)):
            values = _codes(frame[item.id])
            values = values[values.isin(scale)]
            counts[wave] = (values.value_counts().reindex(scale, fill_value=0), len(values))
        for code in item.substantive_codes:
            row = {"item": item.id, "code": code}
            for wave, (per_code, n) in counts.items():
                row[f"count_{wave}"] = int(per_code[float(code)])
                row[f"n_{wave}"] = n
                row[f"pct_{wave}"] = 100 * row[f"count_{wave}"] / n if n else np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["item", "code", "count_old", "n_old", "pct_old", "count_new", "n_new",
                                       "pct_new"])


# --------------------------------------------------------------------------- rankings

def _rank_block(frame: pd.DataFrame, ids: Sequence[str], dont_know: Sequence[Any]) -> np.ndarray:
    """Within-respondent ranks (1 = lowest code, ties mid-ranks) of respondents who rated every item."""
    block = frame[list(ids)].apply(_codes)
    block = block.mask(block.isin([float(d) for d in dont_know])).dropna()
    return block.rank(axis=1).to_numpy(dtype=float)


def _rating_block(frame: pd.DataFrame, ids: Sequence[str], dont_know: Sequence[Any]) -> np.ndarray:
    block = frame[list(ids)].apply(_codes)
    return block.mask(block.isin([float(d) for d in dont_know])).dropna().to_numpy(dtype=float)


def _preference(ratings: np.ndarray):
    """For a pair (i, j): the mean of sign(rating_i - rating_j) over respondents and its variance."""
    def prefer(i: int, j: int) -> tuple[float, float]:
        signs = np.sign(ratings[:, i] - ratings[:, j])
        return float(signs.mean()), float(signs.var(ddof=1) / len(signs)) if len(signs) > 1 else 0.0
    return prefer


def _positions(means: np.ndarray) -> np.ndarray:
    """Rank position of each item (1 = highest mean rank), along the last axis; ties by item order."""
    order = np.argsort(-means, axis=-1, kind="stable")
    return np.argsort(order, axis=-1, kind="stable") + 1


def _bootstrap_means(ranks: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Mean rank per item in each bootstrap replicate (respondents resampled with replacement)."""
    n = len(ranks)
    weights = rng.multinomial(n, np.full(n, 1 / n), size=replicates)  # replicates x respondents
    return weights @ ranks / n


def rank_change(old: pd.DataFrame, new: pd.DataFrame, ids: Sequence[str], dont_know: Sequence[Any] = (9,),
                level: float = 0.95, replicates: int = 2000, seed: int = 2011) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each item's rank in both waves, with bootstrap rank intervals, and the order changes.

    Items are ranked within each wave by their mean within-respondent rank (respondents who rated
    every item in `ids`; don't know counts as not rated). Rank intervals are bootstrap percentile
    intervals (`replicates` resamples of respondents, seeded by `seed`). For every pair whose order
    differs between the waves, the change in the pair's own preference (the mean sign of rating a
    minus rating b, which does not move when a third item moves) is tested between the waves
    (normal approximation, Holm across those pairs); ``supported`` says whether the data support
    the order change. Returns (items: :data:`RANK_COLUMNS`, pairs: :data:`ORDER_COLUMNS`).
    """
    ids = list(ids)
    rng = np.random.default_rng(seed)
    alpha = 1 - level
    waves = {}
    for wave, frame in (("old", old), ("new", new)):
        ranks = _rank_block(frame, ids, dont_know)
        if len(ranks) < 2:
            waves[wave] = None
            continue
        boot = _bootstrap_means(ranks, replicates, rng)
        waves[wave] = {"n": len(ranks), "means": ranks.mean(axis=0), "boot": boot,
                       "positions": _positions(boot), "prefer": _preference(_rating_block(frame, ids, dont_know))}
    items = pd.DataFrame({"item": ids})
    for wave, w in waves.items():
        if w is None:
            for c in (f"n_{wave}", f"mean_rank_{wave}", f"rank_{wave}", f"rank_{wave}_low", f"rank_{wave}_high"):
                items[c] = np.nan
            continue
        items[f"n_{wave}"] = w["n"]
        items[f"mean_rank_{wave}"] = w["means"]
        items[f"rank_{wave}"] = _positions(w["means"][None, :])[0]
        items[f"rank_{wave}_low"] = np.floor(np.quantile(w["positions"], alpha / 2, axis=0, method="lower"))
        items[f"rank_{wave}_high"] = np.ceil(np.quantile(w["positions"], 1 - alpha / 2, axis=0, method="higher"))
    items = items[RANK_COLUMNS]
    pairs = []
    if waves["old"] is not None and waves["new"] is not None:
        mo, mn = waves["old"]["means"], waves["new"]["means"]
        for i, j in combinations(range(len(ids)), 2):
            gap_old, gap_new = mo[i] - mo[j], mn[i] - mn[j]
            if np.sign(gap_old) == np.sign(gap_new):
                continue
            # the pair's own preference (who rates a above b, minus below), compared between the
            # waves: it does not move when a third item moves, as a gap in mean ranks would
            (po, vo), (pn, vn) = waves["old"]["prefer"](i, j), waves["new"]["prefer"](i, j)
            se = float(np.sqrt(vo + vn))
            p = float(2 * sps.norm.sf(abs(pn - po) / se)) if se > 0 else 1.0
            agrees = np.sign(pn - po) == np.sign(gap_new - gap_old)
            pairs.append({"item_a": ids[i], "item_b": ids[j], "gap_old": gap_old, "gap_new": gap_new,
                          "gap_change": gap_new - gap_old, "p": p if agrees else 1.0})
    order = pd.DataFrame(pairs, columns=ORDER_COLUMNS[:6])
    order["p_holm"] = holm(order["p"]) if len(order) else []
    order["supported"] = (order["p_holm"] < alpha).astype(bool) if len(order) else []
    return items, order[ORDER_COLUMNS]
