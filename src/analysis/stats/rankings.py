"""Items rated by the same respondents: mean ranks, Friedman test, Kendall's W, pairwise Wilcoxon."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from itertools import combinations
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps

from analysis.stats._common import _empty, _levels
from analysis.stats.multiple import holm_adjust

FRIEDMAN_COLUMNS = ["n", "k", "statistic", "df", "p", "kendalls_w"]
MEAN_RANK_COLUMNS = ["item", "n", "mean_rank", "median"]
WILCOXON_COLUMNS = ["item_a", "item_b", "n", "n_nonzero", "median_a", "median_b",
                    "statistic", "p", "p_holm", "rank_biserial", "p_greater", "p_less"]


class _Grid(NamedTuple):
    """Items rated by the same respondents, as levels of one set of codes.

    ``level[i, j]`` is the position of respondent i's answer to item j in ``values`` (the
    codes of all items, ascending), -1 for missing or don't know.  Equal levels are equal
    codes and levels are ordered as the codes, so ranks, signs and ties can be read off
    the levels.
    """

    level: np.ndarray
    values: np.ndarray

    def complete(self) -> _Grid:
        """The respondents who rated every item."""
        return _Grid(self.level[np.all(self.level >= 0, axis=1)], self.values)


def _grid(frame: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float]) -> _Grid:
    """Numeric codes of ``columns`` as a :class:`_Grid` (don't know = missing)."""
    items = [_levels(frame[c]) for c in columns]
    values = np.unique(np.concatenate([v for _, v in items])) if items else np.empty(0)
    dk = [float(d) for d in dont_know]
    level = np.empty((len(frame), len(items)), dtype=np.intp, order="F")
    for j, (item_level, item_values) in enumerate(items):
        # item level -> grid level; the last entry answers -1 (missing)
        lookup = np.append(np.searchsorted(values, item_values), -1)
        lookup[:-1][np.isin(item_values, dk)] = -1
        level[:, j] = lookup[item_level]
    return _Grid(level, values)


def _complete(frame: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float]) -> _Grid:
    """Codes of ``columns`` for respondents who rated them all (don't know = missing)."""
    return _grid(frame, columns, dont_know).complete()


def _row_ranks(level: np.ndarray) -> tuple[np.ndarray, float]:
    """Mid-ranks of each respondent's answers (rank 1 = lowest code) and the tie term
    ``sum(t^3 - t)`` over all groups of tied answers within respondents.

    An answer's mid-rank is the number of the respondent's answers below it plus half of
    (1 + the number equal to it); a group of t tied answers adds t (t^2 - 1) to the tie
    term, i.e. each of its answers adds t^2 - 1.  One comparison per pair of items
    instead of a sort per respondent.
    """
    k = level.shape[1]
    small = np.int8 if level.size == 0 or int(level.max()) < 127 else np.intp
    level = level.astype(small)
    count = np.int8 if k < 127 else np.intp
    below = np.zeros(level.shape, dtype=count)
    equal = np.zeros(level.shape, dtype=count)
    for j in range(k):
        column = level[:, j:j + 1]
        below += column < level
        equal += column == level
    equal64 = equal.astype(np.int64)
    return below + (equal + 1) / 2, float(np.sum(equal64 * equal64 - 1))


def _median_of_counts(values: np.ndarray, counts: np.ndarray) -> float:
    """``np.median`` of a sample given as the number of times each of ``values`` (ascending) occurs."""
    n = int(counts.sum())
    cum = np.cumsum(counts)
    lower = float(values[np.searchsorted(cum, (n - 1) // 2, side="right")])
    if n % 2:
        return lower
    upper = float(values[np.searchsorted(cum, n // 2, side="right")])
    return (lower + upper) / 2


def mean_ranks(
    data: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,)
) -> pd.DataFrame:
    """Mean within-respondent rank and median rating of items rated by the same respondents.

    Call it to order domains (rank 1 = lowest code; ties get mid-ranks), on the
    complete cases that :func:`friedman_test` uses.  Returns columns
    ``item, n, mean_rank, median``.
    """
    block = _complete(data, columns, dont_know)
    n = block.level.shape[0]
    if n == 0:
        return _empty(MEAN_RANK_COLUMNS)
    ranks, _ = _row_ranks(block.level)
    medians = [_median_of_counts(block.values, np.bincount(block.level[:, j], minlength=block.values.size))
               for j in range(block.level.shape[1])]
    # mid-ranks are multiples of 1/2, so their sums (and these means) are exact
    return pd.DataFrame({"item": list(columns), "n": n,
                         "mean_rank": ranks.sum(axis=0) / n,
                         "median": medians}, columns=MEAN_RANK_COLUMNS)


def _friedman(block: _Grid) -> tuple[float, float]:
    """Tie-corrected Friedman chi-square and p (k - 1 df) of complete-case ratings.

    The statistic of scipy's ``friedmanchisquare`` (three or more items), computed
    by the same formula from within-respondent mid-ranks found by comparing levels;
    ``tests/test_stats_rankings.py`` checks it against scipy.  For two items (which
    scipy refuses) the same tie-corrected statistic reduces exactly to the sign-test
    chi-square ``(a - b)^2 / (a + b)``, with ``a`` and ``b`` the respondents rating
    the first or the second item higher.  NaN when every respondent gave all items
    the same code (the tie correction is then 0).
    """
    x = block.level
    n, k = x.shape
    if np.all(x == x[:, :1]):
        return float("nan"), float("nan")
    if k == 2:
        first, second = int(np.sum(x[:, 0] > x[:, 1])), int(np.sum(x[:, 0] < x[:, 1]))
        chi2 = (first - second) ** 2 / (first + second)
        return float(chi2), float(sps.chi2.sf(chi2, 1))
    ranks, ties = _row_ranks(x)
    # scipy.stats.friedmanchisquare's arithmetic, operation for operation
    c = 1 - np.float64(ties) / (k * (k * k - 1) * n)
    ssbn = np.sum(ranks.sum(axis=0) ** 2)
    statistic = (12.0 / (k * n * (k + 1)) * ssbn - 3 * n * (k + 1)) / c
    return float(statistic), float(special.chdtrc(np.float64(k - 1), statistic))


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
    n, k = block.level.shape
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
    n, k = block.level.shape
    if n < 2 or k < 3:
        if k < 3 and k >= 1:
            warnings.warn("Friedman test needs at least 3 items; use pairwise_wilcoxon",
                          stacklevel=2)
        return _empty(FRIEDMAN_COLUMNS)
    chi2, p = _friedman(block)
    w = chi2 / (n * (k - 1)) if np.isfinite(chi2) else np.nan
    return pd.DataFrame([{"n": n, "k": k, "statistic": chi2, "df": k - 1, "p": p,
                          "kendalls_w": w}], columns=FRIEDMAN_COLUMNS)


#: scipy's ``wilcoxon(method="auto")`` uses the normal approximation for more than 50 pairs; for
#: fewer it uses the exact distribution or a permutation test, and those are left to scipy
_NORMAL_MIN_N = 51


def _tie_groups(diff: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of tied non-zero ``|d|`` in increasing order: how many differences each holds (t) and
    how many of them are positive; zeros dropped (``zero_method="wilcox"``)."""
    keep = (diff != 0) & (counts > 0)
    magnitude, group = np.unique(np.abs(diff[keep]), return_inverse=True)
    t = np.zeros(magnitude.size, dtype=np.int64)
    positive = np.zeros(magnitude.size, dtype=np.int64)
    np.add.at(t, group, counts[keep])
    np.add.at(positive, group, np.where(diff[keep] > 0, counts[keep], 0))
    return t, positive


def _signed_ranks(diff: np.ndarray, counts: np.ndarray) -> tuple[float, float, int, float]:
    """Signed-rank sums of paired differences given as values ``diff`` occurring ``counts`` times.

    Returns ``(r_plus, r_minus, n_nonzero, ties)``: the sums of the mid-ranks of ``|d|``
    over positive and negative differences (zeros dropped, ``zero_method="wilcox"``), the
    number of non-zero differences and ``sum(t^3 - t)`` over groups of tied ``|d|``.  A
    group of t tied differences whose predecessors number c has mid-rank c + (t + 1) / 2.
    Mid-ranks are multiples of 1/2, so the sums are exact.
    """
    t, positive = _tie_groups(diff, counts)
    midrank = (np.cumsum(t) - t) + (t + 1) / 2
    r_plus = float(np.sum(positive * midrank))
    r_minus = float(np.sum((t - positive) * midrank))
    tf = t.astype(float)
    return r_plus, r_minus, int(t.sum()), float(np.sum(tf**3 - tf))


def _wilcoxon_normal(r_plus: float, r_minus: float, n_nonzero: int, ties: float,
                     correction: bool = False) -> dict[str, float]:
    """Wilcoxon signed-rank test by scipy's normal approximation (``method="asymptotic"``),
    with its tie correction (and, with ``correction``, its continuity correction; scipy's
    default and ours is without), from :func:`_signed_ranks`.

    Returns the two-sided statistic (the smaller rank sum) and the p-values of the three
    alternatives.  Mirrors ``scipy.stats._wilcoxon`` operation for operation, so that it
    reproduces ``scipy.stats.wilcoxon``; ``tests/test_stats_rankings.py`` checks it against scipy.
    """
    count = float(n_nonzero)
    mn = count * (count + 1.0) * 0.25
    se = count * (count + 1.0) * (2.0 * count + 1.0)
    se = math.sqrt((se - ties / 2) / 24)
    z = (r_plus - mn) / se
    signs = {"two-sided": float(np.sign(z)), "greater": 1, "less": -1}
    zc = {alternative: z - sign * 0.5 / se if correction else z for alternative, sign in signs.items()}
    return {"statistic": min(r_plus, r_minus),
            "p": float(2 * special.ndtr(-abs(zc["two-sided"]))),
            "p_greater": float(special.ndtr(-zc["greater"])),
            "p_less": float(special.ndtr(zc["less"]))}


#: the exact conditional test runs while 2 x the largest signed-rank sum is at most this (about
#: 1,400 non-zero differences); beyond it the normal approximation is used, which is then very close
EXACT_MAX_LATTICE = 2_000_000


def signed_rank_exact(diff: np.ndarray, counts: np.ndarray) -> dict[str, float] | None:
    """Exact conditional Wilcoxon signed-rank test: one-sided and two-sided p-values from the
    distribution of the positive rank sum when every non-zero difference's sign is + or - with
    probability 1/2, given the observed |d| and their ties (mid-ranks): the sign-flip permutation
    distribution, computed exactly rather than sampled. Its size is at most the nominal level for
    any pattern of ties, where the normal approximation may exceed it slightly (on 1-5 ratings
    with many ties it does). Differences are values ``diff`` occurring ``counts`` times; zeros
    are dropped (``zero_method="wilcox"``). Returns None when the lattice is too large
    (:data:`EXACT_MAX_LATTICE`).

    The distribution is the convolution over tie groups of a binomial(t, 1/2) number of positive
    differences, each worth twice the group's mid-rank (an integer).
    """
    t, positive = _tie_groups(diff, counts)
    if t.sum() == 0:
        return None
    twice = (2 * (np.cumsum(t) - t) + t + 1).astype(np.int64)  # 2 x mid-rank of each group
    top = int(np.sum(t * twice))
    if top > EXACT_MAX_LATTICE:
        return None
    pmf = np.zeros(top + 1)
    pmf[0] = 1.0
    reach = 0
    for size, step in zip(t.tolist(), twice.tolist()):
        weights = sps.binom.pmf(np.arange(size + 1), size, 0.5)
        new = np.zeros_like(pmf)
        for x, w in enumerate(weights):
            shift = step * x
            new[shift:shift + reach + 1] += w * pmf[:reach + 1]
        reach += step * size
        pmf = new
    observed = int(np.sum(positive * twice))
    upper = float(min(1.0, pmf[observed:].sum()))
    lower = float(min(1.0, pmf[:observed + 1].sum()))
    return {"statistic": min(observed, top - observed) / 2, "p": min(1.0, 2 * min(upper, lower)),
            "p_greater": upper, "p_less": lower}


#: a pair's table of codes has (codes + 1)^2 cells; above this many the differences are counted
#: respondent by respondent (many distinct codes: not a rating scale)
_MAX_TABLE_CELLS = 1_000_000


def _pairs(grid: _Grid) -> Iterator[tuple[int, int, int, np.ndarray, np.ndarray, tuple[float, float]]]:
    """For each pair of items (i, j) rated by someone: ``(i, j, n, diff, counts, medians)``, the
    differences ``x - y`` of the n respondents who rated both as distinct values and counts, and
    the medians of x and y (as ``np.median``).

    On a rating scale the counts come from the table of the two items' codes (one ``bincount``
    per pair), and x - y is formed once per pair of codes, as scipy forms it per respondent.
    """
    values, m = grid.values, grid.values.size
    items = range(grid.level.shape[1])
    if (m + 1) ** 2 > _MAX_TABLE_CELLS:
        for i, j in combinations(items, 2):
            both = (grid.level[:, i] >= 0) & (grid.level[:, j] >= 0)
            if both.any():
                x, y = values[grid.level[both, i]], values[grid.level[both, j]]
                diff, counts = np.unique(x - y, return_counts=True)
                yield i, j, int(both.sum()), diff, counts, (float(np.median(x)), float(np.median(y)))
        return
    diff = (values[:, None] - values[None, :]).ravel()
    # (level + 1) per item, and the same times (m + 1): a pair's codes as one number
    second = [np.ascontiguousarray(grid.level[:, j]) + 1 for j in items]
    first = [(m + 1) * s for s in second]
    for i, j in combinations(items, 2):
        # how many respondents gave code r to item i and code c to item j (row and column 0: missing)
        table = np.bincount(first[i] + second[j], minlength=(m + 1) ** 2).reshape(m + 1, m + 1)[1:, 1:]
        n = int(table.sum())
        if n:
            yield i, j, n, diff, table.ravel(), (_median_of_counts(values, table.sum(axis=1)),
                                                 _median_of_counts(values, table.sum(axis=0)))


def pairwise_wilcoxon(
    data: pd.DataFrame, columns: Sequence[str], dont_know: Sequence[float] = (9,),
    complete_cases: bool = False, exact: bool = False,
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

    Above 50 pairs, where scipy uses the normal approximation, the test is computed
    from the table of the two items' codes (:func:`_wilcoxon_normal`), not by ranking
    every respondent; the numbers are scipy's.

    With ``exact``, the p-values are those of the exact conditional test
    (:func:`signed_rank_exact`) wherever its lattice is small enough (the two-sided p twice the
    smaller one-sided p); used where a test's size must not exceed its level, e.g. a claim's test.

    Returns columns ``item_a, item_b, n, n_nonzero, median_a, median_b,
    statistic, p, p_holm, rank_biserial, p_greater, p_less``.
    """
    cols = list(columns)
    grid = _grid(data, cols, dont_know)
    if complete_cases:
        grid = _Grid(np.where(np.all(grid.level >= 0, axis=1)[:, None], grid.level, -1), grid.values)
    if len(cols) < 2 or not np.any(grid.level >= 0):
        return _empty(WILCOXON_COLUMNS)
    rows = []
    for i, j, n, diff, counts, medians in _pairs(grid):
        r_plus, r_minus, nz, ties = _signed_ranks(diff, counts)
        exact_test = signed_rank_exact(diff, counts) if exact and nz else None
        if nz == 0:
            test = {"statistic": np.nan, "p": np.nan, "p_greater": np.nan, "p_less": np.nan}
        elif exact_test is not None:
            test = exact_test
        elif n >= _NORMAL_MIN_N:
            test = _wilcoxon_normal(r_plus, r_minus, nz, ties)
        else:
            both = (grid.level[:, i] >= 0) & (grid.level[:, j] >= 0)
            x, y = grid.values[grid.level[both, i]], grid.values[grid.level[both, j]]
            res = sps.wilcoxon(x, y, zero_method="wilcox")
            test = {"statistic": float(res.statistic), "p": float(res.pvalue),
                    "p_greater": float(sps.wilcoxon(x, y, zero_method="wilcox", alternative="greater").pvalue),
                    "p_less": float(sps.wilcoxon(x, y, zero_method="wilcox", alternative="less").pvalue)}
        rows.append({"item_a": cols[i], "item_b": cols[j], "n": n, "n_nonzero": nz,
                     "median_a": medians[0], "median_b": medians[1],
                     # matched-pairs rank-biserial correlation (T+ - T-) / (T+ + T-), zeros dropped
                     "rank_biserial": (r_plus - r_minus) / (r_plus + r_minus) if nz else float("nan"),
                     **test})
    if not rows:
        return _empty(WILCOXON_COLUMNS)
    frame = pd.DataFrame(rows)
    frame["p_holm"] = holm_adjust(frame["p"].to_numpy())
    return frame[WILCOXON_COLUMNS]
