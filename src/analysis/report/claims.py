"""The 2011 summary's claims, each tested on the data at hand as a hypothesis.

Claims and their parameters are data (``data/reference/summary_claims_2011.yaml``: each states its
hypothesis and test); this module holds the tests. Each rule reads the typed theme facts
(:mod:`analysis.report.facts`, from ``<output_dir>/<theme>/facts.json``) by name, never the raw data, so a
verdict is made from the same published numbers the reader sees.

Verdicts:

* ``supported``: the claim's test rejects the hypothesis that the claim is false (at level alpha);
* ``not_supported``: inconclusive, the data show neither the claim nor its opposite;
* ``contradicted``: a test shows the opposite (e.g. another item shown ahead of the one claimed
  first; where several tests could each contradict, Bonferroni over them);
* ``not_testable``: no item measures it, or the facts needed are suppressed or missing.

Tests: one-sided where the claim has a direction; intersection-union (every one-sided test must
reject, so no adjustment) for "X comes first", "these are the top items" and "every layer / every
item"; two one-sided tests (TOST) plus minimum shares for "opinions are split". A count of
organisations or forces is a fact of the sample, not an estimate: it is checked exactly
(``descriptive``). Shares are tested with the score test on the interval's effective n, so the
design effect of clustering and the weights of the published interval carry over; tests on
counts (sign tests, Wilcoxon, McNemar) are unweighted.

A value that the small-cell rule suppressed, or that the data could not give, makes a claim "not
testable"; a fact path or item the schema does not know is an error (:func:`check_claims`).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

from analysis.core.yamlfile import safe_load
from scipy import stats as sps

from analysis.report import facts as facts_schema
from analysis.protection.disclosure import is_hidden
from analysis.core.errors import Problem, SurveyDataError
from analysis.core.paths import REFERENCE_DIR
from analysis.report.text import fmt_number, fmt_p, fmt_pct, message

CLAIMS_PATH = REFERENCE_DIR / "summary_claims_2011.yaml"
VERDICTS = ("supported", "not_supported", "contradicted", "not_testable")


class NotTestable(Exception):
    """The facts needed for a claim are missing or suppressed."""


def read_claims(path: Path = CLAIMS_PATH) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return safe_load(fh)["claims"]


def _get(facts: dict[str, Any], dotted: str) -> Any:
    """The fact at a dotted path (checked against the schema); not testable when the data gave none."""
    value = facts_schema.get(facts, dotted)
    if value is None:
        raise NotTestable(dotted)
    return value


def _num(value: Any) -> float:
    if value is None or is_hidden(value):
        raise NotTestable("suppressed")
    value = float(value)
    if math.isnan(value):
        raise NotTestable("missing")
    return value


def _by_key(rows: list[Any], key: str = "item") -> dict[str, Any]:
    """Rows by item (or option) id; not testable when the data gave no rows at all."""
    if not rows:
        raise NotTestable("no rows")
    return {getattr(r, key): r for r in rows}


# --------------------------------------------------------------------------- the tests

def score_p(pct: Any, low: Any, high: Any, threshold: float, level: float, above: bool = True) -> float:
    """One-sided score-test p of "the share is above (below) `threshold`" (percentages).

    The effective n is recovered from the published Wilson interval (a Wilson limit L of a share
    p satisfies (p - L)^2 n = z^2 L (1 - L)), so the design effect of clustering and the weights
    that widened the interval widen the test too. The Wilson interval is exactly the set of
    shares this score test does not reject, so the test and the published interval agree.
    """
    p, t = _num(pct) / 100, threshold / 100
    z = sps.norm.ppf(1 - (1 - level) / 2)
    bound = next((_num(b) / 100 for b in (low, high) if abs(_num(b) / 100 - p) > 1e-12), None)
    if bound is None:
        raise NotTestable("no interval")
    n_eff = z * z * bound * (1 - bound) / (p - bound) ** 2
    stat = (p - t) / math.sqrt(t * (1 - t) / n_eff)
    return float(sps.norm.sf(stat) if above else sps.norm.cdf(stat))


def sign_p(k: Any, other: Any) -> float:
    """One-sided exact sign test p of "the first side is larger" (k against other respondents)."""
    k, other = int(round(_num(k))), int(round(_num(other)))
    if k + other == 0:
        raise NotTestable("no answers on either side")
    return float(sps.binomtest(k, k + other, 0.5, alternative="greater").pvalue)


def tost_p(k: Any, other: Any, margin: float) -> float:
    """Two one-sided exact binomial tests of "the share k / (k + other) lies within 50% +- margin"."""
    k, other = int(round(_num(k))), int(round(_num(other)))
    m = k + other
    if m == 0:
        raise NotTestable("no answers on either side")
    low, high = 0.5 - margin / 100, 0.5 + margin / 100
    p_low = sps.binomtest(k, m, low, alternative="greater").pvalue
    p_high = sps.binomtest(k, m, high, alternative="less").pvalue
    return float(max(p_low, p_high))


def _one_sided(pairs: list[Any], a: str, b: str) -> float:
    """One-sided p of "a higher than b" from the published pairwise facts."""
    for pair in pairs:
        if pair.item_a == a and pair.item_b == b:
            return _num(pair.p_greater)
        if pair.item_a == b and pair.item_b == a:
            return _num(pair.p_less)
    raise NotTestable(f"no test of {a} against {b}")


def _items_of(pairs: list[Any]) -> list[str]:
    return list(dict.fromkeys([p.item_a for p in pairs] + [p.item_b for p in pairs]))


# --------------------------------------------------------------------------- rules

Result = dict[str, Any]
Rule = Callable[[dict, dict, str, float], Result]
RULES: dict[str, Rule] = {}


def rule(fn: Rule) -> Rule:
    RULES[fn.__name__] = fn
    return fn


def _result(verdict: str, evidence: str, p: float | None = None) -> Result:
    return {"verdict": verdict, "evidence": evidence, "p": p}


def _three_way(p_claim: float, p_against: float, alpha: float, against_alpha: float | None = None) -> str:
    if p_claim < alpha:
        return "supported"
    if p_against < (alpha if against_alpha is None else against_alpha):
        return "contradicted"
    return "not_supported"


@rule
def count_equals(claim, facts, lang, level):
    value = _num(_get(facts, claim["fact"]))
    verdict = "supported" if value == claim["value"] else "contradicted"
    return _result(verdict, message("ev_count", lang, value=fmt_number(value, lang),
                                    expected=fmt_number(claim["value"], lang)))


@rule
def count_above(claim, facts, lang, level):
    value = _num(_get(facts, claim["fact"]))
    verdict = "supported" if value > claim["value"] else "contradicted"
    return _result(verdict, message("ev_count_above", lang, value=fmt_number(value, lang),
                                    expected=fmt_number(claim["value"], lang)))


@rule
def share_above(claim, facts, lang, level):
    fact = _get(facts, claim["fact"])
    pct, low, high = (getattr(fact, claim.get(k, k)) for k in ("pct", "low", "high"))
    t = claim["threshold"]
    above, below = score_p(pct, low, high, t, level, True), score_p(pct, low, high, t, level, False)
    alpha = 1 - level
    return _result(_three_way(above, below, alpha), message(
        "ev_share", lang, pct=fmt_pct(_num(pct), lang), low=fmt_pct(_num(low), lang), high=fmt_pct(_num(high), lang),
        threshold=fmt_pct(t, lang), p=fmt_p(above, lang)), above)


@rule
def share_below(claim, facts, lang, level):
    row = _by_key(_get(facts, claim["fact"]), "option")[claim["option"]]
    t = claim["threshold"]
    below = score_p(row.pct, row.low, row.high, t, level, False)
    above = score_p(row.pct, row.low, row.high, t, level, True)
    return _result(_three_way(below, above, 1 - level), message(
        "ev_share_below", lang, pct=fmt_pct(_num(row.pct), lang), low=fmt_pct(_num(row.low), lang),
        high=fmt_pct(_num(row.high), lang), threshold=fmt_pct(t, lang), p=fmt_p(below, lang)), below)


@rule
def ranking_first(claim, facts, lang, level):
    """Intersection-union test: the expected item is rated higher than every other item."""
    pairs = _get(facts, claim["pairs"])
    expected, alpha = claim["expected"], 1 - level
    others = [i for i in _items_of(pairs) if i != expected]
    if not others:
        raise NotTestable("no pairs")
    p_each = {o: _one_sided(pairs, expected, o) for o in others}
    runner = max(p_each, key=p_each.get)
    against = {o: _one_sided(pairs, o, expected) for o in others}
    ahead = min(against, key=against.get)
    verdict = _three_way(p_each[runner], against[ahead], alpha, alpha / len(others))
    if verdict == "contradicted":
        evidence = message("ev_first_other", lang, other=claim_label(ahead, lang), p=fmt_p(against[ahead], lang),
                           m=len(others))
    else:
        evidence = message("ev_first", lang, others=len(others), runner=claim_label(runner, lang),
                           p=fmt_p(p_each[runner], lang))
    return _result(verdict, evidence, p_each[runner])


@rule
def top_set(claim, facts, lang, level):
    """Intersection-union test: every named item ahead of every item not named."""
    pairs = _get(facts, claim["pairs"])
    named, alpha = list(claim["expected"]), 1 - level
    items = _items_of(pairs)
    unknown = [i for i in named if i not in items]
    if unknown:
        raise NotTestable(f"no tests of {unknown}")
    rest = [i for i in items if i not in named]
    combos = [(e, o) for e in named for o in rest]
    if not combos:
        raise NotTestable("nothing to compare")
    p_each = {c: _one_sided(pairs, *c) for c in combos}
    worst = max(p_each, key=p_each.get)
    against = {c: _one_sided(pairs, c[1], c[0]) for c in combos}
    reverse = min(against, key=against.get)
    verdict = _three_way(p_each[worst], against[reverse], alpha, alpha / len(combos))
    if verdict == "contradicted":
        evidence = message("ev_top_set_other", lang, other=claim_label(reverse[1], lang),
                           named=claim_label(reverse[0], lang), p=fmt_p(against[reverse], lang), m=len(combos))
    else:
        evidence = message("ev_top_set", lang, k=len(named), m=len(combos), named=claim_label(worst[0], lang),
                           other=claim_label(worst[1], lang), p=fmt_p(p_each[worst], lang))
    return _result(verdict, evidence, p_each[worst])


@rule
def all_share_above(claim, facts, lang, level):
    """Intersection-union test: every option's share above the threshold."""
    rows = _get(facts, claim["fact"])
    if not rows:
        raise NotTestable("no rows")
    t, alpha = claim["threshold"], 1 - level
    above = {r.option: score_p(r.pct, r.low, r.high, t, level, True) for r in rows}
    below = {r.option: score_p(r.pct, r.low, r.high, t, level, False) for r in rows}
    worst, lowest = max(above, key=above.get), min(below, key=below.get)
    verdict = _three_way(above[worst], below[lowest], alpha, alpha / len(rows))
    return _result(verdict, message("ev_all_above", lang, total=len(rows), threshold=fmt_pct(t, lang),
                                    option=claim_label(worst, lang), p=fmt_p(above[worst], lang)), above[worst])


@rule
def model_effects(claim, facts, lang, level):
    """Intersection-union test of two one-sided tests: citizen-facing OR > 1 and age OR < 1."""
    m = _get(facts, claim["fact"])
    cf_or, cf_p2, age_or, age_p2 = (_num(v) for v in (m.citizen_facing_or, m.citizen_facing_p, m.age_or, m.age_p))
    cf_yes = cf_p2 / 2 if cf_or > 1 else 1 - cf_p2 / 2
    age_yes = age_p2 / 2 if age_or < 1 else 1 - age_p2 / 2
    p = max(cf_yes, age_yes)
    against = min(1 - cf_yes, 1 - age_yes)
    alpha = 1 - level
    verdict = _three_way(p, against, alpha, alpha / 2)
    return _result(verdict, message("ev_model", lang, model=message(f"model_{m.model or 'ordinal'}", lang),
                                    cf_or=fmt_number(cf_or, lang, 2), cf_p=fmt_p(cf_yes, lang),
                                    age_or=fmt_number(age_or, lang, 2), age_p=fmt_p(age_yes, lang)), p)


def _split_verdict(share_a: tuple, share_b: tuple, count_a: Any, count_b: Any, claim: dict, level: float
                   ) -> tuple[str, float]:
    """Both shares shown above the minimum and their balance shown within 50% +- margin (TOST);
    contradicted when a two-sided sign test shows one side prevailing."""
    alpha = 1 - level
    minimum, margin = claim["minimum"], claim["margin"]
    p = max(score_p(*share_a, minimum, level, True), score_p(*share_b, minimum, level, True),
            tost_p(count_a, count_b, margin))
    prevail = min(1.0, 2 * min(sign_p(count_a, count_b), sign_p(count_b, count_a)))
    return _three_way(p, prevail, alpha), p


@rule
def split(claim, facts, lang, level):
    f = _get(facts, claim["fact"])
    verdict, p = _split_verdict((f.under_pct, f.under_low, f.under_high), (f.over_pct, f.over_low, f.over_high),
                                f.under_count, f.over_count, claim, level)
    return _result(verdict, message("ev_split", lang, a=fmt_pct(_num(f.under_pct), lang),
                                    b=fmt_pct(_num(f.over_pct), lang), minimum=fmt_pct(claim["minimum"], lang),
                                    margin=fmt_number(claim["margin"], lang), p=fmt_p(p, lang)), p)


@rule
def statement_split(claim, facts, lang, level):
    row = _by_key(_get(facts, claim["fact"]))[claim["item"]]
    verdict, p = _split_verdict((row.top2_pct, row.top2_low, row.top2_high),
                                (row.bottom2_pct, row.bottom2_low, row.bottom2_high),
                                row.top2_count, row.bottom2_count, claim, level)
    return _result(verdict, message("ev_statement_split", lang, agree=fmt_pct(_num(row.top2_pct), lang),
                                    disagree=fmt_pct(_num(row.bottom2_pct), lang),
                                    minimum=fmt_pct(claim["minimum"], lang), margin=fmt_number(claim["margin"], lang),
                                    p=fmt_p(p, lang)), p)


@rule
def paired_greater(claim, facts, lang, level):
    f = _get(facts, claim["fact"])
    greater, less = _num(f.p_greater), _num(f.p_less)
    return _result(_three_way(greater, less, 1 - level), message(
        "ev_paired", lang, inv=fmt_pct(f.investigation_top2_pct, lang), enf=fmt_pct(f.enforcement_top2_pct, lang),
        p=fmt_p(greater, lang), r=fmt_number(_num(f.rank_biserial), lang, 2)), greater)


def _statement_tests(row: Any, direction: str) -> tuple[float, float]:
    """One-sided sign tests (claimed side, other side) between agree and disagree counts."""
    agree, disagree = row.top2_count, row.bottom2_count
    if direction == "agree":
        return sign_p(agree, disagree), sign_p(disagree, agree)
    return sign_p(disagree, agree), sign_p(agree, disagree)


@rule
def statement(claim, facts, lang, level):
    row = _by_key(_get(facts, claim["fact"]))[claim["item"]]
    p, against = _statement_tests(row, claim["direction"])
    return _result(_three_way(p, against, 1 - level), message(
        f"ev_statement_{claim['direction']}", lang, agree=fmt_pct(row.top2_pct, lang),
        disagree=fmt_pct(row.bottom2_pct, lang), p=fmt_p(p, lang)), p)


@rule
def statements_all(claim, facts, lang, level):
    """Intersection-union test over the statements (each one-sided sign test must reject)."""
    rows = _by_key(_get(facts, claim["fact"]))
    tests = [_statement_tests(rows[i], claim["direction"]) for i in claim["items"]]
    p, against = max(t[0] for t in tests), min(t[1] for t in tests)
    alpha = 1 - level
    parts = [message(f"ev_statement_{claim['direction']}", lang, agree=fmt_pct(rows[i].top2_pct, lang),
                     disagree=fmt_pct(rows[i].bottom2_pct, lang), p=fmt_p(t[0], lang))
             for i, t in zip(claim["items"], tests)]
    return _result(_three_way(p, against, alpha, alpha / len(tests)), " ".join(parts), p)


@rule
def solved_poorly(claim, facts, lang, level):
    """Intersection-union test: every item called poorly solved more often than well (sign tests)."""
    rows = _get(facts, claim["fact"])
    if not rows:
        raise NotTestable("no rows")
    poor = {r.item: sign_p(r.bottom2_count, r.top2_count) for r in rows}
    well = {r.item: sign_p(r.top2_count, r.bottom2_count) for r in rows}
    worst, best = max(poor, key=poor.get), min(well, key=well.get)
    alpha = 1 - level
    return _result(_three_way(poor[worst], well[best], alpha, alpha / len(rows)), message(
        "ev_solved", lang, total=len(rows), item=claim_label(worst, lang), p=fmt_p(poor[worst], lang)), poor[worst])


@rule
def not_testable(claim, facts, lang, level):
    return _result("not_testable", message(f"ev_{claim.get('reason', 'no_item')}", lang))


def claim_label(item: str, lang: str) -> str:
    """The codebook label of an item or multi-select option, quoted, for evidence text."""
    cb = _codebook()
    if item in cb:
        return f"“{cb[item].label(lang)}”"
    column_item = cb.column_item().get(item)
    if column_item is not None:
        return f"“{column_item.code_labels(lang)[item[len(column_item.id) + 1:]]}”"
    return item


_CODEBOOK: list[Any] = []


def _codebook() -> Any:
    if not _CODEBOOK:
        from analysis.survey.codebook import load_codebook
        _CODEBOOK.append(load_codebook())
    return _CODEBOOK[0]


def check_claims(claims: list[dict[str, Any]], path: Path | str = CLAIMS_PATH) -> None:
    """Refuse claims whose rule is unknown or whose fact paths the facts schema does not have."""
    problems = []
    for number, claim in enumerate(claims, start=1):
        if claim.get("rule") not in RULES:
            problems.append(Problem(str(path), "unknown rule", respondent=None, column="rule",
                                    value=str(claim.get("rule")), expected=f"one of {sorted(RULES)}"))
        for key in ("fact", "pairs"):
            if key not in claim:
                continue
            try:
                facts_schema.resolve(claim[key])
            except KeyError as exc:
                problems.append(Problem(str(path), f"claim {claim.get('id', number)}: {exc.args[0]}", column=key,
                                        value=claim[key], expected="a path in analysis.report.facts"))
    if problems:
        raise SurveyDataError(problems)


def evaluate(claims: list[dict[str, Any]], facts: dict[str, Any], lang: str = "en",
             level: float = 0.95) -> list[dict[str, Any]]:
    """Verdict, test, p-value and evidence for every claim from typed facts (:mod:`analysis.report.facts`).

    A fact that is suppressed, or that the data could not give (nobody answered, too few rows for
    the claim), makes the claim not testable; a fact path or item the schema or the data do not
    know raises (a renamed key must fail the build, not pass as "not testable").
    """
    check_claims(claims)
    results = []
    for claim in claims:
        try:
            outcome = RULES[claim["rule"]](claim, facts, lang, level)
        except NotTestable:  # a fact the data could not give (no answers, suppressed)
            outcome = _result("not_testable", message("ev_suppressed", lang))
        results.append({"id": claim["id"], "theme": claim["theme"], "claim": claim[lang if lang == "en" else "nl"],
                        "quote": claim["nl"], "verdict": outcome["verdict"],
                        "test": message(f"test_{claim['rule']}", lang), "p": outcome["p"],
                        "evidence": outcome["evidence"]})
    return results
