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
    assert cuts == pytest.approx([2.2039, 4.2994], abs=1e-3)
    assert out.loc["pared", "odds_ratio"] == pytest.approx(np.exp(1.0477), rel=1e-3)
    assert out.loc["pared", "or_low"] < out.loc["pared", "odds_ratio"] < out.loc["pared", "or_high"]
    assert (out["n"] == 400).all()
    assert {"coef", "se", "p", "odds_ratio", "or_low", "or_high", "n"} <= set(out.columns)


def test_ordinal_logit_reaches_the_maximum_that_polr_stops_short_of() -> None:
    """polr's published cut points (2.2039, 4.2994, UCLA IDRE R example; the same numbers are in
    statsmodels' own OrderedModel test results) stop ~6e-4 short of the maximum: statsmodels'
    OrderedModel run to gtol 1e-10 finds 2.203323, 4.298767, and so does ordinal_logit, with a higher
    log-likelihood than at polr's estimates."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    df = _ucla()
    out = stats.ordinal_logit(df, "apply", ["pared", "public", "gpa"])
    assert out["coef"].iloc[3:].tolist() == pytest.approx([2.203323, 4.298767], abs=1e-6)
    model = OrderedModel(df["apply"], df[["pared", "public", "gpa"]], distr="logit")

    def loglike(coef: list[float], cuts: list[float]) -> float:
        return float(model.loglike(np.array([*coef, cuts[0], np.log(cuts[1] - cuts[0])])))

    ours = loglike(out["coef"].iloc[:3].tolist(), out["coef"].iloc[3:].tolist())
    assert ours > loglike([1.04769011, -0.05878572, 0.61594057], [2.203915, 4.299363])


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


# --------------------------------------------------------------------------- fits on counted answer patterns
# The models are fitted on the distinct answer patterns (respondents with the same answers and
# organisation counted once, with a weight).  The references below are statsmodels fitted on every
# respondent's own row: OrderedModel (BFGS run to a tight tolerance), Logit (Newton) and, for the
# proportional-odds check, the stacked Logit of the check's definition, each with statsmodels' own
# cluster-robust covariance (cov_type="cluster", by organisation or by respondent).


def _activity_frame(survey, codebook) -> pd.DataFrame:
    """The barriers theme's model frame from the bundled synthetic export (410 complete rows)."""
    from analysis.themes.base import Context
    from analysis.themes.derived import active_indicator, citizen_facing

    return pd.DataFrame({
        "use_frequency": survey["use_frequency"],
        "active": active_indicator(survey),
        "citizen_facing": citizen_facing(survey, Context(codebook=codebook)),
        "age": pd.to_numeric(survey["age_band"].astype(object), errors="coerce").where(
            survey["age_band"].isin(codebook["age_band"].substantive_codes)),
        "organisation": survey["organisation"].astype(object),
    })


def _clustered_ratings(n: int, seed: int) -> pd.DataFrame:
    """Random survey-like data: two coded predictors (so many tied rows), 30 organisations with
    their own level, a 5-point rating and a yes/no answer."""
    rng = np.random.default_rng(seed)
    org = rng.integers(0, 30, n)
    citizen_facing = rng.binomial(1, 0.4, n).astype(float)
    age = rng.integers(1, 6, n).astype(float)
    latent = 1.2 * citizen_facing - 0.5 * age + rng.normal(0, 0.5, 30)[org] + rng.logistic(size=n)
    rating = np.digitize(latent, [-4, -2.5, -1, 0.5]) + 1
    return pd.DataFrame({
        "use_frequency": pd.Categorical(rating, categories=[1, 2, 3, 4, 5], ordered=True),
        "active": (latent > -1).astype(float), "citizen_facing": citizen_facing, "age": age,
        "organisation": [f"org{g}" for g in org],
    })


MODEL_DATA = ["bundled", "random_420", "random_20000"]


@pytest.fixture(params=MODEL_DATA)
def model_data(request, survey, codebook) -> pd.DataFrame:
    if request.param == "bundled":
        return _activity_frame(survey, codebook)
    return _clustered_ratings(int(request.param.split("_")[1]), seed=11)


def _statsmodels_ordinal(frame: pd.DataFrame, cluster: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, SEs and p-values (predictors, then cut points with delta-method SEs) of
    statsmodels' OrderedModel on the un-collapsed rows, BFGS run to gtol 1e-10."""
    import warnings

    from scipy import stats as sps
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    sub = frame[["use_frequency", "citizen_facing", "age", "organisation"]].dropna()
    model = OrderedModel(sub["use_frequency"].cat.remove_unused_categories(), sub[["citizen_facing", "age"]],
                         distr="logit")
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(sub[cluster])[0]}} if cluster else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gtol 1e-10 is at the limit of its numerical gradient
        res = model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-10, **kw)
    raw, cov, k = np.asarray(res.params), np.asarray(res.cov_params()), 2
    cuts = raw[k] + np.concatenate([[0.0], np.cumsum(np.exp(raw[k + 1:]))])
    jac = np.tril(np.tile(np.exp(raw[k:]), (len(cuts), 1)))
    jac[:, 0] = 1.0
    se = np.concatenate([np.sqrt(np.diag(cov))[:k], np.sqrt(np.diag(jac @ cov[k:, k:] @ jac.T))])
    coef = np.concatenate([raw[:k], cuts])
    return coef, se, 2 * sps.norm.sf(np.abs(coef / se))


@pytest.mark.parametrize("cluster", ["organisation", None])
def test_ordinal_logit_on_answer_patterns_equals_statsmodels_orderedmodel_on_rows(model_data, cluster) -> None:
    """Reference: statsmodels OrderedModel (logit) on every row, with its cluster-robust covariance
    (numerical score and Hessian: estimates agree to ~1e-7, SEs to ~1e-6)."""
    out = stats.ordinal_logit(model_data, "use_frequency", ["citizen_facing", "age"], cluster=cluster)
    coef, se, p = _statsmodels_ordinal(model_data, cluster)
    assert out["coef"].to_numpy() == pytest.approx(coef, rel=1e-6)  # the reference's numerical gradient
    assert out["se"].to_numpy() == pytest.approx(se, rel=1e-5)
    assert out["p"].to_numpy() == pytest.approx(p, rel=1e-3, abs=1e-300)
    assert out.index.tolist()[:2] == ["citizen_facing", "age"] and (out["term_type"] == "threshold").sum() == 4
    assert (out["n"] == len(model_data[["use_frequency", "citizen_facing", "age", "organisation"]].dropna())).all()
    if cluster is None:
        assert out["clusters"].isna().all()
    else:
        assert (out["clusters"] == model_data["organisation"].nunique()).all()


@pytest.mark.parametrize("cluster", ["organisation", None])
def test_logistic_regression_on_answer_patterns_equals_statsmodels_logit_on_rows(model_data, cluster) -> None:
    """Reference: statsmodels Logit (Newton) on every row, cov_type="cluster" by organisation or the
    inverse information; the same Newton steps, so agreement is to rounding."""
    import statsmodels.api as sm
    from scipy import stats as sps

    sub = model_data[["active", "citizen_facing", "age", "organisation"]].dropna()
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(sub[cluster])[0]}} if cluster else {}
    ref = sm.Logit(sub["active"], sm.add_constant(sub[["citizen_facing", "age"]])).fit(disp=False, maxiter=200, **kw)
    out = stats.logistic_regression(model_data, "active", ["citizen_facing", "age"], cluster=cluster)
    assert out["coef"].to_numpy() == pytest.approx(np.asarray(ref.params), rel=1e-10)
    assert out["se"].to_numpy() == pytest.approx(np.asarray(ref.bse), rel=1e-10)
    assert out["p"].to_numpy() == pytest.approx(np.asarray(ref.pvalues), rel=1e-8)
    z = sps.norm.ppf(0.975)
    assert out.loc["age", "or_high"] == pytest.approx(np.exp(ref.params["age"] + z * ref.bse["age"]), rel=1e-10)


def _stacked_po_check(frame: pd.DataFrame, cluster: str | None) -> pd.DataFrame:
    """The proportional-odds check as first written: every respondent's row once per cut, one
    statsmodels Logit on the stacked rows, cluster-robust by organisation or by respondent, Wald
    tests of equal slopes (the fast version must reproduce this, decision and statistics)."""
    import warnings

    import statsmodels.api as sm
    from scipy import stats as sps

    sub = frame[["use_frequency", "citizen_facing", "age"] + ([cluster] if cluster else [])].dropna()
    ranks = sub["use_frequency"].cat.remove_unused_categories().cat.codes.to_numpy()
    x = sub[["citizen_facing", "age"]].to_numpy()
    cuts = [j for j in range(ranks.max()) if 0 < np.mean(ranks > j) < 1]
    names, n = ["citizen_facing", "age"], len(sub)
    columns = [f"cut{j}" for j in cuts] + [f"{t}@{j}" for j in cuts for t in names]
    design = pd.DataFrame(0.0, index=range(n * len(cuts)), columns=columns)
    for c, j in enumerate(cuts):
        design.iloc[c * n:(c + 1) * n, c] = 1.0
        for i, t in enumerate(names):
            design.loc[c * n:(c + 1) * n - 1, f"{t}@{j}"] = x[:, i]
    yy = np.concatenate([(ranks > j).astype(float) for j in cuts])
    groups = pd.factorize(sub[cluster])[0] if cluster else np.arange(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.Logit(yy, design).fit(disp=False, maxiter=200, cov_type="cluster",
                                       cov_kwds={"groups": np.tile(groups, len(cuts))})
    params, cov = res.params, res.cov_params().to_numpy()
    rows = []
    for term in names + ["all"]:
        terms = names if term == "all" else [term]
        r = np.zeros((len(terms) * (len(cuts) - 1), len(columns)))
        for i, (t, j) in enumerate((t, j) for t in terms for j in cuts[1:]):
            r[i, columns.index(f"{t}@{j}")], r[i, columns.index(f"{t}@{cuts[0]}")] = 1.0, -1.0
        diff = r @ params.to_numpy()
        stat = float(diff @ np.linalg.pinv(r @ cov @ r.T) @ diff)
        slopes = np.array([params[f"{t}@{j}"] for t in terms for j in cuts])
        if np.abs(slopes).max() > 10:
            stat = float("nan")
        rows.append({"term": term, "statistic": stat, "df": len(r), "p": sps.chi2.sf(stat, len(r)),
                     "cuts": len(cuts), "n": n, "min_or": np.exp(slopes).min(), "max_or": np.exp(slopes).max()})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("cluster", ["organisation", None])
def test_proportional_odds_check_on_answer_patterns_equals_stacked_statsmodels_logit(model_data, cluster) -> None:
    """Reference: statsmodels Logit on the stacked respondent-by-cut rows (cov_type="cluster"); the
    bundled export separates its lowest cut (no citizen-facing respondent answers "never"), so the
    check is not made there: the same NaN decision and the same diverged odds ratios."""
    out = stats.proportional_odds_check(model_data, "use_frequency", ["citizen_facing", "age"], cluster=cluster)
    ref = _stacked_po_check(model_data, cluster)
    assert out["term"].tolist() == ref["term"].tolist()
    assert out["statistic"].isna().tolist() == ref["statistic"].isna().tolist()
    for column in ("statistic", "p", "min_or", "max_or"):
        assert out[column].to_numpy() == pytest.approx(ref[column].to_numpy(), rel=1e-9, nan_ok=True)
    assert out[["df", "cuts", "n"]].to_numpy().tolist() == ref[["df", "cuts", "n"]].to_numpy().tolist()


def test_proportional_odds_check_is_not_made_on_the_bundled_export(survey, codebook) -> None:
    """The decision the barriers theme publishes: no check (NaN) for the bundled export, with the
    age slopes still tested."""
    out = stats.proportional_odds_check(_activity_frame(survey, codebook), "use_frequency",
                                        ["citizen_facing", "age"], cluster="organisation").set_index("term")
    assert np.isnan(out.at["all", "statistic"]) and np.isnan(out.at["citizen_facing", "p"])
    assert out.at["age", "statistic"] == pytest.approx(1.3313693, rel=1e-6)


def test_models_give_the_same_answer_for_duplicated_respondents() -> None:
    """Counting identical rows is exact: doubling every respondent leaves the coefficients unchanged
    and (without clusters) divides the variances by two."""
    frame = _clustered_ratings(600, seed=3)
    once = stats.ordinal_logit(frame, "use_frequency", ["citizen_facing", "age"])
    twice = stats.ordinal_logit(pd.concat([frame, frame]), "use_frequency", ["citizen_facing", "age"])
    assert twice["coef"].to_numpy() == pytest.approx(once["coef"].to_numpy(), rel=1e-10)
    assert twice["se"].to_numpy() == pytest.approx(once["se"].to_numpy() / np.sqrt(2), rel=1e-10)


def test_ordinal_logit_refuses_separated_answers() -> None:
    """Citizen-facing respondents only in the top two categories, the others only in the lowest
    three: no finite maximum-likelihood estimate exists, so no model is returned (the barriers
    theme catches LinAlgError and withholds the models)."""
    import warnings

    rng = np.random.default_rng(0)
    group = np.repeat([0.0, 1.0], 20)
    rating = np.where(group == 1, rng.integers(4, 6, 40), rng.integers(1, 4, 40))
    frame = pd.DataFrame({"y": pd.Categorical(rating, ordered=True), "x": group, "z": rng.normal(size=40)})
    with warnings.catch_warnings(record=True) as caught, pytest.raises(np.linalg.LinAlgError, match="separates"):
        warnings.simplefilter("always")
        stats.ordinal_logit(frame, "y", ["x", "z"])
    assert any("did not converge" in str(w.message) for w in caught)
