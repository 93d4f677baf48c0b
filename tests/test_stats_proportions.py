"""Tests of analysis.stats.proportions: Wilson and Newcombe intervals, Kish n, shares of respondents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from analysis import stats

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


def test_wilson_limits_are_exact_at_zero_and_full_share() -> None:
    """A share of 0 has lower limit exactly 0 and a share of 1 upper limit exactly 1
    (the closed form leaves a rounding residue of ~1e-17 for some n, e.g. 0/7)."""
    for n in range(1, 400):
        assert stats.wilson_interval(0, n)[0] == 0.0
        assert stats.wilson_interval(n, n)[1] == 1.0


def test_wilson_rejects_count_outside_base_and_level_outside_unit_interval() -> None:
    with pytest.raises(ValueError):
        stats.wilson_interval(3, 2)
    with pytest.raises(ValueError):
        stats.wilson_interval(-1, 2)
    with pytest.raises(ValueError):
        stats.wilson_interval(1, 2, level=1.5)
    # a weighted count that exceeds n by rounding only is the full share
    assert stats.wilson_interval(7 * (1 + 1e-13), 7) == stats.wilson_interval(7, 7)


# --------------------------------------------------------------------------- Newcombe difference

# Newcombe (1998) Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score
# without continuity correction), examples (a), (b), (d), (e), (f).  (a) and (b) are also
# the reference values in the test suite of the R package propint.
NEWCOMBE_TABLE_II = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
]


@pytest.mark.parametrize("count1,n1,count2,n2,low,high", NEWCOMBE_TABLE_II)
def test_newcombe_difference_matches_newcombe_1998_table_2(
    count1: int, n1: int, count2: int, n2: int, low: float, high: float
) -> None:
    got = stats.newcombe_difference(count1, n1, count2, n2)
    assert got == pytest.approx((low, high), abs=6e-5)


def _newcombe_direct(x1: float, n1: float, x2: float, n2: float, level: float) -> tuple[float, float]:
    """Newcombe (1998) eq. for method 10, written out from the paper with the closed-form
    Wilson limits (Newcombe 1998, Stat Med 17:857-872, method 3)."""
    z = sps.norm.ppf(1 - (1 - level) / 2)

    def wilson(x: float, n: float) -> tuple[float, float]:
        a, b, c = 2 * x + z * z, z * np.sqrt(z * z + 4 * x * (1 - x / n)), 2 * (n + z * z)
        return (a - b) / c, (a + b) / c

    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    return (p1 - p2 - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            p1 - p2 + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("count1,n1,count2,n2", [
    (6, 7, 2, 7), (10, 10, 0, 20), (10, 10, 0, 10), (1, 3, 2, 3), (81, 263, 15, 148),
    (12.6, 30.2, 4.4, 17.9),  # weighted counts and effective n
])
def test_newcombe_difference_matches_direct_formula_and_statsmodels(
    count1: float, n1: float, count2: float, n2: float, level: float
) -> None:
    got = stats.newcombe_difference(count1, n1, count2, n2, level)
    assert got == pytest.approx(_newcombe_direct(count1, n1, count2, n2, level), abs=1e-12)
    ref = confint_proportions_2indep(count1, n1, count2, n2, method="newcomb", compare="diff",
                                     alpha=1 - level)
    assert got == pytest.approx(tuple(float(v) for v in ref), abs=1e-12)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(n1=st.integers(1, 300), n2=st.integers(1, 300), data=st.data())
def test_newcombe_difference_property_contains_estimate_and_swaps_sign(
    n1: int, n2: int, data: st.DataObject
) -> None:
    c1, c2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    low, high = stats.newcombe_difference(c1, n1, c2, n2)
    assert -1.0 <= low <= c1 / n1 - c2 / n2 <= high <= 1.0
    back = stats.newcombe_difference(c2, n2, c1, n1)
    assert back == pytest.approx((-high, -low), abs=1e-12)


def test_newcombe_difference_limits_never_pass_one_in_absolute_value() -> None:
    """All-yes against all-no has an upper (lower) limit of exactly 1 (-1) at most; the
    Wilson limits' rounding residue would otherwise give 1.0000000000000002 for 300/300 vs 0/1."""
    for n1 in range(1, 301):
        for n2 in (1, 2, 7, 50):
            assert stats.newcombe_difference(n1, n1, 0, n2)[1] <= 1.0
            assert stats.newcombe_difference(0, n2, n1, n1)[0] >= -1.0


def test_newcombe_difference_empty_group_gives_nan_and_bad_input_raises() -> None:
    assert all(np.isnan(stats.newcombe_difference(0, 0, 3, 10)))
    assert all(np.isnan(stats.newcombe_difference(3, 10, 0, 0)))
    with pytest.raises(ValueError):
        stats.newcombe_difference(11, 10, 3, 10)
    with pytest.raises(ValueError):
        stats.newcombe_difference(1, 10, 3, 10, level=0)


# --------------------------------------------------------------------------- clusters at survey sizes


def test_clusters_of_a_subset_number_clusters_as_pandas_factorize() -> None:
    """Cluster labels of the whole column, cut to a subset, are renumbered in order of first
    appearance with unknown clusters last, exactly as pandas.factorize numbers the subset's names."""
    from analysis.stats.proportions import _cluster_labels, _clusters, _clusters_of

    rng = np.random.default_rng(2)
    names = pd.Series(rng.choice([f"force{i}" for i in range(40)] + [None], size=5_000))
    for column in (names, names.astype("category")):
        labels = _cluster_labels(column)
        for keep in (rng.random(len(names)) < 0.3, np.ones(len(names), dtype=bool), rng.random(len(names)) < 0.001):
            ours, reference = _clusters_of(labels[keep]), _clusters(column[keep].to_numpy())
            assert ours.count == reference.count
            np.testing.assert_array_equal(ours.codes, reference.codes)


def test_proportion_at_large_n_with_unknown_clusters_matches_statsmodels_cluster_variance() -> None:
    """n = 30,000 in 40 forces plus respondents without a force (clusters of one): the effective n
    is p(1-p) / var with var from statsmodels' cluster-robust OLS (times G / (G - 1))."""
    import statsmodels.api as sm

    rng = np.random.default_rng(4)
    n = 30_000
    org = rng.integers(0, 40, size=n)
    y = (rng.random(n) < 0.2 + 0.01 * org).astype(float)
    organisation = pd.Series(pd.Categorical([f"force{o}" for o in org]))
    organisation[rng.random(n) < 0.02] = np.nan
    df = pd.DataFrame({"y": y, "organisation": organisation, "two": 2.0})
    out = stats.proportion(df, "y", cluster="organisation").iloc[0]
    ids = pd.factorize(organisation)[0].copy()
    ids[ids < 0] = 40 + np.arange(np.sum(ids < 0))
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": ids, "use_correction": False})
    g = len(np.unique(ids))
    p = y.mean()
    assert out["n_eff"] == pytest.approx(p * (1 - p) / (g / (g - 1) * float(fit.cov_params()[0, 0])), rel=1e-9)
    # weights of 2 go through the weighted arithmetic and give the same numbers
    doubled = stats.proportion(df, "y", cluster="organisation", weights="two").iloc[0]
    pd.testing.assert_series_equal(out, doubled, check_exact=False, rtol=1e-12)


def test_proportion_success_matches_labels_and_codes_of_plain_and_categorical_columns() -> None:
    """A respondent is "yes" when the raw value is one of the targets or its numeric code is
    (brute force: pandas isin on every respondent's value)."""
    rng = np.random.default_rng(6)
    raw = pd.Series(rng.choice(["1", "2", "other", 3, 4.0, None], size=2_000), dtype=object)
    targets = ["other", 2, 4]
    for column in (raw, raw.astype("category")):
        answered = column.dropna().astype(object)
        yes = answered.isin(targets) | pd.to_numeric(answered, errors="coerce").isin([2.0, 4.0])
        out = stats.proportion(pd.DataFrame({"x": column}), "x", success=targets).iloc[0]
        assert (out["n"], out["count"]) == (len(answered), yes.sum())
        assert 0 < yes.sum() < len(answered)
