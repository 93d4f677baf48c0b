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
        codes = series.cat.codes.to_numpy()
        # one look-up per category, not per respondent (the categories are the answer codes)
        values = np.where(codes >= 0, categories[np.maximum(codes, 0)] if len(categories) else np.nan, np.nan)
        return pd.Series(values, index=series.index, dtype=float)
    return pd.to_numeric(series, errors="coerce").astype(float)


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

