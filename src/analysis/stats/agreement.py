"""Intercoder agreement: Cohen's kappa (two coders) and Krippendorff's alpha (any number).

:func:`cohens_kappa` and :func:`krippendorff_alpha` take any labels; :func:`binary_cohens_kappa` and
:func:`binary_krippendorff_alpha` are the same coefficients for 0/1 codes, vectorised over leading axes
(one bootstrap resample per row), for bootstrap intervals of coders' 0/1 codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa as _sm_cohens_kappa


def cohens_kappa(a: Iterable[Any], b: Iterable[Any], weighting: str | None = None) -> float:
    """Cohen's kappa for two coders' labels of the same units (chance-corrected agreement).

    Call it to report intercoder reliability of two coders.  Units where either
    label is missing are dropped.  ``weighting`` = ``"linear"`` or ``"quadratic"``
    gives weighted kappa for ordered codes (distance = difference in position among
    the sorted observed categories).  Computed by statsmodels'
    ``inter_rater.cohens_kappa``.  NaN when undefined (no units, or only one
    category used by both coders).
    """
    sa = pd.Series(list(a), dtype=object)
    sb = pd.Series(list(b), dtype=object)
    if len(sa) != len(sb):
        raise ValueError("a and b must have the same length")
    keep = sa.notna() & sb.notna()
    sa, sb = sa[keep], sb[keep]
    if sa.empty:
        return float("nan")
    if weighting not in (None, "linear", "quadratic"):
        raise ValueError("weighting must be None, 'linear' or 'quadratic'")
    cats = sorted(set(sa) | set(sb), key=lambda v: (str(type(v)), v))
    if len(cats) < 2:  # one category only: expected disagreement is 0, kappa undefined
        return float("nan")
    pos = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for x, y in zip(sa, sb):
        table[pos[x], pos[y]] += 1
    return float(_sm_cohens_kappa(table, wt=weighting, return_results=False))


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


def binary_cohens_kappa(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cohen's kappa of two coders' 0/1 codes along the last axis (vectorised, for a bootstrap).

    ``a`` and ``b`` have the same shape; every leading index is one set of units.  Equals
    :func:`cohens_kappa` of each pair of rows; NaN where the expected agreement is 1.
    """
    po = (a == b).mean(axis=-1)
    pa, pb = a.mean(axis=-1), b.mean(axis=-1)
    pe = pa * pb + (1 - pa) * (1 - pb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pe < 1, (po - pe) / (1 - pe), np.nan)


def binary_krippendorff_alpha(ones: np.ndarray, coders: int) -> np.ndarray:
    """Krippendorff's alpha (nominal) of 0/1 codes by `coders` coders who all coded every unit,
    from the number of coders who ticked each unit (last axis; vectorised over leading axes).

    alpha = 1 - (n - 1) o01 / (n1 n0), with o01 the off-diagonal coincidences (Krippendorff 2011,
    section C, for two values).  Equals :func:`krippendorff_alpha` (nominal) of the 0/1 codes;
    NaN where only one value occurs.
    """
    units = ones.shape[-1]
    n = units * coders
    n1 = ones.sum(axis=-1).astype(float)
    n0 = n - n1
    o01 = (ones * (coders - ones)).sum(axis=-1) / (coders - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n1 * n0 > 0, 1 - (n - 1) * o01 / (n1 * n0), np.nan)
