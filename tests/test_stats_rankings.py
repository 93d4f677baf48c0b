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


# --------------------------------------------------------------------------- Wilcoxon from counts
# Above 50 pairs pairwise_wilcoxon computes the signed-rank test from the table of the two items'
# codes instead of ranking every respondent; scipy.stats.wilcoxon is the reference throughout.


def _ordinal_pairs(seed: int, n: int, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """Two 5-point ratings by the same respondents: many ties and, with a small spread, many zeros."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=n).astype(float)
    y = np.clip(x + np.round(rng.normal(0.3, spread, size=n)), 1, 5)
    return x, y


@pytest.mark.parametrize("n", [51, 80, 500, 20_000])
@pytest.mark.parametrize("spread", [0.4, 1.5])
@pytest.mark.parametrize("correction", [False, True])
def test_wilcoxon_from_counts_matches_scipy_normal_approximation(n: int, spread: float, correction: bool) -> None:
    """Rank sums, two-sided statistic and the three p-values equal scipy.stats.wilcoxon (method "auto",
    which above 50 pairs is the tie-corrected normal approximation) with zero_method="wilcox"."""
    from analysis.stats.rankings import _signed_ranks, _wilcoxon_normal

    x, y = _ordinal_pairs(n + int(10 * spread), n, spread)
    d = x - y
    assert np.sum(d == 0) > 0 and len(np.unique(np.abs(d))) < 6  # zeros and ties
    values, counts = np.unique(d, return_counts=True)
    r_plus, r_minus, nz, ties = _signed_ranks(values, counts)
    ranks = sps.rankdata(np.abs(d[d != 0]))
    assert (r_plus, r_minus, nz) == (ranks[d[d != 0] > 0].sum(), ranks[d[d != 0] < 0].sum(), np.sum(d != 0))
    ours = _wilcoxon_normal(r_plus, r_minus, nz, ties, correction=correction)
    for column, alternative in (("p", "two-sided"), ("p_greater", "greater"), ("p_less", "less")):
        ref = sps.wilcoxon(x, y, zero_method="wilcox", correction=correction, alternative=alternative)
        assert ours[column] == pytest.approx(float(ref.pvalue), rel=1e-12, abs=1e-300)
        if alternative == "two-sided":
            assert ours["statistic"] == float(ref.statistic)


def _rating_frame(seed: int, n: int, items: int = 4) -> pd.DataFrame:
    """Correlated 5-point ratings with don't know (9) and missing answers, as the loader types them."""
    rng = np.random.default_rng(seed)
    base = rng.normal(3, 1, size=n)
    out = {}
    for j in range(items):
        v = np.clip(np.round(base + rng.normal(0.2 * j, 0.8, size=n)), 1, 5)
        v[rng.random(n) < 0.05] = 9
        v[rng.random(n) < 0.08] = np.nan
        out[f"item{j}"] = pd.Categorical(v, categories=[1, 2, 3, 4, 5, 9], ordered=True)
    return pd.DataFrame(out)


def _check_pairwise_against_scipy(frame: pd.DataFrame, out: pd.DataFrame, rel: float = 1e-12) -> None:
    codes = frame.apply(lambda s: pd.to_numeric(s.astype(object), errors="coerce")).replace(9.0, np.nan)
    for _, row in out.iterrows():
        pair = codes[[row["item_a"], row["item_b"]]].dropna()
        x, y = pair[row["item_a"]].to_numpy(), pair[row["item_b"]].to_numpy()
        d = x - y
        assert (row["n"], row["n_nonzero"]) == (len(pair), np.sum(d != 0))
        assert (row["median_a"], row["median_b"]) == (np.median(x), np.median(y))
        ref = sps.wilcoxon(x, y, zero_method="wilcox")
        assert row["statistic"] == float(ref.statistic)
        assert row["p"] == pytest.approx(float(ref.pvalue), rel=rel, abs=1e-300)
        for column, alternative in (("p_greater", "greater"), ("p_less", "less")):
            one = sps.wilcoxon(x, y, zero_method="wilcox", alternative=alternative)
            assert row[column] == pytest.approx(float(one.pvalue), rel=rel, abs=1e-300)
        r = sps.rankdata(np.abs(d[d != 0]))
        nonzero = d[d != 0]
        assert row["rank_biserial"] == pytest.approx((r[nonzero > 0].sum() - r[nonzero < 0].sum()) / r.sum(),
                                                     rel=1e-12)


@pytest.mark.parametrize("n", [12, 40, 56, 300, 30_000])
def test_pairwise_wilcoxon_matches_scipy_on_small_and_large_bases(n: int) -> None:
    """Small bases (exact or permutation p-values, computed by scipy) and large ones (the count path):
    every column equals scipy.stats.wilcoxon / numpy / a brute-force rank-biserial."""
    frame = _rating_frame(n, n)
    out = stats.pairwise_wilcoxon(frame, list(frame.columns))
    assert len(out) == 6
    _check_pairwise_against_scipy(frame, out)


def test_pairwise_wilcoxon_count_path_starts_where_scipy_leaves_exact_methods() -> None:
    """scipy uses its exact p-value up to 50 pairs without ties (a permutation test up to 13 with
    ties) and the normal approximation above 50; the results follow it on both sides of the edge."""
    from analysis.stats.rankings import _NORMAL_MIN_N

    assert _NORMAL_MIN_N == 51
    for n in (13, 50, 51):
        # distinct, non-zero differences (no code 9, which means don't know): no ties, so scipy's
        # exact distribution applies up to 50
        d = (np.arange(1, n + 1) + 100.0) * np.where(np.arange(n) % 3 == 0, -1.0, 1.0)
        frame = pd.DataFrame({"a": d, "b": np.zeros(n)})
        out = stats.pairwise_wilcoxon(frame, ["a", "b"])
        _check_pairwise_against_scipy(frame, out)
        exact = sps.wilcoxon(d, method="exact").pvalue
        normal = sps.wilcoxon(d, method="asymptotic").pvalue
        assert out["p"].iloc[0] == pytest.approx(exact if n <= 50 else normal, rel=1e-12)
        assert exact != pytest.approx(normal, rel=1e-6)
    # ties and zeros at 13 pairs or fewer: scipy's permutation test
    x, y = _ordinal_pairs(1, 12, 1.0)
    _check_pairwise_against_scipy(pd.DataFrame({"a": x, "b": y}),
                                  stats.pairwise_wilcoxon(pd.DataFrame({"a": x, "b": y}), ["a", "b"]))


def test_pairwise_wilcoxon_on_non_integer_codes_and_plain_columns() -> None:
    """Codes need not be integers nor columns categorical: half-point codes, floats with NaN,
    categories listed out of order."""
    rng = np.random.default_rng(5)
    n = 400
    a = rng.choice([1.0, 1.5, 2.0, 2.5, 3.0], size=n)
    b = np.where(rng.random(n) < 0.4, a, rng.choice([1.0, 1.5, 2.0, 2.5, 3.0], size=n))
    b[rng.random(n) < 0.1] = np.nan
    c = pd.Categorical(rng.choice([3, 1, 2, 9], size=n), categories=[9, 3, 1, 2])
    frame = pd.DataFrame({"a": a, "b": b, "c": c})
    out = stats.pairwise_wilcoxon(frame, ["a", "b", "c"])
    assert len(out) == 3
    _check_pairwise_against_scipy(frame, out)


def test_pairwise_wilcoxon_with_many_distinct_codes_counts_respondents_and_matches_scipy(monkeypatch) -> None:
    """Too many distinct codes for a table of code pairs: differences are counted respondent by
    respondent; both ways give the same table, and scipy's numbers."""
    from analysis.stats import rankings

    rng = np.random.default_rng(9)
    n = 3_000
    base = rng.normal(0, 1, size=n)
    frame = pd.DataFrame({"a": np.round(base + rng.normal(0, 1, n), 3), "b": np.round(base, 3),
                          "c": np.round(base + 0.1, 1)})
    assert (frame.stack().nunique() + 1) ** 2 > rankings._MAX_TABLE_CELLS
    out = stats.pairwise_wilcoxon(frame, ["a", "b", "c"], dont_know=())
    _check_pairwise_against_scipy(frame, out)
    ratings = _rating_frame(4, 2_000)
    by_table = stats.pairwise_wilcoxon(ratings, list(ratings.columns))
    monkeypatch.setattr(rankings, "_MAX_TABLE_CELLS", 0)
    pd.testing.assert_frame_equal(stats.pairwise_wilcoxon(ratings, list(ratings.columns)), by_table)


def test_pairwise_wilcoxon_complete_cases_at_large_n_matches_scipy() -> None:
    frame = _rating_frame(3, 5_000)
    out = stats.pairwise_wilcoxon(frame, list(frame.columns), complete_cases=True)
    complete = frame.apply(lambda s: s.astype(float)).replace(9.0, np.nan).dropna()
    assert (out["n"] == len(complete)).all()
    _check_pairwise_against_scipy(complete, out)


def test_pairwise_wilcoxon_all_zero_differences_give_nan_tests() -> None:
    x = np.tile([1.0, 2.0, 3.0], 30)
    out = stats.pairwise_wilcoxon(pd.DataFrame({"a": x, "b": x}), ["a", "b"]).iloc[0]
    assert out["n"] == 90 and out["n_nonzero"] == 0
    assert all(np.isnan(out[c]) for c in ("statistic", "p", "p_greater", "p_less", "rank_biserial"))


@pytest.mark.parametrize("n", [1, 2, 7, 60, 20_000])
def test_friedman_and_mean_ranks_match_scipy_and_pandas_with_heavy_ties(n: int) -> None:
    """Friedman statistic and p equal scipy.stats.friedmanchisquare; mean ranks and medians equal
    pandas' rank(axis=1).mean() and median() on the complete cases."""
    frame = _rating_frame(n + 1, n, items=5)
    cols = list(frame.columns)
    complete = frame.apply(lambda s: s.astype(float)).replace(9.0, np.nan).dropna()
    ranks = stats.mean_ranks(frame, cols)
    if complete.empty:
        assert ranks.empty
        return
    assert ranks["mean_rank"].tolist() == pytest.approx(complete.rank(axis=1).mean().tolist(), rel=1e-12)
    assert ranks["median"].tolist() == complete.median().tolist()
    res = stats.friedman_test(frame, cols)
    if len(complete) < 2 or (complete.to_numpy() == complete.to_numpy()[:, :1]).all():
        return
    ref = sps.friedmanchisquare(*[complete[c] for c in cols])
    assert res["statistic"].iloc[0] == pytest.approx(float(ref.statistic), rel=1e-12)
    assert res["p"].iloc[0] == pytest.approx(float(ref.pvalue), rel=1e-12, abs=1e-300)
    assert stats.kendalls_w(frame, cols) == pytest.approx(float(ref.statistic) / (len(complete) * 4), rel=1e-12)


# --- exact conditional signed-rank test ------------------------------------------------------------

def _sign_flip_p(d: np.ndarray) -> tuple[float, float]:
    """Every one of the 2^m sign patterns of the m non-zero differences, mid-ranks of |d| from
    scipy.stats.rankdata: the permutation distribution written out (independent of the lattice)."""
    import itertools
    from scipy.stats import rankdata
    d = d[d != 0]
    ranks = rankdata(np.abs(d))
    observed = ranks[d > 0].sum()
    sums = np.array([ranks[np.array(signs, dtype=bool)].sum() for signs in itertools.product([0, 1], repeat=len(d))])
    return float(np.mean(sums >= observed - 1e-9)), float(np.mean(sums <= observed + 1e-9))


@pytest.mark.parametrize("seed", range(6))
def test_exact_signed_rank_equals_every_sign_flip_written_out(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.integers(1, 6, 14), rng.integers(1, 6, 14)  # 1-5 ratings: many ties and zeros
    diff, counts = np.unique(x - y, return_counts=True)
    exact = stats.signed_rank_exact(diff, counts)
    greater, less = _sign_flip_p((x - y).astype(float))
    assert exact["p_greater"] == pytest.approx(greater, abs=1e-12)
    assert exact["p_less"] == pytest.approx(less, abs=1e-12)


def test_exact_signed_rank_without_ties_equals_scipys_exact_distribution():
    """No ties and no zeros: the conditional distribution is the classical one (scipy method="exact")."""
    d = np.array([1.5, -2.0, 3.2, 4.1, -5.3, 6.0, 7.7, 8.1, -9.4, 10.2, 11.0, 12.5, 13.3, -14.9, 15.1, 16.0])
    exact = stats.signed_rank_exact(d, np.ones(d.size, dtype=int))
    for alternative, key in (("greater", "p_greater"), ("less", "p_less"), ("two-sided", "p")):
        assert exact[key] == pytest.approx(sps.wilcoxon(d, method="exact", alternative=alternative).pvalue, rel=1e-12)


def test_exact_signed_rank_is_close_to_the_normal_approximation_at_330_pairs_and_used_when_asked():
    """On 330 pairs of uniform 1-5 ratings the exact conditional p stays within 0.005 of scipy's
    normal approximation; pairwise_wilcoxon(exact=True) reports it; 3,000 pairs are beyond the lattice."""
    rng = np.random.default_rng(11)
    x, y = rng.integers(1, 6, 330), rng.integers(1, 6, 330)
    diff, counts = np.unique(x - y, return_counts=True)
    exact = stats.signed_rank_exact(diff, counts)
    normal = sps.wilcoxon(x, y, alternative="greater")
    assert exact["p_greater"] == pytest.approx(normal.pvalue, abs=0.005)
    frame = pd.DataFrame({"a": x, "b": y})
    table = stats.pairwise_wilcoxon(frame, ["a", "b"], exact=True).iloc[0]
    assert table["p_greater"] == exact["p_greater"] and table["p"] == exact["p"]
    big = np.unique(rng.integers(1, 6, 3000) - rng.integers(1, 6, 3000), return_counts=True)
    assert stats.signed_rank_exact(*big) is None  # beyond the lattice limit: the normal approximation
