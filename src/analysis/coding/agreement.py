"""The coders' agreement per code (``agreement.csv``): percent agreement, prevalence, and Cohen's
kappa and Krippendorff's alpha from :mod:`analysis.stats.agreement` with bootstrap intervals; the
automatic first pass is measured like a coder."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import stats
from analysis.survey.codebook import Item

#: Bootstrap resamples of the answers for the agreement intervals, and their seed.
BOOTSTRAP, BOOTSTRAP_SEED = 1000, 2011
AGREEMENT_COLUMNS = ["item", "code", "comparison", "coders", "units", "prevalence_pct", "pct_agreement",
                     "kappa", "kappa_low", "kappa_high", "alpha", "alpha_low", "alpha_high"]


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of bootstrap values (NaN when fewer than half the resamples define one)."""
    values = values[~np.isnan(values)]
    if len(values) < BOOTSTRAP / 2:
        return float("nan"), float("nan")
    tail = 100 * (1 - level) / 2
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def code_agreement(codings: np.ndarray, level: float = 0.95, seed: int = BOOTSTRAP_SEED) -> dict[str, float]:
    """Agreement of coders x units 0/1 codes of one code (every coder coded every unit).

    Returns prevalence (% of all codings that are 1), percent agreement (units all coders coded
    alike), Cohen's kappa (two coders only, else NaN) and Krippendorff's alpha (nominal), each
    coefficient with a percentile bootstrap interval over the units (:data:`BOOTSTRAP` resamples).
    """
    codings = np.asarray(codings, dtype=int)
    coders, units = codings.shape
    out = {"coders": coders, "units": units, "prevalence_pct": float("nan"), "pct_agreement": float("nan"),
           "kappa": float("nan"), "kappa_low": float("nan"), "kappa_high": float("nan"),
           "alpha": float("nan"), "alpha_low": float("nan"), "alpha_high": float("nan")}
    if units == 0 or coders < 2:
        return out
    out["prevalence_pct"] = 100 * float(codings.mean())
    out["pct_agreement"] = 100 * float((codings == codings[0]).all(axis=0).mean())
    out["alpha"] = stats.krippendorff_alpha(codings, "nominal")
    draws = np.random.default_rng(seed).integers(0, units, size=(BOOTSTRAP, units))
    resampled_alpha = stats.binary_krippendorff_alpha(codings.sum(axis=0)[draws], coders)
    out["alpha_low"], out["alpha_high"] = _interval(resampled_alpha, level)
    if coders == 2:
        out["kappa"] = stats.cohens_kappa(codings[0], codings[1])
        resampled_kappa = stats.binary_cohens_kappa(codings[0][draws], codings[1][draws])
        out["kappa_low"], out["kappa_high"] = _interval(resampled_kappa, level)
    return out


def _comparisons(item: Item, codings: dict[str, dict[str, pd.DataFrame]],
                 automatic: dict[str, pd.DataFrame] | None,
                 final: dict[str, pd.DataFrame] | None) -> list[tuple[str, list[pd.DataFrame]]]:
    """What is compared for one question: the coders among themselves, and the automatic pass with
    the final codes (or, before adjudication, with each coder)."""
    names = list(codings)
    comparisons: list[tuple[str, list[pd.DataFrame]]] = []
    if len(names) >= 2:
        comparisons.append(("coders", [codings[c][item.id] for c in names]))
    if automatic is not None and item.id in automatic:
        auto = automatic[item.id]
        if final is not None and item.id in final:
            comparisons.append(("automatic_vs_final", [auto, final[item.id]]))
        else:
            comparisons += [(f"automatic_vs_{c}", [auto, codings[c][item.id]]) for c in names]
    return comparisons


def agreement_table(codings: dict[str, dict[str, pd.DataFrame]], items: list[Item],
                    automatic: dict[str, pd.DataFrame] | None = None,
                    final: dict[str, pd.DataFrame] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Per open question and code: agreement among the coders (``comparison`` = ``coders``), and of
    the automatic first pass, treated like a coder, with the final codes (or, before adjudication,
    with each coder).

    `codings` maps coder -> item -> 0/1 frame (index respondent id, a column per code).
    """
    rows = []
    names = list(codings)
    for item in items:
        if not all(item.id in codings[c] for c in names):
            continue
        keys = codings[names[0]][item.id].index
        for comparison, frames in _comparisons(item, codings, automatic, final):
            for code in (c.code for c in item.frame):
                matrix = np.vstack([f.loc[keys, code].to_numpy(dtype=int) for f in frames])
                rows.append({"item": item.id, "code": code, "comparison": comparison,
                             **code_agreement(matrix, level)})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
