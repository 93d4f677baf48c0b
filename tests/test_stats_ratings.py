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
