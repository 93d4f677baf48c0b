"""The 2011 claims as hypothesis tests, the wording that follows tests, and their calibration on noise."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis.pipeline import calibration
from analysis import stats
from analysis.report import facts as facts_schema
from analysis.report.claims import evaluate, read_claims, score_p, tost_p
from analysis.themes import barriers, conclusion
from analysis.themes.base import Context
from analysis.protection.rules import Rules

from support import K, WEIGHT, with_weights
ALPHA = 0.05


def _claim(rule: str, **params) -> dict:
    return {"id": "x", "theme": "participants", "nl": "x", "en": "x", "rule": rule, **params}


def _share(count: float, n: float) -> facts_schema.Share:
    low, high = stats.wilson_interval(count, n)
    return facts_schema.Share(n=n, pct=100 * count / n, low=100 * low, high=100 * high)


# --------------------------------------------------------------------------- the tests themselves

def test_score_test_matches_statsmodels_proportions_ztest_with_null_variance():
    """The one-sided test of a share against a threshold, from the published Wilson interval, is the
    score test (statsmodels proportions_ztest with prop_var = the threshold)."""
    from statsmodels.stats.proportion import proportions_ztest
    for count, n, threshold in ((130, 250, 50), (61, 250, 25), (10, 40, 15)):
        share = _share(count, n)
        for above, alternative in ((True, "larger"), (False, "smaller")):
            ref = proportions_ztest(count, n, value=threshold / 100, alternative=alternative,
                                    prop_var=threshold / 100)[1]
            assert score_p(share.pct, share.low, share.high, threshold, 0.95, above) == pytest.approx(ref, rel=1e-6)


def test_score_test_carries_the_design_effect_of_the_interval():
    """A clustered interval (effective n 100 of 250 respondents) tests like 100 independent answers."""
    from statsmodels.stats.proportion import proportions_ztest
    low, high = stats.wilson_interval(0.58 * 100, 100)
    p = score_p(58.0, 100 * low, 100 * high, 50, 0.95, True)
    assert p == pytest.approx(proportions_ztest(58, 100, value=0.5, alternative="larger", prop_var=0.5)[1], rel=1e-6)
    assert p > score_p(*(lambda s: (s.pct, s.low, s.high))(_share(0.58 * 250, 250)), 50, 0.95, True)


def test_tost_is_the_larger_of_two_one_sided_exact_binomial_tests_scipy():
    for k, m in ((52, 100), (70, 100), (140, 300)):
        ref = max(sps.binomtest(k, m, 0.35, alternative="greater").pvalue,
                  sps.binomtest(k, m, 0.65, alternative="less").pvalue)
        assert tost_p(k, m - k, 15) == pytest.approx(ref)


def test_share_claims_give_supported_not_supported_and_contradicted():
    claim = _claim("share_above", fact="participants.active", threshold=50)
    verdicts = [evaluate([claim], {"participants": SimpleNamespace(active=_share(c, 300))})[0]["verdict"]
                for c in (190, 155, 120)]
    assert verdicts == ["supported", "not_supported", "contradicted"]


def _pairs(p_greater: dict[tuple[str, str], float]) -> list[facts_schema.PairTest]:
    return [facts_schema.PairTest(a, b, n=100.0, p_greater=p, p_less=1 - p) for (a, b), p in p_greater.items()]


def _ranking_facts(p_greater):
    return {"opportunities": SimpleNamespace(ranking=SimpleNamespace(pairs=_pairs(p_greater)))}


def test_first_place_is_an_intersection_union_test_not_holm_against_the_runner_up():
    claim = _claim("ranking_first", pairs="opportunities.ranking.pairs", expected="a")
    shown = {("a", "b"): 0.04, ("a", "c"): 0.001, ("b", "c"): 0.5}
    one_short = {("a", "b"): 0.06, ("a", "c"): 0.001, ("b", "c"): 0.5}
    other_way = {("a", "b"): 0.99, ("a", "c"): 0.001, ("b", "c"): 0.5}  # b ahead of a: p_less = 0.01 < 0.05/2
    verdicts = [evaluate([claim], _ranking_facts(p))[0] for p in (shown, one_short, other_way)]
    assert [v["verdict"] for v in verdicts] == ["supported", "not_supported", "contradicted"]
    assert verdicts[0]["p"] == pytest.approx(0.04)  # the largest one-sided p


def test_top_set_needs_every_named_item_ahead_of_every_other():
    claim = _claim("top_set", pairs="opportunities.ranking.pairs", expected=["a", "b"])
    p = {("a", "b"): 0.5, ("a", "c"): 0.01, ("a", "d"): 0.01, ("b", "c"): 0.01, ("b", "d"): 0.2, ("c", "d"): 0.5}
    assert evaluate([claim], _ranking_facts(p))[0]["verdict"] == "not_supported"
    p[("b", "d")] = 0.01
    assert evaluate([claim], _ranking_facts(p))[0]["verdict"] == "supported"


def test_split_opinions_need_minimum_shares_and_equivalence_not_just_no_difference():
    claim = _claim("split", fact="barriers.value_estimation", minimum=20, margin=15)

    def facts(under: int, over: int, n: int):
        a, b = _share(under, n), _share(over, n)
        return {"barriers": SimpleNamespace(value_estimation=barriers.ValueEstimation(
            n=n, under_pct=a.pct, under_low=a.low, under_high=a.high, over_pct=b.pct, over_low=b.low,
            over_high=b.high, under_count=under, over_count=over))}
    # balanced and large: split shown; small sample: "no difference" is not support; lopsided: contradicted
    assert [evaluate([claim], facts(*args))[0]["verdict"] for args in ((120, 115, 300), (6, 5, 15), (160, 60, 300))] \
        == ["supported", "not_supported", "contradicted"]


def test_every_claim_states_hypothesis_and_test():
    for claim in read_claims():
        assert claim.get("hypothesis") and claim.get("test"), claim["id"]
        if claim.get("uniform_noise") == "holds" and claim["rule"] not in ("count_equals", "count_above"):
            assert claim.get("boundary"), claim["id"]


# --------------------------------------------------------------------------- on whole exports

@pytest.fixture(scope="module")
def synthetic_results(survey):
    return calibration.run_themes(survey, Context(lang="en", rules=Rules(k=K), synthetic=True))


def test_an_export_built_to_contradict_a_claim_changes_that_claim_only(survey, synthetic_results):
    """Reversing the answers to two statements (growth, embedded) contradicts their claims and leaves
    every other verdict as it was."""
    before = synthetic_results["conclusion"].facts.claim_verdicts
    assert before["steady_growth"] == "supported" and before["not_embedded"] == "supported"
    frame = survey.copy()
    for item in ("st_growth", "st_embedded"):
        codes = pd.to_numeric(frame[item].astype(object), errors="coerce")
        reversed_ = codes.where(codes == 9, 6 - codes)
        frame[item] = pd.Categorical(reversed_, categories=survey[item].cat.categories, ordered=True)
    facts = {k: r.facts for k, r in synthetic_results.items() if k != "conclusion"}
    ctx = Context(lang="en", rules=Rules(k=K), synthetic=True, figures=False, facts_of=facts)
    after = conclusion.analyse(frame, ctx).facts.claim_verdicts
    assert after["steady_growth"] == "contradicted" and after["not_embedded"] == "contradicted"
    assert {k: v for k, v in after.items() if k not in ("steady_growth", "not_embedded")} == \
        {k: v for k, v in before.items() if k not in ("steady_growth", "not_embedded")}


#: Fixed before looking: the first two seeds (2 exports x 2 languages keep the test under a minute).
NOISE_SEEDS = (1, 2)
#: Claims whose hypothesis uniform answers make true (see the claims file), or exact counts.
HOLDS_UNDER_NOISE = {c["id"] for c in read_claims() if c.get("uniform_noise") == "holds"}


def _p_values(sentence: str) -> list[float]:
    found = re.findall(r"p ([<=]) (\d+[.,]\d+)", sentence)
    return [float(v.replace(",", ".")) for _, v in found]


def test_noise_exports_assert_no_difference_order_or_gap_their_tests_do_not_show(survey, synthetic_results):
    """On exports of uniform answers, in English and Dutch: every sentence that says "differ", "first",
    "largest", "lags" quotes a p below alpha, both languages assert the same things, and sentences
    and "supported" verdicts are as rare as alpha allows (at most 5 in these exports; the old
    wording and rules gave 4 supported claims per noise export and a "differ" per ranking).
    The bundled synthetic export, which has real differences, trips the same checks."""
    asserted, supported = 0, 0
    for seed in NOISE_SEEDS:
        frame = calibration.noise_frame(survey, seed)
        per_lang = {}
        for lang in ("en", "nl"):
            results = calibration.run_themes(frame, Context(lang=lang, rules=Rules(k=K), synthetic=True))
            found = calibration.asserting(calibration.sentences(results), lang)
            for key, sentence in found:
                assert all(p < ALPHA for p in _p_values(sentence)), (seed, lang, key, sentence)
            per_lang[lang] = sorted(key for key, _ in found)
            verdicts = results["conclusion"].facts.claim_verdicts
        assert per_lang["en"] == per_lang["nl"], seed
        asserted += len(per_lang["en"])
        supported += sum(v == "supported" for k, v in verdicts.items() if k not in HOLDS_UNDER_NOISE)
    assert asserted <= 5 and supported <= 5, (asserted, supported)
    # the checks can fail: on data with real differences they find them
    real = calibration.asserting(calibration.sentences(synthetic_results), "en")
    real_supported = sum(v == "supported" for k, v in synthetic_results["conclusion"].facts.claim_verdicts.items()
                         if k not in HOLDS_UNDER_NOISE)
    assert len(real) > 5 and real_supported > 5


def test_noise_exports_under_weights_assert_and_support_no_more_than_alpha_allows(survey):
    """Issue 23: the claims' calibration still holds under weights. The same noise exports with uneven
    respondent weights (0.3 to 3, as raking gives): every asserting sentence quotes a p below alpha and
    "supported" verdicts stay as rare as without weights (at most 5 in these exports)."""
    asserted, supported = 0, 0
    for seed in NOISE_SEEDS:
        frame = with_weights(calibration.noise_frame(survey, seed), seed)
        results = calibration.run_themes(frame, Context(lang="en", rules=Rules(k=K), synthetic=True, weights=WEIGHT))
        found = calibration.asserting(calibration.sentences(results), "en")
        for key, sentence in found:
            assert all(p < ALPHA for p in _p_values(sentence)), (seed, key, sentence)
        asserted += len(found)
        supported += sum(v == "supported" for k, v in results["conclusion"].facts.claim_verdicts.items()
                         if k not in HOLDS_UNDER_NOISE)
    assert asserted <= 5 and supported <= 5, (asserted, supported)


# --------------------------------------------------------------------------- clustering, weights, models, facts

def test_theme_intervals_use_the_cluster_design_effect_with_weights_statsmodels_wls(survey):
    """A share's interval in a weighted theme table is Wilson on the effective n p(1-p)/var, var the
    cluster-robust variance of the weighted mean (statsmodels WLS, cluster sandwich times G/(G-1)),
    floored at Kish's n (design effect at least 1). The groups are built here by hand: the
    organisation, each respondent of code 99 ("other security organisation") a group of their own."""
    import statsmodels.api as sm
    from analysis.themes import enforcement
    frame = survey.assign(weight=[2.5 if i % 3 else 1.0 for i in range(len(survey))])
    result = enforcement.analyse(frame, Context(lang="en", rules=Rules(k=K), weights="weight"))
    row = result.published()["usefulness_summary"].rows()[0]
    codes = pd.to_numeric(frame["enf_usefulness"].astype(object), errors="coerce")
    keep = codes.isin([1, 2, 3, 4, 5])
    y = codes[keep].isin([4, 5]).astype(float).to_numpy()
    w = frame.loc[keep, "weight"].to_numpy()
    org = frame.loc[keep, "organisation"].astype(object)
    groups = pd.factorize(org)[0]
    alone = (groups < 0) | (org == 99).to_numpy()  # no organisation, or "other": a cluster of one
    assert (org == 99).sum() >= 5
    groups[alone] = groups.max() + 1 + np.arange(alone.sum())
    fit = sm.WLS(y, np.ones_like(y), weights=w).fit(cov_type="cluster",
                                                    cov_kwds={"groups": groups, "use_correction": False})
    g = len(np.unique(groups))
    p = float(np.average(y, weights=w))
    n_eff = min(p * (1 - p) / (g / (g - 1) * float(fit.cov_params()[0, 0])), w.sum() ** 2 / (w ** 2).sum())
    low, high = stats.wilson_interval(p * n_eff, n_eff)
    assert row["top2_pct"] == pytest.approx(100 * p)
    assert (row["top2_low"], row["top2_high"]) == pytest.approx((100 * low, 100 * high), rel=1e-9)


def test_design_effect_is_floored_at_one_independent_computation():
    """Clusters that each hold exactly half yes have a linearisation variance below the simple one;
    the interval stays the simple Wilson interval (design effect 1), never narrower."""
    frame = pd.DataFrame({"x": [1.0, 0.0] * 50, "org": np.repeat(np.arange(50), 2)})
    out = stats.proportion(frame, "x", cluster="org").iloc[0]
    assert out["n_eff"] == pytest.approx(100.0) and out["deff"] == pytest.approx(1.0)
    assert (out["pct_low"], out["pct_high"]) == pytest.approx(tuple(100 * v for v in stats.wilson_interval(50, 100)))


def test_respondents_without_organisation_stay_in_the_base():
    frame = pd.DataFrame({"x": [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], "org": ["a", "a", "b", None, None, "b"]})
    assert stats.proportion(frame, "x", cluster="org").iloc[0]["n"] == 6


def test_proportional_odds_check_slopes_equal_separate_statsmodels_logits_and_it_detects_a_violation():
    import statsmodels.api as sm
    rng = np.random.default_rng(4)
    n = 1500
    x = rng.normal(size=n)
    holds = np.digitize(x + rng.logistic(size=n), [-1.5, -0.5, 0.5, 1.5]) + 1
    # x widens the spread: more answers at both ends, the opposite of one common effect
    fails = np.digitize(np.exp(x) * rng.logistic(size=n), [-1.5, -0.5, 0.5, 1.5]) + 1
    good = stats.proportional_odds_check(pd.DataFrame({"y": holds, "x": x}), "y", ["x"])
    bad = stats.proportional_odds_check(pd.DataFrame({"y": fails, "x": x}), "y", ["x"])
    assert good.set_index("term").at["all", "p"] > 0.01 and bad.set_index("term").at["all", "p"] < 0.001
    # the stacked model's slope per cut is the slope of a separate binary logit at that cut (same likelihood)
    slopes = [sm.Logit((holds > j).astype(float), sm.add_constant(x)).fit(disp=False).params[1] for j in (1, 2, 3, 4)]
    row = good.set_index("term").loc["x"]
    assert (row["min_or"], row["max_or"]) == pytest.approx((min(np.exp(slopes)), max(np.exp(slopes))), rel=1e-4)


def test_facts_json_keeps_p_values_at_full_precision(synthetic_results, tmp_path):
    folder = synthetic_results["opportunities"].save(tmp_path)
    data = json.loads((folder / "facts.json").read_text())
    p = synthetic_results["opportunities"].facts.ranking.friedman_p
    assert data["ranking"]["friedman_p"] == p and 0 < p < 1e-6  # not rounded to 0.0
