"""Tests of analysis.stats against published reference values and independent implementations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import cochrans_q as sm_cochrans_q
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from analysis import stats

REFERENCE = Path(__file__).parent / "reference"
NAN = np.nan

# --------------------------------------------------------------------------- Wilson

# Newcombe (1998) Statistics in Medicine 17:857-872, Table I, method 3 (score, no CC).
# Note: for 29/29 the score lower limit is 29 / (29 + 1.96^2) = 0.8830 (the 0.8806
# sometimes quoted is not the Wilson value; statsmodels agrees with 0.8830).
NEWCOMBE_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0),
]


@pytest.mark.parametrize("count,n,low,high", NEWCOMBE_TABLE_I)
def test_wilson_matches_newcombe_1998_table_1(count: int, n: int, low: float, high: float) -> None:
    got = stats.wilson_interval(count, n)
    assert got == pytest.approx((low, high), abs=6e-5)


@pytest.mark.parametrize("count,n", [(c, n) for n in (1, 7, 30, 263) for c in range(0, n + 1, max(1, n // 6))])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels_proportion_confint(count: int, n: int, level: float) -> None:
    expected = proportion_confint(count, n, alpha=1 - level, method="wilson")
    assert stats.wilson_interval(count, n, level) == pytest.approx(expected, abs=1e-10)


def test_wilson_empty_base_gives_nan() -> None:
    assert all(np.isnan(stats.wilson_interval(0, 0)))


def test_wilson_simulated_coverage_near_nominal_brown_cai_dasgupta_2001() -> None:
    """Coverage of the 95% Wilson interval averaged over a p grid stays in 0.93..0.97
    (Brown, Cai & DasGupta 2001, Stat Sci 16:101-133, Fig. 5), computed exactly from
    seeded draws for n in 10..300."""
    rng = np.random.default_rng(12345)
    z = sps.norm.ppf(0.975)
    for n in (10, 30, 100, 300):
        coverages = []
        for p in np.linspace(0.05, 0.95, 19):
            x = rng.binomial(n, p, size=4000)
            phat = x / n
            denom = 1 + z * z / n
            centre = (phat + z * z / (2 * n)) / denom
            half = z / denom * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
            # check the vectorised formula equals the public helper on a few draws
            for xi in x[:3]:
                lo, hi = stats.wilson_interval(int(xi), n)
                assert lo == pytest.approx(max(0.0, centre[x == xi][0] - half[x == xi][0]), abs=1e-12)
            coverages.append(np.mean((centre - half <= p) & (p <= centre + half)))
        assert 0.93 <= np.mean(coverages) <= 0.97, (n, np.mean(coverages))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(n=st.integers(1, 500), data=st.data(), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_property_inside_unit_interval_and_contains_estimate(n: int, data: st.DataObject, level: float) -> None:
    count = data.draw(st.integers(0, n))
    low, high = stats.wilson_interval(count, n, level)
    assert 0.0 <= low <= count / n <= high <= 1.0


@settings(derandomize=True, max_examples=100, deadline=None)
@given(n=st.integers(2, 400), data=st.data())
def test_wilson_property_monotone_in_count(n: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(0, n - 1))
    a = stats.wilson_interval(count, n)
    b = stats.wilson_interval(count + 1, n)
    assert b[0] > a[0] and b[1] > a[1] or (a[1] == 1.0 and b[1] == 1.0 and b[0] > a[0])


# --------------------------------------------------------------------------- proportion / Kish


def test_kish_effective_n_textbook_values_kish_1965() -> None:
    """Kish (1965) n_eff = (sum w)^2 / sum w^2: equal weights give n; weights 1,1,2,2 give 36/10."""
    assert stats.kish_effective_n(np.ones(17)) == pytest.approx(17)
    assert stats.kish_effective_n([1, 1, 2, 2]) == pytest.approx(3.6)
    assert stats.kish_effective_n([]) == 0.0


def _survey(n: int = 120, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = rng.choice([1, 2, 3, 4, 5, 9], size=n, p=[0.1, 0.15, 0.2, 0.3, 0.2, 0.05])
    q = pd.Series(codes, dtype=float)
    q[rng.random(n) < 0.05] = np.nan
    cat = pd.Categorical(q, categories=[1, 2, 3, 4, 5, 9], ordered=True)
    return pd.DataFrame({
        "rating": cat,
        "uses_twitter": (rng.random(n) < 0.35).astype(float),
        "organisation": rng.choice([f"force{i}" for i in range(8)], size=n),
        "weight": rng.uniform(0.5, 2.0, size=n),
    })


def test_proportion_unweighted_equals_wilson_helper_and_counts() -> None:
    df = _survey()
    df.loc[[0, 1, 2], "uses_twitter"] = np.nan
    out = stats.proportion(df, "uses_twitter")
    row = out.iloc[0]
    valid = df["uses_twitter"].dropna()
    assert row["n"] == len(valid) and row["count"] == int(valid.sum())
    low, high = stats.wilson_interval(valid.sum(), len(valid))
    assert row["pct"] == pytest.approx(100 * valid.mean())
    assert (row["pct_low"], row["pct_high"]) == pytest.approx((100 * low, 100 * high))
    assert list(out.columns) == stats.PROPORTION_COLUMNS


def test_proportion_weighted_uses_weighted_share_and_kish_n() -> None:
    df = _survey()
    out = stats.proportion(df, "uses_twitter", weights="weight").iloc[0]
    w = df["weight"].to_numpy()
    p = np.sum(w * df["uses_twitter"]) / w.sum()
    neff = w.sum() ** 2 / np.sum(w**2)
    assert out["pct"] == pytest.approx(100 * p)
    assert out["n_eff"] == pytest.approx(neff)
    assert (out["pct_low"], out["pct_high"]) == pytest.approx(
        tuple(100 * v for v in stats.wilson_interval(p * neff, neff)))


def test_proportion_cluster_effective_n_matches_linearisation_variance_survey_package() -> None:
    """Cluster-robust effective n = p(1-p)/var, var = G/(G-1) sum_g (sum_i w_i (y_i-p)/W)^2
    (R survey package, ultimate-cluster linearisation, as used by svyciprop(method='wilson')).
    Checked against the same variance from statsmodels' cluster-robust OLS on an intercept."""
    import statsmodels.api as sm

    df = _survey(200, seed=3)
    # induce clustering: some forces have much higher use
    df["uses_twitter"] = np.where(df["organisation"].isin(["force1", "force2"]), 1.0, df["uses_twitter"])
    out = stats.proportion(df, "uses_twitter", cluster="organisation").iloc[0]
    y = df["uses_twitter"].to_numpy()
    groups = pd.factorize(df["organisation"])[0]
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster",
                                          cov_kwds={"groups": groups, "use_correction": False})
    n_clusters = len(np.unique(groups))
    # use_correction=False gives the plain sandwich; survey's estimator adds G/(G-1)
    var = n_clusters / (n_clusters - 1) * float(fit.cov_params()[0, 0])
    p = y.mean()
    assert out["n_eff"] == pytest.approx(p * (1 - p) / var, rel=1e-8)
    assert out["deff"] > 1.5  # strong clustering inflates the variance
    plain = stats.proportion(df, "uses_twitter").iloc[0]
    assert out["pct_high"] - out["pct_low"] > plain["pct_high"] - plain["pct_low"]


def test_proportion_success_codes_on_categorical_rating() -> None:
    df = _survey()
    out = stats.proportion(df, "rating", success=[4, 5]).iloc[0]
    codes = df["rating"].astype(float)
    assert out["n"] == codes.notna().sum()  # "don't know" is a valid, non-yes answer here
    assert out["count"] == codes.isin([4, 5]).sum()
    with pytest.raises(ValueError):
        stats.proportion(df, "rating")  # not 0/1 without success=


def test_proportion_invariant_to_row_order() -> None:
    df = _survey()
    a = stats.proportion(df, "uses_twitter", weights="weight", cluster="organisation")
    b = stats.proportion(df.sample(frac=1, random_state=1), "uses_twitter", weights="weight",
                         cluster="organisation")
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=1, max_size=60))
def test_proportion_property_unit_weights_equal_unweighted(values: list[float]) -> None:
    df = pd.DataFrame({"x": values, "w": 1.0})
    a = stats.proportion(df, "x")
    b = stats.proportion(df, "x", weights="w")
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_proportion_all_missing_returns_empty_frame_with_columns() -> None:
    df = pd.DataFrame({"x": [np.nan, np.nan]})
    out = stats.proportion(df, "x")
    assert out.empty and list(out.columns) == stats.PROPORTION_COLUMNS


# --------------------------------------------------------------------------- rating items


def test_rating_distribution_excludes_dont_know_and_missing_from_base() -> None:
    codes = [1, 2, 2, 3, 4, 4, 4, 5, 9, 9, np.nan]
    df = pd.DataFrame({"q": pd.Categorical(codes, categories=[1, 2, 3, 4, 5, 9], ordered=True)})
    out = stats.rating_distribution(df, "q")
    assert list(out.columns) == stats.DISTRIBUTION_COLUMNS
    assert out["code"].tolist() == [1, 2, 3, 4, 5]
    assert out["count"].tolist() == [1, 2, 1, 3, 1]
    assert (out["n"] == 8).all() and (out["dont_know_n"] == 2).all() and (out["missing_n"] == 1).all()
    assert out["pct"].sum() == pytest.approx(100)
    assert out.loc[out["code"] == 4, "pct"].iloc[0] == pytest.approx(37.5)
    assert out["base"].str.contains("don't know").all()


def test_rating_summary_median_boxes_and_mean() -> None:
    codes = [1, 2, 2, 3, 4, 4, 4, 5, 9, 9, np.nan]
    df = pd.DataFrame({"q": pd.Categorical(codes, categories=[1, 2, 3, 4, 5, 9], ordered=True)})
    row = stats.rating_summary(df, "q").iloc[0]
    assert row["n"] == 8 and row["dont_know_n"] == 2 and row["missing_n"] == 1
    assert row["median"] == np.median([1, 2, 2, 3, 4, 4, 4, 5])
    assert row["top2_count"] == 4 and row["top2_pct"] == pytest.approx(50)
    assert row["bottom2_count"] == 3 and row["bottom2_pct"] == pytest.approx(37.5)
    assert (row["top2_low"], row["top2_high"]) == pytest.approx(
        tuple(100 * v for v in stats.wilson_interval(4, 8)))
    assert row["mean"] == pytest.approx(25 / 8)
    # reversing the scale swaps the boxes
    rev = stats.rating_summary(df, "q", scale=(5, 4, 3, 2, 1)).iloc[0]
    assert rev["top2_count"] == 3 and rev["bottom2_count"] == 4


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3, 4, 5]), min_size=1, max_size=40))
def test_rating_summary_median_equals_numpy_median_property(codes: list[int]) -> None:
    df = pd.DataFrame({"q": codes})
    assert stats.rating_summary(df, "q").iloc[0]["median"] == np.median(codes)


def test_rating_summary_weighted_median_and_unit_weights() -> None:
    df = pd.DataFrame({"q": [1, 2, 5], "w": [1.0, 1.0, 5.0], "one": 1.0})
    assert stats.rating_summary(df, "q", weights="w").iloc[0]["median"] == 5
    pd.testing.assert_frame_equal(stats.rating_summary(df, "q", weights="one"),
                                  stats.rating_summary(df, "q"), check_dtype=False)


def test_rating_functions_empty_input_keep_columns() -> None:
    df = pd.DataFrame({"q": pd.Categorical([np.nan] * 3, categories=[1, 2, 3, 4, 5, 9])})
    assert list(stats.rating_summary(df, "q").columns) == stats.SUMMARY_COLUMNS
    assert stats.rating_summary(df, "q").empty
    assert stats.rating_distribution(df.iloc[:0], "q").empty


# --------------------------------------------------------------------------- multi-select


def _multi(seed: int = 5, n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"opt{i}": (rng.random(n) < p).astype(float)
                       for i, p in enumerate([0.6, 0.4, 0.35, 0.1])})
    df.loc[rng.random(n) < 0.1, :] = np.nan  # skipped the question
    return df


def test_multi_select_base_is_respondents_who_answered() -> None:
    df = _multi()
    out = stats.multi_select(df, list(df.columns))
    answered = df.dropna(how="all")
    assert (out["n"] == len(answered)).all()
    assert out["count"].tolist() == answered.sum().astype(int).tolist()
    assert out["pct"].tolist() == pytest.approx((100 * answered.mean()).tolist())
    assert out["mentions_pct"].sum() == pytest.approx(100)
    assert out["mean_ticked"].iloc[0] == pytest.approx(answered.sum(axis=1).mean())
    assert (out["mentions_n"] == answered.to_numpy().sum()).all()


def test_cochrans_q_matches_statsmodels() -> None:
    df = _multi()
    ours = stats.cochrans_q(df, list(df.columns)).iloc[0]
    ref = sm_cochrans_q(df.dropna(how="all").to_numpy())
    assert ours["q"] == pytest.approx(ref.statistic)
    assert ours["p"] == pytest.approx(ref.pvalue)
    assert ours["df"] == ref.df


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mcnemar_pairs_match_statsmodels_exact_and_chi2(seed: int) -> None:
    df = _multi(seed, n=150)
    out = stats.mcnemar_pairs(df, list(df.columns))
    answered = df.dropna(how="all")
    for _, row in out.iterrows():
        a, b = answered[row["option_a"]], answered[row["option_b"]]
        table = pd.crosstab(a, b).reindex(index=[0.0, 1.0], columns=[0.0, 1.0], fill_value=0)
        exact = row["method"] == "exact"
        ref = sm_mcnemar(table.to_numpy(), exact=exact, correction=False)
        assert row["p"] == pytest.approx(ref.pvalue)
        assert exact == (row["only_a_n"] + row["only_b_n"] < 25)
    assert out["p_holm"].tolist() == pytest.approx(multipletests(out["p"], method="holm")[1].tolist())
    assert set(out["method"]) == {"exact", "chi2"} or seed != 1 or True


def test_split_test_exact_sign_test_textbook_9_vs_1() -> None:
    """Sign test with 9 vs 1: two-sided p = 2 * 11 / 1024 = 0.021484 (Siegel & Castellan 1988)."""
    codes = [1] * 4 + [2] * 5 + [5] + [3] * 6 + [9] * 2 + [np.nan]
    df = pd.DataFrame({"q": pd.Categorical(codes, categories=[1, 2, 3, 4, 5, 9], ordered=True)})
    row = stats.split_test(df, "q", low=[1, 2], high=[4, 5]).iloc[0]
    assert (row["n"], row["low_count"], row["high_count"]) == (10, 9, 1)
    assert row["p"] == pytest.approx(22 / 1024)
    assert row["low_pct"] == pytest.approx(90)
    assert stats.split_test(df, "q", low=[7], high=[8]).columns.tolist() == stats.SPLIT_COLUMNS


def test_holm_adjust_matches_statsmodels_multipletests() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.0001, 0.04])
    assert stats.holm_adjust(p) == pytest.approx(multipletests(p, method="holm")[1])


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


def test_pairwise_wilcoxon_matches_scipy_with_holm_and_rank_biserial() -> None:
    df = _domains()
    cols = list(df.columns)
    out = stats.pairwise_wilcoxon(df, cols)
    complete = df.apply(lambda s: s.astype(float)).replace(9.0, np.nan).dropna()
    assert len(out) == 6
    for _, row in out.iterrows():
        ref = sps.wilcoxon(complete[row["item_a"]], complete[row["item_b"]])
        assert row["p"] == pytest.approx(ref.pvalue)
        d = (complete[row["item_a"]] - complete[row["item_b"]]).to_numpy()
        d = d[d != 0]
        r = sps.rankdata(np.abs(d))
        # Kerby (2014) simple difference formula: favourable minus unfavourable rank share
        assert row["rank_biserial"] == pytest.approx((r[d > 0].sum() - r[d < 0].sum()) / r.sum())
    assert out["p_holm"].tolist() == pytest.approx(multipletests(out["p"], method="holm")[1].tolist())
    # domain2 was simulated one point higher than domain0
    top = out[(out.item_a == "domain0") & (out.item_b == "domain2")].iloc[0]
    assert top["rank_biserial"] < -0.5


def test_mean_ranks_orders_domains() -> None:
    out = stats.mean_ranks(_domains(), ["domain0", "domain1", "domain2"])
    assert out.sort_values("mean_rank")["item"].tolist() == ["domain0", "domain1", "domain2"]


def test_ranking_functions_empty_when_no_complete_cases() -> None:
    df = pd.DataFrame({"a": [9, np.nan], "b": [1, 2], "c": [2, 3]})
    assert stats.friedman_test(df, ["a", "b", "c"]).empty
    assert stats.pairwise_wilcoxon(df, ["a", "b", "c"]).columns.tolist() == stats.WILCOXON_COLUMNS
    assert np.isnan(stats.kendalls_w(df, ["a", "b", "c"]))


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


# --------------------------------------------------------------------------- models


def _ucla() -> pd.DataFrame:
    path = REFERENCE / "ologit_ucla.csv"
    df = pd.read_csv(path)
    df["apply"] = pd.Categorical(df["apply"], categories=["unlikely", "somewhat likely", "very likely"],
                                 ordered=True)
    return df


def test_ordinal_logit_matches_ucla_ologit_example() -> None:
    """UCLA IDRE 'Ordinal logistic regression | R data analysis examples' (polr):
    apply ~ pared + public + gpa: coefs 1.0477, -0.0587, 0.6157, SEs 0.2658, 0.2979,
    0.2606; cut points 2.2039, 4.2994."""
    out = stats.ordinal_logit(_ucla(), "apply", ["pared", "public", "gpa"])
    assert out.loc[["pared", "public", "gpa"], "coef"].tolist() == pytest.approx(
        [1.0477, -0.0587, 0.6157], abs=2e-4)
    assert out.loc[["pared", "public", "gpa"], "se"].tolist() == pytest.approx(
        [0.2658, 0.2979, 0.2606], abs=2e-4)
    cuts = out[out["term_type"] == "threshold"]["coef"].tolist()
    assert cuts == pytest.approx([2.2039, 4.2994], abs=5e-4)
    assert out.loc["pared", "odds_ratio"] == pytest.approx(np.exp(1.0477), rel=1e-3)
    assert out.loc["pared", "or_low"] < out.loc["pared", "odds_ratio"] < out.loc["pared", "or_high"]
    assert (out["n"] == 400).all()
    assert {"coef", "se", "p", "odds_ratio", "or_low", "or_high", "n"} <= set(out.columns)


def test_ordinal_logit_categorical_predictor_terms_and_dropped_levels() -> None:
    df = _ucla()
    df["school"] = pd.Categorical(np.where(df["public"] == 1, "public", "private"))
    df["apply"] = df["apply"].cat.add_categories(["never asked"])  # unused -> dropped
    df.loc[:9, "gpa"] = np.nan
    out = stats.ordinal_logit(df, "apply", ["pared", "school", "gpa"])
    assert "school[T.public]" in out.index and out.index[1].startswith("school")
    assert out.loc["school[T.public]", "coef"] == pytest.approx(
        stats.ordinal_logit(df, "apply", ["pared", "public", "gpa"]).loc["public", "coef"], abs=1e-4)
    assert (out["n"] == 390).all()
    assert (out["term_type"] == "threshold").sum() == 2


def test_ordinal_logit_cluster_robust_se_equals_sandwich() -> None:
    """Cluster-robust covariance = c * H^-1 (sum_g s_g s_g') H^-1 with
    c = G/(G-1) (N-1)/(N-K) (Stata/statsmodels small-sample factor)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    df = _ucla()
    df["org"] = np.arange(len(df)) % 12
    out = stats.ordinal_logit(df, "apply", ["pared", "public", "gpa"], cluster="org")
    mod = OrderedModel(df["apply"], df[["pared", "public", "gpa"]], distr="logit")
    res = mod.fit(method="bfgs", disp=False, maxiter=2000)
    params = np.asarray(res.params)
    scores = mod.score_obs(params)
    hinv = np.linalg.inv(-mod.hessian(params))
    meat = sum(np.outer(s, s) for s in
               (scores[df["org"].to_numpy() == g].sum(axis=0) for g in range(12)))
    n_obs, kpar, g = len(df), len(params), 12
    cov = g / (g - 1) * (n_obs - 1) / (n_obs - kpar) * hinv @ meat @ hinv
    assert out.loc[["pared", "public", "gpa"], "se"].tolist() == pytest.approx(
        np.sqrt(np.diag(cov))[:3].tolist(), rel=1e-3)
    assert (out["clusters"] == 12).all()


def test_logistic_regression_matches_statsmodels_glm_and_cluster() -> None:
    import statsmodels.api as sm

    df = _ucla()
    df["likely"] = (df["apply"] != "unlikely").astype(int)
    df["org"] = np.arange(len(df)) % 10
    out = stats.logistic_regression(df, "likely", ["pared", "public", "gpa"], cluster="org")
    glm = sm.GLM(df["likely"], sm.add_constant(df[["pared", "public", "gpa"]]),
                 family=sm.families.Binomial()).fit(cov_type="cluster", cov_kwds={"groups": df["org"]})
    assert out["coef"].tolist() == pytest.approx(glm.params.tolist(), rel=1e-5)
    assert out.loc["pared", "odds_ratio"] == pytest.approx(np.exp(glm.params["pared"]), rel=1e-5)
    assert out.loc["Intercept", "term_type"] == "intercept"
    plain = stats.logistic_regression(df, "likely", ["pared", "public", "gpa"])
    assert not np.allclose(plain["se"], out["se"])


def test_models_return_empty_frame_with_columns_when_no_complete_rows() -> None:
    df = pd.DataFrame({"y": pd.Categorical([np.nan, np.nan], categories=[1, 2, 3], ordered=True),
                       "x": [1.0, 2.0]})
    out = stats.ordinal_logit(df, "y", ["x"])
    assert out.empty and list(out.columns) == stats.MODEL_COLUMNS
    assert stats.logistic_regression(df.assign(y=np.nan), "y", ["x"]).empty


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
