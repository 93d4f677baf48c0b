"""Tests of analysis.stats.models: ordinal and binary logistic regression against published examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import stats

REFERENCE = Path(__file__).parent / "reference"


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
