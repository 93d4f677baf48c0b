"""Derived respondent variables that several themes use (so no theme imports another theme)."""
from __future__ import annotations

import pandas as pd

from analysis.themes.base import Context

#: "Active" = uses social media for work weekly or daily (codes of the frequency scale).
ACTIVE_CODES = (4, 5)


def active_indicator(frame: pd.DataFrame) -> pd.Series:
    """1 if the respondent uses social media for work weekly or daily, 0 if less, NaN if unknown."""
    freq = frame["use_frequency"]
    return freq.isin(ACTIVE_CODES).astype(float).where(freq.notna())


def citizen_facing(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    """1 for roles in daily contact with citizens (codebook attribute ``citizen_facing``)."""
    codes = [c.code for c in ctx.codebook["role"].codes if c.attrs.get("citizen_facing")]
    return frame["role"].isin(codes).astype(float).where(frame["role"].notna())
