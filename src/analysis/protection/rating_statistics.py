"""Whether a rating item's mean and median may be shown beside its distribution with a hidden count.

The mean of an item times its base is the sum of code times count over the item's answers: one more
equation in the distribution's counts. The median bounds the cumulative counts: inequalities. Either
can narrow a hidden small count (the usefulness item of the bundled build: the bottom-2 sum and the
shown codes leave a hidden 1 and its partner a range of 0..15, and the mean pins both). They are
hidden only where they narrow one: the range each hidden small count can take is found over whole
counts (an integer programme, scipy's ``milp``) with and without them.

The programme must not allow more than the published numbers allow, so where a statistic is not
modelled exactly it is modelled more tightly (a smaller set of count vectors, narrower ranges, so a
statistic is hidden rather than shown by mistake): the mean as the exact sum (the published mean is
rounded), a median that lies between two codes as the point where the cumulative count is half the
base with the next code answered, a median at a code as the cumulative count crossing half there.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.protection.declarations import Cell
from analysis.protection.disclosure import Published
from analysis.protection.exactness import required_width

__all__ = ["statistics_to_hide"]

_Rows = list[tuple[np.ndarray, float, float]]  # linear constraints a @ x in [low, high]


def statistics_to_hide(pub: Published, rows: Sequence[int], codes: Sequence[float], n: float,
                       mean: float | None, median: float | None) -> set[str]:
    """Of ``mean`` and ``median`` (those given), the ones to hide next to the item whose counts are the
    ``count`` cells of `rows` of the protected distribution `pub` (codes in scale order): none when
    both together leave every hidden small count of the item as protected as without them."""
    given = {name for name, value in (("mean", mean), ("median", median)) if value is not None and np.isfinite(value)}
    cells = [(int(r), "count") for r in rows]
    hidden = pub._hidden_counts_in_sums()
    targets = sorted(set(cells) & pub.primary & hidden)
    if not given or not targets or not pub.k:
        return set()
    constraints = _connected(pub.constraints, set(cells), hidden)
    unknown = sorted({c for con in constraints for c in con if c in hidden})
    pos = {c: j for j, c in enumerate(unknown)}
    truth = np.array([pub._true[c] for c in unknown])
    sums = _sums(constraints, pos, pub._true)
    statistic = {"mean": _mean(cells, codes, n, mean, pos, pub._true) if "mean" in given else None,
                 "median": _median(cells, codes, n, median, pos, pub._true) if "median" in given else None}
    width = required_width(pub.k, pub.zeros_hidden)
    before = {t: _range(sums, pos[t], len(unknown), n) for t in targets}
    for shown in ([*sorted(given)], ["median"], ["mean"]):
        if not set(shown) <= given or any(statistic[s] is None for s in shown):
            continue
        extra = [row for s in shown for row in statistic[s]]
        if not all(low - 1e-6 <= a @ truth <= high + 1e-6 for a, low, high in extra):
            continue  # not modelled on these counts (weights): not shown
        ranges = {t: _range(sums + extra, pos[t], len(unknown), n) for t in targets}
        if all(hi - lo >= width or hi - lo >= before[t][1] - before[t][0] - 1e-9 for t, (lo, hi) in ranges.items()):
            return given - set(shown)
    return given


def _connected(constraints: list[list[Cell]], cells: set[Cell], hidden: set[Cell]) -> list[list[Cell]]:
    """The public sums that hold one of `cells`, and those that hold a hidden cell of one of them, and so on:
    every sum that can bear on the item's counts (its codes add up to n only with its don't know and missing,
    and those with n to the respondents)."""
    chosen: list[list[Cell]] = []
    reach, grown = set(cells), True
    while grown:
        grown = False
        for con in constraints:
            if con not in chosen and any(c in reach for c in con):
                chosen.append(con)
                reach |= {c for c in con if c in hidden}
                grown = True
    return chosen


def _sums(constraints: list[list[Cell]], pos: dict[Cell, int], true: dict[Cell, float]) -> _Rows:
    rows = []
    for con in constraints:
        a = np.zeros(len(pos))
        for c in con:
            if c in pos:
                a[pos[c]] = 1.0
        rhs = sum(true[c] for c in con if c not in pos)
        total = sum(true[c] for c in con)
        if a.any():
            rows.append((a, total - rhs, total - rhs))
    return rows


def _weighted(cells: Sequence[Cell], weights: Sequence[float], pos: dict[Cell, int],
              true: dict[Cell, float]) -> tuple[np.ndarray, float]:
    """The row of a sum of weight x count over `cells`, and the part of it that is shown."""
    a, known = np.zeros(len(pos)), 0.0
    for c, w in zip(cells, weights):
        if c in pos:
            a[pos[c]] += w
        else:
            known += w * true[c]
    return a, known


def _mean(cells: Sequence[Cell], codes: Sequence[float], n: float, mean: float, pos: dict[Cell, int],
          true: dict[Cell, float]) -> _Rows | None:
    total = mean * n
    if abs(total - round(total)) > 1e-6:
        return None
    a, known = _weighted(cells, codes, pos, true)
    return [(a, round(total) - known, round(total) - known)]


def _median(cells: Sequence[Cell], codes: Sequence[float], n: float, median: float, pos: dict[Cell, int],
            true: dict[Cell, float]) -> _Rows | None:
    codes = [float(c) for c in codes]
    def below(j: int) -> tuple[np.ndarray, float]:  # the cumulative count through code j
        return _weighted(cells, [1.0 if i <= j else 0.0 for i in range(len(codes))], pos, true)
    if median in codes:
        j = codes.index(median)
        rows = []
        if j > 0:
            a, known = below(j - 1)
            rows.append((a, -np.inf, (n - 1) // 2 - known))
        a, known = below(j)
        return rows + [(a, n // 2 + 1 - known, np.inf)]
    j = next((i for i in range(len(codes) - 1) if (codes[i] + codes[i + 1]) / 2 == median), None)
    if j is None or n % 2:
        return None
    a, known = below(j)
    b, known_b = _weighted(cells[j + 1:j + 2], [1.0], pos, true)
    return [(a, n / 2 - known, n / 2 - known), (b, 1 - known_b, np.inf)]


def _range(rows: _Rows, j: int, size: int, n: float) -> tuple[float, float]:
    """The least and greatest whole value unknown `j` can take (counts of 0..n)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    matrix = np.array([a for a, _, _ in rows])
    limits = LinearConstraint(matrix, [lo for _, lo, _ in rows], [hi for _, _, hi in rows])
    out = []
    for sign in (1.0, -1.0):
        objective = np.zeros(size)
        objective[j] = sign
        result = milp(objective, constraints=limits, integrality=np.ones(size), bounds=Bounds(0, n))
        out.append(sign * result.fun if result.success else (0.0 if sign > 0 else n))
    return out[0], out[1]
