"""Calibration of the claims and the wording: noise exports, boundary exports, and a fast theme run.

A verdict "supported" must be rare when the data carry no information. This module makes the
exports to measure that (``benchmarks/calibrate.py`` runs hundreds; a test runs a few):

* :func:`noise_frame`: every answer replaced by a uniform draw over its item's codes (ratings over
  the five scale codes and "don't know"; single-choice and ordinal items over their codes), the
  missing answers of a realistic export kept where they were (item non-response, break-off,
  skipped multi-selects). A multi-select option is ticked with probability 2/5, the probability
  of a top-2 answer on a uniform five-point scale, so that comparisons between a rating and a
  multi-select (importance against practice) are null as well;
* :func:`boundary_frame`: noise, with the items of one claim set at the boundary of its
  hypothesis, for the claims that uniform answers make true (``uniform_noise: holds`` in the
  claims file);
* :func:`run_themes`: every theme computation and the conclusion's claims on a survey frame,
  directly (no notebooks), by default without drawing figures (the context's ``figures``).
"""
from __future__ import annotations

import dataclasses
import re
import string
from typing import Any

import numpy as np
import pandas as pd

from analysis.survey.codebook import Codebook, load_codebook
from analysis.themes.registry import analyse_all

#: Probability that a noise respondent ticks a multi-select option (= a top-2 answer of 5 codes).
TICK_PROBABILITY = 0.4

#: Message keys whose sentences assert a difference, an order or a gap (the wording a test must back).
ASSERTING_KEYS = (
    "ranking_friedman", "ranking_top_clear", "multi_first", "multi_cochran", "applications_first",
    "applications_summary_first", "o_ratings_first", "o_summary_first", "o_summary_uses_first",
    "b_barriers_top_first", "b_threats_top_first", "b_summary_barriers_first", "b_summary_threats_first",
    "b_estimation_leaning_under", "b_estimation_leaning_over", "e_gap_lags", "e_gap_ahead", "e_gap_summary_lags",
    "i_reliability_higher", "i_reliability_lower", "c_syn_opportunities_first", "c_syn_barriers_first",
    "c_syn_enforcement_first", "c_syn_investigation_first",
)


def _codes_of(item: Any) -> list[Any]:
    return [c.code for c in item.codes]


def noise_frame(template: pd.DataFrame, seed: int, codebook: Codebook | None = None) -> pd.DataFrame:
    """A survey frame of uniform answers with the missingness of `template` (a validated frame)."""
    cb = codebook or load_codebook()
    rng = np.random.default_rng(seed)
    frame = template.copy()
    n = len(frame)
    for item in cb.items:
        if item.type in ("rating", "ordinal", "single"):
            column = frame[item.id]
            codes = _codes_of(item)
            values = pd.Series(rng.choice(np.array(codes, dtype=object), size=n), index=frame.index)
            values = values.where(column.notna())
            frame[item.id] = pd.Categorical(values, categories=column.cat.categories, ordered=column.cat.ordered) \
                if isinstance(column.dtype, pd.CategoricalDtype) else values
        elif item.type == "multi":
            answered = frame[item.columns].notna().any(axis=1)
            for col in item.columns:
                ticks = (rng.random(n) < TICK_PROBABILITY).astype(float)
                frame[col] = pd.Series(ticks, index=frame.index).where(answered)
    return frame


def _set_item(frame: pd.DataFrame, item_id: str, probabilities: dict[Any, float], seed: int) -> None:
    """Redraw one rating item's answered cells with the given code probabilities."""
    rng = np.random.default_rng(seed)
    column = frame[item_id]
    codes = list(probabilities)
    values = pd.Series(rng.choice(np.array(codes, dtype=object), size=len(frame), p=list(probabilities.values())),
                       index=frame.index).where(column.notna())
    frame[item_id] = pd.Categorical(values, categories=column.cat.categories, ordered=column.cat.ordered)


#: At the boundary of a split hypothesis: of those on either side, 65% on one side (the TOST margin);
#: substantive answers 52% / 28% / 20% neutral, and "don't know" as often as under uniform answers.
_SPLIT_BOUNDARY = {1: 0.26 * 5 / 6, 2: 0.26 * 5 / 6, 3: 0.20 * 5 / 6, 4: 0.14 * 5 / 6, 5: 0.14 * 5 / 6, 9: 1 / 6}


def boundary_frame(template: pd.DataFrame, claim_id: str, seed: int, codebook: Codebook | None = None) -> pd.DataFrame:
    """Noise with the items of `claim_id` set at the boundary of its hypothesis (the claim is false,
    just): resistance with one layer at 15%; the split claims at 65% / 35% of those on either side."""
    cb = codebook or load_codebook()
    frame = noise_frame(template, seed, cb)
    rng = np.random.default_rng(seed + 10_000)
    if claim_id == "resistance_all_layers":
        column = cb["resistance"].columns[0]
        answered = frame[column].notna()
        frame[column] = pd.Series((rng.random(len(frame)) < 0.15).astype(float), index=frame.index).where(answered)
    elif claim_id == "estimation_unanswered":
        _set_item(frame, "value_estimation", _SPLIT_BOUNDARY, seed + 20_000)
    elif claim_id == "priority_divided":
        flipped = {6 - c if c != 9 else 9: p for c, p in _SPLIT_BOUNDARY.items()}
        _set_item(frame, "st_priority", dict(sorted(flipped.items())), seed + 20_000)
    else:
        raise ValueError(f"no boundary export for claim {claim_id!r}")
    return frame


def run_themes(frame: pd.DataFrame, ctx: Any, figures: bool = False) -> dict[str, Any]:
    """Every theme's result (the registry's themes, the conclusion's claims last) computed directly on
    `frame`, by theme key; without figures (and open answers) unless `figures`."""
    return analyse_all(frame, dataclasses.replace(ctx, figures=figures))


def sentences(results: dict[str, Any]) -> list[str]:
    """Every sentence of the theme results (sections and summaries), quotes left out."""
    out = []
    for result in results.values():
        for section in result.sections:
            out += [p for p in section.paragraphs if not p.startswith(">")]
        out += list(result.summary)
    return out


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.S)


def asserting(sentences_: list[str], lang: str) -> list[tuple[str, str]]:
    """(message key, sentence) for every sentence built from a message that asserts a difference,
    an order or a gap."""
    from analysis.report.text import catalogue
    patterns = {key: _pattern(catalogue()[key][lang]) for key in ASSERTING_KEYS}
    return [(key, s) for s in sentences_ for key, pattern in patterns.items() if pattern.fullmatch(s)]
