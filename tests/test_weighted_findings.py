"""Each chapter's summary findings and each claim of the 2011 summary with and without the raking
weights (issue 23, "in the report"): worded by both verdicts, weighted shares with intervals on
Kish's effective sample size, in both languages; the report without --margins has none of it."""
from __future__ import annotations

import html

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.core.paths import REFERENCE_DIR
from analysis.pipeline.weighted_findings import claim_rows, findings_html, robustness, weighted_findings
from analysis.pipeline.weights import survey_weights
from analysis.protection.rules import Rules
from analysis.report.claims import read_claims
from analysis.report.text import message
from analysis.stats.raking import kish_effective_size
from analysis.survey.codebook import load_codebook
from analysis.themes.base import Context
from analysis.themes.derived import active_indicator

MARGINS = REFERENCE_DIR / "margins_2011.yaml"
PHRASES = {"en": ("holds with and without weighting", "holds only without weighting", "holds only with weighting",
                  "holds in neither"),
           "nl": ("geldt met en zonder weging", "geldt alleen zonder weging", "geldt alleen met weging",
                  "geldt in geen van beide")}


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_claim_is_worded_by_its_verdicts_without_and_with_weighting(lang):
    pairs = [("supported", "supported"), ("supported", "not_supported"), ("contradicted", "supported"),
             ("not_supported", "contradicted")]
    assert tuple(message(robustness(*pair), lang) for pair in pairs) == PHRASES[lang]
    assert robustness("not_testable", "not_testable") == "verdict_not_testable"
    assert message(robustness("not_testable", "supported"), lang) == PHRASES[lang][2]


@pytest.fixture(scope="module")
def raked(survey):
    raking, _ = survey_weights(survey, MARGINS)
    return raking


@pytest.fixture(scope="module")
def dutch_findings(survey, raked):
    """Every theme without and with the raking weights, in Dutch; no cluster design effect, so that an
    interval rests on Kish's effective sample size alone."""
    ctx = Context(lang="nl", rules=Rules(k=5), synthetic=True, codebook=load_codebook().for_wave("2011"),
                  cluster=None, figures=False)
    return weighted_findings(survey, raked, ctx)


def test_a_weighted_share_and_its_interval_use_the_raking_weights_and_kish_effective_n(survey, raked,
                                                                                        dutch_findings):
    """The share of active respondents under weighting against an independent computation: numpy's
    weighted mean and statsmodels' Wilson interval at Kish's effective n of the answering respondents."""
    active = active_indicator(survey)
    answered = active.notna()
    weights = raked.weights[answered]
    share = np.average(active[answered], weights=weights)
    n_eff = kish_effective_size(weights)
    low, high = proportion_confint(share * n_eff, n_eff, alpha=0.05, method="wilson")
    weighted = dutch_findings.weighted["participants"].facts.active
    assert weighted.pct == pytest.approx(100 * share, abs=1e-9)
    assert (weighted.low, weighted.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    assert n_eff < answered.sum()                                       # weighting costs precision
    unweighted = dutch_findings.unweighted["participants"].facts.active
    assert unweighted.pct == pytest.approx(100 * active[answered].mean(), abs=1e-9)


def test_the_findings_beside_each_other_in_dutch(dutch_findings):
    rows = claim_rows(dutch_findings)
    assert [row["id"] for row in rows] == [claim["id"] for claim in read_claims()]
    text = findings_html(dutch_findings, "nl")
    assert text.startswith("<h2>De bevindingen met en zonder weging</h2>")
    assert "<th scope=\"col\">Zonder weging</th><th scope=\"col\">Met weging</th>" in text
    worded = [message(row["robustness"], "nl") for row in rows]
    assert set(worded) <= set(PHRASES["nl"]) | {"niet toetsbaar"} and PHRASES["nl"][0] in worded
    assert sum(text.count(f"<td>{phrase}</td>") for phrase in set(worded)) == len(rows)


def test_the_margins_build_sets_the_weighted_findings_beside_the_unweighted_in_the_report(margins_build):
    assert margins_build["status"] == 0
    report = (margins_build["out"] / "report.html").read_text(encoding="utf-8").replace("&#x27;", "'")
    start = report.index(">The findings with and without weighting</h")
    section = report[start:report.index("</section>", start)]
    assert "ILLUSTRATIVE" in report and "Kish's effective sample size" in section
    claims = read_claims()
    assert sum(section.count(f"<td>{phrase}</td>") for phrase in PHRASES["en"]) + \
        section.count("<td>not testable</td>") == len(claims)
    assert all(f"<td>{html.escape(claim['en'], quote=False)}</td>" in section for claim in claims)
