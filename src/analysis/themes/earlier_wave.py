"""The earlier wave a build compares with (``--compare``): its survey frame, name, questionnaire and
context, and the 2011 summary's claims tested on it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from analysis.survey.codebook import Codebook, WaveDifference, load_codebook
from analysis.themes.base import Context


@dataclass
class Comparison:
    """The earlier wave a build compares with: its survey frame, name and questionnaire."""

    old: pd.DataFrame
    label: str
    codebook: Codebook                  # the earlier wave's questionnaire
    columns: frozenset[str]             # columns asked the same way in both waves
    differences: list[WaveDifference]   # what could not be compared, and why

    def context(self, ctx: Context) -> Context:
        """The earlier wave's context: same rules, language and level; its own questionnaire."""
        return dataclasses.replace(ctx, codebook=self.codebook, compare=None, coding=None,
                                   synthetic=bool(self.old.attrs.get("synthetic")))


def comparison(old: pd.DataFrame, new: pd.DataFrame, label: str | None = None) -> Comparison:
    """The comparison of `new` with the earlier wave `old` (frames carry their wave in ``attrs``)."""
    full = load_codebook()
    old_wave = old.attrs.get("wave") or full.wave
    new_wave = new.attrs.get("wave") or full.wave
    if old_wave is None:  # a codebook without waves: every column both frames have
        columns = frozenset(set(old.columns) & set(new.columns))
        return Comparison(old, label or "earlier wave", full, columns, [])
    return Comparison(old, label or full.wave_label(old_wave), full.for_wave(old_wave),
                      frozenset(full.comparable(old_wave, new_wave)), full.differences(old_wave, new_wave))


def earlier_wave_verdicts(cmp: Comparison, ctx: Context) -> dict[str, str]:
    """The 2011 summary's claims tested on the earlier wave: every theme computed on its data
    (its own questionnaire, the same rules), then the conclusion's verdicts."""
    from analysis.themes.registry import analyse_all

    results = analyse_all(cmp.old, cmp.context(ctx))
    return dict(results["conclusion"].facts.claim_verdicts)
