"""Helpers shared by the :mod:`analysis.stats` modules: column handling, weights, empty tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps


def _check_level(level: float) -> float:
    """``level`` itself, after checking that it is a confidence level in (0, 1)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return level


def _z(level: float) -> float:
    """Two-sided standard normal critical value for confidence ``level``."""
    return float(sps.norm.ppf(1 - (1 - _check_level(level)) / 2))


def _as_list(columns: str | Sequence[str]) -> list[str]:
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _codes(series: pd.Series) -> pd.Series:
    """Numeric codes of a (categorical) column as float, NaN for missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.to_numeric(pd.Series(series.cat.categories), errors="coerce").to_numpy(dtype=float)
        # one look-up per category, not per respondent (the categories are the answer codes);
        # code -1 (missing) picks the NaN appended at the end
        values = np.append(categories, np.nan)[series.cat.codes.to_numpy().astype(np.intp)]
        return pd.Series(values, index=series.index, dtype=float)
    return pd.to_numeric(series, errors="coerce").astype(float)


def _levels(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as ``(level, values)``: ``values`` are its distinct numeric codes in ascending
    order and ``level`` gives each respondent's position in ``values`` (-1 for missing).

    ``values[level]`` equals :func:`_codes` where that is not NaN.  Answers are a handful of
    codes, so statistics of ordinal items can be computed from counts of levels (``bincount``)
    and comparisons of levels instead of sorting respondents.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.to_numeric(pd.Series(series.cat.categories), errors="coerce").to_numpy(dtype=float)
        codes = series.cat.codes.to_numpy().astype(np.intp)
        if np.all(np.diff(categories) > 0):
            # numeric categories in ascending order (the loader's answer codes): levels are the codes
            return codes, categories
        known = ~np.isnan(categories)
        values, inverse = np.unique(categories[known], return_inverse=True)
        # category code -> level; the last entry answers code -1 (missing)
        lookup = np.full(len(categories) + 1, -1, dtype=np.intp)
        lookup[:-1][known] = inverse
        return lookup[codes], values
    codes = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    known = ~np.isnan(codes)
    values, inverse = np.unique(codes[known], return_inverse=True)
    level = np.full(codes.shape, -1, dtype=np.intp)
    level[known] = inverse
    return level, values


def _in_levels(level: np.ndarray, values: np.ndarray, codes: Sequence[float]) -> np.ndarray:
    """Which respondents' answers (``level`` of ``values``, see :func:`_levels`) are one of ``codes``;
    ``np.isin`` of the numeric codes, by comparing levels."""
    hit = np.zeros(level.shape, dtype=bool)
    for position in np.flatnonzero(np.isin(values, [float(c) for c in codes])):
        hit |= level == position
    return hit


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

