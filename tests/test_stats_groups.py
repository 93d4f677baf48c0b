"""Tests of analysis.stats.groups: crosstabs, association tests, Kruskal-Wallis and Mann-Whitney."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from statsmodels.stats.multitest import multipletests

from analysis import stats

# --------------------------------------------------------------------------- group comparisons


def test_crosstab_test_chi2_matches_scipy_and_cramers_v() -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"answer": rng.choice(["yes", "no", "maybe"], 300),
                       "role": rng.choice(["chief", "press", "neighbourhood"], 300)})
    out = stats.crosstab_test(df, "answer", "role").iloc[0]
    table = pd.crosstab(df.answer, df.role)
    chi2, p, dof, _ = sps.chi2_contingency(table, correction=False)
    assert out["test"] == "chi2"
    assert out["statistic"] == pytest.approx(chi2) and out["p"] == pytest.approx(p)
    assert out["cramers_v"] == pytest.approx(
        sps.contingency.association(table.to_numpy(), method="cramer"))


def test_crosstab_test_small_2x2_uses_fisher_exact_tea_tasting() -> None:
    """Fisher's (1935) lady tasting tea: [[3,1],[1,3]] has two-sided p = 0.4857."""
    df = pd.DataFrame({"guess": ["milk"] * 4 + ["tea"] * 4,
                       "truth": ["milk", "milk", "milk", "tea", "milk", "tea", "tea", "tea"]})
    out = stats.crosstab_test(df, "guess", "truth").iloc[0]
    assert out["test"] == "fisher"
    assert out["p"] == pytest.approx(0.4857, abs=1e-4)


def test_crosstab_test_small_rxc_uses_seeded_monte_carlo() -> None:
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"a": rng.choice(list("xyz"), 30), "b": rng.choice(list("pqr"), 30)})
    out1 = stats.crosstab_test(df, "a", "b").iloc[0]
    out2 = stats.crosstab_test(df, "a", "b").iloc[0]
    assert out1["test"] == "chi2_monte_carlo"
    assert out1["p"] == out2["p"]  # deterministic
    asym = sps.chi2_contingency(pd.crosstab(df.a, df.b), correction=False)
    assert out1["statistic"] == pytest.approx(asym.statistic)
    assert abs(out1["p"] - asym.pvalue) < 0.1


def test_crosstab_long_table_counts_and_column_percentages() -> None:
    df = pd.DataFrame({"answer": ["a", "a", "b", "b", "b", None], "org": ["x", "y", "x", "x", "y", "y"]})
    out = stats.crosstab(df, "answer", "org")
    x = out[out["column"] == "x"]
    assert x["count"].tolist() == [1, 2] and (x["n"] == 3).all()
    assert x["pct"].tolist() == pytest.approx([100 / 3, 200 / 3])


def test_kruskal_and_pairwise_mannwhitney_match_scipy() -> None:
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"rating": rng.choice([1, 2, 3, 4, 5, 9], 150),
                       "org": rng.choice(["a", "b", "c"], 150)})
    df.loc[df.org == "c", "rating"] = np.where(df.loc[df.org == "c", "rating"] == 9, 9, 5)
    res = stats.kruskal_test(df, "rating", "org").iloc[0]
    clean = df[df.rating != 9]
    groups = [clean.loc[clean.org == g, "rating"] for g in ["a", "b", "c"]]
    ref = sps.kruskal(*groups)
    assert res["statistic"] == pytest.approx(ref.statistic) and res["p"] == pytest.approx(ref.pvalue)
    pw = stats.pairwise_mannwhitney(df, "rating", "org")
    for _, row in pw.iterrows():
        xa = clean.loc[clean.org == row["group_a"], "rating"]
        xb = clean.loc[clean.org == row["group_b"], "rating"]
        mw = sps.mannwhitneyu(xa, xb, alternative="two-sided")
        assert row["p"] == pytest.approx(mw.pvalue)
        # rank-biserial = share of favourable pairs minus unfavourable (Kerby 2014)
        diff = np.subtract.outer(xa.to_numpy(), xb.to_numpy())
        assert row["rank_biserial"] == pytest.approx(np.mean(diff > 0) - np.mean(diff < 0))
    assert pw["p_holm"].tolist() == pytest.approx(multipletests(pw["p"], method="holm")[1].tolist())
    assert pw.loc[(pw.group_a == "a") & (pw.group_b == "c"), "rank_biserial"].iloc[0] < -0.5


def test_crosstab_test_cramers_v_is_sqrt_chi2_over_n_times_min_dimension_minus_one() -> None:
    """Cramér (1946): V = sqrt(chi2 / (n (min(r, c) - 1))), on a 3 x 2 table."""
    df = pd.DataFrame({"answer": ["a"] * 30 + ["b"] * 25 + ["c"] * 20 + ["a"] * 10 + ["b"] * 20
                       + ["c"] * 35,
                       "group": ["x"] * 75 + ["y"] * 65})
    obs = pd.crosstab(df.answer, df.group).to_numpy(dtype=float)
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.sum()
    chi2 = float(np.sum((obs - expected) ** 2 / expected))
    out = stats.crosstab_test(df, "answer", "group").iloc[0]
    assert out["statistic"] == pytest.approx(chi2, rel=1e-12)
    assert out["cramers_v"] == pytest.approx(np.sqrt(chi2 / (140 * 1)), rel=1e-12)
