"""Clusters and sparse categories (issue 21, part 3).

Code 99 "other security organisation" holds several different organisations: each of its respondents
is a cluster of one in every design effect and clustered standard error (``Context.clustered``, the
one definition every caller uses). The proportional-odds check that a sparse answer category makes
impossible is made again with that category merged into its neighbour, and "could not check" is not
"fails". Reference for the bundled data: the issue's independent recomputation (chi-square 2.40,
df 4, p 0.66 after the merge; ordinal odds ratios 3.65 and 0.655, logistic 3.97 and 0.64).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import stats
from analysis.protection.rules import Rules
from analysis.themes import barriers
from analysis.themes.base import Context

from support import K

THEMES = Path(barriers.__file__).resolve().parent


def _ctx(**kw) -> Context:
    return Context(**{"lang": "en", "rules": Rules(k=K), "synthetic": True, "figures": False, **kw})


# --------------------------------------------------------------------------- clusters

def test_codebook_marks_code_99_as_the_catch_all_organisation(codebook):
    assert [c.code for c in codebook["organisation"].codes if c.attrs.get("other")] == [99]
    assert _ctx().catch_all == [99]


def test_design_effect_by_hand_makes_each_code_99_respondent_a_cluster_of_one():
    """Design effect of a share under one-stage cluster sampling, by hand: the ratio estimator's
    with-replacement variance n_c/(n_c-1) * sum_g (t_g - p M_g)^2 / N^2 over the n_c clusters (Lohr,
    Sampling: Design and Analysis, 2nd ed. 2010, section 5.2.2, without the finite population
    correction; R survey's ultimate-cluster variance), deff = var / (p(1-p)/N).

    Organisation 1: four yes; organisation 2: three no; code 99: one yes, two no. p = 5/10.
    Residuals t_g - p M_g: 2, -1.5 and, for the three clusters of one, 0.5, -0.5, -0.5.
    var = 5/4 * (4 + 2.25 + 3 * 0.25) / 100 = 0.0875; deff = 0.0875 / 0.025 = 3.5.
    Were code 99 one cluster: var = 3/2 * (4 + 2.25 + 0.25) / 100 = 0.0975, deff 3.9."""
    frame = pd.DataFrame({"organisation": [1, 1, 1, 1, 2, 2, 2, 99, 99, 99],
                          "x": [1.0, 1, 1, 1, 0, 0, 0, 1, 0, 0]})
    data, cluster = _ctx().clustered(frame)
    out = stats.proportion(data, "x", cluster=cluster).iloc[0]
    assert out["deff"] == pytest.approx(3.5)
    assert out["n_eff"] == pytest.approx(10 / 3.5)
    assert out["deff"] != pytest.approx(3.9)
    low, high = stats.wilson_interval(0.5 * 10 / 3.5, 10 / 3.5)
    assert (out["pct_low"], out["pct_high"]) == pytest.approx((100 * low, 100 * high))
    assert data[cluster].nunique() == 5 and frame.columns.tolist() == ["organisation", "x"]  # frame untouched


def test_no_clustering_without_two_clusters_and_missing_organisation_stays_unknown():
    ctx = _ctx()
    assert ctx.clustered(pd.DataFrame({"organisation": [3, 3, 3]}))[1] is None
    data, cluster = ctx.clustered(pd.DataFrame({"organisation": [3, np.nan, 99]}))
    assert data[cluster].isna().tolist() == [False, True, False]
    assert ctx.clustered(pd.DataFrame({"organisation": [3, 4]}))[1] is not None
    assert _ctx(cluster=None).clustered(pd.DataFrame({"organisation": [3, 4]}))[1] is None


def test_every_theme_takes_its_clusters_from_context_clustered():
    """One definition: no theme module passes the organisation column itself as a cluster."""
    offenders = [p.name for p in THEMES.glob("*.py")
                 if re.search(r"cluster\s*=\s*(\"organisation\"|ctx\.cluster\b)", p.read_text(encoding="utf-8"))]
    assert offenders == []


def _hand_groups(frame: pd.DataFrame) -> np.ndarray:
    """Group ids built by hand: the organisation code, each code 99 respondent 1000 + its row."""
    org = pd.to_numeric(frame["organisation"].astype(object)).to_numpy()
    return np.where(org == 99, 1000 + np.arange(len(org)), org).astype(int)


def test_activity_models_clustered_errors_match_statsmodels_with_hand_built_groups(survey):
    """Reference: statsmodels Logit and OrderedModel with cov_type="cluster" on group ids built by
    hand (each code 99 respondent alone), against the models as the barriers chapter fits them."""
    import statsmodels.api as sm
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    model_frame, cluster = barriers._model_frame(survey, _ctx())
    sub = model_frame.dropna(subset=barriers.MODEL_COLUMNS)
    groups = _hand_groups(sub)
    assert len(np.unique(groups)) == 40 and sub["organisation"].nunique() == 32  # 31 organisations + 9 alone
    x = sub[["citizen_facing", "age"]].to_numpy(dtype=float)
    logit = sm.Logit(sub["active"].to_numpy(dtype=float), sm.add_constant(x)).fit(
        disp=False, cov_type="cluster", cov_kwds={"groups": groups})
    ours = stats.logistic_regression(model_frame, "active", ["citizen_facing", "age"], cluster=cluster)
    assert ours.loc[["citizen_facing", "age"], "se"].to_numpy() == pytest.approx(logit.bse[1:], rel=1e-6)
    assert (ours["clusters"] == 40).all()
    y = sub["use_frequency"].astype(int).to_numpy()
    ordered = OrderedModel(y, x, distr="logit").fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-10,
                                                     cov_type="cluster", cov_kwds={"groups": groups})
    ours = stats.ordinal_logit(model_frame, "use_frequency", ["citizen_facing", "age"], cluster=cluster)
    assert ours.loc[["citizen_facing", "age"], "se"].to_numpy() == pytest.approx(ordered.bse[:2], rel=1e-3)


# --------------------------------------------------------------------------- sparse categories

def test_merge_sparsest_category_goes_to_its_only_or_its_smaller_neighbour():
    end = pd.Series([1] + [2] * 5 + [3] * 9 + [4] * 7)
    merged, sparse, into = stats.merge_sparsest_category(end)
    assert (sparse, into) == (1, 2) and merged.value_counts().to_dict() == {2: 6, 3: 9, 4: 7}
    middle = pd.Series([1] * 6 + [2] * 2 + [3] * 9 + [4] * 7)
    assert stats.merge_sparsest_category(middle)[1:] == (2, 1)
    ordered = pd.Series(pd.Categorical([5, 5, 5, 4, 3, 3], categories=[5, 4, 3, 9], ordered=True))
    merged, sparse, into = stats.merge_sparsest_category(ordered)
    assert (sparse, into) == (4, 3) and list(merged.cat.categories) == [5, 3, 9]
    assert merged.tolist() == [5, 5, 5, 3, 3, 3]
    with pytest.raises(ValueError, match="at least 3"):
        stats.merge_sparsest_category(pd.Series([1, 1, 2]))


def test_proportional_odds_check_after_merging_never_reproduces_the_issue(survey):
    """On the bundled data "never" (4 respondents, all in one role group) makes the check impossible;
    merged with "less than monthly" it gives chi-square 2.40, df 4, p 0.66 with the organisation as
    the issue's recomputation clustered it (code 99 one cluster). Second implementation: the slopes
    of separate binary logits at each cut of the merged outcome (statsmodels) give the check's range
    of odds ratios, and statsmodels' OrderedModel on the merged outcome agrees with the ordinal model."""
    import statsmodels.api as sm
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    model_frame, _ = barriers._model_frame(survey, _ctx())
    predictors = ["citizen_facing", "age"]
    as_answered = stats.proportional_odds_check(model_frame, "use_frequency", predictors, cluster="organisation")
    assert np.isnan(as_answered.set_index("term").at["all", "p"])
    check, merged = stats.proportional_odds_check_merging(model_frame, "use_frequency", predictors,
                                                          cluster="organisation")
    overall = check.set_index("term").loc["all"]
    assert merged == (1, 2)
    assert (round(overall["statistic"], 2), overall["df"], round(overall["p"], 2)) == (2.40, 4, 0.66)
    sub = model_frame.dropna(subset=barriers.MODEL_COLUMNS)
    y = sub["use_frequency"].astype(int).replace({1: 2}).to_numpy()
    x = sub[predictors].to_numpy(dtype=float)
    slopes = np.array([sm.Logit((y > j).astype(float), sm.add_constant(x)).fit(disp=False).params[1:]
                       for j in (2, 3, 4)])
    rows = check.set_index("term")
    for i, term in enumerate(predictors):
        assert (rows.at[term, "min_or"], rows.at[term, "max_or"]) == pytest.approx(
            (np.exp(slopes[:, i]).min(), np.exp(slopes[:, i]).max()), rel=1e-4)
    ordinal = stats.ordinal_logit(model_frame, "use_frequency", predictors, cluster="organisation")
    assert ordinal.loc[predictors, "odds_ratio"].round(3).tolist() == [3.647, 0.655]
    fit = OrderedModel(y, x, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    assert np.exp(fit.params[:2]) == pytest.approx([3.640, 0.655], abs=1e-3)
    logistic = stats.logistic_regression(model_frame, "active", predictors, cluster="organisation")
    assert logistic.loc[predictors, "odds_ratio"].round(2).tolist() == [3.97, 0.64]


def test_chapter_reports_the_ordinal_model_and_says_never_was_merged(survey):
    section, facts, _ = barriers._activity_section(survey, _ctx())
    assert facts["model"] == "ordinal" and facts["po_merged"] == 1
    assert facts["citizen_facing_or"] == pytest.approx(3.647, abs=1e-3)
    assert facts["age_or"] == pytest.approx(0.655, abs=1e-3)
    assert facts["po_p"] > 0.05 and facts["po_df"] == 4 and facts["organisations"] == 31
    text = " ".join(section.paragraphs)
    assert "“Never” is merged with its neighbour “Less than monthly”" in text
    nl, _, _ = barriers._activity_section(survey, _ctx(lang="nl"))
    assert "“Nooit” samengevoegd met de buurcategorie “Minder dan maandelijks”" in " ".join(nl.paragraphs)


def test_a_check_that_cannot_be_made_even_after_merging_keeps_the_ordinal_model(survey):
    """Daily use only in citizen-facing roles: the cut below "daily" separates the role groups, and
    merging "never" does not mend that. Could not check is not fails: the ordinal model stays."""
    frame = survey.copy()
    codes = [c.code for c in _ctx().codebook["role"].codes if c.attrs.get("citizen_facing")]
    other_daily = ~frame["role"].isin(codes) & (frame["use_frequency"] == 5)
    frame["use_frequency"] = frame["use_frequency"].mask(other_daily, 4)
    section, facts, _ = barriers._activity_section(frame, _ctx())
    assert facts["po_p"] is None and facts["po_merged"] == 1
    assert facts["model"] == "ordinal"
    assert "could not be checked" in " ".join(section.paragraphs)
