"""A model check that a sparse answer category makes impossible, made again with that category merged.

The proportional-odds check (:func:`~analysis.stats.models.proportional_odds_check`) cannot be
computed when a cut of the outcome separates the data: a category so small that a group of
respondents has nobody in it (4 of 410 respondents answer "never", all in one role group). "Could
not check" is not "fails": the sparse category is merged with its neighbour and the check is run
again on the coarser outcome, before any fallback.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats.models import proportional_odds_check

__all__ = ["merge_sparsest_category", "proportional_odds_check_merging"]


def _answer_order(y: pd.Series) -> list[Any]:
    """The outcome's categories that occur, in scale order (a categorical's order, else sorted)."""
    if isinstance(y.dtype, pd.CategoricalDtype):
        present = set(y.dropna())
        return [c for c in y.cat.categories if c in present]
    return sorted(pd.unique(y.dropna()))


def merge_sparsest_category(y: pd.Series) -> tuple[pd.Series, Any, Any]:
    """`y` with its least frequent category merged into its neighbour on the scale, and (that
    category, the neighbour). An end category has one neighbour; a middle one goes to the less
    frequent of its two (the merge that changes the outcome least). Ties: the lowest category.
    ValueError when fewer than three categories occur (nothing left to check after a merge)."""
    order = _answer_order(y)
    if len(order) < 3:
        raise ValueError(f"{y.name!r} has {len(order)} categories; a merge needs at least 3")
    counts = y.value_counts()
    sparse = min(order, key=lambda c: counts[c])
    at = order.index(sparse)
    into = min((order[j] for j in (at - 1, at + 1) if 0 <= j < len(order)), key=lambda c: counts[c])
    values = y.astype(object).where(y.astype(object) != sparse, into)
    if isinstance(y.dtype, pd.CategoricalDtype):
        kept = [c for c in y.cat.categories if c != sparse]
        return pd.Series(pd.Categorical(values, categories=kept, ordered=True), index=y.index, name=y.name), \
            sparse, into
    return values.astype(y.dtype), sparse, into


def proportional_odds_check_merging(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    cluster: str | None = None,
    dont_know: Sequence[Any] = (9,),
) -> tuple[pd.DataFrame, tuple[Any, Any] | None]:
    """:func:`~analysis.stats.models.proportional_odds_check`, and when its overall test (row
    ``term = "all"``) could not be computed, the same check once more with the outcome's sparsest
    category merged into its neighbour (:func:`merge_sparsest_category`) among the respondents it uses.

    Returns the check table (of the merged outcome when a merge was made) and ``(category,
    neighbour)`` merged, or None when the check ran on the outcome as answered. A ``p`` that is still
    NaN after the merge means the assumption could not be checked, not that it fails.
    """
    check = proportional_odds_check(frame, outcome, predictors, cluster=cluster, dont_know=dont_know)
    overall = check[check["term"] == "all"]
    if len(overall) == 0 or np.isfinite(overall["p"].iloc[0]):
        return check, None
    # the sparsest category among the respondents the check uses (every variable answered)
    used = frame[[outcome, *predictors] + ([cluster] if cluster is not None else [])].notna().all(axis=1)
    answers = frame[outcome].mask(frame[outcome].isin(list(dont_know)) | ~used)
    if isinstance(answers.dtype, pd.CategoricalDtype):
        answers = answers.cat.remove_categories([c for c in dont_know if c in answers.cat.categories])
    try:
        merged, sparse, into = merge_sparsest_category(answers)
    except ValueError:
        return check, None
    again = proportional_odds_check(frame.assign(**{outcome: merged}), outcome, predictors, cluster=cluster,
                                    dont_know=dont_know)
    return again, (sparse, into)
