"""Tests of analysis.stats.rankings: mean ranks, Friedman test, Kendall's W and pairwise Wilcoxon."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar
from statsmodels.stats.multitest import multipletests

from analysis import stats

# --------------------------------------------------------------------------- rankings


def _domains(seed: int = 11, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cats = [1, 2, 3, 4, 5, 9]
    out = {}
    for j, shift in enumerate([0.0, 0.5, 1.0, 0.2]):
        v = np.clip(np.round(rng.normal(2.5 + shift, 1.0, size=n)), 1, 5)
        v[rng.random(n) < 0.05] = 9
        v[rng.random(n) < 0.05] = np.nan
        out[f"domain{j}"] = pd.Categorical(v, categories=cats, ordered=True)
    return pd.DataFrame(out)


def test_friedman_matches_scipy_and_kendalls_w_relation() -> None:
    df = _domains()
    cols = list(df.columns)
    res = stats.friedman_test(df, cols).iloc[0]
    complete = df.apply(lambda s: s.astype(float)).replace(9.0, np.nan).dropna()
    ref = sps.friedmanchisquare(*[complete[c] for c in cols])
    assert res["n"] == len(complete)
    assert res["statistic"] == pytest.approx(ref.statistic)
    assert res["p"] == pytest.approx(ref.pvalue)
    w = stats.kendalls_w(df, cols)
    assert w == pytest.approx(ref.statistic / (len(complete) * (len(cols) - 1)))
    assert res["kendalls_w"] == pytest.approx(w)


def test_kendalls_w_perfect_agreement_is_one_and_reversed_orders_zero() -> None:
    """Kendall & Babington Smith (1939): W = 1 when all raters rank identically."""
    same = pd.DataFrame({"a": [1, 1, 1], "b": [2, 2, 2], "c": [3, 3, 3]})
    assert stats.kendalls_w(same, ["a", "b", "c"]) == pytest.approx(1.0)
    opposite = pd.DataFrame({"a": [1, 3], "b": [2, 2], "c": [3, 1]})
    assert stats.kendalls_w(opposite, ["a", "b", "c"]) == pytest.approx(0.0)


def test_kendalls_w_siegel_castellan_1988_tied_example() -> None:
    """Tie-corrected W equals scipy's tie-corrected Friedman / (n (k-1)) with heavy ties."""
    frame = pd.DataFrame({"a": [1, 2, 2, 3, 1], "b": [1, 3, 2, 3, 2], "c": [2, 3, 2, 1, 3]})
    chi2 = sps.friedmanchisquare(frame.a, frame.b, frame.c).statistic
    assert stats.kendalls_w(frame, ["a", "b", "c"]) == pytest.approx(chi2 / (5 * 2))


def test_pairwise_wilcoxon_matches_scipy_on_everyone_who_rated_both_with_holm_and_rank_biserial() -> None:
    df = _domains()
    cols = list(df.columns)
    out = stats.pairwise_wilcoxon(df, cols)
    codes = df.apply(lambda s: s.astype(float)).replace(9.0, np.nan)
    assert len(out) == 6
    assert out["n"].nunique() > 1  # each pair on its own base, not the complete cases
    for _, row in out.iterrows():
        complete = codes[[row["item_a"], row["item_b"]]].dropna()
        assert row["n"] == len(complete)
        ref = sps.wilcoxon(complete[row["item_a"]], complete[row["item_b"]])
        assert row["p"] == pytest.approx(ref.pvalue)
        for column, alternative in (("p_greater", "greater"), ("p_less", "less")):
            one_sided = sps.wilcoxon(complete[row["item_a"]], complete[row["item_b"]], alternative=alternative)
            assert row[column] == pytest.approx(one_sided.pvalue)
        d = (complete[row["item_a"]] - complete[row["item_b"]]).to_numpy()
        d = d[d != 0]
        r = sps.rankdata(np.abs(d))
        # Kerby (2014) simple difference formula: favourable minus unfavourable rank share
        assert row["rank_biserial"] == pytest.approx((r[d > 0].sum() - r[d < 0].sum()) / r.sum())
    assert out["p_holm"].tolist() == pytest.approx(multipletests(out["p"], method="holm")[1].tolist())
    # domain2 was simulated one point higher than domain0
    top = out[(out.item_a == "domain0") & (out.item_b == "domain2")].iloc[0]
    assert top["rank_biserial"] < -0.5


def test_pairwise_wilcoxon_on_complete_cases_matches_scipy_on_the_friedman_base() -> None:
    df = _domains()
    out = stats.pairwise_wilcoxon(df, list(df.columns), complete_cases=True)
    complete = df.apply(lambda s: s.astype(float)).replace(9.0, np.nan).dropna()
    assert (out["n"] == len(complete)).all()
    for _, row in out.iterrows():
        assert row["p"] == pytest.approx(sps.wilcoxon(complete[row["item_a"]], complete[row["item_b"]]).pvalue)


def test_mean_ranks_orders_domains() -> None:
    out = stats.mean_ranks(_domains(), ["domain0", "domain1", "domain2"])
    assert out.sort_values("mean_rank")["item"].tolist() == ["domain0", "domain1", "domain2"]


def test_ranking_functions_empty_when_no_complete_cases() -> None:
    df = pd.DataFrame({"a": [9, np.nan], "b": [1, 2], "c": [2, 3]})
    assert stats.friedman_test(df, ["a", "b", "c"]).empty
    assert stats.pairwise_wilcoxon(df, ["a", "b", "c"]).columns.tolist() == stats.WILCOXON_COLUMNS
    assert np.isnan(stats.kendalls_w(df, ["a", "b", "c"]))


def _friedman_conover(x: np.ndarray) -> float:
    """Tie-corrected Friedman chi-square written out (Conover 1999, Practical
    Nonparametric Statistics, 3rd ed., section 5.8): mid-ranks within respondents,
    divided by 1 - sum(t^3 - t) / (n k (k^2 - 1))."""
    n, k = x.shape
    ranks = np.apply_along_axis(sps.rankdata, 1, x)
    ties = sum(float(np.sum(c**3 - c)) for c in (np.unique(r, return_counts=True)[1] for r in x))
    chi2 = 12.0 / (n * k * (k + 1)) * np.sum(ranks.sum(axis=0) ** 2) - 3 * n * (k + 1)
    return chi2 / (1 - ties / (n * k * (k * k - 1)))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_friedman_and_kendalls_w_match_conover_formula(seed: int, k: int) -> None:
    df = _domains(seed, n=40)
    cols = list(df.columns)[:k]
    complete = df[cols].apply(lambda s: s.astype(float)).replace(9.0, np.nan).dropna()
    chi2 = _friedman_conover(complete.to_numpy())
    n = len(complete)
    assert stats.kendalls_w(df, cols) == pytest.approx(chi2 / (n * (k - 1)), rel=1e-12)
    if k >= 3:
        row = stats.friedman_test(df, cols).iloc[0]
        assert row["statistic"] == pytest.approx(chi2, rel=1e-12)
        assert row["p"] == pytest.approx(sps.chi2.sf(chi2, k - 1), rel=1e-10)


def test_kendalls_w_two_items_is_sign_test_chi2_over_n() -> None:
    """For two items the tie-corrected Friedman statistic is McNemar's (sign-test)
    chi-square of the respondents preferring one item over the other (tied rows count in n)."""
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 5, 3, 2], "b": [2, 2, 1, 1, 1, 3, 3, 4]})
    higher_a, higher_b = 4, 2  # rows where a > b, and b > a; two ties
    table = [[0, higher_a], [higher_b, 0]]
    chi2 = sm_mcnemar(table, exact=False, correction=False).statistic
    assert stats.kendalls_w(df, ["a", "b"]) == pytest.approx(chi2 / len(df), rel=1e-12)


def test_friedman_and_kendalls_w_nan_without_warning_when_all_tied() -> None:
    tied = pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = stats.friedman_test(tied, ["a", "b", "c"]).iloc[0]
        assert np.isnan(row["statistic"]) and np.isnan(row["p"]) and np.isnan(row["kendalls_w"])
        assert np.isnan(stats.kendalls_w(tied, ["a", "b", "c"]))
        assert np.isnan(stats.kendalls_w(tied, ["a", "b"]))
