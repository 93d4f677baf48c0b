"""Raking (iterative proportional fitting) of respondent weights to population margins, with trimming,
and the diagnostics a reader needs: convergence, the weights' spread, Kish's effective sample size
and the design effect of weighting.

The fitting itself is weightipy's RIM engine (the raking of Quantipy, kept as a small pure-Python
package). Respondents with a missing category in any margin are not raked: they keep the mean weight
of the raked respondents (1), so they count as an average respondent, and the report says how many.
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import weightipy

#: Largest relative deviation of a weighted margin from its target for raking to count as converged.
DEFAULT_TOLERANCE = 1e-6
DEFAULT_MAX_ITERATIONS = 1000


@dataclass(frozen=True)
class Raking:
    """Raked weights (mean 1 over all respondents) and how the raking went."""

    weights: pd.Series
    raked: pd.Series                 # True for respondents raked (every margin's category known)
    iterations: int
    max_deviation: float             # largest relative deviation of a weighted margin share from its target
    max_gap_points: float            # the same as an absolute difference, in percentage points
    tolerance: float
    trim: float | None               # bound on a weight's ratio to the mean weight, if trimmed

    @property
    def converged(self) -> bool:
        """Every weighted margin is within the tolerance of its target."""
        return self.max_deviation <= self.tolerance


def rake(categories: pd.DataFrame, shares: dict[str, dict[Any, float]], trim: float | None = None,
         tolerance: float = DEFAULT_TOLERANCE, max_iterations: int = DEFAULT_MAX_ITERATIONS) -> Raking:
    """Rake respondents (rows of `categories`, one column per margin) to the target `shares`
    (margin -> category -> population share, each summing to 1).

    weightipy iterates until an iteration shrinks the total change of the weights by less than the
    fraction `tolerance` (or `max_iterations` is reached); the raking counts as converged when every
    weighted margin share is within `tolerance` (relative) of its target. With `trim`, no weight exceeds
    `trim` times the mean weight: weights above it are cut to it and the others raked again (weightipy's
    cap), so the margins are then met only as far as the bound allows.
    """
    raked = categories.notna().all(axis=1)
    sample = categories[raked].reset_index(drop=True)
    scheme = weightipy.Rim("margins", max_iterations=max_iterations, convcrit=tolerance, cap=trim or 0)
    scheme.anesrake_cap_correction = False      # the bound is the bound, not bound + 0.0001
    scheme.set_targets([{col: {key: 100.0 * share for key, share in shares[col].items()}} for col in sample])
    with contextlib.redirect_stdout(io.StringIO()):   # weightipy prints its notes; the report says it all
        fitted = weightipy.weight(sample, scheme)
    weights = pd.Series(1.0, index=categories.index, name="weight")
    weights[raked] = fitted.to_numpy()
    iterations = int(scheme.groups["_default_name_"]["iterations"])
    return Raking(weights=weights, raked=raked, iterations=iterations, tolerance=tolerance, trim=trim,
                  max_deviation=_max_deviation(sample, fitted.to_numpy(), shares),
                  max_gap_points=largest_margin_gap(categories, weights, shares))


def _max_deviation(sample: pd.DataFrame, weights: np.ndarray, shares: dict[str, dict[Any, float]]) -> float:
    """Largest relative deviation of a weighted category share from its target share."""
    worst = 0.0
    for col, target in shares.items():
        weighted = pd.Series(weights).groupby(sample[col].to_numpy()).sum() / weights.sum()
        for key, share in target.items():
            worst = max(worst, abs(float(weighted.get(key, 0.0)) - share) / share)
    return worst


def largest_margin_gap(categories: pd.DataFrame, weights: pd.Series, shares: dict[str, dict[Any, float]]) -> float:
    """Largest absolute difference, in percentage points, between a weighted margin share and its target
    share, over the respondents with a category in every margin (those raking weights)."""
    raked = categories.notna().all(axis=1)
    total = weights[raked].sum()
    gaps = [abs(100 * (weights[raked & (categories[col] == key)].sum() / total - share))
            for col, target in shares.items() for key, share in target.items()]
    return float(max(gaps, default=0.0))


def kish_effective_size(weights: pd.Series) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2."""
    return float(weights.sum() ** 2 / (weights ** 2).sum())


def weighting_summary(raking: Raking) -> dict[str, Any]:
    """The diagnostics of a raking: convergence, the weights' spread, effective size, design effect."""
    w = raking.weights
    n_eff = kish_effective_size(w)
    return {
        "respondents": int(len(w)),
        "raked": int(raking.raked.sum()),
        "not_raked_mean_weight": int((~raking.raked).sum()),
        "iterations": raking.iterations,
        "converged": raking.converged,
        "max_margin_deviation": raking.max_deviation,
        "max_margin_gap_points": raking.max_gap_points,
        "trim": raking.trim,
        "weight_min": float(w.min()),
        "weight_max": float(w.max()),
        "weight_ratio_max_min": float(w.max() / w.min()),
        "weight_cv": float(w.std(ddof=0) / w.mean()),
        "effective_sample_size": n_eff,
        "design_effect": float(len(w) / n_eff),
    }
