"""Tests of analysis.stats.agreement: Cohen's kappa and Krippendorff's alpha against published examples."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa

from analysis import stats

NAN = np.nan


# --------------------------------------------------------------------------- agreement

KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


@pytest.mark.parametrize("level,expected", [("nominal", 0.743), ("ordinal", 0.815),
                                            ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_alpha_matches_krippendorff_2011_worked_example(level: str, expected: float) -> None:
    """Krippendorff (2011) 'Computing Krippendorff's Alpha-Reliability', section C:
    4 coders x 12 units with missing values."""
    assert stats.krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(expected, abs=5e-4)


def test_krippendorff_alpha_two_coders_nominal_equals_scotts_pi_corrected() -> None:
    """For 2 coders, no missing: alpha = 1 - (2N-1) D_o/D_e (Krippendorff 2004, p. 224)
    i.e. Scott's pi with the small-sample factor; perfect agreement gives 1."""
    a = [1, 1, 2, 2, 3, 3, 1, 2]
    b = [1, 1, 2, 3, 3, 3, 2, 2]
    assert stats.krippendorff_alpha([a, a]) == pytest.approx(1.0)
    n = len(a) * 2
    pooled = pd.Series(a + b).value_counts(normalize=True)
    pe = float(np.sum(pooled**2))
    po = np.mean(np.array(a) == np.array(b))
    pi = (po - pe) / (1 - pe)
    alpha = 1 - (n - 1) / n * (1 - pi)  # relation between alpha and pi
    assert stats.krippendorff_alpha([a, b]) == pytest.approx(alpha, abs=1e-12)


def test_cohens_kappa_matches_statsmodels_and_textbook() -> None:
    """Textbook example (Wikipedia 'Cohen's kappa', 50 grant proposals: yes/yes 20,
    yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5, kappa 0.4), and
    statsmodels.stats.inter_rater.cohens_kappa (unweighted, linear, quadratic)."""
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert stats.cohens_kappa(a, b) == pytest.approx(0.4)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 5, 200)
    y = np.where(rng.random(200) < 0.6, x, rng.integers(1, 5, 200))
    table = pd.crosstab(x, y).to_numpy()
    assert stats.cohens_kappa(x, y) == pytest.approx(sm_cohens_kappa(table).kappa)
    for wt in ("linear", "quadratic"):
        assert stats.cohens_kappa(x, y, weighting=wt) == pytest.approx(
            sm_cohens_kappa(table, wt=wt).kappa)


def test_cohens_kappa_ignores_missing_pairs() -> None:
    a = [1, 2, 3, np.nan, 1]
    b = [1, 2, 3, 2, np.nan]
    assert stats.cohens_kappa(a, b) == pytest.approx(1.0)


def test_weighted_kappa_matches_cohen_1968_formula_written_out() -> None:
    """Cohen (1968): kappa_w = 1 - sum(w O) / sum(w E), disagreement weights |i - j|
    (linear) or (i - j)^2 (quadratic) on category positions."""
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, 150)
    y = np.clip(x + rng.integers(-1, 2, 150), 1, 5)
    obs = pd.crosstab(x, y).reindex(index=range(1, 6), columns=range(1, 6), fill_value=0).to_numpy()
    obs = obs / obs.sum()
    exp = np.outer(obs.sum(axis=1), obs.sum(axis=0))
    i, j = np.indices(obs.shape)
    for wt, w in (("linear", np.abs(i - j)), ("quadratic", (i - j) ** 2), (None, (i != j) * 1)):
        assert stats.cohens_kappa(x, y, weighting=wt) == pytest.approx(
            1 - np.sum(w * obs) / np.sum(w * exp), rel=1e-12)


def test_cohens_kappa_undefined_for_one_category_and_checks_arguments() -> None:
    """With one category used by both coders expected agreement is 1: kappa is 0/0, NaN
    without a numpy warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(stats.cohens_kappa(["a", "a"], ["a", "a"]))
        assert np.isnan(stats.cohens_kappa(["a", "a"], ["a", "a"], weighting="quadratic"))
        assert np.isnan(stats.cohens_kappa([np.nan], [1]))
    assert stats.cohens_kappa(["x", "x"], ["y", "y"]) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        stats.cohens_kappa([1, 2], [1])
    with pytest.raises(ValueError):
        stats.cohens_kappa(["a", "a"], ["a", "a"], weighting="cubic")


def test_binary_krippendorff_alpha_matches_krippendorff_2011_binary_two_observers() -> None:
    """Krippendorff (2011) 'Computing Krippendorff's Alpha-Reliability', section A: binary data,
    two observers, 10 units, alpha = 0.095; vectorised over resamples it gives each row's alpha."""
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert stats.binary_krippendorff_alpha(np.add(a, b), 2) == pytest.approx(0.0952, abs=5e-5)
    rng = np.random.default_rng(1)
    codes = (rng.random((3, 200)) < 0.3).astype(int)
    rows = np.stack([codes[:2].sum(axis=0), codes[1:].sum(axis=0)])
    expected = [stats.krippendorff_alpha(codes[:2]), stats.krippendorff_alpha(codes[1:])]
    assert stats.binary_krippendorff_alpha(rows, 2) == pytest.approx(expected, abs=1e-12)
    assert stats.binary_krippendorff_alpha(codes.sum(axis=0), 3) == pytest.approx(
        stats.krippendorff_alpha(codes), abs=1e-12)
    assert np.isnan(stats.binary_krippendorff_alpha(np.zeros(5, int), 2))


def test_binary_cohens_kappa_matches_the_textbook_example() -> None:
    """Wikipedia 'Cohen's kappa', 50 grant proposals (yes/yes 20, yes/no 5, no/yes 10, no/no 15):
    kappa 0.4; vectorised over rows it equals cohens_kappa of each pair."""
    a = np.array([1] * 20 + [1] * 5 + [0] * 10 + [0] * 15)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    assert stats.binary_cohens_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    rng = np.random.default_rng(2)
    x, y = (rng.random((2, 4, 100)) < 0.4).astype(int)
    assert stats.binary_cohens_kappa(x, y) == pytest.approx([stats.cohens_kappa(p, q) for p, q in zip(x, y)],
                                                            abs=1e-12)
    assert np.isnan(stats.binary_cohens_kappa(np.ones(5, int), np.ones(5, int)))
