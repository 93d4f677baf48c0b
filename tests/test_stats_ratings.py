"""Tests of analysis.stats.ratings: rating distributions, summaries and the sign test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import stats

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


# --------------------------------------------------------------------------- sign test


def test_split_test_exact_sign_test_textbook_9_vs_1() -> None:
    """Sign test with 9 vs 1: two-sided p = 2 * 11 / 1024 = 0.021484 (Siegel & Castellan 1988)."""
    codes = [1] * 4 + [2] * 5 + [5] + [3] * 6 + [9] * 2 + [np.nan]
    df = pd.DataFrame({"q": pd.Categorical(codes, categories=[1, 2, 3, 4, 5, 9], ordered=True)})
    row = stats.split_test(df, "q", low=[1, 2], high=[4, 5]).iloc[0]
    assert (row["n"], row["low_count"], row["high_count"]) == (10, 9, 1)
    assert row["p"] == pytest.approx(22 / 1024)
    assert row["low_pct"] == pytest.approx(90)
    assert stats.split_test(df, "q", low=[7], high=[8]).columns.tolist() == stats.SPLIT_COLUMNS


# --------------------------------------------------------------------------- large bases
# The rating tables work on answer levels and counts; these check them at survey sizes
# against direct computations: numpy on the answers, statsmodels for the clustered variance.


def _large_grid(n: int = 20_000, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    org = rng.integers(0, 30, size=n)
    out = {}
    for j in range(2):
        v = np.clip(np.round(rng.normal(2.5 + 0.1 * org % 3 + j, 1.1, size=n)), 1, 5)
        v[rng.random(n) < 0.06] = 9
        v[rng.random(n) < 0.05] = np.nan
        out[f"q{j}"] = pd.Categorical(v, categories=[1, 2, 3, 4, 5, 9], ordered=True)
    organisation = pd.Series(pd.Categorical([f"force{o}" for o in org]))
    organisation[rng.random(n) < 0.01] = np.nan  # unknown organisation: a cluster of one
    out["organisation"] = organisation
    out["weight"] = rng.integers(1, 4, size=n).astype(float)
    return pd.DataFrame(out)


def _clustered_share(y: np.ndarray, groups: pd.Series, level: float = 0.95) -> tuple[float, float, float]:
    """Share and Wilson interval (in %) with the design-effect n of R survey's svyciprop, the cluster
    variance taken from statsmodels' cluster-robust OLS on an intercept (G / (G - 1) added)."""
    import statsmodels.api as sm
    from statsmodels.stats.proportion import proportion_confint

    ids = pd.factorize(groups)[0].copy()
    unknown = ids < 0
    ids[unknown] = ids.max() + 1 + np.arange(unknown.sum())
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": ids, "use_correction": False})
    g = len(np.unique(ids))
    p = y.mean()
    n_eff = min(len(y), p * (1 - p) / (g / (g - 1) * float(fit.cov_params()[0, 0])))
    low, high = proportion_confint(p * n_eff, n_eff, alpha=1 - level, method="wilson")
    return 100 * p, 100 * low, 100 * high


def test_rating_distribution_at_large_n_matches_counts_and_statsmodels_cluster_variance() -> None:
    df = _large_grid()
    out = stats.rating_distribution(df, ["q0", "q1"], cluster="organisation")
    for col in ("q0", "q1"):
        codes = df[col].astype(float)
        answered = codes.isin([1, 2, 3, 4, 5])
        rows = out[out["item"] == col]
        assert (rows["n"] == answered.sum()).all()
        assert (rows["dont_know_n"] == (codes == 9).sum()).all() and (rows["missing_n"] == codes.isna().sum()).all()
        for _, row in rows.iterrows():
            y = (codes[answered] == row["code"]).to_numpy(dtype=float)
            assert row["count"] == y.sum()
            pct, low, high = _clustered_share(y, df.loc[answered, "organisation"])
            assert (row["pct"], row["pct_low"], row["pct_high"]) == pytest.approx((pct, low, high), rel=1e-9)


def test_rating_summary_at_large_n_matches_numpy_and_statsmodels() -> None:
    df = _large_grid()
    out = stats.rating_summary(df, ["q0", "q1"], cluster="organisation").set_index("item")
    for col in ("q0", "q1"):
        codes = df[col].astype(float)
        answered = codes.isin([1, 2, 3, 4, 5])
        v = codes[answered].to_numpy()
        row = out.loc[col]
        assert row["median"] == np.median(v) and row["mean"] == pytest.approx(v.mean(), rel=1e-14)
        for box, hits in (("top2", [4, 5]), ("bottom2", [1, 2])):
            y = np.isin(v, hits).astype(float)
            assert row[f"{box}_count"] == y.sum()
            pct, low, high = _clustered_share(y, df.loc[answered, "organisation"])
            assert (row[f"{box}_pct"], row[f"{box}_low"], row[f"{box}_high"]) == pytest.approx((pct, low, high),
                                                                                                 rel=1e-9)


def test_rating_tables_with_constant_weights_equal_unweighted_ones() -> None:
    """Weights of 2 take the weighted arithmetic (w * x, sum w, Kish n), unit weights skip it: the
    numbers agree."""
    df = _large_grid().assign(two=2.0)
    for table in (stats.rating_summary, stats.rating_distribution):
        plain = table(df, ["q0", "q1"], cluster="organisation")
        doubled = table(df, ["q0", "q1"], cluster="organisation", weights="two")
        pd.testing.assert_frame_equal(plain, doubled, check_exact=False, rtol=1e-12)


def test_rating_summary_weighted_median_and_mean_equal_the_repeated_sample() -> None:
    """Integer weights: the weighted median and mean are those of each answer repeated weight times."""
    df = _large_grid()
    out = stats.rating_summary(df, ["q0", "q1"], weights="weight").set_index("item")
    for col in ("q0", "q1"):
        codes = df[col].astype(float)
        answered = codes.isin([1, 2, 3, 4, 5])
        repeated = np.repeat(codes[answered].to_numpy(), df.loc[answered, "weight"].astype(int))
        assert out.loc[col, "median"] == np.median(repeated)
        assert out.loc[col, "mean"] == pytest.approx(repeated.mean(), rel=1e-12)


def test_rating_tables_do_not_depend_on_the_order_of_the_categories() -> None:
    df = _large_grid(3_000)
    shuffled = df.assign(q0=df["q0"].cat.reorder_categories([9, 5, 3, 1, 2, 4]),
                         q1=df["q1"].astype(float))  # and a plain float column
    for table in (stats.rating_summary, stats.rating_distribution):
        pd.testing.assert_frame_equal(table(df, ["q0", "q1"], cluster="organisation"),
                                      table(shuffled, ["q0", "q1"], cluster="organisation"))
